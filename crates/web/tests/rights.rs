//! AC-3, ID-4, RT-2, RT-4 over HTTPS: the holder's rights over their own account,
//! through the JSON API and the webmail (Python's http.client) — the liste rouge
//! (the directory then hides them), a request to correct their identity data that
//! the registration authority sees in the admin console, the account's own data
//! (identity, devices, contacts, their traces) as JSON, and closing the account
//! after a confirmation, as the operator's closure does (kept for the grace period,
//! a patient's for the patient retention). Each traced with the holder, none with
//! the words of the request (TR-5).

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::{AccountState, Role, SystemClock};
use caduceus_store::{PasskeyStore as _, Store};
use caduceus_testkit::*;
use common::*;

mod common;

const INS: &str = "295109912611193";
/// What alice and bob ask the registration authority to correct (their words).
const ALICE_FIX: &str = "Mon prénom est Alicia, pas Alice";
const BOB_FIX: &str = "Profession : sage-femme, pas médecin";

#[tokio::test]
async fn ac3_id4_rt2_the_holder_exercises_their_rights_through_the_api_and_the_webmail() {
    let w = world_configured("caduceus.test", None, Arc::new(SystemClock), |c| {
        c.closure_grace = Duration::from_secs(30 * 86_400);
        c.patient_retention = Duration::from_secs(10 * 365 * 86_400);
    })
    .await;
    // Alice is listed in the directory (the demo extract's first line, ID-4).
    let alice = professional(&w, "alice.martin", "810003090833", true).await;
    let demo =
        include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
    let first_two: String = demo.lines().take(2).map(|l| format!("{l}\n")).collect();
    w.service.import_mailboxes(&op(), &first_two).await.unwrap();
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let rita = professional(&w, "rita", &rpps(3), true).await;
    w.service
        .set_staff_role(&op(), rita.id, Role::RegistrationAuthority, true)
        .await
        .unwrap();
    let camille = patient(&w, INS, "Camille Durand").await;
    // A phone alice paired (MS-18), as a pairing stores it: named in her data, its
    // key never.
    let paired = caduceus_store::NewPasskey {
        account: alice.id,
        name: "Téléphone d'Alice",
        kind: caduceus_core::passkey::PasskeyKind::Phone,
        credential_id: b"alice-phone",
        credential: "{\"cred\":\"PUBLIC-KEY-MATERIAL\"}",
        at: caduceus_core::Timestamp::from_millis(0),
    };
    let event = caduceus_audit::Event::new(
        0,
        caduceus_audit::Who::System,
        caduceus_audit::Action::PasskeyAdd,
        caduceus_audit::Object::of(alice.id),
    );
    w.store.add_passkey(&paired, &event).await.unwrap();
    let server = listen(&w).await;
    let mut args = vec![
        ("port".to_owned(), server.port.to_string()),
        ("ca".to_owned(), w.pki.ca_cert_path().display().to_string()),
        ("password".to_owned(), WEB_PASSWORD.to_owned()),
        ("alice_fix".to_owned(), ALICE_FIX.to_owned()),
        ("bob_fix".to_owned(), BOB_FIX.to_owned()),
    ];
    for (name, account) in [
        ("alice", &alice),
        ("bob", &bob),
        ("rita", &rita),
        ("camille", &camille),
    ] {
        let secret = web_login(&w, account).await;
        args.push((name.to_owned(), account.address.as_str().to_owned()));
        args.push((format!("{name}_totp"), secret));
    }
    let args: Vec<(&str, String)> = args.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
    let run = python(&script("rights.py"), &args, "http.client").await;
    server.shutdown().await;

    // The liste rouge (ID-4): listed before, hidden from search after; mail still
    // reaches the holder.
    run.expect("api-directory", 200, &["\"liste_rouge\":false"]);
    run.expect("api-search-listed", 200, &["alice.martin@caduceus.test"]);
    run.expect("api-directory-set", 204, &[]);
    run.expect(
        "api-directory-after",
        200,
        &["\"liste_rouge\":true", "\"phone_consent\":true"],
    );
    let (_, unlisted) = run.step("api-search-unlisted");
    assert!(
        !unlisted.contains("alice.martin@caduceus.test"),
        "{unlisted}"
    );
    // A correction request: refused empty, recorded, listed for the holder.
    run.expect("api-correction-empty", 400, &["AC-3"]);
    run.expect("api-correction", 201, &["\"requested\""]);
    run.expect("api-corrections", 200, &[ALICE_FIX]);
    // The account's own data: identity, contacts, choices, devices, requests, traces.
    run.expect(
        "api-data",
        200,
        &[
            "\"address\":\"alice.martin@caduceus.test\"",
            "\"registry\":\"rpps\"",
            "\"liste_rouge\":true",
            ALICE_FIX,
            "account.correction_request",
            "directory.preferences",
            "\"contacts\"",
            "\"devices\"",
            "\"passkeys\"",
            "Téléphone d'Alice",
            "\"kind\":\"phone\"",
        ],
    );
    let (_, data) = run.step("api-data");
    assert!(!data.contains("PUBLIC-KEY-MATERIAL"), "{data}");
    // Closing: confirmed only; the session then ends.
    run.expect("api-close-unconfirmed", 400, &["confirm"]);
    run.expect("api-close", 200, &["\"closed\":true", "\"deleted\":false"]);
    run.expect("api-after-close", 401, &[]);
    run.expect("patient-data", 200, &["\"kind\":\"patient\""]);
    run.expect(
        "patient-close",
        200,
        &["\"closed\":true", "\"deleted\":false"],
    );

    // The webmail: the rights section, the choices, a request shown back, the data.
    run.expect(
        "web-settings",
        200,
        &[
            "directory-choices",
            "/mail/account-data",
            "/mail/settings/close",
        ],
    );
    run.expect("web-directory", 303, &["/mail/settings"]);
    run.expect("web-correction", 303, &["/mail/settings"]);
    run.expect(
        "web-settings-after",
        200,
        &[BOB_FIX, "name=\"liste_rouge\" value=\"on\" checked"],
    );
    run.expect(
        "web-data",
        200,
        &["\"address\":\"bob@caduceus.test\"", BOB_FIX],
    );
    // Closing: both exports offered first, a confirmation, a forged form refused.
    run.expect(
        "web-close-page",
        200,
        &["/mail/export", "/mail/account-data", "name=\"confirm\""],
    );
    run.expect("web-close-unconfirmed", 400, &[]);
    run.expect("web-close-forged", 403, &[]);
    run.expect("web-close", 200, &[]);
    run.expect("web-close-cookie", 0, &["__Host-caduceus="]);
    run.expect("web-after-close", 303, &["/login"]);
    // The registration authority sees both requests with the accounts.
    run.expect(
        "ra-accounts",
        200,
        &[ALICE_FIX, BOB_FIX, "bob@caduceus.test"],
    );

    // Closed as the operator's closure would: kept for the grace period, a patient's
    // for the patient retention (RT-2).
    for account in [&alice, &bob, &camille] {
        let now = w.store.account(account.id).await.unwrap();
        assert_eq!(
            now.state,
            AccountState::Closed,
            "{}",
            account.address.as_str()
        );
    }
    assert_eq!(
        w.store.account(rita.id).await.unwrap().state,
        AccountState::Active
    );
    // Each right traced with the holder (TR-1), never with the request's words (TR-5).
    let entries = traces(&w).await;
    let by = |action: &str, account: &caduceus_store::Account| {
        let actor = account.id.to_string();
        entries
            .iter()
            .filter(|e| e.action == action && e.actor == actor && e.outcome == "success")
            .count()
    };
    for (action, account, times) in [
        ("directory.preferences", &alice, 1),
        ("directory.preferences", &bob, 1),
        ("account.correction_request", &alice, 1),
        ("account.correction_request", &bob, 1),
        ("account.export", &alice, 1),
        ("account.export", &bob, 1),
        ("account.export", &camille, 1),
        ("account.close", &alice, 1),
        ("account.close", &bob, 1),
        ("account.close", &camille, 1),
    ] {
        assert_eq!(
            by(action, account),
            times,
            "{action} by {}",
            account.address.as_str()
        );
    }
    for entry in &entries {
        let text = format!("{entry:?}");
        assert!(
            !text.contains("Alicia") && !text.contains("sage-femme"),
            "{text}"
        );
    }
}
