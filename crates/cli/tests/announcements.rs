//! Patient mailboxes announced before they open (ID-5, AC-3, seed 003 §7), end to end
//! with the `caduceus` binary: the registration authority announces a patient mailbox
//! (`caduceus patient announce`); the notice reaches the patient's contact address
//! through the relay (an SMTP sink) with a one-time link; while announced the mailbox
//! refuses mail at `RCPT` naming ID-5 (Python's smtplib); the link's page (curl) lets
//! the patient object — the mailbox is never created and is not announced again — or
//! accept at once; the registration authority records an objection or the patient's
//! acceptance at the counter; when the period ends (its opening date moved into the
//! past: time passing for the binary) the daily job opens it. Every step is traced.

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, Sink, account_json, demo_account, init_demo, ok, python3, run, sqlite};

const ALICE: &str = "alice.martin@caduceus.test";
const RAW_MAIL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/raw_mail.py");
/// Three patients nobody registered yet (INS keys checked).
const PAUL: &str = "185057512345673";
const LEA: &str = "292017512345703";
const MARC: &str = "178099912345824";
const DAY_MS: i64 = 86_400_000;

fn address(ins: &str) -> String {
    format!("{ins}@patient.caduceus.test")
}

/// Registers, verifies and gives a contact address to the patient `ins`, as the
/// registration authority does; returns the mailbox address.
fn verified_patient(data: &Path, ins: &str, name: &str) -> String {
    let patient = address(ins);
    ok(
        data,
        &[],
        &[
            "account", "add", "--kind", "patient", "--id", ins, "--name", name,
        ],
    );
    let verify = ["--evidence", "identity_document", "--by", "RA Dupont"];
    ok(
        data,
        &[],
        &[&["account", "verify", &patient][..], &verify].concat(),
    );
    let contact = format!("{ins}@example.org");
    ok(data, &[], &["account", "contact", &patient, &contact]);
    patient
}

/// The link token of the announcement notice sent to `contact`.
fn token_sent_to(sink: &Sink, contact: &str, count: usize) -> String {
    let notices = sink.wait_for(count);
    let notice = notices
        .iter()
        .find(|n| n.contains(contact))
        .unwrap_or_else(|| panic!("no notice to {contact}"));
    // The body may come quoted-printable: soft line breaks, `=` written `=3D`.
    let notice = notice.replace("=\r\n", "").replace("=3D", "=");
    let at = notice.find("/announcement?token=").expect("the link") + 20;
    notice[at..at + 64].to_owned()
}

