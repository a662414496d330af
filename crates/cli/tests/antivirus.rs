//! Antivirus through SMTP submission with a real clamd (MS-13): the EICAR test file is
//! refused with 554 naming the signature; with clamd stopped the sender gets 451 and
//! nothing is accepted unscanned.

mod common;

use std::path::Path;

use common::{clamd, free_port};

const SEND: &str = r#"
import smtplib, ssl, sys
host, port, ca, user, secret, to, body = sys.argv[1:8]
context = ssl.create_default_context(cafile=ca)
message = "From: %s\r\nTo: %s\r\nSubject: test\r\n\r\n%s\r\n" % (user, to, body)
with smtplib.SMTP(host, int(port), timeout=30) as s:
    s.starttls(context=context)
    s.login(user, secret)
    try:
        s.sendmail(user, [to], message.encode())
        print("250")
    except smtplib.SMTPDataError as e:
        print(e.smtp_code, e.smtp_error.decode())
"#;

fn send(ca: &Path, submission: &str, credential: &str, body: &str) -> String {
    let (host, port) = submission.rsplit_once(':').unwrap();
    let ca = ca.to_str().unwrap();
    common::python3(&[
        "-c",
        SEND,
        host,
        port,
        ca,
        "alice.martin@caduceus.test",
        credential,
        "bruno.durand@caduceus.test",
        body,
    ])
}

#[test]
fn ms13_eicar_is_refused_and_a_stopped_clamd_gives_451() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let clamd_dir = root.path().join("clamd");
    let clamd_port = free_port().to_string();
    clamd(&["start", clamd_dir.to_str().unwrap(), &clamd_port]);

    let ports = common::init_demo(&data);
    let submission = ports.submission.clone();
    common::use_clamd(&data, &clamd_port);
    let demo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap()).unwrap();
    let credential = demo["accounts"][0]["device_credential"]
        .as_str()
        .unwrap()
        .to_owned();
    let ca = data.join("pki/ca.pem");

    let server = common::Server::start(&data, &submission);

    assert_eq!(
        send(&ca, &submission, &credential, "a clean letter").trim(),
        "250"
    );
    let eicar = common::eicar();
    let refused = send(&ca, &submission, &credential, &eicar);
    assert!(refused.starts_with("554"), "{refused}");
    assert!(
        refused.contains("MS-13") && refused.to_lowercase().contains("eicar"),
        "{refused}"
    );

    clamd(&["stop", clamd_dir.to_str().unwrap()]);
    let unavailable = send(&ca, &submission, &credential, "another clean letter");
    assert!(unavailable.starts_with("451"), "{unavailable}");

    drop(server);
}
