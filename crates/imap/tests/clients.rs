//! Real clients against the real listener: Python's imaplib through a working day
//! (RFC 9051 §6), with what the service traced (TR-1) and what another account sees
//! (AC-1).

mod common;

use common::*;

const MESSAGE: &str = "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Avis cardio\r\n\r\nBonjour, voici mon avis.\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_imaplib_scenario_login_list_select_search_fetch_store_append_expunge_idle() {
    let w = world().await;
    let alice_id = rpps(1);
    let alice = professional(&w, "alice", &alice_id, true).await;
    professional(&w, "bob", &rpps(2), true).await;
    let (secret, _) = device(&w, &alice_id, "Thunderbird").await;
    for _ in 0..3 {
        deliver(&w, "alice@caduceus.test", MESSAGE).await;
    }
    let listener = listen(&w, false).await;
    let before = actions(&w).await.len();
    let run = python(
        "scenario",
        &[
            ("port", listener.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("user", alice.address.as_str().to_owned()),
            ("secret", secret.expose().clone()),
        ],
    )
    .await;
    let value = |label: &str| {
        run.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{label} ")))
            .unwrap_or_else(|| panic!("no {label} in:\n{}", run.stdout))
            .to_owned()
    };
    assert!(value("before_tls").contains("STARTTLS first"));
    assert_eq!(value("exists"), "3");
    assert_eq!(value("unseen"), "1 2 3");
    assert_eq!(value("uids"), "1,2,3");
    assert_eq!(value("subject"), "Subject: Avis cardio");
    assert_eq!(value("search_subject"), "1 2 3");
    assert!(value("appenduid").contains("APPENDUID"));
    assert!(value("drafts_status").contains("MESSAGES 1"));
    assert_eq!(value("after_expunge"), "1 2");
    assert_eq!(value("idle_woken"), "* 3 EXISTS");
    assert!(
        value("bad_syntax").contains("BAD"),
        "{}",
        value("bad_syntax")
    );
    assert_eq!(value("logout"), "BYE");

    // TR-1: the SELECT, the peek and the read (a peek reveals content too), the
    // SEARCH on the subject of each of the three messages, the flag changes, the
    // deletion.
    let traced: Vec<String> = actions(&w).await.split_off(before);
    let count = |action: &str| traced.iter().filter(|a| *a == action).count();
    assert!(count("mailbox.open") >= 1, "{traced:?}");
    assert_eq!(count("message.read"), 2, "{traced:?}");
    assert_eq!(count("message.search"), 3, "{traced:?}");
    assert!(count("message.flag") >= 3, "{traced:?}");
    assert_eq!(count("message.delete"), 1, "{traced:?}");
    listener.shutdown().await;
}
