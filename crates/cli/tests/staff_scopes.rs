//! Staff roles within their missions (AC-1, TR-1, MS-15; seed 000 art. 4: administrators
//! act "dans la limite de leurs missions"): a registration authority limited to one
//! structure manages that structure's accounts only, an alert sender takes a region,
//! the other roles are operator-wide; every act under a scoped role is traced with the
//! person, the role and the scope. Driven with the real binary on a demo data
//! directory: its organisational mailbox is the structure FINESS 750048886, where
//! Alice's directory entry places her; Bruno's is another structure (a SIRET).

mod common;

use common::{account_id, db_value, last_seq, ok, run, staff_session};

const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";
const CARDIO: &str = "secretariat.cardiologie@caduceus.test";
const OTHER: &str = "accueil.autre@caduceus.test";
const PATIENT: &str = "295109912611193@patient.caduceus.test";
const STRUCTURE: &str = "1750048886";
const SCOPE: &str = "structure-1750048886";

/// A demo data directory with an administrator's session, another structure's
/// organisational mailbox (FINESS 200000016, active), and Alice granted the
/// registration authority's role for the demo structure, and the operator-wide roles
/// `also`: (data dir, admin token, Alice's token).
fn scoped_registration_authority(
    root: &std::path::Path,
    also: &[&str],
) -> (std::path::PathBuf, String, String) {
    let data = root.join("d");
    ok(&data, &[], &["init", "--demo"]);
    let admin = staff_session(&data, BRUNO, &["admin"], None);
    let as_admin = [("CADUCEUS_SESSION", admin.as_str())];
    let add = [
        "account",
        "add",
        "--kind",
        "organisation",
        "--id",
        "1200000016",
    ];
    ok(
        &data,
        &as_admin,
        &[&add[..], &["--address", OTHER, "--name", "Accueil"]].concat(),
    );
    let verify = ["--evidence", "registry_match", "--by", "RA Test"];
    ok(
        &data,
        &as_admin,
        &[&["account", "verify", OTHER][..], &verify].concat(),
    );
    ok(
        &data,
        &as_admin,
        &["account", "contact", OTHER, "accueil@example.org"],
    );
    ok(&data, &as_admin, &["account", "activate", OTHER]);
    let granted = ok(
        &data,
        &as_admin,
        &["account", "role", ALICE, "ra", "--structure", STRUCTURE],
    );
    assert!(granted.contains(&format!("ra ({SCOPE})")), "{granted}");
    for role in also {
        ok(&data, &as_admin, &["account", "role", ALICE, role]);
    }
    let alice = staff_session(&data, ALICE, &[], None);
    (data, admin, alice)
}

