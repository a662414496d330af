//! Two `caduceus` nodes on one PostgreSQL database: mail delivered through one wakes
//! an IMAP IDLE session on the other, through LISTEN/NOTIFY (issue 4, §3).

mod common;

use std::time::{Duration, Instant};

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_on_one_node_wakes_for_mail_delivered_through_the_other() {
    let (w, second_node) = postgres_nodes().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    let listener = listen(&w, true).await;
    let mut raw = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    assert!(raw.command("SELECT INBOX").await.contains("* 0 EXISTS"));
    raw.send(b"i1 IDLE\r\n").await;
    assert!(raw.line().await.unwrap().starts_with('+'));

    let sent = Instant::now();
    second_node
        .deliver_local(
            &caduceus_service::actor::testing::system(),
            &[addr("alice@caduceus.test")],
            b"From: bob@caduceus.test\r\nSubject: via node 2\r\n\r\nHello\r\n",
        )
        .await
        .unwrap();
    let woken = raw.line().await.unwrap();
    let after = sent.elapsed();
    assert_eq!(woken, "* 1 EXISTS\r\n");
    assert!(after < Duration::from_secs(1), "woken after {after:?}");
    raw.send(b"DONE\r\n").await;
    assert!(raw.until("i1").await.contains("OK"));
    // Flags changed through the other node arrive the same way.
    raw.send(b"i2 IDLE\r\n").await;
    assert!(raw.line().await.unwrap().starts_with('+'));
    let (access, folder, messages) = inbox_on(&second_node, "alice@caduceus.test").await;
    second_node
        .set_flags_in(
            &access,
            folder.id,
            &[(
                messages[0].id,
                caduceus_core::FlagChange::Replace(vec!["\\Flagged".into()]),
            )],
            None,
        )
        .await
        .unwrap();
    let flagged = raw.line().await.unwrap();
    assert!(
        flagged.starts_with("* 1 FETCH") && flagged.contains("\\Flagged"),
        "{flagged}"
    );
    raw.send(b"DONE\r\n").await;
    raw.until("i2").await;
}
