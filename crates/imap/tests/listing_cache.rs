//! The listing cache (issue 20 item 4, MS-18): a folder listed again is answered
//! from the structures kept in memory, with exactly the bytes of a first listing and
//! of a server without the cache, every message still traced (TR-1), and a message
//! another session expunged answered as gone whatever the cache holds (RFC 2180
//! §4.1). Through real clients: Python's imaplib, and a raw client for the wire.

mod common;

use caduceus_service::actor::testing;
use common::*;

const INS: &str = "295109912611193";

/// Messages of several shapes: plain, multipart with an attachment and an attached
/// message, encoded words, groups and several recipients, one concerning a patient.
fn messages() -> Vec<String> {
    vec![
        "From: Bob Martin <bob@caduceus.test>\r\nTo: alice@caduceus.test\r\n\
         Subject: note\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\n\
         Message-ID: <n1@caduceus.test>\r\n\r\nhello\r\n"
            .to_owned(),
        "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\n\
         Subject: =?utf-8?q?R=C3=A9sultats?=\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nVoir pieces jointes.\r\n--b1\r\n\
         Content-Type: application/pdf; name=\"cr.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"cr.pdf\"\r\n\r\nJVBERi0xLjQK\r\n--b1\r\n\
         Content-Type: message/rfc822\r\n\r\nFrom: c@caduceus.test\r\nSubject: inner\r\n\r\n\
         inner body\r\n--b1--\r\n"
            .to_owned(),
        "From: carol@caduceus.test\r\nTo: equipe: alice@caduceus.test, bob@caduceus.test;, \
         undisclosed-recipients:;\r\nCc: \"Dr. Durand\" <durand@caduceus.test>\r\n\
         Subject: groupes\r\nIn-Reply-To: <n1@caduceus.test>\r\n\r\ntexte\r\n"
            .to_owned(),
        format!(
            "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nX-MSS-INS: {INS}\r\n\
             Subject: Avis cardio\r\n\r\nTension a surveiller.\r\n"
        ),
    ]
}

/// MS-18, TR-1, TR-4: a listing fetched twice in one session (a cold cache, then a
/// warm one) gives the same bytes for every content item (ENVELOPE, BODYSTRUCTURE,
/// BODY and the listing together), and so does a server without the cache, and the
/// listing's responses are those of the same items answered beside a body section
/// (from the opened messages, encoded whole by imap-codec); the
/// second listing still writes one `message.headers` trace per message, and the
/// patient's access log still records it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms18_tr1_a_listing_fetched_again_gives_the_same_bytes_and_is_traced_again() {
    let mut w = world().await;
    let alice_id = rpps(1);
    let alice = professional(&w, "alice", &alice_id, true).await;
    let camille = patient(&w, INS, "Camille Durand").await;
    let (secret, _) = device(&w, &alice_id, "Thunderbird").await;
    let sent = messages();
    for raw in &sent {
        deliver(&w, "alice@caduceus.test", raw).await;
    }
    let args = |port: u16, times: usize| {
        vec![
            ("port", port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("user", alice.address.as_str().to_owned()),
            ("secret", secret.expose().clone()),
            ("times", times.to_string()),
        ]
    };
    let cached = listen(&w, true).await;
    let before = actions(&w).await.len();
    let run = python("listing_twice", &args(cached.port, 2)).await;
    let traced: Vec<String> = actions(&w).await.split_off(before);
    cached.shutdown().await;
    assert!(
        w.service.listing_cache_usage().0 >= sent.len(),
        "the first listing filled the cache: {:?}",
        w.service.listing_cache_usage()
    );
    let (_, first) = run.step("first");
    assert!(
        first.contains("ENVELOPE (") && first.contains("BODYSTRUCTURE ("),
        "{first}"
    );

    // The same world's data, served without the cache: every message opened.
    w.service = w.service.clone().with_listing_cache(0);
    let uncached = listen(&w, true).await;
    let plain = python("listing_twice", &args(uncached.port, 1)).await;
    uncached.shutdown().await;
    for item in ["listing", "envelope", "bodystructure", "body"] {
        let cold = run.step(&format!("{item}0"));
        let warm = run.step(&format!("{item}1"));
        let without = plain.step(&format!("{item}0"));
        assert_eq!(cold.0 as usize, sent.len(), "{item}: one response each");
        assert_eq!(
            cold, warm,
            "{item}: a cold and a warm cache answer the same bytes"
        );
        // The listing's FLAGS hold `\Recent` for the first session only.
        if item != "listing" {
            assert_eq!(cold, without, "{item}: the cache changes no byte");
        }
    }

    // The listing's bytes are those of the same items answered from opened messages.
    assert_eq!(run.step("opened").0 as usize, sent.len());

    // TR-1: each of the 2 × 4 content FETCHes of the cached session traced each
    // message once, the warm ones as the cold ones.
    // (Then one listing more, and one read of the headers.)
    let headers = traced.iter().filter(|a| *a == "message.headers").count();
    assert_eq!(headers, (2 * 4 + 1) * sent.len(), "{traced:?}");
    // TR-4: the patient's log holds alice's listings.
    let log = w
        .service
        .patient_access_log(&testing::account(camille.id, "test"), camille.id)
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.actor == alice.address && e.action == "message.headers"),
        "{log:?}"
    );
}

