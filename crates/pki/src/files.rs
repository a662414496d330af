//! Reading PEM certificates and keys, and writing PKI files with the right permissions.
//!
//! Private keys are always created with mode `0600` from the start (never created
//! world-readable and narrowed afterwards); certificates get `0644`.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls_pki_types::pem::{self, PemObject};
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};

use crate::PkiError;

/// Mode of private key files.
const PRIVATE_MODE: u32 = 0o600;
/// Mode of certificate files.
const PUBLIC_MODE: u32 = 0o644;

/// Turns a PEM parser error about `path` into a [`PkiError`], using `none` when the file holds no item.
fn pem_error(path: &Path, err: pem::Error, none: PkiError) -> PkiError {
    match err {
        pem::Error::Io(source) => PkiError::io("read", path, source),
        pem::Error::NoItemsFound => none,
        other => PkiError::Pem {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    }
}

/// Reads every certificate of a PEM file, in file order (leaf first for a chain).
///
/// Fails with [`PkiError::NoCertificate`] when the file holds none.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, PkiError> {
    let no_cert = || PkiError::NoCertificate {
        path: path.to_owned(),
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_error(path, e, no_cert()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e, no_cert()))?;
    if certs.is_empty() {
        return Err(no_cert());
    }
    Ok(certs)
}

/// Reads the first private key (PKCS#8, SEC1 or PKCS#1) of a PEM file.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, PkiError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| {
        pem_error(
            path,
            e,
            PkiError::NoKey {
                path: path.to_owned(),
            },
        )
    })
}

/// Reads every certificate revocation list of a PEM file (AU-1: revoked CPS-like
/// certificates are refused). An empty file is an error: say "no CRL" by passing none.
pub fn load_crls(path: &Path) -> Result<Vec<CertificateRevocationListDer<'static>>, PkiError> {
    let none = || PkiError::Pem {
        path: path.to_owned(),
        reason: "no X509 CRL block".into(),
    };
    let crls = CertificateRevocationListDer::pem_file_iter(path)
        .map_err(|e| pem_error(path, e, none()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e, none()))?;
    if crls.is_empty() {
        return Err(none());
    }
    Ok(crls)
}

/// Reads a PEM bundle of trusted CA certificates into a rustls root store.
///
/// Every certificate of the bundle must be a usable trust anchor; an empty bundle is an error.
pub fn load_roots(path: &Path) -> Result<RootCertStore, PkiError> {
    let mut roots = RootCertStore::empty();
    for (i, cert) in load_certs(path)?.into_iter().enumerate() {
        roots.add(cert).map_err(|e| PkiError::Certificate {
            origin: format!("#{} in {}", i + 1, path.display()),
            reason: format!("not usable as a trust anchor: {e}"),
        })?;
    }
    Ok(roots)
}

/// Options to create a new file with the mode suited to its content.
fn options(private: bool) -> OpenOptions {
    let mut options = OpenOptions::new();
    options
        .write(true)
        .create_new(true)
        .mode(if private { PRIVATE_MODE } else { PUBLIC_MODE });
    options
}

/// Writes `contents` to `path`, which must not exist yet (never overwrites).
///
/// `private` files (keys) are created with mode `0600`.
pub(crate) fn write_new(path: &Path, contents: &[u8], private: bool) -> Result<(), PkiError> {
    let mut file = options(private).open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            PkiError::AlreadyExists {
                path: path.to_owned(),
            }
        } else {
            PkiError::io("create", path, e)
        }
    })?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .map_err(|e| PkiError::io("write", path, e))
}

/// Writes `contents` to `path`, atomically replacing any existing file.
///
/// The data goes to a fresh temporary file in the same directory, created with the final
/// mode (`0600` for `private` files), which is then renamed over `path`; an existing file
/// with looser permissions therefore never receives the new content.
pub(crate) fn write_replace(path: &Path, contents: &[u8], private: bool) -> Result<(), PkiError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp: PathBuf = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    match fs::remove_file(&tmp) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(PkiError::io("remove stale", &tmp, e)),
    }
    let result = write_new(&tmp, contents, private)
        .and_then(|()| fs::rename(&tmp, path).map_err(|e| PkiError::io("replace", path, e)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Reads a whole text file.
pub(crate) fn read_text(path: &Path) -> Result<String, PkiError> {
    fs::read_to_string(path).map_err(|e| PkiError::io("read", path, e))
}
