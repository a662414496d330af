//! Identifiers from the French health and business registries (ID-1) and the
//! patient identifier INS (ID-5).
//!
//! Each identifier is a newtype over a private `String` holding its canonical
//! form, built only by `parse`, which checks length, characters and check
//! key. The same check runs behind [`FromStr`](std::str::FromStr), `TryFrom`
//! and serde deserialization, so a value read from a request or from the
//! store is as trustworthy as one typed in a test.
//!
//! | type | registry | form | check |
//! |---|---|---|---|
//! | [`Ins`] | NIR / NIA (patients) | 13 characters + 2-digit key | 97 − (number mod 97) |
//! | [`Rpps`] | RPPS (health professionals) | 11 digits | Luhn |
//! | [`Adeli`] | ADELI (health professionals) | 9 digits | Luhn |
//! | [`Finess`] | FINESS (health structures) | 9 characters | Luhn |
//! | [`Siren`] | SIRENE (legal units) | 9 digits | Luhn |
//! | [`Siret`] | SIRENE (establishments) | 14 digits | Luhn, La Poste rule |
//! | [`NationalId`] | any of the above, prefixed | `8…`, `0…`, `1…`, `3…`, `…/local` | per registry |
//!
//! Positions in error messages count characters from 1.

/// Conversions for identifiers that are public information and may be
/// printed: `Display`, `AsRef<str>` and `From<_> for String`, on top of
/// the parsing conversions.
macro_rules! public_identifier {
    ($ty:ident) => {
        parse_conversions!($ty, $crate::ident::IdentError);

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
    };
}

mod adeli;
mod error;
mod finess;
mod ins;
pub mod luhn;
mod national;
mod rpps;
mod siren;

pub use adeli::Adeli;
pub use error::IdentError;
pub use finess::Finess;
pub use ins::Ins;
pub use national::{LocalId, NationalId, Registry, StructureId};
pub use rpps::Rpps;
pub use siren::{Siren, Siret};

/// Checks that `s` is exactly `len` ASCII digits.
///
/// `expected` completes "{what} must be …" in the length error, for example
/// `"11 digits"`.
fn check_digits(
    what: &'static str,
    s: &str,
    len: usize,
    expected: &'static str,
) -> Result<(), IdentError> {
    let got = s.chars().count();
    if got != len {
        return Err(IdentError::Length {
            what,
            expected,
            got,
        });
    }
    match s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, ch)) => Err(IdentError::Character {
            what,
            ch,
            position: i + 1,
            expected: "a digit",
        }),
        None => Ok(()),
    }
}

/// Parses a fixed-length, all-digit identifier protected by a Luhn check
/// digit (RPPS, ADELI, SIREN) and returns its canonical form.
fn parse_luhn_number(
    what: &'static str,
    s: &str,
    len: usize,
    expected: &'static str,
) -> Result<String, IdentError> {
    check_digits(what, s, len, expected)?;
    if !luhn::is_valid(s) {
        return Err(IdentError::Luhn {
            what,
            value: s.to_owned(),
        });
    }
    Ok(s.to_owned())
}

/// Helpers shared by the unit and property tests of the identifier modules.
#[cfg(test)]
mod testing {
    use proptest::prelude::*;

    /// A string of `len` random ASCII digits.
    pub(crate) fn digits(len: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(0u8..10, len)
            .prop_map(|ds| ds.into_iter().map(|d| char::from(b'0' + d)).collect())
    }

    /// `payload` followed by its Luhn check digit.
    pub(crate) fn with_luhn(payload: &str) -> String {
        let check = super::luhn::check_digit(payload).expect("payload is all digits");
        format!("{payload}{check}")
    }

    /// `s` with the digit at byte index `index` replaced by `(digit + delta) mod 10`,
    /// or `None` when that character is not a digit.
    pub(crate) fn change_digit(s: &str, index: usize, delta: u8) -> Option<String> {
        let mut bytes = s.as_bytes().to_vec();
        let b = bytes[index];
        if !b.is_ascii_digit() {
            return None;
        }
        bytes[index] = b'0' + (b - b'0' + delta) % 10;
        String::from_utf8(bytes).ok()
    }
}
