//! RT-2, RT-3 (seed 003 §4: « Vous pouvez demander la suppression de toutes vos
//! données … lors de la clôture ») through the JSON API and the webmail (Python's
//! http.client): a
//! patient closing their own account may ask for their data to be erased at once
//! instead of kept ten years; a professional may not (their data goes as the closure
//! grace says, as before); the webmail's closing page offers the choice to patients
//! only. The erasure is traced with the patient.

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::{AccountState, SystemClock};
use caduceus_store::{Store, StoreError};
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn rt2_rt3_a_patient_closing_their_account_has_it_erased_at_once_on_request() {
    let w = world_configured("caduceus.test", None, Arc::new(SystemClock), |c| {
        c.closure_grace = Duration::from_secs(30 * 86_400);
        c.patient_retention = Duration::from_secs(10 * 365 * 86_400);
    })
    .await;
    let alice = professional(&w, "alice.martin", "810003090833", true).await;
    let camille = patient(&w, "295109912611193", "Camille Durand").await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let jean = patient(&w, &ins(1), "Jean Petit").await;
    let server = listen(&w).await;
    let mut args = vec![
        ("port".to_owned(), server.port.to_string()),
        ("ca".to_owned(), w.pki.ca_cert_path().display().to_string()),
        ("password".to_owned(), WEB_PASSWORD.to_owned()),
    ];
    let people = [
        ("alice", &alice),
        ("camille", &camille),
        ("bob", &bob),
        ("jean", &jean),
    ];
    for (name, account) in people {
        let secret = web_login(&w, account).await;
        args.push((name.to_owned(), account.address.as_str().to_owned()));
        args.push((format!("{name}_totp"), secret));
    }
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let run = python(&script("erase.py"), &args, "http.client").await;
    server.shutdown().await;

    run.expect("pro-erase", 400, &["only a patient's data"]);
    run.expect("pro-still", 200, &[]);
    run.expect(
        "patient-erase",
        200,
        &["\"closed\":true", "\"deleted\":true"],
    );
    run.expect("patient-after", 401, &[]);
    let (_, professional_page) = run.step("pro-close-page");
    assert!(
        !professional_page.contains("name=\"erase\""),
        "{professional_page}"
    );
    run.expect("patient-close-page", 200, &["name=\"erase\""]);
    run.expect("patient-web-erase", 200, &[]);
    assert_eq!(
        w.store.account(alice.id).await.unwrap().state,
        AccountState::Active
    );
    for erased in [&camille, &jean] {
        assert!(matches!(
            w.store.account(erased.id).await,
            Err(StoreError::NotFound { .. })
        ));
    }
    let entries = traces(&w).await;
    let actor = camille.id.to_string();
    for action in ["account.close", "account.delete"] {
        assert!(
            entries
                .iter()
                .any(|e| e.action == action && e.actor == actor),
            "{action} by the patient"
        );
    }
}
