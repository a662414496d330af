//! The people and their practice sites, from the extract
//! `PS_LibreAcces_Personne_activite` (ID-1, ID-4, ID-6).
//!
//! One line of that extract is one activity of one health professional at
//! one practice site; a person working at three sites has three lines. Each
//! line becomes a [`PersonActivity`], which keeps only what the directory
//! shows (ID-6): the identifier, the names, the profession and specialty,
//! the site's identifiers, name and place, its phone (consent-gated) and
//! the registration authority. Civility, professional category, mode of
//! practice, department, e-mail and the rest of the extract are not kept.

use std::fmt;
use std::str::FromStr;

use super::extract::{
    ExtractError, ExtractHeader, Fields, HeaderNames, LineError, PersonIdColumns, Shape,
};
use super::fingerprint::{Canonical, Fingerprint};
use super::values::{Coded, GatedPhone};
use crate::ident::{Finess, IdentError, NationalId, Siret};

/// The accepted names of the columns this reader uses, the documented name
/// first.
mod column {
    pub(super) const FAMILY_NAME: &[&str] = &["Nom d'exercice"];
    pub(super) const GIVEN_NAME: &[&str] = &["Prénom d'exercice"];
    pub(super) const PROFESSION_CODE: &[&str] = &["Code profession"];
    pub(super) const PROFESSION_LABEL: &[&str] = &["Libellé profession"];
    pub(super) const SPECIALTY_CODE: &[&str] = &["Code savoir-faire"];
    pub(super) const SPECIALTY_LABEL: &[&str] = &["Libellé savoir-faire"];
    pub(super) const SITE_SIRET: &[&str] = &["Numéro SIRET site"];
    pub(super) const SITE_FINESS: &[&str] = &["Numéro FINESS site"];
    pub(super) const SITE_TECHNICAL_ID: &[&str] = &["Identifiant technique de la structure"];
    pub(super) const SITE_NAME: &[&str] = &["Raison sociale site"];
    pub(super) const SITE_BRAND: &[&str] = &["Enseigne commerciale site"];
    pub(super) const STREET_NUMBER: &[&str] = &["Numéro Voie (coord. structure)"];
    pub(super) const STREET_REPEAT: &[&str] = &["Indice répétition voie (coord. structure)"];
    pub(super) const STREET_TYPE_CODE: &[&str] = &["Code type de voie (coord. structure)"];
    pub(super) const STREET_TYPE_LABEL: &[&str] = &["Libellé type de voie (coord. structure)"];
    pub(super) const STREET_NAME: &[&str] = &["Libellé Voie (coord. structure)"];
    pub(super) const POSTAL_CODE: &[&str] = &["Code postal (coord. structure)"];
    pub(super) const COMMUNE: &[&str] = &["Libellé commune (coord. structure)"];
    pub(super) const PHONE: &[&str] = &["Téléphone (coord. structure)"];
    pub(super) const AUTHORITY: &[&str] = &["Autorité d'enregistrement"];
}

/// One activity of a health professional at one practice site, as the
/// directory keeps it (ID-4, ID-6).
///
/// Built by [`PersonActivityHeader::parse_line`], which validates the
/// identifiers (ID-1); the fields are public so the store can rebuild it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonActivity {
    /// The person's national identifier: `8` + RPPS or `0` + ADELI.
    pub national_id: NationalId,
    /// `Nom d'exercice`, the name the person practises under.
    pub family_name: String,
    /// `Prénom d'exercice`, when given.
    pub given_name: Option<String>,
    /// `Code profession` and `Libellé profession`, e.g. `10` `Médecin`.
    pub profession: Coded,
    /// `Code savoir-faire` and `Libellé savoir-faire` (the specialty), e.g.
    /// `SM26` `Qualifié en Médecine Générale`, when given.
    pub specialty: Option<Coded>,
    /// Where the activity takes place.
    pub site: PracticeSite,
    /// `Téléphone (coord. structure)`: carried, shown only with the
    /// person's consent (ID-6).
    pub phone: Option<GatedPhone>,
    /// `Autorité d'enregistrement`, e.g. `CNOM/CNOM/CNOM`.
    pub registration_authority: Option<String>,
}

