//! IN-1 over HTTPS: with terms of use in force, the API and the webmail refuse the
//! mailbox until the user accepts that version (the webmail sends the browser to the
//! terms right after login); acceptance is traced; a new version asks again.

use std::sync::Arc;

use caduceus_core::SystemClock;
use caduceus_service::Service;
use caduceus_service::terms::Terms;
use caduceus_store::Store;
use caduceus_testkit::*;
use common::*;

mod common;

fn terms(version: &str) -> Terms {
    Terms {
        version: version.into(),
        text: format!(
            "Conditions d'utilisation, version {version}.\nArticle 1 : usage professionnel."
        ),
    }
}

#[tokio::test]
async fn in1_the_web_asks_for_the_terms_in_force_before_the_mailbox() {
    let w = world_configured("caduceus.test", None, Arc::new(SystemClock), |c| {
        c.terms = Some(terms("2026-11"))
    })
    .await;
    let alice = professional(&w, "alice", "810003090833", true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let bob_totp = web_login(&w, &bob).await;
    let args = |port: u16, phase: &str, version: &str| {
        vec![
            ("port", port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("password", WEB_PASSWORD.to_owned()),
            ("alice", alice.address.as_str().to_owned()),
            ("bob", bob.address.as_str().to_owned()),
            ("alice_totp", alice_totp.clone()),
            ("bob_totp", bob_totp.clone()),
            ("phase", phase.to_owned()),
            ("version", version.to_owned()),
            (
                "state",
                w.dir.path().join("sessions.json").display().to_string(),
            ),
        ]
    };
    let server = listen(&w).await;
    let run = python(
        &script("terms.py"),
        &args(server.port, "first", "2026-11"),
        "http.client",
    )
    .await;
    server.shutdown().await;

    // Before acceptance: the mailbox is refused, naming the requirement and version.
    run.expect("api-login", 201, &["cses-"]);
    run.expect(
        "api-folders-before",
        422,
        &["\"requirement\":\"IN-1\"", "version 2026-11"],
    );
    run.expect("web-login", 303, &["/terms"]);
    run.expect("web-inbox-before", 303, &["/terms"]);
    // The API shows the text; only the version in force can be accepted.
    run.expect(
        "api-terms",
        200,
        &["\"accepted\":false", "Article 1", "\"version\":\"2026-11\""],
    );
    run.expect("api-accept-stale", 400, &["version 2026-11"]);
    run.expect("api-accept", 204, &[]);
    run.expect("api-terms-after", 200, &["\"accepted\":true"]);
    run.expect("api-folders-after", 200, &["INBOX"]);
    // The webmail's page: the text, a CSRF-protected form.
    run.expect("web-terms", 200, &["Article 1", "2026-11", "accept-terms"]);
    run.expect("web-accept-bad-csrf", 403, &[]);
    run.expect("web-accept", 303, &["/mail/folder/INBOX"]);
    run.expect("web-inbox-after", 200, &["INBOX"]);
    run.expect("web-terms-after", 303, &["/mail/folder/INBOX"]);

    // A new version: the same store, a service with the new terms; the open sessions
    // are asked again.
    let next = Service::new(w.store.clone(), Arc::new(SystemClock), {
        let mut config = w.service.config().clone();
        config.terms = Some(terms("2027-01"));
        config
    });
    let server = listen_service(&w, next).await;
    let run = python(
        &script("terms.py"),
        &args(server.port, "next", "2027-01"),
        "http.client",
    )
    .await;
    server.shutdown().await;
    run.expect(
        "api-folders-before",
        422,
        &["\"requirement\":\"IN-1\"", "version 2027-01"],
    );
    run.expect("web-inbox-before", 303, &["/terms"]);

    // Each acceptance traced once, with the person and the requirement.
    let accepted: Vec<_> = w
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "account.terms_accept")
        .collect();
    assert_eq!(accepted.len(), 2, "{accepted:?}");
    assert!(accepted.iter().all(|e| e.detail.as_deref() == Some("IN-1")));
}
