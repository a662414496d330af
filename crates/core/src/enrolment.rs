//! A professional's own registration (ID-1, ID-2; seed 004 §7.1): who presents a CPS
//! card or a Pro Santé Connect identity is matched against the national register
//! extract (RPPS/ADELI, `PS_LibreAcces_Personne_activite`) before any account exists.
//!
//! Seed 004 §7.1: « l'utilisateur peut créer lui-même son compte […] après contrôle de
//! l'identité et de la qualité de professionnel […] à partir des données lues dans sa
//! carte CPS […] SI RPPS ». We read it as: the identifier the card (or e-CPS) proves
//! must be in the register with an activity (the quality of professional), under the
//! same names (the identity); then only the out-of-band address stays to be confirmed.
//! Anything else goes to a registration authority with what was presented.

use std::fmt;

use crate::NationalId;
use crate::directory::fold;

/// How the applicant proved the national identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proof {
    /// A CPS (or CPS-like) card's certificate, checked by TLS against the anchors.
    Card,
    /// An e-CPS through Pro Santé Connect (OpenID Connect, with the configured `acr`).
    ProSanteConnect,
}

impl Proof {
    /// Every proof, in a stable order.
    pub const ALL: [Proof; 2] = [Proof::Card, Proof::ProSanteConnect];

    /// The stable name stored and traced.
    pub fn as_str(self) -> &'static str {
        match self {
            Proof::Card => "card",
            Proof::ProSanteConnect => "pro_sante_connect",
        }
    }

    /// The proof named `name` ([`Proof::as_str`]).
    pub fn parse(name: &str) -> Option<Proof> {
        Proof::ALL.into_iter().find(|p| p.as_str() == name)
    }
}

impl fmt::Display for Proof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who presents themselves, as their card or e-CPS says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applicant {
    /// The national identifier proved (`8` + RPPS or `0` + ADELI).
    pub national_id: NationalId,
    /// The family name the card or the provider gave, if any.
    pub family_name: Option<String>,
    /// The given name the card or the provider gave, if any.
    pub given_name: Option<String>,
    /// How it was proved.
    pub proof: Proof,
}

/// One activity of the person in the register extract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterRecord {
    /// `Nom d'exercice`.
    pub family_name: String,
    /// `Prénom d'exercice`, when given.
    pub given_name: Option<String>,
    /// `Code profession`, e.g. `10`.
    pub profession_code: String,
    /// `Libellé profession`, e.g. `Médecin`.
    pub profession_label: String,
}

/// Why an applicant is not registered at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mismatch {
    /// The identifier has no activity in the imported register (or none was imported).
    NotInRegister,
    /// The card gives no family name to compare.
    NoName,
    /// The family name differs from the register's.
    FamilyName,
    /// The given name differs from the register's.
    GivenName,
}

impl Mismatch {
    /// Every reason, in a stable order.
    pub const ALL: [Mismatch; 4] = [
        Mismatch::NotInRegister,
        Mismatch::NoName,
        Mismatch::FamilyName,
        Mismatch::GivenName,
    ];

    /// The stable name stored, traced and shown to the registration authority.
    pub fn as_str(self) -> &'static str {
        match self {
            Mismatch::NotInRegister => "not_in_register",
            Mismatch::NoName => "no_name",
            Mismatch::FamilyName => "family_name",
            Mismatch::GivenName => "given_name",
        }
    }

    /// The reason named `name` ([`Mismatch::as_str`]).
    pub fn parse(name: &str) -> Option<Mismatch> {
        Mismatch::ALL.into_iter().find(|m| m.as_str() == name)
    }
}

/// What the register says of an applicant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Identity and quality of professional confirmed by the register: the
    /// activity whose names matched.
    Matched(RegisterRecord),
    /// Not confirmed: goes to a registration authority, with the reason.
    Referred(Mismatch),
}

