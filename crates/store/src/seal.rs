//! Sealing at rest (MS-4, RT-3): the key hierarchy and the AEAD envelope.
//!
//! Three levels of keys, all XChaCha20-Poly1305 with random 192-bit nonces:
//! - the **master key** lives outside the database (a 0600 file or the
//!   `CADUCEUS_MASTER_KEY` environment variable) and wraps every account key;
//! - an **account key** per account, wrapped by the master key, kept in the keyring;
//! - a **message key** per stored message, which seals the body blob and the
//!   message metadata, and is wrapped by the key of each account holding a copy.
//!
//! Every sealed value is bound to its context (what it is and which id) through the
//! AEAD associated data, so a sealed value moved to another row does not open.

use std::fmt;
use std::io::Write;
use std::path::Path;

use rand::RngCore;
use zeroize::Zeroizing;

use crate::xchacha::{self, NONCE_LEN, TAG_LEN};

/// Version byte at the start of every sealed value, so the format can evolve.
const FORMAT_V1: u8 = 1;
/// The version byte and the nonce before each ciphertext.
const HEADER_LEN: usize = 1 + NONCE_LEN;

/// Environment variable that may carry the master key (64 hex characters).
pub const MASTER_KEY_ENV: &str = "CADUCEUS_MASTER_KEY";

/// Why a sealed value could not be opened or a key could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The ciphertext, its context or the key do not match: the value was altered,
    /// moved, or its key was destroyed. Nothing is returned.
    #[error("sealed {context} failed its integrity check (altered, moved or wrong key)")]
    Tampered {
        /// What was being opened ("blob", "metadata", "account key", ...).
        context: &'static str,
    },
    /// A key file or variable is malformed.
    #[error("master key {source_name}: {reason}")]
    BadKey {
        /// The file path or environment variable name.
        source_name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A key file could not be read or written.
    #[error("master key file {path}: {source}")]
    Io {
        /// The file path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// A 256-bit symmetric key, zeroized on drop and never printed.
#[derive(Clone)]
pub struct SymmetricKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for SymmetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SymmetricKey([redacted])")
    }
}

impl SymmetricKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        Self(bytes)
    }

    fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(array)))
    }

    /// Seals `plaintext` bound to `context`; the result carries version, nonce and tag.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = Vec::with_capacity(HEADER_LEN + plaintext.len() + TAG_LEN);
        out.push(FORMAT_V1);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(plaintext);
        let tag = xchacha::seal_in_place(&self.0, &nonce, context, &mut out[HEADER_LEN..]);
        out.extend_from_slice(&tag);
        out
    }

    /// Opens a value sealed by [`SymmetricKey::seal`] with the same `context`.
    /// Any altered byte, other context or other key gives [`SealError::Tampered`].
    pub fn open(
        &self,
        context: &[u8],
        sealed: &[u8],
        what: &'static str,
    ) -> Result<Vec<u8>, SealError> {
        self.open_owned(context, sealed.to_vec(), what)
    }

    /// [`SymmetricKey::open`] of a value the caller owns: opened where it lies, the
    /// plaintext taking the ciphertext's place (no second buffer for a body).
    pub fn open_owned(
        &self,
        context: &[u8],
        mut sealed: Vec<u8>,
        what: &'static str,
    ) -> Result<Vec<u8>, SealError> {
        let tampered = || SealError::Tampered { context: what };
        if sealed.len() < HEADER_LEN + TAG_LEN || sealed[0] != FORMAT_V1 {
            return Err(tampered());
        }
        let nonce: [u8; NONCE_LEN] = sealed[1..HEADER_LEN].try_into().expect("24 bytes");
        let plain = xchacha::open_within(&self.0, &nonce, context, &mut sealed, HEADER_LEN)
            .ok_or_else(tampered)?;
        sealed.truncate(plain);
        Ok(sealed)
    }

    /// HMAC-SHA256 of `data` under this key, bound to `context`: a lookup key for
    /// what must be found again but never read back, useless without the key (a
    /// dictionary of addresses gets nothing from a copy of the database).
    pub(crate) fn keyed_hash(&self, context: &[u8], data: &[u8]) -> [u8; 32] {
        use hmac::Mac;
        self.mac(context, data).finalize().into_bytes().into()
    }

    /// Whether `kept` is the [`SymmetricKey::keyed_hash`] of `data` in `context`,
    /// compared in constant time (a typed one-time code against the kept one, AU-1).
    pub(crate) fn keyed_hash_matches(&self, context: &[u8], data: &[u8], kept: &[u8]) -> bool {
        use hmac::Mac;
        self.mac(context, data).verify_slice(kept).is_ok()
    }

    /// The HMAC-SHA256 state under this key once `context` (length first) and `data`
    /// are fed in.
    fn mac(&self, context: &[u8], data: &[u8]) -> hmac::Hmac<sha2::Sha256> {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(self.0.as_ref())
            .expect("HMAC takes a key of any length");
        mac.update(&(context.len() as u64).to_be_bytes());
        mac.update(context);
        mac.update(data);
        mac
    }

    /// Wraps another key under this one, bound to `context`.
    pub fn wrap(&self, context: &[u8], key: &SymmetricKey) -> Vec<u8> {
        self.seal(context, key.0.as_ref())
    }

    /// Unwraps a key wrapped by [`SymmetricKey::wrap`].
    pub fn unwrap_key(
        &self,
        context: &[u8],
        wrapped: &[u8],
        what: &'static str,
    ) -> Result<SymmetricKey, SealError> {
        let bytes = Zeroizing::new(self.open(context, wrapped, what)?);
        SymmetricKey::from_slice(&bytes).ok_or(SealError::Tampered { context: what })
    }
}

