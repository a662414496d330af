//! National identifiers in their prefixed form, as the account keeps them
//! (ID-1).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Adeli, Finess, IdentError, Rpps, Siret};

/// The registry an identifier comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    /// RPPS, the shared directory of health professionals.
    Rpps,
    /// ADELI, the older directory of health professionals.
    Adeli,
    /// FINESS, the file of health and social structures.
    Finess,
    /// SIRENE, through the SIRET of an establishment.
    Siret,
    /// The local registry of a structure.
    Local,
}

impl Registry {
    /// Every registry, in a stable order.
    pub const ALL: [Registry; 5] = [
        Registry::Rpps,
        Registry::Adeli,
        Registry::Finess,
        Registry::Siret,
        Registry::Local,
    ];

    /// A stable lower-case name: `rpps`, `adeli`, `finess`, `siret`, `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rpps => "rpps",
            Self::Adeli => "adeli",
            Self::Finess => "finess",
            Self::Siret => "siret",
            Self::Local => "local",
        }
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identifier in the local registry of a structure: 1 to 32 characters
/// among ASCII letters, digits, `.`, `_` and `-`. Case is kept and
/// significant.
///
/// ```
/// use caduceus_core::LocalId;
/// assert_eq!(LocalId::parse("INF0042")?.as_str(), "INF0042");
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalId(String);

impl LocalId {
    /// The most characters a local identifier may have.
    pub const MAX_LEN: usize = 32;

    /// Parses a local identifier.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        const WHAT: &str = "local identifier";
        let got = s.chars().count();
        if !(1..=Self::MAX_LEN).contains(&got) {
            return Err(IdentError::Length {
                what: WHAT,
                expected: "1 to 32 characters",
                got,
            });
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if let Some((i, ch)) = s.chars().enumerate().find(|&(_, c)| !allowed(c)) {
            return Err(IdentError::Character {
                what: WHAT,
                ch,
                position: i + 1,
                expected: "a letter, a digit, '.', '_' or '-'",
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The identifier as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

public_identifier!(LocalId);

/// A structure, identified by FINESS or by SIRET, in prefixed form
/// (`1` + FINESS or `3` + SIRET).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum StructureId {
    /// A structure of the FINESS file.
    Finess(Finess),
    /// An establishment of the SIRENE directory.
    Siret(Siret),
}

impl StructureId {
    /// Parses the prefixed form: `1` + FINESS or `3` + SIRET.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let (prefix, rest) = split_prefix("structure identifier", s)?;
        match prefix {
            '1' => Finess::parse(rest).map(Self::Finess),
            '3' => Siret::parse(rest).map(Self::Siret),
            _ => Err(IdentError::NotAStructure { prefix }),
        }
    }

    /// The registry the structure is identified in.
    pub fn registry(&self) -> Registry {
        match self {
            Self::Finess(_) => Registry::Finess,
            Self::Siret(_) => Registry::Siret,
        }
    }

    /// The prefixed form, e.g. `1750048886`.
    pub fn as_string(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for StructureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Finess(finess) => write!(f, "1{finess}"),
            Self::Siret(siret) => write!(f, "3{siret}"),
        }
    }
}

impl From<StructureId> for String {
    fn from(value: StructureId) -> String {
        value.as_string()
    }
}

parse_conversions!(StructureId, IdentError);

/// The identifier an account keeps (ID-1): a person in the RPPS or ADELI,
/// a structure in FINESS or SIRENE, or a person in the local registry of a
/// structure.
///
/// It parses from and prints as the prefixed form used by the national
/// directory of health professionals and by CPS-like certificates: one
/// character naming the registry, then the number in that registry.
///
/// | prefix | registry | example |
/// |---|---|---|
/// | `8` | RPPS | `810003090833` |
/// | `0` | ADELI | `0012800736` |
/// | `1` | FINESS | `1750048886` |
/// | `3` | SIRET | `373282932000074` |
/// | structure `/` local | local registry | `1750048886/INF0042` |
///
/// Staff of a structure who have neither RPPS nor ADELI are known to the
/// local registry of that structure: their identifier is the structure's
/// prefixed FINESS or SIRET, a `/`, and their [`LocalId`].
///
/// ```
/// use caduceus_core::{NationalId, Registry};
/// let id = NationalId::parse("1750048886/INF0042")?;
/// assert_eq!(id.registry(), Registry::Local);
/// assert!(id.is_person());
/// assert_eq!(id.to_string(), "1750048886/INF0042");
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum NationalId {
    /// A health professional in the RPPS (`8` + 11 digits).
    Rpps(Rpps),
    /// A health professional in ADELI (`0` + 9 digits).
    Adeli(Adeli),
    /// A structure in FINESS (`1` + 9 characters).
    Finess(Finess),
    /// An establishment in SIRENE (`3` + 14 digits).
    Siret(Siret),
    /// A person known to the local registry of a structure
    /// (structure form + `/` + local identifier).
    Local {
        /// The structure whose registry knows the person.
        structure: StructureId,
        /// The person's identifier in that registry.
        local: LocalId,
    },
}

impl NationalId {
    /// Parses the prefixed form; the error names an unknown prefix.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        if let Some((structure, local)) = s.split_once('/') {
            return Ok(Self::Local {
                structure: StructureId::parse(structure)?,
                local: LocalId::parse(local)?,
            });
        }
        let (prefix, rest) = split_prefix("national identifier", s)?;
        match prefix {
            '8' => Rpps::parse(rest).map(Self::Rpps),
            '0' => Adeli::parse(rest).map(Self::Adeli),
            '1' => Finess::parse(rest).map(Self::Finess),
            '3' => Siret::parse(rest).map(Self::Siret),
            _ => Err(IdentError::UnknownPrefix { prefix }),
        }
    }

