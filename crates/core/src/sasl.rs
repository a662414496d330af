//! SASL messages that carry a password (here always a device credential, AU-2), as
//! both mail protocols receive them: PLAIN (RFC 4616) and LOGIN's two texts.

use crate::SecretString;

/// A PLAIN message `authzid NUL authcid NUL passwd` (RFC 4616 §2).
pub struct PlainResponse {
    /// Who the client asks to act as; empty for oneself.
    pub authzid: String,
    /// The identity logging in (an address).
    pub authcid: String,
    /// The password (a device credential).
    pub password: SecretString,
}

impl PlainResponse {
    /// Splits a PLAIN message; `None` unless it has exactly three UTF-8 parts with a
    /// non-empty identity and password.
    pub fn parse(message: &[u8]) -> Option<PlainResponse> {
        let text = std::str::from_utf8(message).ok()?;
        let mut parts = text.split('\0');
        let (Some(authzid), Some(authcid), Some(password), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if authcid.is_empty() || password.is_empty() {
            return None;
        }
        Some(PlainResponse {
            authzid: authzid.to_owned(),
            authcid: authcid.to_owned(),
            password: SecretString::new(password.to_owned()),
        })
    }
}

/// The text of a LOGIN response (a user name or a password): non-empty UTF-8
/// without NUL.
pub fn login_text(message: &[u8]) -> Option<String> {
    match std::str::from_utf8(message) {
        Ok(text) if !text.is_empty() && !text.contains('\0') => Some(text.to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_has_exactly_three_parts() {
        let ok = PlainResponse::parse(b"\0alice@x.test\0cdv-1-secret").unwrap();
        assert_eq!(ok.authzid, "");
        assert_eq!(ok.authcid, "alice@x.test");
        assert_eq!(ok.password.expose(), "cdv-1-secret");
        let with = PlainResponse::parse(b"org@x.test\0alice@x.test\0s").unwrap();
        assert_eq!(with.authzid, "org@x.test");
        for bad in [
            &b"alice\0secret"[..],
            b"\0\0secret",
            b"\0alice\0",
            b"a\0b\0c\0d",
            b"\0alice\0\xff",
        ] {
            assert!(PlainResponse::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn login_texts_are_non_empty_without_nul() {
        assert_eq!(login_text(b"alice").as_deref(), Some("alice"));
        assert!(login_text(b"").is_none());
        assert!(login_text(b"a\0b").is_none());
        assert!(login_text(b"\xff").is_none());
    }
}
