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
    assert!(answer.starts_with("a1 NO [TOOBIG]"), "{answer}");
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

#[tokio::test]
async fn rfc9051_6_3_create_rename_delete_with_modified_utf7_names() {
    let (_w, _listener, mut raw) = alice_world().await;
    // "Éléments envoyés/2026" and an emoji, in modified UTF-7 (RFC 3501 §5.1.3).
    let created = raw
        .command("CREATE \"&AMk-l&AOk-ments envoy&AOk-s/2026\"")
        .await;
    assert!(
        created.contains("CREATE completed") && created.contains(" OK "),
        "{created}"
    );
    assert!(
        raw.command("CREATE \"&2D7eeg- Cardio\"")
            .await
            .contains("OK")
    );
    // The superior name was made with its inferior (RFC 9051 §6.3.4): it exists.
    let superior = raw.command("CREATE \"&AMk-l&AOk-ments envoy&AOk-s\"").await;
    assert!(superior.contains("NO [ALREADYEXISTS]"), "{superior}");
    let list = raw.command("LIST \"\" \"*\"").await;
    assert!(
        list.contains("(\\HasChildren) \"/\" \"&AMk-l&AOk-ments envoy&AOk-s\""),
        "{list}"
    );
    assert!(
        list.contains("\"&AMk-l&AOk-ments envoy&AOk-s/2026\""),
        "{list}"
    );
    assert!(list.contains("\"&2D7eeg- Cardio\""), "{list}");
    let again = raw.command("CREATE \"&2D7eeg- Cardio\"").await;
    assert!(again.contains("NO [ALREADYEXISTS]"), "{again}");
    let wildcard = raw.command("CREATE \"a*b\"").await;
    assert!(
        wildcard.contains("NO [CANNOT]") && wildcard.contains("MS-6"),
        "{wildcard}"
    );
    // Well-formed, but no folder can have this name: NO, not BAD (issue 20).
    let bad_utf7 = raw.command("CREATE \"&Jjo\"").await;
    assert!(bad_utf7.contains("NO [CANNOT]"), "{bad_utf7}");
    // RENAME takes the subfolders along.
    let renamed = raw
        .command("RENAME \"&AMk-l&AOk-ments envoy&AOk-s\" \"Envoy&AOk-s\"")
        .await;
    assert!(renamed.contains("OK RENAME completed"), "{renamed}");
    let list = raw.command("LIST \"\" \"Envoy*\"").await;
    assert!(list.contains("\"/\" Envoy&AOk-s/2026\r\n"), "{list}");
    assert!(
        raw.command("DELETE \"Envoy&AOk-s/2026\"")
            .await
            .contains("OK")
    );
    let inbox = raw.command("DELETE INBOX").await;
    assert!(inbox.contains("NO"), "{inbox}");
    let gone = raw.command("SELECT \"Envoy&AOk-s/2026\"").await;
    assert!(gone.contains("NO [NONEXISTENT]"), "{gone}");
}

#[tokio::test]
async fn rfc4315_rfc6851_copy_and_move_give_copyuid_and_copies_outlive_originals() {
    let (w, _listener, mut raw) = alice_world().await;
    for _ in 0..3 {
        deliver(&w, "alice@caduceus.test", MULTIPART).await;
    }
    raw.command("SELECT INBOX").await;
    let copied = raw.command("COPY 1 Archive").await;
    assert!(copied.contains("OK [COPYUID "), "{copied}");
    assert!(copied.contains(" 1 1] COPY completed"), "{copied}");
    let moved = raw.command("UID MOVE 2:3 Trash").await;
    assert!(moved.contains("* OK [COPYUID "), "{moved}");
    assert!(moved.contains(" 2,3 1,2] moved"), "{moved}");
    assert_eq!(moved.matches("* 2 EXPUNGE").count(), 2, "{moved}");
    assert!(moved.contains("OK MOVE completed"), "{moved}");
    let missing = raw.command("COPY 1 Nowhere").await;
    assert!(missing.contains("NO [TRYCREATE]"), "{missing}");
    // The original goes for good (RT-3); its copy in Archive still opens.
    raw.command("STORE 1 +FLAGS (\\Deleted)").await;
    raw.command("EXPUNGE").await;
    raw.command("SELECT Archive").await;
    let copy = raw.command("FETCH 1 (BODY.PEEK[1])").await;
    assert!(copy.contains("Voir pieces jointes."), "{copy}");
    let trash = raw.command("STATUS Trash (MESSAGES)").await;
    assert!(trash.contains("MESSAGES 2"), "{trash}");
    let traced = actions(&w).await;
    assert_eq!(traced.iter().filter(|a| *a == "message.copy").count(), 1);
    assert_eq!(traced.iter().filter(|a| *a == "message.move").count(), 2);
}

