//! SIREN and SIRET, the SIRENE business directory (ID-1).

use serde::{Deserialize, Serialize};

use super::{IdentError, luhn};

/// The SIREN of La Poste, whose establishments do not follow the Luhn rule.
const LA_POSTE: &str = "356000000";
/// The SIRET of the head office of La Poste, which does follow the Luhn rule.
const LA_POSTE_HEAD_OFFICE: &str = "35600000000048";

/// A SIREN number: 9 digits identifying a legal unit (company, association,
/// public body), the last one a Luhn check digit. It is public and may be
/// printed.
///
/// ```
/// use caduceus_core::Siren;
/// assert_eq!(Siren::parse("732829320")?.as_str(), "732829320");
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    /// Parses a SIREN number: exactly 9 digits passing the Luhn check.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        super::parse_luhn_number("SIREN", s, 9, "9 digits").map(Self)
    }

    /// The 9 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

public_identifier!(Siren);

/// A SIRET number: 14 digits identifying an establishment, the 9-digit
/// [`Siren`] of its legal unit followed by a 4-digit internal number and a
/// check digit. It is public and may be printed.
///
/// The check is Luhn over the 14 digits, except for the establishments of
/// La Poste (SIREN `356000000`), numbered so that the sum of the 14 digits is
/// a multiple of 5; the head office of La Poste, `35600000000048`, follows
/// the Luhn rule. The SIREN part must itself be a valid SIREN.
///
/// ```
/// use caduceus_core::Siret;
/// let siret = Siret::parse("73282932000074")?;
/// assert_eq!(siret.siren().as_str(), "732829320");
/// assert!(Siret::parse("35600000009075").is_ok()); // La Poste: 3+5+6+9+7+5 = 35
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    /// Parses a SIRET number: exactly 14 digits, a valid SIREN first, and the
    /// check described on the type.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        super::check_digits("SIRET", s, 14, "14 digits")?;
        Siren::parse(&s[..9])?;
        if s.starts_with(LA_POSTE) && s != LA_POSTE_HEAD_OFFICE {
            let sum: u32 = s.chars().filter_map(|c| c.to_digit(10)).sum();
            if !sum.is_multiple_of(5) {
                return Err(IdentError::LaPosteSum {
                    value: s.to_owned(),
                    sum,
                });
            }
        } else if !luhn::is_valid(s) {
            return Err(IdentError::Luhn {
                what: "SIRET",
                value: s.to_owned(),
            });
        }
        Ok(Self(s.to_owned()))
    }

    /// The 14 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SIREN of the legal unit the establishment belongs to: the first 9
    /// digits.
    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }
}

