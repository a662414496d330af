//! RPPS, the shared directory of health professionals (ID-1).

use serde::{Deserialize, Serialize};

use super::IdentError;

/// An RPPS number: 11 digits, the last one a Luhn check digit.
///
/// The RPPS identifies health professionals in the national directory; it is
/// public and may be printed.
///
/// ```
/// use caduceus_core::Rpps;
/// let rpps = Rpps::parse("10003090833")?;
/// assert_eq!(rpps.to_string(), "10003090833");
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Rpps(String);

impl Rpps {
    /// Parses an RPPS number: exactly 11 digits passing the Luhn check.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        super::parse_luhn_number("RPPS", s, 11, "11 digits").map(Self)
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

public_identifier!(Rpps);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::testing::{change_digit, digits, with_luhn};
    use proptest::prelude::*;

    #[test]
    fn id1_valid_rpps_is_accepted() {
        let rpps = Rpps::parse("10003090833").unwrap();
        assert_eq!(rpps.as_str(), "10003090833");
        assert_eq!(rpps.to_string(), "10003090833");
        assert_eq!(String::from(rpps.clone()), "10003090833");
        assert_eq!("10003090833".parse::<Rpps>().unwrap(), rpps);
        assert_eq!(Rpps::try_from(String::from("10003090833")).unwrap(), rpps);
    }

    #[test]
    fn id1_malformed_rpps_are_refused_with_the_reason() {
        let cases = [
            ("", "RPPS must be 11 digits, got 0"),
            ("1000309083", "RPPS must be 11 digits, got 10"),
            ("100030908330", "RPPS must be 11 digits, got 12"),
            (
                "1000x090833",
                "character 'x' at position 5 of RPPS is not a digit",
            ),
            ("10003090833 ", "RPPS must be 11 digits, got 12"),
            ("10003090834", "Luhn check failed for RPPS 10003090834"),
        ];
        for (input, message) in cases {
            let err = Rpps::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn serde_validates() {
        let rpps = Rpps::parse("10003090833").unwrap();
        assert_eq!(serde_json::to_string(&rpps).unwrap(), "\"10003090833\"");
        assert_eq!(
            serde_json::from_str::<Rpps>("\"10003090833\"").unwrap(),
            rpps
        );
        assert!(serde_json::from_str::<Rpps>("\"10003090834\"").is_err());
    }

    proptest! {
        #[test]
        fn id1_generated_rpps_parse_and_round_trip(payload in digits(10)) {
            let number = with_luhn(&payload);
            let rpps = Rpps::parse(&number).unwrap();
            let text = rpps.to_string();
            prop_assert_eq!(Rpps::parse(&text).unwrap(), rpps);
        }

        #[test]
        fn id1_rpps_with_one_digit_changed_is_refused(
            payload in digits(10),
            index in 0usize..11,
            delta in 1u8..10,
        ) {
            let changed = change_digit(&with_luhn(&payload), index, delta).unwrap();
            prop_assert!(Rpps::parse(&changed).is_err());
        }
    }
}
