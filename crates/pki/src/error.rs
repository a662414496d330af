//! The error type of this crate.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while creating, loading or using the PKI.
///
/// Messages name the file involved and what is wrong with it, for example
/// `no certificate found in /x/server.pem`.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum PkiError {
    /// A file or directory could not be read, written or created.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done ("read", "create", ...).
        action: &'static str,
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },

    /// [`DevPki::create`](crate::DevPki::create) found an existing file it would have overwritten.
    #[error("{} already exists: refusing to overwrite an existing development PKI", path.display())]
    AlreadyExists {
        /// The file that already exists.
        path: PathBuf,
    },

    /// A PEM file holds no certificate.
    #[error("no certificate found in {}", path.display())]
    NoCertificate {
        /// The PEM file.
        path: PathBuf,
    },

    /// A PEM file holds no private key.
    #[error("no private key found in {}", path.display())]
    NoKey {
        /// The PEM file.
        path: PathBuf,
    },

    /// A PEM file is malformed.
    #[error("invalid PEM in {}: {reason}", path.display())]
    Pem {
        /// The PEM file.
        path: PathBuf,
        /// What the PEM parser reported.
        reason: String,
    },

    /// A private key could not be used (unsupported algorithm, corrupt encoding, ...).
    #[error("unusable private key in {}: {reason}", path.display())]
    Key {
        /// The key file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A certificate could not be parsed or is not what it should be.
    #[error("invalid certificate {origin}: {reason}")]
    Certificate {
        /// Where it came from, e.g. `in /x/ca.pem` or `(DER input)`.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A private key does not belong to the certificate it is paired with.
    #[error("the private key in {} does not match the certificate in {}", key.display(), cert.display())]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },

    /// An argument (domain, national identifier, e-mail address, file stem, ...) is not acceptable.
    #[error("invalid {field} {value:?}: {reason}")]
    InvalidInput {
        /// Which argument.
        field: &'static str,
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: String,
    },

    /// rcgen could not generate a key or a certificate.
    #[error("cannot generate {what}: {source}")]
    Generate {
        /// What was being generated.
        what: String,
        /// The rcgen error.
        #[source]
        source: rcgen::Error,
    },

    /// rustls refused the TLS configuration (for example a key that does not match the certificate).
    #[error("cannot build the TLS configuration from {context}: {source}")]
    Tls {
        /// The files involved.
        context: String,
        /// The rustls error.
        #[source]
        source: rustls::Error,
    },

    /// The client-certificate verifier could not be built from a CA bundle.
    #[error("cannot build a client certificate verifier from {}: {source}", path.display())]
    Verifier {
        /// The CA bundle.
        path: PathBuf,
        /// The rustls error.
        #[source]
        source: rustls::server::VerifierBuilderError,
    },
}

impl PkiError {
    /// Shorthand for [`PkiError::Io`].
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        PkiError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Shorthand for [`PkiError::InvalidInput`].
    pub(crate) fn invalid(field: &'static str, value: &str, reason: impl Into<String>) -> Self {
        PkiError::InvalidInput {
            field,
            value: value.to_owned(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`PkiError::Generate`].
    pub(crate) fn generate(what: impl Into<String>) -> impl FnOnce(rcgen::Error) -> Self {
        let what = what.into();
        move |source| PkiError::Generate { what, source }
    }
}
