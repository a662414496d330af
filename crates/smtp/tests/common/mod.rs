//! The shared test world: a real service over SQLite in a temporary directory, the
//! development PKI, submission listeners on 127.0.0.1, accounts with device
//! credentials, and Python's `smtplib` as the client.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use caduceus_audit::TraceSigner;
use caduceus_core::{
    AccountKind, AccountState, Clock, Domain, Evidence, MailAddress, NationalId, RegistryId,
    SecretString, SystemClock,
};
use caduceus_pki::{ClientAuth, DevPki, IssuedCert};
use caduceus_service::accounts::Registration;
use caduceus_service::auth::Credentials;
use caduceus_service::{Caller, Service, ServiceConfig};
use caduceus_smtp::{Limits, SubmissionConfig};
use caduceus_store::{Account, MasterKey, SqlStore, StoreConfig};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The service's size limit in the tests.
pub const MAX_SIZE: usize = 100_000;
/// The service's recipient limit in the tests (MS-12).
pub const MAX_RECIPIENTS: usize = 3;
/// A web password that passes the strength rules.
pub const WEB_PASSWORD: &str = "Correct-Horse-42!";

pub struct World {
    pub service: Service,
    pub store: Arc<SqlStore>,
    pub pki: DevPki,
    pub dir: tempfile::TempDir,
}

/// A service over SQLite with the system clock (sessions run on real timers), and a
/// development PKI whose CRL the listeners load.
pub async fn world() -> World {
    world_for("caduceus.test", None).await
}

/// A world for the operator of `domain`; with `ca`, its PKI is that world's (two
/// operators of one trust space, certificates from one test health CA).
pub async fn world_for(domain: &str, ca: Option<&World>) -> World {
    world_configured(domain, ca, Arc::new(SystemClock), |_| {}).await
}

/// [`world_for`] with an injected clock (queue retries and expiry without waiting)
/// and its service settings changed by `tweak`.
pub async fn world_configured(
    domain: &str,
    ca: Option<&World>,
    clock: Arc<dyn Clock>,
    tweak: impl FnOnce(&mut ServiceConfig),
) -> World {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let store = Arc::new(
        SqlStore::open(
            &StoreConfig::Sqlite {
                data_dir: dir.path().join("data"),
            },
            MasterKey::generate(),
            Arc::new(TraceSigner::generate()),
            100,
        )
        .await
        .unwrap(),
    );
    let mut config = ServiceConfig {
        domain: Domain::parse(domain).unwrap(),
        max_message_size: MAX_SIZE,
        max_recipients: MAX_RECIPIENTS,
        trace_retention_days: 365,
        retry: caduceus_core::RetryPolicy::default(),
        account_rate: None,
        peer_rate: None,
        new_mail_quiet: std::time::Duration::from_secs(15 * 60),
    };
    tweak(&mut config);
    let service = Service::new(store.clone(), clock, config);
    let pki = match ca {
        Some(other) => DevPki::open(&other.dir.path().join("pki")).unwrap(),
        None => DevPki::create(&dir.path().join("pki"), domain).unwrap(),
    };
    World {
        service,
        store,
        pki,
        dir,
    }
}

pub fn op() -> Caller {
    Caller::operator("ra-test")
}

pub fn addr(s: &str) -> MailAddress {
    MailAddress::parse(s).unwrap()
}

/// The `n`-th valid RPPS-based national identifier (`8` + 10 digits + Luhn digit).
pub fn rpps(n: u32) -> String {
    (0..10)
        .map(|check| format!("8{:010}{check}", 10_000_000 + n))
        .find(|id| NationalId::parse(id).is_ok())
        .unwrap()
}

/// A professional account `<local>@<the world's domain>`; active (verified) or not.
pub async fn professional(w: &World, local: &str, national_id: &str, active: bool) -> Account {
    let account = w
        .service
        .register(
            &op(),
            Registration {
                address: Some(addr(&format!(
                    "{local}@{}",
                    w.service.config().domain.as_str()
                ))),
                kind: AccountKind::Professional,
                identity: RegistryId::National(NationalId::parse(national_id).unwrap()),
                display_name: format!("Dr {local}"),
            },
        )
        .await
        .unwrap();
    if active {
        w.service
            .verify_identity(&op(), account.id, Evidence::CpsCard, "RA Test")
            .await
            .unwrap();
        w.service
            .set_state(&op(), account.id, AccountState::Active)
            .await
            .unwrap();
    }
    w.service.account(account.id).await.unwrap()
}

/// An active organisational mailbox with `delegate` as its delegate (ID-3).
pub async fn organisation(w: &World, local: &str, delegate: &Account) -> Account {
    let org = w
        .service
        .register(
            &op(),
            Registration {
                address: Some(addr(&format!("{local}@caduceus.test"))),
                kind: AccountKind::Organisation,
                identity: RegistryId::National(NationalId::parse("1750048886").unwrap()),
                display_name: "Cardiologie".into(),
            },
        )
        .await
        .unwrap();
    w.service
        .verify_identity(&op(), org.id, Evidence::RegistryMatch, "RA")
        .await
        .unwrap();
    w.service
        .set_state(&op(), org.id, AccountState::Active)
        .await
        .unwrap();
    w.service
        .add_delegate(&op(), org.id, delegate.id)
        .await
        .unwrap();
    org
}

