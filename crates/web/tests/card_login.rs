//! AU-5 (seed 000 art.7-1) through the JSON API: with `auth.health_professionals_card_only`
//! on, a physician of the national directory who proves a password and a TOTP code is
//! refused naming AU-5 (traced `card_required`, not counted as a failure), and opens a
//! session with their CPS certificate; a professional the directory does not list,
//! registered in ADELI, keeps password and code.

use caduceus_core::card::CardOnly;
use caduceus_store::Store;
use caduceus_testkit::*;
use common::*;

mod common;

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");

#[tokio::test]
async fn au5_health_professionals_log_in_with_their_card_others_with_two_factors() {
    let clock = std::sync::Arc::new(caduceus_core::SystemClock);
    let w = world_configured("caduceus.test", None, clock, |c| {
        c.card_only = Some(CardOnly::health_professions());
    })
    .await;
    w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    // Alice Martin, physician (profession 10) in the directory.
    let doctor_id = "810003090833";
    let doctor = professional(&w, "alice.martin", doctor_id, true).await;
    let doctor_totp = web_login(&w, &doctor).await;
    let card = user_cert(&w, doctor_id, "alice");
    // Paul, registered in ADELI, unknown to the directory.
    let other = professional(&w, "paul", "0370000283", true).await;
    let other_totp = web_login(&w, &other).await;
    let server = listen(&w).await;
    let run = python(
        &script("card_login.py"),
        &[
            ("port", server.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("password", WEB_PASSWORD.into()),
            ("doctor", doctor.address.as_str().into()),
            ("doctor_totp", doctor_totp),
            ("cert", card.cert_path.display().to_string()),
            ("key", card.key_path.display().to_string()),
            ("other", other.address.as_str().into()),
            ("other_totp", other_totp),
        ],
        "http.client",
    )
    .await;
    run.expect("doctor-password", 422, &["\"requirement\":\"AU-5\"", "CPS"]);
    run.expect("doctor-card", 201, &["\"token\":\"cses-", "certificate"]);
    run.expect("other-password", 201, &["password_totp"]);
    let traces = w.store.trace_entries(0, 10_000).await.unwrap();
    let refused: Vec<_> = traces
        .iter()
        .filter(|e| e.action == "auth.failure" && e.object == format!("acct:{}", doctor.id.0))
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect();
    assert_eq!(refused, ["AU-5 reason:card_required"]);
    let failures = w.store.failure_state(&doctor.id.to_string()).await.unwrap();
    assert_eq!(failures.failures, 0, "right credentials are no failure");
    server.shutdown().await;
}
