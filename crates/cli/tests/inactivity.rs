//! RT-1 end to end with `caduceus serve`: Bruno's last IMAP login is moved a year and
//! more into the past (his activity row, with Python's sqlite3: time passing for the
//! binary), then the daily job runs at each start. With the notice relay dead nothing
//! is deleted and the operator is alerted; with the relay back the warning reaches his
//! contact address through it (an SMTP sink) with no content; a week after that
//! delivered warning the mailbox is deleted and his mail client refused.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{Server, Sink, account_json, demo_imap, init_demo, ok, run, sqlite, sqlite_value};

const BRUNO: &str = "bruno.durand@caduceus.test";
const DAY_MS: i64 = 86_400_000;

/// Waits (30 s at most) until `done` holds.
fn eventually(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within 30 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Starts `serve` with every daily job due again (their leases dropped), as the
/// next day's run would find them.
fn serve_next_day(data: &Path, wait_on: &str) -> Server {
    sqlite(&data.join("caduceus.db"), "DELETE FROM job_leases");
    Server::start(data, wait_on)
}

#[test]
fn rt1_no_deletion_without_a_warning_delivered_through_the_relay() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let db = data.join("caduceus.db");
    // The relay: configured, then dead (nothing listens on its port).
    let dead = Sink::start(&root.path().join("dead"));
    dead.configure(&data);
    let dead_port = dead.port;
    drop(dead);

    // Bruno logs in with his mail client, once.
    let imap = || demo_imap(&data, &ports.imaps, BRUNO, "count");
    let server = Server::start(&data, &ports.imaps);
    assert_eq!(imap().trim(), "count 0");
    drop(server);
    let shown = account_json(&data, BRUNO);
    let id = shown["id"].as_i64().unwrap();
    let contact = shown["contact"].as_str().unwrap().to_owned();
    // That login was 380 days ago: 15 days past his deadline (365 days).
    sqlite(
        &db,
        &format!(
            "UPDATE account_activity SET last_auth_ms = last_auth_ms - {} WHERE account_id = {id}",
            380 * DAY_MS
        ),
    );

    // Relay dead: kept, and the operator alerted.
    let server = serve_next_day(&data, &ports.submission);
    eventually("the unwarned alert", || {
        ok(&data, &[], &["audit", "alerts"]).contains("inactivity.unwarned")
    });
    drop(server);
    assert!(ok(&data, &[], &["account", "show", BRUNO]).contains("\"active\""));

    // Relay back: the warning goes to his contact address, and he is still kept.
    let sink = Sink::start(&root.path().join("sink"));
    let config = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&config).unwrap().replace(
        &format!("127.0.0.1:{dead_port}"),
        &format!("127.0.0.1:{}", sink.port),
    );
    std::fs::write(&config, text).unwrap();
    let server = serve_next_day(&data, &ports.submission);
    let warning = sink.wait_for(1).pop().unwrap();
    // Recorded as delivered once the relay took it (RT-1).
    let recorded = format!("SELECT COUNT(*) FROM inactivity_warnings WHERE account_id = {id}");
    eventually("the delivered warning's record", || {
        sqlite_value(&db, &recorded) == "1"
    });
    drop(server);
    assert!(warning.starts_with(&format!("<{contact}>")), "{warning}");
    // The body is quoted-printable: soft line breaks joined, `=3D` read as `=`.
    let text = warning
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    assert!(text.contains("/inactivity/object?token="), "{text}");
    assert!(!text.contains(BRUNO), "no mailbox address: {text}");
    assert!(ok(&data, &[], &["account", "show", BRUNO]).contains("\"active\""));

    // A week after that delivered warning, the next run deletes the mailbox.
    sqlite(
        &db,
        &format!(
            "UPDATE inactivity_warnings SET sent_ms = sent_ms - {} WHERE account_id = {id}",
            8 * DAY_MS
        ),
    );
    let server = serve_next_day(&data, &ports.imaps);
    eventually("the deletion", || {
        !run(&data, &[], &["account", "show", BRUNO])
            .status
            .success()
    });
    assert!(imap().starts_with("login NO"), "a deleted mailbox logs in");
    drop(server);
    assert_eq!(sink.messages().len(), 1, "one warning, no more");
    assert!(ok(&data, &[], &["audit", "verify"]).contains("trace chain intact"));
}
