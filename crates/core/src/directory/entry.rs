//! What the directory shows for one mailbox, and who may see it in search
//! (ID-4, ID-6).
//!
//! A [`DirectoryEntry`] is built from a [`MailboxEntry`] of the national
//! extract (or rebuilt by the store from [`EntryParts`]). Patients are never
//! directory entries: the constructors refuse an address at a `patient.`
//! domain, so the type cannot hold one. An entry on the *liste rouge* is
//! still an entry (mail is delivered to it) but [`visible_in_search`] hides
//! it.

use super::mailbox::{MailboxEntry, MailboxKind, StructureRef};
use super::values::{Coded, Consent, GatedPhone};
use crate::address::MailAddress;
use crate::ident::NationalId;

/// Why a directory entry cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// The address is a patient's mailbox (`…@patient.…`): patients are
    /// never in the directory (ID-4, ID-5).
    #[error("a patient's mailbox is never a directory entry")]
    PatientAddress,
}

/// The parts of a [`DirectoryEntry`], for the store to rebuild one with
/// [`DirectoryEntry::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryParts {
    /// The mailbox address.
    pub address: MailAddress,
    /// Personal, organisational or applicative.
    pub kind: MailboxKind,
    /// The name shown: `Alice Martin`, or `Cardiologie, Hôpital X`.
    pub display_name: String,
    /// The person's family name (personal mailboxes).
    pub family_name: Option<String>,
    /// The person's given name (personal mailboxes).
    pub given_name: Option<String>,
    /// The profession, e.g. `10` `Médecin`.
    pub profession: Option<Coded>,
    /// The specialty (savoir-faire).
    pub specialty: Option<Coded>,
    /// The service within the structure, e.g. `Cardiologie`.
    pub service: Option<String>,
    /// The name of the structure or practice site.
    pub site_name: Option<String>,
    /// The postal code of the structure.
    pub postal_code: Option<String>,
    /// The commune of the structure.
    pub commune: Option<String>,
    /// The person: `8` + RPPS or `0` + ADELI.
    pub national_id: Option<NationalId>,
    /// The structure the mailbox belongs to.
    pub structure: Option<StructureRef>,
    /// The phone number, present only when the person consented (ID-6).
    pub phone: Option<String>,
    /// Whether the mailbox is on the liste rouge.
    pub liste_rouge: bool,
}

/// What the directory shows for one mailbox (ID-4).
///
/// It never holds a patient's mailbox: [`new`](Self::new) and
/// [`from_mailbox`](Self::from_mailbox) refuse an address at a `patient.`
/// domain. The phone number is present only when the person consented
/// (ID-6; see [`with_phone`](Self::with_phone)).
///
/// ```
/// use caduceus_core::directory::{DirectoryEntry, EntryError, EntryParts, MailboxKind};
/// use caduceus_core::MailAddress;
///
/// let parts = |address: &str| EntryParts {
///     address: MailAddress::parse(address).unwrap(),
///     kind: MailboxKind::Personal,
///     display_name: "Alice Martin".into(),
///     family_name: None, given_name: None, profession: None, specialty: None,
///     service: None, site_name: None, postal_code: None, commune: None,
///     national_id: None, structure: None, phone: None, liste_rouge: false,
/// };
/// assert!(DirectoryEntry::new(parts("alice.martin@caduceus.test")).is_ok());
/// assert_eq!(
///     DirectoryEntry::new(parts("295109912611193@patient.caduceus.test")).unwrap_err(),
///     EntryError::PatientAddress,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry(EntryParts);

impl DirectoryEntry {
    /// Builds an entry from its parts; refuses a patient's mailbox.
    pub fn new(parts: EntryParts) -> Result<Self, EntryError> {
        if is_patient_address(&parts.address) {
            return Err(EntryError::PatientAddress);
        }
        Ok(Self(parts))
    }

    /// The entry for a mailbox of the national extract, without a phone
    /// number; refuses a patient's mailbox.
    ///
    /// The display name is the person's given and family names for a
    /// personal mailbox, and the service and structure names for the
    /// others; the address stands in when there is no name.
    pub fn from_mailbox(mailbox: &MailboxEntry) -> Result<Self, EntryError> {
        let display_name = display_name(mailbox);
        Self::new(EntryParts {
            address: mailbox.address.clone(),
            kind: mailbox.kind,
            display_name,
            family_name: mailbox.family_name.clone(),
            given_name: mailbox.given_name.clone(),
            profession: mailbox.profession.clone(),
            specialty: mailbox.specialty.clone(),
            service: mailbox.service.clone(),
            site_name: mailbox.organisation_name.clone(),
            postal_code: mailbox.postal_code.clone(),
            commune: mailbox.commune.clone(),
            national_id: mailbox.person.clone(),
            structure: mailbox.structure.clone(),
            phone: None,
            liste_rouge: mailbox.liste_rouge,
        })
    }

