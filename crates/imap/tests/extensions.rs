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

/// Alice logged in with a raw client over implicit TLS.
async fn alice_raw() -> (World, Listener, Raw) {
    let (w, listener, secret) = alice_with_limits(limits()).await;
    let raw = Raw::login(&w, &listener, "alice@caduceus.test", &secret).await;
    (w, listener, raw)
}

/// Runs `tests/scripts/<script>.py` as Alice; its `label value` lines.
async fn as_alice(
    script: &str,
    w: &World,
    listener: &Listener,
    secret: &str,
) -> Vec<(String, String)> {
    let run = python(
        script,
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
    let said = as_alice("appendlimit", &w, &listener, &secret).await;
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
    let said = as_alice("appendlimit", &w, &listener, &secret).await;
    assert_eq!(value(&said, "limit"), MAX_SIZE.to_string());
    let over = value(&said, "over_limit");
    assert!(
        over.starts_with("NO [TOOBIG]") && over.contains("MS-1"),
        "{over}"
    );
    assert!(value(&said, "status").contains("MESSAGES 1"), "{said:?}");
}

/// The object id in `( … )` after `item` in `answer`; it must be of RFC 8474's
/// grammar (1–255 of `[A-Za-z0-9_-]`).
fn object_id(answer: &str, item: &str) -> String {
    let start = answer
        .find(&format!("{item} ("))
        .unwrap_or_else(|| panic!("no {item} in {answer}"))
        + item.len()
        + 2;
    let id = &answer[start..start + answer[start..].find(')').unwrap()];
    assert!(
        (1..=255).contains(&id.len())
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'),
        "{id}"
    );
    id.to_owned()
}

#[tokio::test]
async fn rfc8474_objectid_mailboxid_kept_across_rename_new_after_delete_emailid_kept_by_copy() {
    let (w, _listener, mut raw) = alice_raw().await;
    let capability = raw.command("CAPABILITY").await;
    assert!(capability.contains(" OBJECTID"), "{capability}");

    // §4.1: CREATE answers the new folder's id; SELECT gives the same; a rename
    // keeps it.
    let created = raw.command("CREATE Projets").await;
    let id = object_id(&created, "OK [MAILBOXID");
    let selected = raw.command("SELECT Projets").await;
    assert_eq!(object_id(&selected, "* OK [MAILBOXID"), id, "{selected}");
    raw.command("RENAME Projets Dossiers").await;
    let examined = raw.command("EXAMINE Dossiers").await;
    assert_eq!(object_id(&examined, "* OK [MAILBOXID"), id, "{examined}");
    let inbox = raw.command("SELECT INBOX").await;
    assert_ne!(object_id(&inbox, "* OK [MAILBOXID"), id);

    // §5.1: EMAILID, the same for a copy; THREADID NIL (§5.2).
    deliver(
        &w,
        "alice@caduceus.test",
        "From: bob@caduceus.test\r\nSubject: Avis\r\n\r\nun\r\n",
    )
    .await;
    deliver(
        &w,
        "alice@caduceus.test",
        "From: bob@caduceus.test\r\nSubject: Avis\r\n\r\nun\r\n",
    )
    .await;
    raw.command("NOOP").await;
    let fetched = raw.command("FETCH 1:2 (FLAGS EMAILID THREADID)").await;
    let first = object_id(&fetched, "EMAILID");
    let second = object_id(&fetched[fetched.find("* 2 FETCH").unwrap()..], "EMAILID");
    assert_ne!(first, second, "two deliveries are two messages: {fetched}");
    assert!(fetched.contains("THREADID NIL"), "{fetched}");
    assert!(fetched.contains("FLAGS ("), "{fetched}");
    assert!(
        !first.contains("blob") && !fetched.contains("Avis"),
        "{fetched}"
    );
    raw.command("COPY 1 Dossiers").await;
    raw.command("SELECT Dossiers").await;
    let copied = raw.command("UID FETCH 1:* EMAILID").await;
    assert!(copied.contains("UID 1"), "{copied}");
    assert_eq!(object_id(&copied, "EMAILID"), first, "{copied}");
    // §6: SEARCH by EMAILID finds the copy; THREADID finds nothing (no threads).
    let found = raw.command(&format!("UID SEARCH EMAILID {first}")).await;
    assert!(found.contains("* SEARCH 1\r\n"), "{found}");
    let other = raw
        .command(&format!("SEARCH RETURN (COUNT) EMAILID {second}"))
        .await;
    assert!(other.contains(" COUNT 0"), "{other}");
    let thread = raw.command("SEARCH THREADID T1").await;
    assert!(thread.contains("* SEARCH\r\n"), "{thread}");

    // Deleted and made again under the same name: a new id (like UIDVALIDITY).
    raw.command("UNSELECT").await;
    raw.command("DELETE Dossiers").await;
    let again = raw.command("CREATE Dossiers").await;
    assert_ne!(object_id(&again, "OK [MAILBOXID"), id, "{again}");
}

#[tokio::test]
async fn rfc6855_utf8_accept_enabled_gives_utf8_folder_names_and_takes_a_utf8_append() {
    let (_w, _listener, mut raw) = alice_raw().await;
    let capability = raw.command("CAPABILITY").await;
    assert!(capability.contains(" UTF8=ACCEPT"), "{capability}");
    // Before ENABLE: modified UTF-7 (RFC 3501 §5.1.3).
    raw.command("CREATE R&AOk-sultats").await;
    let list = raw.command("LIST \"\" \"R*\"").await;
    assert!(list.contains("R&AOk-sultats"), "{list}");

    let enabled = raw.command("ENABLE UTF8=ACCEPT").await;
    assert!(enabled.contains("* ENABLED UTF8=ACCEPT"), "{enabled}");
    // §3: names in UTF-8 both ways (a literal or a quoted string: imap-codec
    // writes a literal).
    let list = raw.command("LIST \"\" \"R*\"").await;
    assert!(list.contains("Résultats"), "{list}");
    assert!(!list.contains("&AOk-"), "{list}");
    let selected = raw.command("SELECT \"Résultats\"").await;
    assert!(selected.contains("OK [READ-WRITE]"), "{selected}");

    // §4: APPEND's UTF8 data extension, a message with UTF-8 headers.
    let message =
        "From: bob@caduceus.test\r\nSubject: Compte rendu d'échographie\r\n\r\nÀ lire.\r\n";
    raw.send(format!("u1 APPEND \"Résultats\" UTF8 (~{{{}}}\r\n", message.len()).as_bytes())
        .await;
    let go_on = raw.line().await.expect("a continuation");
    assert!(go_on.starts_with('+'), "{go_on}");
    raw.send(format!("{message})\r\n").as_bytes()).await;
    let appended = raw.until("u1").await;
    assert!(appended.contains("u1 OK [APPENDUID"), "{appended}");
    // The same without waiting (LITERAL+).
    raw.send(
        format!(
            "u2 APPEND \"Résultats\" UTF8 (~{{{}+}}\r\n{message})\r\n",
            message.len()
        )
        .as_bytes(),
    )
    .await;
    let appended = raw.until("u2").await;
    assert!(appended.contains("u2 OK [APPENDUID"), "{appended}");
    let fetched = raw
        .command("FETCH 1:2 (RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        .await;
    assert_eq!(
        fetched
            .matches("Subject: Compte rendu d'échographie")
            .count(),
        2,
        "{fetched}"
    );
    assert!(
        fetched.contains(&format!("RFC822.SIZE {}", message.len())),
        "{fetched}"
    );
    let noop = raw.command("NOOP").await;
    assert!(noop.contains(" OK "), "{noop}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rfc4978_compress_deflate_select_and_fetch_through_the_compressed_stream() {
    let (w, listener, secret) = alice_with_limits(limits()).await;
    // Ten copies of a long, repetitive message: what DEFLATE is for.
    let body = "Bonjour, voici mon avis sur le patient. ".repeat(200);
    let message = format!(
        "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Avis cardio\r\n\r\n{body}\r\n"
    );
    for _ in 0..10 {
        deliver(&w, "alice@caduceus.test", &message).await;
    }
    let said = as_alice("compress", &w, &listener, &secret).await;
    assert!(
        value(&said, "capability").contains("COMPRESS=DEFLATE"),
        "{said:?}"
    );
    assert!(value(&said, "compress").starts_with("a3 OK"), "{said:?}");
    assert!(value(&said, "select").starts_with("a4 OK"), "{said:?}");
    assert!(value(&said, "fetch_end").starts_with("a5 OK"), "{said:?}");
    assert_eq!(value(&said, "body_marker"), "10", "{said:?}");
    // What crossed the wire is a small part of what was fetched.
    let plain: usize = value(&said, "fetch_lines").parse().unwrap();
    let wire: usize = value(&said, "wire_bytes").parse().unwrap();
    assert!(plain > 10 * message.len(), "{said:?}");
    eprintln!("COMPRESS=DEFLATE: {wire} bytes on the wire for a FETCH of {plain}");
    assert!(wire * 10 < plain, "{wire} bytes on the wire for {plain}");
    assert!(
        value(&said, "again").starts_with("a6 NO [COMPRESSIONACTIVE]"),
        "{said:?}"
    );
    assert!(value(&said, "logout").starts_with("a7 OK"), "{said:?}");
}

#[tokio::test]
async fn rfc9394_partial_search_pages_and_fetch_pages() {
    let (w, _listener, mut raw) = alice_raw().await;
    for n in 1..=12 {
        let message = format!("From: bob@caduceus.test\r\nSubject: n{n}\r\n\r\nx\r\n");
        deliver(&w, "alice@caduceus.test", &message).await;
    }
    let capability = raw.command("CAPABILITY").await;
    assert!(capability.contains(" PARTIAL"), "{capability}");
    raw.command("SELECT INBOX").await;
    // UIDs 2..12 at sequence numbers 1..11.
    raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    raw.command("EXPUNGE").await;

    // §3.1: the first page, in UIDs; the last page with COUNT over everything.
    let first = raw.command("UID SEARCH RETURN (PARTIAL 1:3) ALL").await;
    assert!(first.contains(" UID PARTIAL (1:3 2:4)\r\n"), "{first}");
    let last = raw.command("SEARCH RETURN (COUNT PARTIAL -1:-3) ALL").await;
    assert!(
        last.contains(" COUNT 11 PARTIAL (-1:-3 9:11)\r\n"),
        "{last}"
    );
    let beyond = raw.command("UID SEARCH RETURN (PARTIAL 20:30) ALL").await;
    assert!(beyond.contains(" PARTIAL (20:30 NIL)\r\n"), "{beyond}");
    let both = raw.command("SEARCH RETURN (PARTIAL 1:3 ALL) ALL").await;
    assert!(both.lines().last().unwrap().contains(" BAD "), "{both}");
    // With SAVE: the page is what `$` holds.
    raw.command("UID SEARCH RETURN (SAVE PARTIAL -1:-2) ALL")
        .await;
    let saved = raw.command("UID FETCH $ (UID)").await;
    assert_eq!(saved.matches(" FETCH (").count(), 2, "{saved}");
    assert!(
        saved.contains("UID 11") && saved.contains("UID 12"),
        "{saved}"
    );

    // §4: the FETCH modifier, the newest two of the whole folder.
    let fetched = raw.command("UID FETCH 1:* (FLAGS) (PARTIAL -1:-2)").await;
    assert_eq!(fetched.matches(" FETCH (").count(), 2, "{fetched}");
    assert!(
        fetched.contains("* 10 FETCH (UID 11 FLAGS")
            && fetched.contains("* 11 FETCH (UID 12 FLAGS"),
        "{fetched}"
    );
    let page = raw.command("FETCH 1:* (UID) (PARTIAL 2:3)").await;
    assert_eq!(page.matches(" FETCH (").count(), 2, "{page}");
    assert!(page.contains("* 2 FETCH (UID 3)"), "{page}");
}

#[tokio::test]
async fn rfc4978_compress_deflate_input_that_is_not_deflate_ends_the_session() {
    let (_w, _listener, mut raw) = alice_raw().await;
    let answer = raw.command("COMPRESS DEFLATE").await;
    assert!(answer.contains(" OK "), "{answer}");
    // Commands in clear after COMPRESS: not DEFLATE, so the session ends (its BYE
    // is compressed, so unreadable here) instead of waiting for more.
    raw.send(b"\xff\xff\xff\xff c1 NOOP\r\n").await;
    while raw.line().await.is_some() {}
}

#[tokio::test]
async fn rfc7889_appendlimit_and_rfc8474_mailboxid_status_items() {
    let (_w, _listener, mut raw) = alice_raw().await;
    let created = raw.command("CREATE Projets").await;
    let id = object_id(&created, "OK [MAILBOXID");
    // RFC 8474 §4.2, RFC 7889 §2: alone, among the base items, and in LIST-STATUS
    // (RFC 5819); each command and the STATUS line it must answer.
    let cases = [
        (
            "STATUS Projets (MAILBOXID)".to_owned(),
            format!("Projets (MAILBOXID ({id}))"),
        ),
        (
            "STATUS Projets (MESSAGES APPENDLIMIT UIDNEXT MAILBOXID)".to_owned(),
            format!("Projets (MESSAGES 0 UIDNEXT 1 MAILBOXID ({id}) APPENDLIMIT {MAX_SIZE})"),
        ),
        (
            "STATUS INBOX (APPENDLIMIT)".to_owned(),
            format!("INBOX (APPENDLIMIT {MAX_SIZE})"),
        ),
        (
            "LIST \"\" \"Projets\" RETURN (STATUS (MAILBOXID APPENDLIMIT))".to_owned(),
            format!("Projets (MAILBOXID ({id}) APPENDLIMIT {MAX_SIZE})"),
        ),
    ];
    for (command, expected) in cases {
        let answer = raw.command(&command).await;
        assert!(
            answer.contains(&format!("* STATUS {expected}\r\n")),
            "{command}: {answer}"
        );
    }
    let missing = raw.command("STATUS Nulle (MAILBOXID)").await;
    assert!(missing.contains("NO [NONEXISTENT]"), "{missing}");
}