/// The master key: kept outside the database, wraps every account key (MS-4).
#[derive(Clone, Debug)]
pub struct MasterKey(SymmetricKey);

impl MasterKey {
    /// A fresh random master key.
    pub fn generate() -> Self {
        Self(SymmetricKey::generate())
    }

    /// Parses 64 hexadecimal characters (surrounding whitespace ignored).
    pub fn from_hex(text: &str, source_name: &str) -> Result<Self, SealError> {
        let bad = |reason: &str| SealError::BadKey {
            source_name: source_name.to_owned(),
            reason: reason.to_owned(),
        };
        let bytes = Zeroizing::new(
            hex::decode(text.trim()).map_err(|_| bad("expected 64 hexadecimal characters"))?,
        );
        SymmetricKey::from_slice(&bytes)
            .map(Self)
            .ok_or_else(|| bad("expected 32 bytes (64 hexadecimal characters)"))
    }

    /// Loads the key from [`MASTER_KEY_ENV`] if set, else from `path`.
    /// A key file readable by group or others is refused.
    pub fn load(path: &Path) -> Result<Self, SealError> {
        if let Ok(value) = std::env::var(MASTER_KEY_ENV) {
            return Self::from_hex(&value, MASTER_KEY_ENV);
        }
        let name = path.display().to_string();
        check_private_file(path, &name)?;
        let text =
            Zeroizing::new(
                std::fs::read_to_string(path).map_err(|source| SealError::Io {
                    path: name.clone(),
                    source,
                })?,
            );
        Self::from_hex(&text, &name)
    }

    /// Writes the key as hex to a new file created with mode 0600; never overwrites.
    pub fn save_new(&self, path: &Path) -> Result<(), SealError> {
        let name = path.display().to_string();
        let io = |source| SealError::Io {
            path: name.clone(),
            source,
        };
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io)?;
        let text = Zeroizing::new(hex::encode(self.0.0.as_ref()));
        file.write_all(text.as_bytes()).map_err(io)?;
        file.sync_all().map_err(io)
    }

    /// The key that wraps account keys.
    pub(crate) fn key(&self) -> &SymmetricKey {
        &self.0
    }
}