public_identifier!(Siret);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::testing::{change_digit, digits, with_luhn};
    use proptest::prelude::*;

    #[test]
    fn id1_valid_siren_is_accepted() {
        let siren = Siren::parse("732829320").unwrap();
        assert_eq!(siren.to_string(), "732829320");
        assert_eq!("732829320".parse::<Siren>().unwrap(), siren);
    }

    #[test]
    fn id1_malformed_siren_are_refused_with_the_reason() {
        let cases = [
            ("73282932", "SIREN must be 9 digits, got 8"),
            ("732 829 320", "SIREN must be 9 digits, got 11"),
            (
                "73282932O",
                "character 'O' at position 9 of SIREN is not a digit",
            ),
            ("732829321", "Luhn check failed for SIREN 732829321"),
        ];
        for (input, message) in cases {
            let err = Siren::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn id1_valid_siret_is_accepted() {
        let siret = Siret::parse("73282932000074").unwrap();
        assert_eq!(siret.to_string(), "73282932000074");
        assert_eq!(siret.siren(), Siren::parse("732829320").unwrap());
    }

    #[test]
    fn id1_la_poste_siret_uses_the_digit_sum() {
        // Sums 35 and 45: multiples of 5, although neither passes Luhn.
        for input in ["35600000009075", "35600000049837"] {
            assert!(!luhn::is_valid(input), "{input}");
            let siret = Siret::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(siret.siren().as_str(), LA_POSTE);
        }
        // The head office passes Luhn; its digit sum, 26, is not a multiple of 5.
        assert!(luhn::is_valid(LA_POSTE_HEAD_OFFICE));
        assert!(Siret::parse(LA_POSTE_HEAD_OFFICE).is_ok());
        assert_eq!(
            Siret::parse("35600000049838").unwrap_err().to_string(),
            "La Poste SIRET 35600000049838: digit sum 46 is not a multiple of 5"
        );
    }

    #[test]
    fn id1_malformed_siret_are_refused_with_the_reason() {
        let cases = [
            ("7328293200007", "SIRET must be 14 digits, got 13"),
            ("732829320000740", "SIRET must be 14 digits, got 15"),
            (
                "7328293200007A",
                "character 'A' at position 14 of SIRET is not a digit",
            ),
            (
                "73282932000075",
                "Luhn check failed for SIRET 73282932000075",
            ),
            // The SIREN part is checked on its own.
            ("73282932100072", "Luhn check failed for SIREN 732829321"),
        ];
        for (input, message) in cases {
            let err = Siret::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
        assert!(luhn::is_valid("73282932100072"));
    }

    #[test]
    fn serde_validates() {
        let siret = Siret::parse("73282932000074").unwrap();
        let json = serde_json::to_string(&siret).unwrap();
        assert_eq!(serde_json::from_str::<Siret>(&json).unwrap(), siret);
        assert!(serde_json::from_str::<Siret>("\"73282932000075\"").is_err());
        let siren = siret.siren();
        let json = serde_json::to_string(&siren).unwrap();
        assert_eq!(serde_json::from_str::<Siren>(&json).unwrap(), siren);
        assert!(serde_json::from_str::<Siren>("\"732829321\"").is_err());
    }

    /// A random valid SIRET outside La Poste: a valid SIREN, 4 digits, Luhn.
    fn valid_siret() -> impl Strategy<Value = String> {
        (digits(8), digits(4))
            .prop_map(|(siren, nic)| with_luhn(&format!("{}{nic}", with_luhn(&siren))))
    }

    /// A random La Poste SIRET other than the head office.
    fn la_poste_siret() -> impl Strategy<Value = String> {
        (digits(4), any::<bool>())
            .prop_map(|(nic, high)| {
                let payload = format!("{LA_POSTE}{nic}");
                let sum: u32 = payload.chars().filter_map(|c| c.to_digit(10)).sum();
                let low = (5 - sum % 5) % 5;
                let last = if high { low + 5 } else { low };
                format!("{payload}{last}")
            })
            .prop_filter("not the head office", |s| s != LA_POSTE_HEAD_OFFICE)
    }

    proptest! {
        #[test]
        fn id1_generated_siren_parse_and_round_trip(payload in digits(8)) {
            let siren = Siren::parse(&with_luhn(&payload)).unwrap();
            let text = siren.to_string();
            prop_assert_eq!(Siren::parse(&text).unwrap(), siren);
        }

        #[test]
        fn id1_siren_with_one_digit_changed_is_refused(
            payload in digits(8),
            index in 0usize..9,
            delta in 1u8..10,
        ) {
            let changed = change_digit(&with_luhn(&payload), index, delta).unwrap();
            prop_assert!(Siren::parse(&changed).is_err());
        }

        #[test]
        fn id1_generated_siret_parse_and_round_trip(number in valid_siret()) {
            let siret = Siret::parse(&number).unwrap();
            prop_assert_eq!(siret.siren(), Siren::parse(&number[..9]).unwrap());
            let text = siret.to_string();
            prop_assert_eq!(Siret::parse(&text).unwrap(), siret);
        }

        #[test]
        fn id1_siret_with_one_digit_changed_is_refused(
            number in valid_siret(),
            index in 0usize..14,
            delta in 1u8..10,
        ) {
            let changed = change_digit(&number, index, delta).unwrap();
            prop_assert!(Siret::parse(&changed).is_err(), "{} -> {}", number, changed);
        }

        #[test]
        fn id1_generated_la_poste_siret_parse(number in la_poste_siret()) {
            prop_assert!(Siret::parse(&number).is_ok(), "{}", number);
        }

        /// The digit sum catches a changed digit unless it moved by exactly 5.
        #[test]
        fn id1_la_poste_siret_with_one_digit_changed_is_refused(
            number in la_poste_siret(),
            index in 0usize..14,
            delta in (1u8..10).prop_filter("not a multiple of 5", |d| d % 5 != 0),
        ) {
            let changed = change_digit(&number, index, delta).unwrap();
            // 35600000000047 is one digit away from the head office, which
            // follows Luhn and is valid: the two rules overlap there.
            prop_assume!(changed != LA_POSTE_HEAD_OFFICE);
            prop_assert!(Siret::parse(&changed).is_err(), "{} -> {}", number, changed);
        }
    }
}
