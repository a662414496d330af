//! MS-17: a forwarding rule sends a mailbox's mail to one other mailbox of the trust
//! space, never outside it, never to a patient or itself; it is checked again at each
//! use (a domain dropped from the trust list stops it, traced); a forwarded copy is
//! never forwarded again (two rules pointing at each other do not loop).

mod common;

use caduceus_service::actor::testing;
use std::sync::Arc;
use std::time::Duration;

use caduceus_service::ServiceError;
use caduceus_service::peers::{EmptyTrust, PeerTrust};
use caduceus_store::{Account, Store};
use common::*;

struct Listed;

impl PeerTrust for Listed {
    fn allows(&self, _: &str, _: &str) -> bool {
        false
    }
    fn domains_for(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
    fn lists_domain(&self, domain: &str) -> bool {
        domain == "autre.test"
    }
}

/// The inbox of `account` once it holds `count` messages (3 s at most).
async fn inbox_with(w: &World, account: &Account, count: usize) -> Vec<String> {
    for _ in 0..60 {
        let raws = inbox_raws(w, account).await;
        if raws.len() >= count {
            return raws;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    inbox_raws(w, account).await
}

fn refused_for(result: Result<(), ServiceError>, requirement: &str) {
    match result {
        Err(ServiceError::Refused(r)) => assert_eq!(r.requirement, requirement, "{}", r.reason),
        other => panic!("expected a refusal for {requirement}, got {other:?}"),
    }
}

#[tokio::test]
async fn ms17_forwarding_stays_in_the_trust_space_and_never_loops() {
    let mut w = world().await;
    w.service = w.service.clone().with_trust_list(Arc::new(Listed));
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let patient = patient(&w, "295109912611193", "Camille Durand").await;
    let as_owner = |a: &Account| testing::account(a.id, "test");
    let alice_box = w
        .service
        .authorize(&as_owner(&alice), alice.id)
        .await
        .unwrap();
    let bob_box = w.service.authorize(&as_owner(&bob), bob.id).await.unwrap();

    // Refused targets, each saying why.
    let set = |target: &str| {
        let target = addr(target);
        let service = w.service.clone();
        let access = alice_box.clone();
        async move { service.set_forwarding(&access, Some(&target)).await }
    };
    refused_for(set("alice.perso@gmail.test").await, "MS-17");
    refused_for(set("alice@caduceus.test").await, "MS-17");
    refused_for(set(patient.address.as_str()).await, "MS-17");
    refused_for(set("nobody@caduceus.test").await, "MS-2");
    let patient_box = w
        .service
        .authorize(&as_owner(&patient), patient.id)
        .await
        .unwrap();
    refused_for(
        w.service
            .set_forwarding(&patient_box, Some(&bob.address))
            .await,
        "MS-8",
    );
    // Another's mailbox cannot be reached to set a rule on it (AC-1).
    assert!(
        w.service
            .authorize(&as_owner(&alice), bob.id)
            .await
            .is_err()
    );

    // Alice → Bob and Bob → Alice: a message to Alice reaches Bob once, and not back.
    set("bob@caduceus.test").await.unwrap();
    w.service
        .set_forwarding(&bob_box, Some(&alice.address))
        .await
        .unwrap();
    assert_eq!(
        w.service.forwarding(&alice_box).await.unwrap(),
        Some(bob.address.clone())
    );
    w.service
        .deliver_local(
            &testing::system(),
            std::slice::from_ref(&alice.address),
            RAW,
        )
        .await
        .unwrap();
    let bobs = inbox_with(&w, &bob, 1).await;
    assert_eq!(bobs.len(), 1);
    assert!(bobs[0].starts_with(&format!("X-Caduceus-Forwarded: {}\r\n", alice.id)));
    assert!(bobs[0].ends_with(std::str::from_utf8(RAW).unwrap()));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(inbox_raws(&w, &alice).await.len(), 1, "no copy came back");

    // To another operator of the trust space: queued for relay.
    set("claire@autre.test").await.unwrap();
    w.service
        .deliver_local(
            &testing::system(),
            std::slice::from_ref(&alice.address),
            RAW,
        )
        .await
        .unwrap();
    let mut queued = 0;
    for _ in 0..60 {
        queued = w.store.outbound_depth().await.unwrap();
        if queued > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(queued, 1);

    // The domain leaves the trust list: the rule no longer forwards, and says so.
    w.service = w.service.clone().with_trust_list(Arc::new(EmptyTrust));
    w.service
        .deliver_local(
            &testing::system(),
            std::slice::from_ref(&alice.address),
            RAW,
        )
        .await
        .unwrap();
    let mut refusals = 0;
    for _ in 0..60 {
        let entries = w.store.trace_entries(0, 10_000).await.unwrap();
        refusals = entries
            .iter()
            .filter(|e| e.action == "message.forward" && e.outcome == "refused")
            .count();
        if refusals > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(refusals, 1);
    assert_eq!(
        w.store.outbound_depth().await.unwrap(),
        1,
        "nothing more queued"
    );
    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let set_traces = entries
        .iter()
        .filter(|e| e.action == "account.forwarding")
        .count();
    assert_eq!(set_traces, 3);
    assert!(entries.iter().any(
        |e| e.action == "message.forward" && e.detail.as_deref() == Some("MS-17 target:local")
    ));
}
