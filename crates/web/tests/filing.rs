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

/// MS-6 (a mail client's habits) and AC-2: a message flagged and marked unread in the
/// webmail carries IMAP's `\Flagged` and loses `\Seen`, as Thunderbird then shows it;
/// each change traced (TR-1); another user's mark on it is refused as a message they
/// do not have, and changes nothing.
#[tokio::test]
async fn ms6_ac2_a_message_is_flagged_and_marked_unread_in_the_webmail_and_no_one_else_can() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let bruno_totp = web_login(&w, &bruno).await;
    let raw = "From: labo@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Bilan à suivre\r\n\r\nx\r\n";
    let to = std::slice::from_ref(&alice.address);
    let id = w
        .service
        .deliver_local(&op(), to, raw.as_bytes())
        .await
        .unwrap()[0]
        .message;
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, alice_totp);
    args.push(("message", id.0.to_string()));
    args.push(("bruno", bruno.address.as_str().to_owned()));
    args.push(("bruno_totp", bruno_totp));
    let run = python(&script("marks.py"), &args, "http.client").await;
    server.shutdown().await;

    let read = run.expect("read", 200, &["id=\"mark-unread\"", "id=\"flag\""]);
    assert!(!read.contains("id=\"unflag\""), "{read}");
    run.expect("flag", 303, &[&format!("/mail/message/{}", id.0)]);
    run.expect("flagged-page", 200, &["id=\"unflag\"", "⚑"]);
    run.expect("unread", 303, &["/mail/folder/INBOX"]);
    let list = run.expect(
        "list",
        200,
        &["class=\"unseen\"", "aria-label=\"suivi\"", "Bilan à suivre"],
    );
    assert_eq!(list.matches("class=\"unseen\"").count(), 1, "{list}");
    let (status, _) = run.step("no-mark");
    assert!(
        (400..500).contains(&status),
        "a mark that is no mark: {status}"
    );
    run.expect("forged", 403, &[]);
    run.expect("bruno-marks", 404, &[]);

    let flags = w.store.message(id).await.unwrap().flags;
    assert!(flags.iter().any(|f| f == "\\Flagged"), "{flags:?}");
    assert!(!flags.iter().any(|f| f == "\\Seen"), "{flags:?}");
    let object = format!("msg:{}", id.0);
    let flagged = traces(&w)
        .await
        .into_iter()
        .filter(|e| e.action == "message.flag" && e.object.contains(&object))
        .count();
    assert_eq!(flagged, 3, "seen on reading, flagged, unread");
}