/// The practice site of an activity. Every field may be empty in the
/// extract (a person without a current activity has no site).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PracticeSite {
    /// `Identifiant technique de la structure`, the registry's own key for
    /// the site (e.g. `R10000000123456`), unique even where the site has
    /// neither SIRET nor FINESS.
    pub technical_id: Option<String>,
    /// `Numéro SIRET site`, validated (ID-1).
    pub siret: Option<Siret>,
    /// `Numéro FINESS site`, validated (ID-1).
    pub finess: Option<Finess>,
    /// `Raison sociale site`, or `Enseigne commerciale site` when the
    /// former is empty.
    pub name: Option<String>,
    /// One display line built from the street columns, e.g.
    /// `47 bis boulevard de l'Hôpital`.
    pub address_line: Option<String>,
    /// `Code postal (coord. structure)`.
    pub postal_code: Option<String>,
    /// `Libellé commune (coord. structure)`.
    pub commune: Option<String>,
}

impl PracticeSite {
    /// The site's part of a record key: its technical identifier, else `3`
    /// + SIRET, else `1` + FINESS, else empty (no site).
    pub fn key(&self) -> String {
        if let Some(id) = &self.technical_id {
            id.clone()
        } else if let Some(siret) = &self.siret {
            format!("3{siret}")
        } else if let Some(finess) = &self.finess {
            format!("1{finess}")
        } else {
            String::new()
        }
    }
}

/// What identifies an activity from one extract to the next: the person's
/// national identifier and the site's key ([`PracticeSite::key`]).
///
/// It prints as `<national id>|<site key>` (the extracts never hold a `|`
/// inside a field) and parses back from that form, so the store may keep it
/// as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonActivityKey {
    /// The person.
    pub national_id: NationalId,
    /// The site's key, empty when the activity has no site.
    pub site: String,
}

impl fmt::Display for PersonActivityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}", self.national_id, self.site)
    }
}

impl FromStr for PersonActivityKey {
    type Err = IdentError;

    /// Parses `<national id>|<site key>`; a text without `|` is a national
    /// identifier with no site.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, site) = s.split_once('|').unwrap_or((s, ""));
        Ok(Self {
            national_id: NationalId::parse(id)?,
            site: site.to_owned(),
        })
    }
}

impl PersonActivity {
    /// The record's key: person and site.
    pub fn key(&self) -> PersonActivityKey {
        PersonActivityKey {
            national_id: self.national_id.clone(),
            site: self.site.key(),
        }
    }

    /// The SHA-256 of everything the record keeps, in a fixed order.
    pub fn fingerprint(&self) -> Fingerprint {
        let site = &self.site;
        Canonical::new("caduceus/directory/person-activity/v1")
            .text(&self.national_id.to_string())
            .text(&self.family_name)
            .option(self.given_name.as_deref())
            .text(&self.profession.code)
            .text(&self.profession.label)
            .option(self.specialty.as_ref().map(|s| s.code.as_str()))
            .option(self.specialty.as_ref().map(|s| s.label.as_str()))
            .option(site.technical_id.as_deref())
            .option(site.siret.as_ref().map(Siret::as_str))
            .option(site.finess.as_ref().map(Finess::as_str))
            .option(site.name.as_deref())
            .option(site.address_line.as_deref())
            .option(site.postal_code.as_deref())
            .option(site.commune.as_deref())
            .option(self.phone.as_ref().map(GatedPhone::stored_form))
            .option(self.registration_authority.as_deref())
            .finish()
    }
}

