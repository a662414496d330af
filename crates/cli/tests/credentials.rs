//! Second factors and device credentials through the CLI (AU-1, AU-2): a
//! registration authority enrolls TOTP, the user issues a device credential after a
//! strong login, lists and revokes it; the demo seed hands out both.

mod common;

use common::{ok, run, run_with_input};

fn demo_account(data: &std::path::Path, address: &str) -> serde_json::Value {
    let demo: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data.join("demo.json")).unwrap()).unwrap();
    demo["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["address"] == address)
        .cloned()
        .unwrap_or_else(|| panic!("{address} in demo.json"))
}

#[test]
fn au2_device_credential_after_a_strong_login_then_revoked() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);
    let alice = demo_account(&data, "alice.martin@caduceus.test");
    for field in [
        "password",
        "totp_secret",
        "device_credential",
        "certificate",
        "key",
    ] {
        assert!(alice[field].is_string(), "demo.json lacks {field}: {alice}");
    }
    assert!(
        alice["device_credential"]
            .as_str()
            .unwrap()
            .starts_with("cdv-")
    );
    let org = demo_account(&data, "secretariat.cardiologie@caduceus.test");
    assert!(
        org.get("device_credential").is_none(),
        "delegates log in as themselves"
    );

    // A registration authority enrolls a new TOTP factor for Bruno.
    let bruno = demo_account(&data, "bruno.durand@caduceus.test");
    let password = bruno["password"].as_str().unwrap();
    let out = ok(
        &data,
        &[],
        &["account", "totp", "bruno.durand@caduceus.test"],
    );
    let uri = out
        .lines()
        .find(|l| l.starts_with("otpauth://totp/"))
        .expect(&out);
    let code = totp_rs::TOTP::from_url(uri)
        .unwrap()
        .generate_current()
        .unwrap();

    // A wrong code is refused without saying why.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let add = [
        "account",
        "device",
        "add",
        "bruno.durand@caduceus.test",
        "--name",
        "Thunderbird",
    ];
    let refused = run_with_input(&data, &add, &format!("{password}\n{wrong}\n"));
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("authentication failed"));

    let issued = run_with_input(&data, &add, &format!("{password}\n{code}\n"));
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let credential = String::from_utf8(issued.stdout).unwrap();
    assert!(credential.trim().starts_with("cdv-"), "{credential}");

    let list = ok(
        &data,
        &[],
        &["account", "device", "list", "bruno.durand@caduceus.test"],
    );
    let line = list
        .lines()
        .find(|l| l.contains("Thunderbird"))
        .expect(&list);
    assert!(line.contains("active"), "{line}");
    let number = line.split_whitespace().next().unwrap();
    ok(
        &data,
        &[],
        &[
            "account",
            "device",
            "revoke",
            "bruno.durand@caduceus.test",
            number,
        ],
    );
    let list = ok(
        &data,
        &[],
        &["account", "device", "list", "bruno.durand@caduceus.test"],
    );
    let line = list.lines().find(|l| l.contains("Thunderbird")).unwrap();
    assert!(line.contains("revoked"), "{line}");

    // Another account's device cannot be revoked through this one.
    let other = run(
        &data,
        &[],
        &[
            "account",
            "device",
            "revoke",
            "alice.martin@caduceus.test",
            number,
        ],
    );
    assert!(!other.status.success());
    // Every step is in the trace chain, which still verifies.
    assert!(ok(&data, &[], &["audit", "verify"]).contains("trace chain intact"));
}
