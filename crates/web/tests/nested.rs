//! MS-13: a message of 50,000 encapsulated messages once overflowed the stack and
//! aborted the whole server. Through the API (as an attachment) and IMAP APPEND it is
//! now refused with a reason, and the same server goes on answering. (SMTP submission
//! has its own test in caduceus-smtp's robustness tests.)

use std::sync::Arc;

use caduceus_core::SystemClock;
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn ms13_nested_messages_through_the_api_and_imap_append_are_refused_not_fatal() {
    let w = world_configured("caduceus.test", None, Arc::new(SystemClock), |config| {
        config.max_message_size = 4_000_000
    })
    .await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let (credential, _) = device(&w, &rpps(1), "Laptop").await;
    let server = listen(&w).await;
    let imap = listen_imap(&w).await;
    let run = python(
        &script("nested.py"),
        &[
            ("port", server.port.to_string()),
            ("imap_port", imap.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("password", WEB_PASSWORD.into()),
            ("alice", alice.address.as_str().into()),
            ("bob", bob.address.as_str().into()),
            ("alice_totp", alice_totp),
            ("credential", credential.expose().to_owned()),
            ("depth", "50000".into()),
        ],
        "http.client and imaplib",
    )
    .await;

    run.expect(
        "api-deep",
        422,
        &["\"requirement\":\"MS-13\"", "encapsulates more than 32"],
    );
    run.expect("api-shallow", 201, &["bob@caduceus.test"]);
    run.expect("imap-deep", 0, &["NO", "encapsulates more than 32"]);
    run.expect("imap-shallow", 0, &["OK"]);
    // Alice's INBOX holds the one APPENDed message that was bounded.
    run.expect("imap-count", 0, &["OK 1"]);
    assert_eq!(inbox(&w, &bob).await.len(), 1, "only the bounded message");
    server.shutdown().await;
    imap.shutdown().await;
}
