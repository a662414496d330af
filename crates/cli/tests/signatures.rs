//! A received message's S/MIME signature as the API shows it (MS-16, MS-2, issue 19):
//! Alice's mail client signs a letter with her certificate (`openssl cms -sign`) and
//! submits it over SMTP; Bruno's `GET /api/v1/messages/{id}` says the signature is
//! valid, names Alice and that she is a verified account; the same letter altered after
//! signing is shown invalid and not from a verified account; a plain letter has none.
//!
//! interface: smtp

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, demo_account, demo_api, init_demo, raw_mail};

const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";

/// A mail client's line endings: openssl writes bare LF.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Alice's letter `subject`, signed (detached, `multipart/signed`) by her client.
fn signed_letter(data: &Path, dir: &Path, subject: &str) -> String {
    let alice = demo_account(data, ALICE);
    std::fs::write(
        dir.join("inner.eml"),
        "Content-Type: text/plain; charset=utf-8\r\n\r\nResultats normaux.\r\n",
    )
    .unwrap();
    let out = Command::new("openssl")
        .args(["cms", "-sign", "-crlfeol", "-in", "inner.eml", "-signer"])
        .arg(alice["smime_certificate"].as_str().unwrap())
        .arg("-inkey")
        .arg(alice["smime_key"].as_str().unwrap())
        .args(["-from", ALICE, "-to", BRUNO, "-subject", subject])
        .current_dir(dir)
        .output()
        .expect("openssl is needed (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    crlf(&String::from_utf8(out.stdout).unwrap())
}

/// Submits `letter` as Alice, then Bruno's API view of it.
fn sent_and_shown(
    data: &Path,
    ports: &common::Ports,
    dir: &Path,
    subject: &str,
    letter: &str,
) -> serde_json::Value {
    let file = dir.join(format!("{subject}.eml"));
    std::fs::write(&file, letter).unwrap();
    let sent = raw_mail(
        data,
        &ports.submission,
        ALICE,
        "submit",
        &[BRUNO, file.to_str().unwrap()],
    );
    assert_eq!(sent, "sent");
    let fetched = dir.join("fetched.eml");
    let got = raw_mail(
        data,
        &ports.imaps,
        BRUNO,
        "fetch",
        &[subject, fetched.to_str().unwrap()],
    );
    assert_eq!(got, "fetched");
    let list = dir.join("list.json");
    let path = "/folders/INBOX/messages?limit=200";
    assert_eq!(demo_api(data, &ports.https, BRUNO, &[], path, &list), "200");
    let list: serde_json::Value = serde_json::from_slice(&std::fs::read(&list).unwrap()).unwrap();
    let id = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == subject)
        .unwrap_or_else(|| panic!("{subject}: {list}"))["id"]
        .clone();
    let shown = dir.join("shown.json");
    let path = format!("/messages/{id}");
    assert_eq!(
        demo_api(data, &ports.https, BRUNO, &[], &path, &shown),
        "200"
    );
    serde_json::from_slice(&std::fs::read(&shown).unwrap()).unwrap()
}

#[test]
fn ms16_ms2_the_api_shows_whether_a_signature_holds_and_whether_its_signer_is_a_verified_account() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = init_demo(&data);
    let _server = Server::start(&data, &ports.imaps);
    let dir = root.path().join("client");
    std::fs::create_dir_all(&dir).unwrap();

    let letter = signed_letter(&data, &dir, "CR-signe");
    let shown = sent_and_shown(&data, &ports, &dir, "CR-signe", &letter);
    assert_eq!(
        shown["signature"],
        serde_json::json!({"valid": true, "signer": ALICE, "verified_account": true}),
        "{shown}"
    );

    // Altered after signing (as a relay that rewrote the text would): not valid.
    let letter = signed_letter(&data, &dir, "CR-altere");
    let altered = letter.replacen("Resultats normaux.", "Resultats anormaux.", 1);
    assert_ne!(altered, letter);
    let shown = sent_and_shown(&data, &ports, &dir, "CR-altere", &altered);
    assert_eq!(shown["signature"]["valid"], false, "{shown}");
    assert_eq!(shown["signature"]["verified_account"], false, "{shown}");

    // Not signed: no signature.
    let plain =
        format!("From: {ALICE}\r\nTo: {BRUNO}\r\nSubject: CR-clair\r\n\r\nResultats normaux.\r\n");
    let shown = sent_and_shown(&data, &ports, &dir, "CR-clair", &plain);
    assert!(shown["signature"].is_null(), "{shown}");
}
