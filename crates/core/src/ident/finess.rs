//! FINESS, the national file of health and social structures (ID-1).

use serde::{Deserialize, Serialize};

use super::{IdentError, luhn};

const WHAT: &str = "FINESS";
const LEN: usize = 9;

/// A FINESS number: 9 characters identifying a health or social structure
/// (legal entity or establishment), the last one a Luhn check digit.
///
/// The first two characters are the department, which for Corsica is `2A`
/// or `2B` (accepted in either case, kept upper case); every other character
/// is a digit.
///
/// # The Corsican rule
///
/// The FINESS documentation we could consult does not say how the check
/// digit of a Corsican number is computed. This type reads the letter as
/// `0`, that is computes the Luhn check over the number with `2A`/`2B`
/// replaced by `20`. A consequence is that the check cannot tell `2A` from
/// `2B`. Should the registry use another rule, only the private
/// `luhn_digits` function of this module changes.
///
/// ```
/// use caduceus_core::Finess;
/// let finess = Finess::parse("750048886")?;
/// assert_eq!(finess.to_string(), "750048886");
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Finess(String);

impl Finess {
    /// Parses a FINESS number: 9 characters (digits, or `2A`/`2B` first)
    /// passing the Luhn check.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != LEN {
            return Err(IdentError::Length {
                what: WHAT,
                expected: "9 characters",
                got: chars.len(),
            });
        }
        for (i, &ch) in chars.iter().enumerate() {
            let corsica = i == 1 && chars[0] == '2' && matches!(ch.to_ascii_uppercase(), 'A' | 'B');
            if !ch.is_ascii_digit() && !corsica {
                return Err(IdentError::Character {
                    what: WHAT,
                    ch,
                    position: i + 1,
                    expected: if i == 1 {
                        "a digit (or A/B after 2 for Corsica)"
                    } else {
                        "a digit"
                    },
                });
            }
        }
        let value = s.to_ascii_uppercase();
        if !luhn::is_valid(&luhn_digits(&value)) {
            return Err(IdentError::Luhn { what: WHAT, value });
        }
        Ok(Self(value))
    }

    /// The 9 characters, upper case.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the structure is in Corsica (department `2A` or `2B`).
    pub fn is_corsican(&self) -> bool {
        self.0.starts_with("2A") || self.0.starts_with("2B")
    }
}

public_identifier!(Finess);

/// The digits the Luhn check runs over: the Corsican letter reads as `0`.
fn luhn_digits(value: &str) -> String {
    value.replace(['A', 'B'], "0")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::testing::{change_digit, digits, with_luhn};
    use proptest::prelude::*;

    /// `department` + `rest` completed with the check digit of the Corsican rule.
    fn complete(department: &str, rest: &str) -> String {
        let payload = format!("{department}{rest}");
        let check = luhn::check_digit(&luhn_digits(&payload)).unwrap();
        format!("{payload}{check}")
    }

    #[test]
    fn id1_valid_finess_is_accepted() {
        let finess = Finess::parse("750048886").unwrap();
        assert_eq!(finess.as_str(), "750048886");
        assert!(!finess.is_corsican());
        assert_eq!(Finess::try_from("750048886").unwrap(), finess);
    }

    #[test]
    fn id1_corsican_finess_reads_the_letter_as_zero() {
        // 20000001 + Luhn digit 6 is valid; so are 2A… and 2B… with the same digits.
        assert!(luhn::is_valid("200000016"));
        for input in ["2A0000016", "2B0000016", "2a0000016", "2b0000016"] {
            let finess = Finess::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(finess.as_str(), input.to_ascii_uppercase());
            assert!(finess.is_corsican());
        }
        assert_eq!(
            Finess::parse("2A0000017").unwrap_err().to_string(),
            "Luhn check failed for FINESS 2A0000017"
        );
    }

    #[test]
    fn id1_malformed_finess_are_refused_with_the_reason() {
        let cases = [
            ("75004888", "FINESS must be 9 characters, got 8"),
            ("7500488860", "FINESS must be 9 characters, got 10"),
            ("750048887", "Luhn check failed for FINESS 750048887"),
            (
                "7A0048886",
                "character 'A' at position 2 of FINESS is not a digit (or A/B after 2 for Corsica)",
            ),
            (
                "2C0000016",
                "character 'C' at position 2 of FINESS is not a digit (or A/B after 2 for Corsica)",
            ),
            (
                "A20000016",
                "character 'A' at position 1 of FINESS is not a digit",
            ),
            (
                "20A000016",
                "character 'A' at position 3 of FINESS is not a digit",
            ),
        ];
        for (input, message) in cases {
            let err = Finess::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn serde_validates() {
        let finess = Finess::parse("2A0000016").unwrap();
        let json = serde_json::to_string(&finess).unwrap();
        assert_eq!(json, "\"2A0000016\"");
        assert_eq!(serde_json::from_str::<Finess>(&json).unwrap(), finess);
        assert!(serde_json::from_str::<Finess>("\"750048887\"").is_err());
    }

    fn valid_finess() -> impl Strategy<Value = String> {
        (
            prop_oneof![digits(2), Just("2A".to_owned()), Just("2B".to_owned())],
            digits(6),
        )
            .prop_map(|(department, rest)| complete(&department, &rest))
    }

    proptest! {
        #[test]
        fn id1_generated_finess_parse_and_round_trip(number in valid_finess()) {
            let finess = Finess::parse(&number).unwrap();
            let text = finess.to_string();
            prop_assert_eq!(Finess::parse(&text).unwrap(), finess);
        }

        #[test]
        fn id1_finess_with_one_digit_changed_is_refused(
            number in valid_finess(),
            index in 0usize..LEN,
            delta in 1u8..10,
        ) {
            if let Some(changed) = change_digit(&number, index, delta) {
                prop_assert!(Finess::parse(&changed).is_err(), "{} -> {}", number, changed);
            }
        }

        #[test]
        fn id1_plain_finess_is_an_ordinary_luhn_number(payload in digits(8)) {
            prop_assert!(Finess::parse(&with_luhn(&payload)).is_ok());
        }
    }
}
