//! Protocol tests by RFC section, over implicit TLS with a raw client that sees the
//! exact wire form.

mod common;

use common::*;

/// A multipart message: a text part, a PDF, and a forwarded message.
const MULTIPART: &str = "From: \"Dr Bob\" <bob@caduceus.test>\r\n\
To: alice@caduceus.test\r\n\
Subject: =?utf-8?q?R=C3=A9sultats?=\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n\
Message-ID: <m1@caduceus.test>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
preamble\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Voir pieces jointes.\r\n\
--b1\r\n\
Content-Type: application/pdf; name=\"cr.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=\"cr.pdf\"\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--b1\r\n\
Content-Type: message/rfc822\r\n\
\r\n\
From: carol@caduceus.test\r\n\
Subject: inner\r\n\
\r\n\
Inner body\r\n\
--b1--\r\n";

async fn alice_world() -> (World, Listener, Raw) {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    let listener = listen(&w, true).await;
    let raw = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    (w, listener, raw)
}

#[tokio::test]
async fn rfc9051_7_5_2_envelope_and_bodystructure_come_from_ingest() {
    let (w, _listener, mut raw) = alice_world().await;
    deliver(&w, "alice@caduceus.test", MULTIPART).await;
    raw.command("SELECT INBOX").await;
    let answer = raw.command("FETCH 1 (ENVELOPE BODYSTRUCTURE)").await;
    // Raw (encoded) subject and display name, as RFC 9051 §7.5.2 asks.
    assert!(
        answer.contains(
            "ENVELOPE (\"Mon, 23 Nov 2026 10:00:00 +0100\" \"=?utf-8?q?R=C3=A9sultats?=\" ((\"Dr Bob\" NIL \"bob\" \"caduceus.test\"))"
        ),
        "{answer}"
    );
    assert!(answer.contains("\"<m1@caduceus.test>\")"), "{answer}");
    assert!(
        answer.contains("(\"TEXT\" \"plain\" (\"charset\" \"utf-8\")"),
        "{answer}"
    );
    assert!(
        answer.contains("\"application\" \"pdf\" (\"name\" \"cr.pdf\")"),
        "{answer}"
    );
    assert!(
        answer.contains("(\"attachment\" (\"filename\" \"cr.pdf\"))"),
        "{answer}"
    );
    assert!(answer.contains("\"MESSAGE\" \"RFC822\""), "{answer}");
    assert!(
        answer.contains("\"mixed\" (\"boundary\" \"b1\")"),
        "{answer}"
    );
    assert!(
        answer.trim_end().ends_with("OK FETCH completed"),
        "{answer}"
    );
    // ENVELOPE and BODYSTRUCTURE do not read the body: not a read, no \Seen.
    let flags = raw.command("FETCH 1 (FLAGS)").await;
    assert!(!flags.contains("\\Seen"), "{flags}");
}

#[tokio::test]
async fn rfc9051_6_4_5_body_sections_by_part_number() {
    let (w, _listener, mut raw) = alice_world().await;
    deliver(&w, "alice@caduceus.test", MULTIPART).await;
    raw.command("SELECT INBOX").await;
    let part = |answer: &str, section: &str| -> String {
        let start = answer
            .find(&format!("BODY[{section}] {{"))
            .unwrap_or_else(|| panic!("no BODY[{section}] in {answer}"));
        let rest = &answer[start..];
        let open = rest.find('{').unwrap();
        let close = rest.find('}').unwrap();
        let size: usize = rest[open + 1..close].parse().unwrap();
        rest[close + 3..close + 3 + size].to_owned()
    };
    let answer = raw
        .command("FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[3.HEADER] BODY.PEEK[3.TEXT])")
        .await;
    assert_eq!(part(&answer, "1"), "Voir pieces jointes.");
    assert!(part(&answer, "2.MIME").starts_with("Content-Type: application/pdf"));
    assert!(part(&answer, "2.MIME").ends_with("\r\n\r\n"));
    assert_eq!(
        part(&answer, "3.HEADER"),
        "From: carol@caduceus.test\r\nSubject: inner\r\n\r\n"
    );
    assert_eq!(part(&answer, "3.TEXT"), "Inner body");
    // A part that does not exist reads as NIL.
    let missing = raw.command("FETCH 1 (BODY.PEEK[9])").await;
    assert!(missing.contains("BODY[9] NIL"), "{missing}");
    // Partial fetch (RFC 9051 §6.4.5 <origin.octets>).
    let partial = raw.command("FETCH 1 (BODY.PEEK[1]<5.6>)").await;
    assert!(partial.contains("BODY[1]<5> {6}\r\npieces"), "{partial}");
}

