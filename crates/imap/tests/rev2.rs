//! IMAP4rev2 (RFC 9051) and the extensions it folds in that imap-codec does not
//! parse — ESEARCH, SEARCHRES, LIST-EXTENDED, LIST-STATUS — with LITERAL+ and
//! STATUS=SIZE: protocol tests by RFC, over implicit TLS with a raw client.

mod common;

use common::*;

fn message(n: u32) -> String {
    format!(
        "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: note {n}\r\n\
         Message-ID: <n{n}@caduceus.test>\r\n\r\nbody {n}\r\n"
    )
}

/// Alice logged in with `count` messages in her INBOX, selected.
async fn alice_with(count: u32) -> (World, Listener, Raw) {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    for n in 1..=count {
        deliver(&w, "alice@caduceus.test", &message(n)).await;
    }
    let listener = listen(&w, true).await;
    let raw = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    (w, listener, raw)
}

/// The lines of `answer` that start with `prefix`.
fn lines<'a>(answer: &'a str, prefix: &str) -> Vec<&'a str> {
    answer.lines().filter(|l| l.starts_with(prefix)).collect()
}

#[tokio::test]
async fn rfc9051_7_2_2_every_extension_of_issue_4_is_in_capability() {
    let (_w, _listener, mut raw) = alice_with(0).await;
    let answer = raw.command("CAPABILITY").await;
    let line = lines(&answer, "* CAPABILITY")[0];
    // Capability names are case-insensitive (RFC 9051 §7.2.2).
    let caps: Vec<String> = line.split(' ').map(str::to_uppercase).collect();
    for cap in [
        "IMAP4rev1",
        "IMAP4rev2",
        "ENABLE",
        "IDLE",
        "NAMESPACE",
        "ID",
        "UIDPLUS",
        "MOVE",
        "UNSELECT",
        "LITERAL+",
        "SPECIAL-USE",
        "LIST-EXTENDED",
        "LIST-STATUS",
        "ESEARCH",
        "SEARCHRES",
        "CONDSTORE",
        "QRESYNC",
        "SORT",
        "QUOTA",
        "BINARY",
        "STATUS=SIZE",
    ] {
        assert!(
            caps.contains(&cap.to_uppercase()),
            "{cap} missing from {line}"
        );
    }
}

#[tokio::test]
async fn rfc4731_esearch_returns_min_max_count_all() {
    let (_w, _listener, mut raw) = alice_with(5).await;
    raw.command("SELECT INBOX").await;
    raw.command("STORE 2,4 +FLAGS (\\Seen)").await;
    let answer = raw
        .command("UID SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN")
        .await;
    let esearch = lines(&answer, "* ESEARCH");
    assert_eq!(esearch.len(), 1, "{answer}");
    // UIDs 1, 3, 5 are unseen.
    let tag = answer.lines().last().unwrap().split(' ').next().unwrap();
    assert_eq!(
        esearch[0],
        format!("* ESEARCH (TAG \"{tag}\") UID MIN 1 MAX 5 ALL 1,3,5 COUNT 3")
    );
    assert!(lines(&answer, "* SEARCH").is_empty(), "{answer}");
    // Nothing found: only COUNT 0 (RFC 4731 §3.1).
    let none = raw.command("SEARCH RETURN (MIN COUNT) DELETED").await;
    assert!(
        lines(&none, "* ESEARCH")[0].ends_with(") COUNT 0"),
        "{none}"
    );
    // RETURN () is RETURN (ALL); sequence numbers without UID.
    let all = raw.command("SEARCH RETURN () SEEN").await;
    assert!(lines(&all, "* ESEARCH")[0].ends_with(") ALL 2,4"), "{all}");
    // An option RFC 4731 does not define is a syntax error, not a dropped line.
    let bad = raw.command("SEARCH RETURN (EVERYTHING) ALL").await;
    assert!(bad.lines().last().unwrap().contains(" BAD "), "{bad}");
    // Without a selected mailbox: refused with the reason.
    raw.command("UNSELECT").await;
    let unselected = raw.command("SEARCH RETURN (COUNT) ALL").await;
    assert!(
        unselected.contains("BAD") && unselected.contains("SELECT"),
        "{unselected}"
    );
}

