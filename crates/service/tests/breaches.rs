//! TR-6: the personal-data breach register's rules as the service applies them — only
//! the security officer (or the operator) keeps it, a breach not notified 72 hours
//! after its detection raises an alert, and notifying a high-risk breach informs each
//! account concerned at its out-of-band address. The command line drives the whole
//! life cycle in `crates/cli/tests/breaches.rs`.

use std::time::Duration;

use caduceus_core::breach::{BreachState, Nature, Risk};
use caduceus_core::{Clock, Requirement, Role};
use caduceus_service::ServiceError;
use caduceus_service::actor::testing;
use caduceus_service::breaches::Assessment;

mod common;

use common::*;

#[tokio::test]
async fn tr6_a_late_breach_raises_an_alert_and_a_high_risk_informs_the_people_concerned() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let officer = person(&w, "sophie", "810000000009", true).await;
    w.service
        .set_staff_role(&op(), officer.id, Role::SecurityOfficer, true)
        .await
        .unwrap();
    let security = testing::staff(officer.id, Role::SecurityOfficer);
    // Only the security officer keeps the register (AC-1).
    let detected = w.clock.now();
    let auditor = testing::staff(officer.id, Role::Auditor);
    let refused = w
        .service
        .record_breach(&auditor, Nature::Confidentiality, detected);
    assert!(matches!(
        refused.await,
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1,
            ..
        })
    ));
    let id = w
        .service
        .record_breach(&security, Nature::Confidentiality, detected)
        .await
        .unwrap();
    // 72 hours on, not notified: an alert, once.
    w.clock.advance(Duration::from_secs(72 * 3600));
    let late = |found: &[caduceus_core::incidents::Incident]| {
        found
            .iter()
            .filter(|i| i.subject == format!("breach:{id}"))
            .count()
    };
    assert_eq!(late(&w.service.run_incident_detectors().await.unwrap()), 0);
    w.clock.advance(Duration::from_secs(3600 + 1));
    assert_eq!(late(&w.service.run_incident_detectors().await.unwrap()), 1);
    assert_eq!(late(&w.service.run_incident_detectors().await.unwrap()), 0);
    let alerts = w.service.alerts(&op()).await.unwrap();
    assert!(alerts.iter().any(|a| a.kind == "incident.breach_overdue"));
    // Assessed high, notified: Alice is told at her out-of-band address.
    let assessment = Assessment {
        risk: Risk::High,
        accounts: vec![alice.id],
        messages: Vec::new(),
    };
    w.service
        .assess_breach(&security, id, assessment)
        .await
        .unwrap();
    assert_eq!(w.service.notify_breach(&security, id).await.unwrap(), 1);
    let told = w.outbox.breaches.lock().unwrap().clone();
    assert_eq!(told, [contact_of(&alice).as_str().to_owned()]);
    w.service.close_breach(&security, id).await.unwrap();
    let register = w.service.breaches(&security).await.unwrap();
    assert_eq!(register[0].state, BreachState::Closed);
    assert!(register[0].users_informed);
    // Closed: no more alerts, and no step back.
    w.clock.advance(Duration::from_secs(86_400));
    assert_eq!(late(&w.service.run_incident_detectors().await.unwrap()), 0);
    let again = w.service.notify_breach(&security, id).await.unwrap_err();
    assert!(matches!(again, ServiceError::Refused(r) if r.requirement == Requirement::Tr6));
}
