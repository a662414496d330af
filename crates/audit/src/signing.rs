//! The checkpoint signing key and signed checkpoints (TR-1, TR-2).
//!
//! The signing key lives in a file outside the database (mode 0600); the verifying
//! key can be handed to an auditor. A checkpoint signs `(seq, hash, at_ms)`: to forge
//! history an attacker would need the key, not just write access to the database.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};

pub use ed25519_dalek::VerifyingKey;

use crate::chain::{Entry, Hash};

/// Why a key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The signing key file is readable by others.
    #[error(
        "{path} has mode {mode:o}; a trace signing key must be readable by its owner only (chmod 600)"
    )]
    Permissions {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file does not hold a key of the expected kind.
    #[error("{path} does not hold an Ed25519 {what} in PEM form: {reason}")]
    Format {
        /// The key file.
        path: PathBuf,
        /// "private key" or "public key".
        what: &'static str,
        /// What the decoder said.
        reason: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> KeyError + '_ {
    move |source| KeyError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes `contents` to a new file with `mode`, refusing to overwrite, and syncs it.
fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), KeyError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .map_err(io_error(path))?;
    file.write_all(contents).map_err(io_error(path))?;
    file.sync_all().map_err(io_error(path))
}

/// The Ed25519 key that signs checkpoints. Its `Debug` output shows the public half only.
pub struct TraceSigner {
    key: SigningKey,
}

impl std::fmt::Debug for TraceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TraceSigner")
            .field("verifying_key", &self.key.verifying_key())
            .finish_non_exhaustive()
    }
}

impl TraceSigner {
    /// A fresh random key.
    pub fn generate() -> TraceSigner {
        TraceSigner {
            key: SigningKey::generate(&mut rand::rngs::OsRng),
        }
    }

    /// Loads a PKCS#8 PEM key, refusing a file that group or others can read.
    pub fn load(path: &Path) -> Result<TraceSigner, KeyError> {
        let metadata = std::fs::metadata(path).map_err(io_error(path))?;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(KeyError::Permissions {
                path: path.to_owned(),
                mode,
            });
        }
        let pem = std::fs::read_to_string(path).map_err(io_error(path))?;
        let key = SigningKey::from_pkcs8_pem(&pem).map_err(|e| KeyError::Format {
            path: path.to_owned(),
            what: "private key",
            reason: e.to_string(),
        })?;
        Ok(TraceSigner { key })
    }

    /// Writes the key as PKCS#8 PEM to a new file with mode 0600; never overwrites.
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        let pem = self
            .key
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| KeyError::Format {
                path: path.to_owned(),
                what: "private key",
                reason: e.to_string(),
            })?;
        write_new(path, pem.as_bytes(), 0o600)
    }

    /// The public half, for verifiers.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// Writes a verifying key as SPKI PEM to a new file (mode 0644); never overwrites.
pub fn save_verifying_key(key: &VerifyingKey, path: &Path) -> Result<(), KeyError> {
    let pem = key
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError::Format {
            path: path.to_owned(),
            what: "public key",
            reason: e.to_string(),
        })?;
    write_new(path, pem.as_bytes(), 0o644)
}

/// Reads a verifying key written by [`save_verifying_key`].
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey, KeyError> {
    let pem = std::fs::read_to_string(path).map_err(io_error(path))?;
    VerifyingKey::from_public_key_pem(&pem).map_err(|e| KeyError::Format {
        path: path.to_owned(),
        what: "public key",
        reason: e.to_string(),
    })
}

/// A signed statement that entry `seq` of the chain has hash `hash`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The entry signed for.
    pub seq: i64,
    /// That entry's hash.
    pub hash: Hash,
    /// When the checkpoint was made.
    pub at_ms: i64,
    /// Ed25519 signature over [`Checkpoint::message`].
    pub signature: [u8; 64],
}

