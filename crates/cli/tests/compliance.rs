//! `caduceus compliance` on a miniature repository: a requirement document, a few
//! crates with tests, and a test report or the `cargo test` output it is made from.
//! Each id is listed with its tests, their interface and result; the command exits 1
//! while an id lacks a passing test through a real interface, 0 once none does.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Three requirements proven, half-proven and untested, and one proven from the CLI.
const REQUIREMENTS: &str = "\
# Requirements
## MS — messaging
- **MS-1** Messages with attachments between professionals, and between professionals
  and patients. (000 art.1)
- **MS-2** Sender and recipients are guaranteed: the sender is verified; every recipient is
  a verified mailbox.
- **MS-3** Confidentiality and integrity from the sender's workstation to the recipient's.
## IN — information
- **IN-1** Users accept terms of use; the acceptance is recorded.
";

/// The miniature repository: SMTP tests, service unit and integration tests, CLI tests,
/// and a `terms.rs` in two crates.
const FILES: [(&str, &str); 10] = [
    ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n"),
    (
        "crates/smtp/Cargo.toml",
        "[package]\nname = \"caduceus-smtp\"\n",
    ),
    (
        "crates/smtp/tests/relay.rs",
        "//! Relay.\n#[tokio::test]\nasync fn ms1_relayed_with_attachments() {}\n\
         #[test]\nfn ms2_unverified_sender_is_refused() {}\n",
    ),
    (
        "crates/service/Cargo.toml",
        "[package]\nname = \"caduceus-service\"\n",
    ),
    ("crates/service/src/lib.rs", "//! Service.\nmod rules;\n"),
    (
        "crates/service/src/rules.rs",
        "#[cfg(test)]\nmod tests {\n    #[test]\n    fn ms2_recipients_are_checked() {}\n\
         \n    #[test]\n    fn ms1_attachments_are_kept() {}\n}\n",
    ),
    (
        "crates/service/tests/terms.rs",
        "#[test]\nfn in1_service_records_acceptance() {}\n",
    ),
    ("crates/cli/Cargo.toml", "[package]\nname = \"caduceus\"\n"),
    ("crates/cli/src/main.rs", "fn main() {}\n"),
    (
        "crates/cli/tests/terms.rs",
        "#[test]\nfn in1_terms_are_accepted_from_the_command() {}\n",
    ),
];

/// The report of a run: MS-1 passed over SMTP, MS-2 failed over SMTP and passed in
/// the service, IN-1 passed through the CLI; MS-3 has no test.
const REPORT: &str = r#"{
  "log": "target/test-output.log",
  "tests": [
    {"package": "caduceus-smtp", "target": "tests/relay.rs", "file": "crates/smtp/tests/relay.rs",
     "binary": "relay", "name": "ms1_relayed_with_attachments", "result": "ok"},
    {"package": "caduceus-smtp", "target": "tests/relay.rs", "file": "crates/smtp/tests/relay.rs",
     "binary": "relay", "name": "ms2_unverified_sender_is_refused", "result": "FAILED"},
    {"package": "caduceus-service", "target": "src/lib.rs", "file": "crates/service/src/lib.rs",
     "binary": "caduceus_service", "name": "rules::tests::ms2_recipients_are_checked", "result": "ok"},
    {"package": "caduceus-service", "target": "tests/terms.rs", "file": "crates/service/tests/terms.rs",
     "binary": "terms", "name": "in1_service_records_acceptance", "result": "ignored"},
    {"package": "caduceus", "target": "tests/terms.rs", "file": "crates/cli/tests/terms.rs",
     "binary": "terms", "name": "in1_terms_are_accepted_from_the_command", "result": "ok"}
  ]
}
"#;

/// A `cargo test` output with other output between the lines, a test still running
/// after 60 seconds, and two binaries called `terms`.
const CARGO_OUTPUT: &str = "\
   Compiling caduceus v0.1.0 (/repo/crates/cli)
    Finished `test` profile [unoptimized + debuginfo] target(s) in 1.02s
     Running unittests src/main.rs (target/debug/deps/caduceus-0123456789abcdef)

running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

     Running tests/terms.rs (target/debug/deps/terms-1111aaaa2222bbbb)

running 1 test
test in1_terms_are_accepted_from_the_command ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.30s

     Running unittests src/lib.rs (target/debug/deps/caduceus_service-3333cccc4444dddd)

running 2 tests
test rules::tests::ms2_recipients_are_checked has been running for over 60 seconds
test rules::tests::ms1_attachments_are_kept ... ok
server: listening on 127.0.0.1:2525
test rules::tests::ms2_recipients_are_checked ... FAILED

failures:

---- rules::tests::ms2_recipients_are_checked stdout ----
test rules::tests::ms2_recipients_are_checked panicked

failures:
    rules::tests::ms2_recipients_are_checked

test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 61.00s

     Running tests/terms.rs (target/debug/deps/terms-5555eeee6666ffff)

running 1 test
test in1_service_records_acceptance ... ignored, needs a clock

     Running tests/relay.rs (target/debug/deps/relay-7777aaaa8888bbbb)

running 2 tests
relay: 250 2.0.0 queuedtest ms1_relayed_with_attachments ... ok
test ms2_unverified_sender_is_refused ... ok

test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.10s
";

