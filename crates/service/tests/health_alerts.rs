//! MS-15: a person holding the alert sender's role broadcasts a health alert to the
//! directory's professionals of a profession and/or a department; delivery runs in
//! batches within the recipient limit (MS-12); the report counts who was reached and
//! who could not be; nobody else can broadcast (AC-1), and the broadcast is traced
//! with its audience only.

mod common;

use caduceus_core::Requirement;
use caduceus_service::actor::testing;
use std::time::Duration;

use caduceus_core::Role;
use caduceus_service::health_alerts::Alert;
use caduceus_service::{Caller, ServiceError};
use caduceus_store::{Broadcast, Store};
use common::*;

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
/// A health alert to `profession` and/or `department`.
fn alert(profession: &str, department: &str) -> Alert {
    Alert {
        profession: profession.into(),
        department: department.into(),
        subject: "Alerte sanitaire".into(),
        text: "Rappel de lot.".into(),
    }
}

/// The report of broadcast `id` once it is over (5 s at most).
async fn finished(w: &World, caller: &Caller, id: i64) -> Broadcast {
    for _ in 0..100 {
        let reports = w.service.broadcasts(caller).await.unwrap();
        let report = reports.into_iter().find(|b| b.id == id).unwrap();
        if report.progress.state != "running" {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("broadcast {id} still running");
}

#[tokio::test]
async fn ms15_an_alert_reaches_the_audience_in_batches_and_is_reported() {
    let w = world().await;
    w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    let alice = person(&w, "alice.martin", "810003090833", true).await;
    let bruno = person(&w, "bruno.durand", "810000000009", true).await;
    let rachel = strong(&w, "rachel", "810000000017").await;
    let staff = rachel.account().id;

    // Without the role, no broadcast (AC-1).
    let audience = alert("10", "75");
    let refused = w.service.broadcast_alert(&rachel, &audience).await;
    assert!(matches!(
        refused,
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1,
            ..
        })
    ));
    w.service
        .set_staff_role(&op(), staff, Role::AlertSender, true)
        .await
        .unwrap();
    let sender = w
        .service
        .staff_caller(&rachel, Role::AlertSender)
        .await
        .unwrap();

    // An alert never goes to everyone: an audience is named (MS-15).
    let nowhere = w.service.broadcast_alert(&rachel, &alert("", "")).await;
    assert!(
        matches!(
            &nowhere,
            Err(ServiceError::Refused(refusal)) if refusal.requirement == Requirement::Ms15
        ),
        "{nowhere:?}"
    );

    // Physicians of Paris: Alice (an account here) and four without one.
    let started = w.service.broadcast_alert(&rachel, &audience).await.unwrap();
    assert_eq!(started.audience, "profession:10 department:75");
    assert_eq!(started.targeted, 5);
    let report = finished(&w, &sender, started.id).await;
    assert_eq!(report.progress.state, "done");
    assert_eq!(
        (report.progress.delivered, report.progress.unreachable),
        (1, 4)
    );
    assert_eq!(
        (
            inbox_raws(&w, &alice).await.len(),
            inbox_raws(&w, &bruno).await.len()
        ),
        (1, 0)
    );

    // Every physician: more recipients than one message may have (3 in these
    // tests), so several batches; Alice and Bruno reached.
    let everywhere = alert("10", "");
    let started = w
        .service
        .broadcast_alert(&rachel, &everywhere)
        .await
        .unwrap();
    assert!(started.targeted > 3, "{started:?}");
    let report = finished(&w, &sender, started.id).await;
    assert_eq!(report.progress.delivered, 2);
    assert_eq!(
        report.progress.delivered + report.progress.unreachable,
        report.targeted
    );
    assert_eq!(
        (
            inbox_raws(&w, &alice).await.len(),
            inbox_raws(&w, &bruno).await.len()
        ),
        (2, 1)
    );

    // A report that stopped moving while running reads as interrupted (its node died).
    let mut event = caduceus_audit::Event::new(
        0,
        caduceus_audit::Who::System,
        caduceus_audit::Action::AlertBroadcast,
        caduceus_audit::Object::default(),
    );
    event.detail = Some(
        caduceus_audit::Detail::of(caduceus_core::Requirement::Ms15)
            .and(caduceus_core::alert::Audience::new(Some("21"), None).unwrap()),
    );
    let now = caduceus_core::Clock::now(&w.clock);
    let stuck = w
        .store
        .create_broadcast(staff, "profession:21", 3, now, &event)
        .await
        .unwrap();
    w.clock.advance(Duration::from_secs(601));
    let reports = w.service.broadcasts(&sender).await.unwrap();
    let report = reports.iter().find(|b| b.id == stuck).unwrap();
    assert_eq!(report.progress.state, "interrupted");

    // The reports: for the sender (and the security officer, administrator and
    // auditor), not the registration authority, not a user.
    w.service
        .set_staff_role(&op(), staff, Role::RegistrationAuthority, true)
        .await
        .unwrap();
    let ra = w
        .service
        .staff_caller(&rachel, Role::RegistrationAuthority)
        .await
        .unwrap();
    assert!(w.service.broadcasts(&ra).await.is_err());
    assert!(w.service.broadcasts(&alice_caller(&alice)).await.is_err());

    // Traced with the person, the role and the audience, never the text.
    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let broadcast: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "alert.broadcast" && e.actor != "system")
        .collect();
    assert_eq!(broadcast.len(), 2, "the two sent through the service");
    assert!(
        broadcast[0].actor.starts_with("op:alerts:acct:"),
        "{broadcast:?}"
    );
    assert_eq!(
        broadcast[0].detail.as_deref(),
        Some("MS-15 profession:10 department:75")
    );
    assert!(!format!("{entries:?}").contains("Rappel de lot"));
}

fn alice_caller(alice: &caduceus_store::Account) -> Caller {
    testing::account(alice.id, "test")
}