    /// The registry the identifier comes from.
    pub fn registry(&self) -> Registry {
        match self {
            Self::Rpps(_) => Registry::Rpps,
            Self::Adeli(_) => Registry::Adeli,
            Self::Finess(_) => Registry::Finess,
            Self::Siret(_) => Registry::Siret,
            Self::Local { .. } => Registry::Local,
        }
    }

    /// Whether the identifier names a person (RPPS, ADELI, local registry)
    /// rather than a structure (FINESS, SIRET).
    pub fn is_person(&self) -> bool {
        matches!(self, Self::Rpps(_) | Self::Adeli(_) | Self::Local { .. })
    }

    /// The prefixed form, e.g. `810003090833`.
    pub fn as_string(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for NationalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rpps(rpps) => write!(f, "8{rpps}"),
            Self::Adeli(adeli) => write!(f, "0{adeli}"),
            Self::Finess(finess) => write!(f, "1{finess}"),
            Self::Siret(siret) => write!(f, "3{siret}"),
            Self::Local { structure, local } => write!(f, "{structure}/{local}"),
        }
    }
}

impl From<NationalId> for String {
    fn from(value: NationalId) -> String {
        value.as_string()
    }
}

parse_conversions!(NationalId, IdentError);

/// Splits off the first character; `what` names the identifier when `s` is
/// empty.
fn split_prefix<'a>(what: &'static str, s: &'a str) -> Result<(char, &'a str), IdentError> {
    let mut chars = s.chars();
    let prefix = chars.next().ok_or(IdentError::Empty { what })?;
    Ok((prefix, chars.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::testing::{digits, with_luhn};
    use proptest::prelude::*;

    fn finess() -> Finess {
        Finess::parse("750048886").unwrap()
    }

    fn siret() -> Siret {
        Siret::parse("73282932000074").unwrap()
    }

    #[test]
    fn id1_each_national_prefix_parses_to_its_registry() {
        let cases = [
            (
                "810003090833",
                NationalId::Rpps(Rpps::parse("10003090833").unwrap()),
                Registry::Rpps,
                true,
            ),
            (
                "0012800736",
                NationalId::Adeli(Adeli::parse("012800736").unwrap()),
                Registry::Adeli,
                true,
            ),
            (
                "1750048886",
                NationalId::Finess(finess()),
                Registry::Finess,
                false,
            ),
            (
                "373282932000074",
                NationalId::Siret(siret()),
                Registry::Siret,
                false,
            ),
            (
                "1750048886/INF0042",
                NationalId::Local {
                    structure: StructureId::Finess(finess()),
                    local: LocalId::parse("INF0042").unwrap(),
                },
                Registry::Local,
                true,
            ),
            (
                "373282932000074/abc-12",
                NationalId::Local {
                    structure: StructureId::Siret(siret()),
                    local: LocalId::parse("abc-12").unwrap(),
                },
                Registry::Local,
                true,
            ),
        ];
        for (input, expected, registry, person) in cases {
            let id = NationalId::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(id, expected, "{input}");
            assert_eq!(id.registry(), registry, "{input}");
            assert_eq!(id.is_person(), person, "{input}");
            assert_eq!(id.to_string(), input);
            assert_eq!(id.as_string(), input);
        }
    }

    #[test]
    fn id1_malformed_national_ids_are_refused_with_the_reason() {
        let cases = [
            ("", "national identifier is empty"),
            (
                "510003090833",
                "unknown national identifier prefix '5' (expected 8 RPPS, 0 ADELI, 1 FINESS or 3 SIRET)",
            ),
            (
                "R10003090833",
                "unknown national identifier prefix 'R' (expected 8 RPPS, 0 ADELI, 1 FINESS or 3 SIRET)",
            ),
            ("8", "RPPS must be 11 digits, got 0"),
            ("81000309083", "RPPS must be 11 digits, got 10"),
            ("810003090834", "Luhn check failed for RPPS 10003090834"),
            ("0012800737", "Luhn check failed for ADELI 012800737"),
            ("1750048887", "Luhn check failed for FINESS 750048887"),
            (
                "373282932000075",
                "Luhn check failed for SIRET 73282932000075",
            ),
            (
                "810003090833/INF0042",
                "expected a structure identifier (prefix 1 FINESS or 3 SIRET), got prefix '8'",
            ),
            ("/INF0042", "structure identifier is empty"),
            (
                "1750048886/",
                "local identifier must be 1 to 32 characters, got 0",
            ),
            (
                "1750048886/abcdefghijklmnopqrstuvwxyz0123456",
                "local identifier must be 1 to 32 characters, got 33",
            ),
            (
                "1750048886/INF 42",
                "character ' ' at position 4 of local identifier is not a letter, a digit, '.', '_' or '-'",
            ),
            (
                "1750048886/a/b",
                "character '/' at position 2 of local identifier is not a letter, a digit, '.', '_' or '-'",
            ),
            (
                "1750048886/é",
                "character 'é' at position 1 of local identifier is not a letter, a digit, '.', '_' or '-'",
            ),
        ];
        for (input, message) in cases {
            let err = NationalId::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn structure_ids_parse_alone() {
        let id = StructureId::parse("373282932000074").unwrap();
        assert_eq!(id, StructureId::Siret(siret()));
        assert_eq!(id.registry(), Registry::Siret);
        assert_eq!(id.as_string(), "373282932000074");
        assert_eq!(
            StructureId::parse("1750048886").unwrap().registry(),
            Registry::Finess
        );
        assert_eq!(
            StructureId::parse("0012800736").unwrap_err(),
            IdentError::NotAStructure { prefix: '0' }
        );
    }

    #[test]
    fn registry_names_are_stable() {
        let names = [
            (Registry::Rpps, "rpps"),
            (Registry::Adeli, "adeli"),
            (Registry::Finess, "finess"),
            (Registry::Siret, "siret"),
            (Registry::Local, "local"),
        ];
        for (registry, name) in names {
            assert_eq!(registry.as_str(), name);
            assert_eq!(registry.to_string(), name);
            let json = serde_json::to_string(&registry).unwrap();
            assert_eq!(json, format!("\"{name}\""));
            assert_eq!(serde_json::from_str::<Registry>(&json).unwrap(), registry);
        }
    }

    #[test]
    fn serde_uses_the_prefixed_form_and_validates() {
        let id = NationalId::parse("1750048886/INF0042").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"1750048886/INF0042\"");
        assert_eq!(serde_json::from_str::<NationalId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<NationalId>("\"510003090833\"").is_err());
        let structure = StructureId::Finess(finess());
        let json = serde_json::to_string(&structure).unwrap();
        assert_eq!(
            serde_json::from_str::<StructureId>(&json).unwrap(),
            structure
        );
        let local = LocalId::parse("a.b_c-d").unwrap();
        let json = serde_json::to_string(&local).unwrap();
        assert_eq!(serde_json::from_str::<LocalId>(&json).unwrap(), local);
        assert!(serde_json::from_str::<LocalId>("\"a b\"").is_err());
    }

    #[test]
    fn conversions_parse() {
        let id: NationalId = "810003090833".parse().unwrap();
        assert_eq!(NationalId::try_from("810003090833").unwrap(), id);
        assert_eq!(
            NationalId::try_from(String::from("810003090833")).unwrap(),
            id
        );
        assert_eq!(String::from(id), "810003090833");
        let structure: StructureId = "1750048886".parse().unwrap();
        assert_eq!(StructureId::try_from("1750048886").unwrap(), structure);
        assert_eq!(String::from(structure), "1750048886");
    }

    fn structure() -> impl Strategy<Value = StructureId> {
        prop_oneof![
            digits(8).prop_map(|p| StructureId::Finess(Finess::parse(&with_luhn(&p)).unwrap())),
            (digits(8), digits(4)).prop_map(|(siren, nic)| {
                let number = with_luhn(&format!("{}{nic}", with_luhn(&siren)));
                StructureId::Siret(Siret::parse(&number).unwrap())
            }),
        ]
    }

    fn national_id() -> impl Strategy<Value = NationalId> {
        prop_oneof![
            digits(10).prop_map(|p| NationalId::Rpps(Rpps::parse(&with_luhn(&p)).unwrap())),
            digits(8).prop_map(|p| NationalId::Adeli(Adeli::parse(&with_luhn(&p)).unwrap())),
            structure().prop_map(|s| match s {
                StructureId::Finess(f) => NationalId::Finess(f),
                StructureId::Siret(s) => NationalId::Siret(s),
            }),
            (structure(), "[A-Za-z0-9._-]{1,32}").prop_map(|(structure, local)| {
                NationalId::Local {
                    structure,
                    local: LocalId::parse(&local).unwrap(),
                }
            }),
        ]
    }

    proptest! {
        #[test]
        fn id1_national_ids_round_trip_through_their_prefixed_form(id in national_id()) {
            let text = id.to_string();
            prop_assert_eq!(NationalId::parse(&text).unwrap(), id.clone());
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<NationalId>(&json).unwrap(), id);
        }

        #[test]
        fn id1_national_ids_with_one_digit_changed_are_refused(
            id in national_id(),
            index in any::<prop::sample::Index>(),
            delta in 1u8..10,
        ) {
            let text = id.to_string();
            // Change a digit of the registry number, after the prefix and
            // before any local part.
            let number_len = text.find('/').unwrap_or(text.len());
            let i = 1 + index.index(number_len - 1);
            let changed = crate::ident::testing::change_digit(&text, i, delta).unwrap();
            prop_assert!(NationalId::parse(&changed).is_err(), "{} -> {}", text, changed);
        }
    }
}
