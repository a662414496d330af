//! Antivirus (MS-13) against a real ClamAV daemon: every message is scanned before
//! it is accepted; infected → refused with the signature's name, clamd unreachable
//! or answering an error → temporarily unavailable, and nothing is stored either way.
//!
//! The tests share one clamd started by `scripts/clamd-test.sh` on 127.0.0.1 with a
//! test database that detects the EICAR test file, or the clamd at
//! `CADUCEUS_TEST_CLAMD` (`host:port`) when set. They never skip: without clamd they
//! fail and say what to install.

use caduceus_service::actor::testing;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use caduceus_core::AccountState;
use caduceus_service::ServiceError;
use caduceus_service::antivirus::{Clamd, ClamdAddress, Scanner, Verdict};
use caduceus_store::Store;

mod common;

use common::*;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/clamd-test.sh");

/// The EICAR test file (68 bytes), assembled at run time so this source file is not
/// itself flagged by a scanner on the developer's machine.
fn eicar() -> Vec<u8> {
    let eicar = [
        "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR",
        "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
    ]
    .concat()
    .into_bytes();
    assert_eq!(eicar.len(), 68);
    eicar
}

/// A clamd started by the script; stopped on drop.
struct ClamdProcess {
    dir: PathBuf,
    tcp: String,
    unix: PathBuf,
    /// Stop on drop (a shared instance is stopped by the script's watcher instead).
    stop_on_drop: bool,
}

impl ClamdProcess {
    /// Starts clamd on a free port. With `shared`, the script stops it and removes its
    /// directory once this test process has exited (statics are never dropped).
    fn start(shared: bool) -> Self {
        let mut last_error = String::new();
        for _ in 0..3 {
            let dir = tempfile::Builder::new()
                .prefix("caduceus-clamd-")
                .tempdir()
                .expect("a temporary directory for clamd")
                .keep();
            let port = free_port();
            let mut command = Command::new("bash");
            command
                .arg(SCRIPT)
                .arg("start")
                .arg(&dir)
                .arg(port.to_string());
            if shared {
                command.arg(std::process::id().to_string());
            }
            let started = Instant::now();
            let output = command.output().expect("running scripts/clamd-test.sh");
            if output.status.success() {
                eprintln!(
                    "clamd on 127.0.0.1:{port} (pid {}) started in {:?}",
                    String::from_utf8_lossy(&output.stdout).trim(),
                    started.elapsed()
                );
                return Self {
                    unix: dir.join("clamd.sock"),
                    dir,
                    tcp: format!("127.0.0.1:{port}"),
                    stop_on_drop: !shared,
                };
            }
            last_error = String::from_utf8_lossy(&output.stderr).into_owned();
            let _ = std::fs::remove_dir_all(&dir);
            if !last_error.contains("choose another port") && !last_error.contains("listen on") {
                break;
            }
        }
        panic!(
            "could not start clamd for the MS-13 tests with scripts/clamd-test.sh: {last_error}\n\
             Install ClamAV's daemon (Debian/Ubuntu: `sudo apt-get install clamav-daemon`), \
             or set CADUCEUS_TEST_CLAMD=host:port to a running clamd whose database detects \
             the EICAR test file."
        );
    }

    fn stop(&self) {
        let status = Command::new("bash")
            .arg(SCRIPT)
            .arg("stop")
            .arg(&self.dir)
            .status()
            .expect("running scripts/clamd-test.sh stop");
        assert!(status.success(), "scripts/clamd-test.sh stop failed");
    }
}

