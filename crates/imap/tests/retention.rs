//! Retention seen from a mail client, on an injected clock: traces of IMAP sessions are
//! kept a year and then purged by the daily job while the chain still verifies (TR-2);
//! a mailbox whose owner stopped logging in over IMAP is warned at its contact
//! address and deleted only after a delivered warning, never while the notice relay
//! is down, and then refuses the login (RT-1).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use caduceus_core::{Clock as _, ManualClock, Timestamp};
use caduceus_service::notify::{Notice, Notifier};

mod common;

use common::*;

const DAY: Duration = Duration::from_secs(86_400);
const START_MS: i64 = 1_790_000_000_000;

/// The operator's notice relay as the service sees it: takes inactivity warnings
/// (address, days left), or refuses everything while `down`.
#[derive(Default)]
struct Relay {
    warnings: Mutex<Vec<(String, u32)>>,
    down: AtomicBool,
}

#[async_trait::async_trait]
impl Notifier for Relay {
    async fn send(&self, notice: Notice) -> Result<(), String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("connection refused".into());
        }
        if let Notice::InactivityWarning { to, days_left, .. } = notice {
            let warning = (to.as_str().to_owned(), days_left);
            self.warnings.lock().unwrap().push(warning);
        }
        Ok(())
    }
}

/// A world on a manual clock with `inactivity` days before deletion (RT-1) and its
/// notices going to the returned relay.
async fn world_at_start(inactivity: u64) -> (World, Arc<ManualClock>, Arc<Relay>) {
    let clock = Arc::new(ManualClock::new(Timestamp::from_millis(START_MS)));
    let mut w = world_configured("caduceus.test", None, clock.clone(), |c| {
        c.inactivity = Some(DAY * inactivity as u32);
    })
    .await;
    let relay = Arc::new(Relay::default());
    w.service = w.service.clone().with_notifier(relay.clone());
    (w, clock, relay)
}

/// Logs in over IMAP with `credential`; whether the server said OK.
async fn imap_login(w: &World, server: &Listener, user: &str, credential: &str) -> bool {
    let (mut client, _) = Raw::connect(w, server).await;
    let answer = client.command(&format!("LOGIN {user} {credential}")).await;
    if answer.contains(" OK ") || answer.contains("OK [CAPABILITY") {
        client.command("LOGOUT").await;
        return true;
    }
    false
}

#[tokio::test]
async fn tr2_traces_of_imap_sessions_are_purged_after_a_year_and_the_chain_verifies() {
    let (w, clock, _) = world_at_start(365).await;
    professional(&w, "alice", "810003090833", true).await;
    let (credential, _) = device(&w, "810003090833", "Thunderbird").await;
    let server = listen(&w, true).await;
    let user = "alice@caduceus.test";
    assert!(imap_login(&w, &server, user, credential.expose()).await);
    // Two hundred days later, another session.
    clock.advance(DAY * 200);
    let recent_ms = clock.now().as_millis();
    assert!(imap_login(&w, &server, user, credential.expose()).await);
    let logins = |entries: &[caduceus_audit::Entry]| {
        entries
            .iter()
            .filter(|e| e.action == "auth.success")
            .map(|e| e.at_ms)
            .collect::<Vec<_>>()
    };
    let before = traces(&w).await;
    assert!(logins(&before).iter().any(|at| *at < START_MS + 1000));

    // A year and a day after the first session, the daily job runs.
    clock.advance(DAY * 166);
    let ran = w.service.run_scheduled("node-1").await.unwrap();
    assert!(ran.contains(&"trace-purge"), "{ran:?}");
    let after = traces(&w).await;
    let cut = clock.now().as_millis() - 365 * DAY.as_millis() as i64;
    assert!(
        after.iter().all(|e| e.at_ms >= cut),
        "an entry older than a year is left"
    );
    assert!(after.len() < before.len());
    // The later session's traces are kept; the chain from its signed anchor verifies.
    let kept = logins(&after);
    assert!(kept.contains(&recent_ms), "{kept:?}");
    assert!(kept.iter().all(|at| *at >= recent_ms));
    let verdict = w.service.verify_trace_chain(&op()).await.unwrap().unwrap();
    let report = verdict.expect("the purged chain verifies");
    assert!(report.entries > 0);
    // The purge itself is traced.
    assert!(after.iter().any(|e| e.action == "trace.purge"));
    server.shutdown().await;
}

#[tokio::test]
async fn rt1_an_imap_user_gone_quiet_is_deleted_only_after_a_delivered_warning() {
    let (w, clock, relay) = world_at_start(365).await;
    let alice = professional(&w, "alice", "810003090833", true).await;
    professional(&w, "bruno", "810000000009", true).await;
    let (alice_credential, _) = device(&w, "810003090833", "Thunderbird").await;
    let (bruno_credential, _) = device(&w, "810000000009", "Thunderbird").await;
    let server = listen(&w, true).await;
    let (alice_user, bruno_user) = ("alice@caduceus.test", "bruno@caduceus.test");
    assert!(imap_login(&w, &server, alice_user, alice_credential.expose()).await);
    // Bruno keeps using his mail client: he is never warned.
    clock.advance(DAY * 100);
    assert!(imap_login(&w, &server, bruno_user, bruno_credential.expose()).await);

    // The relay is down through every warning date and past the deadline: nothing
    // reaches Alice, so nothing is deleted; the operator is alerted.
    relay.down.store(true, Ordering::SeqCst);
    for days in [205, 30, 23, 7, 10] {
        clock.advance(DAY * days);
        let report = w.service.run_inactivity().await.unwrap();
        assert_eq!((report.warned, report.deleted), (0, 0), "{report:?}");
        assert_eq!(report.undelivered, 1, "only Alice is due: {report:?}");
    }
    assert!(
        w.service.account(alice.id).await.is_ok(),
        "never warned: kept"
    );
    let unwarned: Vec<String> = (w.service.alerts(&op()).await.unwrap().into_iter())
        .filter(|alert| alert.kind == "inactivity.unwarned")
        .map(|alert| alert.subject)
        .collect();
    assert!(!unwarned.is_empty(), "the operator is told");
    assert!(
        unwarned.iter().all(|s| *s == alice.id.to_string()),
        "{unwarned:?}"
    );

    // The relay is back: the warning reaches her contact address, the deletion waits
    // seven days after it.
    relay.down.store(false, Ordering::SeqCst);
    clock.advance(DAY);
    let report = w.service.run_inactivity().await.unwrap();
    assert_eq!((report.warned, report.deleted), (1, 0), "{report:?}");
    let warnings = relay.warnings.lock().unwrap().clone();
    assert_eq!(warnings, [(contact_of(&alice).as_str().to_owned(), 0)]);
    clock.advance(DAY * 6);
    assert_eq!(w.service.run_inactivity().await.unwrap().deleted, 0);
    clock.advance(DAY);
    let report = w.service.run_inactivity().await.unwrap();
    assert_eq!((report.warned, report.deleted), (0, 1), "{report:?}");

    // Deleted: her mail client is refused; Bruno's still works.
    assert!(w.service.account(alice.id).await.is_err());
    assert!(!imap_login(&w, &server, alice_user, alice_credential.expose()).await);
    assert!(imap_login(&w, &server, bruno_user, bruno_credential.expose()).await);
    server.shutdown().await;
}
