//! New-mail notices (MS-7) in the service: who may turn them on, where they go, and
//! at most one per quiet period on the injected clock.

use caduceus_core::Requirement;
use caduceus_service::actor::testing;
use std::time::Duration;

use caduceus_service::ServiceError;

mod common;

use common::*;

/// Waits (300 ms at most: the outbox is in-process) until the outbox holds `count`
/// new-mail notices; they are sent in the background after delivery.
async fn notices(w: &World, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    loop {
        let sent = w.outbox.new_mail.lock().unwrap().clone();
        if sent.len() >= count || tokio::time::Instant::now() > deadline {
            // Any notice sent by mistake has had time to arrive as well.
            tokio::time::sleep(Duration::from_millis(50)).await;
            return w.outbox.new_mail.lock().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn ms7_one_notice_per_quiet_period_to_the_ordinary_address_only_when_asked() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let as_alice = testing::account(alice.id, "test");
    let deliver = |to: &'static str| {
        let service = w.service.clone();
        async move {
            service
                .deliver_local(&testing::system(), &[addr(to)], RAW)
                .await
                .unwrap();
        }
    };

    // Off by default: mail arrives, nobody is told.
    w.service
        .set_contact_email(&as_alice, alice.id, Some(&addr("alice@example.org")))
        .await
        .unwrap();
    confirm_last_contact_code(&w, &as_alice, &alice).await;
    deliver("alice@caduceus.test").await;
    assert!(notices(&w, 1).await.is_empty());

    // Alice turns them on: the next delivery sends one, the ones after it within
    // the quiet period (15 minutes here) do not.
    w.service
        .set_new_mail_notice(&as_alice, alice.id, true)
        .await
        .unwrap();
    let setting = w
        .service
        .new_mail_notice(&as_alice, alice.id)
        .await
        .unwrap();
    assert!(setting.enabled);
    assert_eq!(setting.to, Some(addr("alice@example.org")));
    deliver("alice@caduceus.test").await;
    assert_eq!(notices(&w, 1).await, ["alice@example.org"]);
    deliver("alice@caduceus.test").await;
    w.clock.advance(Duration::from_secs(14 * 60));
    deliver("alice@caduceus.test").await;
    assert_eq!(notices(&w, 2).await.len(), 1);
    w.clock.advance(Duration::from_secs(60));
    deliver("alice@caduceus.test").await;
    assert_eq!(notices(&w, 2).await.len(), 2);

    // Bob has an ordinary address (every active account does, ID-2) but did not ask
    // for notices: nothing goes to it.
    assert!(
        w.service
            .contacts(&op(), bob.id)
            .await
            .unwrap()
            .email
            .is_some()
    );
    deliver("bob@caduceus.test").await;
    assert_eq!(notices(&w, 3).await.len(), 2);

    // Turned off, they stop.
    w.service
        .set_new_mail_notice(&as_alice, alice.id, false)
        .await
        .unwrap();
    w.clock.advance(Duration::from_secs(3600));
    deliver("alice@caduceus.test").await;
    assert_eq!(notices(&w, 3).await.len(), 2);
    let set = actions(&w)
        .await
        .into_iter()
        .filter(|a| a == "account.notice_set")
        .count();
    assert_eq!(set, 2, "each change is traced");
}

#[tokio::test]
async fn ms7_ac1_nobody_else_turns_on_a_users_notices() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let as_bob = testing::account(bob.id, "test");
    let err = w
        .service
        .set_new_mail_notice(&as_bob, alice.id, true)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            ServiceError::Denied {
                requirement: Requirement::Ac1,
                ..
            }
        ),
        "{err}"
    );
    let err = w
        .service
        .new_mail_notice(&as_bob, alice.id)
        .await
        .unwrap_err();
    assert!(matches!(&err, ServiceError::Denied { .. }), "{err}");
    // The operator may, for a user who asks at the desk.
    w.service
        .set_new_mail_notice(&op(), alice.id, true)
        .await
        .unwrap();
    assert!(
        w.service
            .new_mail_notice(&op(), alice.id)
            .await
            .unwrap()
            .enabled
    );
}
