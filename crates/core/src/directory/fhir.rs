//! Directory entries in the shape of FHIR R4 resources, as the national
//! directory's FHIR API serves them (ID-4).
//!
//! [`DirectoryEntry::to_fhir`] returns a `Bundle` of type `collection`:
//!
//! - for a personal mailbox, a `Practitioner` (the person: national
//!   identifier under the IDNPS system, names) and a `PractitionerRole`
//!   (the activity: profession, specialty, structure, and the mailbox as an
//!   `email` telecom marked `MSSANTE`);
//! - for an organisational or applicative mailbox, an `Organization` (the
//!   structure: identifier under the IDNST system, name, service as an
//!   alias, place, and the mailbox as an `email` telecom marked `MSSANTE`).
//!   No `Practitioner` is made up for a mailbox no person owns.
//!
//! [`DirectoryEntry::to_fhir_with_certificates`] adds the mailbox's S/MIME
//! certificates to its `email` telecom, one [`CERTIFICATE_EXTENSION`] each
//! (DER as `valueBase64Binary`): the telecom is the mailbox, and the
//! certificate is the mailbox's, whichever resource carries it.
//!
//! The phone number appears only when the entry carries it, that is only
//! with the person's consent (ID-6); it is a telecom of the
//! `PractitionerRole` (or `Organization`), since it is the practice site's
//! number. Nothing else is added: the resources hold no more than the
//! entry.

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use serde_json::{Map, Value, json};

use super::entry::DirectoryEntry;
use super::mailbox::{MailboxKind, StructureRef};
use super::values::Coded;

/// The system of national identifiers of health professionals (IDNPS:
/// `8` + RPPS, `0` + ADELI), as the national directory's FHIR API uses it.
pub const IDNPS_SYSTEM: &str = "urn:oid:1.2.250.1.71.4.2.1";
/// The system of national identifiers of structures (IDNST: `1` + FINESS,
/// `3` + SIRET).
pub const IDNST_SYSTEM: &str = "urn:oid:1.2.250.1.71.4.2.2";
/// The extension marking an `email` telecom with its kind of mailbox.
pub const EMAIL_TYPE_EXTENSION: &str = "https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/PractitionerRole-EmailType";
/// The extension of a mailbox's `email` telecom carrying one of its S/MIME
/// certificates (DER, as `valueBase64Binary`): Caduceus's own, as FHIR R4 has no
/// element for a mailbox's encryption certificate.
pub const CERTIFICATE_EXTENSION: &str =
    "https://caduceus.dev/fhir/StructureDefinition/ContactPoint-SmimeCertificate";
/// The code system of professions (nomenclature TRE_G15).
pub const PROFESSION_SYSTEM: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante";
/// The code system of specialties (savoir-faire, nomenclature TRE_R38).
pub const SPECIALTY_SYSTEM: &str =
    "https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale";

impl DirectoryEntry {
    /// The entry as a FHIR R4 `Bundle` (see the [module documentation](self)).
    ///
    /// ```
    /// # use caduceus_core::directory::{DirectoryEntry, EntryParts, MailboxKind};
    /// # use caduceus_core::{MailAddress, NationalId};
    /// # let entry = DirectoryEntry::new(EntryParts {
    /// #     address: MailAddress::parse("alice.martin@caduceus.test").unwrap(),
    /// #     kind: MailboxKind::Personal, display_name: "Alice Martin".into(),
    /// #     family_name: Some("Martin".into()), given_name: Some("Alice".into()),
    /// #     profession: None, specialty: None, service: None, site_name: None,
    /// #     postal_code: None, commune: None,
    /// #     national_id: Some(NationalId::parse("810003090833").unwrap()),
    /// #     structure: None, phone: None, liste_rouge: false,
    /// # }).unwrap();
    /// let bundle = entry.to_fhir();
    /// assert_eq!(bundle["resourceType"], "Bundle");
    /// let practitioner = &bundle["entry"][0]["resource"];
    /// assert_eq!(practitioner["identifier"][0]["value"], "810003090833");
    /// let role = &bundle["entry"][1]["resource"];
    /// assert_eq!(role["telecom"][0]["value"], "alice.martin@caduceus.test");
    /// ```
    pub fn to_fhir(&self) -> Value {
        self.to_fhir_with_certificates(&[])
    }

