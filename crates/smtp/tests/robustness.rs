//! Bad input never panics the server nor drops a connection without a `421`: lines
//! too long, garbage, bare LF, NUL bytes, a smuggled end of data, a client vanishing
//! mid-DATA, silence, endless sessions, too many connections, a stop — and nothing
//! half-received is ever stored.

mod common;

use std::time::Duration;

use caduceus_smtp::Limits;
use caduceus_store::Store as _;
use common::*;

#[tokio::test]
async fn overlong_lines_and_garbage_get_500_then_421_after_the_error_cap() {
    let w = world().await;
    let listener = listen(&w, false, limits()).await;
    let run = python("errors", &base_args(&w, &listener)).await;

    run.expect("long", 500, &["5.5.2", "line too long"]);
    run.expect("noop", 250, &[]);
    // The long line was error 1; garbage 1 to 9 make 10, the cap.
    for i in 1..=9 {
        run.expect(
            &format!("garbage-{i}"),
            500,
            &["5.5.1", "command not recognized"],
        );
    }
    run.expect("garbage-10", 421, &["4.7.0", "too many errors"]);
    run.expect("disconnected", 11, &[]);
    listener.shutdown().await;
}

#[tokio::test]
async fn bare_lf_nul_smuggling_and_a_vanished_client_store_nothing() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let (credential, _) = device(&w, &rpps(1), "Laptop").await;
    let listener = listen(&w, true, limits()).await;
    let auth = format!(
        "AUTH PLAIN {}\r\n",
        plain("alice@caduceus.test", credential.expose())
    );
    let envelope = "MAIL FROM:<alice@caduceus.test>\r\nRCPT TO:<bruno@caduceus.test>\r\nDATA\r\n";

    let mut c = raw_tls(&w, &listener).await;
    assert!(
        c.reply()
            .await
            .unwrap()
            .starts_with("220 mail.caduceus.test")
    );
    c.cmd("EHLO raw\n", "500 5.5.2 lines must end with CRLF")
        .await;
    c.cmd("NO\0OP\r\n", "500").await;
    c.cmd("\r\n", "500").await;
    c.cmd("\u{1b}[2J\u{ff}\r\n", "500").await;
    c.cmd("EHLO raw.test\r\n", "250-mail.caduceus.test").await;
    c.cmd(&auth, "235").await;

    // Pipelined envelope (RFC 2920): three replies, then the body.
    c.send(envelope.as_bytes()).await;
    assert!(c.reply().await.unwrap().starts_with("250 2.1.0"));
    assert!(c.reply().await.unwrap().starts_with("250 2.1.5"));
    assert!(c.reply().await.unwrap().starts_with("354"));
    // A bare LF before the dot does not end the message (no SMTP smuggling): the
    // "smuggled" commands are content, and the message is refused as a whole.
    c.send(b"Subject: one\r\n\r\nx\n.\r\nMAIL FROM:<bruno@caduceus.test>\r\nRCPT TO:<alice@caduceus.test>\r\nDATA\r\n")
        .await;
    c.cmd("Subject: smuggled\r\n\r\n.\r\n", "554 5.6.0").await;
    c.send(envelope.as_bytes()).await;
    for _ in 0..3 {
        c.reply().await.unwrap();
    }
    c.cmd(
        "Subject: two\r\n\r\nnul \0 byte\r\n.\r\n",
        "554 5.6.0 message refused: NUL",
    )
    .await;
    c.send(envelope.as_bytes()).await;
    for _ in 0..3 {
        c.reply().await.unwrap();
    }
    c.send(b"Subject: three\r\n\r\nhalf a message").await;
    drop(c);

    // The server keeps serving; a proper message goes through.
    let mut c = raw_tls(&w, &listener).await;
    c.reply().await.unwrap();
    c.cmd("EHLO raw.test\r\n", "250").await;
    c.cmd(&auth, "235").await;
    c.send(envelope.as_bytes()).await;
    for _ in 0..3 {
        c.reply().await.unwrap();
    }
    c.cmd("Subject: four\r\n\r\n..dotted\r\n.\r\n", "250 2.0.0")
        .await;
    c.cmd("QUIT\r\n", "221").await;

    let messages = inbox(&w, &bruno).await;
    assert_eq!(messages.len(), 1, "only the complete, clean message");
    let raw = String::from_utf8(messages[0].clone()).unwrap();
    assert!(raw.ends_with("Subject: four\r\n\r\n.dotted\r\n"), "{raw}");
    assert!(inbox(&w, &alice).await.is_empty(), "nothing smuggled");
    listener.shutdown().await;
}