/// Writes the miniature repository into `root`.
fn repository(root: &Path, requirements: &str) {
    for (path, text) in FILES {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(root.join("REQUIREMENTS.md"), requirements).unwrap();
}

/// Runs `caduceus compliance --root ROOT --requirements ROOT/REQUIREMENTS.md ARGS`.
fn compliance(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_caduceus"))
        .arg("compliance")
        .arg("--root")
        .arg(root)
        .arg("--requirements")
        .arg(root.join("REQUIREMENTS.md"))
        .args(args)
        .env("CADUCEUS_LOG", "warn")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The table line of an id.
fn row(table: &str, id: &str) -> String {
    table
        .lines()
        .find(|l| l.starts_with(&format!("{id} ")))
        .unwrap_or_else(|| panic!("no line for {id} in\n{table}"))
        .to_owned()
}

#[test]
fn compliance_lists_every_id_with_tests_interface_and_result() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repository(root, REQUIREMENTS);
    let report = root.join("report.json");
    std::fs::write(&report, REPORT).unwrap();
    let report = report.to_str().unwrap();

    let table = compliance(root, &["--report", report]);
    let text = stdout(&table);
    assert_eq!(table.status.code(), Some(1), "{text}");
    let stderr = String::from_utf8_lossy(&table.stderr);
    assert!(
        stderr.contains(
            "2 of 4 requirements have no passing test through a real interface: MS-2, MS-3"
        ),
        "{stderr}"
    );
    let ms1 = row(&text, "MS-1");
    assert!(ms1.contains("Messages with attachments"), "{ms1}");
    assert!(ms1.contains("smtp, service-only"), "{ms1}");
    assert!(ms1.ends_with("proven"), "{ms1}");
    let ms2 = row(&text, "MS-2");
    assert!(ms2.ends_with("service only"), "{ms2}");
    assert!(row(&text, "MS-3").ends_with("no test"));
    let in1 = row(&text, "IN-1");
    assert!(in1.contains("cli, service-only"), "{in1}");
    assert!(in1.ends_with("proven"), "{in1}");
    assert!(
        text.contains("4 requirements: 2 proven through a real interface, 1 service only, 0 failing, 0 not run, 1 without a test"),
        "{text}"
    );

    let json = compliance(root, &["--report", report, "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let json: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let ids = json["ids"].as_array().unwrap();
    let ids_listed: Vec<&str> = ids.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids_listed, ["MS-1", "MS-2", "MS-3", "IN-1"]);
    assert_eq!(
        ids[0]["title"],
        "Messages with attachments between professionals, and between professionals and patients"
    );
    assert_eq!(ids[1]["verdict"], "service only");
    let ms2_tests: Vec<(&str, &str, &str, &str)> = ids[1]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["file"].as_str().unwrap(),
                t["interface"].as_str().unwrap(),
                t["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ms2_tests,
        [
            (
                "rules::tests::ms2_recipients_are_checked",
                "crates/service/src/rules.rs",
                "service-only",
                "passed"
            ),
            (
                "ms2_unverified_sender_is_refused",
                "crates/smtp/tests/relay.rs",
                "smtp",
                "failed"
            ),
        ]
    );
    let ms1_unit = &ids[0]["tests"][0];
    assert_eq!(ms1_unit["name"], "rules::tests::ms1_attachments_are_kept");
    assert_eq!(ms1_unit["result"], "not run");
    assert_eq!(ids[2]["tests"].as_array().unwrap().len(), 0);
    assert_eq!(ids[2]["verdict"], "no test");

    let markdown = compliance(root, &["--report", report, "--markdown"]);
    let page = stdout(&markdown);
    assert!(page.starts_with("# Compliance"), "{page}");
    assert!(page.contains("scripts/test.sh"), "{page}");
    assert!(
        page.contains(
            "| `ms2_unverified_sender_is_refused` | smtp | failed | `crates/smtp/tests/relay.rs` |"
        ),
        "{page}"
    );
}

#[test]
fn compliance_exits_zero_when_every_id_has_a_passing_test_through_a_real_interface() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let proven = "- **MS-1** Messages with attachments.\n- **IN-1** Terms of use.\n";
    repository(root, proven);
    let report = root.join("report.json");
    std::fs::write(&report, REPORT).unwrap();
    let output = compliance(root, &["--report", report.to_str().unwrap()]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout(&output).contains("2 requirements: 2 proven through a real interface"));
}

#[test]
fn compliance_report_is_written_from_cargo_test_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repository(root, REQUIREMENTS);
    let log = root.join("test-output.log");
    std::fs::write(&log, CARGO_OUTPUT).unwrap();
    let report = root.join("target/test-report.json");
    let output = compliance(
        root,
        &[
            "--from-log",
            log.to_str().unwrap(),
            "--write",
            report.to_str().unwrap(),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let tests: Vec<(&str, &str, &str)> = written["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["file"].as_str().unwrap(),
                t["name"].as_str().unwrap(),
                t["result"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        tests,
        [
            (
                "crates/cli/tests/terms.rs",
                "in1_terms_are_accepted_from_the_command",
                "ok"
            ),
            (
                "crates/service/src/lib.rs",
                "rules::tests::ms1_attachments_are_kept",
                "ok"
            ),
            (
                "crates/service/src/lib.rs",
                "rules::tests::ms2_recipients_are_checked",
                "FAILED"
            ),
            (
                "crates/service/tests/terms.rs",
                "in1_service_records_acceptance",
                "ignored"
            ),
            (
                "crates/smtp/tests/relay.rs",
                "ms1_relayed_with_attachments",
                "ok"
            ),
            (
                "crates/smtp/tests/relay.rs",
                "ms2_unverified_sender_is_refused",
                "ok"
            ),
        ]
    );
    assert_eq!(written["tests"][1]["package"], "caduceus-service");

    // The default report of the repository is the one just written.
    let table = compliance(root, &[]);
    let text = stdout(&table);
    assert_eq!(table.status.code(), Some(1), "{text}");
    assert!(row(&text, "MS-2").ends_with("proven"), "{text}");
    assert!(row(&text, "MS-3").ends_with("no test"), "{text}");
}
