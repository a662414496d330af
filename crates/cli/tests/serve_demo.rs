//! `caduceus init --demo` then `caduceus serve`: the listeners in `demo.json` answer,
//! spoken to by real clients (curl, openssl s_client) over loopback.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Ports, caduceus, ok};

/// A running `caduceus serve`, stopped with SIGTERM when dropped.
struct Server(Child);

impl Server {
    fn start(data: &Path, extra: &[&str]) -> Server {
        let child = caduceus()
            .arg("--data")
            .arg(data)
            .arg("serve")
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start caduceus serve");
        Server(child)
    }

    /// Sends SIGTERM and waits; returns whether it exited cleanly. Fails the test,
    /// rather than hang it, if the server is still running a minute later: its
    /// shutdown deadline (`[connections] shutdown_seconds`, 10 s by default) cuts
    /// whatever a client holds open, keep-alive connections included.
    fn stop(mut self) -> bool {
        let pid = self.0.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "serve still runs a minute after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        std::mem::forget(self);
        status.success()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn wait_for_port(address: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(address).is_err() {
        assert!(
            Instant::now() < deadline,
            "nothing listens on {address} after 60 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs a Python script (a real mail client) with arguments; returns its output.
fn python(script: &str, args: &[&str]) -> std::process::Output {
    Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 is needed for the SMTP tests (apt-get install -y python3)")
}

fn curl(args: &[&str]) -> std::process::Output {
    Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl is needed for the HTTPS tests (apt-get install -y curl)")
}

#[test]
fn ms18_demo_json_lists_listeners_that_answer() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = common::init_demo(&data);
    let https = ports.https.clone();

    let demo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap()).unwrap();
    assert_eq!(demo["listeners"]["https"], https.as_str());
    assert_eq!(demo["listeners"]["submission"], ports.submission.as_str());
    assert_eq!(demo["listeners"]["submissions"], ports.submissions.as_str());
    let accounts = demo["accounts"].as_array().unwrap();
    let kinds: Vec<&str> = accounts
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["professional", "professional", "organisation", "patient"]
    );
    assert!(
        accounts[3]["address"]
            .as_str()
            .unwrap()
            .ends_with("@patient.caduceus.test")
    );
    for account in accounts {
        assert!(account["password"].as_str().unwrap().len() >= 12);
    }
    let ca = demo["ca_certificate"].as_str().unwrap().to_owned();
    let cert = accounts[0]["certificate"].as_str().unwrap().to_owned();
    let key = accounts[0]["key"].as_str().unwrap().to_owned();
    for path in [&ca, &cert, &key] {
        assert!(Path::new(path).exists(), "{path} missing");
    }
    let listed = ok(&data, &[], &["account", "list"]);
    assert_eq!(listed.matches("active").count(), 4, "{listed}");

    let server = Server::start(&data, &[]);
    wait_for_port(&https);
    let url = format!("https://{https}/healthz");
    let out = curl(&["--cacert", &ca, &url]);
    assert!(
        out.status.success(),
        "curl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["status"], "ok");
    // RT-1: an objection link with a token that was never sent is refused.
    let object = format!("https://{https}/inactivity/object?token=not-sent");
    let out = curl(&["--cacert", &ca, "-w", "%{http_code}", &object]);
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(
        page.ends_with("404") && page.contains("not valid"),
        "{page}"
    );
    // With the professional's CPS-like client certificate too (AU-1 transport).
    let out = curl(&["--cacert", &ca, "--cert", &cert, "--key", &key, &url]);
    assert!(
        out.status.success(),
        "curl with client certificate: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // An unknown CA is refused by curl: the server really presents the dev PKI's certificate.
    let out = curl(&[&url]);
    assert!(
        !out.status.success(),
        "curl must not trust the development CA by default"
    );
    // SMTP submission answers on both addresses, with a real client (smtplib): Alice's
    // device credential from demo.json sends to Bruno over 587 + STARTTLS, and the
    // implicit-TLS listener greets with the operator's certificate.
    let credential = accounts[0]["device_credential"].as_str().unwrap();
    let (host, port) = ports.submission.rsplit_once(':').unwrap();
    let sent = python(
        r#"
import smtplib, ssl, sys
host, port, ca, user, secret, to = sys.argv[1:7]
context = ssl.create_default_context(cafile=ca)
with smtplib.SMTP(host, int(port), timeout=20) as s:
    s.ehlo("client.test")
    assert s.has_extn("starttls"), s.esmtp_features
    assert not s.has_extn("auth"), "no AUTH before TLS"
    s.starttls(context=context)
    s.ehlo("client.test")
    s.login(user, secret)
    message = "From: %s\r\nTo: %s\r\nSubject: demo\r\n\r\nHello\r\n" % (user, to)
    refused = s.sendmail(user, [to], message.encode())
    assert refused == {}, refused
print("sent")
"#,
        &[
            host,
            port,
            &ca,
            "alice.martin@caduceus.test",
            credential,
            "bruno.durand@caduceus.test",
        ],
    );
    assert!(
        sent.status.success() && String::from_utf8_lossy(&sent.stdout).contains("sent"),
        "smtplib: {}{}",
        String::from_utf8_lossy(&sent.stdout),
        String::from_utf8_lossy(&sent.stderr)
    );
    let (host, port) = ports.submissions.rsplit_once(':').unwrap();
    let greeted = python(
        r#"
import smtplib, ssl, sys
host, port, ca = sys.argv[1:4]
with smtplib.SMTP_SSL(host, int(port), context=ssl.create_default_context(cafile=ca), timeout=20) as s:
    code, _ = s.ehlo("client.test")
    assert code == 250 and s.has_extn("auth"), s.esmtp_features
print("greeted")
"#,
        &[host, port, &ca],
    );
    assert!(
        greeted.status.success(),
        "smtplib over implicit TLS: {}",
        String::from_utf8_lossy(&greeted.stderr)
    );
    // The operator relay: this operator's own certificate is on the trust list that
    // init wrote, so a relayed message from its domain is delivered (MS-5).
    let (host, port) = ports.relay.rsplit_once(':').unwrap();
    let server_cert = data.join("pki/server.pem");
    let server_key = data.join("pki/server.key");
    let relayed = python(
        r#"
import smtplib, ssl, sys
host, port, ca, cert, key = sys.argv[1:6]
context = ssl.create_default_context(cafile=ca)
context.load_cert_chain(cert, key)
with smtplib.SMTP(host, int(port), timeout=20) as s:
    s.ehlo("peer.test")
    assert not s.has_extn("auth")
    s.starttls(context=context)
    message = "From: a@caduceus.test\r\nTo: bruno.durand@caduceus.test\r\nSubject: relayed\r\n\r\nHello\r\n"
    assert s.sendmail("a@caduceus.test", ["bruno.durand@caduceus.test"], message.encode()) == {}
print("relayed")
"#,
        &[
            host,
            port,
            &ca,
            server_cert.to_str().unwrap(),
            server_key.to_str().unwrap(),
        ],
    );
    assert!(
        relayed.status.success(),
        "relay: {}",
        String::from_utf8_lossy(&relayed.stderr)
    );
    // The operations listener (plain HTTP) counts what happened: both messages
    // accepted, the submission's login, the HTTPS requests; no address anywhere.
    let metrics = curl(&[&format!("http://{}/metrics", ports.metrics)]);
    let text = String::from_utf8_lossy(&metrics.stdout);
    for expected in [
        "caduceus_messages_accepted_total{path=\"submission\"} 1",
        "caduceus_messages_accepted_total{path=\"relay\"} 1",
        "caduceus_logins_total{outcome=\"success\"}",
        "caduceus_outbound_queue_depth 0",
        "caduceus_imap_listing_cache_entries 0",
        "caduceus_imap_listing_cache_bytes 0",
        "caduceus_delivery_seconds_bucket",
        "caduceus_http_request_seconds_bucket{route=\"/healthz\"",
    ] {
        assert!(
            text.contains(expected),
            "{expected} not in /metrics:\n{text}"
        );
    }
    assert!(!text.contains("@caduceus.test"), "an address in /metrics");
    let health = curl(&[&format!("http://{}/healthz", ports.metrics)]);
    assert!(String::from_utf8_lossy(&health.stdout).contains("\"ok\""));
    assert!(server.stop(), "serve exits cleanly on SIGTERM");
}

#[test]
fn ms3_https_refuses_tls_1_1() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = Ports::new();
    let https = ports.https.clone();
    let mut args = ports.args();
    args.push("--demo");
    let server = Server::start(&data, &args);
    wait_for_port(&https);
    assert!(
        data.join("caduceus.toml").exists(),
        "serve initialises on first run"
    );
    let ca = data.join("pki/ca.pem");
    let s_client = |version: &str| {
        Command::new("openssl")
            .args(["s_client", "-connect", &https, "-CAfile"])
            .arg(&ca)
            .args([version, "-verify_return_error"])
            .stdin(Stdio::null())
            .output()
            .expect("openssl is needed (apt-get install -y openssl)")
    };
    let modern = s_client("-tls1_2");
    assert!(
        modern.status.success(),
        "TLS 1.2: {}",
        String::from_utf8_lossy(&modern.stderr)
    );
    let old = s_client("-tls1_1");
    assert!(!old.status.success(), "TLS 1.1 must be refused (MS-3)");
    assert!(server.stop());
}

#[test]
fn ms13_serve_outside_the_demo_refuses_to_start_without_an_antivirus() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = Ports::new();
    let mut args = vec!["serve"];
    args.extend(ports.args());
    let refused = common::run(&data, &[], &args);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "serve started without clamd");
    assert!(
        stderr.contains("[antivirus] clamd") && stderr.contains("antivirus.required = false"),
        "{stderr}"
    );
    // Said in the configuration: then it starts, and says so in /metrics.
    let config = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replacen("# required = true", "required = false", 1),
    )
    .unwrap();
    let server = Server::start(&data, &[]);
    wait_for_port(&ports.metrics);
    let metrics = curl(&[&format!("http://{}/metrics", ports.metrics)]);
    assert!(
        String::from_utf8_lossy(&metrics.stdout).contains("caduceus_antivirus_scanning 0"),
        "{}",
        String::from_utf8_lossy(&metrics.stdout)
    );
    assert!(server.stop());
}