#[tokio::test]
async fn rfc5182_searchres_saves_the_result_for_later_commands() {
    let (_w, _listener, mut raw) = alice_with(4).await;
    raw.command("SELECT INBOX").await;
    // `$` before any SAVE is empty: the command acts on nothing.
    let nothing = raw.command("FETCH $ (FLAGS)").await;
    assert!(lines(&nothing, "* ").is_empty(), "{nothing}");
    assert!(nothing.contains(" OK "), "{nothing}");
    raw.command("STORE 1,3 +FLAGS (\\Flagged)").await;
    // SAVE alone: no ESEARCH response (RFC 5182 §2.4).
    let saved = raw.command("SEARCH RETURN (SAVE) FLAGGED").await;
    assert!(lines(&saved, "* ESEARCH").is_empty(), "{saved}");
    let fetched = raw.command("FETCH $ (UID)").await;
    assert_eq!(
        lines(&fetched, "* "),
        ["* 1 FETCH (UID 1)", "* 3 FETCH (UID 3)"],
        "{fetched}"
    );
    let stored = raw.command("UID STORE $ +FLAGS.SILENT (\\Seen)").await;
    assert!(stored.contains(" OK "), "{stored}");
    let seen = raw.command("SEARCH SEEN").await;
    assert!(lines(&seen, "* SEARCH")[0] == "* SEARCH 1 3", "{seen}");
    // `$` as a search key, combined with others.
    let both = raw.command("SEARCH $ UID 3:4").await;
    assert_eq!(lines(&both, "* SEARCH")[0], "* SEARCH 3", "{both}");
    // After an expunge, `$` no longer names the expunged message.
    raw.command("STORE 1 +FLAGS (\\Deleted)").await;
    raw.command("EXPUNGE").await;
    let after = raw.command("UID FETCH $ (UID)").await;
    assert_eq!(lines(&after, "* "), ["* 2 FETCH (UID 3)"], "{after}");
    // MIN with SAVE keeps only the minimum.
    raw.command("SEARCH RETURN (SAVE MIN) ALL").await;
    let min = raw.command("UID FETCH $ (UID)").await;
    assert_eq!(lines(&min, "* "), ["* 1 FETCH (UID 2)"], "{min}");
    raw.command("UID COPY $ Trash").await;
    let trash = raw.command("STATUS Trash (MESSAGES)").await;
    assert!(trash.contains("(MESSAGES 1)"), "{trash}");
}

#[tokio::test]
async fn rfc5258_list_extended_selection_return_options_and_patterns() {
    let (_w, _listener, mut raw) = alice_with(0).await;
    for name in ["Projets", "Projets/2026"] {
        let created = raw.command(&format!("CREATE {name}")).await;
        assert!(created.contains(" OK "), "{created}");
        // A folder the client makes is subscribed by the client (RFC 3501 §6.3.6).
        let subscribed = raw.command(&format!("SUBSCRIBE {name}")).await;
        assert!(subscribed.contains(" OK "), "{subscribed}");
    }
    // Several patterns at once.
    let two = raw.command("LIST \"\" (INBOX \"Sent\")").await;
    let listed = lines(&two, "* LIST");
    assert_eq!(listed.len(), 2, "{two}");
    assert!(listed.iter().any(|l| l.ends_with(" INBOX")), "{two}");
    assert!(listed.iter().any(|l| l.contains("\\Sent")), "{two}");
    // SPECIAL-USE selection (RFC 6154 §3): only folders with a special use.
    let special = raw.command("LIST (SPECIAL-USE) \"\" \"*\"").await;
    let special = lines(&special, "* LIST");
    assert!(!special.is_empty());
    for line in &special {
        assert!(
            ["\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive"]
                .iter()
                .any(|u| line.contains(u)),
            "{line}"
        );
        assert!(
            !line.contains("Projets") && !line.ends_with(" INBOX"),
            "{line}"
        );
    }
    // SUBSCRIBED + RECURSIVEMATCH: CHILDINFO on a parent with subscribed children.
    let tree = raw
        .command("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"Projets\" RETURN (CHILDREN)")
        .await;
    let projets = lines(&tree, "* LIST");
    assert_eq!(projets.len(), 1, "{tree}");
    assert!(projets[0].contains("\\Subscribed"), "{tree}");
    assert!(projets[0].contains("\\HasChildren"), "{tree}");
    assert!(
        projets[0].ends_with("Projets (\"CHILDINFO\" (\"SUBSCRIBED\"))"),
        "{tree}"
    );
    // RETURN (SUBSCRIBED) on a plain selection.
    let subscribed = raw.command("LIST \"\" \"INBOX\" RETURN (SUBSCRIBED)").await;
    assert!(subscribed.contains("\\Subscribed"), "{subscribed}");
    // RFC 5258 §3: RECURSIVEMATCH alone, or an unknown option, is BAD.
    for bad in [
        "LIST (RECURSIVEMATCH) \"\" \"*\"",
        "LIST (NOSUCHOPTION) \"\" \"*\"",
        "LIST \"\" \"*\" RETURN (NOSUCHOPTION)",
    ] {
        let answer = raw.command(bad).await;
        assert!(answer.lines().last().unwrap().contains(" BAD "), "{answer}");
    }
}

