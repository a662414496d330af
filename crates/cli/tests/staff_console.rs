//! Administrators identified (AC-2, TR-1, AC-1; seed 000 art. 2-3 and art. 4): once
//! anyone holds a staff role, every administrative `caduceus` command runs only for a
//! staff member who logged in (`caduceus login`, password and one-time code), under
//! the role whose duty covers it, and its trace names that person and role
//! (`op:<role>:acct:<n>`, from `cli`). Driven with the real binary on a demo data
//! directory.

mod common;

use common::{
    account_id, db_value, demo_account, last_seq, next_totp_code, ok, run, run_with_input,
    staff_session,
};

const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";
const PATIENT: &str = "295109912611193@patient.caduceus.test";

/// The number of traces after `seq` by `actor` with `outcome`.
fn traces(data: &std::path::Path, seq: &str, actor: &str, outcome: &str) -> String {
    db_value(
        data,
        &format!(
            "SELECT COUNT(*) FROM traces WHERE seq > {seq} AND actor = '{actor}' \
             AND outcome = '{outcome}' AND source = 'cli'"
        ),
    )
}

#[test]
fn ac2_tr1_administrative_commands_refuse_to_run_without_an_authenticated_staff_member() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);
    let bruno = account_id(&data, BRUNO);
    let alice = account_id(&data, ALICE);

    // A new data directory has no staff: the bootstrap operator makes the first
    // administrator, and is traced under the name given.
    let seq = last_seq(&data);
    let admin = staff_session(&data, BRUNO, &["admin"], None);
    assert!(admin.starts_with("cses-"), "{admin}");
    assert_ne!(traces(&data, &seq, "op:operator", "success"), "0");

    // From now on, no session, no command: refused naming AC-2, and traced.
    for args in [
        &["account", "list"][..],
        &["audit", "verify"],
        &["breach", "list"],
        &["directory", "search", "--name", "durand"],
        &["patient", "show", "295109912611193"],
    ] {
        let seq = last_seq(&data);
        let out = run(&data, &[], args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} ran without a staff member");
        assert!(stderr.contains("(AC-2)"), "{args:?}: {stderr}");
        assert!(stderr.contains("caduceus login"), "{args:?}: {stderr}");
        assert_ne!(
            traces(&data, &seq, "op:operator", "refused"),
            "0",
            "{args:?}"
        );
    }

    // A wrong password opens nothing; a person without a staff role neither.
    let wrong = run_with_input(&data, &["login", BRUNO], "not-the-password\n123456\n");
    assert!(!wrong.status.success());
    let patient = demo_account(&data, PATIENT);
    let not_staff = run_with_input(
        &data,
        &["login", PATIENT],
        &format!(
            "{}\n{}\n",
            patient["password"].as_str().unwrap(),
            next_totp_code(&patient, PATIENT)
        ),
    );
    assert!(!not_staff.status.success());
    assert!(String::from_utf8_lossy(&not_staff.stderr).contains("(AC-2)"));

    // With the administrator's session: the command runs, traced as that person
    // under that role.
    let as_admin = [("CADUCEUS_SESSION", admin.as_str())];
    let seq = last_seq(&data);
    let listed = ok(&data, &as_admin, &["account", "list"]);
    assert!(listed.contains(ALICE), "{listed}");
    let admin_actor = format!("op:admin:acct:{bruno}");
    assert_ne!(traces(&data, &seq, &admin_actor, "success"), "0");

    // Roles stay scoped: the administrator cannot read the traces (the auditor's),
    // refused and traced.
    let seq = last_seq(&data);
    let out = run(&data, &as_admin, &["audit", "verify"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("(AC-1)"));
    assert_ne!(
        traces(&data, &seq, &format!("acct:{bruno}"), "refused"),
        "0"
    );

    // No one grants themselves a role; the administrator grants the auditor's to
    // another person.
    let out = run(&data, &as_admin, &["account", "role", BRUNO, "auditor"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("(AC-1)"));
    let roles = ok(&data, &as_admin, &["account", "role", BRUNO]);
    assert!(!roles.contains("auditor"), "{roles}");
    let auditor = staff_session(&data, ALICE, &["auditor"], Some(&admin));
    let seq = last_seq(&data);
    let verified = ok(
        &data,
        &[("CADUCEUS_SESSION", auditor.as_str())],
        &["audit", "verify"],
    );
    assert!(verified.contains("trace chain intact"), "{verified}");
    let auditor_actor = format!("op:auditor:acct:{alice}");
    assert_ne!(traces(&data, &seq, &auditor_actor, "success"), "0");

    // Logged out, the token is worth nothing.
    ok(&data, &as_admin, &["logout"]);
    let out = run(&data, &as_admin, &["account", "list"]);
    assert!(!out.status.success());
}