impl Checkpoint {
    /// Signs `(seq, hash, at_ms)` with `signer`.
    pub fn sign(seq: i64, hash: Hash, at_ms: i64, signer: &TraceSigner) -> Checkpoint {
        let signature = signer.sign(&Checkpoint::message(seq, &hash, at_ms));
        Checkpoint {
            seq,
            hash,
            at_ms,
            signature,
        }
    }

    /// The bytes a checkpoint's signature covers.
    pub fn message(seq: i64, hash: &Hash, at_ms: i64) -> Vec<u8> {
        let mut message = b"caduceus-checkpoint-v1".to_vec();
        message.extend_from_slice(&seq.to_be_bytes());
        message.extend_from_slice(hash.as_bytes());
        message.extend_from_slice(&at_ms.to_be_bytes());
        message
    }

    /// Whether the signature is `key`'s over this checkpoint's content.
    pub fn is_signed_by(&self, key: &VerifyingKey) -> bool {
        let message = Checkpoint::message(self.seq, &self.hash, self.at_ms);
        key.verify(&message, &Signature::from_bytes(&self.signature))
            .is_ok()
    }
}

/// Whether entry `seq` gets a checkpoint when one is made every `every` entries.
pub fn should_checkpoint(seq: i64, every: i64) -> bool {
    every > 0 && seq > 0 && seq % every == 0
}

/// The anchor left when entries up to and including `last` are purged (TR-2): a
/// checkpoint on `last`, so the first remaining entry's link can still be checked.
pub fn purge_cut(last: &Entry, at_ms: i64, signer: &TraceSigner) -> Checkpoint {
    Checkpoint::sign(last.seq, last.hash, at_ms, signer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tr1_checkpoints_verify_with_the_right_key_only() {
        let signer = TraceSigner::generate();
        let checkpoint = Checkpoint::sign(10, Hash::from([3; 32]), 99, &signer);
        assert!(checkpoint.is_signed_by(&signer.verifying_key()));
        assert!(!checkpoint.is_signed_by(&TraceSigner::generate().verifying_key()));
        for forged in [
            Checkpoint {
                seq: 11,
                ..checkpoint.clone()
            },
            Checkpoint {
                hash: Hash::from([4; 32]),
                ..checkpoint.clone()
            },
            Checkpoint {
                at_ms: 98,
                ..checkpoint.clone()
            },
        ] {
            assert!(!forged.is_signed_by(&signer.verifying_key()), "{forged:?}");
        }
    }

    #[test]
    fn checkpoint_schedule() {
        assert!(should_checkpoint(100, 100));
        assert!(!should_checkpoint(101, 100));
        assert!(!should_checkpoint(0, 100));
        assert!(!should_checkpoint(5, 0));
    }

    #[test]
    fn keys_round_trip_through_files_with_safe_modes() {
        let dir = tempfile::tempdir().unwrap();
        let signer = TraceSigner::generate();
        let private = dir.path().join("trace.key");
        let public = dir.path().join("trace.pub");
        signer.save(&private).unwrap();
        save_verifying_key(&signer.verifying_key(), &public).unwrap();
        let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let loaded = TraceSigner::load(&private).unwrap();
        assert_eq!(loaded.verifying_key(), signer.verifying_key());
        assert_eq!(load_verifying_key(&public).unwrap(), signer.verifying_key());
        assert!(
            matches!(signer.save(&private), Err(KeyError::Io { .. })),
            "never overwrites"
        );
        assert!(
            !format!("{signer:?}").contains("SigningKey"),
            "Debug shows the public half only"
        );
    }

    #[test]
    fn a_signing_key_readable_by_others_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.key");
        TraceSigner::generate().save(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let error = TraceSigner::load(&path).unwrap_err();
        assert!(error.to_string().contains("chmod 600"), "{error}");
    }

    #[test]
    fn a_garbage_key_file_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("trace.pub");
        std::fs::write(&path, "not a key").unwrap();
        let error = load_verifying_key(&path).unwrap_err();
        assert!(error.to_string().contains("Ed25519 public key"), "{error}");
    }
}
