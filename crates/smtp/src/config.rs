//! What one submission listener needs to know: its TLS identity, whether TLS is
//! implicit (port 465) or started by the client (port 587), its name, its limits.

use std::sync::Arc;

use crate::Limits;

/// The configuration of one submission listener (RFC 6409).
#[derive(Clone, Debug)]
pub struct SubmissionConfig {
    /// The server's TLS configuration; with optional client authentication (see
    /// `caduceus_pki::server_config_with_crls`) a client certificate enables
    /// `AUTH EXTERNAL` (AU-1).
    pub tls: Arc<rustls::ServerConfig>,
    /// `true` for implicit TLS (RFC 8314, port 465): the handshake comes first.
    /// `false` for port 587: the client must issue `STARTTLS` before authenticating.
    pub implicit_tls: bool,
    /// The name the server gives in its greeting, its EHLO reply and its `Received:`
    /// header, e.g. `mail.caduceus.example`.
    pub hostname: String,
    /// Bounds on sessions.
    pub limits: Limits,
}

impl SubmissionConfig {
    /// A configuration with the default [`Limits`].
    pub fn new(tls: Arc<rustls::ServerConfig>, implicit_tls: bool, hostname: &str) -> Self {
        Self {
            tls,
            implicit_tls,
            hostname: hostname.to_owned(),
            limits: Limits::default(),
        }
    }
}
