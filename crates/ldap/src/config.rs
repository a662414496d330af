//! What one LDAP listener needs to know: its TLS identity, whether TLS is implicit
//! (`ldaps`, port 636) or started by the client (StartTLS, port 389), the operator's
//! domain (the directory's names), its limits.

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::Domain;

/// The configuration of one LDAP listener.
#[derive(Clone, Debug)]
pub struct LdapConfig {
    /// The server's TLS configuration, the one every listener presents.
    pub tls: Arc<rustls::ServerConfig>,
    /// `true` for implicit TLS (`ldaps`); `false` for the plain port, where no bind
    /// is accepted before the StartTLS operation.
    pub implicit_tls: bool,
    /// The operator's domain: the naming context is `dc=<label>,…` of it.
    pub domain: Domain,
    /// Bounds on sessions.
    pub limits: Limits,
}

impl LdapConfig {
    /// A configuration with the default [`Limits`].
    pub fn new(tls: Arc<rustls::ServerConfig>, implicit_tls: bool, domain: Domain) -> Self {
        Self {
            tls,
            implicit_tls,
            domain,
            limits: Limits::default(),
        }
    }
}

/// The bounds of LDAP sessions, with production defaults.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Sessions open at once on the listener; a connection over it is closed.
    pub max_sessions: usize,
    /// Sessions open at once from one address (an IPv6 /64), so that one client
    /// cannot take them all (AU-3); one more is closed.
    pub max_per_source: usize,
    /// Largest request, in bytes (a search filter, a bind): larger ones end the
    /// session.
    pub max_request: usize,
    /// How long a session may stay silent between requests.
    pub idle_timeout: Duration,
    /// Time for the TLS handshake.
    pub handshake: Duration,
    /// Grace given to busy sessions on shutdown.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_sessions: 2_000,
            max_per_source: 500,
            max_request: 32 * 1024,
            idle_timeout: Duration::from_secs(5 * 60),
            handshake: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}
