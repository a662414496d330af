//! The INS, the patient's national health identifier (ID-5).

use std::fmt;

use serde::{Deserialize, Serialize, Serializer};

use super::IdentError;

const WHAT: &str = "INS";
const BODY_LEN: usize = 13;
const LEN: usize = BODY_LEN + 2;
/// Index of the first character of the department of birth, where Corsica
/// is written `2A` or `2B` (positions 6 and 7 counted from 1).
const DEPARTMENT: usize = 5;
const FIRST_DIGITS: &str = "1, 2, 3, 4, 7 or 8";

/// The INS matricule of a patient: a NIR (social security number, first
/// digit 1 or 2), a NIA (temporary number, 7 or 8) or a number of the 3/4
/// series, 13 characters followed by a 2-digit key.
///
/// The 13 characters are digits, except the department of birth at positions
/// 6 and 7, which is `2A` or `2B` for Corsica. The key is
/// 97 − (number mod 97), where for Corsica `2A` reads as `19` and `2B` as
/// `18`. Input may contain spaces and lower-case letters; the value is kept
/// without spaces, upper case.
///
/// The identity of a patient is sensitive (TR-5): `Ins` has no `Display`,
/// its `Debug` prints `Ins([redacted])` in every build, and errors from
/// [`Ins::parse`] never repeat the number. Read the value with
/// [`expose`](Ins::expose), only where it is needed (building a mailbox,
/// storing). Serde writes the full value, for storage.
///
/// ```
/// use caduceus_core::Ins;
/// let ins = Ins::parse("2 95 10 99 126 111 93")?;
/// assert_eq!(ins.expose(), "295109912611193");
/// assert_eq!(format!("{ins:?}"), "Ins([redacted])");
/// # Ok::<(), caduceus_core::IdentError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(try_from = "String")]
pub struct Ins(String);

impl Ins {
    /// Parses an INS (15 characters once spaces are removed) and checks its
    /// key.
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let chars = normalize(s);
        if chars.len() != LEN {
            return Err(IdentError::Length {
                what: WHAT,
                expected: "15 characters (13 + 2-digit key)",
                got: chars.len(),
            });
        }
        let (body, key) = chars.split_at(BODY_LEN);
        check_body(body)?;
        for (i, &ch) in key.iter().enumerate() {
            if !ch.is_ascii_digit() {
                return Err(IdentError::Character {
                    what: WHAT,
                    ch,
                    position: BODY_LEN + i + 1,
                    expected: "a digit",
                });
            }
        }
        let got = key
            .iter()
            .filter_map(|c| c.to_digit(10))
            .fold(0, |acc, d| acc * 10 + d);
        let expected = key_of(body);
        if got != u32::from(expected) {
            return Err(IdentError::CheckKey {
                what: WHAT,
                // Two digits are at most 99.
                got: u8::try_from(got).unwrap_or(u8::MAX),
                expected,
            });
        }
        Ok(Self(chars.iter().map(char::to_ascii_uppercase).collect()))
    }

    /// Computes the 2-digit key (1 to 97) of the first 13 characters of an
    /// INS, checking them as [`parse`](Ins::parse) does.
    ///
    /// ```
    /// use caduceus_core::Ins;
    /// assert_eq!(Ins::compute_key("2951099126111")?, 93);
    /// assert_eq!(Ins::compute_key("253072B073004")?, 70);
    /// # Ok::<(), caduceus_core::IdentError>(())
    /// ```
    pub fn compute_key(first13: &str) -> Result<u8, IdentError> {
        let chars = normalize(first13);
        if chars.len() != BODY_LEN {
            return Err(IdentError::Length {
                what: WHAT,
                expected: "13 characters without the key",
                got: chars.len(),
            });
        }
        check_body(&chars)?;
        Ok(key_of(&chars))
    }

    /// The full INS, 15 characters without spaces, upper case.
    ///
    /// This is patient identity: keep it out of logs and traces (TR-5).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

parse_conversions!(Ins, IdentError);

impl fmt::Debug for Ins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ins([redacted])")
    }
}