/// A device credential for an active professional, issued after a certificate login
/// (a strong login, AU-2).
pub async fn device(w: &World, national_id: &str, name: &str) -> (SecretString, i64) {
    let strong = w
        .service
        .login_certificate(&NationalId::parse(national_id).unwrap(), None, "setup")
        .await
        .unwrap();
    let issued = w.service.add_device(&strong, name).await.unwrap();
    (issued.credential, issued.device.id.0)
}

/// A web password and TOTP for `account`, then a device credential issued after a
/// password + TOTP login, as a user would do on the web (AU-1, AU-2).
pub async fn device_after_web_login(w: &World, account: &Account) -> SecretString {
    let password = SecretString::new(WEB_PASSWORD.into());
    w.service
        .set_password(&op(), account.id, &password)
        .await
        .unwrap();
    let enrollment = w.service.enroll_totp(&op(), account.id).await.unwrap();
    let totp = totp_rs::TOTP::from_url(enrollment.uri.expose()).unwrap();
    let code = totp.generate_current().unwrap();
    let strong = w
        .service
        .login(
            &account.address,
            Credentials::PasswordTotp {
                password: &password,
                code: &code,
            },
            "setup",
        )
        .await
        .unwrap();
    w.service
        .add_device(&strong, "Thunderbird")
        .await
        .unwrap()
        .credential
}

/// A user certificate from the development PKI for `national_id`.
pub fn user_cert(w: &World, national_id: &str, stem: &str) -> IssuedCert {
    w.pki
        .issue_user(
            national_id,
            "Alice",
            "Martin",
            None,
            &w.dir.path().join("certs"),
            stem,
        )
        .unwrap()
}

/// The raw messages in `account`'s INBOX, read as the owner would.
pub async fn inbox(w: &World, account: &Account) -> Vec<Vec<u8>> {
    let caller = Caller::account(account.id, "test");
    let access = w.service.authorize(&caller, account.id).await.unwrap();
    let (_, summaries) = w.service.open_folder(&access, "INBOX").await.unwrap();
    let mut raws = Vec::new();
    for summary in summaries {
        raws.push(
            w.service
                .read_message(&access, summary.id)
                .await
                .unwrap()
                .raw,
        );
    }
    raws
}

/// A running listener.
pub struct Listener {
    pub port: u16,
    pub stop: watch::Sender<bool>,
    pub task: JoinHandle<std::io::Result<()>>,
}

impl Listener {
    /// Stops the listener and waits for it (and its sessions) to end.
    pub async fn shutdown(self) {
        self.stop.send_replace(true);
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("the listener stops")
            .unwrap()
            .unwrap();
    }
}

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
    let tls = caduceus_pki::server_config_with_crls(
        &w.pki.server_cert_path(),
        &w.pki.server_key_path(),
        ClientAuth::Optional(w.pki.ca_cert_path()),
        &[w.pki.crl_path()],
    )
    .unwrap();
    let config = Arc::new(SubmissionConfig {
        tls,
        implicit_tls,
        hostname: "mail.caduceus.test".into(),
        limits,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = watch::channel(false);
    let service = w.service.clone();
    let task = tokio::spawn(caduceus_smtp::serve(listener, config, service, stopped));
    Listener { port, stop, task }
}

/// What a client script printed: one `label code text` line per step.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
}

impl Run {
    /// The code and text printed for `label`; panics with the whole output if absent.
    pub fn step(&self, label: &str) -> (u16, String) {
        for line in self.stdout.lines() {
            let mut parts = line.splitn(3, ' ');
            if parts.next() == Some(label) {
                let code = parts.next().unwrap_or("0").parse().unwrap_or(0);
                return (code, parts.next().unwrap_or("").to_owned());
            }
        }
        panic!(
            "no step {label:?} in the client's output:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        )
    }

    /// Asserts that step `label` answered `code` and its text contains each of `words`.
    pub fn expect(&self, label: &str, code: u16, words: &[&str]) -> String {
        let (got, text) = self.step(label);
        assert_eq!(got, code, "step {label}: {text}\nstdout:\n{}", self.stdout);
        for word in words {
            assert!(text.contains(word), "step {label}: {text:?} lacks {word:?}");
        }
        text
    }
}

fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts")
}

/// Runs `tests/scripts/<script>.py` with `key=value` arguments; it must exit 0.
pub async fn python(script: &str, args: &[(&str, String)]) -> Run {
    let mut command = tokio::process::Command::new("python3");
    command.arg(scripts().join(format!("{script}.py")));
    for (key, value) in args {
        command.arg(format!("{key}={value}"));
    }
    let output = match tokio::time::timeout(Duration::from_secs(60), command.output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => panic!(
            "cannot run python3 ({error}): the SMTP tests drive Python's smtplib as a real client; install it with `apt-get install -y python3`"
        ),
        Err(_) => panic!("{script}.py did not finish within 60 s"),
    };
    let run = Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    };
    if std::env::var_os("SMTP_TEST_VERBOSE").is_some() {
        eprintln!("--- {script}.py\n{}{}", run.stdout, run.stderr);
    }
    assert!(
        run.success,
        "{script}.py failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    run
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
    if std::env::var_os("SMTP_TEST_VERBOSE").is_some() {
        eprintln!("--- logs\n{logs}");
    }
    assert!(!logs.is_empty(), "nothing was logged");
    assert!(!logs.contains('@'), "an address was logged:\n{logs}");
    for word in forbidden {
        assert!(!logs.contains(word), "{word:?} was logged:\n{logs}");
    }
}
