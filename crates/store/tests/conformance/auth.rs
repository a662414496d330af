//! Authentication data on every backend: devices (AU-2), second factors (AU-1),
//! failure counters and alerts (AU-3, TR-3), one personal account per person (ID-3).

use caduceus_audit::{AccountRef, Action};
use caduceus_core::{AccountKind, FailureState, MailAddress, NationalId, RegistryId, Timestamp};
use caduceus_store::*;

use super::contact::code;
use super::harness::{Harness, contains};
use super::{event, now, professional};

pub async fn au2_devices_are_listed_checked_and_revoked(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bruno", "10000000009").await;
    let trace = event(Action::AdminAction, a.id);
    let phone = h
        .store
        .create_device(a.id, "Phone", &[1; 32], now(), &trace)
        .await
        .unwrap();
    let laptop = h
        .store
        .create_device(a.id, "Thunderbird", &[2; 32], now(), &trace)
        .await
        .unwrap();
    let listed = h.store.devices(a.id).await.unwrap();
    assert_eq!(listed, vec![phone.clone(), laptop.clone()]);
    assert!(h.store.devices(b.id).await.unwrap().is_empty());
    let secret = h.store.device_secret(laptop.id).await.unwrap().unwrap();
    assert_eq!(
        (secret.device.account, secret.secret_hash),
        (a.id, vec![2; 32])
    );

    let later = Timestamp::from_millis(now().as_millis() + 5_000);
    h.store.touch_device(laptop.id, later).await.unwrap();
    h.store
        .revoke_device(a.id, phone.id, later, &trace)
        .await
        .unwrap();
    let listed = h.store.devices(a.id).await.unwrap();
    assert_eq!(listed[0].revoked, Some(later));
    assert_eq!(listed[1].last_used, Some(later));
    assert_eq!(listed[1].revoked, None);
    // Another account cannot revoke it.
    let err = h
        .store
        .revoke_device(b.id, laptop.id, later, &trace)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    // The trace names the device.
    let entries = h.store.trace_entries(0, 100).await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.object == format!("{} {}", a.id, laptop.id))
    );
}

pub async fn au1_totp_secret_is_sealed_and_steps_are_used_once(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let secret = b"TOTP-SECRET-Zorglub-0123456789".to_vec();
    let trace = event(Action::AdminAction, a.id);
    assert!(h.store.totp(a.id).await.unwrap().is_none());
    h.store.set_totp(a.id, Some(&secret), &trace).await.unwrap();
    let state = h.store.totp(a.id).await.unwrap().unwrap();
    assert_eq!(state.secret.expose(), &secret);
    assert_eq!(state.last_step, None);
    assert!(!format!("{state:?}").contains("Zorglub"));
    assert!(!contains(&h.bytes_on_disk().await, b"TOTP-SECRET-Zorglub"));

    assert!(h.store.use_totp_step(a.id, 100).await.unwrap());
    assert!(
        !h.store.use_totp_step(a.id, 100).await.unwrap(),
        "replayed step"
    );
    assert!(
        !h.store.use_totp_step(a.id, 99).await.unwrap(),
        "older step"
    );
    assert!(h.store.use_totp_step(a.id, 101).await.unwrap());
    h.store.set_totp(a.id, None, &trace).await.unwrap();
    assert!(h.store.totp(a.id).await.unwrap().is_none());
}

pub async fn au1_contact_email_and_login_codes(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let trace = event(Action::AdminAction, a.id);
    assert_eq!(h.store.contact_email(a.id).await.unwrap(), None);
    let email = MailAddress::parse("alice.perso@example.org").unwrap();
    h.store
        .set_contact_email(a.id, Some(&email), &trace)
        .await
        .unwrap();
    assert_eq!(h.store.contact_email(a.id).await.unwrap(), Some(email));

    let expires = Timestamp::from_millis(now().as_millis() + 600_000);
    let (first, second) = (code(9), code(8));
    h.store.put_login_code(a.id, &first, expires).await.unwrap();
    h.store.login_code_attempt(a.id).await.unwrap();
    let pending = h.store.login_code(a.id).await.unwrap().unwrap();
    assert_eq!((pending.expires, pending.attempts), (expires, 1));
    assert!(h.store.login_code_matches(a.id, &first).await.unwrap());
    // A new code replaces the old one and resets the attempts.
    h.store
        .put_login_code(a.id, &second, expires)
        .await
        .unwrap();
    let pending = h.store.login_code(a.id).await.unwrap().unwrap();
    assert_eq!(pending.attempts, 0);
    assert!(h.store.login_code_matches(a.id, &second).await.unwrap());
    assert!(!h.store.login_code_matches(a.id, &first).await.unwrap());
    h.store.delete_login_code(a.id).await.unwrap();
    assert!(h.store.login_code(a.id).await.unwrap().is_none());
    assert!(!h.store.login_code_matches(a.id, &second).await.unwrap());
}

