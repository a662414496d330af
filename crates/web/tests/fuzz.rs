//! The OpenAPI document validates, and a property-based fuzzer (schemathesis) driven
//! by it finds no server error (MS-18): every malformed or unexpected request gets a
//! 4xx problem, never a 5xx.
//!
//! The tools come from PyPI, in the virtual environment scripts/test.sh prepares
//! (`CADUCEUS_TEST_VENV`); without it the test fails and says how to get them.

use std::path::PathBuf;
use std::process::Command;

use caduceus_core::SecretString;
use caduceus_service::auth::Credentials;
use caduceus_testkit::*;
use common::*;

mod common;

fn venv_tool(name: &str) -> PathBuf {
    let venv = std::env::var("CADUCEUS_TEST_VENV").unwrap_or_else(|_| {
        panic!(
            "CADUCEUS_TEST_VENV is not set: this test runs schemathesis and openapi-spec-validator \
             from PyPI. Run scripts/test.sh, or: python3 -m venv V && V/bin/pip install \
             schemathesis==4.32.5 openapi-spec-validator==0.9.0 && export CADUCEUS_TEST_VENV=V"
        )
    });
    let tool = PathBuf::from(venv).join("bin").join(name);
    assert!(
        tool.exists(),
        "{} is missing: pip install it in the venv",
        tool.display()
    );
    tool
}

fn document() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/api/openapi.json")
}

#[test]
fn ms18_the_openapi_document_validates() {
    let out = Command::new(venv_tool("openapi-spec-validator"))
        .arg(document())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms18_a_property_based_fuzzer_finds_no_server_error() {
    let schemathesis = venv_tool("schemathesis");
    let mut w = world().await;
    // A relay that takes the codes confirming a new contact (AU-1): without one, a new
    // address is refused as unavailable (503), which is the deployment's, not the API's.
    w.service = w
        .service
        .clone()
        .with_notifier(std::sync::Arc::new(AcceptingNotifier));
    let alice = professional(&w, "alice", "810003090833", true).await;
    professional(&w, "bob", &rpps(2), true).await;
    let password = SecretString::new(WEB_PASSWORD.into());
    w.service
        .set_password(&op(), alice.id, &password)
        .await
        .unwrap();
    let enrollment = w.service.enroll_totp(&op(), alice.id).await.unwrap();
    let code = totp_rs::TOTP::from_url(enrollment.uri.expose())
        .unwrap()
        .generate_current()
        .unwrap();
    let login = w
        .service
        .login(
            &alice.address,
            Credentials::PasswordTotp {
                password: &password,
                code: &code,
            },
            "test",
        )
        .await
        .unwrap();
    let token = w.service.open_session(&login).await.unwrap();
    // Messages with small ids, so that generated ids reach real ones.
    for n in 0..5 {
        let raw = format!(
            "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: n{n}\r\n\
             Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nText\r\n\
             --b\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nA\r\n--b--\r\n"
        );
        w.service
            .deliver_local(&op(), std::slice::from_ref(&alice.address), raw.as_bytes())
            .await
            .unwrap();
    }
    let server = listen(&w).await;
    let base = format!("https://127.0.0.1:{}/api/v1", server.port);
    let report = w.dir.path().join("schemathesis");
    let mut command = tokio::process::Command::new(schemathesis);
    command
        // Its crash cache (.schemathesis/) goes to the test's scratch directory.
        .current_dir(w.dir.path())
        .arg("run")
        .arg(format!("{base}/openapi.json"))
        .args(["--url", &base])
        .args(["-H", &format!("Authorization: Bearer {}", token.expose())])
        .args(["--tls-verify", &w.pki.ca_cert_path().display().to_string()])
        .args(["--checks", "not_a_server_error"])
        // Logging out, or closing the account (AC-3), would leave the rest of the
        // run unauthenticated.
        .args(["--exclude-operation-id", "closeSession"])
        .args(["--exclude-operation-id", "closeOwnAccount"])
        .args(["--max-examples", "50", "--seed", "1", "--workers", "1"])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--report-dir", &report.display().to_string()])
        // Payloads for the media types it cannot generate (a certificate request).
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env(
            "PYTHONPATH",
            script("schemathesis_hooks.py").parent().unwrap(),
        )
        .env("NO_COLOR", "1");
    let out = tokio::time::timeout(std::time::Duration::from_secs(600), command.output())
        .await
        .expect("schemathesis finishes within 10 minutes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It really exercised the API: test cases ran against the operations.
    assert!(stdout.contains("passed"), "{stdout}");
    if std::env::var_os("CADUCEUS_TEST_VERBOSE").is_some() {
        eprintln!("{stdout}");
    }
    server.shutdown().await;
}
