//! Durability of accepted mail (issue "SMTP", MS-4): clients submit over SMTP while the
//! server is killed with SIGKILL; after a restart, every message that got a `250` is
//! in the recipient's mailbox.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{caduceus, ok};

/// Sends messages one after another on one connection, printing `ok N` after each 250
/// (flushed at once), until the server goes away.
const CLIENT: &str = r#"
import smtplib, ssl, sys
host, port, ca, user, secret, to, client = sys.argv[1:8]
context = ssl.create_default_context(cafile=ca)
n = 0
try:
    with smtplib.SMTP(host, int(port), timeout=30) as s:
        s.starttls(context=context)
        s.login(user, secret)
        while True:
            n += 1
            body = "From: %s\r\nTo: %s\r\nSubject: durable %s-%d\r\n\r\n%s\r\n" % (user, to, client, n, "x" * 2000)
            s.sendmail(user, [to], body.encode())
            print("ok", n, flush=True)
except Exception as e:
    print("stopped", type(e).__name__, flush=True)
"#;

fn start(data: &std::path::Path, submission: &str) -> Child {
    let child = caduceus()
        .arg("--data")
        .arg(data)
        .arg("serve")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(submission).is_err() {
        assert!(Instant::now() < deadline, "serve did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

#[test]
fn ms4_every_message_answered_250_survives_sigkill() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = common::init_demo(&data);
    let submission = ports.submission.clone();
    let demo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap()).unwrap();
    let credential = demo["accounts"][0]["device_credential"]
        .as_str()
        .unwrap()
        .to_owned();
    let ca = data.join("pki/ca.pem");
    let recipient = "bruno.durand@caduceus.test";
    let before = common::inbox_count(&data, recipient);

    let mut server = start(&data, &submission);
    let (host, port) = submission.rsplit_once(':').unwrap();
    let clients: Vec<Child> = (0..4)
        .map(|i| {
            Command::new("python3")
                .args(["-c", CLIENT, host, port, ca.to_str().unwrap()])
                .args([
                    "alice.martin@caduceus.test",
                    &credential,
                    recipient,
                    &i.to_string(),
                ])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Let them send for a while, then kill the server without warning.
    std::thread::sleep(Duration::from_millis(2500));
    Command::new("kill")
        .args(["-KILL", &server.id().to_string()])
        .status()
        .unwrap();
    server.wait().unwrap();
    let mut acknowledged = 0;
    for mut client in clients {
        let reader = BufReader::new(client.stdout.take().unwrap());
        acknowledged += reader
            .lines()
            .map_while(Result::ok)
            .filter(|line| line.starts_with("ok "))
            .count();
        client.wait().unwrap();
    }
    assert!(acknowledged > 0, "no message was accepted before the kill");
    eprintln!("{acknowledged} messages acknowledged before SIGKILL");

    // Restart: the database recovers; every acknowledged message is there.
    let mut server = start(&data, &submission);
    let after = common::inbox_count(&data, recipient) - before;
    eprintln!("{after} stored after restart");
    assert!(
        after >= acknowledged,
        "{acknowledged} messages got 250 but only {after} are stored"
    );
    let _ = server.kill();
    let _ = server.wait();
    // The trace chain is intact after the crash.
    assert!(ok(&data, &[], &["audit", "verify"]).contains("intact"));
}
