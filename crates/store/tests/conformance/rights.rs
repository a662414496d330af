//! The holder's rights on every backend (AC-3): correction requests kept per account
//! and gone with it, the holder's own traces found by actor.

use caduceus_audit::{Action, Event, Object, Who};
use caduceus_store::*;

use super::{Harness, event, now, professional};

pub async fn ac3_correction_requests_and_own_traces_are_kept_per_account(h: Harness) {
    let alice = professional(&h, "alice", "10003090833").await;
    let bob = professional(&h, "bob", "10000000009").await;
    let by = |account: &Account| {
        let mut asked = Event::new(
            now().as_millis(),
            Who::from(account.id),
            Action::CorrectionRequest,
            Object::of(account.id),
        );
        asked.source = Some("test".into());
        asked
    };
    let asked = h
        .store
        .request_correction(alice.id, "Prénom : Alicia", now(), &by(&alice))
        .await
        .unwrap();
    assert_eq!(asked.account, alice.id);
    h.store
        .request_correction(bob.id, "Profession : sage-femme", now(), &by(&bob))
        .await
        .unwrap();
    let hers = h.store.correction_requests(Some(alice.id)).await.unwrap();
    assert_eq!(hers, vec![asked]);
    assert_eq!(h.store.correction_requests(None).await.unwrap().len(), 2);
    // Her own traces: the request, not bob's nor the system's.
    let own = h
        .store
        .trace_entries_by_actor(&alice.id.to_string(), 100)
        .await
        .unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].action, "account.correction_request");
    // Gone with her account (RT-2).
    h.store
        .destroy_account(alice.id, &event(Action::AccountDelete, alice.id))
        .await
        .unwrap();
    let left = h.store.correction_requests(None).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].account, bob.id);
}
