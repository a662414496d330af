//! Operators of one trust space as separate `caduceus serve` processes on 127.0.0.1
//! (MS-5, MS-16). Operator A runs two nodes on one PostgreSQL database, sharing its
//! outbound queue; operator B runs on the embedded SQLite default; both are certified
//! by one development CA (`init --dev-ca`) and list each other. Mail submitted to
//! either A node reaches B exactly once, and B's mail reaches A. Operator C trusts the
//! trust space's CA but presents a certificate of its own CA: B refuses it at the TLS
//! handshake and traces the refusal; C's mail stays queued.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::trust::{configure, init, national_directory, own_trust_row, route, write_trust_list};
use common::{Ports, Server, inbox_count, new_postgres_database, ok, psql_rows, sqlite_value};

/// Messages each A node sends.
const PER_NODE: usize = 15;

/// The demo account `index` of `data`: its address and device credential.
fn demo_account(data: &Path, index: usize) -> (String, String) {
    let demo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap()).unwrap();
    let account = &demo["accounts"][index];
    (
        account["address"].as_str().unwrap().to_owned(),
        account["device_credential"].as_str().unwrap().to_owned(),
    )
}

/// Submits `count` messages as demo account 0 of `data` through `submission`.
fn send(data: &Path, submission: &str, to: &str, tag: &str, count: usize) {
    let (from, secret) = demo_account(data, 0);
    let ca = data.join("pki/ca.pem");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/send_many.py");
    let out = common::python3(&[
        script,
        submission,
        ca.to_str().unwrap(),
        &from,
        &secret,
        to,
        tag,
        &count.to_string(),
    ]);
    assert_eq!(out.trim(), format!("sent {count}"));
}

