//! The test world the front ends' tests share: a real service over SQLite in a
//! temporary directory, the development PKI, accounts with device credentials and
//! certificates, and Python scripts as real clients. Test support only: never a
//! dependency of the server.
//!
//! # Layout
//! This file: [`World`] and its constructors, account helpers ([`professional`],
//! [`organisation`], [`device`], [`user_cert`]…), [`inbox`], listeners on 127.0.0.1
//! ([`server_tls`], [`spawn_listener`], [`Listener`]), and [`python`] with its
//! [`Run`]; [`ldap`]: an LDAP client (the directory's tests and matrix);
//! [`certificates`]: the development CA signing holders' requests (MS-3).
#![allow(missing_docs)]

pub mod certificates;
pub mod ldap;

use caduceus_service::actor::testing;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use caduceus_audit::TraceSigner;
use caduceus_core::{
    AccountKind, Clock, Domain, Evidence, MailAddress, NationalId, RegistryId, SecretString,
    SystemClock,
};
use caduceus_pki::{ClientAuth, DevPki, IssuedCert};
use caduceus_service::accounts::Registration;
use caduceus_service::auth::Credentials;
use caduceus_service::{Caller, Service, ServiceConfig};
use caduceus_store::{Account, MasterKey, SqlStore, StoreConfig};
use tokio::net::TcpListener;
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
    let store_config = StoreConfig::Sqlite {
        data_dir: dir.path().join("data"),
    };
    let (store, trace_key) = open_store(&store_config, &MasterKey::generate()).await;
    let service =
        Service::new(store.clone(), clock, service_config(domain, tweak)).with_trace_key(trace_key);
    let pki = match ca {
        Some(other) => DevPki::open(&other.dir.path().join("pki")).unwrap(),
        None => DevPki::create(&dir.path().join("pki"), domain).unwrap(),
    };
    let issuer = Arc::new(certificates::PkiIssuer(pki.dir().to_owned()));
    let service = service
        .with_certificate_issuer(issuer.clone())
        .with_certificates(issuer.clone())
        .with_envelope(issuer.clone())
        .with_signature_checker(issuer);
    World {
        service,
        store,
        pki,
        dir,
    }
}

/// Two nodes of one operator on a new PostgreSQL database of the server named by
/// `CADUCEUS_TEST_DATABASE_URL` (scripts/test.sh starts one): the world of the first
/// node, and the service of the second (same master key, another store and pool).
pub async fn postgres_nodes() -> (World, Service) {
    let server = std::env::var("CADUCEUS_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "CADUCEUS_TEST_DATABASE_URL is not set: this test needs PostgreSQL. Run \
             scripts/test.sh (it installs postgresql and starts a server on 127.0.0.1), or \
             point the variable at postgres://user@127.0.0.1:port/postgres"
        )
    });
    let name = format!(
        "caduceus_nodes_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&server).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    let store_config = StoreConfig::Postgres {
        url: format!("{base}/{name}"),
        keyring_url: None,
    };
    let master = MasterKey::generate();
    let dir = tempfile::tempdir().unwrap();
    let node = |store| {
        Service::new(
            store,
            Arc::new(SystemClock),
            service_config("caduceus.test", |_| {}),
        )
    };
    let (store, _) = open_store(&store_config, &master).await;
    let second = node(open_store(&store_config, &master).await.0);
    let world = World {
        service: node(store.clone()),
        store,
        pki: DevPki::create(&dir.path().join("pki"), "caduceus.test").unwrap(),
        dir,
    };
    (world, second)
}

/// The store of a test world, and the public key of its trace checkpoints.
async fn open_store(
    config: &StoreConfig,
    master: &MasterKey,
) -> (Arc<SqlStore>, caduceus_audit::VerifyingKey) {
    let signer = TraceSigner::generate();
    let key = signer.verifying_key();
    let store = SqlStore::open(config, master.clone(), Arc::new(signer), 100)
        .await
        .unwrap();
    (Arc::new(store), key)
}

fn service_config(domain: &str, tweak: impl FnOnce(&mut ServiceConfig)) -> ServiceConfig {
    let mut config = ServiceConfig {
        domain: Domain::parse(domain).unwrap(),
        max_message_size: MAX_SIZE,
        max_recipients: MAX_RECIPIENTS,
        trace_retention_days: 365,
        retry: caduceus_core::RetryPolicy::default(),
        account_rate: None,
        peer_rate: None,
        new_mail_quiet: std::time::Duration::from_secs(15 * 60),
        mailbox_quota: None,
        flag_relayed_subjects: true,
        unlisted_recipients_after: None,
        card_only: None,
        patient_retention: std::time::Duration::ZERO,
        patient_announcement: caduceus_core::announcement::DEFAULT_PERIOD,
        inactivity: None,
        incident_thresholds: caduceus_core::incidents::Thresholds::default(),
        security_contact: None,
        terms: None,
        closure_grace: std::time::Duration::ZERO,
    };
    tweak(&mut config);
    config
}

