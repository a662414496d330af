//! Passkeys and a paired phone in Chromium's virtual authenticators (AU-1, MS-18).

use caduceus_testkit::*;

use super::common::browser::{accessible, browser};
use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au1_ms18_a_passkey_login_and_a_paired_phone_in_chromium() {
    let (venv, tools) = browser();
    let w = world().await;
    let doctor = professional(&w, "alice.martin", "810003090833", true).await;
    let doctor_totp = web_login(&w, &doctor).await;
    // WebAuthn refuses IP addresses: the relying party is `localhost`, which the
    // development PKI's server certificate names.
    let relying = caduceus_service::auth::Relying::new("localhost").unwrap();
    let server = listen_service(&w, w.service.clone().with_passkeys(relying)).await;
    let shots = std::env::var("CADUCEUS_SCREENSHOTS").unwrap_or_default();
    let mut args = vec![
        ("port", server.port.to_string()),
        ("host", "localhost".to_owned()),
        (
            "server_cert",
            w.pki.server_cert_path().display().to_string(),
        ),
        ("password", WEB_PASSWORD.to_owned()),
        ("doctor", doctor.address.as_str().to_owned()),
        ("doctor_totp", doctor_totp),
    ];
    args.extend(tools);
    if !shots.is_empty() {
        args.push(("shots", shots));
    }
    let run = python_in(&venv, &script("browser_passkeys.py"), &args).await;
    server.shutdown().await;
    accessible(&run, 8);

    run.expect("manifest", 0, &["/manifest.webmanifest"]);
    run.expect(
        "registered",
        0,
        &[
            "/mail/settings/passkeys?added",
            "Ordinateur du cabinet",
            "Clé d'accès",
        ],
    );
    run.expect("desktop-keys", 0, &["1 resident True"]);
    // Static assets cached, no mail page (MS-18).
    let cached = run.expect("cache-storage", 0, &["/static/app.css"]);
    assert!(
        !cached.contains("/mail"),
        "a mail page was cached: {cached}"
    );
    // The passkey alone opened the mailbox (AU-1).
    run.expect(
        "passkey-login",
        0,
        &["/mail/folder/INBOX", "alice.martin@caduceus.test"],
    );
    run.expect("passkey-session", 0, &["True"]);
    let page = run.expect(
        "pair-page",
        0,
        &["https://localhost:", "/pair/", "svg", "10 minutes"],
    );
    let url = page.split(" | ").next().unwrap().to_owned();
    run.expect(
        "phone-page",
        0,
        &["Associer ce téléphone", "alice.martin@caduceus.test"],
    );
    run.expect("paired", 0, &["Téléphone associé"]);
    run.expect("phone-keys", 0, &["1"]);
    run.expect(
        "phone-login",
        0,
        &["/mail/folder/INBOX", "alice.martin@caduceus.test"],
    );
    run.expect(
        "password-passkey",
        0,
        &["/mail/folder/INBOX", "alice.martin@caduceus.test"],
    );
    run.expect("reused", 0, &["déjà servi"]);
    run.expect("listed", 0, &["Ordinateur du cabinet", "Téléphone associé"]);
    run.expect("revoked", 0, &["révoquée"]);
    run.expect("revoked-login", 0, &["/login", "n'a pas été acceptée"]);

    // Traced: the passkeys added, the token made and used, the logins, the revocation
    // (TR-1) — and the token itself in no trace (TR-5).
    let token = url.rsplit('/').next().unwrap();
    let entries = traces(&w).await;
    for action in [
        "passkey.add",
        "pairing.make",
        "pairing.use",
        "passkey.revoke",
    ] {
        assert!(
            entries.iter().any(|e| e.action == action),
            "{action} traced"
        );
    }
    assert!(entries.iter().any(|e| {
        e.action == "auth.success"
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("method:passkey"))
    }));
    assert!(entries.iter().any(|e| {
        e.action == "auth.failure"
            && e.detail
                .as_deref()
                .is_some_and(|d| d.contains("revoked_passkey"))
    }));
    assert!(
        entries.iter().all(|e| !format!("{e:?}").contains(token)),
        "the pairing token is in no trace"
    );
}