pub async fn au3_failure_counters_and_alerts(h: Harness) {
    assert_eq!(
        h.store.failure_state("ip:10.0.0.1").await.unwrap(),
        FailureState::default()
    );
    let state = FailureState {
        failures: 4,
        last_failure: Some(now()),
        locked_until: Some(Timestamp::from_millis(now().as_millis() + 900_000)),
    };
    h.store
        .set_failure_state("ip:10.0.0.1", &state)
        .await
        .unwrap();
    assert_eq!(h.store.failure_state("ip:10.0.0.1").await.unwrap(), state);
    assert_eq!(
        h.store.failure_state("acct:1").await.unwrap(),
        FailureState::default()
    );
    h.store
        .set_failure_state("ip:10.0.0.1", &FailureState::default())
        .await
        .unwrap();
    assert_eq!(
        h.store.failure_state("ip:10.0.0.1").await.unwrap(),
        FailureState::default()
    );

    let trace = event(Action::AuthLockout, AccountRef(1));
    h.store
        .raise_alert(now(), "auth.lockout", "acct:1", "failures:10", &trace)
        .await
        .unwrap();
    let alerts = h.store.alerts().await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].kind.as_str(), alerts[0].subject.as_str()),
        ("auth.lockout", "acct:1")
    );
    let entries = h.store.trace_entries(0, 10).await.unwrap();
    assert_eq!(entries.last().unwrap().action, "auth.lockout");
}

pub async fn id3_one_personal_account_per_person(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let identity = RegistryId::National(NationalId::parse("810003090833").unwrap());
    let found = h.store.accounts_by_identity(&identity).await.unwrap();
    assert_eq!(found.iter().map(|x| x.id).collect::<Vec<_>>(), [a.id]);
    // A second personal account for the same RPPS is refused.
    let twin = NewAccount {
        address: MailAddress::parse("alice2@caduceus.test").unwrap(),
        kind: AccountKind::Professional,
        identity: identity.clone(),
        display_name: "Dr twin".into(),
        at: now(),
    };
    let err = h
        .store
        .create_account(&twin, &event(Action::AccountCreate, AccountRef(0)))
        .await;
    assert!(err.is_err(), "a shared personal identity must be refused");
    // Organisational mailboxes of one structure may be several.
    let finess = RegistryId::National(NationalId::parse("1750048886").unwrap());
    for local in ["cardio", "radio"] {
        let org = NewAccount {
            address: MailAddress::parse(&format!("{local}@caduceus.test")).unwrap(),
            kind: AccountKind::Organisation,
            identity: finess.clone(),
            display_name: local.into(),
            at: now(),
        };
        h.store
            .create_account(&org, &event(Action::AccountCreate, AccountRef(0)))
            .await
            .unwrap();
    }
    assert_eq!(
        h.store.accounts_by_identity(&finess).await.unwrap().len(),
        2
    );
}

/// AU-3: concurrent counts of one subject never read the same value: twenty at once
/// leave twenty.
pub async fn au3_concurrent_failure_counts_are_never_lost(h: Harness) {
    let count = |state: FailureState| FailureState {
        failures: state.failures + 1,
        last_failure: Some(now()),
        locked_until: None,
    };
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = h.store.clone();
            tokio::spawn(async move { store.update_failure_state("acct:7", &count).await.unwrap() })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        let (before, after) = task.await.unwrap();
        assert_eq!(after.failures, before.failures + 1);
        seen.push(before.failures);
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..20).collect::<Vec<u32>>(), "each count read once");
    assert_eq!(h.store.failure_state("acct:7").await.unwrap().failures, 20);
}