impl Serialize for Ins {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// The characters of `s` without spaces.
fn normalize(s: &str) -> Vec<char> {
    s.chars().filter(|&c| c != ' ').collect()
}

/// Checks the 13 characters before the key: digits, Corsica, first digit.
/// The error names a non-digit character, never a digit of the number.
fn check_body(body: &[char]) -> Result<(), IdentError> {
    for (i, &ch) in body.iter().enumerate() {
        let corsica = i == DEPARTMENT + 1
            && body[DEPARTMENT] == '2'
            && matches!(ch.to_ascii_uppercase(), 'A' | 'B');
        if !ch.is_ascii_digit() && !corsica {
            return Err(IdentError::Character {
                what: WHAT,
                ch,
                position: i + 1,
                expected: if i == DEPARTMENT + 1 {
                    "a digit (or A/B after 2 for Corsica)"
                } else {
                    "a digit"
                },
            });
        }
    }
    if !matches!(body[0], '1' | '2' | '3' | '4' | '7' | '8') {
        return Err(IdentError::Prefix {
            what: WHAT,
            expected: FIRST_DIGITS,
        });
    }
    Ok(())
}

/// 97 − (number mod 97), reading Corsica `2A` as `19` and `2B` as `18`.
/// `body` has been through [`check_body`].
fn key_of(body: &[char]) -> u8 {
    let corsica = match body[DEPARTMENT + 1].to_ascii_uppercase() {
        'A' => Some(['1', '9']),
        'B' => Some(['1', '8']),
        _ => None,
    };
    let digits = body.iter().enumerate().map(|(i, &c)| match corsica {
        Some(pair) if i == DEPARTMENT || i == DEPARTMENT + 1 => pair[i - DEPARTMENT],
        _ => c,
    });
    let number = digits
        .filter_map(|c| c.to_digit(10))
        .fold(0u64, |acc, d| acc * 10 + u64::from(d));
    // The remainder is below 97, so the key is 1 to 97.
    97 - u8::try_from(number % 97).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::testing::{change_digit, digits};
    use proptest::prelude::*;

    #[test]
    fn id5_valid_ins_are_accepted() {
        let cases = [
            ("295109912611193", "295109912611193"),
            ("2 95 10 99 126 111 93", "295109912611193"),
            ("253072B07300470", "253072B07300470"),
            ("253072b07300470", "253072B07300470"),
            ("1 89 12 75 125 012 82", "189127512501282"),
        ];
        for (input, stored) in cases {
            let ins = Ins::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(ins.expose(), stored);
        }
    }

    #[test]
    fn id5_compute_key_matches_the_examples() {
        assert_eq!(Ins::compute_key("2951099126111"), Ok(93));
        assert_eq!(Ins::compute_key("253072B073004"), Ok(70));
        assert_eq!(Ins::compute_key("253072b073004"), Ok(70));
        assert_eq!(Ins::compute_key("1891275125012"), Ok(82));
    }

    #[test]
    fn id5_corsica_reads_2a_as_19_and_2b_as_18() {
        assert_eq!(
            Ins::compute_key("253072A073004"),
            Ins::compute_key("2530719073004")
        );
        assert_eq!(
            Ins::compute_key("253072B073004"),
            Ins::compute_key("2530718073004")
        );
        let key_a = Ins::compute_key("253072A073004").unwrap();
        assert!(Ins::parse(&format!("253072A073004{key_a:02}")).is_ok());
        // The same number with the other Corsican department has another key.
        assert!(Ins::parse(&format!("253072B073004{key_a:02}")).is_err());
    }

    #[test]
    fn id5_ins_with_wrong_key_is_refused() {
        let err = Ins::parse("295109912611194").unwrap_err();
        assert_eq!(
            err,
            IdentError::CheckKey {
                what: "INS",
                got: 94,
                expected: 93
            }
        );
        assert_eq!(err.to_string(), "INS check key is 94, expected 93");
        let err = Ins::parse("253072B07300493").unwrap_err();
        assert_eq!(err.to_string(), "INS check key is 93, expected 70");
    }

    #[test]
    fn id5_malformed_ins_are_refused_with_the_reason() {
        let cases = [
            ("", "INS must be 15 characters (13 + 2-digit key), got 0"),
            (
                "295109912611",
                "INS must be 15 characters (13 + 2-digit key), got 12",
            ),
            (
                "2951099126111930",
                "INS must be 15 characters (13 + 2-digit key), got 16",
            ),
            (
                "295x09912611193",
                "character 'x' at position 4 of INS is not a digit",
            ),
            (
                "295102C12611193",
                "character 'C' at position 7 of INS is not a digit (or A/B after 2 for Corsica)",
            ),
            (
                "29510A912611193",
                "character 'A' at position 6 of INS is not a digit",
            ),
            (
                "295103A12611193",
                "character 'A' at position 7 of INS is not a digit (or A/B after 2 for Corsica)",
            ),
            (
                "2951099126111-3",
                "character '-' at position 14 of INS is not a digit",
            ),
            (
                "2951099126111é3",
                "character 'é' at position 14 of INS is not a digit",
            ),
            ("595109912611193", "INS must start with 1, 2, 3, 4, 7 or 8"),
            ("095109912611193", "INS must start with 1, 2, 3, 4, 7 or 8"),
        ];
        for (input, message) in cases {
            let err = Ins::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn id5_every_first_digit_of_nir_and_nia_is_accepted() {
        for first in ['1', '2', '3', '4', '7', '8'] {
            let body = format!("{first}951099126111");
            let key = Ins::compute_key(&body).unwrap();
            assert!(Ins::parse(&format!("{body}{key:02}")).is_ok(), "{first}");
        }
        for first in ['0', '5', '6', '9'] {
            assert!(Ins::compute_key(&format!("{first}951099126111")).is_err());
        }
    }

    #[test]
    fn compute_key_checks_its_input() {
        assert_eq!(
            Ins::compute_key("295109912611").unwrap_err().to_string(),
            "INS must be 13 characters without the key, got 12"
        );
        assert!(Ins::compute_key("29510991261x1").is_err());
    }

    #[test]
    fn tr5_ins_never_prints_its_value() {
        let ins = Ins::parse("295109912611193").unwrap();
        assert_eq!(format!("{ins:?}"), "Ins([redacted])");
        assert_eq!(format!("{ins:#?}"), "Ins([redacted])");
        assert_eq!(format!("{:?}", Some(&ins)), "Some(Ins([redacted]))");
    }

    #[test]
    fn tr5_ins_errors_never_repeat_the_number() {
        for input in [
            "295109912611194",
            "595109912611193",
            "29510991261119",
            "29510991261119x",
        ] {
            let err = Ins::parse(input).unwrap_err();
            for shown in [err.to_string(), format!("{err:?}")] {
                assert!(!shown.contains("2951099"), "{shown}");
            }
        }
    }

    #[test]
    fn serde_writes_the_value_and_validates_on_read() {
        let ins = Ins::parse("253072B07300470").unwrap();
        let json = serde_json::to_string(&ins).unwrap();
        assert_eq!(json, "\"253072B07300470\"");
        assert_eq!(serde_json::from_str::<Ins>(&json).unwrap(), ins);
        assert!(serde_json::from_str::<Ins>("\"295109912611194\"").is_err());
        assert!(serde_json::from_str::<Ins>("295109912611193").is_err());
    }

    #[test]
    fn conversions_parse() {
        let ins: Ins = "295109912611193".parse().unwrap();
        assert_eq!(Ins::try_from("295109912611193").unwrap(), ins);
        assert_eq!(Ins::try_from(String::from("295109912611193")).unwrap(), ins);
        assert!(Ins::try_from("295109912611194").is_err());
    }

    /// A random valid INS, Corsican or not.
    fn valid_ins() -> impl Strategy<Value = String> {
        (
            prop::sample::select(vec!['1', '2', '3', '4', '7', '8']),
            digits(4),
            prop_oneof![digits(2), Just("2A".to_owned()), Just("2B".to_owned())],
            digits(6),
        )
            .prop_map(|(first, birth, department, rest)| {
                let body = format!("{first}{birth}{department}{rest}");
                let key = Ins::compute_key(&body).unwrap();
                format!("{body}{key:02}")
            })
    }

    proptest! {
        #[test]
        fn id5_generated_ins_parse_and_round_trip(ins in valid_ins()) {
            let parsed = Ins::parse(&ins).unwrap();
            prop_assert_eq!(parsed.expose(), ins.as_str());
            let again = Ins::parse(parsed.expose()).unwrap();
            prop_assert_eq!(&again, &parsed);
            let json = serde_json::to_string(&parsed).unwrap();
            prop_assert_eq!(serde_json::from_str::<Ins>(&json).unwrap(), parsed);
        }

        #[test]
        fn id5_ins_with_one_digit_changed_is_refused(
            ins in valid_ins(),
            index in any::<prop::sample::Index>(),
            delta in 1u8..10,
        ) {
            let i = index.index(LEN);
            if let Some(changed) = change_digit(&ins, i, delta) {
                prop_assert!(Ins::parse(&changed).is_err(), "{} -> {}", ins, changed);
            }
        }
    }
}
