//! A new contact address or phone number confirmed before it is used (AU-1, MS-7,
//! RT-1), in the service on the injected clock: the code goes to the new value, the
//! old one stays in use until it is typed; a wrong code tells the tries left (AU-3);
//! an expired code, the fifth wrong one, drop the change; only the account's own user confirms it; who manages accounts still
//! sets a contact directly (ID-2); traces name the channel, never the value.

use caduceus_core::Requirement;
use caduceus_core::contact::{CodeRefusal, ContactChannel};
use caduceus_service::ServiceError;
use caduceus_service::actor::testing;
use caduceus_store::Store;
use std::time::Duration;

mod common;

use common::*;

fn denied(result: Result<ContactChannel, ServiceError>) -> Requirement {
    match result {
        Err(ServiceError::Denied { requirement, .. }) => requirement,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The verdict on a refused code (AU-1, AU-3).
fn refused(result: Result<ContactChannel, ServiceError>) -> CodeRefusal {
    match result {
        Err(ServiceError::CodeRefused(refused)) => refused,
        other => panic!("expected a refused code, got {other:?}"),
    }
}

#[tokio::test]
async fn au1_an_expired_code_is_refused_and_drops_the_change() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let as_alice = testing::account(alice.id, "web");
    let new = addr("alice.nouvelle@example.org");
    w.service
        .set_contact_email(&as_alice, alice.id, Some(&new))
        .await
        .unwrap();
    let code = w.outbox.contact_codes.lock().unwrap()[0].clone();
    assert_eq!(code.0, new.as_str(), "the code goes to the new address");
    assert_eq!(
        w.service
            .pending_contacts(&as_alice, alice.id)
            .await
            .unwrap()
            .len(),
        1
    );
    w.clock.advance(Duration::from_secs(15 * 60));
    let late = w
        .service
        .confirm_contact(&as_alice, alice.id, &code.1)
        .await;
    assert_eq!(refused(late), CodeRefusal::Expired);
    assert_eq!(
        w.service.contacts(&op(), alice.id).await.unwrap().email,
        Some(contact_of(&alice))
    );
    assert!(
        w.service
            .pending_contacts(&as_alice, alice.id)
            .await
            .unwrap()
            .is_empty()
    );
    let again = w
        .service
        .confirm_contact(&as_alice, alice.id, &code.1)
        .await;
    assert!(matches!(again, Err(ServiceError::NotFound(_))), "{again:?}");
}

#[tokio::test]
async fn au1_five_wrong_codes_drop_the_change_and_only_the_owner_confirms() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let as_alice = testing::account(alice.id, "web");
    let phone = caduceus_core::PhoneNumber::parse("06 12 34 56 78").unwrap();
    w.service
        .set_contact_phone(&as_alice, alice.id, Some(&phone))
        .await
        .unwrap();
    let code = w.outbox.contact_codes.lock().unwrap()[0].1.clone();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // Another account, or the operator, cannot confirm it, even with the code (AC-1).
    for other in [testing::account(bob.id, "web"), op()] {
        let refused = w.service.confirm_contact(&other, alice.id, &code).await;
        assert_eq!(denied(refused), Requirement::Ac1);
    }
    // Each wrong code tells the tries left (AU-3); the fifth drops the change.
    let mut told = Vec::new();
    for _ in 0..5 {
        let answer = w.service.confirm_contact(&as_alice, alice.id, wrong).await;
        told.push(refused(answer));
    }
    let wrong_with = |tries_left| CodeRefusal::Wrong { tries_left };
    let expected = [4, 3, 2, 1].map(wrong_with);
    assert_eq!(told[..4], expected);
    assert_eq!(told[4], CodeRefusal::Exhausted);
    // Dropped at the fifth: the right code no longer works, the phone is not set.
    let after = w.service.confirm_contact(&as_alice, alice.id, &code).await;
    assert!(matches!(after, Err(ServiceError::NotFound(_))), "{after:?}");
    assert_eq!(
        w.service.contacts(&op(), alice.id).await.unwrap().phone,
        None
    );
    let actions = actions(&w).await;
    let failed = actions
        .iter()
        .filter(|a| *a == "contact.confirm_failed")
        .count();
    assert_eq!(failed, 5);
    assert_eq!(actions.iter().filter(|a| *a == "access.denied").count(), 2);
}

#[tokio::test]
async fn au1_ms7_the_right_code_switches_and_the_former_address_or_the_contact_is_told() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let as_alice = testing::account(alice.id, "web");
    let former = contact_of(&alice);
    let new = addr("zorglub.nouvelle@example.org");
    w.service
        .set_contact_email(&as_alice, alice.id, Some(&new))
        .await
        .unwrap();
    let code = w.outbox.contact_codes.lock().unwrap()[0].1.clone();
    let channel = w
        .service
        .confirm_contact(&as_alice, alice.id, &format!(" {code} "))
        .await;
    assert_eq!(channel.unwrap(), ContactChannel::Email);
    assert_eq!(
        w.service.contacts(&op(), alice.id).await.unwrap().email,
        Some(new)
    );
    let replaced = w.outbox.replaced.lock().unwrap().clone();
    assert_eq!(
        replaced,
        vec![(former.as_str().to_owned(), "z***@e***.org".to_owned())]
    );
    // A new SMS number, confirmed, is told at the contact address (AU-1).
    let phone = caduceus_core::PhoneNumber::parse("+33612345678").unwrap();
    w.service
        .set_contact_phone(&as_alice, alice.id, Some(&phone))
        .await
        .unwrap();
    let code = w.outbox.contact_codes.lock().unwrap()[1].1.clone();
    let channel = w.service.confirm_contact(&as_alice, alice.id, &code).await;
    assert_eq!(channel.unwrap(), ContactChannel::Phone);
    let replaced = w.outbox.replaced.lock().unwrap().clone();
    assert_eq!(
        replaced[1..],
        [(
            "zorglub.nouvelle@example.org".to_owned(),
            "+33*******78".to_owned()
        )]
    );
    // Removing the phone needs no code; the operator sets an address directly (ID-2).
    w.service
        .set_contact_phone(&as_alice, alice.id, None)
        .await
        .unwrap();
    let direct = addr("alice.guichet@example.org");
    w.service
        .set_contact_email(&op(), alice.id, Some(&direct))
        .await
        .unwrap();
    assert_eq!(
        w.service.contacts(&op(), alice.id).await.unwrap().email,
        Some(direct)
    );
    assert_eq!(
        w.outbox.contact_codes.lock().unwrap().len(),
        2,
        "one code per change of the user's, none for the operator's"
    );
    // Traced by channel, never with the address (TR-5).
    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let confirmed: Vec<_> = entries
        .iter()
        .filter(|e| e.action.starts_with("contact."))
        .collect();
    let kinds: Vec<_> = confirmed
        .iter()
        .map(|e| (e.action.as_str(), e.detail.as_deref()))
        .collect();
    let (email, sms) = (Some("AU-1 channel:email"), Some("AU-1 channel:sms"));
    assert_eq!(
        kinds,
        [
            ("contact.confirm_sent", email),
            ("contact.confirmed", email),
            ("contact.confirm_sent", sms),
            ("contact.confirmed", sms)
        ]
    );
    let written = format!("{entries:?}");
    assert!(!written.contains("zorglub") && !written.contains("612345678"));
}