    /// [`to_fhir`](Self::to_fhir), the mailbox's `email` telecom carrying each of
    /// `certificates` (DER) as a [`CERTIFICATE_EXTENSION`] extension, base64, so
    /// that a sender finds the certificate to encrypt to (MS-3).
    pub fn to_fhir_with_certificates(&self, certificates: &[Vec<u8>]) -> Value {
        let resources = match self.kind() {
            MailboxKind::Personal => {
                vec![self.practitioner(), self.practitioner_role(certificates)]
            }
            MailboxKind::Organisational | MailboxKind::Applicative => {
                vec![self.organization(certificates)]
            }
        };
        let entries: Vec<Value> = resources
            .into_iter()
            .map(|resource| json!({ "resource": resource }))
            .collect();
        json!({
            "resourceType": "Bundle",
            "type": "collection",
            "entry": entries,
        })
    }

    /// The `Practitioner`: identifier and names.
    fn practitioner(&self) -> Value {
        let mut practitioner = Map::new();
        practitioner.insert("resourceType".into(), "Practitioner".into());
        practitioner.insert("id".into(), self.practitioner_id().into());
        if let Some(id) = self.national_id() {
            practitioner.insert(
                "identifier".into(),
                json!([{ "system": IDNPS_SYSTEM, "value": id.to_string() }]),
            );
        }
        let mut name = Map::new();
        if let Some(family) = self.family_name() {
            name.insert("family".into(), family.into());
        }
        if let Some(given) = self.given_name() {
            name.insert("given".into(), json!([given]));
        }
        if name.is_empty() {
            name.insert("text".into(), self.display_name().into());
        }
        practitioner.insert("name".into(), json!([name]));
        Value::Object(practitioner)
    }

    /// The `PractitionerRole`: profession, specialty, structure, mailbox.
    fn practitioner_role(&self, certificates: &[Vec<u8>]) -> Value {
        let mut role = Map::new();
        role.insert("resourceType".into(), "PractitionerRole".into());
        role.insert("id".into(), fhir_id(self.address().as_str()).into());
        role.insert(
            "practitioner".into(),
            json!({ "reference": format!("Practitioner/{}", self.practitioner_id()) }),
        );
        if let Some(organization) = self.organization_reference() {
            role.insert("organization".into(), organization);
        }
        if let Some(profession) = self.profession() {
            role.insert(
                "code".into(),
                json!([concept(PROFESSION_SYSTEM, profession)]),
            );
        }
        if let Some(specialty) = self.specialty() {
            role.insert(
                "specialty".into(),
                json!([concept(SPECIALTY_SYSTEM, specialty)]),
            );
        }
        role.insert("telecom".into(), self.telecom(certificates));
        Value::Object(role)
    }

    /// The `Organization` of an organisational or applicative mailbox.
    fn organization(&self, certificates: &[Vec<u8>]) -> Value {
        let mut organization = Map::new();
        organization.insert("resourceType".into(), "Organization".into());
        let id = self
            .structure()
            .and_then(StructureRef::national_form)
            .unwrap_or_else(|| self.address().as_str().to_owned());
        organization.insert("id".into(), fhir_id(&id).into());
        if let Some(identifier) = self.structure().and_then(structure_identifier) {
            organization.insert("identifier".into(), json!([identifier]));
        }
        let name = self.site_name().unwrap_or(self.display_name());
        organization.insert("name".into(), name.into());
        if let Some(service) = self.service() {
            organization.insert("alias".into(), json!([service]));
        }
        let mut address = Map::new();
        if let Some(postal_code) = self.postal_code() {
            address.insert("postalCode".into(), postal_code.into());
        }
        if let Some(commune) = self.commune() {
            address.insert("city".into(), commune.into());
        }
        if !address.is_empty() {
            organization.insert("address".into(), json!([address]));
        }
        organization.insert("telecom".into(), self.telecom(certificates));
        Value::Object(organization)
    }

