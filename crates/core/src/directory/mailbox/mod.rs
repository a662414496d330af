//! The MSSanté mailboxes, from the extract `Extraction_Correspondance_MSSante`
//! (ID-1, ID-4, ID-6).
//!
//! One line is one mailbox (BAL, *boîte aux lettres*) of the national trust
//! space: a person's, a service's or an application's. Each line becomes a
//! [`MailboxEntry`], keeping what the directory shows of the mailbox (ID-6):
//! the address and its kind, the person and the structure it belongs to,
//! the service, names, profession, specialty, the structure's name and
//! place, and whether it is on the *liste rouge*. Civility, professional
//! category, street address, dematerialisation flag, mailbox manager and
//! update date are not kept.
//!
//! # Column names
//!
//! The published file and its documentation spell several columns
//! differently; each column below is found under any of the names listed
//! (compared [folded](super::fold()), so case and accents do not count):
//!
//! | column | also accepted |
//! |---|---|
//! | `Type d'identifiant PP` | `Type Identifiant PP` |
//! | `Type d'identifiant structure` | `Type identifiant structure` |
//! | `Ligne acheminement structure BAL` | `L6LIGNEACHEMINEMENT structure BAL`, `L6LIGNEACHEMINEMENT` |
//! | `Code postal structure BAL` | `Code postal` |
//!
//! `Liste rouge` is optional: the public extract is not known to carry it
//! (people on the *liste rouge* are believed to be left out of it
//! altogether), so an extract without the column puts nobody on the liste
//! rouge. Where the column exists, `O`, `OUI`, `1`, `TRUE` and `Y` (any
//! case) mean on the liste rouge, and an empty field, `N`, `NON`, `0` and
//! `FALSE` mean not.

use super::extract::{
    ExtractError, ExtractHeader, Fields, HeaderNames, LineError, PersonIdColumns, Shape,
};
use super::fingerprint::{Canonical, Fingerprint};
use super::values::Coded;
use crate::address::MailAddress;
use crate::ident::{Finess, NationalId, Registry, Siret};

/// The accepted names of the columns this reader uses, the documented name
/// first.
mod column {
    pub(super) const KIND: &[&str] = &["Type de BAL"];
    pub(super) const ADDRESS: &[&str] = &["Adresse BAL"];
    pub(super) const STRUCTURE_TYPE: &[&str] =
        &["Type d'identifiant structure", "Type identifiant structure"];
    pub(super) const STRUCTURE_ID: &[&str] = &["Identification Structure"];
    pub(super) const SERVICE: &[&str] = &["Service de rattachement"];
    pub(super) const FAMILY_NAME: &[&str] = &["Nom d'exercice"];
    pub(super) const GIVEN_NAME: &[&str] = &["Prénom d'exercice"];
    pub(super) const PROFESSION_CODE: &[&str] = &["Code profession"];
    pub(super) const PROFESSION_LABEL: &[&str] = &["Libellé profession"];
    pub(super) const SPECIALTY_CODE: &[&str] = &["Code savoir-faire"];
    pub(super) const SPECIALTY_LABEL: &[&str] = &["Libellé savoir-faire"];
    pub(super) const NAME: &[&str] = &["Raison sociale structure BAL"];
    pub(super) const BRAND: &[&str] = &["Enseigne commerciale structure BAL"];
    pub(super) const DELIVERY_LINE: &[&str] = &[
        "Ligne acheminement structure BAL",
        "L6LIGNEACHEMINEMENT structure BAL",
        "L6LIGNEACHEMINEMENT",
    ];
    pub(super) const POSTAL_CODE: &[&str] = &["Code postal structure BAL", "Code postal"];
    pub(super) const LISTE_ROUGE: &[&str] = &["Liste rouge"];
}

/// The kind of an MSSanté mailbox, column `Type de BAL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MailboxKind {
    /// `PER`: a person's own mailbox.
    Personal,
    /// `ORG`: the mailbox of a service or a team of a structure.
    Organisational,
    /// `APP`: the mailbox of a piece of software of a structure.
    Applicative,
}

impl MailboxKind {
    /// The extract's code: `PER`, `ORG` or `APP`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Personal => "PER",
            Self::Organisational => "ORG",
            Self::Applicative => "APP",
        }
    }

    /// Reads the extract's code, in any case.
    pub fn from_code(code: &str) -> Option<Self> {
        [Self::Personal, Self::Organisational, Self::Applicative]
            .into_iter()
            .find(|kind| kind.code().eq_ignore_ascii_case(code))
    }
}

