//! The bounds every session lives within: line length, timeouts, error count,
//! concurrent sessions. Each one, when hit, gets a clear reply before anything is closed.

use std::time::Duration;

/// Bounds on sessions. [`Limits::default`] gives values fit for production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Longest command line, terminator included (RFC 5321 allows 512; AUTH lines
    /// carrying an OpenID access token need more, RFC 4954 §4 allows 12288). A longer line is answered `500 5.5.2` and discarded.
    pub max_line: usize,
    /// How long a client may stay silent (waiting for a command, inside DATA, during
    /// an AUTH exchange) before `421 4.4.2` and the connection is closed.
    pub idle: Duration,
    /// The longest a whole session may last, however busy; then `421 4.4.2`.
    pub session: Duration,
    /// How long the TLS handshake may take (implicit TLS and STARTTLS).
    pub handshake: Duration,
    /// Bad commands (syntax, sequence, failed AUTH, lines too long) tolerated in one
    /// session; the last one is answered, then `421 4.7.0` and the connection is closed.
    pub max_errors: u32,
    /// Sessions served at once by one listener; a connection over the limit is told
    /// `421 4.3.2` (in clear on a STARTTLS port, simply closed on an implicit-TLS port).
    pub max_sessions: usize,
    /// Sessions open at once from one address (an IPv6 /64) on one listener, so that
    /// one client cannot take them all (AU-3); one more is told `421 4.7.0`.
    pub max_per_source: usize,
    /// On stop, how long open sessions may take to finish the command under way before
    /// they are cut.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    /// 4096-byte lines, 5 minutes idle, 30 minutes per session, 30 seconds per TLS
    /// handshake, 10 errors, 1000 sessions (500 per source), 30 seconds of grace on
    /// stop.
    fn default() -> Self {
        Self {
            max_line: 12288,
            idle: Duration::from_secs(5 * 60),
            session: Duration::from_secs(30 * 60),
            handshake: Duration::from_secs(30),
            max_errors: 10,
            max_sessions: 1000,
            max_per_source: 500,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}