#[test]
fn ms3_notices_in_clear_go_only_to_a_relay_on_this_machine() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = common::init_demo(&data);
    let config = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replacen(
            "[notices]\n",
            "[notices]\nrelay = \"192.0.2.25:25\"\nsecurity = \"none\"\n",
            1,
        ),
    )
    .unwrap();
    let mut args = vec!["serve"];
    args.extend(ports.args());
    let refused = common::run(&data, &[], &args);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "notices in clear to another host"
    );
    assert!(stderr.contains("notices.security = \"none\""), "{stderr}");
}

#[test]
fn config_file_documents_every_setting_commented() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    ok(&data, &[], &["init"]);
    let text = std::fs::read_to_string(data.join("caduceus.toml")).unwrap();
    for setting in [
        "backend",
        "database_url",
        "keyring_url",
        "master_key_file",
        "trace_signing_key_file",
        "https",
        "certificate",
        "client_ca",
        "max_message_size",
        "max_recipients",
        "retention_days",
        "checkpoint_every",
    ] {
        assert!(
            text.contains(&format!("# {setting} = ")),
            "{setting} not documented"
        );
    }
    let again = common::run(&data, &[], &["init"]);
    assert!(
        !again.status.success(),
        "init never overwrites a data directory"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("keys/master.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "master key must be private");
    }
}