impl Drop for ClamdProcess {
    fn drop(&mut self) {
        if self.stop_on_drop {
            self.stop();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port on 127.0.0.1")
        .port()
}

/// Where the shared clamd listens: `CADUCEUS_TEST_CLAMD`, or one started once for
/// every test of this file.
struct Shared {
    tcp: String,
    /// Its Unix socket, when this file started it.
    unix: Option<PathBuf>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| match std::env::var("CADUCEUS_TEST_CLAMD") {
        Ok(tcp) if !tcp.trim().is_empty() => Shared {
            tcp: tcp.trim().to_owned(),
            unix: None,
        },
        _ => {
            let process = ClamdProcess::start(true);
            let shared = Shared {
                tcp: process.tcp.clone(),
                unix: Some(process.unix.clone()),
            };
            // The script's watcher stops it when this process exits.
            std::mem::forget(process);
            shared
        }
    })
}

fn clamd() -> Arc<Clamd> {
    Arc::new(Clamd::new(ClamdAddress::Tcp(shared().tcp.clone())))
}

/// Alice and Bob, both active; the service scans with `scanner`.
async fn scanned_world(max_message_size: usize, scanner: Arc<dyn Scanner>) -> World {
    let mut w = world_with(max_message_size).await;
    person(&w, "alice", "810003090833", true).await;
    person(&w, "bob", "810000000009", true).await;
    w.service = w.service.clone().with_scanner(scanner);
    w
}

async fn bobs_inbox_count(w: &World) -> usize {
    let bob = w
        .service
        .account_by_address(&addr("bob@caduceus.test"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.state, AccountState::Active);
    let inbox = w.store.mailbox(bob.id, "INBOX").await.unwrap().unwrap();
    w.store.messages(inbox.id).await.unwrap().len()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let b = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= group.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A multipart message carrying `attachment` as a base64 `application/octet-stream`.
fn with_attachment(attachment: &[u8]) -> Vec<u8> {
    let encoded = base64(attachment);
    let mut lines = String::new();
    for line in encoded.as_bytes().chunks(76) {
        lines.push_str(std::str::from_utf8(line).unwrap());
        lines.push_str("\r\n");
    }
    format!(
        "From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: Compte rendu\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nCi-joint le compte rendu.\r\n\
         --b1\r\nContent-Type: application/octet-stream; name=\"cr.com\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"cr.com\"\r\n\r\n{lines}--b1--\r\n"
    )
    .into_bytes()
}

fn assert_infected_refusal(err: ServiceError) {
    let ServiceError::Refused(refusal) = err else {
        panic!("expected an MS-13 refusal, got: {err}")
    };
    assert_eq!(refusal.requirement, "MS-13");
    assert!(
        refusal.reason.starts_with("a virus was found (")
            && refusal.reason.to_lowercase().contains("eicar")
            && refusal
                .reason
                .contains("clean the attachment and send again"),
        "{}",
        refusal.reason
    );
}

async fn assert_refusal_traced(w: &World) {
    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(last.action, "message.refuse");
    assert_eq!(last.outcome, "refused");
    // The requirement only: no signature name (nor any content) in the trace.
    assert_eq!(last.detail.as_deref(), Some("MS-13"));
    assert!(!entries.iter().any(|e| e.action == "message.deliver"));
}

#[tokio::test]
async fn ms13_a_clean_message_is_scanned_and_delivered() {
    let w = scanned_world(10_000, clamd()).await;
    assert!(w.service.scanner_configured());
    w.service.antivirus_health().await.unwrap();
    let delivered = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], RAW)
        .await
        .unwrap();
    assert_eq!(delivered.len(), 1);
    assert_eq!(bobs_inbox_count(&w).await, 1);
    // A clean attachment too.
    let clean = with_attachment(b"%PDF-1.4 not a virus at all\n");
    w.service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], &clean)
        .await
        .unwrap();
    assert_eq!(bobs_inbox_count(&w).await, 2);
}

#[tokio::test]
async fn ms13_eicar_as_a_base64_attachment_is_refused_nothing_stored_and_traced() {
    let w = scanned_world(10_000, clamd()).await;
    let message = with_attachment(&eicar());
    // Only the decoded attachment is EICAR: clamd has to decode the MIME part.
    assert!(!message.windows(68).any(|w| w == eicar()));
    let err = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], &message)
        .await
        .unwrap_err();
    assert_infected_refusal(err);
    assert_eq!(bobs_inbox_count(&w).await, 0);
    assert_refusal_traced(&w).await;
}

