//! AC-1 on every IMAP path: two accounts logged in at once never see each other's
//! mailboxes, messages, flags, counts or IDLE notifications.

mod common;

use common::*;

const TO_ALICE: &str = "From: x@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: pour Alice\r\n\r\nConfidentiel Alice\r\n";
const TO_BOB: &str =
    "From: x@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: pour Bob\r\n\r\nBonjour Bob\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ac1_two_accounts_at_once_see_only_their_own_mail() {
    let w = world().await;
    let (alice_id, bob_id) = (rpps(1), rpps(2));
    professional(&w, "alice", &alice_id, true).await;
    professional(&w, "bob", &bob_id, true).await;
    let (alice_secret, _) = device(&w, &alice_id, "a").await;
    let (bob_secret, _) = device(&w, &bob_id, "b").await;
    for _ in 0..3 {
        deliver(&w, "alice@caduceus.test", TO_ALICE).await;
    }
    deliver(&w, "bob@caduceus.test", TO_BOB).await;
    let listener = listen(&w, true).await;
    let mut alice = Raw::login(&w, &listener, "alice@caduceus.test", alice_secret.expose()).await;
    let mut bob = Raw::login(&w, &listener, "bob@caduceus.test", bob_secret.expose()).await;

    // Counts and contents: each sees their own INBOX.
    assert!(alice.command("SELECT INBOX").await.contains("* 3 EXISTS"));
    let bob_select = bob.command("SELECT INBOX").await;
    assert!(bob_select.contains("* 1 EXISTS"), "{bob_select}");
    let status = bob.command("STATUS INBOX (MESSAGES UNSEEN)").await;
    assert!(status.contains("(MESSAGES 1 UNSEEN 1)"), "{status}");
    let everything = bob.command("UID FETCH 1:* (BODY.PEEK[])").await;
    assert!(!everything.contains("Alice"), "{everything}");
    assert_eq!(everything.matches(" FETCH (").count(), 1, "{everything}");
    let search = bob.command("SEARCH TEXT \"Confidentiel\"").await;
    assert!(search.contains("* SEARCH\r\n"), "{search}");

    // Flags set by one are not the other's.
    alice.command("STORE 1 +FLAGS (\\Flagged)").await;
    let flags = bob.command("FETCH 1 (FLAGS)").await;
    assert!(!flags.contains("\\Flagged"), "{flags}");

    // Another account's folder cannot be named: there is no shared namespace.
    let other = bob.command("SELECT \"alice@caduceus.test/INBOX\"").await;
    assert!(other.contains("NO [NONEXISTENT]"), "{other}");
    let list = bob.command("LIST \"\" \"*\"").await;
    assert!(!list.contains("alice"), "{list}");
    // MS-6, RT-4: no folder name climbs out of its place (in an export's ZIP paths).
    for climbing in ["\"../x\"", "\"a/../b\"", "\"..\\\\x\""] {
        let created = bob.command(&format!("CREATE {climbing}")).await;
        assert!(created.contains(" NO "), "{climbing}: {created}");
    }

    // IDLE: mail for Alice wakes Alice's session, not Bob's.
    bob.send(b"b1 IDLE\r\n").await;
    assert!(bob.line().await.unwrap().starts_with('+'));
    alice.send(b"a1 IDLE\r\n").await;
    assert!(alice.line().await.unwrap().starts_with('+'));
    deliver(&w, "alice@caduceus.test", TO_ALICE).await;
    let woken = alice.line().await.unwrap();
    assert_eq!(woken, "* 4 EXISTS\r\n");
    alice.send(b"DONE\r\n").await;
    alice.until("a1").await;
    // Bob's IDLE stays silent for as long as Alice's took and more.
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    bob.send(b"DONE\r\n").await;
    let bob_idle = bob.until("b1").await;
    assert_eq!(bob_idle, "b1 OK IDLE terminated\r\n");

    // Expunging in one account leaves the other's untouched.
    alice.command("STORE 1:* +FLAGS (\\Deleted)").await;
    alice.command("EXPUNGE").await;
    let bob_after = bob.command("NOOP").await;
    assert!(!bob_after.contains("EXPUNGE"), "{bob_after}");
    assert!(
        bob.command("STATUS INBOX (MESSAGES)")
            .await
            .contains("MESSAGES 1")
    );

    // PLAIN with another account as the authorization identity is refused (ID-3).
    let (mut third, _) = Raw::connect(&w, &listener).await;
    use base64::Engine as _;
    let plain = base64::engine::general_purpose::STANDARD.encode(format!(
        "alice@caduceus.test\0bob@caduceus.test\0{}",
        bob_secret.expose()
    ));
    let refused = third.command(&format!("AUTHENTICATE PLAIN {plain}")).await;
    assert!(refused.contains("NO [AUTHENTICATIONFAILED]"), "{refused}");
}