#[test]
fn au1_revoked_certificate_is_refused_by_the_listener() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = common::init_demo(&data);
    let https = ports.https.clone();
    let out = ok(
        &data,
        &[],
        &[
            "account",
            "certificate",
            "alice.martin@caduceus.test",
            "--revoke",
        ],
    );
    assert!(out.contains("revoked"), "{out}");
    let server = Server::start(&data, &[]);
    wait_for_port(&https);
    let users = data.join("pki/users");
    let ca = data.join("pki/ca.pem");
    let url = format!("https://{https}/healthz");
    let with_cert = |who: &str| {
        let cert = users.join(format!("{who}@caduceus.test.pem"));
        let key = data.join(format!("demo-clients/{who}@caduceus.test.key"));
        curl(&[
            "--cacert",
            ca.to_str().unwrap(),
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            &url,
        ])
    };
    let revoked = with_cert("alice.martin");
    assert!(
        !revoked.status.success(),
        "a revoked certificate got through"
    );
    let colleague = with_cert("bruno.durand");
    assert!(
        colleague.status.success(),
        "{}",
        String::from_utf8_lossy(&colleague.stderr)
    );
    assert!(server.stop());
}

/// Stopping `serve` is bounded (AU-3): with idle connections on every listener (no
/// TLS handshake begun, an IMAP session greeted, HTTPS and metrics keep-alive
/// connections after a request) and timeouts far longer than the shutdown
/// deadline, SIGTERM ends the process, cleanly.
#[test]
fn au3_serve_stops_within_its_deadline_with_idle_and_keep_alive_connections_open() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = common::init_demo(&data);
    let config = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "[connections]\n",
        "[connections]\nshutdown_seconds = 2\nhandshake_seconds = 3600\nhttps_idle_seconds = 3600\n",
        1,
    );
    std::fs::write(&config, text).unwrap();
    let server = Server::start(&data, &[]);
    let all = [
        &ports.https,
        &ports.submission,
        &ports.submissions,
        &ports.relay,
        &ports.imap,
        &ports.imaps,
        &ports.ldap,
        &ports.ldaps,
        &ports.metrics,
    ];
    for address in all {
        wait_for_port(address);
    }
    // Connections that never say a word.
    let silent: Vec<_> = all
        .iter()
        .map(|address| std::net::TcpStream::connect(address.as_str()).unwrap())
        .collect();
    // Keep-alive connections after one request each, and a greeted IMAP session,
    // held by a client that does not leave.
    let ca = data.join("pki/ca.pem");
    let mut holder = Command::new("python3")
        .arg("-c")
        .arg(HOLD_CONNECTIONS)
        .args([
            ca.to_str().unwrap(),
            &ports.https,
            &ports.metrics,
            &ports.imaps,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 is needed (apt-get install -y python3)");
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(holder.stdout.as_mut().unwrap()),
        &mut ready,
    )
    .unwrap();
    assert_eq!(ready.trim(), "ready 200 200 OK", "{ready}");
    assert!(server.stop(), "serve did not exit cleanly");
    let _ = holder.kill();
    let _ = holder.wait();
    drop(silent);
}

