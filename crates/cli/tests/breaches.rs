//! TR-6 at the command line (the real `caduceus` binary on a demo data directory): a
//! personal-data breach is recorded, assessed, notified and closed, each step in the
//! order the rules allow (a step out of order is refused naming TR-6), each traced
//! (`breach.record`, the state it moved to, the operator named, ids only), and the
//! register is exported as CSV for the authority.

mod common;

use common::{ok, run, sqlite_value};

const OPERATOR: &str = "dpo-duty";

#[test]
fn tr6_the_breach_register_life_cycle_is_traced_and_exported() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);
    let env = [("CADUCEUS_OPERATOR", OPERATOR)];
    let recorded = ok(
        &data,
        &env,
        &[
            "breach",
            "record",
            "--nature",
            "confidentiality",
            "--detected",
            "2026-12-01T08:00:00Z",
        ],
    );
    assert!(
        recorded.contains("breach 1 recorded; notify it by 2026-12-04T08:00:00Z"),
        "{recorded}"
    );
    // Out of order: notified before it is assessed.
    let early = run(&data, &env, &["breach", "notify", "1"]);
    assert!(!early.status.success());
    let said = String::from_utf8_lossy(&early.stderr);
    assert!(said.contains("TR-6") && said.contains("assess"), "{said}");
    let bad_risk = run(&data, &env, &["breach", "assess", "1", "--risk", "severe"]);
    assert!(!bad_risk.status.success(), "an unknown risk is refused");
    ok(
        &data,
        &env,
        &[
            "breach",
            "assess",
            "1",
            "--risk",
            "high",
            "--account",
            "alice.martin@caduceus.test",
            "--message",
            "7",
        ],
    );
    let notified = ok(&data, &env, &["breach", "notify", "1"]);
    assert!(notified.contains("breach 1 notified"), "{notified}");
    ok(&data, &env, &["breach", "close", "1"]);
    let csv = ok(&data, &env, &["breach", "list", "--csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "id,nature,detected,deadline,state,risk,accounts,messages,notified,users_informed,closed"
        )
    );
    let alice = sqlite_value(
        &data.join("caduceus.db"),
        "SELECT id FROM accounts WHERE address = 'alice.martin@caduceus.test'",
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        row[..8],
        [
            "1",
            "confidentiality",
            "2026-12-01T08:00:00Z",
            "2026-12-04T08:00:00Z",
            "closed",
            "high",
            alice.as_str(),
            "7"
        ]
    );
    assert!(!row[8].is_empty() && !row[10].is_empty(), "{row:?}");
    // Each step traced, naming the operator and the state, ids only.
    let steps = sqlite_value(
        &data.join("caduceus.db"),
        &format!(
            "SELECT group_concat(detail, '|') FROM (SELECT detail FROM traces \
             WHERE action = 'breach.record' AND object = 'breach:1' \
             AND actor = 'op:{OPERATOR}' ORDER BY seq)"
        ),
    );
    let states: Vec<&str> = steps
        .split('|')
        .map(|d| d.split(' ').nth(1).unwrap_or_default())
        .collect();
    assert_eq!(
        states,
        [
            "breach:open",
            "breach:assessed",
            "breach:notified",
            "breach:closed"
        ],
        "{steps}"
    );
    assert!(!steps.contains('@'), "{steps}");
}