pub fn op() -> Caller {
    caduceus_service::actor::testing::operator("ra-test")
}

pub fn addr(s: &str) -> MailAddress {
    MailAddress::parse(s).unwrap()
}

/// A message from `from` to `to` that encapsulates `depth` messages in each other
/// (`message/rfc822` parts, unencoded): 50,000 levels once overflowed the stack (MS-13).
pub fn nested_message(from: &str, to: &str, depth: usize) -> Vec<u8> {
    let mut raw = format!("From: <{from}>\r\nTo: <{to}>\r\nSubject: nest\r\n").into_bytes();
    raw.extend(b"Content-Type: message/rfc822\r\n\r\n".repeat(depth));
    raw.extend_from_slice(b"Subject: inner\r\n\r\nend\r\n");
    raw
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
        activate(w, &account, Evidence::CpsCard).await;
    }
    w.service.account(account.id).await.unwrap()
}

/// The out-of-band contact address the account helpers give `account` (ID-2):
/// `<local part>@contact.example`, outside the trust space.
pub fn contact_of(account: &Account) -> MailAddress {
    let local = account.address.as_str().split('@').next().unwrap();
    addr(&format!("{local}@contact.example"))
}

/// Verifies `account` on `evidence`, gives it its contact address ([`contact_of`])
/// and activates it, as a registration authority does (ID-2, 004 §7.1).
pub async fn activate(w: &World, account: &Account, evidence: Evidence) {
    w.service
        .verify_identity(&op(), account.id, evidence, "RA Test")
        .await
        .unwrap();
    w.service
        .set_contact_email(&op(), account.id, Some(&contact_of(account)))
        .await
        .unwrap();
    // The holder present: a patient accepts their mailbox at the counter (ID-5).
    w.service.open_in_person(&op(), account.id).await.unwrap();
}

/// The `n`-th valid INS (a man born in May 1985 in Paris, order `n`; key checked).
pub fn ins(n: u32) -> String {
    let nir = format!("18505751{:05}", n % 100_000);
    let key = 97 - nir.parse::<u64>().unwrap() % 97;
    format!("{nir}{key:02}")
}

/// A patient account `<ins>@patient.<domain>` named `display_name` (ID-5), verified
/// and given its contact address ([`contact_of`]), not open yet.
pub async fn verified_patient(w: &World, ins: &str, display_name: &str) -> Account {
    let account = w
        .service
        .register(
            &op(),
            Registration {
                address: None,
                kind: AccountKind::Patient,
                identity: RegistryId::Patient(caduceus_core::Ins::parse(ins).unwrap()),
                display_name: display_name.into(),
            },
        )
        .await
        .unwrap();
    let (service, operator) = (&w.service, op());
    let evidence = Evidence::IdentityDocument;
    let verify = service.verify_identity(&operator, account.id, evidence, "RA Test");
    verify.await.unwrap();
    let contact = contact_of(&account);
    let set = service.set_contact_email(&operator, account.id, Some(&contact));
    set.await.unwrap();
    w.service.account(account.id).await.unwrap()
}

/// An active patient account `<ins>@patient.<domain>` named `display_name` (ID-5):
/// the patient, present, accepted it at the counter.
pub async fn patient(w: &World, ins: &str, display_name: &str) -> Account {
    let account = verified_patient(w, ins, display_name).await;
    w.service.open_in_person(&op(), account.id).await.unwrap();
    w.service.account(account.id).await.unwrap()
}

/// A notifier that takes every notice (an outbound relay that works) and keeps
/// nothing: for worlds whose tests do not read the notices.
pub struct AcceptingNotifier;

#[async_trait::async_trait]
impl caduceus_service::notify::Notifier for AcceptingNotifier {
    async fn send(&self, _notice: caduceus_service::notify::Notice) -> Result<(), String> {
        Ok(())
    }
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
    activate(w, &org, Evidence::RegistryMatch).await;
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
    let strong = strong_login(w, account).await;
    w.service
        .add_device(&strong, "Thunderbird")
        .await
        .unwrap()
        .credential
}

