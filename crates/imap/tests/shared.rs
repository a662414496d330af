//! ID-3, ID-7, AC-1 over IMAP: a delegate of an organisational mailbox, or a
//! patient's representative, finds the mailbox under the shared namespace
//! (`Shared/<address>/`, RFC 2342) as Thunderbird asks for it, with read-only ACL
//! answers (RFC 4314, RFC 8440), and reads and files its mail there with Python's
//! imaplib; every access is traced with the person and `acting_for` the mailbox.
//! A withdrawn delegation is refused at the next command, traced `access.denied`.

mod common;

use std::time::Duration;

use caduceus_core::representation::{Capacity, CapacityEvidence};
use caduceus_core::{Clock, SystemClock};
use caduceus_service::representatives::Appointment;
use caduceus_store::Account;
use common::*;

const INS: &str = "295109912611193";

/// The entries traced after the `before`th, by `person` acting for `owner`: their
/// actions.
async fn acted_for(w: &World, before: usize, person: &Account, owner: &Account) -> Vec<String> {
    traces(w)
        .await
        .split_off(before)
        .into_iter()
        .filter(|e| e.actor == person.id.to_string() && e.acting_for == Some(owner.id.to_string()))
        .map(|e| e.action)
        .collect()
}

/// Runs `shared_mailbox.py` as `user` (with its device `secret`) on the mailbox at
/// `shared`.
async fn run_shared_mailbox(
    w: &World,
    listener: &Listener,
    user: &Account,
    secret: &str,
    shared: &Account,
) -> Run {
    python(
        "shared_mailbox",
        &[
            ("port", listener.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("user", user.address.as_str().to_owned()),
            ("secret", secret.to_owned()),
            ("shared", shared.address.as_str().to_owned()),
        ],
    )
    .await
}

/// Asserts what `shared_mailbox.py` did in `owner`'s mailbox was traced with
/// `person` acting for `owner`: the read, the flags, the folder made, the filing,
/// the expunge.
async fn assert_traced_for(w: &World, before: usize, person: &Account, owner: &Account) {
    let traced = acted_for(w, before, person, owner).await;
    for action in [
        "message.read",
        "message.flag",
        "mailbox.create",
        "message.copy",
        "message.deliver",
        "message.delete",
    ] {
        assert!(
            traced.iter().any(|a| a == action),
            "{action} not traced with the person and acting_for: {traced:?}"
        );
    }
}

/// Alice, a professional with a device credential, delegate of the organisational
/// mailbox cardio@ (ID-3), which holds one message.
async fn delegate_of_cardio() -> (World, Account, Account, caduceus_core::SecretString) {
    let w = world().await;
    let alice_id = rpps(1);
    let alice = professional(&w, "alice", &alice_id, true).await;
    let cardio = organisation(&w, "cardio", &alice).await;
    let (secret, _) = device(&w, &alice_id, "Thunderbird").await;
    deliver(
        &w,
        "cardio@caduceus.test",
        "From: bob@caduceus.test\r\nTo: cardio@caduceus.test\r\nSubject: Avis\r\n\r\nRDV.\r\n",
    )
    .await;
    (w, alice, cardio, secret)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id3_a_delegate_reads_and_files_the_organisations_mail_through_the_shared_namespace() {
    let (w, alice, cardio, secret) = delegate_of_cardio().await;
    let listener = listen(&w, true).await;
    let before = traces(&w).await.len();
    let run = run_shared_mailbox(&w, &listener, &alice, secret.expose(), &cardio).await;
    run.step("namespace");
    run.step("list_shared");
    run.step("myrights");
    run.step("expunge");
    assert_traced_for(&w, before, &alice, &cardio).await;
    run.step("lsub");
    // The copy filed in Alice's own INBOX is hers, and so is the one moved into her
    // Archive: stored there without acting_for, read from the organisation's with it.
    assert_eq!(
        inbox(&w, &alice).await.len(),
        1,
        "the copy in her own INBOX"
    );
    let as_alice = caduceus_service::actor::testing::account(alice.id, "test");
    let own = w.service.authorize(&as_alice, alice.id).await.unwrap();
    let (_, archived) = w.service.open_folder(&own, "Archive").await.unwrap();
    assert_eq!(archived.len(), 1, "the message moved into her own Archive");
    let delivered_to_her = traces(&w)
        .await
        .split_off(before)
        .into_iter()
        .filter(|e| e.action == "message.deliver" && e.acting_for.is_none())
        .count();
    assert_eq!(delivered_to_her, 2, "the copy and the move, stored as hers");
    listener.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id7_a_representative_reads_the_patients_mail_over_imap() {
    let w = world().await;
    let child = patient(&w, INS, "Léa Petit").await;
    let parent_id = rpps(5);
    let parent = professional(&w, "marc", &parent_id, true).await;
    let appointment = Appointment {
        patient: child.id,
        representative: parent.id,
        capacity: Capacity::Parent,
        evidence: CapacityEvidence::FamilyRecord,
        until: Some(
            SystemClock
                .now()
                .saturating_add(Duration::from_secs(30 * 86_400)),
        ),
    };
    w.service
        .add_representative(&op(), appointment)
        .await
        .unwrap();
    let (secret, _) = device(&w, &parent_id, "Thunderbird").await;
    let raw = format!(
        "From: pediatre@caduceus.test\r\nTo: {}\r\nSubject: Vaccins\r\n\r\nRappel.\r\n",
        child.address.as_str()
    );
    deliver(&w, child.address.as_str(), &raw).await;
    let listener = listen(&w, true).await;
    let before = traces(&w).await.len();
    let run = run_shared_mailbox(&w, &listener, &parent, secret.expose(), &child).await;
    run.step("select");
    run.step("status");
    assert_traced_for(&w, before, &parent, &child).await;
    listener.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ac1_a_removed_delegate_is_refused_at_the_next_command() {
    let (w, alice, cardio, secret) = delegate_of_cardio().await;
    let listener = listen(&w, true).await;
    let mut raw = Raw::login(&w, &listener, alice.address.as_str(), secret.expose()).await;
    let inbox = "\"Shared/cardio@caduceus.test/INBOX\"";
    let selected = raw.command(&format!("SELECT {inbox}")).await;
    assert!(selected.contains("1 EXISTS"), "{selected}");
    let peek = raw.command("FETCH 1 (BODY.PEEK[HEADER])").await;
    assert!(peek.contains("Subject: Avis"), "{peek}");

    w.service
        .remove_delegate(&op(), cardio.id, alice.id)
        .await
        .unwrap();
    let before = traces(&w).await.len();
    let refused = raw.command("FETCH 1 (BODY.PEEK[])").await;
    assert!(
        refused.contains("[CLOSED]") && refused.contains(" NO [NOPERM]"),
        "the next command is refused and the mailbox closed: {refused}"
    );
    assert!(!refused.contains("RDV."), "nothing read: {refused}");
    let denied: Vec<_> = traces(&w)
        .await
        .split_off(before)
        .into_iter()
        .filter(|e| e.action == "access.denied")
        .collect();
    assert_eq!(denied.len(), 1, "{denied:?}");
    assert_eq!(denied[0].actor, alice.id.to_string(), "the person refused");
    assert!(
        denied[0].object.contains(&cardio.id.to_string()),
        "{denied:?}"
    );
    // The mailbox is gone from her view: not listed, not selectable.
    let listed = raw.command("LIST \"\" \"*\"").await;
    assert!(!listed.contains("Shared"), "{listed}");
    let again = raw.command(&format!("SELECT {inbox}")).await;
    assert!(again.contains(" NO [NONEXISTENT]"), "{again}");
    let namespace = raw.command("NAMESPACE").await;
    assert!(
        namespace.contains("* NAMESPACE ((\"\" \"/\")) NIL NIL"),
        "{namespace}"
    );
    listener.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc4314_myrights_getacl_listrights_answer_and_setacl_is_refused() {
    let (w, alice, _cardio, secret) = delegate_of_cardio().await;
    let listener = listen(&w, true).await;
    let mut raw = Raw::login(&w, &listener, alice.address.as_str(), secret.expose()).await;
    let caps = raw.command("CAPABILITY").await;
    for cap in [" ACL", " RIGHTS=texk", " LIST-MYRIGHTS"] {
        assert!(caps.contains(cap), "{cap} advertised: {caps}");
    }
    let mine = raw.command("MYRIGHTS INBOX").await;
    assert!(
        mine.contains("* MYRIGHTS \"INBOX\" lrswikxte\r\n"),
        "{mine}"
    );
    let shared = raw
        .command("MYRIGHTS \"Shared/cardio@caduceus.test/Sent\"")
        .await;
    assert!(
        shared.contains("* MYRIGHTS \"Shared/cardio@caduceus.test/Sent\" lrswikxte"),
        "{shared}"
    );
    let acl = raw.command("GETACL INBOX").await;
    assert!(
        acl.contains("* ACL \"INBOX\" \"alice@caduceus.test\" lrswikxte"),
        "the owner reads their own: {acl}"
    );
    let theirs = raw
        .command("GETACL \"Shared/cardio@caduceus.test/INBOX\"")
        .await;
    assert!(theirs.contains(" NO [NOPERM]"), "{theirs}");
    let listed = raw.command("LISTRIGHTS INBOX anyone").await;
    assert!(
        listed.contains("* LISTRIGHTS \"INBOX\" \"anyone\" \"\""),
        "{listed}"
    );
    for change in ["SETACL INBOX anyone lr", "DELETEACL INBOX anyone"] {
        let refused = raw.command(change).await;
        assert!(refused.contains(" NO [NOPERM]"), "{change}: {refused}");
    }
    // Neither a container nor a mailbox one does not act for has rights to tell.
    for name in ["Shared", "\"Shared/olga@caduceus.test/INBOX\"", "Nowhere"] {
        let none = raw.command(&format!("MYRIGHTS {name}")).await;
        assert!(none.contains(" NO [NONEXISTENT]"), "{name}: {none}");
    }
    // RFC 5819 with RFC 8440 on a shared folder: its STATUS read with its own access.
    let listed = raw
        .command(
            "LIST \"\" \"Shared/cardio@caduceus.test/INBOX\" RETURN (STATUS (MESSAGES) MYRIGHTS)",
        )
        .await;
    assert!(listed.contains("(MESSAGES 1)"), "{listed}");
    assert!(listed.contains("* MYRIGHTS "), "{listed}");
    let bad = raw.command("MYRIGHTS").await;
    assert!(bad.contains(" BAD "), "a missing argument: {bad}");
    listener.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ac1_an_idle_on_a_shared_mailbox_ends_once_the_delegation_is_withdrawn() {
    let (w, alice, cardio, secret) = delegate_of_cardio().await;
    let listener = listen(&w, true).await;
    let mut raw = Raw::login(&w, &listener, alice.address.as_str(), secret.expose()).await;
    let selected = raw
        .command("SELECT \"Shared/cardio@caduceus.test/INBOX\"")
        .await;
    assert!(selected.contains("1 EXISTS"), "{selected}");
    raw.send(b"idle IDLE\r\n").await;
    let idling = raw.line().await.expect("a continuation");
    assert!(idling.starts_with("+ "), "{idling}");
    w.service
        .remove_delegate(&op(), cardio.id, alice.id)
        .await
        .unwrap();
    // The next change in the folder wakes the session, which asks the service again.
    deliver(
        &w,
        "cardio@caduceus.test",
        "From: bob@caduceus.test\r\nSubject: Encore\r\n\r\nx\r\n",
    )
    .await;
    let closed = raw.line().await.expect("the mailbox closed");
    assert!(closed.starts_with("* OK [CLOSED]"), "{closed}");
    let bye = raw.line().await.expect("BYE");
    assert!(bye.starts_with("* BYE"), "{bye}");
    assert!(
        !closed.contains("EXISTS") && !bye.contains("EXISTS"),
        "nothing of the new message told"
    );
    let denied = traces(&w)
        .await
        .iter()
        .filter(|e| e.action == "access.denied" && e.actor == alice.id.to_string())
        .count();
    assert_eq!(denied, 1, "the refusal traced");
    listener.shutdown().await;
}
