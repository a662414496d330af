//! Second factors and device credentials through the CLI (AU-1, AU-2): a
//! registration authority enrolls TOTP, the user issues a device credential after a
//! strong login, lists and revokes it; the demo seed hands out both.

mod common;

use common::{demo_account, ok, run, run_with_input};

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

#[test]
fn au1_emailed_code_reaches_the_out_of_band_address_through_the_relay() {
    use std::io::Write;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);
    let sink = common::Sink::start(&root.path().join("sink"));
    sink.configure(&data);
    let address = "bruno.durand@caduceus.test";
    ok(
        &data,
        &[],
        &["account", "contact", address, "bruno.perso@example.org"],
    );
    let password = demo_account(&data, address)["password"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut child = common::caduceus()
        .arg("--data")
        .arg(&data)
        .args([
            "account",
            "device",
            "add",
            address,
            "--name",
            "Phone",
            "--emailed-code",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{password}").unwrap();
    let mail = sink.wait_for(1).pop().unwrap();
    assert!(mail.starts_with("<bruno.perso@example.org>"), "{mail}");
    // The code follows the English line of the body (headers hold other digits).
    let code: String = mail
        .split("login code: ")
        .nth(1)
        .expect("the login code line")
        .chars()
        .take(6)
        .collect();
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code:?}");
    assert!(!mail.contains(&password), "the password never leaves");
    writeln!(stdin, "{code}").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .starts_with("cdv-")
    );
}