#[tokio::test]
async fn ms13_eicar_in_the_plain_body_is_refused() {
    let w = scanned_world(10_000, clamd()).await;
    let mut message =
        b"From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: Test\r\n\r\nBonjour,\r\n"
            .to_vec();
    message.extend_from_slice(&eicar());
    message.extend_from_slice(b"\r\nCordialement\r\n");
    let err = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], &message)
        .await
        .unwrap_err();
    assert_infected_refusal(err);
    assert_eq!(bobs_inbox_count(&w).await, 0);
    assert_refusal_traced(&w).await;
}

fn assert_unavailable(err: ServiceError) -> String {
    let ServiceError::Unavailable(reason) = err else {
        panic!("expected a temporary failure, got: {err}")
    };
    assert!(
        reason.starts_with("antivirus unavailable (")
            && reason.ends_with("nothing was accepted, try again later"),
        "{reason}"
    );
    reason
}

#[tokio::test]
async fn ms13_clamd_unreachable_is_a_temporary_failure_and_nothing_is_stored() {
    // Nothing listens on this port.
    let wrong = Arc::new(
        Clamd::new(ClamdAddress::Tcp(format!("127.0.0.1:{}", free_port())))
            .with_timeouts(Duration::from_secs(2), Duration::from_secs(10)),
    );
    let w = scanned_world(10_000, wrong).await;
    let err = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], RAW)
        .await
        .unwrap_err();
    let reason = assert_unavailable(err);
    assert!(reason.contains("cannot connect to clamd"), "{reason}");
    assert_eq!(bobs_inbox_count(&w).await, 0);
    assert!(w.service.antivirus_health().await.is_err());
}

#[tokio::test]
async fn ms13_a_stopped_clamd_is_a_temporary_failure_and_nothing_is_stored() {
    let own = ClamdProcess::start(false);
    let scanner = Arc::new(Clamd::new(ClamdAddress::Tcp(own.tcp.clone())));
    let w = scanned_world(10_000, scanner).await;
    w.service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], RAW)
        .await
        .unwrap();
    assert_eq!(bobs_inbox_count(&w).await, 1);
    own.stop();
    let err = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], RAW)
        .await
        .unwrap_err();
    assert_unavailable(err);
    assert_eq!(bobs_inbox_count(&w).await, 1);
    assert!(w.service.antivirus_health().await.is_err());
}

#[tokio::test]
async fn ms13_a_message_over_clamds_stream_limit_is_never_accepted_unscanned() {
    // clamd-test.sh sets StreamMaxLength 30M (clamd's default is 25M).
    let size = 31 * 1024 * 1024;
    let w = scanned_world(64 * 1024 * 1024, clamd()).await;
    let mut message =
        b"From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: Big\r\n\r\n".to_vec();
    while message.len() < size {
        message.extend_from_slice(b"clean text, line after line, nothing to see here.\r\n");
    }
    let err = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], &message)
        .await
        .unwrap_err();
    let reason = assert_unavailable(err);
    assert!(reason.contains("StreamMaxLength"), "{reason}");
    assert_eq!(bobs_inbox_count(&w).await, 0);
}

#[tokio::test]
async fn ms13_clamd_answers_over_its_unix_socket() {
    // The shared clamd's socket, or one of our own when the shared one is external.
    let own;
    let socket: &Path = match &shared().unix {
        Some(socket) => socket,
        None => {
            own = ClamdProcess::start(false);
            &own.unix
        }
    };
    let clamd = Clamd::new(ClamdAddress::Unix(socket.to_owned()));
    clamd.ping().await.unwrap();
    assert_eq!(clamd.scan(RAW).await.unwrap(), Verdict::Clean);
    let Verdict::Infected { signature } = clamd.scan(&with_attachment(&eicar())).await.unwrap()
    else {
        panic!("EICAR not detected over the Unix socket")
    };
    assert!(signature.to_lowercase().contains("eicar"), "{signature}");
}

#[tokio::test]
async fn ms13_without_a_scanner_nothing_is_scanned() {
    let w = world().await;
    person(&w, "bob", "810000000009", true).await;
    assert!(!w.service.scanner_configured());
    w.service.antivirus_health().await.unwrap();
    w.service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], RAW)
        .await
        .unwrap();
}
