//! TR-1, TR-4: whatever IMAP command reveals a message's content (a body peeked at, a
//! BINARY section, a SEARCH in the text, an ENVELOPE with the subject) is traced with
//! the person who asked, and shows in the access log of the patient the message
//! concerns. `\Seen` is the client's business: a peek leaves the message unseen and is
//! traced all the same. FLAGS alone reveals nothing and is not traced.

mod common;

use caduceus_service::actor::testing;
use common::*;

const INS: &str = "295109912611193";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tr1_tr4_au3_peek_binary_search_envelope_and_the_connection_are_traced() {
    let w = world().await;
    let alice_id = rpps(1);
    let alice = professional(&w, "alice", &alice_id, true).await;
    let camille = patient(&w, INS, "Camille Durand").await;
    let (secret, _) = device(&w, &alice_id, "Thunderbird").await;
    deliver(
        &w,
        "alice@caduceus.test",
        &format!(
            "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nX-MSS-INS: {INS}\r\n\
             Subject: Avis cardio\r\n\r\nTension a surveiller.\r\n"
        ),
    )
    .await;
    let listener = listen(&w, true).await;
    let before = actions(&w).await.len();
    let run = python(
        "content_access",
        &[
            ("port", listener.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("user", alice.address.as_str().to_owned()),
            ("secret", secret.expose().clone()),
        ],
    )
    .await;
    for label in ["peek", "binary", "search", "envelope"] {
        run.step(label);
    }
    let (_, flags) = run.step("flags");
    assert!(
        !flags.contains("\\Seen"),
        "a peek does not set \\Seen: {flags}"
    );

    let traced: Vec<String> = actions(&w).await.split_off(before);
    let count = |action: &str| traced.iter().filter(|a| *a == action).count();
    assert_eq!(
        count("message.read"),
        2,
        "BODY.PEEK[] and BINARY.PEEK[1]: {traced:?}"
    );
    assert_eq!(count("message.search"), 1, "SEARCH TEXT: {traced:?}");
    assert_eq!(count("message.headers"), 1, "ENVELOPE: {traced:?}");

    let log = w
        .service
        .patient_access_log(&testing::account(camille.id, "test"), camille.id)
        .await
        .unwrap();
    let by_alice: Vec<&str> = log
        .iter()
        .filter(|e| e.actor == alice.address)
        .map(|e| e.action.as_str())
        .collect();
    for action in ["message.read", "message.search", "message.headers"] {
        assert!(
            by_alice.contains(&action),
            "{action} not in the patient's log: {by_alice:?}"
        );
    }
    // AU-3: the connection's opening and closing are traced too (the close once the
    // server has seen the client leave).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let all = actions(&w).await;
        let seen = |a: &str| all.iter().any(|t| t == a);
        if seen("connection.open") && seen("connection.close") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{all:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    listener.shutdown().await;
}
