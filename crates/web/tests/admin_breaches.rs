//! TR-6 over HTTPS: the security officer keeps the breach register in the admin
//! console (Python's http.client and the session cookie) — records a breach, sees the
//! 72-hour deadline (a late one marked), assesses it with the accounts concerned,
//! notifies it, closes it — each step through the service's breach calls, traced with
//! the person and the role; anyone else is refused (the authorization matrix drives
//! every role through these pages).

use std::time::Duration;

use caduceus_core::{Clock, Role, SystemClock};
use caduceus_store::Store;
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn tr6_the_security_officer_records_assesses_notifies_and_closes_a_breach_in_the_console() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let sonia = professional(&w, "sonia", &rpps(2), true).await;
    w.service
        .set_staff_role(&op(), sonia.id, Role::SecurityOfficer, true)
        .await
        .unwrap();
    let server = listen(&w).await;
    let login = strong_login(&w, &sonia).await;
    let token = w.service.open_session(&login).await.unwrap();
    let four_days_ago = SystemClock
        .now()
        .saturating_sub(Duration::from_secs(4 * 86_400));
    let args = vec![
        ("port", server.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("security", token.expose().clone()),
        ("old", four_days_ago.to_string()),
        ("concerned", alice.address.as_str().to_owned()),
    ];
    let run = python(&script("admin_breaches.py"), &args, "http.client").await;
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);

    run.expect(
        "empty",
        200,
        &["Registre des violations", "Aucune violation"],
    );
    run.expect("record-now", 303, &[]);
    run.expect("record-old", 303, &[]);
    // Both listed with their deadline; only the one detected four days ago is late.
    let recorded = run.expect("recorded", 200, &["À notifier avant", "en retard"]);
    assert_eq!(recorded.matches("en retard").count(), 1, "{recorded}");
    run.expect("future", 400, &[]);
    // Out of order: assess first.
    run.expect("notify-first", 422, &[]);
    run.expect("assess", 303, &[]);
    run.expect("assessed", 200, &["assessed", "high"]);
    run.expect("notify", 303, &[]);
    let notified = run.expect("notified", 200, &["notified"]);
    assert!(!notified.contains("en retard"), "notified: no longer late");
    run.expect("close", 303, &[]);
    run.expect("closed", 200, &["closed"]);

    let breaches = w.store.breaches().await.unwrap();
    assert_eq!(breaches.len(), 2);
    let closed = breaches.iter().find(|b| b.id == 2).unwrap();
    assert_eq!(closed.accounts, vec![alice.id]);
    assert!(closed.notified.is_some() && closed.closed.is_some());
    // Each step traced with the person and the role (TR-1, TR-6).
    let actor = format!("op:security:acct:{}", sonia.id.0);
    let steps: Vec<String> = traces(&w)
        .await
        .into_iter()
        .filter(|e| e.actor == actor && e.action == "breach.record")
        .filter_map(|e| e.detail)
        .collect();
    for state in ["open", "assessed", "notified", "closed"] {
        assert!(
            steps.iter().any(|d| d.contains(&format!("breach:{state}"))),
            "{state}: {steps:?}"
        );
    }
    server.shutdown().await;
}
