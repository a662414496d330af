//! Passkeys and pairing tokens on every backend (AU-1, MS-18): a passkey is listed,
//! found by its credential id, touched and revoked by its owner only, a credential id
//! registered once; a pairing token is spent once, before it expires, by the
//! registration it allows, in one transaction with its traces; a ceremony under way
//! is taken once, by any node, across a restart, before it expires, and removed once
//! expired.

use caduceus_audit::Action;
use caduceus_core::Timestamp;
use caduceus_core::passkey::{CeremonyKind, PasskeyKind};
use caduceus_store::*;

use super::harness::{CHECKPOINT_EVERY, Harness};
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

fn ceremony<'a>(
    id_hash: &'a [u8],
    kind: CeremonyKind,
    account: Option<AccountId>,
    expires: Timestamp,
) -> NewCeremony<'a> {
    NewCeremony {
        id_hash,
        kind,
        account,
        state: "{\"challenge\":\"c\"}",
        begun: now(),
        expires,
    }
}

async fn ceremonies_left(h: &Harness) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM passkey_ceremonies")
        .fetch_one(&h.raw)
        .await
        .unwrap()
}

pub async fn au1_ms18_a_ceremony_is_taken_once_by_any_node_before_it_expires(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let live = Timestamp::from_millis(now().as_millis() + 300_000);
    let (register, login, both, old, kept) =
        ([1u8; 32], [2u8; 32], [3u8; 32], [4u8; 32], [5u8; 32]);
    let registration = ceremony(&register, CeremonyKind::Registration, Some(a.id), live);
    for new in [
        registration,
        ceremony(&login, CeremonyKind::Login, None, live),
        ceremony(&both, CeremonyKind::Login, None, live),
        ceremony(&kept, CeremonyKind::Login, None, live),
        ceremony(&old, CeremonyKind::SecondFactor, Some(a.id), now()),
    ] {
        h.store.add_ceremony(&new).await.unwrap();
    }
    // Another node: a second store over the same database.
    let other = SqlStore::open(
        &h.config,
        h.master.clone(),
        h.signer.clone(),
        CHECKPOINT_EVERY,
    )
    .await
    .unwrap();
    let taken = other.take_ceremony(&register, now()).await.unwrap();
    assert_eq!(
        taken,
        Some(PendingCeremony {
            kind: CeremonyKind::Registration,
            account: Some(a.id),
            state: registration.state.to_owned(),
        })
    );
    // Once: neither node gets it again.
    assert_eq!(h.store.take_ceremony(&register, now()).await.unwrap(), None);
    assert_eq!(other.take_ceremony(&register, now()).await.unwrap(), None);
    let login_taken = h.store.take_ceremony(&login, now()).await.unwrap();
    assert_eq!(
        login_taken.map(|c| (c.kind, c.account)),
        Some((CeremonyKind::Login, None))
    );
    // Two nodes answering the same ceremony at once: one only gets it.
    let (first, second) = tokio::join!(
        h.store.take_ceremony(&both, now()),
        other.take_ceremony(&both, now())
    );
    let got = [first.unwrap(), second.unwrap()];
    assert_eq!(got.iter().filter(|c| c.is_some()).count(), 1, "{got:?}");
    // Expired (at `now`): not taken, and removed.
    assert_eq!(h.store.take_ceremony(&old, now()).await.unwrap(), None);
    // A restart keeps a ceremony under way.
    drop(other);
    let h = h.reopen().await;
    let after = h.store.take_ceremony(&kept, now()).await.unwrap();
    assert_eq!(after.map(|c| c.kind), Some(CeremonyKind::Login));
    assert_eq!(ceremonies_left(&h).await, 0);
    // The daily purge removes those past their expiry, and those only.
    let earlier = Timestamp::from_millis(now().as_millis() - 2);
    let expired = NewCeremony {
        begun: earlier,
        ..ceremony(
            &old,
            CeremonyKind::Login,
            None,
            Timestamp::from_millis(now().as_millis() - 1),
        )
    };
    h.store
        .add_ceremony(&ceremony(&kept, CeremonyKind::Login, None, live))
        .await
        .unwrap();
    h.store.add_ceremony(&expired).await.unwrap();
    assert_eq!(ceremonies_left(&h).await, 2);
    let before = Timestamp::from_millis(now().as_millis() - 400 * 86_400_000);
    assert_eq!(h.store.purge_expired(now(), before).await.unwrap(), 1);
    assert_eq!(ceremonies_left(&h).await, 1);
    // A ceremony begun removes those expired by then (logins begun, never finished).
    h.store.add_ceremony(&expired).await.unwrap();
    h.store
        .add_ceremony(&ceremony(&both, CeremonyKind::Login, None, live))
        .await
        .unwrap();
    assert_eq!(ceremonies_left(&h).await, 2);
    assert!(h.store.take_ceremony(&kept, now()).await.unwrap().is_some());
    assert!(h.store.take_ceremony(&both, now()).await.unwrap().is_some());
}
