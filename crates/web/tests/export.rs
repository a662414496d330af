//! RT-4: an export round-trips. Bob's mailbox (INBOX with a read message and one with
//! an attachment and accents, a folder of his own with a flagged personal message, his
//! Sent) is exported over HTTPS, then imported into Carol's fresh mailbox with IMAP
//! APPEND (Python's imaplib) using the archive's `index.json`: every folder holds the
//! same messages, byte for byte, with the same flags; nothing of anyone else's is in
//! the archive.

use caduceus_service::actor::testing;
use caduceus_testkit::*;
use common::*;

mod common;

const PLAIN: &str = "From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: Compte rendu\r\nMessage-ID: <cr-1@caduceus.test>\r\n\r\nBonjour,\r\nvoici le compte rendu.\r\n";
const ATTACHED: &str = "From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: =?utf-8?q?R=C3=A9sultats?=\r\nMessage-ID: <res-2@caduceus.test>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nRésultats d'analyse ci-joints, à revoir.\r\n--b1\r\nContent-Type: application/pdf; name=\"bilan.pdf\"\r\nContent-Disposition: attachment; filename=\"bilan.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJcfsj6IK\r\n--b1--\r\n";
const PERSONAL: &str = "From: claire@example.org\r\nTo: bob@caduceus.test\r\nSubject: Dimanche\r\nMessage-ID: <perso-3@caduceus.test>\r\n\r\nA dimanche !\r\n";
const SENT: &str = "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Re: Compte rendu\r\nMessage-ID: <re-4@caduceus.test>\r\n\r\nMerci.\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rt4_an_export_imported_over_imap_gives_the_same_messages() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(3), true).await;
    let bob = professional(&w, "bob", "810003090833", true).await;
    professional(&w, "carol", &rpps(2), true).await;
    let (carol_device, _) = device(&w, &rpps(2), "import").await;
    let bob_totp = web_login(&w, &bob).await;
    for raw in [PLAIN, ATTACHED] {
        w.service
            .deliver_local(&op(), std::slice::from_ref(&bob.address), raw.as_bytes())
            .await
            .unwrap();
    }
    // Someone else's mail, which must not be in Bob's archive.
    w.service
        .deliver_local(&op(), std::slice::from_ref(&alice.address), SENT.as_bytes())
        .await
        .unwrap();
    let access = w
        .service
        .authorize(&testing::account(bob.id, "test"), bob.id)
        .await
        .unwrap();
    let inbox = w
        .service
        .find_folder(&access, "INBOX")
        .await
        .unwrap()
        .unwrap();
    let (_, messages) = w.service.folder_state(&access, inbox.id).await.unwrap();
    w.service
        .set_flags(&access, messages[0].id, &["\\Seen".to_owned()])
        .await
        .unwrap();
    let own = w
        .service
        .create_folder(&access, "Cardio/2026")
        .await
        .unwrap();
    let flags = vec!["\\Flagged".to_owned(), "$Personal".to_owned()];
    w.service
        .append(&access, own.id, PERSONAL.as_bytes(), flags, None)
        .await
        .unwrap();
    let sent = w
        .service
        .find_folder(&access, "Sent")
        .await
        .unwrap()
        .unwrap();
    w.service
        .append(
            &access,
            sent.id,
            SENT.as_bytes(),
            vec!["\\Seen".into()],
            None,
        )
        .await
        .unwrap();

    let https = listen(&w).await;
    let imap = listen_imap(&w).await;
    let run = python(
        &script("export_roundtrip.py"),
        &[
            ("port", https.port.to_string()),
            ("imap_port", imap.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("password", WEB_PASSWORD.to_owned()),
            ("bob", bob.address.as_str().to_owned()),
            ("bob_totp", bob_totp),
            ("carol", "carol@caduceus.test".to_owned()),
            ("carol_device", carol_device.expose().to_owned()),
        ],
        "http.client and imaplib",
    )
    .await;
    https.shutdown().await;
    imap.shutdown().await;

    run.expect("export", 200, &["application/zip"]);
    let (_, files) = run.step("index");
    assert_eq!(
        files.split(' ').collect::<Vec<_>>(),
        [
            "INBOX/000001.eml",
            "INBOX/000002.eml",
            "Sent/000001.eml",
            "Cardio/2026/000001.eml"
        ],
        "only Bob's four messages, by folder"
    );
    run.expect("personal", 0, &["Cardio/2026/000001.eml"]);
    for file in files.split(' ') {
        run.expect(&format!("append:{file}"), 0, &["OK"]);
    }
    run.expect("folder:INBOX", 0, &["2/2 same"]);
    run.expect("folder:Sent", 0, &["1/1 same"]);
    run.expect("folder:Cardio/2026", 0, &["1/1 same"]);
}
