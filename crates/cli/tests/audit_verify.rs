//! `caduceus audit verify` against a database tampered with directly, on both
//! backends (TR-1): each kind of tampering makes it exit non-zero and name the first
//! bad entry; an intact chain exits 0.

mod common;

use std::path::Path;

use common::{copy_dir, new_postgres_database, ok, psql, run, sqlite};

/// The SQL of each tampering, and the entry `audit verify` must name.
const TAMPERING: [(&str, &str); 4] = [
    ("modified", "UPDATE traces SET object = 'acct:999' WHERE seq = 3"),
    ("deleted", "DELETE FROM traces WHERE seq = 3"),
    (
        "inserted",
        "UPDATE traces SET seq = seq + 1000 WHERE seq >= 3;
         UPDATE traces SET seq = seq - 999 WHERE seq > 1000;
         INSERT INTO traces (seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash)
           SELECT 3, at_ms, actor, acting_for, 'message.read', 'msg:1', source, outcome, detail, hash, hash
           FROM traces WHERE seq = 2",
    ),
    (
        "reordered",
        "UPDATE traces SET seq = -3 WHERE seq = 3;
         UPDATE traces SET seq = 3 WHERE seq = 4;
         UPDATE traces SET seq = 4 WHERE seq = -3",
    ),
];

/// Creates accounts through the CLI so the chain has a handful of entries.
fn populate(data: &Path, env: &[(&str, &str)]) {
    ok(data, env, &["init", "--domain", "caduceus.test"]);
    for (local, rpps) in [("alice", "810003090833"), ("bruno", "810000000009")] {
        let address = format!("{local}@caduceus.test");
        common::add_active_professional(data, env, &address, rpps);
    }
}

fn assert_intact(data: &Path, env: &[(&str, &str)]) {
    let out = ok(data, env, &["audit", "verify"]);
    assert!(out.contains("trace chain intact"), "{out}");
}

fn assert_names_entry(data: &Path, env: &[(&str, &str)], kind: &str) {
    let out = run(data, env, &["audit", "verify"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "{kind}: verify passed on a tampered chain: {stdout}"
    );
    assert!(stdout.contains("BROKEN"), "{kind}: {stdout}");
    assert!(
        stdout.contains("entry 3"),
        "{kind}: must name entry 3: {stdout}"
    );
}

#[test]
fn tr1_audit_verify_catches_each_tampering_on_sqlite() {
    let root = tempfile::tempdir().unwrap();
    let pristine = root.path().join("pristine");
    populate(&pristine, &[]);
    assert_intact(&pristine, &[]);
    for (kind, sql) in TAMPERING {
        let data = root.path().join(kind);
        copy_dir(&pristine, &data);
        assert_intact(&data, &[]);
        sqlite(&data.join("caduceus.db"), sql);
        assert_names_entry(&data, &[], kind);
    }
}

#[test]
fn tr1_audit_verify_catches_each_tampering_on_postgres() {
    let root = tempfile::tempdir().unwrap();
    for (kind, sql) in TAMPERING {
        let url = new_postgres_database();
        let env = [("CADUCEUS_DATABASE_URL", url.as_str())];
        let data = root.path().join(kind);
        populate(&data, &env);
        assert_intact(&data, &env);
        psql(&url, sql);
        assert_names_entry(&data, &env, kind);
    }
}
