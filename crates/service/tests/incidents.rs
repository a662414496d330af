//! TR-3: each incident detector fires on a scripted attack, once, and stays quiet on
//! normal traffic.

use caduceus_service::actor::testing;
use std::time::Duration;

use caduceus_core::{MailAddress, SecretString};
use caduceus_service::auth::Credentials;

mod common;

use common::*;

#[tokio::test]
async fn tr3_detectors_fire_on_attacks_and_stay_quiet_otherwise() {
    let w = world_configured(|c| {
        c.security_contact = Some(MailAddress::parse("securite@caduceus.test").unwrap());
        c.incident_thresholds.failures_per_account = 5;
        c.incident_thresholds.accounts_per_source = 3;
        c.incident_thresholds.volume_min = 20;
    })
    .await;
    let alice = person(&w, "alice", "810003090833", true).await;
    person(&w, "bob", "810000000009", true).await;
    person(&w, "carol", "810000000017", true).await;
    // Normal traffic: a couple of reads, one mistyped credential. (The world's clock
    // starts on a working day's morning, UTC.)
    let wrong = SecretString::new("cdv-1-wrong".into());
    let attempt = |who: &'static str, source: &'static str| {
        let service = w.service.clone();
        let wrong = wrong.clone();
        async move {
            let _ = service
                .login(
                    &MailAddress::parse(who).unwrap(),
                    Credentials::Device { credential: &wrong },
                    source,
                )
                .await;
        }
    };
    attempt("alice@caduceus.test", "192.0.2.1:1000").await;
    assert!(w.service.run_incident_detectors().await.unwrap().is_empty());

    // Brute force on Alice from one place; stuffing across accounts from another.
    w.clock.advance(Duration::from_secs(3600));
    for _ in 0..5 {
        attempt("alice@caduceus.test", "198.51.100.7:4000").await;
    }
    for who in [
        "alice@caduceus.test",
        "bob@caduceus.test",
        "carol@caduceus.test",
    ] {
        attempt(who, "203.0.113.9:5000").await;
    }
    // Alice reads far more than usual (she never read before).
    let access = w
        .service
        .authorize(&testing::account(alice.id, "imap"), alice.id)
        .await
        .unwrap();
    w.service
        .deliver_local(&testing::system(), &[addr("alice@caduceus.test")], RAW)
        .await
        .unwrap();
    let (_, inbox) = w.service.open_folder(&access, "INBOX").await.unwrap();
    for _ in 0..20 {
        w.service.read_message(&access, inbox[0].id).await.unwrap();
    }
    let mut kinds: Vec<&str> = w
        .service
        .run_incident_detectors()
        .await
        .unwrap()
        .iter()
        .map(|i| i.kind.as_str())
        .collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "incident.brute_force",
            "incident.credential_stuffing",
            "incident.unusual_volume"
        ]
    );
    // Raised once: the next run does not repeat them.
    assert!(w.service.run_incident_detectors().await.unwrap().is_empty());
    assert_eq!(w.outbox.incidents.lock().unwrap().len(), 3);
    let alerts = w.service.alerts(&op()).await.unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.kind == "incident.credential_stuffing" && a.subject == "ip:203.0.113.9")
    );

    // An administrative action at night.
    w.clock.advance(Duration::from_secs(12 * 3600));
    w.service
        .set_contact_email(
            &caduceus_service::actor::testing::operator("night-shift"),
            alice.id,
            Some(&addr("alice.new@example.org")),
        )
        .await
        .unwrap();
    let night = w.service.run_incident_detectors().await.unwrap();
    assert_eq!(night.len(), 1, "{night:?}");
    assert_eq!(night[0].kind.as_str(), "incident.admin_off_hours");
    assert_eq!(night[0].subject, "op:night-shift");
}
