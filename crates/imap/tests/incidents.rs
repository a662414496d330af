//! TR-3 over the IMAP wire: wrong logins from a mail client and an unusual volume of
//! FETCHes are what the incident detectors see and raise as the operator's alerts,
//! once; ordinary use raises nothing.

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::{ManualClock, Timestamp};

mod common;

use common::*;

const RPPS: &str = "810003090833";

#[tokio::test]
async fn tr3_wrong_imap_logins_and_a_mass_fetch_raise_alerts_for_the_operator() {
    // A weekday morning, UTC; the clock moves only when the test says so.
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(1_790_000_000_000)));
    let w = world_configured("caduceus.test", None, clock.clone(), |c| {
        c.incident_thresholds.failures_per_account = 5;
        c.incident_thresholds.volume_min = 20;
    })
    .await;
    let alice = professional(&w, "alice", RPPS, true).await;
    let (credential, _) = device(&w, RPPS, "Thunderbird").await;
    for n in 0..25 {
        let raw = format!("From: <bob@caduceus.test>\r\nSubject: n{n}\r\n\r\nBody {n}\r\n");
        deliver(&w, "alice@caduceus.test", &raw).await;
    }
    let server = listen(&w, true).await;

    // Ordinary use: one mistyped credential, a few messages read.
    let (mut client, _) = Raw::connect(&w, &server).await;
    let answer = client.command("LOGIN alice@caduceus.test wrong-1").await;
    assert!(answer.contains(" NO "), "{answer}");
    let mut client = Raw::login(&w, &server, "alice@caduceus.test", credential.expose()).await;
    client.command("SELECT INBOX").await;
    client.command("FETCH 1:3 BODY.PEEK[]").await;
    client.command("LOGOUT").await;
    assert!(w.service.run_incident_detectors().await.unwrap().is_empty());
    let subject = alice.id.to_string();

    // Brute force: wrong credentials again and again. Between attempts the clock
    // passes the progressive delay, so each one is checked and counted (AU-3).
    for n in 0..5 {
        clock.advance(Duration::from_secs(40));
        let (mut client, _) = Raw::connect(&w, &server).await;
        let answer = client
            .command(&format!("LOGIN alice@caduceus.test guess-{n}"))
            .await;
        assert!(answer.contains(" NO "), "{answer}");
    }
    let raised = w.service.run_incident_detectors().await.unwrap();
    assert_eq!(
        raised.iter().map(|i| i.kind.as_str()).collect::<Vec<_>>(),
        ["incident.brute_force"],
        "{raised:?}"
    );
    assert_eq!(raised[0].subject, subject);

    // Unusual volume: the whole mailbox downloaded (BODY.PEEK[] reads, TR-1).
    clock.advance(Duration::from_secs(20 * 60));
    let mut client = Raw::login(&w, &server, "alice@caduceus.test", credential.expose()).await;
    client.command("SELECT INBOX").await;
    let fetched = client.command("FETCH 1:* BODY.PEEK[]").await;
    assert_eq!(fetched.matches("Body ").count(), 25);
    client.command("LOGOUT").await;
    let raised = w.service.run_incident_detectors().await.unwrap();
    assert_eq!(
        raised.iter().map(|i| i.kind.as_str()).collect::<Vec<_>>(),
        ["incident.unusual_volume"],
        "{raised:?}"
    );
    // Both are in the operator's alerts, about Alice's account, ids only; a run
    // again raises nothing new.
    assert!(w.service.run_incident_detectors().await.unwrap().is_empty());
    let alerts = w.service.alerts(&op()).await.unwrap();
    for kind in ["incident.brute_force", "incident.unusual_volume"] {
        let alert = alerts.iter().find(|a| a.kind == kind).expect(kind);
        assert_eq!(alert.subject, subject);
        assert!(!alert.detail.contains("alice"), "{}", alert.detail);
    }
    server.shutdown().await;
}