#[tokio::test]
async fn rfc7162_changedsince_and_unchangedsince() {
    let (w, _listener, mut raw) = alice_world().await;
    for _ in 0..3 {
        deliver(&w, "alice@caduceus.test", MULTIPART).await;
    }
    raw.command("SELECT INBOX (CONDSTORE)").await;
    let all = raw.command("FETCH 1:* (FLAGS)").await;
    let modseq = |answer: &str, seq: u32| -> i64 {
        let line = answer
            .lines()
            .find(|l| l.starts_with(&format!("* {seq} FETCH")))
            .unwrap_or_else(|| panic!("no FETCH {seq} in {answer}"));
        let start = line.find("MODSEQ (").unwrap() + 8;
        line[start..].split(')').next().unwrap().parse().unwrap()
    };
    let third = modseq(&all, 3);
    raw.command("STORE 2 +FLAGS.SILENT (\\Flagged)").await;
    let changed = raw
        .command(&format!("FETCH 1:* (FLAGS) (CHANGEDSINCE {third})"))
        .await;
    assert!(changed.contains("* 2 FETCH"), "{changed}");
    assert!(
        !changed.contains("* 1 FETCH") && !changed.contains("* 3 FETCH"),
        "{changed}"
    );
    // Message 2 changed after `third`: a conditional STORE leaves it alone.
    let conditional = raw
        .command(&format!(
            "STORE 1:3 (UNCHANGEDSINCE {third}) +FLAGS (\\Seen)"
        ))
        .await;
    assert!(conditional.contains("OK [MODIFIED 2]"), "{conditional}");
    let flags = raw.command("FETCH 1:3 (FLAGS)").await;
    // \Recent too: this session selected the folder first (RFC 3501 §2.3.2).
    assert!(
        flags.contains("* 1 FETCH (FLAGS (\\Seen \\Recent)"),
        "{flags}"
    );
    assert!(
        !flags
            .lines()
            .any(|l| l.starts_with("* 2 FETCH") && l.contains("\\Seen")),
        "{flags}"
    );
}

#[tokio::test]
async fn rfc5256_sort_by_subject_size_and_from() {
    let (w, _listener, mut raw) = alice_world().await;
    for (subject, from, body) in [
        ("Re: Bilan", "zoe@caduceus.test", "court"),
        (
            "Avis",
            "bob@caduceus.test",
            "un peu plus long que le premier",
        ),
        ("Fwd: bilan", "carol@caduceus.test", "moyen, moyen"),
    ] {
        deliver(
            &w,
            "alice@caduceus.test",
            &format!(
                "From: {from}\r\nTo: alice@caduceus.test\r\nSubject: {subject}\r\n\r\n{body}\r\n"
            ),
        )
        .await;
    }
    let capabilities = raw.command("CAPABILITY").await;
    assert!(capabilities.contains(" SORT"), "{capabilities}");
    raw.command("SELECT INBOX").await;
    let by_subject = raw.command("SORT (SUBJECT) UTF-8 ALL").await;
    assert!(by_subject.contains("* SORT 2 1 3\r\n"), "{by_subject}");
    let by_size = raw.command("UID SORT (REVERSE SIZE) UTF-8 ALL").await;
    assert!(by_size.contains("* SORT 2 3 1\r\n"), "{by_size}");
    let by_from = raw.command("SORT (FROM) UTF-8 NOT FROM \"zoe\"").await;
    assert!(by_from.contains("* SORT 2 3\r\n"), "{by_from}");
}

