//! The Luhn (mod 10) check digit used by RPPS, ADELI, FINESS, SIREN and SIRET.
//!
//! From the rightmost digit (the check digit) leftwards, every second digit
//! is doubled and 9 is subtracted when the double exceeds 9; the number is
//! valid when the sum of all digits is a multiple of 10. The scheme detects
//! every single-digit error and most swaps of adjacent digits.

/// The sum of `digits` with every second digit doubled, counting from the
/// right; `double_last` says whether the rightmost digit is doubled.
/// `None` when a character is not an ASCII digit.
fn weighted_sum(digits: &str, double_last: bool) -> Option<u32> {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10)?;
        let doubled = (i % 2 == 0) == double_last;
        sum += match (doubled, d * 2) {
            (false, _) => d,
            (true, twice) if twice > 9 => twice - 9,
            (true, twice) => twice,
        };
    }
    Some(sum)
}

/// Whether `number` (ASCII digits, its check digit last) passes the Luhn
/// check. An empty string or one with a non-digit is not valid.
///
/// ```
/// use caduceus_core::ident::luhn;
/// assert!(luhn::is_valid("10003090833"));
/// assert!(!luhn::is_valid("10003090834"));
/// ```
pub fn is_valid(number: &str) -> bool {
    !number.is_empty() && weighted_sum(number, false).is_some_and(|sum| sum.is_multiple_of(10))
}

/// The check digit to append to `payload` (ASCII digits) so that the result
/// passes [`is_valid`]; `None` when `payload` has a non-digit.
///
/// ```
/// use caduceus_core::ident::luhn;
/// assert_eq!(luhn::check_digit("1000309083"), Some(3));
/// ```
pub fn check_digit(payload: &str) -> Option<u8> {
    let sum = weighted_sum(payload, true)?;
    // `sum % 10` is below 10, so the result fits a `u8`.
    u8::try_from((10 - sum % 10) % 10).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_numbers() {
        let cases = [
            ("10003090833", true),
            ("10003090834", false),
            ("012800736", true),
            ("750048886", true),
            ("732829320", true),
            ("73282932000074", true),
            ("79927398713", true),
            ("79927398710", false),
            ("0", true),
            ("", false),
            ("12a4", false),
        ];
        for (number, valid) in cases {
            assert_eq!(is_valid(number), valid, "{number}");
        }
    }

    #[test]
    fn check_digit_completes_known_numbers() {
        assert_eq!(check_digit("7992739871"), Some(3));
        assert_eq!(check_digit("73282932"), Some(0));
        assert_eq!(check_digit(""), Some(0));
        assert_eq!(check_digit("12x"), None);
    }

    proptest! {
        #[test]
        fn appended_check_digit_is_valid(payload in "[0-9]{0,20}") {
            let check = check_digit(&payload).unwrap();
            let number = format!("{payload}{check}");
            prop_assert!(is_valid(&number));
        }

        #[test]
        fn any_single_digit_change_is_detected(
            payload in "[0-9]{1,20}",
            index in any::<prop::sample::Index>(),
            delta in 1u8..10,
        ) {
            let number = crate::ident::testing::with_luhn(&payload);
            let i = index.index(number.len());
            let changed = crate::ident::testing::change_digit(&number, i, delta).unwrap();
            prop_assert!(!is_valid(&changed), "{} -> {}", number, changed);
        }
    }
}