#[tokio::test]
async fn rfc5819_list_status_returns_status_with_each_folder() {
    let (_w, _listener, mut raw) = alice_with(3).await;
    raw.command("SELECT INBOX").await;
    raw.command("STORE 1 +FLAGS (\\Seen)").await;
    let answer = raw
        .command("LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN SIZE))")
        .await;
    let all: Vec<&str> = answer.lines().collect();
    let inbox = all
        .iter()
        .position(|l| l.starts_with("* LIST") && l.ends_with(" INBOX"))
        .expect("INBOX listed");
    // The STATUS comes right after its LIST line.
    let status = all[inbox + 1];
    assert!(
        status.starts_with("* STATUS INBOX (MESSAGES 3 UNSEEN 2 SIZE "),
        "{answer}"
    );
    let size: u64 = status
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches(')')
        .parse()
        .unwrap();
    let expected: usize = (1..=3).map(|n| message(n).len()).sum();
    assert!(size as usize >= expected, "{status}");
    assert_eq!(
        lines(&answer, "* STATUS").len(),
        lines(&answer, "* LIST").len(),
        "one STATUS per folder listed: {answer}"
    );
}

#[tokio::test]
async fn rfc7888_literal_plus_append_without_continuation_and_oversized_discarded() {
    let (_w, _listener, mut raw) = alice_with(0).await;
    let body = message(1);
    // No continuation request: the literal follows the command at once.
    raw.send(format!("p1 APPEND INBOX {{{}+}}\r\n{body}\r\n", body.len()).as_bytes())
        .await;
    let appended = raw.until("p1").await;
    assert!(!appended.contains("+ "), "{appended}");
    assert!(appended.contains("p1 OK [APPENDUID"), "{appended}");
    // Over the limit: read and dropped, never parsed as commands (a line in the
    // literal that looks like a command is not run).
    let mut big = "p9 CREATE Injected\r\n".repeat(MAX_SIZE / 20 + 10);
    big.truncate(MAX_SIZE + 100);
    raw.send(format!("p2 APPEND INBOX {{{}+}}\r\n{big}\r\n", big.len()).as_bytes())
        .await;
    let refused = raw.until("p2").await;
    let last = refused.lines().last().unwrap();
    assert!(
        last.starts_with("p2 BAD [TOOBIG]") && last.contains("MS-1"),
        "{refused}"
    );
    let list = raw.command("LIST \"\" \"*\"").await;
    assert!(!list.contains("Injected"), "{list}");
    let status = raw.command("STATUS INBOX (MESSAGES)").await;
    assert!(status.contains("(MESSAGES 1)"), "{status}");
}

#[tokio::test]
async fn rfc9051_enable_imap4rev2_changes_the_responses() {
    let (_w, _listener, mut raw) = alice_with(2).await;
    // Before ENABLE: IMAP4rev1 responses, the two new messages recent (RFC 3501
    // §2.3.2).
    let rev1 = raw.command("SELECT INBOX").await;
    assert!(rev1.contains("* 2 RECENT"), "{rev1}");
    let search = raw.command("SEARCH ALL").await;
    assert!(search.contains("* SEARCH 1 2"), "{search}");
    let enabled = raw.command("ENABLE IMAP4rev2").await;
    assert!(enabled.contains("* ENABLED IMAP4rev2"), "{enabled}");
    // SELECT: the previous mailbox CLOSED, a LIST of the folder, no RECENT (RFC 9051
    // §6.3.2).
    let rev2 = raw.command("SELECT INBOX").await;
    assert!(rev2.starts_with("* OK [CLOSED]"), "{rev2}");
    assert!(!rev2.contains("RECENT"), "{rev2}");
    assert!(rev2.contains("* LIST () \"/\" INBOX"), "{rev2}");
    // SEARCH answers ESEARCH (RFC 9051 §7.3.4).
    let search = raw.command("UID SEARCH ALL").await;
    assert!(lines(&search, "* SEARCH").is_empty(), "{search}");
    assert!(
        lines(&search, "* ESEARCH")[0].ends_with(" UID ALL 1:2"),
        "{search}"
    );
    // Folder names are UTF-8 (§5.1), with the old modified UTF-7 name as OLDNAME.
    let created = raw.command("CREATE \"Réunions\"").await;
    assert!(created.contains(" OK "), "{created}");
    let listed = raw.command("LIST \"\" \"R*\"").await;
    assert!(listed.contains("Réunions"), "{listed}");
    assert!(
        listed.contains("(\"OLDNAME\" (\"R&AOk-unions\"))"),
        "{listed}"
    );
    let status = raw
        .command("STATUS \"Réunions\" (MESSAGES SIZE DELETED)")
        .await;
    assert!(status.contains("(MESSAGES 0 SIZE 0 DELETED 0)"), "{status}");
}