/// The header of a `PS_LibreAcces_Personne_activite` extract: where each
/// column this reader uses is (ID-4).
///
/// Required columns (all of them; other columns are ignored):
/// `Type d'identifiant PP`, `Identifiant PP`, `Identification nationale
/// PP`, `Nom d'exercice`, `Prénom d'exercice`, `Code profession`, `Libellé
/// profession`, `Code savoir-faire`, `Libellé savoir-faire`, `Numéro SIRET
/// site`, `Numéro FINESS site`, `Identifiant technique de la structure`,
/// `Raison sociale site`, `Enseigne commerciale site`, `Numéro Voie (coord.
/// structure)`, `Indice répétition voie (coord. structure)`, `Code type de
/// voie (coord. structure)`, `Libellé type de voie (coord. structure)`,
/// `Libellé Voie (coord. structure)`, `Code postal (coord. structure)`,
/// `Libellé commune (coord. structure)`, `Téléphone (coord. structure)`,
/// `Autorité d'enregistrement`.
///
/// A line is refused when its identifier columns disagree or fail their
/// check (ID-1), when `Nom d'exercice` or `Code profession` is empty, or
/// when a non-empty site SIRET or FINESS is invalid.
///
/// ```
/// use caduceus_core::directory::{ExtractHeader, PersonActivityHeader};
/// let header = PersonActivityHeader::parse(
///     "Nom d'exercice|Identifiant PP|Type d'identifiant PP|Identification nationale PP|\
///      Prénom d'exercice|Code profession|Libellé profession|Code savoir-faire|\
///      Libellé savoir-faire|Numéro SIRET site|Numéro FINESS site|\
///      Identifiant technique de la structure|Raison sociale site|Enseigne commerciale site|\
///      Numéro Voie (coord. structure)|Indice répétition voie (coord. structure)|\
///      Code type de voie (coord. structure)|Libellé type de voie (coord. structure)|\
///      Libellé Voie (coord. structure)|Code postal (coord. structure)|\
///      Libellé commune (coord. structure)|Téléphone (coord. structure)|\
///      Autorité d'enregistrement|",
/// )?;
/// let activity = header
///     .parse_line(2, "Martin|10003090833|8|810003090833|Alice|10|Médecin|||||||||||||||||")
///     .map_err(|e| e.to_string())?;
/// assert_eq!(activity.national_id.to_string(), "810003090833");
/// assert_eq!(activity.family_name, "Martin");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PersonActivityHeader {
    /// How many columns the header has, and whether lines end with `|`.
    shape: Shape,
    /// The three identifier columns.
    person: PersonIdColumns,
    family_name: usize,
    given_name: usize,
    profession_code: usize,
    profession_label: usize,
    specialty_code: usize,
    specialty_label: usize,
    site_siret: usize,
    site_finess: usize,
    site_technical_id: usize,
    site_name: usize,
    site_brand: usize,
    street_number: usize,
    street_repeat: usize,
    street_type_code: usize,
    street_type_label: usize,
    street_name: usize,
    postal_code: usize,
    commune: usize,
    phone: usize,
    authority: usize,
}

impl ExtractHeader for PersonActivityHeader {
    type Record = PersonActivity;

    fn parse(first_line: &str) -> Result<Self, ExtractError> {
        let names = HeaderNames::parse(first_line)?;
        Ok(Self {
            shape: names.shape(),
            person: PersonIdColumns::find(&names)?,
            family_name: names.require(column::FAMILY_NAME)?,
            given_name: names.require(column::GIVEN_NAME)?,
            profession_code: names.require(column::PROFESSION_CODE)?,
            profession_label: names.require(column::PROFESSION_LABEL)?,
            specialty_code: names.require(column::SPECIALTY_CODE)?,
            specialty_label: names.require(column::SPECIALTY_LABEL)?,
            site_siret: names.require(column::SITE_SIRET)?,
            site_finess: names.require(column::SITE_FINESS)?,
            site_technical_id: names.require(column::SITE_TECHNICAL_ID)?,
            site_name: names.require(column::SITE_NAME)?,
            site_brand: names.require(column::SITE_BRAND)?,
            street_number: names.require(column::STREET_NUMBER)?,
            street_repeat: names.require(column::STREET_REPEAT)?,
            street_type_code: names.require(column::STREET_TYPE_CODE)?,
            street_type_label: names.require(column::STREET_TYPE_LABEL)?,
            street_name: names.require(column::STREET_NAME)?,
            postal_code: names.require(column::POSTAL_CODE)?,
            commune: names.require(column::COMMUNE)?,
            phone: names.require(column::PHONE)?,
            authority: names.require(column::AUTHORITY)?,
        })
    }

