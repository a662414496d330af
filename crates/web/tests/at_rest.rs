//! The at-rest scan (MS-3, MS-4, issue 19): with encryption at rest on, every copy of
//! Bob's that the store holds is opened with every key the server has (the master
//! key, the keyring, each message key) — body and metadata — and none holds his
//! letter's content; his own key opens it (`openssl cms -decrypt`). Carol, who did
//! not ask, has the same letter sealed as everyone's: the scan sees it there (the
//! control that it can fail). The holder alone turns it on, with a certificate that
//! can receive encrypted mail. The webmail says so plainly on the enveloped copy, and
//! tells a signature that holds from a verified account from one that does not (MS-16).

use caduceus_audit::{Action, Event, Object, Who};
use caduceus_service::ServiceError;
use caduceus_service::actor::testing;
use caduceus_store::{Account, Store as _};
use caduceus_testkit::*;
use common::*;

mod common;

const SECRET: &str = "Potassium 6,8 mmol/L Zorglubien";

fn letter(to: &str) -> String {
    format!(
        "From: alice@caduceus.test\r\nTo: {to}\r\nSubject: Bilan\r\nMessage-ID: <bilan@caduceus.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{SECRET}\r\n"
    )
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// Every copy `account` has, opened with the server's keys: (raw, metadata).
async fn opened_with_server_keys(w: &World, account: &Account) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut copies = Vec::new();
    for mailbox in w.store.mailboxes(account.id).await.unwrap() {
        for summary in w.store.messages(mailbox.id).await.unwrap() {
            let read = Event::new(0, Who::System, Action::MessageRead, Object::of(summary.id));
            let opened = w.store.open_message(summary.id, &read).await.unwrap();
            copies.push((opened.raw, opened.meta));
        }
    }
    copies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms3_ms4_the_at_rest_scan_finds_nothing_readable_with_every_server_key() {
    let w = world().await;
    professional(&w, "alice", &rpps(3), true).await;
    let bob = professional(&w, "bob", "810003090833", true).await;
    let carol = professional(&w, "carol", &rpps(2), true).await;
    let as_bob = testing::account(bob.id, "test");

    // Not before Bob has a certificate that can receive encrypted mail; never by
    // someone else.
    let refused = w.service.set_encrypt_at_rest(&as_bob, bob.id, true).await;
    assert!(
        matches!(refused, Err(ServiceError::Invalid(_))),
        "{refused:?}"
    );
    let as_carol = testing::account(carol.id, "test");
    let refused = w.service.set_encrypt_at_rest(&as_carol, bob.id, true).await;
    assert!(
        matches!(refused, Err(ServiceError::Denied { .. })),
        "{refused:?}"
    );

    // Bob's mail client makes his key; the CA signs it.
    let key = rcgen::KeyPair::generate().unwrap();
    let csr = rcgen::CertificateParams::default()
        .serialize_request(&key)
        .unwrap()
        .pem()
        .unwrap();
    let certificate = w
        .service
        .request_certificate(&as_bob, bob.id, &csr)
        .await
        .unwrap();
    let since = w
        .service
        .set_encrypt_at_rest(&as_bob, bob.id, true)
        .await
        .unwrap();
    assert!(since.is_some());

    for to in [&bob, &carol] {
        let raw = letter(to.address.as_str());
        w.service
            .deliver_local(&op(), std::slice::from_ref(&to.address), raw.as_bytes())
            .await
            .unwrap();
    }

    let bobs = opened_with_server_keys(&w, &bob).await;
    assert_eq!(bobs.len(), 1);
    for (raw, meta) in &bobs {
        assert!(!contains(raw, SECRET), "Bob's body opens with a server key");
        assert!(!contains(meta, SECRET), "Bob's metadata holds the content");
    }
    let carols = opened_with_server_keys(&w, &carol).await;
    assert!(
        carols.iter().any(|(raw, _)| contains(raw, SECRET)),
        "the control: Carol's copy is sealed as everyone's"
    );

    // Bob's key opens his copy.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bob.pem"), &certificate).unwrap();
    std::fs::write(dir.path().join("bob.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.path().join("copy.eml"), &bobs[0].0).unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "cms", "-decrypt", "-binary", "-in", "copy.eml", "-inkey", "bob.key", "-recip",
            "bob.pem",
        ])
        .current_dir(dir.path())
        .output()
        .expect("openssl is needed (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(contains(&out.stdout, SECRET));
    assert!(contains(
        &out.stdout,
        "Content-Type: text/plain; charset=utf-8\r\n"
    ));

    // Bob's client signs a letter to Carol with the same certificate; a copy altered
    // after signing goes to Carol too.
    std::fs::write(
        dir.path().join("inner.eml"),
        "Content-Type: text/plain\r\n\r\nResultats normaux.\r\n",
    )
    .unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "cms",
            "-sign",
            "-crlfeol",
            "-in",
            "inner.eml",
            "-signer",
            "bob.pem",
            "-inkey",
            "bob.key",
            "-from",
            bob.address.as_str(),
            "-to",
            carol.address.as_str(),
            "-subject",
            "Signe",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = String::from_utf8(out.stdout)
        .unwrap()
        .replace("\r\n", "\n")
        .replace('\n', "\r\n");
    let altered = signed.replacen("Resultats normaux.", "Resultats anormaux.", 1);
    let mut shown = Vec::new();
    for letter in [&signed, &altered] {
        let delivered = w
            .service
            .deliver_local(
                &op(),
                std::slice::from_ref(&carol.address),
                letter.as_bytes(),
            )
            .await
            .unwrap();
        shown.push(delivered[0].message.0);
    }
    let bob_copy = w
        .store
        .messages(w.store.mailbox(bob.id, "INBOX").await.unwrap().unwrap().id);
    let bob_copy = bob_copy.await.unwrap()[0].id.0;
    let server = listen(&w).await;
    let bob_token = web_token(&w, &bob).await;
    let carol_token = web_token(&w, &carol).await;
    let pages = [
        format!("enveloped|{}|/mail/message/{bob_copy}", bob_token.expose()),
        format!("signed|{}|/mail/message/{}", carol_token.expose(), shown[0]),
        format!(
            "altered|{}|/mail/message/{}",
            carol_token.expose(),
            shown[1]
        ),
    ];
    let args = vec![
        ("port", server.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("pages", pages.join(";")),
    ];
    let run = python(&script("admin_get.py"), &args, "http.client").await;
    server.shutdown().await;
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    let page = run.expect("enveloped", 200, &["id=\"enveloped\"", "chiffré pour vous"]);
    assert!(!page.contains(SECRET), "{page}");
    run.expect(
        "signed",
        200,
        &[
            "id=\"signature\"",
            &format!("Signé par {}", bob.address.as_str()),
            "signature valide, compte vérifié",
        ],
    );
    let page = run.expect(
        "altered",
        200,
        &["id=\"signature\"", "signature NON valide"],
    );
    assert!(!page.contains("compte vérifié"), "{page}");
}