#[tokio::test]
async fn rfc7162_qresync_vanished_and_resynchronisation() {
    let (w, listener, mut raw) = alice_world().await;
    for _ in 0..4 {
        deliver(&w, "alice@caduceus.test", MULTIPART).await;
    }
    let value = |answer: &str, code: &str| -> u64 {
        let start = answer.find(&format!("[{code} ")).unwrap() + code.len() + 2;
        answer[start..].split(']').next().unwrap().parse().unwrap()
    };
    let refused = raw.command("SELECT INBOX (QRESYNC (1 1))").await;
    assert!(
        refused.contains("BAD") && refused.contains("ENABLE QRESYNC"),
        "{refused}"
    );
    let enabled = raw.command("ENABLE QRESYNC").await;
    assert!(enabled.contains("* ENABLED QRESYNC"), "{enabled}");
    let select = raw.command("SELECT INBOX").await;
    let (validity, modseq) = (
        value(&select, "UIDVALIDITY"),
        value(&select, "HIGHESTMODSEQ"),
    );
    raw.command("STORE 2 +FLAGS.SILENT (\\Seen)").await;
    raw.command("STORE 3 +FLAGS.SILENT (\\Deleted)").await;
    let expunged = raw.command("EXPUNGE").await;
    assert!(expunged.contains("* VANISHED 3\r\n"), "{expunged}");
    assert!(!expunged.contains("EXPUNGE\r\n* "), "{expunged}");

    // Another client that saw the mailbox at `modseq` resynchronises in one SELECT.
    let secret = {
        let (secret, _) = device(&w, &rpps(1), "second").await;
        secret
    };
    let mut other = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    other.command("ENABLE QRESYNC").await;
    let resync = other
        .command(&format!("SELECT INBOX (QRESYNC ({validity} {modseq}))"))
        .await;
    assert!(resync.contains("* VANISHED (EARLIER) 3\r\n"), "{resync}");
    assert!(
        resync.contains("* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ ("),
        "{resync}"
    );
    assert!(!resync.contains("* 1 FETCH"), "{resync}");
    let fetch = other
        .command(&format!(
            "UID FETCH 1:* (FLAGS) (CHANGEDSINCE {modseq} VANISHED)"
        ))
        .await;
    assert!(fetch.contains("* VANISHED (EARLIER) 3\r\n"), "{fetch}");
    assert!(fetch.contains("UID 2"), "{fetch}");
    // A stale UIDVALIDITY gets no resynchronisation data.
    let stale = other
        .command(&format!(
            "SELECT INBOX (QRESYNC ({} {modseq}))",
            validity + 1
        ))
        .await;
    assert!(!stale.contains("VANISHED"), "{stale}");
}