/// The structure a mailbox belongs to, from `Type d'identifiant structure`
/// and `Identification Structure`.
///
/// Types `1` (FINESS) and `3` (SIRET) are validated (ID-1); the identifier
/// may be given bare (`750048886`) or prefixed with its type
/// (`1750048886`). Any other type (`2` SIREN, `4` rank of an RPPS practice,
/// `0` ADELI practice…) is kept as given, unchecked, in
/// [`Other`](Self::Other): those registries are not among the identifiers
/// this service validates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StructureRef {
    /// A structure of the FINESS file (type `1`).
    Finess(Finess),
    /// An establishment of the SIRENE directory (type `3`).
    Siret(Siret),
    /// Another kind of identifier, kept opaque.
    Other {
        /// The `Type d'identifiant structure` code.
        kind: String,
        /// The `Identification Structure` value, as given.
        value: String,
    },
}

impl StructureRef {
    /// The type code: `1`, `3` or the other code.
    pub fn kind_code(&self) -> &str {
        match self {
            Self::Finess(_) => "1",
            Self::Siret(_) => "3",
            Self::Other { kind, .. } => kind,
        }
    }

    /// The identifier without its type: the FINESS, the SIRET or the other
    /// value.
    pub fn value(&self) -> &str {
        match self {
            Self::Finess(finess) => finess.as_str(),
            Self::Siret(siret) => siret.as_str(),
            Self::Other { value, .. } => value,
        }
    }

    /// The prefixed national form (`1` + FINESS, `3` + SIRET), `None` for
    /// other identifiers.
    pub fn national_form(&self) -> Option<String> {
        match self {
            Self::Finess(finess) => Some(format!("1{finess}")),
            Self::Siret(siret) => Some(format!("3{siret}")),
            Self::Other { .. } => None,
        }
    }

    /// Reads the two structure columns of a line.
    fn read(fields: &Fields<'_>, kind: usize, id: usize) -> Result<Option<Self>, LineError> {
        let (type_name, id_name) = (column::STRUCTURE_TYPE[0], column::STRUCTURE_ID[0]);
        let (kind, value) = match (fields.text(kind), fields.text(id)) {
            (None, None) => return Ok(None),
            (None, Some(_)) => return Err(fields.error(format!("{type_name} is empty"))),
            (Some(_), None) => return Err(fields.error(format!("{id_name} is empty"))),
            (Some(kind), Some(value)) => (kind, value),
        };
        let invalid = |e: String| fields.error(format!("{id_name}: {e}"));
        let national = |registry: Registry, bare_len: usize| {
            let text = if value.chars().count() == bare_len {
                format!("{kind}{value}")
            } else {
                value.to_owned()
            };
            let id = NationalId::parse(&text).map_err(|e| invalid(e.to_string()))?;
            if id.registry() == registry {
                Ok(id)
            } else {
                Err(invalid(format!(
                    "{type_name} {kind} is {registry}, the identifier is {}",
                    id.registry()
                )))
            }
        };
        Ok(Some(match kind {
            "1" => match national(Registry::Finess, 9)? {
                NationalId::Finess(finess) => Self::Finess(finess),
                _ => unreachable_registry(fields, id_name)?,
            },
            "3" => match national(Registry::Siret, 14)? {
                NationalId::Siret(siret) => Self::Siret(siret),
                _ => unreachable_registry(fields, id_name)?,
            },
            other => Self::Other {
                kind: other.to_owned(),
                value: value.to_owned(),
            },
        }))
    }
}

/// The error for a registry that was just checked and cannot differ; kept
/// so that no input can panic.
fn unreachable_registry(fields: &Fields<'_>, id_name: &str) -> Result<StructureRef, LineError> {
    Err(fields.error(format!("{id_name}: unexpected registry")))
}