#[tokio::test]
async fn rfc9051_6_3_12_append_over_the_size_limit_is_refused_before_the_literal() {
    let (_w, _listener, mut raw) = alice_world().await;
    let too_big = MAX_SIZE + 1;
    raw.send(format!("a1 APPEND INBOX {{{too_big}}}\r\n").as_bytes())
        .await;
    // No continuation: the refusal comes at once, nothing of the literal is read.
    let answer = raw.line().await.unwrap();
    assert!(answer.starts_with("a1 BAD"), "{answer}");
    assert!(answer.contains("MS-1"), "{answer}");
    // The session goes on.
    let noop = raw.command("NOOP").await;
    assert!(noop.contains("OK"), "{noop}");
}

#[tokio::test]
async fn rfc9051_malformed_commands_get_bad_and_the_session_survives() {
    let (_w, _listener, mut raw) = alice_world().await;
    for bad in [
        "x1 FETCH\r\n",
        "x2 FROBNICATE now\r\n",
        "x3 SELECT\r\n",
        "x4 FETCH 1 (BODY[NOPE])\r\n",
        "x5 STORE 1 +FLAGS (\\Bogus\r\n",
    ] {
        raw.send(bad.as_bytes()).await;
        let tag = bad.split(' ').next().unwrap();
        let answer = raw.until(tag).await;
        assert!(
            answer.starts_with(&format!("{tag} BAD ")),
            "{bad:?}: {answer}"
        );
    }
    // A bare LF is not a line end (RFC 9051 §2.2).
    raw.send(b"x6 NOOP\n").await;
    let answer = raw.line().await.unwrap();
    assert!(answer.contains("BAD"), "{answer}");
    // Commands before SELECT that need a mailbox are refused with a reason.
    let fetch = raw.command("FETCH 1 FLAGS").await;
    assert!(fetch.contains("BAD") && fetch.contains("SELECT"), "{fetch}");
    let noop = raw.command("NOOP").await;
    assert!(noop.contains("OK"), "{noop}");
}

#[tokio::test]
async fn rfc9051_errors_in_a_row_end_the_session_with_bye() {
    let (_w, _listener, mut raw) = alice_world().await;
    let mut saw_bye = false;
    for n in 0..30 {
        raw.send(format!("e{n} !!!\r\n").as_bytes()).await;
        match raw.line().await {
            Some(line) if line.starts_with("* BYE") => {
                saw_bye = true;
                break;
            }
            Some(_) => {}
            None => break,
        }
    }
    assert!(saw_bye, "the session ends with BYE after too many errors");
}

#[tokio::test]
async fn rfc5161_enable_condstore_adds_modseq_to_fetch() {
    let (w, _listener, mut raw) = alice_world().await;
    deliver(&w, "alice@caduceus.test", MULTIPART).await;
    let enabled = raw.command("ENABLE CONDSTORE").await;
    assert!(enabled.contains("* ENABLED CONDSTORE"), "{enabled}");
    let select = raw.command("SELECT INBOX").await;
    assert!(select.contains("[HIGHESTMODSEQ "), "{select}");
    let before = raw.command("FETCH 1 (FLAGS)").await;
    assert!(before.contains("MODSEQ ("), "{before}");
    let stored = raw.command("STORE 1 +FLAGS (\\Flagged)").await;
    assert!(
        stored.contains("\\Flagged") && stored.contains("MODSEQ ("),
        "{stored}"
    );
}

#[tokio::test]
async fn rfc2342_namespace_and_rfc2971_id() {
    let (_w, _listener, mut raw) = alice_world().await;
    let namespace = raw.command("NAMESPACE").await;
    assert!(
        namespace.contains("* NAMESPACE ((\"\" \"/\")) NIL NIL"),
        "{namespace}"
    );
    let id = raw.command("ID (\"name\" \"test\")").await;
    assert!(id.contains("* ID (\"name\" \"Caduceus\""), "{id}");
}