/// The listing two sessions' tests make.
const LISTING: &str = "FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE)";

/// Session `a` (INBOX of 3 selected) lists, then `expunge` removes the second message
/// elsewhere while `a`'s cache (`node_a`) still holds all three, then `a` lists
/// again: RFC 2180 §4.1, the second listing answers the message as gone (its FLAGS
/// from the session's view, no ENVELOPE or BODYSTRUCTURE), traces only the two
/// answered (TR-1), and the EXPUNGE comes at the next NOOP.
async fn listed_around_an_expunge(
    w: &World,
    a: &mut Raw,
    node_a: &caduceus_service::Service,
    expunge: impl std::future::Future<Output = ()>,
) {
    let first = a.command(LISTING).await;
    assert_eq!(first.matches("ENVELOPE (").count(), 3, "{first}");
    expunge.await;
    assert_eq!(
        node_a.listing_cache_usage().0,
        3,
        "a's node holds all three"
    );
    let before = actions(w).await.len();
    let second = a.command(LISTING).await;
    let traced: Vec<String> = actions(w).await.split_off(before);
    assert!(second.contains("OK FETCH completed"), "{second}");
    assert!(!second.contains("EXPUNGE"), "{second}");
    let response = |seq: usize| {
        let start = second
            .find(&format!("* {seq} FETCH ("))
            .unwrap_or_else(|| panic!("no response for {seq}: {second}"));
        let end = second[start..]
            .find("\r\n")
            .map_or(second.len(), |e| start + e);
        second[start..end].to_owned()
    };
    assert!(!response(2).contains("ENVELOPE"), "{second}");
    assert!(!response(2).contains("BODYSTRUCTURE"), "{second}");
    assert!(response(1).contains("ENVELOPE ("), "{second}");
    assert!(response(3).contains("ENVELOPE ("), "{second}");
    assert_eq!(
        traced.iter().filter(|t| *t == "message.headers").count(),
        2,
        "{traced:?}"
    );
    let noop = a.command("NOOP").await;
    assert!(noop.contains("* 2 EXPUNGE\r\n"), "{noop}");
}

/// RFC 2180 §4.1 (MS-18): a message another session expunged between two listings
/// is answered as gone by the second, though the first put it in the cache and the
/// expunge came through another node (another service over the same store, whose
/// eviction this node's cache never sees): [`listed_around_an_expunge`].
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc2180_4_1_a_listing_after_another_session_expunged_leaves_the_message_out_ms18() {
    let mut w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    for raw in messages().iter().take(3) {
        deliver(&w, "alice@caduceus.test", raw).await;
    }
    let node_a = w.service.clone();
    let listener = listen(&w, true).await;
    // Another node: the same store, a listing cache of its own.
    w.service = w
        .service
        .clone()
        .with_listing_cache(caduceus_service::listing_cache::DEFAULT_BYTES);
    let other_node = listen(&w, true).await;
    let mut a = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    let mut b = Raw::login(&w, &other_node, "alice@caduceus.test", secret.expose()).await;
    a.command("SELECT INBOX").await;
    b.command("SELECT INBOX").await;
    listed_around_an_expunge(&w, &mut a, &node_a, async {
        b.command("STORE 2 +FLAGS.SILENT (\\Deleted)").await;
        b.command("EXPUNGE").await;
    })
    .await;
    listener.shutdown().await;
    other_node.shutdown().await;
}

/// MS-18, RFC 2180 §4.1 on PostgreSQL, two nodes over one database: a node lists
/// the same bytes from a cold cache and from a warm one, and a message expunged
/// through the other node is left out of its next listing though its cache still
/// holds it ([`listed_around_an_expunge`]).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms18_rfc2180_4_1_on_postgresql_a_listing_from_the_cache_follows_the_other_node() {
    let (w, second_node) = postgres_nodes().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    for raw in messages().iter().take(3) {
        deliver(&w, "alice@caduceus.test", raw).await;
    }
    let listener = listen(&w, true).await;
    let mut a = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    a.command("SELECT INBOX").await;
    // The answer without its tagged line (whose tag differs).
    let untagged = |answer: String| {
        let end = answer.trim_end().rfind("\r\n").map_or(0, |e| e + 2);
        answer[..end].to_owned()
    };
    let contents = "FETCH 1:* (ENVELOPE BODYSTRUCTURE BODY)";
    let cold = untagged(a.command(contents).await);
    assert_eq!(w.service.listing_cache_usage().0, 3);
    let warm = untagged(a.command(contents).await);
    assert_eq!(cold.matches("ENVELOPE (").count(), 3, "{cold}");
    assert_eq!(cold, warm, "a cold and a warm cache answer the same bytes");
    listed_around_an_expunge(&w, &mut a, &w.service, async {
        let (access, folder, messages) = inbox_on(&second_node, "alice@caduceus.test").await;
        second_node
            .expunge(&access, folder.id, &[messages[1].id])
            .await
            .unwrap();
    })
    .await;
    listener.shutdown().await;
}