/// One MSSanté mailbox as the directory keeps it (ID-4, ID-6).
///
/// Built by [`MailboxHeader::parse_line`], which checks the address, the
/// identifiers (ID-1) and that the mailbox belongs to someone: a personal
/// mailbox to a person (or, for staff without a national identifier, to a
/// structure), an organisational or applicative one to a structure. A
/// patient's mailbox (`…@patient.…`) is never in the directory and is
/// refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxEntry {
    /// `Adresse BAL`, the mailbox address.
    pub address: MailAddress,
    /// `Type de BAL`.
    pub kind: MailboxKind,
    /// The person the mailbox belongs to: `8` + RPPS or `0` + ADELI.
    pub person: Option<NationalId>,
    /// The structure the mailbox belongs to.
    pub structure: Option<StructureRef>,
    /// `Service de rattachement`, e.g. `Cardiologie`.
    pub service: Option<String>,
    /// `Nom d'exercice`.
    pub family_name: Option<String>,
    /// `Prénom d'exercice`.
    pub given_name: Option<String>,
    /// `Code profession` and `Libellé profession`.
    pub profession: Option<Coded>,
    /// `Code savoir-faire` and `Libellé savoir-faire`.
    pub specialty: Option<Coded>,
    /// `Raison sociale structure BAL`, or `Enseigne commerciale structure
    /// BAL` when the former is empty.
    pub organisation_name: Option<String>,
    /// `Code postal structure BAL`, else the code that starts the delivery
    /// line.
    pub postal_code: Option<String>,
    /// The commune: `Ligne acheminement structure BAL` without its postal
    /// code and any `CEDEX` mention, e.g. `PARIS`.
    pub commune: Option<String>,
    /// Whether the mailbox is on the liste rouge: hidden from search, still
    /// delivered to (ID-4).
    pub liste_rouge: bool,
}

impl MailboxEntry {
    /// The record's key: the address.
    pub fn key(&self) -> MailAddress {
        self.address.clone()
    }

    /// The SHA-256 of everything the record keeps, in a fixed order.
    pub fn fingerprint(&self) -> Fingerprint {
        let coded = |c: &Option<Coded>| {
            (
                c.as_ref().map(|c| c.code.clone()),
                c.as_ref().map(|c| c.label.clone()),
            )
        };
        let (profession_code, profession_label) = coded(&self.profession);
        let (specialty_code, specialty_label) = coded(&self.specialty);
        Canonical::new("caduceus/directory/mailbox/v1")
            .text(self.address.as_str())
            .text(self.kind.code())
            .option(self.person.as_ref().map(NationalId::to_string).as_deref())
            .option(self.structure.as_ref().map(StructureRef::kind_code))
            .option(self.structure.as_ref().map(StructureRef::value))
            .option(self.service.as_deref())
            .option(self.family_name.as_deref())
            .option(self.given_name.as_deref())
            .option(profession_code.as_deref())
            .option(profession_label.as_deref())
            .option(specialty_code.as_deref())
            .option(specialty_label.as_deref())
            .option(self.organisation_name.as_deref())
            .option(self.postal_code.as_deref())
            .option(self.commune.as_deref())
            .flag(self.liste_rouge)
            .finish()
    }
}

/// The header of an `Extraction_Correspondance_MSSante` extract: where each
/// column this reader uses is (ID-4).
///
/// Required columns (other columns are ignored; see the [module
/// documentation](self) for the other accepted names): `Type de BAL`,
/// `Adresse BAL`, `Type d'identifiant PP`, `Identifiant PP`,
/// `Identification nationale PP`, `Type d'identifiant structure`,
/// `Identification Structure`, `Service de rattachement`, `Nom d'exercice`,
/// `Prénom d'exercice`, `Code profession`, `Libellé profession`, `Code
/// savoir-faire`, `Libellé savoir-faire`, `Raison sociale structure BAL`,
/// `Enseigne commerciale structure BAL`, `Ligne acheminement structure
/// BAL`, `Code postal structure BAL`. Optional: `Liste rouge`.
#[derive(Debug, Clone)]
pub struct MailboxHeader {
    /// How many columns the header has, and whether lines end with `|`.
    shape: Shape,
    kind: usize,
    address: usize,
    person: PersonIdColumns,
    structure_type: usize,
    structure_id: usize,
    service: usize,
    family_name: usize,
    given_name: usize,
    profession_code: usize,
    profession_label: usize,
    specialty_code: usize,
    specialty_label: usize,
    name: usize,
    brand: usize,
    delivery_line: usize,
    postal_code: usize,
    liste_rouge: Option<usize>,
}

impl MailboxHeader {
    /// Whether the header has a `Liste rouge` column.
    pub fn has_liste_rouge(&self) -> bool {
        self.liste_rouge.is_some()
    }
}

impl ExtractHeader for MailboxHeader {
    type Record = MailboxEntry;

