//! Helpers for the end-to-end tests: run the real `caduceus` binary, pick free
//! ports, create PostgreSQL databases with `psql`, tamper with SQLite through
//! Python's sqlite3, receive notices on an SMTP sink.

#![allow(dead_code)]

pub mod trust;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The binary under test.
pub fn caduceus() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_caduceus"));
    command.env_remove("CADUCEUS_DATABASE_URL");
    command.env_remove("CADUCEUS_MASTER_KEY");
    command.env("CADUCEUS_LOG", "warn");
    command
}

/// Runs `caduceus --data <data> <args>` with extra environment, returning its output.
pub fn run(data: &Path, env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = caduceus();
    command.arg("--data").arg(data).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run caduceus")
}

/// Like [`run`], but fails the test with the command's output when it fails.
pub fn ok(data: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let out = run(data, env, args);
    assert!(
        out.status.success(),
        "caduceus {args:?} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs `caduceus --data <data> <args>` with `input` on its standard input.
pub fn run_with_input(data: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = caduceus()
        .arg("--data")
        .arg(data)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run caduceus");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().expect("wait for caduceus")
}

/// Grants `roles` to the demo professional `address` as the bootstrap operator (the
/// first staff member) or as the session `granted_by`, then opens a console session
/// with the person's password and the next step's TOTP code (the seed used the
/// current one), and returns its token (AC-2, TR-1).
pub fn staff_session(
    data: &Path,
    address: &str,
    roles: &[&str],
    granted_by: Option<&str>,
) -> String {
    let env: Vec<(&str, &str)> = granted_by
        .map(|token| ("CADUCEUS_SESSION", token))
        .into_iter()
        .collect();
    for role in roles {
        ok(data, &env, &["account", "role", address, role]);
    }
    let account = demo_account(data, address);
    let code = next_totp_code(&account, address);
    console_login(data, address, account["password"].as_str().unwrap(), &code)
}

/// Opens a console session (`caduceus login`) for `address` with its password and a
/// one-time code; returns the token.
pub fn console_login(data: &Path, address: &str, password: &str, code: &str) -> String {
    let out = run_with_input(data, &["login", address], &format!("{password}\n{code}\n"));
    assert!(
        out.status.success(),
        "login of {address}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Registers the professional `address` (RPPS identifier `rpps`) at the command line
/// with `env`, verifies it on a card, gives it a contact address and activates it
/// (ID-1, ID-2).
pub fn add_active_professional(data: &Path, env: &[(&str, &str)], address: &str, rpps: &str) {
    let add = ["account", "add", "--kind", "professional", "--id", rpps];
    let named = ["--address", address, "--name", "Dr Test"];
    ok(data, env, &[&add[..], &named].concat());
    let verify = ["--evidence", "cps_card", "--by", "RA Test"];
    ok(
        data,
        env,
        &[&["account", "verify", address][..], &verify].concat(),
    );
    let local = address.split('@').next().unwrap_or(address);
    let contact = format!("{local}@contact.example");
    ok(data, env, &["account", "contact", address, &contact]);
    ok(data, env, &["account", "activate", address]);
}

/// A new staff member `<local>@caduceus.test` (RPPS number `rpps`), registered,
/// verified and activated with a password and TOTP by the bootstrap operator (no one
/// holds a staff role yet), granted `roles` in one command, logged in: returns the address and its
/// console session's token (AC-2).
pub fn new_staff_member(data: &Path, local: &str, rpps: u32, roles: &[&str]) -> (String, String) {
    let address = format!("{local}@caduceus.test");
    add_active_professional(data, &[], &address, &caduceus_testkit::rpps(rpps));
    let password = "Staff-Member-Password-42";
    let set = run_with_input(
        data,
        &["account", "password", &address],
        &format!("{password}\n"),
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let enrolled = ok(data, &[], &["account", "totp", &address]);
    let uri = enrolled
        .lines()
        .find(|l| l.starts_with("otpauth://totp/"))
        .expect("an otpauth URI");
    let code = totp_rs::TOTP::from_url(uri)
        .unwrap()
        .generate_current()
        .unwrap();
    ok(
        data,
        &[],
        &[&["account", "role", &address][..], roles].concat(),
    );
    let token = console_login(data, &address, password, &code);
    (address, token)
}

/// The TOTP code of the next 30-second step for the demo account `account` (its
/// `demo.json` entry): the seed used the current step's, and a step is accepted once.
pub fn next_totp_code(account: &serde_json::Value, address: &str) -> String {
    let secret = account["totp_secret"].as_str().expect("a TOTP secret");
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    let totp = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        bytes,
        None,
        address.to_owned(),
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    totp.generate(now + 30)
}

/// A port that was free a moment ago on 127.0.0.1, never handed out twice in this
/// test process (tests run in parallel threads and bind their ports later).
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut given = GIVEN.lock().unwrap();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

/// The PostgreSQL server started by scripts/test.sh.
pub fn postgres_server() -> String {
    std::env::var("CADUCEUS_TEST_DATABASE_URL").unwrap_or_else(|_| {
        panic!(
            "CADUCEUS_TEST_DATABASE_URL is not set: run scripts/test.sh, which installs \
             PostgreSQL (apt-get install -y postgresql) and starts it on 127.0.0.1"
        )
    })
}

/// Runs SQL with the real `psql` client against `url`.
pub fn psql(url: &str, sql: &str) {
    psql_rows(url, sql);
}

/// A new empty database on the test server; returns its URL.
pub fn new_postgres_database() -> String {
    let server = postgres_server();
    let name = format!("caduceus_e2e_{}", std::process::id()) + &format!("_{}", rand_suffix());
    psql(&server, &format!("CREATE DATABASE {name}"));
    let base = server.rsplit_once('/').unwrap().0;
    format!("{base}/{name}")
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{nanos:x}")
}

/// Runs SQL against a SQLite file with Python's sqlite3 module (a real client).
pub fn sqlite(db: &Path, sql: &str) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.executescript(sys.argv[2])\nc.commit()",
        ])
        .arg(db)
        .arg(sql)
        .output()
        .expect("python3 is needed to tamper with SQLite in tests");
    assert!(
        out.status.success(),
        "sqlite {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target: PathBuf = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Free addresses for every listener, and the `init`/`serve` arguments that set them.
pub struct Ports {
    pub https: String,
    pub submission: String,
    pub submissions: String,
    pub relay: String,
    pub imap: String,
    pub imaps: String,
    pub ldap: String,
    pub ldaps: String,
    pub metrics: String,
}

impl Ports {
    pub fn new() -> Ports {
        let at = || format!("127.0.0.1:{}", free_port());
        Ports {
            https: at(),
            submission: at(),
            submissions: at(),
            relay: at(),
            imap: at(),
            imaps: at(),
            ldap: at(),
            ldaps: at(),
            metrics: at(),
        }
    }

    pub fn args(&self) -> Vec<&str> {
        vec![
            "--https",
            &self.https,
            "--submission",
            &self.submission,
            "--submissions",
            &self.submissions,
            "--relay",
            &self.relay,
            "--imap",
            &self.imap,
            "--imaps",
            &self.imaps,
            "--ldap",
            &self.ldap,
            "--ldaps",
            &self.ldaps,
            "--metrics",
            &self.metrics,
        ]
    }
}

/// `caduceus init --demo` on `data` with free ports for every listener.
pub fn init_demo(data: &Path) -> Ports {
    let ports = Ports::new();
    let mut args = vec!["init", "--demo"];
    args.extend(ports.args());
    ok(data, &[], &args);
    ports
}

/// The entry of `address` in the demo seed's `demo.json` (password, device
/// credential…).
pub fn demo_account(data: &Path, address: &str) -> serde_json::Value {
    let demo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap()).unwrap();
    demo["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == address)
        .cloned()
        .unwrap_or_else(|| panic!("{address} in demo.json"))
}

/// The JSON line `caduceus account show ADDRESS` prints first (id, registry,
/// identifier, state, contact…).
pub fn account_json(data: &Path, address: &str) -> serde_json::Value {
    let out = ok(data, &[], &["account", "show", address]);
    serde_json::from_str(out.lines().next().expect("a JSON line")).unwrap()
}

/// Runs tests/scripts/imap_mailbox.py as the demo account `address` (its device
/// credential) against `imaps`: `count`, `fetch` or `delete-first`; its output
/// (`login NO …` when the login is refused).
pub fn demo_imap(data: &Path, imaps: &str, address: &str, action: &str) -> String {
    let credential = demo_account(data, address)["device_credential"]
        .as_str()
        .unwrap()
        .to_owned();
    python3(&[
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/imap_mailbox.py"),
        imaps,
        data.join("pki/ca.pem").to_str().unwrap(),
        address,
        &credential,
        action,
    ])
}

/// Submits `count` messages (subjects `<tag> <n>`, body "Bonjour.") from the demo
/// account `from` of `data` to `to` through `submission`, with its device credential
/// over STARTTLS (Python's smtplib); all must be accepted.
pub fn send_demo_mail(
    data: &Path,
    submission: &str,
    from: &str,
    to: &str,
    tag: &str,
    count: usize,
) {
    let credential = demo_account(data, from)["device_credential"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent = python3(&[
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/send_many.py"),
        submission,
        data.join("pki/ca.pem").to_str().unwrap(),
        from,
        &credential,
        to,
        tag,
        &count.to_string(),
    ]);
    assert_eq!(sent.trim(), format!("sent {count}"));
}

/// A `caduceus serve` child process, killed when dropped.
pub struct Server(std::process::Child);

impl Server {
    /// Starts `caduceus --data DATA serve` and waits (60 s at most) until `address`
    /// accepts connections.
    pub fn start(data: &Path, address: &str) -> Server {
        Server::start_with(data, &[], address)
    }

    /// [`Server::start`] with extra environment (`CADUCEUS_DATABASE_URL`…).
    pub fn start_with(data: &Path, env: &[(&str, &str)], address: &str) -> Server {
        let child = caduceus()
            .arg("--data")
            .arg(data)
            .arg("serve")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("caduceus serve");
        let server = Server(child);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while std::net::TcpStream::connect(address).is_err() {
            assert!(std::time::Instant::now() < deadline, "serve did not start");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `curl` of the demo's API (`https`) as `address`, logged in with the client
/// certificate `demo.json` lists for it (AU-1), with `extra` options: the HTTP status;
/// the body is written to `out`.
pub fn demo_api(
    data: &Path,
    https: &str,
    address: &str,
    extra: &[&str],
    path: &str,
    out: &Path,
) -> String {
    let account = demo_account(data, address);
    let login = (
        Path::new(account["certificate"].as_str().unwrap()),
        Path::new(account["key"].as_str().unwrap()),
    );
    api_with_certificate(data, https, login, extra, path, out)
}

/// `curl` of the API (`https`, the CA of the data directory `data`) logged in with
/// the client certificate and key `login` (AU-1), with `extra` options: the HTTP
/// status; the body is written to `out`.
pub fn api_with_certificate(
    data: &Path,
    https: &str,
    login: (&Path, &Path),
    extra: &[&str],
    path: &str,
    out: &Path,
) -> String {
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "30"])
        .args(extra)
        .arg("--cacert")
        .arg(data.join("pki/ca.pem"))
        .arg("--cert")
        .arg(login.0)
        .arg("--key")
        .arg(login.1)
        .arg("-o")
        .arg(out)
        .args(["-w", "%{http_code}"])
        .arg(format!("https://{https}/api/v1{path}"))
        .output()
        .expect("curl is needed (apt-get install -y curl)");
    assert!(
        output.status.success(),
        "curl {path}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Runs `openssl ARGS` in `dir`, as a user's client or an external authority would;
/// fails the test with its output when it fails. Its standard output.
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The device credential `demo.json` lists for `address` of the demo in `data`.
pub fn demo_credential(data: &Path, address: &str) -> String {
    demo_account(data, address)["device_credential"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// tests/scripts/raw_mail.py `action` as `user` of the demo in `data`, on `listener`
/// (raw bytes submitted or fetched, byte for byte): what it printed, trimmed.
pub fn raw_mail(data: &Path, listener: &str, user: &str, action: &str, rest: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/raw_mail.py");
    let ca = data.join("pki/ca.pem");
    let secret = demo_credential(data, user);
    let mut args = vec![
        script,
        action,
        listener,
        ca.to_str().unwrap(),
        user,
        secret.as_str(),
    ];
    args.extend(rest);
    python3(&args).trim().to_owned()
}

/// Runs `python3 ARGS` (a script path or `-c CODE`, then its arguments); fails the
/// test with its stderr when it fails, returns its stdout.
pub fn python3<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
    let out = Command::new("python3")
        .args(args)
        .output()
        .expect("python3 is needed (apt-get install -y python3)");
    assert!(
        out.status.success(),
        "python3 failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Messages in the INBOX of `address`, counted in the embedded database of `data`.
pub fn inbox_count(data: &Path, address: &str) -> usize {
    sqlite_value(
        &data.join("caduceus.db"),
        &format!(
            "SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id \
             JOIN accounts a ON a.id = b.account_id WHERE a.address = '{address}' AND b.name = 'INBOX'"
        ),
    )
    .parse()
    .unwrap()
}

/// One value read from the data directory's SQLite database.
pub fn db_value(data: &Path, sql: &str) -> String {
    sqlite_value(&data.join("caduceus.db"), sql)
}

/// The id of the account at `address`.
pub fn account_id(data: &Path, address: &str) -> String {
    db_value(
        data,
        &format!("SELECT id FROM accounts WHERE address = '{address}'"),
    )
}

/// The last trace's sequence number (0 without traces).
pub fn last_seq(data: &Path) -> String {
    db_value(data, "SELECT COALESCE(MAX(seq), 0) FROM traces")
}

/// The first column of the first row of `sql` on a SQLite file (Python's sqlite3).
pub fn sqlite_value(db: &Path, sql: &str) -> String {
    python3(&[
        std::ffi::OsStr::new("-c"),
        std::ffi::OsStr::new(
            "import sqlite3,sys\nrow=sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()\nprint(row[0] if row else '')",
        ),
        db.as_os_str(),
        std::ffi::OsStr::new(sql),
    ])
    .trim()
    .to_owned()
}

/// The output of `sql` on PostgreSQL (`psql -tA`: one line per row, `|` between columns).
pub fn psql_rows(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([url, "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql])
        .output()
        .expect("psql is needed for the PostgreSQL tests (apt-get install -y postgresql-client)");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The outbound relay stand-in: tests/support/smtp_sink.py on a free port.
pub struct Sink {
    child: std::process::Child,
    dir: std::path::PathBuf,
    pub port: u16,
}

impl Sink {
    pub fn start(dir: &std::path::Path) -> Sink {
        use std::io::BufRead;
        std::fs::create_dir_all(dir).unwrap();
        let port = free_port();
        let mut child = std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/support/smtp_sink.py"
            ))
            .arg(port.to_string())
            .arg(dir)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 is needed for the SMTP sink (apt-get install -y python3)");
        let mut ready = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .unwrap();
        assert_eq!(ready.trim(), "ready");
        Sink {
            child,
            dir: dir.to_owned(),
            port,
        }
    }

    /// Points `[notices]` of the instance in `data` at this sink (no TLS).
    pub fn configure(&self, data: &Path) {
        let config = data.join("caduceus.toml");
        let text = std::fs::read_to_string(&config)
            .unwrap()
            .replace(
                "# relay = \"smtp.example.org:587\"",
                &format!("relay = \"127.0.0.1:{}\"", self.port),
            )
            .replace("# security = \"starttls\"", "security = \"none\"");
        std::fs::write(&config, text).unwrap();
    }

    /// The messages received, once there are at least `count` (30 s at most).
    pub fn wait_for(&self, count: usize) -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the relay received {} message(s), not {count}",
                messages.len()
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }

    /// The messages received so far.
    pub fn messages(&self) -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs scripts/clamd-test.sh `action` (`start DIR PORT`, `stop DIR`): a throwaway
/// clamd with a signature for the EICAR test file (MS-13).
pub fn clamd(action: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/clamd-test.sh");
    let out = Command::new("bash")
        .arg(script)
        .args(action)
        .output()
        .expect("bash");
    assert!(
        out.status.success(),
        "clamd-test.sh {action:?} failed (apt-get install -y clamav-daemon): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Points the instance in `data` at the clamd listening on 127.0.0.1:`port`.
pub fn use_clamd(data: &Path, port: &str) {
    let config = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "# clamd = \"127.0.0.1:3310\"",
        &format!("clamd = \"127.0.0.1:{port}\""),
    );
    std::fs::write(&config, text).unwrap();
}

/// The EICAR test string, assembled at run time so no file of the repository holds it.
pub fn eicar() -> String {
    format!(
        "{}{}",
        r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-", "ANTIVIRUS-TEST-FILE!$H+H*"
    )
}