    /// The entry with the phone number shown when the person consented,
    /// and without any phone number otherwise (ID-6).
    pub fn with_phone(mut self, phone: &GatedPhone, consent: Consent) -> Self {
        self.0.phone = phone.disclose(consent).map(str::to_owned);
        self
    }

    /// The mailbox address.
    pub fn address(&self) -> &MailAddress {
        &self.0.address
    }

    /// Personal, organisational or applicative.
    pub fn kind(&self) -> MailboxKind {
        self.0.kind
    }

    /// The name shown.
    pub fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// The person's family name.
    pub fn family_name(&self) -> Option<&str> {
        self.0.family_name.as_deref()
    }

    /// The person's given name.
    pub fn given_name(&self) -> Option<&str> {
        self.0.given_name.as_deref()
    }

    /// The profession.
    pub fn profession(&self) -> Option<&Coded> {
        self.0.profession.as_ref()
    }

    /// The specialty.
    pub fn specialty(&self) -> Option<&Coded> {
        self.0.specialty.as_ref()
    }

    /// The service within the structure.
    pub fn service(&self) -> Option<&str> {
        self.0.service.as_deref()
    }

    /// The name of the structure or practice site.
    pub fn site_name(&self) -> Option<&str> {
        self.0.site_name.as_deref()
    }

    /// The postal code.
    pub fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }

    /// The commune.
    pub fn commune(&self) -> Option<&str> {
        self.0.commune.as_deref()
    }

    /// The person's national identifier.
    pub fn national_id(&self) -> Option<&NationalId> {
        self.0.national_id.as_ref()
    }

    /// The structure the mailbox belongs to.
    pub fn structure(&self) -> Option<&StructureRef> {
        self.0.structure.as_ref()
    }

    /// The phone number, present only with the person's consent (ID-6).
    pub fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }

    /// Whether the mailbox is on the liste rouge.
    pub fn liste_rouge(&self) -> bool {
        self.0.liste_rouge
    }

    /// The parts, for the store to keep.
    pub fn parts(&self) -> &EntryParts {
        &self.0
    }

    /// The parts, by value.
    pub fn into_parts(self) -> EntryParts {
        self.0
    }
}

/// Whether an entry may appear in search results (ID-4): every entry but
/// those on the liste rouge. The liste rouge hides from search only; mail
/// is still delivered to the mailbox.
pub fn visible_in_search(entry: &DirectoryEntry) -> bool {
    !entry.liste_rouge()
}

/// Whether the address is at a `patient.` domain.
fn is_patient_address(address: &MailAddress) -> bool {
    address.domain().as_str().starts_with("patient.")
}