#[cfg(unix)]
fn check_private_file(path: &Path, name: &str) -> Result<(), SealError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).map_err(|source| SealError::Io {
        path: name.to_owned(),
        source,
    })?;
    if meta.permissions().mode() & 0o077 != 0 {
        return Err(SealError::BadKey {
            source_name: name.to_owned(),
            reason: format!(
                "file mode is {:o}; it must be readable by its owner only (chmod 600)",
                meta.permissions().mode() & 0o777
            ),
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private_file(_path: &Path, _name: &str) -> Result<(), SealError> {
    Ok(())
}

/// The associated-data contexts, one per kind of sealed value.
pub(crate) mod context {
    /// An account key wrapped by the master key.
    pub fn account_key(account_id: i64) -> Vec<u8> {
        format!("caduceus/account-key/v1/{account_id}").into_bytes()
    }
    /// A message key wrapped by an account key.
    pub fn message_key(key_ref: &str) -> Vec<u8> {
        format!("caduceus/message-key/v1/{key_ref}").into_bytes()
    }
    /// A message body blob sealed by its message key.
    pub fn blob(blob_id: &str) -> Vec<u8> {
        format!("caduceus/blob/v1/{blob_id}").into_bytes()
    }
    /// An account's TOTP secret sealed by its account key (AU-1).
    pub fn totp(account_id: i64) -> Vec<u8> {
        format!("caduceus/totp/v1/{account_id}").into_bytes()
    }
    /// An account's out-of-office setting sealed by its account key (MS-6).
    pub fn absence(account_id: i64) -> Vec<u8> {
        format!("caduceus/absence/v1/{account_id}").into_bytes()
    }
    /// The key of a sender an account's out-of-office answered, hashed under its
    /// account key (MS-6, RFC 3834 §2).
    pub fn absence_sender(account_id: i64) -> Vec<u8> {
        format!("caduceus/absence-sender/v2/{account_id}").into_bytes()
    }
    /// An account's signature sealed by its account key (MS-6).
    pub fn signature(account_id: i64) -> Vec<u8> {
        format!("caduceus/signature/v1/{account_id}").into_bytes()
    }
    /// A new contact address or phone number waiting for its code, sealed by its
    /// account key and bound to its channel (AU-1, MS-7, RT-1).
    pub fn contact_confirmation(account_id: i64, channel: &str) -> Vec<u8> {
        format!("caduceus/contact-confirmation/v1/{account_id}/{channel}").into_bytes()
    }
    /// A login code sent to an account, hashed under its account key (AU-1, MS-4).
    pub fn login_code(account_id: i64) -> Vec<u8> {
        format!("caduceus/login-code/v1/{account_id}").into_bytes()
    }
    /// The code confirming `value`, the new contact of `channel` an account waits
    /// for, hashed under its account key (AU-1, MS-4): bound to the value too, so a
    /// code never confirms a value put in the row after it was sent.
    pub fn contact_code(account_id: i64, channel: &str, value: &str) -> Vec<u8> {
        format!("caduceus/contact-code/v1/{account_id}/{channel}/{value}").into_bytes()
    }
    /// Message metadata (envelope, structure) sealed by its message key.
    pub fn meta(blob_id: &str) -> Vec<u8> {
        format!("caduceus/meta/v1/{blob_id}").into_bytes()
    }
}

/// A random identifier of 128 bits in hex, for blobs and key references.
pub(crate) fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms4_sealed_value_round_trips() {
        let key = SymmetricKey::generate();
        let sealed = key.seal(b"ctx", b"hello");
        assert_eq!(key.open(b"ctx", &sealed, "blob").unwrap(), b"hello");
        assert!(!sealed.windows(5).any(|w| w == b"hello"));
    }

    #[test]
    fn ms4_every_flipped_byte_is_detected() {
        let key = SymmetricKey::generate();
        let sealed = key.seal(b"ctx", b"lab result");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(key.open(b"ctx", &bad, "blob").is_err(), "byte {i}");
        }
    }

    #[test]
    fn ms4_other_context_or_key_does_not_open() {
        let key = SymmetricKey::generate();
        let sealed = key.seal(b"ctx-a", b"x");
        assert!(key.open(b"ctx-b", &sealed, "blob").is_err());
        assert!(
            SymmetricKey::generate()
                .open(b"ctx-a", &sealed, "blob")
                .is_err()
        );
        assert!(key.open(b"ctx-a", &sealed[..10], "blob").is_err());
    }

    #[test]
    fn ms4_wrapped_key_unwraps_only_in_its_context() {
        let outer = SymmetricKey::generate();
        let inner = SymmetricKey::generate();
        let wrapped = outer.wrap(b"k1", &inner);
        let back = outer.unwrap_key(b"k1", &wrapped, "key").unwrap();
        assert_eq!(back.seal(b"c", b"").len(), inner.seal(b"c", b"").len());
        assert_eq!(
            back.open(b"c", &inner.seal(b"c", b"same key"), "t")
                .unwrap(),
            b"same key"
        );
        assert!(outer.unwrap_key(b"k2", &wrapped, "key").is_err());
    }

    #[test]
    fn ms4_master_key_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let key = MasterKey::generate();
        key.save_new(&path).unwrap();
        assert!(key.save_new(&path).is_err(), "never overwrites");
        let loaded = MasterKey::load(&path).unwrap();
        let sealed = key.key().seal(b"c", b"v");
        assert_eq!(loaded.key().open(b"c", &sealed, "t").unwrap(), b"v");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            let err = MasterKey::load(&path).unwrap_err().to_string();
            assert!(err.contains("chmod 600"), "{err}");
        }
    }

    #[test]
    fn ms4_malformed_master_key_is_explained() {
        let err = MasterKey::from_hex("abcd", "env").unwrap_err().to_string();
        assert!(err.contains("32 bytes"), "{err}");
        let err = MasterKey::from_hex("zz", "env").unwrap_err().to_string();
        assert!(err.contains("hexadecimal"), "{err}");
    }

    #[test]
    fn au1_a_keyed_hash_matches_its_data_and_context_only() {
        let key = SymmetricKey::generate();
        let kept = key.keyed_hash(b"ctx", b"123456");
        assert!(key.keyed_hash_matches(b"ctx", b"123456", &kept));
        assert!(!key.keyed_hash_matches(b"ctx", b"123457", &kept));
        assert!(!key.keyed_hash_matches(b"other", b"123456", &kept));
        assert!(!SymmetricKey::generate().keyed_hash_matches(b"ctx", b"123456", &kept));
    }

    #[test]
    fn keys_never_print() {
        let key = MasterKey::generate();
        assert!(format!("{key:?}").contains("redacted"));
    }
}
