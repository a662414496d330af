//! Conversations in the webmail over HTTPS (MS-6, issue 22; Python's http.client):
//! messages threaded by In-Reply-To/References, a reply naming nothing joined by its
//! base subject, the conversations grouped per patient when a message names one
//! (`X-MSS-INS`), paged by 50, and a conversation's page showing its messages in the
//! order written, each read traced (TR-1).

use caduceus_store::Account;
use caduceus_testkit::*;
use common::*;

mod common;

/// Delivers to `to` a message whose header lines are `headers`; its id.
async fn deliver(w: &World, to: &Account, headers: &str, text: &str) -> i64 {
    let raw = format!(
        "{headers}To: {}\r\nDate: Mon, 07 Dec 2026 09:00:00 +0000\r\n\r\n{text}\r\n",
        to.address.as_str()
    );
    let to = std::slice::from_ref(&to.address);
    let delivered = w.service.deliver_local(&op(), to, raw.as_bytes()).await;
    delivered.unwrap()[0].message.0
}

#[tokio::test]
async fn ms6_the_webmail_threads_conversations_grouped_per_patient() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let totp = web_login(&w, &alice).await;
    patient(&w, CHILD_INS, "Léa Petit").await;
    let ins = format!("X-MSS-INS: {CHILD_INS}\r\n");
    let from = |who: &str, subject: &str, id: &str| {
        format!(
            "From: {who}@caduceus.test\r\nSubject: {subject}\r\nMessage-ID: <{id}@caduceus.test>\r\n"
        )
    };
    // Fifty older notes, each a conversation: the list has two pages of 50.
    for n in 0..50 {
        let note = from("eve", &format!("Note-{n:02}"), &format!("n{n}"));
        deliver(&w, &alice, &note, "Note.").await;
    }
    let bilan = from("bob", "Bilan", "m1") + &ins;
    deliver(&w, &alice, &bilan, "Premier: le bilan.").await;
    let answer = from("carol", "Re: Bilan", "m2")
        + "In-Reply-To: <m1@caduceus.test>\r\nReferences: <m1@caduceus.test>\r\n";
    let reply = deliver(&w, &alice, &answer, "Second: la réponse.").await;
    deliver(&w, &alice, &from("bob", "Vaccins", "m3"), "Rappel.").await;
    // A reply naming nothing: joined by its base subject.
    deliver(&w, &alice, &from("bob", "RE: Vaccins", "m4"), "Relance.").await;
    // Another original under the same subject: a conversation of its own.
    deliver(&w, &alice, &from("dan", "Vaccins", "m5"), "Autre.").await;
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, totp);
    args.push(("reply", reply.to_string()));
    let run = python(&script("conversations.py"), &args, "http.client").await;
    server.shutdown().await;

    run.expect("inbox", 200, &["/mail/conversations"]);
    let list = run.expect("conversations", 200, &["<h1>Conversations</h1>"]);
    // The patient's group first, named; then those naming none, newest first.
    let at = |word: &str| list.find(word).unwrap_or_else(|| panic!("{word}: {list}"));
    assert!(at("Patient : Léa Petit") < at(">Bilan</a> <span class=\"hint\">(2 messages)"));
    assert!(at(">Bilan</a>") < at("Sans patient identifié"));
    let vaccins: Vec<_> = list
        .match_indices(">Vaccins</a> <span class=\"hint\">(")
        .collect();
    assert_eq!(vaccins.len(), 2, "{list}");
    assert!(list[vaccins[0].0..].starts_with(">Vaccins</a> <span class=\"hint\">(1 message)"));
    assert!(list[vaccins[1].0..].starts_with(">Vaccins</a> <span class=\"hint\">(2 messages)"));
    // 53 conversations: the 50 newest, then the 3 oldest notes on page 2.
    assert!(list.contains("/mail/conversations?page=2") && list.contains("Page 1 / 2"));
    assert!(
        list.contains("Note-03") && !list.contains("Note-02"),
        "{list}"
    );
    let older = run.expect(
        "conversations-2",
        200,
        &["Page 2 / 2", "Note-00", "Note-02"],
    );
    assert!(older.contains("/mail/conversations?page=1") && !older.contains("Bilan"));
    // The conversation in the order written, its patient named.
    let page = run.expect("conversation", 200, &["id=\"patient\"", "Léa Petit"]);
    let (first, second) = (page.find("Premier").unwrap(), page.find("Second").unwrap());
    assert!(first < second, "{page}");
    run.expect(
        "conversation-en",
        200,
        &["Patient: Léa Petit", "Open this message"],
    );
    run.expect("conversation-unknown", 404, &["role=\"alert\""]);
    // Each message of the conversation read, traced (TR-1), with nothing else named.
    let entries = traces(&w).await;
    let actor = format!("acct:{}", alice.id.0);
    let read = entries
        .iter()
        .filter(|e| e.action == "message.read" && e.actor == actor)
        .count();
    assert_eq!(read, 4, "two messages, read twice (French, English)");
}
