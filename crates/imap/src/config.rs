//! What one IMAP listener needs to know: its TLS identity, whether TLS is implicit
//! (port 993) or started by the client (port 143), its name, its limits.

use std::sync::Arc;
use std::time::Duration;

/// The configuration of one IMAP listener.
#[derive(Clone, Debug)]
pub struct ImapConfig {
    /// The server's TLS configuration; with optional client authentication a client
    /// certificate enables `AUTHENTICATE EXTERNAL` (AU-1).
    pub tls: Arc<rustls::ServerConfig>,
    /// `true` for implicit TLS (RFC 8314, port 993); `false` for port 143, where the
    /// client must issue `STARTTLS` before anything but CAPABILITY, NOOP and LOGOUT.
    pub implicit_tls: bool,
    /// The name the server gives in its greeting.
    pub hostname: String,
    /// Bounds on sessions.
    pub limits: Limits,
}

impl ImapConfig {
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

/// The bounds of IMAP sessions, with production defaults.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Sessions open at once on the listener.
    pub max_sessions: usize,
    /// Sessions open at once from one address (an IPv6 /64), so that one client
    /// cannot take them all (AU-3); one more is told `* BYE`.
    pub max_per_source: usize,
    /// Largest literal (an APPENDed message): larger ones are refused before they
    /// are read. Should be the service's message size limit.
    pub max_literal: u32,
    /// Largest command line with its literals.
    pub max_command: u32,
    /// How long a session may stay silent, IDLE included (RFC 9051 §5.4: at least
    /// 30 minutes).
    pub idle_timeout: Duration,
    /// Time for the TLS handshake.
    pub handshake: Duration,
    /// Protocol errors (BAD) in a row before the session is closed.
    pub max_errors: u32,
    /// Commands one session may send (MS-13: a burst of `count`, then one every
    /// `per / count`); over it a command gets `NO [LIMIT]`. `None`: no limit.
    pub command_rate: Option<caduceus_core::RateLimit>,
    /// Grace given to busy sessions on shutdown.
    pub shutdown_grace: Duration,
    /// How long a login lasts, however active: then `BYE`, and the client logs in
    /// again (its credential checked anew).
    pub max_login: Duration,
    /// How often, at most, a logged-in session asks whether its login still holds
    /// (device revoked, account suspended: AU-2, ID-2) before a command.
    pub recheck_every: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_sessions: 20_000,
            max_per_source: 500,
            max_literal: 25 * 1024 * 1024,
            max_command: 25 * 1024 * 1024 + 64 * 1024,
            idle_timeout: Duration::from_secs(31 * 60),
            handshake: Duration::from_secs(30),
            max_errors: 20,
            command_rate: Some(caduceus_core::RateLimit {
                count: 6000,
                per: Duration::from_secs(60),
            }),
            shutdown_grace: Duration::from_secs(10),
            max_login: Duration::from_secs(12 * 3600),
            recheck_every: Duration::from_secs(5),
        }
    }
}