    /// The mailbox as an `email` telecom marked `MSSANTE` and carrying its
    /// certificates, then the phone number when the entry carries it (only with
    /// consent).
    fn telecom(&self, certificates: &[Vec<u8>]) -> Value {
        let mut extensions = vec![json!({
            "url": EMAIL_TYPE_EXTENSION,
            "valueCoding": { "code": "MSSANTE" },
        })];
        extensions.extend(certificates.iter().map(|der| {
            json!({
                "url": CERTIFICATE_EXTENSION,
                "valueBase64Binary": BASE64_STANDARD.encode(der),
            })
        }));
        let mut telecom = vec![json!({
            "system": "email",
            "value": self.address().as_str(),
            "extension": extensions,
        })];
        if let Some(phone) = self.phone() {
            telecom.push(json!({ "system": "phone", "value": phone }));
        }
        Value::Array(telecom)
    }

    /// The reference to the structure: its identifier when known, its name
    /// as display.
    fn organization_reference(&self) -> Option<Value> {
        let mut reference = Map::new();
        if let Some(identifier) = self.structure().and_then(structure_identifier) {
            reference.insert("identifier".into(), identifier);
        }
        if let Some(name) = self.site_name() {
            reference.insert("display".into(), name.into());
        }
        (!reference.is_empty()).then_some(Value::Object(reference))
    }

    /// The id of the `Practitioner`: the national identifier, else the
    /// address.
    fn practitioner_id(&self) -> String {
        match self.national_id() {
            Some(id) => fhir_id(&id.to_string()),
            None => fhir_id(self.address().as_str()),
        }
    }
}

/// A FHIR `CodeableConcept` with one coding.
fn concept(system: &str, coded: &Coded) -> Value {
    json!({
        "coding": [{ "system": system, "code": coded.code, "display": coded.label }]
    })
}

/// The IDNST identifier of a FINESS or SIRET structure.
fn structure_identifier(structure: &StructureRef) -> Option<Value> {
    structure
        .national_form()
        .map(|value| json!({ "system": IDNST_SYSTEM, "value": value }))
}

