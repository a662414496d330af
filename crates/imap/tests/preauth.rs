//! Nothing large is read before login (AU-3): a client that is not logged in cannot
//! make the server hold a large literal (40 such `LOGIN {26000000}` once took
//! 1.08 GB); once logged in, literals up to the message size pass again.

mod common;

use common::*;

#[tokio::test]
async fn au3_a_pre_auth_login_literal_of_26_mb_is_refused_before_a_byte_of_it_is_sent() {
    let w = world().await;
    let listener = listen(&w, true).await;
    let (mut raw, _) = Raw::connect(&w, &listener).await;
    // Synchronizing: the client waits for "+"; it gets a tagged NO [TOOBIG] instead.
    raw.send(b"a1 LOGIN alice@caduceus.test {26000000}\r\n")
        .await;
    let answer = raw.line().await.expect("an answer");
    assert!(
        answer.starts_with("a1 NO [TOOBIG]") && answer.contains("before login (AU-3)"),
        "{answer}"
    );
    // The session goes on.
    let capability = raw.command("CAPABILITY").await;
    assert!(capability.contains(" OK "), "{capability}");
    // Non-synchronizing (RFC 7888): the 26 MB come anyway; they are dropped as they
    // come and the command refused (TOOBIG, RFC 7889).
    raw.send(b"a2 LOGIN alice@caduceus.test {26000000+}\r\n")
        .await;
    let chunk = vec![b'x'; 64 * 1024];
    let mut left = 26_000_000usize;
    while left > 0 {
        let n = left.min(chunk.len());
        raw.send(&chunk[..n]).await;
        left -= n;
    }
    raw.send(b"\r\n").await;
    let refused = raw.until("a2").await;
    assert!(refused.contains("a2 NO [TOOBIG]"), "{refused}");
    let noop = raw.command("NOOP").await;
    assert!(noop.contains(" OK "), "{noop}");
}

#[tokio::test]
async fn au3_after_login_a_literal_up_to_the_message_size_is_taken() {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    let listener = listen(&w, true).await;
    // Before login, a small literal (the password) passes.
    let (mut raw, _) = Raw::connect(&w, &listener).await;
    let password = secret.expose();
    raw.send(format!("a1 LOGIN alice@caduceus.test {{{}}}\r\n", password.len()).as_bytes())
        .await;
    let go_on = raw.line().await.expect("a continuation");
    assert!(go_on.starts_with('+'), "{go_on}");
    raw.send(format!("{password}\r\n").as_bytes()).await;
    let login = raw.until("a1").await;
    assert!(login.contains("a1 OK"), "{login}");
    // After it, a message larger than anything allowed before login.
    let message = format!(
        "From: alice@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: big\r\n\r\n{}\r\n",
        "y".repeat(20_000)
    );
    raw.send(format!("a2 APPEND INBOX {{{}}}\r\n", message.len()).as_bytes())
        .await;
    let go_on = raw.line().await.expect("a continuation");
    assert!(go_on.starts_with('+'), "{go_on}");
    raw.send(message.as_bytes()).await;
    raw.send(b"\r\n").await;
    let appended = raw.until("a2").await;
    assert!(appended.contains("a2 OK"), "{appended}");
}

/// One address over its share of the listener is told `* BYE` in clear (STARTTLS
/// port); another address is greeted (AU-3).
#[tokio::test]
async fn au3_a_source_over_its_cap_is_told_bye_and_another_is_greeted() {
    use tokio::io::AsyncBufReadExt;
    let w = world().await;
    let limits = caduceus_imap::Limits {
        max_per_source: 1,
        ..limits()
    };
    let listener = listen_with(&w, false, limits).await;
    let greeting = |tcp: tokio::net::TcpStream| async move {
        let mut line = String::new();
        let mut io = tokio::io::BufReader::new(tcp);
        io.read_line(&mut line).await.unwrap();
        line
    };
    let held = tokio::net::TcpStream::connect(("127.0.0.1", listener.port))
        .await
        .unwrap();
    let mut held = tokio::io::BufReader::new(held);
    let mut first = String::new();
    held.read_line(&mut first).await.unwrap();
    assert!(first.starts_with("* OK"), "{first}");
    let over = tokio::net::TcpStream::connect(("127.0.0.1", listener.port))
        .await
        .unwrap();
    let bye = greeting(over).await;
    assert!(
        bye.starts_with("* BYE [UNAVAILABLE] too many connections from your address"),
        "{bye}"
    );
    let greeted = greeting(connect_from([127, 0, 0, 2], listener.port).await).await;
    assert!(greeted.starts_with("* OK"), "{greeted}");
    drop(held);
    listener.shutdown().await;
}
