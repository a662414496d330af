//! A wrapper that keeps credentials and keys out of logs and memory dumps.

use std::fmt;

use serde::{Deserialize, Deserializer};
use zeroize::{Zeroize, Zeroizing};

/// A secret value: a password, a one-time-code seed, a private key.
///
/// - `Debug` prints `[redacted]`, in debug and release builds alike, so a
///   secret inside a logged struct stays out of the log (TR-5).
/// - There is no `Display` and no `Serialize`: reading the value takes an
///   explicit call to [`expose`](Secret::expose), easy to find in review.
/// - The value is zeroed when the `Secret` is dropped.
/// - There is no `PartialEq`: compare secrets in constant time on the
///   exposed bytes, or better, compare hashes.
///
/// `Deserialize` is provided so that configuration can hold secrets; the
/// deserializer's own buffers are outside this type's reach and are not
/// zeroed.
///
/// ```
/// use caduceus_core::SecretString;
/// let password = SecretString::new("correct horse".to_owned());
/// assert_eq!(format!("{password:?}"), "[redacted]");
/// assert_eq!(password.expose(), "correct horse");
/// ```
pub struct Secret<T: Zeroize>(Zeroizing<T>);

/// A secret string, such as a password.
pub type SecretString = Secret<String>;

impl<T: Zeroize> Secret<T> {
    /// Wraps `value`.
    pub fn new(value: T) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The secret value. Each call is a place where the secret can leak:
    /// keep the borrow short and out of logs.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<'de, T: Zeroize + Deserialize<'de>> Deserialize<'de> for Secret<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "hunter2-very-secret";

    #[derive(Debug)]
    #[expect(dead_code, reason = "the fields are only read through Debug")]
    struct Credentials {
        user: &'static str,
        password: SecretString,
    }

    #[test]
    fn tr5_debug_never_shows_the_value() {
        let secret = SecretString::new(VALUE.to_owned());
        for shown in [format!("{secret:?}"), format!("{secret:#?}")] {
            assert_eq!(shown, "[redacted]");
        }
        let credentials = Credentials {
            user: "alice",
            password: secret.clone(),
        };
        let shown = format!("{credentials:?} {credentials:#?}");
        assert!(!shown.contains(VALUE), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }

    #[test]
    fn tr5_debug_hides_keys_as_well() {
        let key = Secret::new([0x42u8; 32]);
        assert_eq!(format!("{key:?}"), "[redacted]");
        let bytes: Secret<Vec<u8>> = vec![1, 2, 3].into();
        assert_eq!(format!("{bytes:?}"), "[redacted]");
        assert_eq!(bytes.expose(), &[1, 2, 3]);
    }

    #[test]
    fn expose_and_clone_give_the_value() {
        let secret: SecretString = VALUE.to_owned().into();
        assert_eq!(secret.expose(), VALUE);
        assert_eq!(secret.clone().expose(), VALUE);
    }

    #[test]
    fn deserializes_from_configuration() {
        let secret: SecretString = serde_json::from_str(&format!("\"{VALUE}\"")).unwrap();
        assert_eq!(secret.expose(), VALUE);
    }

    #[test]
    fn the_wrapped_value_zeroizes() {
        // `Zeroizing` calls this on drop; check what it does to a String.
        let mut value = Zeroizing::new(VALUE.to_owned());
        value.zeroize();
        assert!(value.is_empty());
    }
}
