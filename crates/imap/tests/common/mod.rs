//! The IMAP tests' world: the shared one of `caduceus-testkit` (service over SQLite,
//! development PKI, accounts), plus IMAP listeners on 127.0.0.1 and Python's
//! `imaplib` scripts as the client.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use caduceus_testkit::*;

use caduceus_imap::{ImapConfig, Limits};

/// Test limits: the defaults with short timeouts and a small literal limit.
pub fn limits() -> Limits {
    Limits {
        idle_timeout: Duration::from_secs(20),
        max_literal: MAX_SIZE as u32,
        max_command: MAX_SIZE as u32 + 64 * 1024,
        shutdown_grace: Duration::from_secs(2),
        poll_every: Duration::from_millis(200),
        ..Limits::default()
    }
}

/// Starts an IMAP listener on 127.0.0.1 (143-like with STARTTLS, or 993-like with
/// implicit TLS), asking clients for an optional certificate of the development CA.
pub async fn listen(w: &World, implicit_tls: bool) -> Listener {
    let config = Arc::new(ImapConfig {
        tls: server_tls(w),
        implicit_tls,
        hostname: "mail.caduceus.test".into(),
        limits: limits(),
    });
    let service = w.service.clone();
    spawn_listener(|listener, stop| caduceus_imap::serve(listener, config, service, stop)).await
}

/// Runs `tests/scripts/<script>.py` with `key=value` arguments; it must exit 0.
pub async fn python(script: &str, args: &[(&str, String)]) -> Run {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scripts/{script}.py"));
    caduceus_testkit::python(&path, args, "imaplib").await
}

/// Delivers `raw` to `to`'s INBOX as the relay would.
pub async fn deliver(w: &World, to: &str, raw: &str) {
    w.service
        .deliver_local(
            &caduceus_service::Caller::system(),
            &[addr(to)],
            raw.as_bytes(),
        )
        .await
        .unwrap();
}

/// The trace actions recorded so far, in order.
pub async fn actions(w: &World) -> Vec<String> {
    use caduceus_store::Store;
    w.store
        .trace_entries(0, i64::MAX)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}