/// Matches `applicant` against the register's activities for their identifier
/// (`records`, all of them for that person). Names are compared folded (case,
/// accents, hyphens and spacing); a given name is compared only when both sides
/// have one.
pub fn check(applicant: &Applicant, records: &[RegisterRecord]) -> Verdict {
    if records.is_empty() {
        return Verdict::Referred(Mismatch::NotInRegister);
    }
    let Some(family) = applicant
        .family_name
        .as_deref()
        .map(same_name)
        .filter(|n| !n.is_empty())
    else {
        return Verdict::Referred(Mismatch::NoName);
    };
    let named: Vec<&RegisterRecord> = records
        .iter()
        .filter(|r| same_name(&r.family_name) == family)
        .collect();
    if named.is_empty() {
        return Verdict::Referred(Mismatch::FamilyName);
    }
    let given = applicant.given_name.as_deref().map(same_name);
    let matched =
        named.iter().find(
            |r| match (given.as_deref(), r.given_name.as_deref().map(same_name)) {
                (Some(a), Some(b)) if !a.is_empty() && !b.is_empty() => a == b,
                _ => true,
            },
        );
    match matched {
        Some(record) => Verdict::Matched((*record).clone()),
        None => Verdict::Referred(Mismatch::GivenName),
    }
}

/// A name reduced for comparison: folded, hyphens and apostrophes as spaces, spaces
/// collapsed.
fn same_name(name: &str) -> String {
    fold(&name.replace(['-', '\'', '’'], " "))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applicant(family: Option<&str>, given: Option<&str>) -> Applicant {
        Applicant {
            national_id: NationalId::parse("810003090833").unwrap(),
            family_name: family.map(str::to_owned),
            given_name: given.map(str::to_owned),
            proof: Proof::Card,
        }
    }

    fn record(family: &str, given: Option<&str>) -> RegisterRecord {
        RegisterRecord {
            family_name: family.to_owned(),
            given_name: given.map(str::to_owned),
            profession_code: "10".to_owned(),
            profession_label: "Médecin".to_owned(),
        }
    }

    #[test]
    fn id1_a_card_matching_the_register_is_matched_names_folded() {
        let records = [record("Lefèvre-Dubois", Some("Hélène"))];
        let verdict = check(&applicant(Some("LEFEVRE DUBOIS"), Some("helene")), &records);
        assert_eq!(verdict, Verdict::Matched(records[0].clone()));
        // No given name on the card: the family name decides.
        assert!(matches!(
            check(&applicant(Some("lefevre-dubois"), None), &records),
            Verdict::Matched(_)
        ));
    }

    #[test]
    fn id1_anything_else_goes_to_the_registration_authority_with_its_reason() {
        let records = [record("Martin", Some("Alice"))];
        let referred = |a: &Applicant, r: &[RegisterRecord]| match check(a, r) {
            Verdict::Referred(why) => why,
            Verdict::Matched(_) => panic!("matched"),
        };
        assert_eq!(
            referred(&applicant(Some("Martin"), Some("Alice")), &[]),
            Mismatch::NotInRegister
        );
        assert_eq!(
            referred(&applicant(None, Some("Alice")), &records),
            Mismatch::NoName
        );
        assert_eq!(
            referred(&applicant(Some("  "), None), &records),
            Mismatch::NoName
        );
        assert_eq!(
            referred(&applicant(Some("Martins"), Some("Alice")), &records),
            Mismatch::FamilyName
        );
        assert_eq!(
            referred(&applicant(Some("Martin"), Some("Alicia")), &records),
            Mismatch::GivenName
        );
    }

    #[test]
    fn id1_proof_and_reason_names_round_trip() {
        for proof in Proof::ALL {
            assert_eq!(Proof::parse(proof.as_str()), Some(proof));
        }
        for reason in Mismatch::ALL {
            assert_eq!(Mismatch::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(Proof::parse("password"), None);
    }
}