#[tokio::test]
async fn starttls_discards_commands_sent_in_clear_with_it() {
    let w = world().await;
    let listener = listen(&w, false, limits()).await;
    let mut c = raw_plain(&listener).await;
    c.reply().await.unwrap();
    // HELP injected after STARTTLS, in clear: it must not be answered after the upgrade.
    c.send(b"EHLO raw.test\r\nSTARTTLS\r\nHELP\r\n").await;
    assert!(c.reply().await.unwrap().contains("STARTTLS"));
    assert!(c.reply().await.unwrap().starts_with("220 2.0.0"));
    let mut c = tls_over(&w, c.io.into_inner()).await;
    c.cmd("NOOP\r\n", "250 2.0.0").await;
    c.cmd(
        "MAIL FROM:<a@caduceus.test>\r\n",
        "503 5.5.1 send EHLO first",
    )
    .await;
    c.cmd("EHLO raw.test\r\n", "250").await;
    c.cmd(
        "MAIL FROM:<a@caduceus.test>\r\n",
        "530 5.7.0 Authentication required",
    )
    .await;
    c.cmd("RCPT TO:<a@caduceus.test>\r\n", "530 5.7.0").await;
    c.cmd("QUIT\r\n", "221").await;
    listener.shutdown().await;
}

#[tokio::test]
async fn silence_and_endless_sessions_get_421() {
    let w = world().await;
    let idle = listen(
        &w,
        false,
        Limits {
            idle: Duration::from_millis(300),
            ..limits()
        },
    )
    .await;
    let mut c = raw_plain(&idle).await;
    c.reply().await.unwrap();
    let reply = c.reply().await.unwrap();
    assert!(
        reply.starts_with("421 4.4.2 mail.caduceus.test idle for too long"),
        "{reply}"
    );
    assert!(c.reply().await.is_none(), "closed after the 421");

    let endless = listen(
        &w,
        false,
        Limits {
            session: Duration::from_millis(500),
            ..limits()
        },
    )
    .await;
    let mut c = raw_plain(&endless).await;
    c.reply().await.unwrap();
    let reply = loop {
        c.send(b"NOOP\r\n").await;
        let reply = c.reply().await.unwrap();
        if !reply.starts_with("250") {
            break reply;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(reply.starts_with("421 4.4.2 session time limit"), "{reply}");
    idle.shutdown().await;
    endless.shutdown().await;
}

/// A client that never starts its TLS handshake, after STARTTLS or on the implicit-TLS
/// port, is let go at the handshake's time limit, long before the idle timeout
/// (AU-3).
#[tokio::test]
async fn au3_a_tls_handshake_that_never_comes_ends_at_its_time_limit() {
    let w = world().await;
    let limits = Limits {
        handshake: Duration::from_secs(1),
        idle: Duration::from_secs(600),
        ..limits()
    };
    let starttls = listen(&w, false, limits.clone()).await;
    let mut raw = raw_plain(&starttls).await;
    assert!(raw.reply().await.unwrap().starts_with("220 "));
    raw.cmd("EHLO client.test\r\n", "250").await;
    raw.cmd("STARTTLS\r\n", "220").await;
    assert!(raw.reply().await.is_none(), "closed without a handshake");
    starttls.shutdown().await;
    let implicit = listen(&w, true, limits).await;
    let mut raw = raw_plain(&implicit).await;
    assert!(raw.reply().await.is_none(), "closed without a handshake");
    implicit.shutdown().await;
}

/// One address over its share of the listener is told `421 4.7.0`; another address
/// is served (AU-3).
#[tokio::test]
async fn au3_a_source_over_its_cap_is_told_421_4_7_0_and_another_is_served() {
    let w = world().await;
    let limits = Limits {
        max_per_source: 2,
        ..limits()
    };
    let listener = listen(&w, false, limits).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut raw = raw_plain(&listener).await;
        assert!(raw.reply().await.unwrap().starts_with("220 "));
        held.push(raw);
    }
    let mut over = raw_plain(&listener).await;
    let reply = over.reply().await.unwrap();
    assert!(
        reply.starts_with("421 4.7.0 too many connections from your address"),
        "{reply}"
    );
    assert!(over.reply().await.is_none(), "closed after the 421");
    let other = connect_from([127, 0, 0, 2], listener.port).await;
    let reply = Raw::new(other).reply().await.unwrap();
    assert!(reply.starts_with("220 "), "{reply}");
    listener.shutdown().await;
}

#[tokio::test]
async fn too_many_connections_and_stop_are_told_421() {
    let w = world().await;
    let listener = listen(
        &w,
        false,
        Limits {
            max_sessions: 1,
            ..limits()
        },
    )
    .await;
    let mut first = raw_plain(&listener).await;
    first.reply().await.unwrap();
    let mut second = raw_plain(&listener).await;
    let reply = second.reply().await.unwrap();
    assert!(
        reply.starts_with("421 4.3.2 too many connections"),
        "{reply}"
    );

    listener.stop.send(true).unwrap();
    let reply = first.reply().await.unwrap();
    assert!(
        reply.starts_with("421 4.3.2 server shutting down"),
        "{reply}"
    );
    assert!(first.reply().await.is_none());
    let port = listener.port;
    listener.shutdown().await;
    assert!(
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err(),
        "no longer accepting"
    );
}

#[tokio::test]
async fn ms13_a_message_of_50000_nested_messages_is_refused_and_the_server_keeps_serving() {
    let w = world_configured(
        "caduceus.test",
        None,
        std::sync::Arc::new(caduceus_core::SystemClock),
        |config| config.max_message_size = 4_000_000,
    )
    .await;
    let _alice = professional(&w, "alice", &rpps(1), true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let (credential, _) = device(&w, &rpps(1), "Laptop").await;
    let listener = listen(&w, true, limits()).await;
    let mut c = logged_in(&w, &listener, "alice@caduceus.test", credential.expose()).await;
    let envelope = "MAIL FROM:<alice@caduceus.test>\r\nRCPT TO:<bruno@caduceus.test>\r\nDATA\r\n";
    c.send(envelope.as_bytes()).await;
    for _ in 0..3 {
        c.reply().await.unwrap();
    }
    // Once this aborted the whole server (a stack overflow): now refused with a reason.
    let mut nested = nested_message("alice@caduceus.test", "bruno@caduceus.test", 50_000);
    nested.extend_from_slice(b".\r\n");
    c.send(&nested).await;
    let reply = c.reply().await.unwrap();
    assert!(reply.starts_with("554 5.7.1"), "{reply}");
    assert!(
        reply.contains("MS-13") && reply.contains("encapsulates more than 32"),
        "{reply}"
    );

    // Same session, same server: a message nested a few levels goes through.
    c.send(envelope.as_bytes()).await;
    for _ in 0..3 {
        c.reply().await.unwrap();
    }
    let mut fine = nested_message("alice@caduceus.test", "bruno@caduceus.test", 5);
    fine.extend_from_slice(b".\r\n");
    c.send(&fine).await;
    assert!(c.reply().await.unwrap().starts_with("250 2.0.0"));
    c.cmd("QUIT\r\n", "221").await;
    assert_eq!(inbox(&w, &bruno).await.len(), 1, "only the bounded one");
    let refused = traces(&w)
        .await
        .into_iter()
        .filter(|e| e.action.as_str() == "message.refuse")
        .count();
    assert_eq!(refused, 1, "the refusal is traced (TR-1)");
    listener.shutdown().await;
}

#[tokio::test]
async fn au3_tr1_a_user_name_that_is_no_address_is_counted_and_traced() {
    let w = world().await;
    let listener = listen(&w, true, limits()).await;
    let mut c = raw_tls(&w, &listener).await;
    c.reply().await.unwrap();
    c.cmd("EHLO raw.test\r\n", "250").await;
    for _ in 0..2 {
        c.cmd(
            &format!("AUTH PLAIN {}\r\n", plain("not an address", "cdv-x")),
            "535 5.7.8 authentication failed",
        )
        .await;
    }
    c.cmd("QUIT\r\n", "221").await;
    let malformed = traces(&w)
        .await
        .into_iter()
        .filter(|e| {
            e.action.as_str() == "auth.failure"
                && e.detail.as_deref() == Some("reason:malformed_user")
        })
        .count();
    assert_eq!(malformed, 2, "each attempt traced (TR-1)");
    let counted = w
        .store
        .failure_state("ip:127.0.0.1")
        .await
        .unwrap()
        .failures;
    assert_eq!(counted, 2, "each attempt counted against the source (AU-3)");
    let opened = traces(&w)
        .await
        .into_iter()
        .filter(|e| e.action.as_str() == "connection.open")
        .count();
    assert_eq!(opened, 1, "the connection is traced, login or not (AU-3)");
    listener.shutdown().await;
}
