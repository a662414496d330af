//! RT-1 on the injected clock: warnings 60, 30 and 7 days before the deadline, an
//! objection keeps the mailbox (and the organisational mailbox its objecting delegate
//! acts for), no objection deletes it at the deadline; everything traced.

use std::time::Duration;

use caduceus_core::AccountState;
use caduceus_service::{Caller, ServiceError};

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
    // Bob gave a phone number only: his warnings go by SMS (the second channel).
    let phone = caduceus_core::PhoneNumber::parse("06 12 34 56 78").unwrap();
    w.service
        .set_contact_phone(&Caller::account(bob.id, "web"), bob.id, Some(&phone))
        .await
        .unwrap();
    // Not by someone else (AC-1).
    assert!(
        w.service
            .set_contact_phone(&Caller::account(alice.id, "web"), bob.id, Some(&phone))
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
    let sent: Vec<_> = all
        .iter()
        .filter(|(to, _, _)| to != "+33612345678")
        .cloned()
        .collect();
    assert_eq!(sent.len(), 3, "only Alice has an address to write to");
    assert!(sent.iter().all(|(to, _, _)| to == "alice@example.org"));

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

    let traced = actions(&w).await;
    let count = |a: &str| traced.iter().filter(|t| *t == a).count();
    assert_eq!(count("account.inactivity_warning"), 9);
    assert_eq!(count("account.inactivity_objection"), 1);
    assert_eq!(count("account.delete"), 1);
}
