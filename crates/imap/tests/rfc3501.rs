//! IMAP4rev1 conformance (RFC 3501 and the extensions clients rely on) where it
//! was found wanting against an independent conformance suite and a concurrent
//! client (issue 20): each test drives one or more sessions over implicit TLS with
//! a raw client that sees the exact wire form, and names its RFC section.

mod common;

use common::*;

/// A small message.
const NOTE: &str =
    "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: note\r\n\r\nhello\r\n";

/// A world with alice, her credential, and a listener.
async fn alice_world() -> (World, Listener, String) {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "client").await;
    let listener = listen(&w, true).await;
    (w, listener, secret.expose().to_owned())
}

/// Another session of alice's.
async fn session(w: &World, listener: &Listener, secret: &str) -> Raw {
    Raw::login(w, listener, "alice@caduceus.test", secret).await
}

/// Two sessions of alice's with INBOX selected, holding `messages` notes.
async fn two_on_inbox(messages: usize) -> (World, Listener, Raw, Raw) {
    let (w, listener, secret) = alice_world().await;
    for _ in 0..messages {
        deliver(&w, "alice@caduceus.test", NOTE).await;
    }
    let mut a = session(&w, &listener, &secret).await;
    let mut b = session(&w, &listener, &secret).await;
    a.command("SELECT INBOX").await;
    b.command("SELECT INBOX").await;
    (w, listener, a, b)
}

/// Where `needle` starts in `haystack`; fails the test when absent.
fn at(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle:?} in:\n{haystack}"))
}

/// RFC 3501 §2.3.2, §7.2.6 (MS-6): a keyword set by another session, by this
/// session's STORE or by APPEND is announced in FLAGS and PERMANENTFLAGS before any
/// FETCH shows it; PERMANENTFLAGS holds `\*`.
#[tokio::test]
async fn rfc3501_keywords_announced_before_fetch() {
    let (w, listener, secret) = alice_world().await;
    deliver(&w, "alice@caduceus.test", NOTE).await;
    let mut a = session(&w, &listener, &secret).await;
    let mut b = session(&w, &listener, &secret).await;
    let selected = a.command("SELECT INBOX").await;
    assert!(selected.contains("\\*)]"), "{selected}");
    b.command("SELECT INBOX").await;
    // Another session's STORE: Thunderbird's tags are keywords.
    b.command("STORE 1 +FLAGS ($label1)").await;
    let noop = a.command("NOOP").await;
    let flags = at(
        &noop,
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $label1)",
    );
    let permanent = at(&noop, "[PERMANENTFLAGS (");
    assert!(noop[permanent..].contains("$label1 \\*)]"), "{noop}");
    let fetch = at(&noop, "* 1 FETCH (");
    assert!(flags < fetch && permanent < fetch, "{noop}");
    // This session's STORE.
    let store = a.command("STORE 1 +FLAGS (Urgent)").await;
    assert!(
        at(&store, "* FLAGS (") < at(&store, "* 1 FETCH ("),
        "{store}"
    );
    // APPEND into the selected mailbox.
    let append = a
        .command(&format!(
            "APPEND INBOX ($Todo) {{{}+}}\r\n{NOTE}",
            NOTE.len()
        ))
        .await;
    assert!(append.contains("* FLAGS ("), "{append}");
    assert!(append.contains("$Todo"), "{append}");
    let fetch = a.command("FETCH 2 (FLAGS)").await;
    assert!(fetch.contains("$Todo"), "{fetch}");
    // A new session's SELECT announces what is there.
    let mut c = session(&w, &listener, &secret).await;
    let selected = c.command("SELECT INBOX").await;
    assert!(
        selected.contains(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Todo $label1 Urgent)"
        ),
        "{selected}"
    );
}