/// A valid FHIR id (`[A-Za-z0-9.-]{1,64}`) from `text`: other characters
/// become `-`, and the result is cut at 64 characters.
fn fhir_id(text: &str) -> String {
    let id: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if id.is_empty() { "-".to_owned() } else { id }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::entry::tests::{alice_mailbox, secretariat_mailbox};
    use crate::directory::mailbox::MailboxEntry;
    use crate::directory::values::{Consent, GatedPhone};

    fn alice() -> DirectoryEntry {
        DirectoryEntry::from_mailbox(&alice_mailbox()).unwrap()
    }

    fn resources(bundle: &Value) -> Vec<&Value> {
        assert_eq!(bundle["resourceType"], "Bundle");
        assert_eq!(bundle["type"], "collection");
        bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"])
            .collect()
    }

    #[test]
    fn id4_personal_entry_is_a_practitioner_and_a_role() {
        let bundle = alice().to_fhir();
        let resources = resources(&bundle);
        assert_eq!(resources.len(), 2);
        let practitioner = resources[0];
        assert_eq!(
            *practitioner,
            json!({
                "resourceType": "Practitioner",
                "id": "810003090833",
                "identifier": [{ "system": "urn:oid:1.2.250.1.71.4.2.1", "value": "810003090833" }],
                "name": [{ "family": "Martin", "given": ["Alice"] }],
            })
        );
        let role = resources[1];
        assert_eq!(role["resourceType"], "PractitionerRole");
        assert_eq!(role["id"], "alice.martin-caduceus.test");
        assert_eq!(
            role["practitioner"]["reference"],
            "Practitioner/810003090833"
        );
        assert_eq!(
            role["organization"],
            json!({
                "identifier": { "system": "urn:oid:1.2.250.1.71.4.2.2", "value": "1750048886" },
                "display": "Hôpital de démonstration",
            })
        );
        assert_eq!(role["code"][0]["coding"][0]["code"], "10");
        assert_eq!(role["code"][0]["coding"][0]["display"], "Médecin");
        assert_eq!(role["code"][0]["coding"][0]["system"], PROFESSION_SYSTEM);
        assert_eq!(role["specialty"][0]["coding"][0]["code"], "SM04");
        assert_eq!(
            role["telecom"],
            json!([{
                "system": "email",
                "value": "alice.martin@caduceus.test",
                "extension": [{
                    "url": "https://apifhir.annuaire.sante.fr/ws-sync/exposed/structuredefinition/PractitionerRole-EmailType",
                    "valueCoding": { "code": "MSSANTE" },
                }],
            }])
        );
    }

    #[test]
    fn id4_certificates_ride_on_the_mailbox_telecom() {
        let bundle = alice().to_fhir_with_certificates(&[vec![0x30, 0x03, 0x02, 0x01, 0x01]]);
        let email = &resources(&bundle)[1]["telecom"][0];
        assert_eq!(email["extension"][1]["url"], CERTIFICATE_EXTENSION);
        assert_eq!(email["extension"][1]["valueBase64Binary"], "MAMCAQE=");
        assert_eq!(
            alice().to_fhir()["entry"][1]["resource"]["telecom"][0]["extension"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }

    #[test]
    fn id6_phone_appears_in_fhir_only_with_consent() {
        let phone = GatedPhone::new("0142160000");
        let hidden = alice().with_phone(&phone, Consent::NotGiven).to_fhir();
        assert!(!hidden.to_string().contains("0142160000"));
        assert!(!hidden.to_string().contains("\"phone\""));
        let shown = alice().with_phone(&phone, Consent::Given).to_fhir();
        let telecom = &resources(&shown)[1]["telecom"];
        assert_eq!(
            telecom[1],
            json!({ "system": "phone", "value": "0142160000" })
        );
        // Never on the Practitioner itself.
        assert!(!resources(&shown)[0].to_string().contains("0142160000"));
    }

    #[test]
    fn id4_organisational_entry_is_an_organization() {
        let entry = DirectoryEntry::from_mailbox(&secretariat_mailbox()).unwrap();
        let bundle = entry.to_fhir();
        let resources = resources(&bundle);
        assert_eq!(resources.len(), 1);
        let organization = resources[0];
        assert_eq!(organization["resourceType"], "Organization");
        assert_eq!(organization["id"], "1750048886");
        assert_eq!(
            organization["identifier"],
            json!([{ "system": "urn:oid:1.2.250.1.71.4.2.2", "value": "1750048886" }])
        );
        assert_eq!(organization["name"], "Hôpital de démonstration");
        assert_eq!(organization["alias"], json!(["Cardiologie"]));
        assert_eq!(
            organization["address"],
            json!([{ "postalCode": "75013", "city": "PARIS" }])
        );
        assert_eq!(
            organization["telecom"][0]["value"],
            "secretariat.cardiologie@caduceus.test"
        );
        assert_eq!(
            organization["telecom"][0]["extension"][0]["valueCoding"]["code"],
            "MSSANTE"
        );
        let kinds: Vec<&Value> = bundle["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["resource"]["resourceType"])
            .collect();
        assert_eq!(kinds, [&json!("Organization")]);
    }

    #[test]
    fn id4_entries_without_identifiers_still_make_valid_resources() {
        let staff = MailboxEntry {
            person: None,
            structure: None,
            family_name: None,
            given_name: None,
            profession: None,
            specialty: None,
            organisation_name: None,
            ..alice_mailbox()
        };
        let bundle = DirectoryEntry::from_mailbox(&staff).unwrap().to_fhir();
        let resources = resources(&bundle);
        assert_eq!(resources[0]["id"], "alice.martin-caduceus.test");
        assert!(resources[0].get("identifier").is_none());
        assert_eq!(
            resources[0]["name"],
            json!([{ "text": "alice.martin@caduceus.test" }])
        );
        assert!(resources[1].get("organization").is_none());
        assert!(resources[1].get("code").is_none());
    }

    #[test]
    fn fhir_ids_are_sanitised() {
        assert_eq!(fhir_id("a@b.c"), "a-b.c");
        assert_eq!(fhir_id(""), "-");
        assert_eq!(fhir_id(&"x".repeat(80)).len(), 64);
        assert_eq!(fhir_id("1750048886/INF 42"), "1750048886-INF-42");
    }
}
