//! `caduceus patient` (MS-9, MS-10): the operator records a patient's opposition and
//! a block on their request, shows them, and lifts them; every step is traced
//! without the INS, and the trace chain still verifies.

mod common;

use common::{ok, run, sqlite_value};

const INS: &str = "295109912611193";
const PATIENT: &str = "295109912611193@patient.caduceus.test";

#[test]
fn ms9_ms10_opposition_and_block_through_the_cli() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);
    assert!(ok(&data, &[], &["patient", "show", INS]).contains("opposition: no"));
    ok(&data, &[], &["patient", "oppose", INS]);
    ok(
        &data,
        &[],
        &["patient", "block", PATIENT, "alice.martin@caduceus.test"],
    );
    let shown = ok(&data, &[], &["patient", "show", INS]);
    assert!(
        shown.contains("opposition: yes, recorded by op:operator"),
        "{shown}"
    );
    assert!(shown.contains("alice.martin@caduceus.test"), "{shown}");
    ok(&data, &[], &["patient", "oppose", INS, "--withdraw"]);
    ok(
        &data,
        &[],
        &[
            "patient",
            "block",
            PATIENT,
            "alice.martin@caduceus.test",
            "--unblock",
        ],
    );
    let shown = ok(&data, &[], &["patient", "show", INS]);
    assert!(shown.contains("opposition: no") && shown.contains("blocked professionals: 0"));
    // A wrong key is refused with the reason.
    let bad = run(&data, &[], &["patient", "oppose", "295109912611194"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("key"));
    // Traced, never with the INS.
    let traces = sqlite_value(
        &data.join("caduceus.db"),
        "SELECT group_concat(action || ' ' || object || ' ' || detail, ';') FROM traces \
         WHERE action LIKE 'patient.%'",
    );
    assert!(traces.contains("patient.opposition"), "{traces}");
    assert!(traces.contains("patient.block"), "{traces}");
    assert!(!traces.contains(INS), "{traces}");
    let accesses = ok(&data, &[], &["patient", "accesses", PATIENT]);
    assert!(accesses.starts_with("0 access(es)"), "{accesses}");
    assert!(ok(&data, &[], &["audit", "verify"]).contains("trace chain intact"));
}
