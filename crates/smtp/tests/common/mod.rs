//! The SMTP tests' world: the shared one of `caduceus-testkit` (service over
//! SQLite, development PKI, accounts), plus submission listeners on 127.0.0.1, raw
//! SMTP clients, Python's `smtplib` scripts and log capture.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub use caduceus_testkit::*;

use caduceus_smtp::{Limits, SubmissionConfig};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Test limits: the defaults with short timeouts, so failures do not hang.
pub fn limits() -> Limits {
    Limits {
        idle: Duration::from_secs(10),
        session: Duration::from_secs(60),
        shutdown_grace: Duration::from_secs(2),
        ..Limits::default()
    }
}

/// Starts a submission listener on 127.0.0.1 (587-like, or 465-like with implicit
/// TLS), asking clients for an optional certificate of the development CA.
pub async fn listen(w: &World, implicit_tls: bool, limits: Limits) -> Listener {
    let config = Arc::new(SubmissionConfig {
        tls: server_tls(w),
        implicit_tls,
        hostname: "mail.caduceus.test".into(),
        limits,
    });
    let service = w.service.clone();
    spawn_listener(|listener, stop| caduceus_smtp::serve(listener, config, service, stop)).await
}

/// Runs `tests/scripts/<script>.py` with `key=value` arguments; it must exit 0.
pub async fn python(script: &str, args: &[(&str, String)]) -> Run {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/scripts/{script}.py"));
    caduceus_testkit::python(&path, args, "smtplib").await
}

/// The arguments every script takes: the port and the CA to trust.
pub fn base_args(w: &World, listener: &Listener) -> Vec<(&'static str, String)> {
    vec![
        ("port", listener.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
    ]
}

/// A raw client over any stream: write bytes, read replies.
pub struct Raw<S> {
    pub io: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Raw<S> {
    pub fn new(io: S) -> Self {
        Self {
            io: BufReader::new(io),
        }
    }

    pub async fn send(&mut self, bytes: &[u8]) {
        self.io.get_mut().write_all(bytes).await.unwrap();
        self.io.get_mut().flush().await.unwrap();
    }

    /// Reads one whole reply (all its lines); `None` at end of stream.
    pub async fn reply(&mut self) -> Option<String> {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(Duration::from_secs(10), self.io.read_line(&mut line))
                .await
                .expect("a reply within 10 s");
            match read {
                Ok(0) | Err(_) if reply.is_empty() => return None,
                Ok(0) | Err(_) => return Some(reply),
                Ok(_) => {}
            }
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return Some(reply);
            }
        }
    }

    /// Sends `command` and returns the reply, asserting it starts with `expect`.
    pub async fn cmd(&mut self, command: &str, expect: &str) -> String {
        self.send(command.as_bytes()).await;
        let reply = self.reply().await.unwrap_or_default();
        assert!(
            reply.starts_with(expect),
            "{:?} answered {reply:?}, expected {expect:?}",
            command.trim_end()
        );
        reply
    }
}

/// Connects in clear.
pub async fn raw_plain(listener: &Listener) -> Raw<TcpStream> {
    Raw::new(
        TcpStream::connect(("127.0.0.1", listener.port))
            .await
            .unwrap(),
    )
}

/// Connects with implicit TLS, says EHLO and logs in as `user` with a device credential
/// (AUTH PLAIN).
pub async fn logged_in(
    w: &World,
    listener: &Listener,
    user: &str,
    secret: &str,
) -> Raw<tokio_rustls::client::TlsStream<TcpStream>> {
    let mut c = raw_tls(w, listener).await;
    c.reply().await.unwrap();
    c.cmd("EHLO raw.test\r\n", "250").await;
    c.cmd(&format!("AUTH PLAIN {}\r\n", plain(user, secret)), "235")
        .await;
    c
}

/// Connects with implicit TLS, trusting the development CA.
pub async fn raw_tls(
    w: &World,
    listener: &Listener,
) -> Raw<tokio_rustls::client::TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(("127.0.0.1", listener.port))
        .await
        .unwrap();
    tls_over(w, tcp).await
}

/// Starts TLS over an established connection (implicit TLS, or after `220` to STARTTLS).
pub async fn tls_over(
    w: &World,
    tcp: TcpStream,
) -> Raw<tokio_rustls::client::TlsStream<TcpStream>> {
    let config = caduceus_pki::client_config(&w.pki.ca_cert_path(), None).unwrap();
    let connector = tokio_rustls::TlsConnector::from(config);
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    Raw::new(connector.connect(name, tcp).await.unwrap())
}

/// `AUTH PLAIN` initial response for `user` and `secret`.
pub fn plain(user: &str, secret: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(format!("\0{user}\0{secret}"))
}

/// Everything `caduceus_smtp` logged in this test process (all tests of the binary).
static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Captures the crate's logs, at every level, from now on.
pub fn capture_logs() {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("caduceus_smtp=trace"))
            .with_ansi(false)
            .with_writer(move || LogWriter(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buffer
    });
}

/// The logs captured so far.
pub fn logs() -> String {
    let buffer = LOGS.get().expect("capture_logs() first");
    String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned()
}

/// Asserts the logs hold no address, subject or content (TR-5): ids and counts only.
pub fn assert_logs_clean(forbidden: &[&str]) {
    let logs = logs();
    if std::env::var_os("CADUCEUS_TEST_VERBOSE").is_some() {
        eprintln!("--- logs\n{logs}");
    }
    assert!(!logs.is_empty(), "nothing was logged");
    assert!(!logs.contains('@'), "an address was logged:\n{logs}");
    for word in forbidden {
        assert!(!logs.contains(word), "{word:?} was logged:\n{logs}");
    }
}
