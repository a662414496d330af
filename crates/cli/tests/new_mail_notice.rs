//! New-mail notices (MS-7) end to end: Bruno asks for them with the CLI, Alice
//! submits three messages to him over SMTP, and the operator's outbound relay (an
//! SMTP sink) receives one notice at Bruno's ordinary address, with a fixed text
//! naming no sender, subject or content.

mod common;

use common::{Server, Sink, init_demo, ok, sqlite_value};

#[test]
fn ms7_one_new_mail_notice_with_no_content_reaches_the_ordinary_address() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let sink = Sink::start(&root.path().join("sink"));
    sink.configure(&data);
    let bruno = "bruno.durand@caduceus.test";
    let shown = ok(&data, &[], &["account", "notify", bruno]);
    assert!(shown.contains("are off"), "{shown}");
    ok(
        &data,
        &[],
        &["account", "contact", bruno, "bruno.perso@example.org"],
    );
    let shown = ok(&data, &[], &["account", "notify", bruno, "on"]);
    assert!(
        shown.contains("are on, sent to bruno.perso@example.org"),
        "{shown}"
    );
    let _server = Server::start(&data, &ports.submission);

    let alice = "alice.martin@caduceus.test";
    common::send_demo_mail(&data, &ports.submission, alice, bruno, "Bilan Zorglub", 3);

    let notice = sink.wait_for(1).pop().unwrap();
    assert!(notice.starts_with("<bruno.perso@example.org>"), "{notice}");
    assert!(notice.contains("A new message awaits you"), "{notice}");
    for secret in ["Zorglub", "Bonjour", "alice", "Martin"] {
        assert!(!notice.contains(secret), "{secret:?} leaked: {notice}");
    }
    // Three deliveries within the quiet period give one notice, not three.
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(sink.messages().len(), 1);
    // Turning them on is in the trace chain.
    let detail = sqlite_value(
        &data.join("caduceus.db"),
        "SELECT detail FROM traces WHERE action = 'account.notice_set'",
    );
    assert_eq!(detail, "MS-7 new_mail:on");
}
