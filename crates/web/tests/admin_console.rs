//! The admin console's registers over HTTPS (Python's http.client and the session
//! cookie). TR-6: the security officer keeps the breach register — records a breach, sees the
//! 72-hour deadline (a late one marked), assesses it with the accounts concerned,
//! notifies it, closes it — each step through the service's breach calls, traced with
//! the person and the role; anyone else is refused (the authorization matrix drives
//! every role through these pages). ID-5: the registration authority lists the
//! announced patient mailboxes with their opening dates.

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::{Clock, Role, Scope, SystemClock};
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

#[tokio::test]
async fn id5_ac1_the_registration_authority_lists_the_announced_patient_mailboxes_and_their_opening_dates()
 {
    let mut w = world().await;
    w.service = w.service.clone().with_notifier(Arc::new(AcceptingNotifier));
    let camille = verified_patient(&w, "295109912611193", "Camille Patient").await;
    let announced = w.service.announce_patient(&op(), camille.id).await.unwrap();
    let rita = professional(&w, "rita", &rpps(1), true).await;
    let scoped = professional(&w, "sara", &rpps(2), true).await;
    let audra = professional(&w, "audra", &rpps(3), true).await;
    let ra = Role::RegistrationAuthority;
    w.service
        .set_staff_role(&op(), rita.id, ra, true)
        .await
        .unwrap();
    let structure = Scope::structure("1750048886").unwrap();
    w.service
        .set_staff_grant(&op(), scoped.id, ra, structure, true)
        .await
        .unwrap();
    let auditor = Role::Auditor;
    w.service
        .set_staff_role(&op(), audra.id, auditor, true)
        .await
        .unwrap();
    let server = listen(&w).await;
    let mut pages = Vec::new();
    for (label, account) in [("ra", &rita), ("scoped", &scoped), ("auditor", &audra)] {
        let login = strong_login(&w, account).await;
        let token = w.service.open_session(&login).await.unwrap();
        pages.push(format!("{label}|{}|/admin/announcements", token.expose()));
    }
    let args = vec![
        ("port", server.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("pages", pages.join(";")),
    ];
    let run = python(&script("admin_get.py"), &args, "http.client").await;
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);
    let opens = announced.opens.rfc5322();
    run.expect(
        "ra",
        200,
        &["Boîtes patient annoncées", camille.address.as_str(), &opens],
    );
    // A registration authority of one structure has no patient (AC-1); an auditor
    // does not manage accounts.
    let none = run.expect("scoped", 200, &["Aucune boîte patient annoncée"]);
    assert!(!none.contains(camille.address.as_str()), "{none}");
    run.expect("auditor", 403, &[]);
    let read = traces(&w)
        .await
        .into_iter()
        .filter(|e| {
            e.object == "announcements:list" && e.actor == format!("op:ra:acct:{}", rita.id.0)
        })
        .count();
    assert_eq!(read, 1, "the reading is traced (TR-1)");
    server.shutdown().await;
}