/// RFC 3501 §2.3.1.1 (MS-6): a folder deleted and created again under the same
/// name, at once, has another UIDVALIDITY.
#[tokio::test]
async fn rfc3501_uidvalidity_changes_when_a_folder_is_made_again() {
    let (w, listener, secret) = alice_world().await;
    let mut a = session(&w, &listener, &secret).await;
    let validity = |answer: &str| -> String {
        let start = at(answer, "UIDVALIDITY ") + "UIDVALIDITY ".len();
        answer[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect()
    };
    a.command("CREATE Cardio").await;
    let first = validity(&a.command("STATUS Cardio (UIDVALIDITY)").await);
    a.command("DELETE Cardio").await;
    a.command("CREATE Cardio").await;
    let second = validity(&a.command("STATUS Cardio (UIDVALIDITY)").await);
    assert_ne!(first, second);
}

/// RFC 2180 §4.3 (MS-6): when two sessions expunge the same message, the second
/// EXPUNGE succeeds too and tells its client of the expunge, as Dovecot does.
#[tokio::test]
async fn rfc2180_4_3_a_message_expunged_twice_is_ok_for_both() {
    let (_w, _listener, mut a, mut b) = two_on_inbox(2).await;
    a.command("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    let seen = b.command("NOOP").await;
    assert!(seen.contains("\\Deleted"), "{seen}");
    let first = a.command("EXPUNGE").await;
    assert!(first.contains("* 1 EXPUNGE\r\n"), "{first}");
    let second = b.command("EXPUNGE").await;
    assert!(second.contains("* 1 EXPUNGE\r\n"), "{second}");
    assert!(second.contains(" OK "), "{second}");
    let left = b.command("FETCH 1:* (UID)").await;
    assert!(left.contains("* 1 FETCH (UID 2)"), "{left}");
}

/// RFC 2180 §4.1.2, §4.2 (MS-6): FETCH and STORE of a message another session
/// expunged succeed; the EXPUNGE is announced when allowed, not during them
/// (RFC 3501 §7.4.1).
#[tokio::test]
async fn rfc2180_4_1_fetch_and_store_of_a_message_expunged_elsewhere_are_ok() {
    let (_w, _listener, mut a, mut b) = two_on_inbox(2).await;
    b.command("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    b.command("EXPUNGE").await;
    let fetch = a.command("FETCH 1:2 (FLAGS BODY.PEEK[])").await;
    assert!(fetch.contains("OK FETCH completed"), "{fetch}");
    assert!(!fetch.contains("EXPUNGE"), "{fetch}");
    assert!(fetch.contains("* 2 FETCH ("), "{fetch}");
    let search = a.command("SEARCH BODY hello").await;
    assert!(search.contains("* SEARCH 2\r\n"), "{search}");
    let store = a.command("STORE 1:2 +FLAGS (\\Flagged)").await;
    assert!(store.contains(" OK "), "{store}");
    assert!(!store.contains("EXPUNGE"), "{store}");
    let noop = a.command("NOOP").await;
    assert!(noop.contains("* 1 EXPUNGE\r\n"), "{noop}");
}

/// The number after `key` in `answer` (`MODSEQ (7)` or `MODSEQ 7`).
fn number_after(answer: &str, key: &str) -> u64 {
    let start = at(answer, key) + key.len();
    let digits: String = answer[start..]
        .trim_start_matches([' ', '('])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after {key}: {answer}"))
}

/// RFC 7162 §3.1 (MS-6): the first CONDSTORE-enabling command in a selected mailbox
/// (here `FETCH 1 (MODSEQ)`) is answered with `OK [HIGHESTMODSEQ n]`, once.
#[tokio::test]
async fn rfc7162_3_1_first_condstore_command_announces_highestmodseq() {
    let (_w, _listener, mut a, _b) = two_on_inbox(1).await;
    let first = a.command("FETCH 1 (MODSEQ)").await;
    assert!(
        at(&first, "* OK [HIGHESTMODSEQ ") < at(&first, " OK FETCH completed"),
        "{first}"
    );
    let again = a.command("FETCH 1 (MODSEQ)").await;
    assert!(!again.contains("HIGHESTMODSEQ"), "{again}");
}

/// RFC 7162 §3.1.5 (MS-6): ESEARCH with MIN or MAX alone and a MODSEQ key gives
/// the mod-sequence of the message returned, not of every match.
#[tokio::test]
async fn rfc7162_3_1_5_esearch_min_max_give_the_returned_message_modseq() {
    let (_w, _listener, mut a, _b) = two_on_inbox(3).await;
    a.command("STORE 1 +FLAGS (\\Seen)").await;
    a.command("STORE 3 +FLAGS (\\Seen)").await;
    let first = number_after(&a.command("FETCH 1 (MODSEQ)").await, "FETCH (MODSEQ");
    let last = number_after(&a.command("FETCH 3 (MODSEQ)").await, "FETCH (MODSEQ");
    assert!(first < last);
    let min = a.command("SEARCH RETURN (MIN) MODSEQ 1").await;
    assert!(min.contains(&format!("MIN 1 MODSEQ {first}\r\n")), "{min}");
    let max = a.command("SEARCH RETURN (MAX) MODSEQ 1").await;
    assert!(max.contains(&format!("MAX 3 MODSEQ {last}\r\n")), "{max}");
    let all = a.command("SEARCH RETURN (MIN COUNT) MODSEQ 1").await;
    assert!(all.contains(&format!("MODSEQ {last}\r\n")), "{all}");
}

/// RFC 3501 §6.3.1, §7.1.3, RFC 5530 (MS-6): a line the grammar refuses is answered
/// BAD and the session goes on; a well-formed name that no folder can have (not
/// modified UTF-7) names no folder, `NO [NONEXISTENT]` (`NO [CANNOT]` to create).
#[tokio::test]
async fn rfc3501_bad_lines_keep_the_session_and_unknown_names_are_nonexistent() {
    let (_w, _listener, mut a, _b) = two_on_inbox(1).await;
    for line in [
        "SELECT \"a&b\"",
        "EXAMINE &Jjo-x&",
        "STATUS \"a&b\" (MESSAGES)",
        "DELETE \"a&b\"",
    ] {
        let answer = a.command(line).await;
        assert!(answer.contains(" NO [NONEXISTENT] "), "{line}: {answer}");
    }
    let create = a.command("CREATE \"a&b\"").await;
    assert!(create.contains(" NO [CANNOT] "), "{create}");
    a.command("SELECT INBOX").await;
    for line in [
        "FOO",
        "SELECT (INBOX)",
        "SEARCH RETURN (BOGUS) ALL",
        "LIST (BOGUS) \"\" *",
        "FETCH 1 (FOO)",
        "STORE 1 +FLAGS (a%b)",
        "UID FROB",
    ] {
        let answer = a.command(line).await;
        assert!(answer.contains(" BAD "), "{line}: {answer}");
        let noop = a.command("NOOP").await;
        assert!(noop.contains(" OK "), "after {line}: {noop}");
    }
    a.send(b"* NOOP\r\n\r\n").await;
    for _ in 0..2 {
        let line = a.line().await.expect("the session goes on");
        assert!(line.starts_with("* BAD "), "{line}");
    }
    let noop = a.command("FETCH 1 (UID)").await;
    assert!(noop.contains("* 1 FETCH (UID 1)"), "{noop}");
}

/// RFC 3501 §7.4.2 (MS-6): in an ENVELOPE a group is `(NIL NIL "name" NIL)`, its
/// members, then `(NIL NIL NIL NIL)`; an empty group is the two markers alone;
/// display names stay with their address, never an address of their own.
#[tokio::test]
async fn rfc3501_7_4_2_envelope_groups_follow_the_rfc() {
    let (w, _listener, mut a, _b) = two_on_inbox(0).await;
    let raw = "From: bob@caduceus.test\r\n\
To: undisclosed-recipients:;\r\n\
Cc: \"Care team\": \"Dr B\" <b@caduceus.test>, c@caduceus.test;\r\n\
Bcc: Empty:;, alice@caduceus.test\r\n\
Subject: groups\r\n\r\nhi\r\n";
    deliver(&w, "alice@caduceus.test", raw).await;
    a.command("NOOP").await;
    let answer = a.command("FETCH 1 ENVELOPE").await;
    assert!(
        answer.contains("((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) "),
        "{answer}"
    );
    assert!(
        answer.contains(
            "((NIL NIL \"Care team\" NIL)(\"Dr B\" NIL \"b\" \"caduceus.test\")(NIL NIL \"c\" \"caduceus.test\")(NIL NIL NIL NIL)) "
        ),
        "{answer}"
    );
    assert!(
        answer.contains(
            "((NIL NIL \"Empty\" NIL)(NIL NIL NIL NIL)(NIL NIL \"alice\" \"caduceus.test\")) "
        ),
        "{answer}"
    );
}

/// RFC 5256 §2.1, §3 (MS-6): SORT by base subject (`Re [tag]:`, `[Fwd: …]`,
/// `(fwd)`, spacing) and by the first mailbox's local part, case-insensitive; ties
/// by sequence number; REVERSE on its key only.
#[tokio::test]
async fn rfc5256_sort_by_base_subject_and_address_with_ties_by_sequence() {
    let (w, _listener, mut a, _b) = two_on_inbox(0).await;
    for (from, subject) in [
        ("Zoe@caduceus.test", "Re [cardio]: Bilan"),
        ("adam@caduceus.test", "avis"),
        ("BOB@caduceus.test", "[Fwd: Bilan]"),
        ("bob@caduceus.test", "bilan   (fwd)"),
    ] {
        let raw =
            format!("From: {from}\r\nTo: alice@caduceus.test\r\nSubject: {subject}\r\n\r\nx\r\n");
        deliver(&w, "alice@caduceus.test", &raw).await;
    }
    a.command("NOOP").await;
    let sorted = |answer: String| -> String {
        let start = at(&answer, "* SORT") + "* SORT".len();
        answer[start..answer[start..].find("\r\n").unwrap() + start].to_owned()
    };
    let by_subject = sorted(a.command("SORT (SUBJECT) UTF-8 ALL").await);
    assert_eq!(by_subject, " 2 1 3 4");
    let reversed = sorted(a.command("SORT (REVERSE SUBJECT) UTF-8 ALL").await);
    assert_eq!(reversed, " 1 3 4 2");
    let by_from = sorted(a.command("SORT (FROM REVERSE ARRIVAL) UTF-8 ALL").await);
    assert_eq!(by_from, " 2 4 3 1");
}

/// The numbers of an untagged `* SEARCH` answer.
fn searched(answer: &str) -> String {
    let start = at(answer, "* SEARCH") + "* SEARCH".len();
    let end = answer[start..].find("\r\n").unwrap() + start;
    answer[start..end].trim().to_owned()
}

/// RFC 3501 §2.3.2, §6.3.1, §6.3.2, §6.3.10, §6.4.4 (MS-6): a message is `\Recent`
/// in the first session that SELECTs its mailbox after it arrived, and in no later
/// one; EXAMINE and STATUS report it without taking it; SEARCH RECENT, NEW and OLD
/// follow; an IMAP4rev2 session neither reports nor takes it.
#[tokio::test]
async fn rfc3501_6_3_1_recent_belongs_to_the_first_session_that_selects() {
    let (w, listener, secret) = alice_world().await;
    for _ in 0..2 {
        deliver(&w, "alice@caduceus.test", NOTE).await;
    }
    let mut rev2 = session(&w, &listener, &secret).await;
    rev2.command("ENABLE IMAP4rev2").await;
    let selected = rev2.command("SELECT INBOX").await;
    assert!(!selected.contains("RECENT"), "{selected}");
    let mut a = session(&w, &listener, &secret).await;
    let status = a.command("STATUS INBOX (MESSAGES RECENT)").await;
    assert!(status.contains("(MESSAGES 2 RECENT 2)"), "{status}");
    let examined = a.command("EXAMINE INBOX").await;
    assert!(examined.contains("* 2 RECENT\r\n"), "{examined}");
    let flags = a.command("FETCH 1 (FLAGS)").await;
    assert!(flags.contains("\\Recent"), "{flags}");
    let mut b = session(&w, &listener, &secret).await;
    let selected = b.command("SELECT INBOX").await;
    assert!(selected.contains("* 2 RECENT\r\n"), "{selected}");
    let flags = b.command("FETCH 1:2 (FLAGS)").await;
    assert_eq!(flags.matches("\\Recent").count(), 2, "{flags}");
    assert_eq!(searched(&b.command("SEARCH RECENT").await), "1 2");
    b.command("STORE 1 +FLAGS.SILENT (\\Seen)").await;
    assert_eq!(searched(&b.command("SEARCH NEW").await), "2");
    assert_eq!(searched(&b.command("SEARCH OLD").await), "");
    let own = b.command("STATUS INBOX (RECENT)").await;
    assert!(own.contains("(RECENT 2)"), "{own}");
    let mut c = session(&w, &listener, &secret).await;
    let status = c.command("STATUS INBOX (RECENT)").await;
    assert!(status.contains("(RECENT 0)"), "{status}");
    let selected = c.command("SELECT INBOX").await;
    assert!(selected.contains("* 0 RECENT\r\n"), "{selected}");
    assert_eq!(searched(&c.command("SEARCH OLD").await), "1 2");
    assert_eq!(searched(&c.command("SEARCH RECENT").await), "");
    let flags = c.command("FETCH 1:2 (FLAGS)").await;
    assert!(!flags.contains("\\Recent"), "{flags}");
}

/// RFC 3501 §2.3.2, §7.3.2 (MS-6): a message arriving while two sessions have the
/// mailbox selected is announced with EXISTS and RECENT to both, and is `\Recent`
/// in the one that saw it first only (which also holds the one it selected first).
#[tokio::test]
async fn rfc3501_7_3_2_new_mail_is_recent_in_the_first_session_told() {
    let (w, _listener, mut a, mut b) = two_on_inbox(1).await;
    deliver(&w, "alice@caduceus.test", NOTE).await;
    let first = a.command("NOOP").await;
    assert!(
        at(&first, "* 2 EXISTS\r\n") < at(&first, "* 2 RECENT\r\n"),
        "{first}"
    );
    let second = b.command("NOOP").await;
    assert!(second.contains("* 2 EXISTS\r\n"), "{second}");
    assert!(second.contains("* 0 RECENT\r\n"), "{second}");
    let flags = a.command("FETCH 2 (FLAGS)").await;
    assert!(flags.contains("\\Recent"), "{flags}");
    let flags = b.command("FETCH 2 (FLAGS)").await;
    assert!(!flags.contains("\\Recent"), "{flags}");
    assert_eq!(searched(&a.command("UID SEARCH NEW").await), "1 2");
    assert_eq!(searched(&b.command("UID SEARCH NEW").await), "");
}

/// The lines of `answer` that list `name` (as the last word, or before extended
/// data).
fn listed<'a>(answer: &'a str, name: &str) -> Vec<&'a str> {
    answer
        .lines()
        .filter(|l| l.ends_with(&format!(" {name}")) || l.contains(&format!(" {name} (")))
        .collect()
}

/// RFC 3501 §6.3.6, §6.3.9, RFC 5258 §3, §5 (MS-6): subscriptions are kept by name
/// and outlive their folder; `LIST (SUBSCRIBED)` gives them with `\NonExistent` when
/// the folder is gone, `RETURN (CHILDREN SUBSCRIBED)` marks them, RECURSIVEMATCH
/// reports with CHILDINFO the parents of subscribed names the pattern leaves out,
/// LSUB with `%` gives such parents `\Noselect`; the folders an account starts with
/// are subscribed (the example hierarchy of RFC 5258 §5).
#[tokio::test]
async fn rfc5258_5_subscriptions_outlive_folders_and_list_reports_them() {
    let (_w, _listener, mut a, _b) = two_on_inbox(0).await;
    for folder in [
        "Fruit",
        "Fruit/Apple",
        "Fruit/Banana",
        "Fruit/Peach",
        "Tofu",
        "Vegetable",
        "Vegetable/Broccoli",
        "Vegetable/Corn",
    ] {
        a.command(&format!("CREATE {folder}")).await;
    }
    for folder in [
        "Fruit/Banana",
        "Fruit/Peach",
        "Vegetable",
        "Vegetable/Broccoli",
    ] {
        let answer = a.command(&format!("SUBSCRIBE {folder}")).await;
        assert!(answer.contains(" OK "), "{answer}");
    }
    a.command("DELETE Fruit/Peach").await;
    let subscribed = a.command("LIST (SUBSCRIBED) \"\" \"*\"").await;
    for (name, attributes) in [
        ("INBOX", "(\\HasNoChildren \\Subscribed)"),
        ("Sent", "(\\HasNoChildren \\Subscribed \\Sent)"),
        ("Fruit/Banana", "(\\HasNoChildren \\Subscribed)"),
        ("Fruit/Peach", "(\\NonExistent \\Subscribed)"),
        ("Vegetable", "(\\HasChildren \\Subscribed)"),
        ("Vegetable/Broccoli", "(\\HasNoChildren \\Subscribed)"),
    ] {
        let lines = listed(&subscribed, name);
        assert_eq!(lines.len(), 1, "{name}: {subscribed}");
        assert!(
            lines[0].starts_with(&format!("* LIST {attributes} ")),
            "{subscribed}"
        );
    }
    for name in ["Fruit", "Tofu", "Fruit/Apple", "Vegetable/Corn"] {
        assert!(listed(&subscribed, name).is_empty(), "{name}: {subscribed}");
    }
    let marked = a
        .command("LIST \"\" \"%\" RETURN (CHILDREN SUBSCRIBED)")
        .await;
    assert!(
        marked.contains("* LIST (\\HasChildren) \"/\" Fruit\r\n"),
        "{marked}"
    );
    assert!(
        marked.contains("* LIST (\\HasNoChildren) \"/\" Tofu\r\n"),
        "{marked}"
    );
    assert!(
        marked.contains("* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable\r\n"),
        "{marked}"
    );
    let recursive = a
        .command("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)")
        .await;
    assert!(
        recursive
            .contains("* LIST (\\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        "{recursive}"
    );
    assert!(
        recursive.contains(
            "* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        ),
        "{recursive}"
    );
    assert!(listed(&recursive, "Tofu").is_empty(), "{recursive}");
    a.command("UNSUBSCRIBE Vegetable").await;
    let lsub = a.command("LSUB \"\" \"%\"").await;
    assert!(
        lsub.contains("* LSUB (\\Noselect) \"/\" Fruit\r\n"),
        "{lsub}"
    );
    assert!(
        lsub.contains("* LSUB (\\Noselect) \"/\" Vegetable\r\n"),
        "{lsub}"
    );
    assert!(lsub.contains("* LSUB () \"/\" INBOX\r\n"), "{lsub}");
    assert!(listed(&lsub, "Tofu").is_empty(), "{lsub}");
    let all = a.command("LSUB \"\" \"*\"").await;
    assert!(
        all.contains("* LSUB (\\Noselect) \"/\" Fruit/Peach\r\n"),
        "{all}"
    );
    assert!(listed(&all, "Fruit").is_empty(), "{all}");
    let refused = a.command("SUBSCRIBE \"a*b\"").await;
    assert!(refused.contains(" NO [CANNOT] "), "{refused}");
}

/// RFC 9051 §6.4.6, §6.3.12, §6.4.7 (MS-6), found by scripts/imap-stress.sh: STORE
/// on a sequence number beyond the mailbox is BAD, as FETCH is (a UID beyond it
/// names nothing: OK); APPEND, COPY and MOVE to a missing folder say TRYCREATE only
/// when CREATE would accept the name, NONEXISTENT when no folder can have it.
#[tokio::test]
async fn rfc9051_6_4_6_store_beyond_the_mailbox_is_bad_and_trycreate_only_for_creatable_names() {
    let (_w, _listener, mut a, _b) = two_on_inbox(2).await;
    for line in [
        "STORE 3 +FLAGS (\\Seen)",
        "STORE 5:7 +FLAGS (\\Seen)",
        "COPY 3 Archive",
        "MOVE 4:5 Archive",
    ] {
        let answer = a.command(line).await;
        assert!(
            answer.lines().last().unwrap().contains(" BAD "),
            "{line}: {answer}"
        );
    }
    let uid = a.command("UID STORE 9 +FLAGS (\\Seen)").await;
    assert!(uid.contains(" OK "), "{uid}");
    let uid_copy = a.command("UID COPY 9 Archive").await;
    assert!(
        uid_copy.contains(" OK "),
        "a UID beyond is no error: {uid_copy}"
    );
    let within = a.command("STORE 2:5 +FLAGS (\\Seen)").await;
    assert!(within.contains(" OK "), "{within}");
    let append = |name: &str| format!("APPEND {name} {{{}+}}\r\n{NOTE}", NOTE.len());
    for (line, code) in [
        ("COPY 1 Nowhere".to_owned(), "[TRYCREATE]"),
        ("MOVE 1 Nowhere/Deeper".to_owned(), "[TRYCREATE]"),
        (append("Nowhere"), "[TRYCREATE]"),
        ("COPY 1 \"a*b\"".to_owned(), "[NONEXISTENT]"),
        ("COPY 1 \"a&b\"".to_owned(), "[NONEXISTENT]"),
        ("MOVE 1 \"Nowhere//x\"".to_owned(), "[NONEXISTENT]"),
        (append("\"a%b\""), "[NONEXISTENT]"),
    ] {
        let answer = a.command(&line).await;
        assert!(answer.contains(&format!(" NO {code} ")), "{line}: {answer}");
    }
}

/// RFC 9051 §7.1 (CLOSED), §6.3.4 (MS-6): when another session deletes the
/// selected folder, the next NOOP is not OK: the folder is closed (`OK [CLOSED]`)
/// and the command answered NO; the session is authenticated again, and a command
/// of the selected state is BAD.
#[tokio::test]
async fn rfc9051_7_1_a_selected_folder_deleted_elsewhere_is_closed_not_ok() {
    let (w, listener, secret) = alice_world().await;
    let mut a = session(&w, &listener, &secret).await;
    let mut b = session(&w, &listener, &secret).await;
    a.command("CREATE Cardio").await;
    a.command("SELECT Cardio").await;
    b.command("DELETE Cardio").await;
    let noop = a.command("NOOP").await;
    assert!(noop.contains("* OK [CLOSED] "), "{noop}");
    assert!(noop.lines().last().unwrap().contains(" NO "), "{noop}");
    let fetch = a.command("FETCH 1 (FLAGS)").await;
    assert!(fetch.lines().last().unwrap().contains(" BAD "), "{fetch}");
    let select = a.command("SELECT INBOX").await;
    assert!(select.contains(" OK [READ-WRITE] "), "{select}");
}

/// RFC 3501 §6.3.8, RFC 5258 §3 (MS-6): a level of the hierarchy that no folder has
/// (here: deleted, its inferior kept, RFC 3501 §6.3.4), above one that `%` leaves out,
/// is listed `\Noselect` (`\NonExistent` in an extended LIST), so a client can reach
/// the folder below it; `*` lists the folder itself and not the level.
#[tokio::test]
async fn rfc3501_6_3_8_list_percent_gives_levels_without_a_folder_noselect() {
    let (_w, _listener, mut a, _b) = two_on_inbox(0).await;
    a.command("CREATE Lab/2026").await;
    let deleted = a.command("DELETE Lab").await;
    assert!(
        deleted.lines().last().unwrap().contains(" OK "),
        "{deleted}"
    );
    let level = a.command("LIST \"\" \"%\"").await;
    assert!(
        level.contains("* LIST (\\Noselect \\HasChildren) \"/\" Lab\r\n"),
        "{level}"
    );
    let extended = a.command("LIST () \"\" \"%\"").await;
    assert!(
        extended.contains("* LIST (\\NonExistent \\HasChildren) \"/\" Lab\r\n"),
        "{extended}"
    );
    let all = a.command("LIST \"\" \"*\"").await;
    assert!(all.contains(" \"/\" Lab/2026\r\n"), "{all}");
    assert!(listed(&all, "Lab").is_empty(), "{all}");
}

/// RFC 9051 §6.3.4 and §6.3.6 (MS-6): CREATE and RENAME make the superior names a new
/// name needs, so each level is a folder a client can select (Thunderbird creates
/// `a/b/c` in one command and then opens `a`).
#[tokio::test]
async fn rfc9051_6_3_4_create_and_rename_make_the_missing_superiors() {
    let (_w, _listener, mut a, _b) = two_on_inbox(0).await;
    let created = a.command("CREATE Projets/2026/Janvier").await;
    assert!(
        created.lines().last().unwrap().contains(" OK "),
        "{created}"
    );
    let all = a.command("LIST \"\" \"Projets*\"").await;
    for name in ["Projets", "Projets/2026", "Projets/2026/Janvier"] {
        let attributes = listed(&all, name);
        assert_eq!(attributes.len(), 1, "{name}: {all}");
        assert!(!attributes[0].contains("Noselect"), "{name}: {all}");
    }
    let select = a.command("SELECT Projets/2026").await;
    assert!(select.contains(" OK [READ-WRITE] "), "{select}");
    a.command("CREATE Brouillons").await;
    let renamed = a
        .command("RENAME Brouillons Archives/2025/Brouillons")
        .await;
    assert!(
        renamed.lines().last().unwrap().contains(" OK "),
        "{renamed}"
    );
    let select = a.command("SELECT Archives/2025").await;
    assert!(select.contains(" OK [READ-WRITE] "), "{select}");
    // An existing superior is kept as it is.
    let again = a.command("CREATE Projets/2027").await;
    assert!(again.lines().last().unwrap().contains(" OK "), "{again}");
}