    fn parse_line(&self, line: usize, text: &str) -> Result<PersonActivity, LineError> {
        let f = Fields::split(line, text, self.shape)?;
        let national_id = self.person.read(&f)?.ok_or_else(|| {
            f.error(format!(
                "{} is empty",
                super::extract::person_columns::TYPE[0]
            ))
        })?;
        let family_name = f.required(self.family_name, column::FAMILY_NAME[0])?;
        let profession_code = f.required(self.profession_code, column::PROFESSION_CODE[0])?;
        let site = PracticeSite {
            technical_id: f.owned(self.site_technical_id),
            siret: f
                .text(self.site_siret)
                .map(Siret::parse)
                .transpose()
                .map_err(|e| f.error(format!("{}: {e}", column::SITE_SIRET[0])))?,
            finess: f
                .text(self.site_finess)
                .map(Finess::parse)
                .transpose()
                .map_err(|e| f.error(format!("{}: {e}", column::SITE_FINESS[0])))?,
            name: f.owned(self.site_name).or_else(|| f.owned(self.site_brand)),
            address_line: street_line(
                f.get(self.street_number),
                f.get(self.street_repeat),
                f.text(self.street_type_label)
                    .unwrap_or(f.get(self.street_type_code)),
                f.get(self.street_name),
            ),
            postal_code: f.owned(self.postal_code),
            commune: f.owned(self.commune),
        };
        Ok(PersonActivity {
            national_id,
            family_name: family_name.to_owned(),
            given_name: f.owned(self.given_name),
            profession: Coded::new(profession_code, f.get(self.profession_label)),
            specialty: Coded::from_fields(f.get(self.specialty_code), f.get(self.specialty_label)),
            site,
            phone: f.text(self.phone).map(GatedPhone::new),
            registration_authority: f.owned(self.authority),
        })
    }

    fn width(&self) -> usize {
        self.shape.width
    }
}

