//! The IMAP extensions clients use on phones and laptops (issue 20 item 3), each
//! advertised in CAPABILITY and tested here through a real client: Python's imaplib
//! or a raw transcript over implicit TLS.

mod common;

use common::*;

/// Alice with a device credential, and an IMAP listener over implicit TLS with
/// `limits`.
async fn alice_with_limits(limits: caduceus_imap::Limits) -> (World, Listener, String) {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    let listener = listen_with(&w, true, limits).await;
    (w, listener, secret.expose().clone())
}

/// Runs `tests/scripts/appendlimit.py` as Alice; its `label value` lines.
async fn appendlimit(w: &World, listener: &Listener, secret: &str) -> Vec<(String, String)> {
    let run = python(
        "appendlimit",
        &[
            ("port", listener.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("user", "alice@caduceus.test".into()),
            ("secret", secret.into()),
        ],
    )
    .await;
    run.stdout
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn value<'a>(said: &'a [(String, String)], label: &str) -> &'a str {
    said.iter()
        .find(|(k, _)| k == label)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {label} in {said:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc7889_appendlimit_is_the_service_limit_and_a_larger_append_is_refused_toobig_before_it_is_sent()
 {
    // The listener's literal limit is the message size limit (as `caduceus serve`
    // sets it): one byte over is refused before a byte of the literal is sent.
    let (w, listener, secret) = alice_with_limits(limits()).await;
    let said = appendlimit(&w, &listener, &secret).await;
    assert_eq!(value(&said, "limit"), MAX_SIZE.to_string());
    assert!(
        value(&said, "at_limit").starts_with("OK [APPENDUID"),
        "{said:?}"
    );
    let over = value(&said, "over_limit");
    assert!(
        over.starts_with("NO [TOOBIG]") && over.contains("MS-1"),
        "{over}"
    );
    assert!(value(&said, "status").contains("MESSAGES 1"), "{said:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc7889_appendlimit_a_listener_taking_larger_literals_still_gets_the_service_refusal_toobig()
 {
    // A listener whose literals may be larger than the service takes: the message
    // is read, and the service's MS-1 refusal is answered TOOBIG all the same; the
    // limit announced is the service's, not the listener's.
    let larger = caduceus_imap::Limits {
        max_literal: 2 * MAX_SIZE as u32,
        max_command: 2 * MAX_SIZE as u32 + 64 * 1024,
        ..limits()
    };
    let (w, listener, secret) = alice_with_limits(larger).await;
    let said = appendlimit(&w, &listener, &secret).await;
    assert_eq!(value(&said, "limit"), MAX_SIZE.to_string());
    let over = value(&said, "over_limit");
    assert!(
        over.starts_with("NO [TOOBIG]") && over.contains("MS-1"),
        "{over}"
    );
    assert!(value(&said, "status").contains("MESSAGES 1"), "{said:?}");
}
