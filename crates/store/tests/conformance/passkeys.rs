//! Passkeys and pairing tokens on every backend (AU-1, MS-18): a passkey is listed,
//! found by its credential id, touched and revoked by its owner only, a credential id
//! registered once; a pairing token is spent once, before it expires, by the
//! registration it allows, in one transaction with its traces.

use caduceus_audit::Action;
use caduceus_core::Timestamp;
use caduceus_core::passkey::PasskeyKind;
use caduceus_store::*;

use super::harness::Harness;
use super::{event, now, professional};

fn new<'a>(account: AccountId, id: &'a [u8], kind: PasskeyKind) -> NewPasskey<'a> {
    NewPasskey {
        account,
        name: "Clé",
        kind,
        credential_id: id,
        credential: "{\"cred\":\"public key and counter\"}",
        at: now(),
    }
}

pub async fn au1_passkeys_are_listed_found_and_revoked_by_their_owner(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bruno", "10000000009").await;
    let trace = event(Action::PasskeyAdd, a.id);
    let key = h
        .store
        .add_passkey(&new(a.id, b"cred-a", PasskeyKind::Passkey), &trace)
        .await
        .unwrap();
    assert_eq!(h.store.passkeys(a.id).await.unwrap(), vec![key.clone()]);
    assert!(h.store.passkeys(b.id).await.unwrap().is_empty());
    let found = h.store.passkey_by_credential(b"cred-a").await.unwrap();
    assert_eq!(found.map(|p| p.account), Some(a.id));
    // One authenticator's key belongs to one account.
    let again = h
        .store
        .add_passkey(&new(b.id, b"cred-a", PasskeyKind::Passkey), &trace)
        .await
        .unwrap_err();
    assert!(matches!(again, StoreError::Conflict { .. }), "{again}");

    let later = Timestamp::from_millis(now().as_millis() + 5_000);
    h.store
        .touch_passkey(key.id, "{\"counter\":2}", later)
        .await
        .unwrap();
    let err = h
        .store
        .revoke_passkey(b.id, key.id, later, &event(Action::PasskeyRevoke, b.id))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    h.store
        .revoke_passkey(a.id, key.id, later, &event(Action::PasskeyRevoke, a.id))
        .await
        .unwrap();
    let listed = &h.store.passkeys(a.id).await.unwrap()[0];
    assert_eq!(
        (listed.last_used, listed.revoked, listed.credential.as_str()),
        (Some(later), Some(later), "{\"counter\":2}")
    );
    let traced = h.store.trace_entries(0, 100).await.unwrap();
    assert!(
        traced
            .iter()
            .any(|e| e.action == "passkey.add"
                && e.object == format!("{} passkey:{}", a.id, key.id.0))
    );
}

pub async fn ms18_a_pairing_token_is_spent_once_before_it_expires(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let hash = [7u8; 32];
    let expires = Timestamp::from_millis(now().as_millis() + 600_000);
    h.store
        .add_pairing_token(a.id, &hash, expires, &event(Action::PairingTokenMake, a.id))
        .await
        .unwrap();
    let kept = h.store.pairing_token(&hash).await.unwrap().unwrap();
    assert_eq!(
        (kept.account, kept.expires, kept.used),
        (a.id, expires, None)
    );
    let (added, used) = (
        event(Action::PasskeyAdd, a.id),
        event(Action::PairingTokenUse, a.id),
    );
    let phone = new(a.id, b"phone", PasskeyKind::Phone);
    let paired = h
        .store
        .add_paired_passkey(&hash, &phone, &added, &used)
        .await;
    assert_eq!(paired.unwrap().map(|p| p.kind), Some(PasskeyKind::Phone));
    // Spent: a second phone gets nothing, and nothing is written.
    let second = new(a.id, b"second", PasskeyKind::Phone);
    let again = h
        .store
        .add_paired_passkey(&hash, &second, &added, &used)
        .await;
    assert_eq!(again.unwrap(), None);
    assert_eq!(h.store.passkeys(a.id).await.unwrap().len(), 1);
    assert_eq!(
        h.store.pairing_token(&hash).await.unwrap().unwrap().used,
        Some(now())
    );
    // Expired: refused too.
    let old = [8u8; 32];
    h.store
        .add_pairing_token(a.id, &old, now(), &event(Action::PairingTokenMake, a.id))
        .await
        .unwrap();
    let late = h
        .store
        .add_paired_passkey(&old, &second, &added, &used)
        .await;
    assert_eq!(late.unwrap(), None);
    let traced = h.store.trace_entries(0, 100).await.unwrap();
    assert_eq!(
        traced.iter().filter(|e| e.action == "pairing.use").count(),
        1
    );
}
