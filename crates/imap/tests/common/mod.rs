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
        ..Limits::default()
    }
}

/// Starts an IMAP listener on 127.0.0.1 (143-like with STARTTLS, or 993-like with
/// implicit TLS), asking clients for an optional certificate of the development CA.
pub async fn listen(w: &World, implicit_tls: bool) -> Listener {
    listen_with(w, implicit_tls, limits()).await
}

/// [`listen`] with other limits.
pub async fn listen_with(w: &World, implicit_tls: bool, limits: Limits) -> Listener {
    let config = Arc::new(ImapConfig {
        tls: server_tls(w),
        implicit_tls,
        hostname: "mail.caduceus.test".into(),
        limits,
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
            &caduceus_service::actor::testing::system(),
            &[addr(to)],
            raw.as_bytes(),
        )
        .await
        .unwrap();
}

/// `address`'s INBOX as another node (`node`) opens it for them: their access, the
/// folder and its messages.
pub async fn inbox_on(
    node: &caduceus_service::Service,
    address: &str,
) -> (
    caduceus_service::messages::MailboxAccess,
    caduceus_service::model::Mailbox,
    Vec<caduceus_service::model::MessageSummary>,
) {
    let account = node
        .account_by_address(&addr(address))
        .await
        .unwrap()
        .unwrap();
    let caller = caduceus_service::actor::testing::account(account.id, "node2");
    let access = node.authorize(&caller, account.id).await.unwrap();
    let (folder, messages) = node.open_folder(&access, "INBOX").await.unwrap();
    (access, folder, messages)
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

/// A raw IMAP client over implicit TLS: sends lines, reads responses up to the
/// tagged one. For checking the exact wire form.
pub struct Raw {
    io: tokio::io::BufReader<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>,
    next_tag: u32,
}

impl Raw {
    /// Connects with implicit TLS, trusting the development CA, and reads the
    /// greeting.
    pub async fn connect(w: &World, listener: &Listener) -> (Raw, String) {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", listener.port))
            .await
            .unwrap();
        let config = caduceus_pki::client_config(&w.pki.ca_cert_path(), None).unwrap();
        let connector = tokio_rustls::TlsConnector::from(config);
        let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = connector.connect(name, tcp).await.unwrap();
        let mut raw = Raw {
            io: tokio::io::BufReader::new(tls),
            next_tag: 1,
        };
        let greeting = raw.line().await.expect("a greeting");
        (raw, greeting)
    }

    /// Connects and logs in with `user` and `secret`.
    pub async fn login(w: &World, listener: &Listener, user: &str, secret: &str) -> Raw {
        let (mut raw, _) = Raw::connect(w, listener).await;
        let answer = raw.command(&format!("LOGIN {user} {secret}")).await;
        assert!(
            answer.ends_with("OK [CAPABILITY") || answer.contains(" OK "),
            "{answer}"
        );
        raw
    }

    /// Sends raw bytes.
    pub async fn send(&mut self, bytes: &[u8]) {
        use tokio::io::AsyncWriteExt;
        self.io.get_mut().write_all(bytes).await.unwrap();
        self.io.get_mut().flush().await.unwrap();
    }

    /// Reads one line (with its literals, if it announces some); `None` at the end
    /// of the stream.
    pub async fn line(&mut self) -> Option<String> {
        use tokio::io::{AsyncBufReadExt, AsyncReadExt};
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let read = tokio::time::timeout(
                Duration::from_secs(10),
                self.io.read_until(b'\n', &mut line),
            )
            .await
            .expect("a line within 10 s")
            .ok()?;
            if read == 0 {
                return (!out.is_empty()).then(|| String::from_utf8_lossy(&out).into_owned());
            }
            out.extend_from_slice(&line);
            // A literal `{n}` at the end of the line: read n bytes, then the rest.
            let text = String::from_utf8_lossy(&line);
            let Some(size) = text
                .trim_end()
                .strip_suffix('}')
                .and_then(|t| t.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok())
            else {
                return Some(String::from_utf8_lossy(&out).into_owned());
            };
            let mut literal = vec![0; size];
            self.io.read_exact(&mut literal).await.ok()?;
            out.extend_from_slice(&literal);
        }
    }

    /// Sends `command` under a fresh tag; returns every response line up to and
    /// including the tagged one.
    pub async fn command(&mut self, command: &str) -> String {
        let tag = format!("t{}", self.next_tag);
        self.next_tag += 1;
        self.send(format!("{tag} {command}\r\n").as_bytes()).await;
        self.until(&tag).await
    }

    /// Reads lines until the one tagged `tag`.
    pub async fn until(&mut self, tag: &str) -> String {
        let mut all = String::new();
        loop {
            let line = self
                .line()
                .await
                .unwrap_or_else(|| panic!("connection closed; so far:\n{all}"));
            all.push_str(&line);
            if line.starts_with(&format!("{tag} ")) {
                return all;
            }
        }
    }
}