/// `curl` of the announcement page on `https` (`form`: the answer posted); the
/// status line and body.
fn page(data: &Path, https: &str, token: &str, form: Option<&str>) -> String {
    let mut curl = Command::new("curl");
    curl.args(["--silent", "--show-error", "--max-time", "20", "-i"])
        .arg("--cacert")
        .arg(data.join("pki/ca.pem"));
    let url = match form {
        None => format!("https://{https}/announcement?token={token}"),
        Some(answer) => {
            curl.args(["--data", &format!("token={token}&answer={answer}")]);
            format!("https://{https}/announcement")
        }
    };
    let out = curl
        .arg(url)
        .output()
        .expect("curl is needed (apt-get install -y curl)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Alice submits a message to `to` through `submission` (smtplib): `sent`, or
/// `refused <code> <reply>`.
fn mail_to(data: &Path, submission: &str, to: &str) -> String {
    let message = data.join("letter.eml");
    let text = format!("From: {ALICE}\r\nTo: {to}\r\nSubject: Rendez-vous\r\n\r\nBonjour.\r\n");
    std::fs::write(&message, text).unwrap();
    let credential = demo_account(data, ALICE)["device_credential"]
        .as_str()
        .unwrap()
        .to_owned();
    let ca = data.join("pki/ca.pem");
    python3(&[
        RAW_MAIL,
        "submit",
        submission,
        ca.to_str().unwrap(),
        ALICE,
        &credential,
        to,
        message.to_str().unwrap(),
    ])
}

/// `caduceus serve`, once its submission and HTTPS listeners accept connections.
fn serve(data: &Path, ports: &common::Ports) -> Server {
    let server = Server::start(data, &ports.submission);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::net::TcpStream::connect(&ports.https).is_err() {
        assert!(std::time::Instant::now() < deadline, "no HTTPS listener");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    server
}

fn state(data: &Path, patient: &str) -> String {
    account_json(data, patient)["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every trace entry as `action actor object detail` lines.
fn traces(data: &Path) -> String {
    common::sqlite_value(
        &data.join("caduceus.db"),
        "SELECT group_concat(action || ' ' || actor || ' ' || object || ' ' || \
         coalesce(detail, ''), char(10)) FROM traces",
    )
}

#[test]
fn id5_ac3_a_patient_mailbox_is_announced_refuses_mail_and_opens_after_six_weeks() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let sink = Sink::start(&root.path().join("sink"));
    sink.configure(&data);
    let paul = verified_patient(&data, PAUL, "Paul Annonce");

    // Not activated at once: announced first (ID-5).
    let activate = run(&data, &[], &["account", "activate", &paul]);
    let refused = String::from_utf8_lossy(&activate.stderr);
    assert!(!activate.status.success());
    assert!(
        refused.contains("ID-5") && refused.contains("announce"),
        "{refused}"
    );
    let announced = ok(&data, &[], &["patient", "announce", &paul]);
    assert!(announced.contains("announced; it opens at"), "{announced}");
    assert_eq!(state(&data, &paul), "announced");
    // The notice went to the contact address, with a link and no name nor INS.
    let token = token_sent_to(&sink, &format!("{PAUL}@example.org"), 1);
    let notice = sink.messages().concat();
    assert!(
        !notice.contains("Paul Annonce"),
        "the notice names the patient"
    );
    assert!(
        !notice.contains(&format!("{PAUL}@patient")),
        "the notice names the INS"
    );

    let server = serve(&data, &ports);
    // Mail to the announced mailbox is refused at RCPT, naming ID-5.
    let sent = mail_to(&data, &ports.submission, &paul);
    assert!(sent.starts_with("refused 550"), "{sent}");
    assert!(
        sent.contains("ID-5") && sent.contains("not open yet"),
        "{sent}"
    );
    // The link's page answers without a login, and a GET decides nothing.
    let shown = page(&data, &ports.https, &token, None);
    assert!(
        shown.starts_with("HTTP/1.1 200") || shown.starts_with("HTTP/2 200"),
        "{shown}"
    );
    assert!(
        shown.contains("name=\"answer\" value=\"object\""),
        "{shown}"
    );
    assert_eq!(state(&data, &paul), "announced");
    drop(server);

    // Six weeks later (its opening date moved into the past), the daily job opens it.
    let id = account_json(&data, &paul)["id"].as_i64().unwrap();
    let db = data.join("caduceus.db");
    sqlite(
        &db,
        &format!(
            "UPDATE announcements SET opens_ms = opens_ms - {} WHERE account_id = {id}",
            42 * DAY_MS
        ),
    );
    sqlite(&db, "DELETE FROM job_leases");
    let server = serve(&data, &ports);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while state(&data, &paul) != "active" {
        assert!(
            std::time::Instant::now() < deadline,
            "not opened by the job"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(mail_to(&data, &ports.submission, &paul).trim(), "sent");
    drop(server);
    let traced = traces(&data);
    assert!(traced.contains("account.announce"), "{traced}");
    assert!(traced.contains("announcement:period_ended"), "{traced}");
    assert!(!traced.contains("Paul Annonce") && !traced.contains(PAUL));
}

#[test]
fn ac3_id5_the_patient_objects_or_accepts_through_the_link_or_at_the_counter() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let sink = Sink::start(&root.path().join("sink"));
    sink.configure(&data);
    let lea = verified_patient(&data, LEA, "Lea Refus");
    let marc = verified_patient(&data, MARC, "Marc Accord");
    ok(&data, &[], &["patient", "announce", &lea]);
    ok(&data, &[], &["patient", "announce", &marc]);
    let lea_token = token_sent_to(&sink, &format!("{LEA}@example.org"), 2);
    let marc_token = token_sent_to(&sink, &format!("{MARC}@example.org"), 2);
    let lea_id = account_json(&data, &lea)["id"].as_i64().unwrap();

    let server = serve(&data, &ports);
    // Lea objects through the link: her mailbox is never created (AC-3).
    let objected = page(&data, &ports.https, &lea_token, Some("object"));
    assert!(objected.contains("objection is recorded"), "{objected}");
    assert!(!run(&data, &[], &["account", "show", &lea]).status.success());
    // The link served once.
    let again = page(&data, &ports.https, &lea_token, Some("accept"));
    assert!(again.contains(" 404"), "{again}");
    // Marc accepts at once through his link: open now (ID-5).
    let accepted = page(&data, &ports.https, &marc_token, Some("accept"));
    assert!(accepted.contains("mailbox is open"), "{accepted}");
    assert_eq!(state(&data, &marc), "active");
    drop(server);

    // Of Lea, only what honours her objection is kept: no row names her account.
    let db = data.join("caduceus.db");
    let kept = common::sqlite_value(&db, "SELECT COUNT(*) FROM announcement_objections");
    assert_eq!(kept.trim(), "1");
    let named = common::sqlite_value(
        &db,
        &format!("SELECT COUNT(*) FROM accounts WHERE id = {lea_id} OR address = '{lea}'"),
    );
    assert_eq!(named.trim(), "0");
    // Registered again, she is not announced again (AC-3) …
    let lea = verified_patient(&data, LEA, "Lea Refus");
    let refused = run(&data, &[], &["patient", "announce", &lea]);
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success() && said.contains("AC-3"), "{said}");
    // … unless, present at the counter, she accepts it: open, the objection lifted.
    let opened = ok(&data, &[], &["patient", "accept", &lea]);
    assert!(
        opened.contains("accepted by the patient in person"),
        "{opened}"
    );
    assert_eq!(state(&data, &lea), "active");
    let kept = common::sqlite_value(&db, "SELECT COUNT(*) FROM announcement_objections");
    assert_eq!(kept.trim(), "0");

    // The registration authority records an objection on a patient's behalf.
    let paul = verified_patient(&data, PAUL, "Paul Guichet");
    ok(&data, &[], &["patient", "announce", &paul]);
    let recorded = ok(&data, &[], &["patient", "object", &paul]);
    assert!(recorded.contains("is not created"), "{recorded}");
    assert!(
        !run(&data, &[], &["account", "show", &paul])
            .status
            .success()
    );

    let traced = traces(&data);
    for expected in [
        "account.announcement_objection",
        "announcement:objected_by_link",
        "announcement:objected_at_counter",
        "account.announcement_acceptance",
        "announcement:accepted_by_link",
        "announcement:accepted_at_counter",
    ] {
        assert!(traced.contains(expected), "{expected} not traced");
    }
    for name in ["Lea Refus", "Marc Accord", "Paul Guichet", LEA, MARC, PAUL] {
        assert!(!traced.contains(name), "the traces name {name}");
    }
}
