//! RT-1 on the injected clock: warnings 60, 30 and 7 days before the deadline, an
//! objection keeps the mailbox (and the organisational mailbox its objecting delegate
//! acts for), no objection deletes it at the deadline; everything traced.

use caduceus_service::actor::testing;
use std::time::Duration;

use caduceus_core::AccountState;
use caduceus_service::ServiceError;
use caduceus_store::Store as _;

mod common;

use common::*;

const DAY: Duration = Duration::from_secs(86_400);

#[tokio::test]
async fn rt1_warnings_then_deletion_unless_the_owner_objects() {
    let w = world_configured(|c| c.inactivity = Some(365 * DAY)).await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let cardio = organisation(&w, "cardio").await;
    w.service
        .add_delegate(&op(), cardio.id, alice.id)
        .await
        .unwrap();
    w.service
        .set_contact_email(&op(), alice.id, Some(&addr("alice@example.org")))
        .await
        .unwrap();
    // Bob also gave a phone number: his warnings go by SMS too (the second channel).
    let phone = caduceus_core::PhoneNumber::parse("06 12 34 56 78").unwrap();
    w.service
        .set_contact_phone(&testing::account(bob.id, "web"), bob.id, Some(&phone))
        .await
        .unwrap();
    confirm_last_contact_code(&w, &testing::account(bob.id, "web"), &bob).await;
    // Not by someone else (AC-1).
    assert!(
        w.service
            .set_contact_phone(&testing::account(alice.id, "web"), bob.id, Some(&phone))
            .await
            .is_err()
    );

    // Nothing before 60 days ahead of the deadline.
    w.clock.advance(300 * DAY);
    assert_eq!(w.service.run_inactivity().await.unwrap().warned, 0);
    // 60, 30, 7 days ahead: one warning per step, not repeated within a step.
    let mut days_left = Vec::new();
    for step in [5, 30, 23] {
        w.clock.advance(step * DAY);
        let report = w.service.run_inactivity().await.unwrap();
        assert_eq!(report.warned, 3, "alice, bob and cardio");
        assert_eq!(
            report.undelivered, 0,
            "every active account has an address (ID-2)"
        );
        assert_eq!(w.service.run_inactivity().await.unwrap().warned, 0);
        days_left.push(w.outbox.inactivity.lock().unwrap().last().unwrap().1);
    }
    assert_eq!(days_left, [60, 30, 7]);
    let all = w.outbox.inactivity.lock().unwrap().clone();
    let by_sms: Vec<_> = all
        .iter()
        .filter(|(to, _, _)| to == "+33612345678")
        .collect();
    assert_eq!(
        by_sms.len(),
        3,
        "Bob is warned by SMS at each step: {all:?}"
    );
    let by_mail =
        |to: &str| -> Vec<_> { all.iter().filter(|(at, _, _)| at == to).cloned().collect() };
    let sent = by_mail("alice@example.org");
    assert_eq!(sent.len(), 3, "Alice is written to at each step");
    assert_eq!(by_mail(contact_of(&bob).as_str()).len(), 3);
    assert_eq!(
        by_mail(contact_of(&cardio).as_str()).len(),
        3,
        "the structure's address"
    );
    assert_eq!(all.len(), 12);

    // Alice follows her last link; a made-up token is refused.
    let token = sent.last().unwrap().2.clone();
    w.service.object_to_deletion(&token, "web").await.unwrap();
    let err = w
        .service
        .object_to_deletion("0000", "web")
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::NotFound(_)), "{err}");

    // At the deadline: Bob is deleted; Alice and the mailbox she is a delegate of stay.
    w.clock.advance(7 * DAY);
    let report = w.service.run_inactivity().await.unwrap();
    assert_eq!(report.deleted, 1);
    assert!(
        w.service.account(bob.id).await.is_err(),
        "Bob's data is gone"
    );
    assert_eq!(
        w.service.account(alice.id).await.unwrap().state,
        AccountState::Active
    );
    assert_eq!(
        w.service.account(cardio.id).await.unwrap().state,
        AccountState::Active
    );

    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let delivered = entries
        .iter()
        .filter(|e| e.action == "account.inactivity_warning")
        .filter(|e| {
            e.detail
                .as_deref()
                .is_some_and(|d| d.ends_with("delivered:yes"))
        })
        .count();
    assert_eq!(delivered, 9, "three to Alice, Bob and cardio each");
    let traced = actions(&w).await;
    let count = |a: &str| traced.iter().filter(|t| *t == a).count();
    assert_eq!(count("account.inactivity_objection"), 1);
    assert_eq!(count("account.delete"), 1);
}

/// RT-1: with the notice channel down, a mailbox past its deadline is not deleted: the
/// deadline moves and the operator is alerted; once a warning gets through, the owner
/// has 7 days before the deletion.
#[tokio::test]
async fn rt1_no_deletion_without_a_delivered_warning() {
    let w = world_configured(|c| c.inactivity = Some(365 * DAY)).await;
    let alice = person(&w, "alice", "810003090833", true).await;
    w.service
        .set_contact_email(&op(), alice.id, Some(&addr("alice@example.org")))
        .await
        .unwrap();
    w.outbox
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    for step in [305, 30, 23, 7, 30] {
        w.clock.advance(step * DAY);
        let report = w.service.run_inactivity().await.unwrap();
        assert_eq!((report.warned, report.deleted), (0, 0), "{report:?}");
        assert_eq!(report.undelivered, 1, "{report:?}");
    }
    assert_eq!(
        w.service.account(alice.id).await.unwrap().state,
        AccountState::Active,
        "37 days past the deadline, never warned: kept"
    );
    let alerts = w.service.alerts(&op()).await.unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.kind == "inactivity.unwarned" && a.subject == alice.id.to_string()),
        "{alerts:?}"
    );
    // The channel is back: warned now, deleted 7 days later, not before.
    w.outbox
        .down
        .store(false, std::sync::atomic::Ordering::SeqCst);
    w.clock.advance(DAY);
    let report = w.service.run_inactivity().await.unwrap();
    assert_eq!((report.warned, report.deleted, report.postponed), (1, 0, 1));
    w.clock.advance(6 * DAY);
    assert_eq!(w.service.run_inactivity().await.unwrap().deleted, 0);
    w.clock.advance(DAY);
    assert_eq!(w.service.run_inactivity().await.unwrap().deleted, 1);
    assert!(w.service.account(alice.id).await.is_err());
}
