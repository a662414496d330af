//! MS-6 and RT-3 in the webmail over HTTPS (Python's http.client): a message is
//! archived (moved to Archive), deleted to Trash, and deleted for good only from a
//! form whose confirmation box is ticked; each move and the deletion traced.

use caduceus_store::{Store, StoreError};
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn ms6_rt3_the_webmail_archives_trashes_and_deletes_for_good_once_confirmed() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let to = std::slice::from_ref(&alice.address);
    let mut ids = Vec::new();
    for subject in ["Bilan à classer", "Autre bilan"] {
        let raw = format!(
            "From: labo@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: {subject}\r\n\r\nx\r\n"
        );
        let delivered = w.service.deliver_local(&op(), to, raw.as_bytes()).await;
        ids.push(delivered.unwrap()[0].message);
    }
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, alice_totp);
    args.push(("message", ids[0].0.to_string()));
    args.push(("other", ids[1].0.to_string()));
    let run = python(&script("filing.py"), &args, "http.client").await;
    server.shutdown().await;

    // Outside Trash: move, or to Trash; no deletion for good offered.
    let page = run.expect("message", 200, &["id=\"move\"", "id=\"trash\"", "Archives"]);
    assert!(!page.contains("delete-for-good"), "{page}");
    run.expect("archive", 303, &["/mail/folder/INBOX?done=moved"]);
    run.expect("archive-list", 200, &["Bilan à classer"]);
    let inbox = run.expect("inbox-list", 200, &["Autre bilan"]);
    assert!(!inbox.contains("Bilan à classer"), "{inbox}");
    run.expect("to-trash", 303, &["/mail/folder/Archive?done=trashed"]);
    // In Trash: for good, behind a required confirmation box.
    run.expect(
        "in-trash",
        200,
        &[
            "id=\"delete-for-good\"",
            "name=\"confirm\" value=\"on\" required",
            "définitive",
        ],
    );
    run.expect("for-good", 303, &["/mail/folder/Trash?done=deleted"]);
    run.expect("gone", 404, &[]);
    run.expect("move-nowhere", 404, &[]);
    run.expect("move-forged", 403, &[]);

    // Deleted for good (RT-3); the other one untouched; each step traced (TR-1).
    assert!(matches!(
        w.store.message(ids[0]).await,
        Err(StoreError::NotFound { .. })
    ));
    let other = w.store.message(ids[1]).await.unwrap();
    let inbox = w.store.mailbox(alice.id, "INBOX").await.unwrap().unwrap();
    assert_eq!(other.mailbox, inbox.id);
    let entries = traces(&w).await;
    let count = |action: &str| {
        let object = format!("msg:{}", ids[0].0);
        entries
            .iter()
            .filter(|e| e.action == action && e.object.contains(&object))
            .count()
    };
    assert_eq!(count("message.move"), 2, "archived, then to Trash");
    assert_eq!(count("message.delete"), 1);
}
