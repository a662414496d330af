//! Web and API sessions (AU-1, AU-3) and idempotency keys (MS-18) through the
//! service: a session needs a strong login, ends at logout, when idle, at its
//! lifetime and when the account stops being active; a key replays its answer and
//! refuses another request.

mod common;

use caduceus_core::Requirement;
use caduceus_store::Store as _;
use std::time::Duration;

use caduceus_core::{AccountState, SecretString};
use caduceus_service::ServiceError;
use caduceus_service::auth::{Authenticated, Credentials};
use caduceus_service::sessions::{Idempotency, SESSION_IDLE, SESSION_LIFETIME};
use common::*;

fn refused(result: Result<Authenticated, ServiceError>) -> bool {
    matches!(result, Err(ServiceError::AuthFailed { .. }))
}

#[tokio::test]
async fn au1_a_session_follows_a_strong_login_and_ends_at_logout() {
    let w = world().await;
    let login = strong(&w, "alice", "810003090833").await;
    let token = w.service.open_session(&login).await.unwrap();
    assert!(token.expose().starts_with("cses-"));
    assert!(
        !format!("{token:?}").contains(token.expose()),
        "tokens are redacted"
    );
    let resumed = w.service.session(&token, "web2").await.unwrap();
    assert_eq!(resumed.account().id, login.account().id);
    assert_eq!(resumed.factor(), login.factor());
    assert!(refused(
        w.service
            .session(&SecretString::new("cses-forged".into()), "web")
            .await
    ));
    w.service.close_session(&token, &resumed).await.unwrap();
    assert!(refused(w.service.session(&token, "web").await));
    assert!(actions(&w).await.contains(&"session.close".to_owned()));
    // A device credential's login (for mail clients) opens no web session (AU-2).
    let device = w.service.add_device(&login, "Thunderbird").await.unwrap();
    let weak = w
        .service
        .login(
            &login.account().address,
            Credentials::Device {
                credential: &device.credential,
            },
            "imap",
        )
        .await
        .unwrap();
    let err = w.service.open_session(&weak).await.unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Denied {
                requirement: Requirement::Au1,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn au3_a_session_ends_when_idle_at_its_lifetime_and_when_the_account_is_suspended() {
    let w = world().await;
    let login = strong(&w, "alice", "810003090833").await;
    // Idle longer than allowed.
    let idle = w.service.open_session(&login).await.unwrap();
    w.clock.advance(SESSION_IDLE + Duration::from_secs(1));
    assert!(refused(w.service.session(&idle, "web").await));
    // Used often, it still ends at its lifetime.
    let busy = w.service.open_session(&login).await.unwrap();
    let step = SESSION_IDLE / 2;
    let mut used = Duration::ZERO;
    while used + step < SESSION_LIFETIME {
        w.clock.advance(step);
        used += step;
        w.service.session(&busy, "web").await.unwrap();
    }
    w.clock.advance(step);
    assert!(refused(w.service.session(&busy, "web").await));
    // Suspending the account ends its sessions at once.
    let open = w.service.open_session(&login).await.unwrap();
    w.service
        .set_state(&op(), login.account().id, AccountState::Suspended)
        .await
        .unwrap();
    assert!(refused(w.service.session(&open, "web").await));
    // The daily purge removes sessions left to end on their own.
    w.service
        .set_state(&op(), login.account().id, AccountState::Active)
        .await
        .unwrap();
    let forgotten = w.service.open_session(&login).await.unwrap();
    let kept = w.service.open_session(&login).await.unwrap();
    w.clock.advance(SESSION_IDLE - Duration::from_secs(60));
    w.service.session(&kept, "web").await.unwrap();
    w.clock.advance(Duration::from_secs(120));
    assert_eq!(w.service.purge_web_state().await.unwrap(), 1);
    w.service.session(&kept, "web").await.unwrap();
    assert!(refused(w.service.session(&forgotten, "web").await));
    // AU-3: each session found ended (idle, past its lifetime, account suspended) is
    // traced as closed.
    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let ended = |reason: &str| {
        entries
            .iter()
            .filter(|e| e.action == "session.close" && e.detail.as_deref() == Some(reason))
            .count()
    };
    assert_eq!(ended("reason:expired"), 2, "the idle one and the old one");
    assert_eq!(ended("reason:account_inactive"), 1);
}

#[tokio::test]
async fn ms18_an_idempotency_key_replays_its_answer_and_refuses_another_request() {
    let w = world().await;
    let alice = strong(&w, "alice", "810003090833").await;
    let bob = strong(&w, "bob", "810000000009").await;
    let claim = |login: &Authenticated, key: &str, fingerprint: &[u8]| {
        let (service, login, key, fingerprint) = (
            w.service.clone(),
            login.clone(),
            key.to_owned(),
            fingerprint.to_vec(),
        );
        async move { service.claim_idempotency(&login, &key, &fingerprint).await }
    };
    assert_eq!(claim(&alice, "k1", b"one").await.unwrap(), Idempotency::New);
    // While the first is processed, a retry is told to wait; another request refused.
    let pending = claim(&alice, "k1", b"one").await.unwrap_err();
    assert!(
        matches!(&pending, ServiceError::Conflict(t) if t.contains("still")),
        "{pending}"
    );
    w.service
        .settle_idempotency(&alice, "k1", Some("{\"sent\":1}"))
        .await
        .unwrap();
    assert_eq!(
        claim(&alice, "k1", b"one").await.unwrap(),
        Idempotency::Replay("{\"sent\":1}".into())
    );
    let other = claim(&alice, "k1", b"two").await.unwrap_err();
    assert!(
        matches!(&other, ServiceError::Conflict(t) if t.contains("another")),
        "{other}"
    );
    // Keys are per account; a failed request releases its key for a retry.
    assert_eq!(claim(&bob, "k1", b"two").await.unwrap(), Idempotency::New);
    w.service
        .settle_idempotency(&bob, "k1", None)
        .await
        .unwrap();
    assert_eq!(claim(&bob, "k1", b"two").await.unwrap(), Idempotency::New);
    // Bad keys are refused before anything is recorded.
    for bad in ["", "with space", &"k".repeat(256)] {
        assert!(matches!(
            claim(&alice, bad, b"x").await,
            Err(ServiceError::Invalid(_))
        ));
    }
    // Keys are forgotten after a day.
    w.clock.advance(Duration::from_secs(25 * 3600));
    w.service.purge_web_state().await.unwrap();
    assert_eq!(claim(&alice, "k1", b"two").await.unwrap(), Idempotency::New);
}
