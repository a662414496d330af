//! IMAP4rev1 conformance (RFC 3501 and the extensions clients rely on) where it
//! was found wanting against an independent conformance suite and a concurrent
//! client (issue 20): each test drives one or more sessions over implicit TLS with
//! a raw client that sees the exact wire form, and names its RFC section.

mod common;

use common::*;

/// A small message.
const NOTE: &str =
    "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: note\r\n\r\nhello\r\n";

/// A world with alice, her credential, and a listener.
async fn alice_world() -> (World, Listener, String) {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    let listener = listen(&w, true).await;
    (w, listener, secret.expose().to_owned())
}

/// Another session of alice's.
async fn session(w: &World, listener: &Listener, secret: &str) -> Raw {
    Raw::login(w, listener, "alice@caduceus.test", secret).await
}

/// Where `needle` starts in `haystack`; fails the test when absent.
fn at(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in:\n{haystack}"))
}

/// RFC 3501 §2.3.2, §7.2.6 (MS-6): a keyword set by another session, by this
/// session's STORE or by APPEND is announced in FLAGS and PERMANENTFLAGS before any
/// FETCH shows it; PERMANENTFLAGS holds `\*`.
#[tokio::test]
async fn rfc3501_keywords_announced_before_fetch() {
    let (w, listener, secret) = alice_world().await;
    deliver(&w, "alice@caduceus.test", NOTE).await;
    let mut a = session(&w, &listener, &secret).await;
    let mut b = session(&w, &listener, &secret).await;
    let selected = a.command("SELECT INBOX").await;
    assert!(selected.contains("\\*)]"), "{selected}");
    b.command("SELECT INBOX").await;
    // Another session's STORE: Thunderbird's tags are keywords.
    b.command("STORE 1 +FLAGS ($label1)").await;
    let noop = a.command("NOOP").await;
    let flags = at(
        &noop,
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $label1)",
    );
    let permanent = at(&noop, "[PERMANENTFLAGS (");
    assert!(noop[permanent..].contains("$label1 \\*)]"), "{noop}");
    let fetch = at(&noop, "* 1 FETCH (");
    assert!(flags < fetch && permanent < fetch, "{noop}");
    // This session's STORE.
    let store = a.command("STORE 1 +FLAGS (Urgent)").await;
    assert!(
        at(&store, "* FLAGS (") < at(&store, "* 1 FETCH ("),
        "{store}"
    );
    // APPEND into the selected mailbox.
    let append = a
        .command(&format!(
            "APPEND INBOX ($Todo) {{{}+}}\r\n{NOTE}",
            NOTE.len()
        ))
        .await;
    assert!(append.contains("* FLAGS ("), "{append}");
    assert!(append.contains("$Todo"), "{append}");
    let fetch = a.command("FETCH 2 (FLAGS)").await;
    assert!(fetch.contains("$Todo"), "{fetch}");
    // A new session's SELECT announces what is there.
    let mut c = session(&w, &listener, &secret).await;
    let selected = c.command("SELECT INBOX").await;
    assert!(
        selected.contains(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Todo $label1 Urgent)"
        ),
        "{selected}"
    );
}

/// RFC 3501 §2.3.1.1 (MS-6): a folder deleted and created again under the same
/// name, at once, has another UIDVALIDITY.
#[tokio::test]
async fn rfc3501_uidvalidity_changes_when_a_folder_is_made_again() {
    let (w, listener, secret) = alice_world().await;
    let mut a = session(&w, &listener, &secret).await;
    let validity = |answer: &str| -> String {
        let start = at(answer, "UIDVALIDITY ") + "UIDVALIDITY ".len();
        answer[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    a.command("CREATE Cardio").await;
    let first = validity(&a.command("STATUS Cardio (UIDVALIDITY)").await);
    a.command("DELETE Cardio").await;
    a.command("CREATE Cardio").await;
    let second = validity(&a.command("STATUS Cardio (UIDVALIDITY)").await);
    assert_ne!(first, second);
}