/// A web session token of `account`, as after a password + TOTP login (AU-1).
pub async fn web_token(w: &World, account: &Account) -> SecretString {
    let strong = strong_login(w, account).await;
    w.service.open_session(&strong).await.unwrap()
}

/// A password and TOTP for `account`, then a login with them (AU-1).
pub async fn strong_login(w: &World, account: &Account) -> caduceus_service::auth::Authenticated {
    let password = SecretString::new(WEB_PASSWORD.into());
    w.service
        .set_password(&op(), account.id, &password)
        .await
        .unwrap();
    let enrollment = w.service.enroll_totp(&op(), account.id).await.unwrap();
    let totp = totp_rs::TOTP::from_url(enrollment.uri.expose()).unwrap();
    let code = totp.generate_current().unwrap();
    w.service
        .login(
            &account.address,
            Credentials::PasswordTotp {
                password: &password,
                code: &code,
            },
            "setup",
        )
        .await
        .unwrap()
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

/// Every trace entry so far (the first 100,000), oldest first.
pub async fn traces(w: &World) -> Vec<caduceus_audit::Entry> {
    use caduceus_store::Store as _;
    w.store.trace_entries(0, 100_000).await.unwrap()
}

/// The raw messages in `account`'s INBOX, read as the owner would.
pub async fn inbox(w: &World, account: &Account) -> Vec<Vec<u8>> {
    let caller = testing::account(account.id, "test");
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

/// Runs the Python script `path` with `key=value` arguments; it must exit 0 within
/// 60 s. `client` names what it drives, for the message when python3 is missing.
pub async fn python(path: &Path, args: &[(&str, String)], client: &str) -> Run {
    run_script(
        Path::new("python3"),
        path,
        args,
        Duration::from_secs(60),
        client,
    )
    .await
}

/// Runs the Python script `path` with the interpreter of the virtual environment
/// `venv` (the PyPI tools scripts/test.sh installs: Selenium…), within 3 minutes.
pub async fn python_in(venv: &str, path: &Path, args: &[(&str, String)]) -> Run {
    let interpreter = Path::new(venv).join("bin/python");
    run_script(
        &interpreter,
        path,
        args,
        Duration::from_secs(180),
        "Selenium (from scripts/test.sh's virtual environment)",
    )
    .await
}

async fn run_script(
    interpreter: &Path,
    path: &Path,
    args: &[(&str, String)],
    limit: Duration,
    client: &str,
) -> Run {
    let script = path.display();
    let mut command = tokio::process::Command::new(interpreter);
    command.arg(path);
    for (key, value) in args {
        command.arg(format!("{key}={value}"));
    }
    let output = match tokio::time::timeout(limit, command.output()).await {
        Ok(Ok(output)) => output,
        Ok(Err(error)) => panic!(
            "cannot run {} ({error}): the tests drive Python's {client} as a real client; install it (apt-get install -y python3, or run scripts/test.sh)",
            interpreter.display()
        ),
        Err(_) => panic!("{script} did not finish within {} s", limit.as_secs()),
    };
    let run = Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        success: output.status.success(),
    };
    if std::env::var_os("CADUCEUS_TEST_VERBOSE").is_some() {
        eprintln!("--- {script}\n{}{}", run.stdout, run.stderr);
    }
    assert!(
        run.success,
        "{script} failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    run
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

/// The server TLS configuration of the world's development PKI, asking clients for
/// an optional certificate of its CA (checked against its CRL).
pub fn server_tls(w: &World) -> Arc<rustls::ServerConfig> {
    caduceus_pki::server_config_with_crls(
        &w.pki.server_cert_path(),
        &w.pki.server_key_path(),
        ClientAuth::Optional(w.pki.ca_cert_path()),
        &[w.pki.crl_path()],
    )
    .unwrap()
}

/// Connects to 127.0.0.1:`port` from `source`, another address of the loopback
/// network (127.0.0.2…, routed to loopback on Linux): a client the listener counts
/// apart from those on 127.0.0.1.
pub async fn connect_from(source: [u8; 4], port: u16) -> tokio::net::TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((source, 0).into()).unwrap();
    socket.connect(([127, 0, 0, 1], port).into()).await.unwrap()
}

/// Binds 127.0.0.1 on a free port and runs `serve(listener, stop)` in a task.
pub async fn spawn_listener<F>(
    serve: impl FnOnce(TcpListener, watch::Receiver<bool>) -> F,
) -> Listener
where
    F: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(serve(listener, stopped));
    Listener { port, stop, task }
}
