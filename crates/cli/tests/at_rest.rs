//! Encryption at rest to the holder's certificate (MS-3, MS-4, issue 19): Bruno turns
//! it on through the API; a plaintext message Alice submits over SMTP arrives
//! enveloped over IMAP and opens with Bruno's key (`openssl cms -decrypt`), byte for
//! byte the entity she sent; nothing the server gives back with its own keys (IMAP,
//! the API's message, raw download and export) nor its disk holds the content. Turned
//! off, the next message is stored as everyone's again.
//!
//! interface: smtp

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, demo_account, init_demo, raw_mail};

const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";
/// What must never be readable at rest once Bruno asked for it.
const SECRET: &str = "Hemoglobine 10,2 g/dL Zorglubienne";

fn bruno_api(data: &Path, https: &str, extra: &[&str], path: &str, out: &Path) -> String {
    common::demo_api(data, https, BRUNO, extra, path, out)
}

fn set_encryption(data: &Path, https: &str, on: bool, out: &Path) -> serde_json::Value {
    let body = format!("{{\"at_rest\": {on}}}");
    let status = bruno_api(
        data,
        https,
        &[
            "-X",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "--data",
            &body,
        ],
        "/account/encryption",
        out,
    );
    let answer = std::fs::read_to_string(out).unwrap();
    assert_eq!(status, "200", "{answer}");
    serde_json::from_str(&answer).unwrap()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every file under `dir`, read whole.
fn files(dir: &Path, into: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, into);
        } else if let Ok(bytes) = std::fs::read(&path) {
            into.push((path, bytes));
        }
    }
}

#[test]
fn ms3_ms4_encrypted_at_rest_to_the_holders_certificate_arrives_enveloped_and_opens_with_their_key()
{
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = init_demo(&data);
    let server = Server::start(&data, &ports.imaps);
    let dir = root.path().join("client");
    std::fs::create_dir_all(&dir).unwrap();
    let answer = dir.join("answer.json");

    let on = set_encryption(&data, &ports.https, true, &answer);
    assert_eq!(on["at_rest"], true, "{on}");
    assert!(on["since_ms"].as_i64().is_some(), "{on}");
    let shown = bruno_api(&data, &ports.https, &[], "/account/encryption", &answer);
    assert_eq!(shown, "200");

    // Alice's plaintext letter, as her mail client submits it.
    let entity = format!(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Bilan : {SECRET}.\r\nA revoir dans un mois.\r\n"
    );
    let letter = |subject: &str| {
        format!(
            "From: {ALICE}\r\nTo: {BRUNO}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@caduceus.test>\r\n\
             MIME-Version: 1.0\r\n{entity}"
        )
    };
    std::fs::write(dir.join("sealed.eml"), letter("CR-at-rest")).unwrap();
    let sent = raw_mail(
        &data,
        &ports.submission,
        ALICE,
        "submit",
        &[BRUNO, dir.join("sealed.eml").to_str().unwrap()],
    );
    assert_eq!(sent, "sent");
    let fetched = dir.join("fetched.eml");
    let got = raw_mail(
        &data,
        &ports.imaps,
        BRUNO,
        "fetch",
        &["CR-at-rest", fetched.to_str().unwrap()],
    );
    assert_eq!(got, "fetched");
    let stored = std::fs::read(&fetched).unwrap();
    let text = String::from_utf8_lossy(&stored);
    assert!(
        text.contains("application/pkcs7-mime; smime-type=authEnveloped-data"),
        "{text}"
    );
    assert!(
        text.contains("Subject: CR-at-rest\r\n"),
        "routing fields stay outside"
    );
    assert!(
        !contains(&stored, SECRET),
        "the content is readable over IMAP"
    );

    // Bruno's key opens it: the entity Alice sent, byte for byte.
    let bruno = demo_account(&data, BRUNO);
    let out = Command::new("openssl")
        .args(["cms", "-decrypt", "-binary", "-in"])
        .arg(&fetched)
        .arg("-inkey")
        .arg(bruno["smime_key"].as_str().unwrap())
        .arg("-recip")
        .arg(bruno["smime_certificate"].as_str().unwrap())
        .output()
        .expect("openssl is needed (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), entity);

    // What the server gives back with its own keys holds nothing readable: the API's
    // message and raw download, the export.
    let list = dir.join("list.json");
    let listed = bruno_api(
        &data,
        &ports.https,
        &[],
        "/folders/INBOX/messages?limit=200",
        &list,
    );
    assert_eq!(listed, "200");
    let list: serde_json::Value = serde_json::from_slice(&std::fs::read(&list).unwrap()).unwrap();
    let id = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == "CR-at-rest")
        .unwrap_or_else(|| panic!("listed: {list}"))["id"]
        .clone();
    for path in [
        format!("/messages/{id}"),
        format!("/messages/{id}/raw"),
        "/export".to_owned(),
    ] {
        let out = dir.join("got");
        assert_eq!(
            bruno_api(&data, &ports.https, &[], &path, &out),
            "200",
            "{path}"
        );
        let bytes = std::fs::read(&out).unwrap();
        assert!(!contains(&bytes, SECRET), "{path} shows the content");
    }

    // Turned off: the next letter is kept as everyone's (the control that the checks
    // above can fail).
    let off = set_encryption(&data, &ports.https, false, &answer);
    assert_eq!(off["at_rest"], false, "{off}");
    std::fs::write(dir.join("plain.eml"), letter("CR-plain")).unwrap();
    let sent = raw_mail(
        &data,
        &ports.submission,
        ALICE,
        "submit",
        &[BRUNO, dir.join("plain.eml").to_str().unwrap()],
    );
    assert_eq!(sent, "sent");
    let plain = dir.join("plain-fetched.eml");
    raw_mail(
        &data,
        &ports.imaps,
        BRUNO,
        "fetch",
        &["CR-plain", plain.to_str().unwrap()],
    );
    assert!(contains(&std::fs::read(&plain).unwrap(), SECRET));
    drop(server);

    // The disk holds neither in clear (MS-4).
    let mut all = Vec::new();
    files(&data, &mut all);
    for (path, bytes) in &all {
        assert!(
            !contains(bytes, SECRET),
            "{} holds the content",
            path.display()
        );
    }
}
