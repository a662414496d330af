//! AC-2 at the command line: with mail of a known subject in the store, every
//! administrative command the operator runs (accounts, roles, devices, notices, a
//! patient's opposition and blocks, the directory, the trace chain and its alerts, a
//! backup) says what it must without a subject or a body ever appearing in its output.

mod common;

use common::{Server, init_demo, run};

const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";
const ORG: &str = "secretariat.cardiologie@caduceus.test";
const SUBJECT: &str = "Zorglub-confidentiel";

#[test]
fn ac2_no_administrative_command_shows_message_content() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let server = Server::start(&data, &ports.submission);
    common::send_demo_mail(&data, &ports.submission, ALICE, BRUNO, SUBJECT, 2);
    let backup = root.path().join("backup");
    let commands: Vec<Vec<&str>> = vec![
        vec!["account", "list"],
        vec!["account", "show", ALICE],
        vec!["account", "show", BRUNO],
        vec!["account", "show", ORG],
        vec!["account", "role", BRUNO],
        vec!["account", "device", "list", BRUNO],
        vec!["account", "notify", BRUNO],
        vec!["account", "suspend", BRUNO],
        vec!["account", "activate", BRUNO],
        vec!["patient", "show", "295109912611193"],
        vec!["directory", "search", "--name", "durand"],
        vec!["audit", "verify"],
        vec!["audit", "alerts"],
        vec!["backup", "data", backup.to_str().unwrap()],
    ];
    for args in &commands {
        let output = run(&data, &[], args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "{args:?} failed: {text}");
        assert!(!text.contains("Zorglub"), "{args:?} shows content: {text}");
        assert!(!text.contains("Bonjour"), "{args:?} shows content: {text}");
    }
    // The commands did their work: Bruno's mail is still his, two messages.
    drop(server);
    assert_eq!(common::inbox_count(&data, BRUNO), 2);
}