    fn parse(first_line: &str) -> Result<Self, ExtractError> {
        let names = HeaderNames::parse(first_line)?;
        Ok(Self {
            shape: names.shape(),
            kind: names.require(column::KIND)?,
            address: names.require(column::ADDRESS)?,
            person: PersonIdColumns::find(&names)?,
            structure_type: names.require(column::STRUCTURE_TYPE)?,
            structure_id: names.require(column::STRUCTURE_ID)?,
            service: names.require(column::SERVICE)?,
            family_name: names.require(column::FAMILY_NAME)?,
            given_name: names.require(column::GIVEN_NAME)?,
            profession_code: names.require(column::PROFESSION_CODE)?,
            profession_label: names.require(column::PROFESSION_LABEL)?,
            specialty_code: names.require(column::SPECIALTY_CODE)?,
            specialty_label: names.require(column::SPECIALTY_LABEL)?,
            name: names.require(column::NAME)?,
            brand: names.require(column::BRAND)?,
            delivery_line: names.require(column::DELIVERY_LINE)?,
            postal_code: names.require(column::POSTAL_CODE)?,
            liste_rouge: names.optional(column::LISTE_ROUGE)?,
        })
    }

    fn parse_line(&self, line: usize, text: &str) -> Result<MailboxEntry, LineError> {
        let f = Fields::split(line, text, self.shape)?;
        let kind_text = f.required(self.kind, column::KIND[0])?;
        let kind = MailboxKind::from_code(kind_text).ok_or_else(|| {
            f.error(format!(
                "{}: {kind_text:?} is not PER, ORG or APP",
                column::KIND[0]
            ))
        })?;
        let address_name = column::ADDRESS[0];
        let address = MailAddress::parse(f.required(self.address, address_name)?)
            .map_err(|e| f.error(format!("{address_name}: {e}")))?;
        if address.domain().as_str().starts_with("patient.") {
            return Err(f.error(format!(
                "{address_name}: a patient's mailbox is never a directory entry"
            )));
        }
        let person = self.person.read(&f)?;
        let structure = StructureRef::read(&f, self.structure_type, self.structure_id)?;
        match (kind, &person, &structure) {
            (MailboxKind::Personal, None, None) => {
                return Err(f.error(
                    "a PER mailbox needs Identification nationale PP or Identification Structure",
                ));
            }
            (MailboxKind::Organisational | MailboxKind::Applicative, _, None) => {
                return Err(f.error(format!(
                    "an {} mailbox needs Identification Structure",
                    kind.code()
                )));
            }
            _ => {}
        }
        let (postal_code, commune) =
            delivery_place(f.get(self.postal_code), f.get(self.delivery_line));
        Ok(MailboxEntry {
            address,
            kind,
            person,
            structure,
            service: f.owned(self.service),
            family_name: f.owned(self.family_name),
            given_name: f.owned(self.given_name),
            profession: Coded::from_fields(
                f.get(self.profession_code),
                f.get(self.profession_label),
            ),
            specialty: Coded::from_fields(f.get(self.specialty_code), f.get(self.specialty_label)),
            organisation_name: f.owned(self.name).or_else(|| f.owned(self.brand)),
            postal_code,
            commune,
            liste_rouge: liste_rouge(&f, self.liste_rouge)?,
        })
    }

    fn width(&self) -> usize {
        self.shape.width
    }
}

/// Reads the `Liste rouge` field; an absent column is `false`.
fn liste_rouge(fields: &Fields<'_>, position: Option<usize>) -> Result<bool, LineError> {
    let value = fields.get(position);
    match value.to_ascii_uppercase().as_str() {
        "" | "N" | "NON" | "0" | "FALSE" => Ok(false),
        "O" | "OUI" | "1" | "TRUE" | "Y" => Ok(true),
        _ => Err(fields.error(format!(
            "{}: {value:?} is neither O (oui) nor N (non)",
            column::LISTE_ROUGE[0]
        ))),
    }
}

/// The postal code and commune from the postal-code field and the delivery
/// line (`75013 PARIS`, `69441 LYON CEDEX 03`).
fn delivery_place(postal_code: &str, delivery_line: &str) -> (Option<String>, Option<String>) {
    let (leading_code, rest) = match delivery_line.split_once(char::is_whitespace) {
        Some((code, rest)) if code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit()) => {
            (code, rest.trim())
        }
        _ => ("", delivery_line),
    };
    let commune = match rest.to_ascii_uppercase().find(" CEDEX") {
        Some(i) if rest.is_char_boundary(i) => rest[..i].trim(),
        _ if rest.eq_ignore_ascii_case("CEDEX") => "",
        _ => rest,
    };
    let postal_code = if postal_code.is_empty() {
        leading_code
    } else {
        postal_code
    };
    let owned = |s: &str| Some(s.to_owned()).filter(|s| !s.is_empty());
    (owned(postal_code), owned(commune))
}

#[cfg(test)]
mod tests;
