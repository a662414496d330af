//! A phone number for notices by SMS (RT-1's second channel), in international form
//! (E.164: `+` and 8 to 15 digits). A French national number (`06 12 34 56 78`) is
//! read as `+33 6 12 34 56 78`; spaces, dots and dashes are ignored.

use std::fmt;

/// A validated phone number, E.164.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

/// Why a text is not a phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneError(String);

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a phone number: give it as +33612345678 or 06 12 34 56 78",
            self.0
        )
    }
}

impl std::error::Error for PhoneError {}

impl PhoneNumber {
    /// Reads `text` as an international or French national number.
    pub fn parse(text: &str) -> Result<PhoneNumber, PhoneError> {
        let error = || PhoneError(text.chars().take(40).collect());
        let compact: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        let digits = match compact.strip_prefix('+') {
            Some(rest) => rest.to_owned(),
            None if compact.len() == 10
                && compact.starts_with('0')
                && !compact.starts_with("00") =>
            {
                format!("33{}", &compact[1..])
            }
            None => return Err(error()),
        };
        let valid = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(PhoneNumber(format!("+{digits}")))
        } else {
            Err(error())
        }
    }

    /// The number, E.164 (`+33612345678`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shown masked but for the last two digits: a phone number is personal data.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keep = &self.0[self.0.len() - 2..];
        write!(f, "PhoneNumber(+…{keep})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rt1_international_and_french_numbers_are_read() {
        for (text, e164) in [
            ("+33612345678", "+33612345678"),
            ("+33 6 12 34 56 78", "+33612345678"),
            ("06 12 34 56 78", "+33612345678"),
            ("06.12.34.56.78", "+33612345678"),
            ("+32-470-12-34-56", "+32470123456"),
            ("+262692123456", "+262692123456"),
        ] {
            assert_eq!(PhoneNumber::parse(text).unwrap().as_str(), e164, "{text}");
        }
    }

    #[test]
    fn rt1_anything_else_is_refused() {
        for bad in [
            "",
            "+",
            "612345678",
            "0612345",
            "00 33 6 12 34 56 78",
            "+0612345678",
            "+33 6 12 34 56 7a",
            "+1234567",
            "+1234567890123456",
            "tel:+33612345678",
        ] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
        let error = PhoneNumber::parse("abc").unwrap_err().to_string();
        assert!(error.contains("+33612345678"), "{error}");
    }

    #[test]
    fn debug_masks_the_number() {
        let phone = PhoneNumber::parse("+33612345678").unwrap();
        assert_eq!(format!("{phone:?}"), "PhoneNumber(+…78)");
    }
}