#[test]
fn ac1_a_registration_authority_of_one_structure_cannot_activate_another_structures_account() {
    let root = tempfile::tempdir().unwrap();
    let (data, _, alice) = scoped_registration_authority(root.path(), &[]);
    let as_alice = [("CADUCEUS_SESSION", alice.as_str())];

    // Its own structure's organisational mailbox: suspended and activated again.
    ok(&data, &as_alice, &["account", "suspend", CARDIO]);
    ok(&data, &as_alice, &["account", "activate", CARDIO]);

    // Another structure's organisation, a professional of another structure (by their
    // directory entry, SIRET 80000001000010), a patient (no structure): refused, the
    // reason said.
    for (address, why) in [
        (BRUNO, "outside your role's scope"),
        (OTHER, "outside your role's scope"),
        (PATIENT, "no structure is known"),
    ] {
        for act in [&["suspend"][..], &["close", "--yes"]] {
            let out = run(
                &data,
                &as_alice,
                &[&["account"][..], act, &[address]].concat(),
            );
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{act:?} {address} ran");
            assert!(stderr.contains("(AC-1)"), "{stderr}");
            assert!(stderr.contains(why), "{stderr}");
            assert!(stderr.contains(SCOPE), "{stderr}");
        }
    }
    let state = |address: &str| {
        db_value(
            &data,
            &format!("SELECT state FROM accounts WHERE address = '{address}'"),
        )
    };
    assert_eq!(state(OTHER), "active");
    assert_eq!(state(PATIENT), "active");

    // What cannot tell whose structure it touches (a patient's record) is refused
    // with the scope, not run operator-wide.
    let out = run(&data, &as_alice, &["patient", "show", "295109912611193"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains(&format!("limited to {SCOPE}")), "{stderr}");

    // It registers its structure's people (the local registry of FINESS 750048886),
    // not another structure's.
    let add = [
        "account",
        "add",
        "--kind",
        "professional",
        "--name",
        "Inès Firmier",
    ];
    let own = [
        &add[..],
        &[
            "--id",
            "1750048886/INF0042",
            "--address",
            "ines@caduceus.test",
        ],
    ];
    ok(&data, &as_alice, &own.concat());
    let theirs = [
        &add[..],
        &[
            "--id",
            "1200000016/INF0042",
            "--address",
            "ines2@caduceus.test",
        ],
    ];
    let out = run(&data, &as_alice, &theirs.concat());
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside your role's scope"));

    // The list holds its structure's accounts only.
    let listed = ok(&data, &as_alice, &["account", "list"]);
    assert!(listed.contains(CARDIO), "{listed}");
    assert!(
        listed.contains(ALICE),
        "her directory entry is the structure's: {listed}"
    );
    assert!(!listed.contains(BRUNO), "{listed}");
    assert!(!listed.contains(OTHER), "{listed}");
    assert!(!listed.contains(PATIENT), "{listed}");
}

#[test]
fn tr1_a_scoped_action_is_traced_with_the_person_role_and_scope() {
    let root = tempfile::tempdir().unwrap();
    let (data, _, alice) = scoped_registration_authority(root.path(), &["auditor"]);
    let as_alice = [("CADUCEUS_SESSION", alice.as_str())];
    let actor = format!("op:ra@{SCOPE}:acct:{}", account_id(&data, ALICE));
    let seq = last_seq(&data);
    ok(&data, &as_alice, &["account", "suspend", CARDIO]);
    let other = account_id(&data, OTHER);
    assert!(
        !run(&data, &as_alice, &["account", "suspend", OTHER])
            .status
            .success()
    );
    let traced = |sql: &str| {
        db_value(
            &data,
            &format!(
                "SELECT COUNT(*) FROM traces WHERE seq > {seq} AND actor = '{actor}' AND source = 'cli' AND {sql}"
            ),
        )
    };
    assert_eq!(
        traced(&format!(
            "action = 'account.suspend' AND object = 'acct:{}' AND outcome = 'success'",
            account_id(&data, CARDIO)
        )),
        "1"
    );
    assert_eq!(
        traced(&format!(
            "action = 'access.denied' AND object = 'acct:{other}' AND detail = 'AC-1 scope:{SCOPE}'"
        )),
        "1"
    );
    // No name in those traces: ids and codes only (TR-5).
    let names = db_value(
        &data,
        &format!(
            "SELECT COUNT(*) FROM traces WHERE seq > {seq} AND (detail LIKE '%Alice%' OR detail LIKE '%Accueil%' OR object LIKE '%Martin%')"
        ),
    );
    assert_eq!(names, "0");
    // The chain, scoped entries among the operator-wide ones, verifies.
    let verified = ok(&data, &as_alice, &["audit", "verify"]);
    assert!(verified.contains("trace chain intact"), "{verified}");
}

#[test]
fn ac1_only_a_registration_authority_takes_a_structure_and_only_an_alert_sender_a_region() {
    let root = tempfile::tempdir().unwrap();
    let (data, admin, _) = scoped_registration_authority(root.path(), &[]);
    let as_admin = [("CADUCEUS_SESSION", admin.as_str())];
    for (role, flag, value) in [
        ("admin", "--structure", STRUCTURE),
        ("auditor", "--region", "84"),
        ("security", "--structure", STRUCTURE),
        ("ra", "--region", "84"),
        ("alerts", "--structure", STRUCTURE),
    ] {
        let out = run(
            &data,
            &as_admin,
            &["account", "role", ALICE, role, flag, value],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{role} {flag}");
        assert!(stderr.contains("cannot be limited"), "{stderr}");
    }
    // Values that are not a structure or a region are refused before anything runs.
    for (flag, value) in [("--structure", "1750048887"), ("--region", "85")] {
        let out = run(
            &data,
            &as_admin,
            &["account", "role", ALICE, "ra", flag, value],
        );
        assert!(!out.status.success(), "{flag} {value}");
    }
    let granted = ok(
        &data,
        &as_admin,
        &["account", "role", ALICE, "alerts", "--region", "84"],
    );
    assert!(granted.contains("alerts (region-84)"), "{granted}");
    assert!(granted.contains(&format!("ra ({SCOPE})")), "{granted}");
    // Granted again without a scope, the role is operator-wide.
    let widened = ok(&data, &as_admin, &["account", "role", ALICE, "ra"]);
    assert!(
        widened.contains("ra,") || widened.trim_end().ends_with("ra"),
        "{widened}"
    );
    assert!(!widened.contains(SCOPE), "{widened}");
}