/// One display line from the street columns: number, repetition index
/// (`B` → `bis`, `T` → `ter`, `Q` → `quater`, others as given), street type
/// and street name, separated by single spaces; `None` when all are empty.
fn street_line(number: &str, repeat: &str, kind: &str, name: &str) -> Option<String> {
    let repeat = match repeat.to_ascii_uppercase().as_str() {
        "B" => "bis",
        "T" => "ter",
        "Q" => "quater",
        _ => repeat,
    };
    let parts: Vec<&str> = [number, repeat, kind, name]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::synthetic::PERSON_ACTIVITY_COLUMNS;

    /// The documented header, as the synthetic extracts write it.
    fn header_line() -> String {
        format!("{}|", PERSON_ACTIVITY_COLUMNS.join("|"))
    }

    /// A line of the documented header with the given columns set.
    fn line(values: &[(&str, &str)]) -> String {
        let mut fields = vec![""; PERSON_ACTIVITY_COLUMNS.len()];
        for (name, value) in values {
            let i = PERSON_ACTIVITY_COLUMNS
                .iter()
                .position(|c| c == name)
                .unwrap_or_else(|| panic!("no column {name}"));
            fields[i] = value;
        }
        format!("{}|", fields.join("|"))
    }

    fn alice() -> Vec<(&'static str, &'static str)> {
        vec![
            ("Type d'identifiant PP", "8"),
            ("Identifiant PP", "10003090833"),
            ("Identification nationale PP", "810003090833"),
            ("Nom d'exercice", "Martin"),
            ("Prénom d'exercice", "Alice"),
            ("Code profession", "10"),
            ("Libellé profession", "Médecin"),
            ("Code savoir-faire", "SM04"),
            (
                "Libellé savoir-faire",
                "Cardiologie et maladies vasculaires",
            ),
            ("Numéro SIRET site", "73282932000074"),
            ("Numéro FINESS site", "750048886"),
            ("Identifiant technique de la structure", "R10000000000001"),
            ("Raison sociale site", "Hôpital de démonstration"),
            ("Enseigne commerciale site", "Enseigne"),
            ("Numéro Voie (coord. structure)", "47"),
            ("Indice répétition voie (coord. structure)", "B"),
            ("Code type de voie (coord. structure)", "BD"),
            ("Libellé type de voie (coord. structure)", "Boulevard"),
            ("Libellé Voie (coord. structure)", "de l'Hôpital"),
            ("Code postal (coord. structure)", "75013"),
            ("Libellé commune (coord. structure)", "Paris"),
            ("Téléphone (coord. structure)", "0142160000"),
            ("Autorité d'enregistrement", "CNOM/CNOM/CNOM"),
            ("Code civilité d'exercice", "DR"),
            ("Adresse e-mail (coord. structure)", "alice@example.org"),
        ]
    }

    fn with(
        base: &[(&'static str, &'static str)],
        changes: &[(&'static str, &'static str)],
    ) -> String {
        let mut values = base.to_vec();
        for change in changes {
            match values.iter_mut().find(|(name, _)| *name == change.0) {
                Some(slot) => *slot = *change,
                None => values.push(*change),
            }
        }
        line(&values)
    }

    fn parse(text: &str) -> Result<PersonActivity, String> {
        let header = PersonActivityHeader::parse(&header_line()).unwrap();
        header.parse_line(17, text).map_err(|e| e.to_string())
    }

    #[test]
    fn id4_person_activity_keeps_what_the_directory_needs() {
        let activity = parse(&line(&alice())).unwrap();
        assert_eq!(activity.national_id.to_string(), "810003090833");
        assert_eq!(activity.family_name, "Martin");
        assert_eq!(activity.given_name.as_deref(), Some("Alice"));
        assert_eq!(activity.profession, Coded::new("10", "Médecin"));
        assert_eq!(
            activity.specialty,
            Some(Coded::new("SM04", "Cardiologie et maladies vasculaires"))
        );
        let site = &activity.site;
        assert_eq!(site.technical_id.as_deref(), Some("R10000000000001"));
        assert_eq!(site.siret.as_ref().unwrap().as_str(), "73282932000074");
        assert_eq!(site.finess.as_ref().unwrap().as_str(), "750048886");
        assert_eq!(site.name.as_deref(), Some("Hôpital de démonstration"));
        assert_eq!(
            site.address_line.as_deref(),
            Some("47 bis Boulevard de l'Hôpital")
        );
        assert_eq!(site.postal_code.as_deref(), Some("75013"));
        assert_eq!(site.commune.as_deref(), Some("Paris"));
        assert_eq!(activity.phone.as_ref().unwrap().stored_form(), "0142160000");
        assert_eq!(
            activity.registration_authority.as_deref(),
            Some("CNOM/CNOM/CNOM")
        );
        assert_eq!(activity.key().to_string(), "810003090833|R10000000000001");
    }

    #[test]
    fn id6_person_activity_drops_the_other_columns() {
        let activity = parse(&line(&alice())).unwrap();
        let debug = format!("{activity:?}");
        assert!(!debug.contains("alice@example.org"), "{debug}");
        assert!(!debug.contains("DR"), "{debug}");
        assert!(!debug.contains("0142160000"), "{debug}");
    }

    #[test]
    fn id4_adeli_people_and_empty_sites_are_read() {
        let text = line(&[
            ("Type d'identifiant PP", "0"),
            ("Identifiant PP", "012800736"),
            ("Identification nationale PP", "0012800736"),
            ("Nom d'exercice", "Lefèvre"),
            ("Code profession", "60"),
            ("Libellé profession", "Infirmier"),
        ]);
        let activity = parse(&text).unwrap();
        assert_eq!(activity.national_id.to_string(), "0012800736");
        assert_eq!(activity.given_name, None);
        assert_eq!(activity.specialty, None);
        assert_eq!(activity.site, PracticeSite::default());
        assert_eq!(activity.phone, None);
        assert_eq!(activity.key().to_string(), "0012800736|");
    }

    #[test]
    fn id4_site_key_falls_back_from_technical_id_to_siret_to_finess() {
        let mut site = PracticeSite {
            technical_id: Some("R1".into()),
            siret: Some(Siret::parse("73282932000074").unwrap()),
            finess: Some(Finess::parse("750048886").unwrap()),
            ..PracticeSite::default()
        };
        assert_eq!(site.key(), "R1");
        site.technical_id = None;
        assert_eq!(site.key(), "373282932000074");
        site.siret = None;
        assert_eq!(site.key(), "1750048886");
        site.finess = None;
        assert_eq!(site.key(), "");
    }

    #[test]
    fn id4_person_activity_key_round_trips() {
        for text in [
            "810003090833|R10000000000001",
            "0012800736|",
            "810003090833|373282932000074",
        ] {
            let key: PersonActivityKey = text.parse().unwrap();
            assert_eq!(key.to_string(), text);
        }
        let key: PersonActivityKey = "810003090833".parse().unwrap();
        assert_eq!(key.site, "");
        assert!("81000309083|x".parse::<PersonActivityKey>().is_err());
    }

    #[test]
    fn id1_invalid_identifiers_are_reported_with_the_line_number() {
        let base = alice();
        let cases = [
            (
                with(
                    &base,
                    &[
                        ("Identifiant PP", "10003090834"),
                        ("Identification nationale PP", "810003090834"),
                    ],
                ),
                "line 17: Identifiant PP: Luhn check failed for RPPS 10003090834",
            ),
            (
                with(&base, &[("Type d'identifiant PP", "0")]),
                "line 17: Identifiant PP: ADELI must be 9 digits, got 11",
            ),
            (
                with(&base, &[("Identification nationale PP", "810000000009")]),
                "line 17: Identification nationale PP 810000000009 is not Type d'identifiant PP 8 followed by Identifiant PP 10003090833",
            ),
            (
                with(&base, &[("Numéro SIRET site", "73282932000075")]),
                "line 17: Numéro SIRET site: Luhn check failed for SIRET 73282932000075",
            ),
            (
                with(&base, &[("Numéro FINESS site", "75004888")]),
                "line 17: Numéro FINESS site: FINESS must be 9 characters, got 8",
            ),
            (
                with(
                    &base,
                    &[
                        ("Type d'identifiant PP", ""),
                        ("Identifiant PP", ""),
                        ("Identification nationale PP", ""),
                    ],
                ),
                "line 17: Type d'identifiant PP is empty",
            ),
            (
                with(&base, &[("Nom d'exercice", " ")]),
                "line 17: Nom d'exercice is empty",
            ),
            (
                with(&base, &[("Code profession", "")]),
                "line 17: Code profession is empty",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(&text).unwrap_err(), message);
        }
    }

    #[test]
    fn id4_columns_are_mapped_by_header_name() {
        let text = line(&alice());
        let expected = parse(&text).unwrap();
        // Reverse the column order, add unknown columns, and move every
        // field along with its column.
        let mut names: Vec<&str> = PERSON_ACTIVITY_COLUMNS.to_vec();
        let mut fields: Vec<&str> = text.strip_suffix('|').unwrap().split('|').collect();
        names.reverse();
        fields.reverse();
        names.insert(3, "Colonne inconnue");
        fields.insert(3, "valeur");
        names.push("Autre colonne");
        fields.push("x");
        let header = PersonActivityHeader::parse(&format!("{}|", names.join("|"))).unwrap();
        assert_eq!(header.width(), PERSON_ACTIVITY_COLUMNS.len() + 2);
        let shuffled = header
            .parse_line(2, &format!("{}|", fields.join("|")))
            .unwrap();
        assert_eq!(shuffled, expected);
        assert_eq!(shuffled.fingerprint(), expected.fingerprint());
    }

    #[test]
    fn id4_missing_required_column_is_named() {
        for missing in [
            "Identifiant PP",
            "Nom d'exercice",
            "Autorité d'enregistrement",
        ] {
            let names: Vec<&str> = PERSON_ACTIVITY_COLUMNS
                .iter()
                .copied()
                .filter(|c| *c != missing)
                .collect();
            let err = PersonActivityHeader::parse(&names.join("|")).unwrap_err();
            assert_eq!(err, ExtractError::MissingColumn { column: missing });
        }
    }

    #[test]
    fn id4_fingerprint_changes_with_any_kept_field() {
        let base = parse(&line(&alice())).unwrap();
        let changes: [&[(&str, &str)]; 6] = [
            &[("Prénom d'exercice", "Alicia")],
            &[("Téléphone (coord. structure)", "0142160001")],
            &[("Libellé savoir-faire", "Cardiologie")],
            &[("Libellé commune (coord. structure)", "Paris 13")],
            &[("Numéro Voie (coord. structure)", "48")],
            &[("Autorité d'enregistrement", "")],
        ];
        for change in changes {
            let other = parse(&with(&alice(), change)).unwrap();
            assert_eq!(other.key(), base.key());
            assert_ne!(other.fingerprint(), base.fingerprint(), "{change:?}");
        }
        // A column the directory does not keep changes nothing.
        let other = parse(&with(&alice(), &[("Code civilité d'exercice", "PR")])).unwrap();
        assert_eq!(other.fingerprint(), base.fingerprint());
    }

    #[test]
    fn id4_site_name_falls_back_on_the_brand() {
        let text = with(&alice(), &[("Raison sociale site", "")]);
        assert_eq!(parse(&text).unwrap().site.name.as_deref(), Some("Enseigne"));
    }

    #[test]
    fn street_line_joins_the_non_empty_parts() {
        assert_eq!(street_line("", "", "", ""), None);
        assert_eq!(
            street_line("3", "T", "Rue", "Pasteur").as_deref(),
            Some("3 ter Rue Pasteur")
        );
        assert_eq!(
            street_line("", "", "", "Lieu-dit Les Vignes").as_deref(),
            Some("Lieu-dit Les Vignes")
        );
        assert_eq!(street_line("5", "C", "", "").as_deref(), Some("5 C"));
    }
}
