//! Development PKI and TLS configuration for Caduceus.
//!
//! Creates a self-signed *development* health CA with a server certificate, issues CPS-like
//! user certificates (carrying the national identifier in the subject `serialNumber`) and
//! peer-operator certificates, builds rustls server and client configurations (ring
//! provider, TLS 1.2 and 1.3 only, optional or mandatory client certificates), and reads
//! the identity out of a verified client certificate.
//!
//! # Layout
//!
//! - [`dev_ca`] — [`DevPki`], [`IssuedCert`]: creating and opening the development CA,
//!   issuing server, user (CPS-like) and operator certificates.
//! - [`request`] — [`read_request`], [`DevPki::sign_user_request`]: certificates for
//!   keys made on the user's side, from a PKCS#10 request (MS-3);
//!   [`DevPki::issue_report_signer`]: the certificate signing notifications (MS-16).
//! - [`smime`] — which certificates can receive encrypted mail, the CMS envelope of an
//!   entity for one (encryption at rest, MS-3), the users' certificates the PKI keeps.
//! - [`crl`] — revoking development certificates and signing the CRL file (AU-1).
//! - [`identity`] — [`CertIdentity`]: what a certificate says about its holder.
//! - [`dn`] — [`normalize_dn`]: distinguished-name normalization for trust-list comparison.
//! - [`tls`] — [`server_config`], [`client_config`], [`ClientAuth`], [`peer_identity`]:
//!   rustls configurations (ring, TLS 1.2/1.3) and the verified peer's identity.
//! - [`files`] — [`load_certs`], [`load_key`], [`load_roots`], and writing keys with mode 0600.
//! - [`error`] — [`PkiError`].

pub mod crl;
pub mod dev_ca;
pub mod dn;
pub mod error;
pub mod files;
pub mod identity;
pub mod request;
pub mod smime;
pub mod tls;

pub use dev_ca::{DevPki, IssuedCert};
pub use dn::normalize_dn;
pub use error::PkiError;
pub use files::{load_certs, load_crls, load_key, load_roots};
pub use identity::CertIdentity;
pub use request::{
    KeyKind, REPORT_SIGNER, UserSubject, client_key_and_request, read_request, sign_in,
};
pub use tls::{ClientAuth, client_config, peer_identity, server_config, server_config_with_crls};