/// Opens an HTTPS and a metrics keep-alive connection (one request each) and an IMAP
/// session (greeted), says so, then holds them.
const HOLD_CONNECTIONS: &str = r#"
import http.client, imaplib, ssl, sys, time
ca, https, metrics, imaps = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
host, port = https.rsplit(":", 1)
secure = http.client.HTTPSConnection(host, int(port), context=context)
secure.request("GET", "/healthz")
first = secure.getresponse(); first.read()
host, port = metrics.rsplit(":", 1)
plain = http.client.HTTPConnection(host, int(port))
plain.request("GET", "/metrics")
second = plain.getresponse(); second.read()
host, port = imaps.rsplit(":", 1)
imap = imaplib.IMAP4_SSL(host, int(port), ssl_context=context)
print("ready", first.status, second.status, imap.welcome.split()[1].decode(), flush=True)
time.sleep(3600)
"#;

/// A failed accept never ends a listener (AU-3): the running server's file
/// descriptors are capped (`prlimit`) so that accepting fails with EMFILE while
/// clients hold connections; once they leave, HTTPS answers again.
#[test]
fn au3_the_https_listener_survives_accepts_failing_with_emfile() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = common::init_demo(&data);
    let log = root.path().join("serve.log");
    let child = caduceus()
        .arg("--data")
        .arg(&data)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .expect("start caduceus serve");
    let server = Server(child);
    wait_for_port(&ports.https);
    let pid = server.0.id();
    let open = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    let cap = format!("--nofile={}:{}", open + 10, open + 10);
    let limited = Command::new("prlimit")
        .args(["--pid", &pid.to_string(), &cap])
        .status()
        .expect("prlimit is needed (apt-get install -y util-linux)");
    assert!(limited.success());
    // More connections than descriptors left: the last ones cannot be accepted.
    let held: Vec<_> = (0..40)
        .map(|_| std::net::TcpStream::connect(ports.https.as_str()).unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let emfile = |line: &str| line.contains("accept failed") && line.contains("os error 24");
    while !std::fs::read_to_string(&log).unwrap().lines().any(emfile) {
        assert!(Instant::now() < deadline, "accept never failed with EMFILE");
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(held);
    let ca = data.join("pki/ca.pem");
    let url = format!("https://{}/healthz", ports.https);
    let answered = (0..100).any(|_| {
        let out = curl(&["--cacert", ca.to_str().unwrap(), &url]);
        out.status.success() || {
            std::thread::sleep(Duration::from_millis(200));
            false
        }
    });
    assert!(answered, "{}", std::fs::read_to_string(&log).unwrap());
    assert!(server.stop(), "serve did not exit cleanly");
}