/// The name shown for a mailbox.
fn display_name(mailbox: &MailboxEntry) -> String {
    let join = |parts: [Option<&str>; 2], separator: &str| {
        let parts: Vec<&str> = parts.into_iter().flatten().collect();
        parts.join(separator)
    };
    let name = match mailbox.kind {
        MailboxKind::Personal => join(
            [
                mailbox.given_name.as_deref(),
                mailbox.family_name.as_deref(),
            ],
            " ",
        ),
        MailboxKind::Organisational | MailboxKind::Applicative => join(
            [
                mailbox.service.as_deref(),
                mailbox.organisation_name.as_deref(),
            ],
            ", ",
        ),
    };
    if name.is_empty() {
        mailbox.address.as_str().to_owned()
    } else {
        name
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ident::Finess;

    /// Alice Martin's personal mailbox.
    pub(crate) fn alice_mailbox() -> MailboxEntry {
        MailboxEntry {
            address: MailAddress::parse("alice.martin@caduceus.test").unwrap(),
            kind: MailboxKind::Personal,
            person: Some(NationalId::parse("810003090833").unwrap()),
            structure: Some(StructureRef::Finess(Finess::parse("750048886").unwrap())),
            service: None,
            family_name: Some("Martin".into()),
            given_name: Some("Alice".into()),
            profession: Some(Coded::new("10", "Médecin")),
            specialty: Some(Coded::new("SM04", "Cardiologie et maladies vasculaires")),
            organisation_name: Some("Hôpital de démonstration".into()),
            postal_code: Some("75013".into()),
            commune: Some("PARIS".into()),
            liste_rouge: false,
        }
    }

    /// The cardiology secretariat's organisational mailbox.
    pub(crate) fn secretariat_mailbox() -> MailboxEntry {
        MailboxEntry {
            address: MailAddress::parse("secretariat.cardiologie@caduceus.test").unwrap(),
            kind: MailboxKind::Organisational,
            person: None,
            service: Some("Cardiologie".into()),
            family_name: None,
            given_name: None,
            profession: None,
            specialty: None,
            ..alice_mailbox()
        }
    }

    #[test]
    fn id4_entry_from_a_personal_mailbox() {
        let entry = DirectoryEntry::from_mailbox(&alice_mailbox()).unwrap();
        assert_eq!(entry.display_name(), "Alice Martin");
        assert_eq!(entry.kind(), MailboxKind::Personal);
        assert_eq!(entry.address().as_str(), "alice.martin@caduceus.test");
        assert_eq!(entry.family_name(), Some("Martin"));
        assert_eq!(entry.given_name(), Some("Alice"));
        assert_eq!(entry.profession().unwrap().label, "Médecin");
        assert_eq!(entry.specialty().unwrap().code, "SM04");
        assert_eq!(entry.site_name(), Some("Hôpital de démonstration"));
        assert_eq!(entry.postal_code(), Some("75013"));
        assert_eq!(entry.commune(), Some("PARIS"));
        assert_eq!(entry.national_id().unwrap().to_string(), "810003090833");
        assert_eq!(
            entry
                .structure()
                .and_then(StructureRef::national_form)
                .as_deref(),
            Some("1750048886")
        );
        assert_eq!(entry.phone(), None);
        assert!(!entry.liste_rouge());
        assert_eq!(entry.service(), None);
        let parts = entry.clone().into_parts();
        assert_eq!(&parts, entry.parts());
        assert_eq!(DirectoryEntry::new(parts).unwrap(), entry);
    }

    #[test]
    fn id4_entry_from_an_organisational_mailbox() {
        let entry = DirectoryEntry::from_mailbox(&secretariat_mailbox()).unwrap();
        assert_eq!(
            entry.display_name(),
            "Cardiologie, Hôpital de démonstration"
        );
        assert_eq!(entry.national_id(), None);
        let bare = MailboxEntry {
            service: None,
            organisation_name: None,
            ..secretariat_mailbox()
        };
        assert_eq!(
            DirectoryEntry::from_mailbox(&bare).unwrap().display_name(),
            "secretariat.cardiologie@caduceus.test"
        );
    }

    #[test]
    fn id4_patients_are_never_directory_entries() {
        let patient = MailboxEntry {
            address: MailAddress::parse("295109912611193@patient.caduceus.test").unwrap(),
            ..alice_mailbox()
        };
        let err = DirectoryEntry::from_mailbox(&patient).unwrap_err();
        assert_eq!(err, EntryError::PatientAddress);
        assert_eq!(
            err.to_string(),
            "a patient's mailbox is never a directory entry"
        );
    }

    #[test]
    fn id6_phone_is_shown_only_with_consent() {
        let phone = GatedPhone::new("0142160000");
        let entry = DirectoryEntry::from_mailbox(&alice_mailbox()).unwrap();
        let without = entry.clone().with_phone(&phone, Consent::NotGiven);
        assert_eq!(without.phone(), None);
        let with = entry.with_phone(&phone, Consent::Given);
        assert_eq!(with.phone(), Some("0142160000"));
        // Withdrawing consent removes it again.
        assert_eq!(with.with_phone(&phone, Consent::NotGiven).phone(), None);
    }

    #[test]
    fn id4_liste_rouge_hides_from_search_not_from_the_directory() {
        let hidden = MailboxEntry {
            liste_rouge: true,
            ..alice_mailbox()
        };
        let entry = DirectoryEntry::from_mailbox(&hidden).unwrap();
        assert!(!visible_in_search(&entry));
        // Still an entry, with its address, so delivery finds it.
        assert_eq!(entry.address().as_str(), "alice.martin@caduceus.test");
        let shown = DirectoryEntry::from_mailbox(&alice_mailbox()).unwrap();
        assert!(visible_in_search(&shown));
    }
}
