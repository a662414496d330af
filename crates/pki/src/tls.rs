//! rustls server and client configurations (ring provider, TLS 1.2 and 1.3 only) and the
//! identity of a connection's peer.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls::version::{TLS12, TLS13};
use rustls::{ClientConfig, CommonState, ServerConfig, SupportedProtocolVersion};

use crate::files::{load_certs, load_crls, load_key, load_roots};
use crate::{CertIdentity, PkiError};

/// The protocol versions offered and accepted: TLS 1.3 and TLS 1.2, nothing older.
const VERSIONS: &[&SupportedProtocolVersion] = &[&TLS13, &TLS12];

/// Whether and how a server asks clients for a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuth {
    /// No client certificate is requested.
    None,
    /// A client certificate is requested and, if presented, must chain to a CA of the given
    /// PEM bundle; clients without one are still accepted.
    Optional(PathBuf),
    /// A client certificate chaining to a CA of the given PEM bundle is mandatory.
    Required(PathBuf),
}

/// The crypto provider used everywhere: rustls' ring provider.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A webpki client-certificate verifier trusting the CAs of the PEM `bundle`, and
/// refusing end-entity certificates listed in the CRL files `crls` (AU-1).
fn client_verifier(
    bundle: &Path,
    crls: &[PathBuf],
    provider: &Arc<CryptoProvider>,
    optional: bool,
) -> Result<Arc<dyn ClientCertVerifier>, PkiError> {
    let roots = Arc::new(load_roots(bundle)?);
    let mut verifier = WebPkiClientVerifier::builder_with_provider(roots, provider.clone());
    if optional {
        verifier = verifier.allow_unauthenticated();
    }
    if !crls.is_empty() {
        let mut lists = Vec::new();
        for path in crls {
            lists.extend(load_crls(path)?);
        }
        // Users' certificates are checked; a certificate whose issuer publishes no CRL
        // here is refused rather than trusted blindly.
        verifier = verifier.with_crls(lists).only_check_end_entity_revocation();
    }
    verifier.build().map_err(|source| PkiError::Verifier {
        path: bundle.to_owned(),
        source,
    })
}

/// Builds a rustls server configuration from a PEM certificate chain and key, with the ring
/// provider, TLS 1.2 and 1.3 only, no ALPN protocols, and client authentication as asked
/// (a webpki verifier trusting the roots of the bundle).
pub fn server_config(
    cert: &Path,
    key: &Path,
    client_auth: ClientAuth,
) -> Result<Arc<ServerConfig>, PkiError> {
    server_config_with_crls(cert, key, client_auth, &[])
}

/// Like [`server_config`], and client certificates listed in the PEM CRL files `crls`
/// are refused at the handshake (AU-1: revocation through a CRL file).
pub fn server_config_with_crls(
    cert: &Path,
    key: &Path,
    client_auth: ClientAuth,
    crls: &[PathBuf],
) -> Result<Arc<ServerConfig>, PkiError> {
    let provider = provider();
    let context = || format!("{} and {}", cert.display(), key.display());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(VERSIONS)
        .map_err(|source| PkiError::Tls {
            context: context(),
            source,
        })?;
    let builder = match client_auth {
        ClientAuth::None => builder.with_no_client_auth(),
        ClientAuth::Optional(bundle) => {
            builder.with_client_cert_verifier(client_verifier(&bundle, crls, &provider, true)?)
        }
        ClientAuth::Required(bundle) => {
            builder.with_client_cert_verifier(client_verifier(&bundle, crls, &provider, false)?)
        }
    };
    let config = builder
        .with_single_cert(load_certs(cert)?, load_key(key)?)
        .map_err(|source| PkiError::Tls {
            context: context(),
            source,
        })?;
    Ok(Arc::new(config))
}

/// Builds a rustls client configuration trusting only the roots of the PEM bundle `ca`,
/// with the ring provider and TLS 1.2 and 1.3 only; `identity` is an optional
/// `(certificate chain, key)` pair of PEM files presented for mutual TLS.
pub fn client_config(
    ca: &Path,
    identity: Option<(&Path, &Path)>,
) -> Result<Arc<ClientConfig>, PkiError> {
    let roots = load_roots(ca)?;
    let builder = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(VERSIONS)
        .map_err(|source| PkiError::Tls {
            context: ca.display().to_string(),
            source,
        })?
        .with_root_certificates(roots);
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => builder
            .with_client_auth_cert(load_certs(cert)?, load_key(key)?)
            .map_err(|source| PkiError::Tls {
                context: format!("{} and {}", cert.display(), key.display()),
                source,
            })?,
    };
    Ok(Arc::new(config))
}

/// The identity in the certificate the peer presented, once the handshake is finished.
///
/// On a server connection (pass a `&rustls::ServerConnection`; it derefs to
/// [`CommonState`]) this is the client certificate, which rustls only exposes after the
/// configured verifier accepted it. `None` when no certificate was presented (or the
/// handshake is not finished, or the certificate cannot be parsed).
pub fn peer_identity(conn: &CommonState) -> Option<CertIdentity> {
    let leaf = conn.peer_certificates()?.first()?;
    CertIdentity::from_der(leaf).ok()
}
