//! ADELI, the older directory of health professionals (ID-1).

use serde::{Deserialize, Serialize};

use super::IdentError;

/// An ADELI number: 9 digits, the last one a Luhn check digit.
///
/// ADELI still identifies the professions not yet moved to the RPPS; it is
/// public and may be printed.
///
/// ```
/// use caduceus_core::Adeli;
/// let adeli: Adeli = "012800736".parse()?;
/// assert_eq!(adeli.as_str(), "012800736");
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Adeli(String);

impl Adeli {
    /// Parses an ADELI number: exactly 9 digits passing the Luhn check.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        super::parse_luhn_number("ADELI", s, 9, "9 digits").map(Self)
    }

    /// The 9 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

public_identifier!(Adeli);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::testing::{change_digit, digits, with_luhn};
    use proptest::prelude::*;

    #[test]
    fn id1_valid_adeli_is_accepted() {
        let adeli = Adeli::parse("012800736").unwrap();
        assert_eq!(adeli.to_string(), "012800736");
        assert_eq!(Adeli::try_from("012800736").unwrap(), adeli);
    }

    #[test]
    fn id1_malformed_adeli_are_refused_with_the_reason() {
        let cases = [
            ("01280073", "ADELI must be 9 digits, got 8"),
            ("0128007360", "ADELI must be 9 digits, got 10"),
            (
                "01280O736",
                "character 'O' at position 6 of ADELI is not a digit",
            ),
            ("012800737", "Luhn check failed for ADELI 012800737"),
        ];
        for (input, message) in cases {
            let err = Adeli::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn serde_validates() {
        let adeli = Adeli::parse("012800736").unwrap();
        let json = serde_json::to_string(&adeli).unwrap();
        assert_eq!(serde_json::from_str::<Adeli>(&json).unwrap(), adeli);
        assert!(serde_json::from_str::<Adeli>("\"012800737\"").is_err());
    }

    proptest! {
        #[test]
        fn id1_generated_adeli_parse_and_round_trip(payload in digits(8)) {
            let adeli = Adeli::parse(&with_luhn(&payload)).unwrap();
            let text = adeli.to_string();
            prop_assert_eq!(Adeli::parse(&text).unwrap(), adeli);
        }

        #[test]
        fn id1_adeli_with_one_digit_changed_is_refused(
            payload in digits(8),
            index in 0usize..9,
            delta in 1u8..10,
        ) {
            let changed = change_digit(&with_luhn(&payload), index, delta).unwrap();
            prop_assert!(Adeli::parse(&changed).is_err());
        }
    }
}