#[tokio::test]
async fn rfc9208_quota_root_usage_and_overquota() {
    // Without a quota: a root-less QUOTAROOT answer.
    let (_w, _listener, mut raw) = alice_world().await;
    let none = raw.command("GETQUOTAROOT INBOX").await;
    assert!(
        none.contains("* QUOTAROOT INBOX\r\n") && !none.contains("* QUOTA "),
        "{none}"
    );

    // With a 6,000-byte quota: usage reported, and what would exceed it refused.
    let w = world_configured(
        "caduceus.test",
        None,
        std::sync::Arc::new(caduceus_core::SystemClock),
        |config| config.mailbox_quota = Some(6_000),
    )
    .await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    deliver(&w, "alice@caduceus.test", MULTIPART).await;
    let listener = listen(&w, true).await;
    let mut raw = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    let capabilities = raw.command("CAPABILITY").await;
    assert!(capabilities.contains(" QUOTA ") && capabilities.contains("QUOTA=RES-STORAGE"));
    let root = raw.command("GETQUOTAROOT INBOX").await;
    assert!(root.contains("* QUOTAROOT INBOX \"\"\r\n"), "{root}");
    assert!(root.contains("* QUOTA \"\" (STORAGE 1 5)\r\n"), "{root}");
    let big = "x".repeat(5_500);
    let literal = format!("From: a@caduceus.test\r\nSubject: big\r\n\r\n{big}\r\n");
    raw.send(format!("a1 APPEND INBOX {{{}}}\r\n", literal.len()).as_bytes())
        .await;
    assert!(raw.line().await.unwrap().starts_with('+'));
    raw.send(format!("{literal}\r\n").as_bytes()).await;
    let refused = raw.until("a1").await;
    assert!(refused.contains("a1 NO [OVERQUOTA]"), "{refused}");
    // Delivery over the quota is refused for now, nothing stored (the relay retries).
    let over = w
        .service
        .deliver_local(
            &caduceus_service::actor::testing::system(),
            &[addr("alice@caduceus.test")],
            format!("From: b@caduceus.test\r\nSubject: big\r\n\r\n{big}\r\n").as_bytes(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(over, caduceus_service::ServiceError::OverQuota(_)),
        "{over}"
    );
    assert!(
        raw.command("STATUS INBOX (MESSAGES)")
            .await
            .contains("MESSAGES 1")
    );
}

#[tokio::test]
async fn rfc3516_binary_decodes_parts_and_reports_their_size() {
    let (w, _listener, mut raw) = alice_world().await;
    deliver(&w, "alice@caduceus.test", MULTIPART).await;
    deliver(
        &w,
        "alice@caduceus.test",
        "From: b@caduceus.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n\
--z\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 a\r\n--z--\r\n",
    )
    .await;
    assert!(raw.command("CAPABILITY").await.contains(" BINARY"));
    raw.command("SELECT INBOX").await;
    let answer = raw
        .command("FETCH 1 (BINARY.PEEK[2] BINARY.SIZE[2] BINARY.PEEK[1]<0.4>)")
        .await;
    assert!(answer.contains("BINARY[2] ~{9}\r\n%PDF-1.4\n"), "{answer}");
    assert!(answer.contains("BINARY.SIZE[2] 9"), "{answer}");
    // A partial BINARY names its origin (RFC 3516 §4.3), in a FETCH response of its own.
    assert!(
        answer.contains("* 1 FETCH (BINARY[1]<0> ~{4}\r\nVoir)"),
        "{answer}"
    );
    let later = raw.command("UID FETCH 1 (BINARY.PEEK[1]<5.6>)").await;
    assert!(
        later.contains("* 1 FETCH (UID 1 BINARY[1]<5> ~{6}\r\npieces)"),
        "{later}"
    );
    let beyond = raw.command("FETCH 1 (BINARY.PEEK[1]<500.6>)").await;
    assert!(beyond.contains("BINARY[1]<500> ~{0}\r\n)"), "{beyond}");
    let unknown = raw.command("FETCH 2 (BINARY.PEEK[1])").await;
    assert!(unknown.contains("NO [UNKNOWN-CTE]"), "{unknown}");
    // BINARY.PEEK leaves the message unseen; BINARY reads it.
    assert!(!raw.command("FETCH 1 (FLAGS)").await.contains("\\Seen"));
    raw.command("FETCH 1 (BINARY[1])").await;
    assert!(raw.command("FETCH 1 (FLAGS)").await.contains("\\Seen"));
}

#[tokio::test]
async fn ms13_command_rate_gets_no_limit_and_logout_still_passes() {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    let limits = caduceus_imap::Limits {
        command_rate: Some(caduceus_core::RateLimit {
            count: 3,
            per: std::time::Duration::from_secs(60),
        }),
        ..limits()
    };
    let listener = listen_with(&w, true, limits).await;
    // LOGIN is the first of the three.
    let mut raw = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    assert!(raw.command("NOOP").await.contains("OK"));
    assert!(raw.command("NOOP").await.contains("OK"));
    let limited = raw.command("NOOP").await;
    assert!(
        limited.contains("NO [LIMIT]") && limited.contains("MS-13"),
        "{limited}"
    );
    let bye = raw.command("LOGOUT").await;
    assert!(bye.contains("* BYE") && bye.contains("OK LOGOUT"), "{bye}");
}

/// A body sent in quoted-printable, another in base64: the words are found decoded.
const ENCODED_BODIES: [&str; 2] = [
    "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: QP\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nLes r=C3=A9sultats sont normaux.\r\n",
    "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: B64\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\nw4ljaG9ncmFwaGllIGNhcmRpYXF1ZSBub3JtYWxlLg==\r\n",
];

#[tokio::test]
async fn rfc9051_6_4_4_search_body_and_text_find_decoded_words() {
    let (w, _listener, mut raw) = alice_world().await;
    for body in ENCODED_BODIES {
        deliver(&w, "alice@caduceus.test", body).await;
    }
    raw.command("SELECT INBOX").await;
    // "résultats" (UTF-8, as a non-synchronising literal) is in the QP body only.
    raw.send("s1 SEARCH CHARSET UTF-8 BODY {10+}\r\nrésultats\r\n".as_bytes())
        .await;
    let found = raw.until("s1").await;
    assert!(found.contains("* SEARCH 1\r\n"), "{found}");
    // "échographie" is in the base64 body only; TEXT finds it too.
    raw.send("s2 SEARCH CHARSET UTF-8 TEXT {12+}\r\nÉchographie\r\n".as_bytes())
        .await;
    let found = raw.until("s2").await;
    assert!(found.contains("* SEARCH 2\r\n"), "{found}");
    // Raw bytes still match, and a word in neither matches nothing.
    let found = raw.command("SEARCH BODY \"normaux\"").await;
    assert!(found.contains("* SEARCH 1\r\n"), "{found}");
    let found = raw.command("SEARCH BODY \"radiographie\"").await;
    assert!(found.contains("* SEARCH\r\n"), "{found}");
}

#[tokio::test]
async fn rfc9051_6_4_5_a_body_larger_than_the_tls_buffer_is_fetched_whole() {
    let (w, _listener, mut raw) = alice_world().await;
    // Over rustls's 64 KiB send buffer, under the message size limit.
    let line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWX\r\n";
    let body = line.repeat(90_000 / line.len());
    let message =
        format!("From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: big\r\n\r\n{body}");
    deliver(&w, "alice@caduceus.test", &message).await;
    raw.command("SELECT INBOX").await;
    let answer = raw.command("FETCH 1 (BODY.PEEK[])").await;
    assert!(
        answer.contains(&format!("BODY[] {{{}}}\r\n{message})", message.len())),
        "{} bytes answered",
        answer.len()
    );
    assert!(answer.trim_end().ends_with("OK FETCH completed"));
}

/// RFC 9051 §5.5 and §6.4.5: a FETCH answered in several batches (the server reads
/// the next batch while it writes one) answers every message once, in order, before
/// its tagged OK, and a command pipelined behind it is answered only after that;
/// each body read becomes `\Seen` and is traced (TR-1).
#[tokio::test]
async fn rfc9051_5_5_a_fetch_of_several_batches_is_whole_and_ends_before_the_next_command() {
    let (w, _listener, mut raw) = alice_world().await;
    let rounds = 400;
    let copies = 3; // 1,200 messages: three batches (the test world's recipient limit: 3)
    for round in 0..rounds {
        let message = format!(
            "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: round {round}\r\n\r\nround {round}\r\n"
        );
        w.service
            .deliver_local(
                &caduceus_service::actor::testing::system(),
                &vec![addr("alice@caduceus.test"); copies],
                message.as_bytes(),
            )
            .await
            .unwrap();
        // The session waits meanwhile: a NOOP now and then, as an idle client sends,
        // so that its idle timeout does not end it on a slow machine.
        if round % 50 == 49 {
            raw.command("NOOP").await;
        }
    }
    let total = rounds * copies;
    raw.command("SELECT INBOX").await;
    let reads_before = actions(&w)
        .await
        .iter()
        .filter(|a| *a == "message.read")
        .count();
    raw.send(b"f1 FETCH 1:* (RFC822)\r\nf2 NOOP\r\n").await;
    let answer = raw.until("f1").await;
    assert!(!answer.contains("f2 "), "NOOP answered inside the FETCH");
    let fetched: Vec<&str> = answer
        .split("* ")
        .filter(|r| r.contains(" FETCH (") && r.contains("RFC822 {"))
        .collect();
    assert_eq!(fetched.len(), total, "every message answered once");
    for (i, response) in fetched.iter().enumerate() {
        let seq = i + 1;
        assert!(
            response.starts_with(&format!("{seq} FETCH (")),
            "{seq}: {response}"
        );
        let round = i / copies;
        assert!(
            response.contains(&format!("\r\n\r\nround {round}\r\n)")),
            "{seq}"
        );
    }
    assert!(answer.trim_end().ends_with("f1 OK FETCH completed"));
    let after = raw.until("f2").await;
    assert!(after.trim_end().ends_with("f2 OK completed"), "{after}");
    let reads = actions(&w)
        .await
        .iter()
        .filter(|a| *a == "message.read")
        .count();
    assert_eq!(reads - reads_before, total, "each read traced once");
    let flags = raw.command("FETCH 1:* (FLAGS)").await;
    assert_eq!(
        flags.matches("\\Seen").count(),
        total,
        "every message \\Seen"
    );
}