/// Polls `count` until it returns at least `want` (60 s at most); returns the last value.
fn wait_for(want: usize, mut count: impl FnMut() -> usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let n = count();
        if n >= want || Instant::now() > deadline {
            return n;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn ms5_ms16_operators_in_separate_processes_two_nodes_relay_each_message_once_and_a_rogue_is_refused()
 {
    let root = tempfile::tempdir().unwrap();
    let (a1, a2, b, c) = (
        root.path().join("a1"),
        root.path().join("a2"),
        root.path().join("b"),
        root.path().join("c"),
    );
    let url = new_postgres_database();
    let pg = [("CADUCEUS_DATABASE_URL", url.as_str())];

    let a1_ports = init(&a1, "caduceus.test", &pg, None);
    let b_ports = init(&b, "autre.test", &[], Some(&a1.join("pki")));
    let c_ports = init(&c, "tiers.test", &[], None);
    let listed = [own_trust_row(&a1), own_trust_row(&b)];
    write_trust_list(&a1, &listed);
    write_trust_list(&b, &listed);
    // C believes B is in its trust space; nobody lists C.
    write_trust_list(&c, &[listed[1].clone(), own_trust_row(&c)]);
    let national = national_directory(root.path(), &["caduceus.test", "autre.test", "tiers.test"]);
    let national = national.display().to_string();
    for (data, env) in [(&a1, &pg[..]), (&b, &[]), (&c, &[])] {
        ok(data, env, &["directory", "import", &national]);
    }
    route(&a1, "autre.test", &b_ports.relay);
    route(&b, "caduceus.test", &a1_ports.relay);
    route(&c, "autre.test", &b_ports.relay);
    // C knows the trust space's CA (it can check B), but its own certificate is
    // from a CA of its own.
    let anchor = a1.join("pki/ca.pem");
    configure(&c, |text| {
        text.replacen(
            "# client_ca = \"pki/ca.pem\"",
            &format!("client_ca = \"{}\"", anchor.display()),
            1,
        )
    });
    // A's second node: the same configuration and keys, its own listeners.
    common::copy_dir(&a1, &a2);
    let a2_ports = Ports::new();
    configure(&a2, |mut text| {
        for (old, new) in [
            (&a1_ports.https, &a2_ports.https),
            (&a1_ports.submission, &a2_ports.submission),
            (&a1_ports.submissions, &a2_ports.submissions),
            (&a1_ports.relay, &a2_ports.relay),
            (&a1_ports.imap, &a2_ports.imap),
            (&a1_ports.imaps, &a2_ports.imaps),
            (&a1_ports.ldap, &a2_ports.ldap),
            (&a1_ports.ldaps, &a2_ports.ldaps),
            (&a1_ports.metrics, &a2_ports.metrics),
        ] {
            text = text.replace(old.as_str(), new.as_str());
        }
        text
    });

    let _a1 = Server::start_with(&a1, &pg, &a1_ports.submission);
    let _a2 = Server::start_with(&a2, &pg, &a2_ports.submission);
    let _b = Server::start(&b, &b_ports.submission);
    let _c = Server::start(&c, &c_ports.submission);

    // A → B through both nodes at once.
    let to_b = "bruno.durand@autre.test";
    std::thread::scope(|s| {
        s.spawn(|| send(&a1, &a1_ports.submission, to_b, "node1", PER_NODE));
        s.spawn(|| send(&a2, &a2_ports.submission, to_b, "node2", PER_NODE));
    });
    let expected = 2 * PER_NODE;
    let received = wait_for(expected, || inbox_count(&b, to_b));
    assert_eq!(received, expected, "B received every message");
    let rows = psql_rows(
        &url,
        "SELECT state, COUNT(*) FROM outbound GROUP BY state ORDER BY state",
    );
    assert_eq!(
        rows,
        format!("delivered|{expected}"),
        "A's queue is settled"
    );
    let relays = psql_rows(
        &url,
        "SELECT source, COUNT(*) FROM traces WHERE action = 'message.relay' GROUP BY source",
    );
    eprintln!("relayed by node:\n{relays}");
    let traced: usize = relays
        .lines()
        .map(|line| line.rsplit_once('|').unwrap().1.parse::<usize>().unwrap())
        .sum();
    assert_eq!(
        traced, expected,
        "one relay trace per message, whichever node"
    );
    // Nothing is relayed twice, even after more polls of both workers.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(inbox_count(&b, to_b), expected, "exactly once");

    // B → A: stored in A's PostgreSQL database.
    let to_a = "bruno.durand@caduceus.test";
    let in_a = || {
        psql_rows(
            &url,
            &format!(
                "SELECT COUNT(*) FROM messages m JOIN mailboxes x ON x.id = m.mailbox_id \
                 JOIN accounts a ON a.id = x.account_id WHERE a.address = '{to_a}' AND x.name = 'INBOX'"
            ),
        )
        .parse::<usize>()
        .unwrap()
    };
    let before = in_a();
    send(&b, &b_ports.submission, to_a, "retour", 1);
    assert_eq!(
        wait_for(before + 1, in_a),
        before + 1,
        "A received B's message"
    );

    // C → B: refused at B's TLS handshake, and traced there.
    send(&c, &c_ports.submission, to_b, "intrus", 1);
    let b_db = b.join("caduceus.db");
    let refused = wait_for(1, || {
        sqlite_value(
            &b_db,
            "SELECT COUNT(*) FROM traces WHERE actor = 'peer:unidentified' \
             AND action = 'message.refuse' AND detail = 'MS-5 reason:untrusted_certificate'",
        )
        .parse()
        .unwrap()
    });
    assert!(refused >= 1, "B traced the refused handshake");
    let c_queue = sqlite_value(
        &c.join("caduceus.db"),
        "SELECT state || ' ' || attempts || ' ' || COALESCE(last_reply, '') FROM outbound",
    );
    assert!(c_queue.starts_with("queued "), "{c_queue}");
    assert_eq!(inbox_count(&b, to_b), expected, "nothing from C reached B");
}
