//! Record fingerprints: a SHA-256 over a canonical encoding of what the
//! directory keeps of a record, so that a re-import tells unchanged rows
//! from changed ones without comparing them field by field (ID-4).

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The SHA-256 of a record's canonical encoding: equal fingerprints mean
/// equal records (of the same kind). It prints as 64 lower-case hex digits
/// and parses back from them.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint([u8; 32]);

impl Fingerprint {
    /// A fingerprint from its 32 bytes, as the store keeps it.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// Why a text is not a fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a fingerprint is 64 hex digits")]
pub struct FingerprintError;

impl FromStr for Fingerprint {
    type Err = FingerprintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return Err(FingerprintError);
        }
        let mut out = [0u8; 32];
        for (byte, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let text = std::str::from_utf8(pair).map_err(|_| FingerprintError)?;
            if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(FingerprintError);
            }
            *byte = u8::from_str_radix(text, 16).map_err(|_| FingerprintError)?;
        }
        Ok(Self(out))
    }
}

/// Builds a fingerprint from fields written in a fixed order.
///
/// The encoding starts with a domain tag naming the record kind and its
/// version, then each field as a one-byte marker (`0` absent, `1` present)
/// and, when present, its length in bytes (8 bytes, big-endian) and its
/// UTF-8 bytes. No two different field lists encode the same way, so no two
/// different records share a fingerprint (short of a SHA-256 collision).
pub(crate) struct Canonical(Sha256);

impl Canonical {
    /// Starts an encoding for records of kind `tag`, e.g.
    /// `caduceus/directory/mailbox/v1`.
    pub(crate) fn new(tag: &str) -> Self {
        let mut canonical = Self(Sha256::new());
        canonical.text(tag);
        canonical
    }

    /// Adds a field that is always present.
    pub(crate) fn text(&mut self, value: &str) -> &mut Self {
        self.0.update([1u8]);
        self.0.update((value.len() as u64).to_be_bytes());
        self.0.update(value.as_bytes());
        self
    }

    /// Adds a field that may be absent.
    pub(crate) fn option(&mut self, value: Option<&str>) -> &mut Self {
        match value {
            Some(value) => self.text(value),
            None => {
                self.0.update([0u8]);
                self
            }
        }
    }

    /// Adds a boolean field.
    pub(crate) fn flag(&mut self, value: bool) -> &mut Self {
        self.text(if value { "1" } else { "0" })
    }

    /// The fingerprint of everything added.
    pub(crate) fn finish(&mut self) -> Fingerprint {
        Fingerprint(self.0.finalize_reset().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id4_fingerprint_round_trips_through_hex() {
        let fp = Canonical::new("test/v1").text("a").finish();
        let hex = fp.to_string();
        assert_eq!(hex.len(), 64);
        assert_eq!(hex.parse::<Fingerprint>().unwrap(), fp);
        assert_eq!(Fingerprint::from_bytes(*fp.as_bytes()), fp);
        assert!(format!("{fp:?}").contains(&hex));
        for bad in ["", "00", &hex[1..], &format!("{}g", &hex[1..]), "é"] {
            assert_eq!(bad.parse::<Fingerprint>(), Err(FingerprintError), "{bad}");
        }
    }

    #[test]
    fn id4_canonical_encoding_separates_fields() {
        let fp = |fields: &[Option<&str>]| {
            let mut c = Canonical::new("test/v1");
            for field in fields {
                c.option(*field);
            }
            c.finish()
        };
        assert_ne!(fp(&[Some("ab"), Some("c")]), fp(&[Some("a"), Some("bc")]));
        assert_ne!(fp(&[None]), fp(&[Some("")]));
        assert_ne!(fp(&[Some("a"), None]), fp(&[None, Some("a")]));
        assert_eq!(fp(&[Some("a"), None]), fp(&[Some("a"), None]));
        assert_ne!(
            Canonical::new("x/v1").finish(),
            Canonical::new("y/v1").finish()
        );
    }
}
