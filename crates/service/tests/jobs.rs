//! TR-2 on a schedule: the trace purge runs once a day, on one node at a time.

use std::time::Duration;

mod common;

use common::*;

#[tokio::test]
async fn tr2_the_purge_runs_daily_on_one_node_at_a_time() {
    let w = world().await;
    person(&w, "alice", "810003090833", true).await;
    // Two nodes ask at the same moment: one runs the purge.
    assert_eq!(
        w.service.run_scheduled("node-a").await.unwrap(),
        ["trace-purge"]
    );
    assert!(w.service.run_scheduled("node-b").await.unwrap().is_empty());
    assert!(w.service.run_scheduled("node-a").await.unwrap().is_empty());
    // A day later it is due again, for whichever node asks first.
    w.clock.advance(Duration::from_secs(24 * 3600));
    assert_eq!(
        w.service.run_scheduled("node-b").await.unwrap(),
        ["trace-purge"]
    );
    // Traces past retention go: a year and a day on, the account's traces are purged.
    let before = actions(&w).await.len();
    w.clock.advance(Duration::from_secs(367 * 24 * 3600));
    assert_eq!(
        w.service.run_scheduled("node-a").await.unwrap(),
        ["trace-purge"]
    );
    let after = actions(&w).await;
    assert!(after.len() < before, "{before} -> {}", after.len());
    assert_eq!(
        after.iter().filter(|a| *a == "trace.purge").count(),
        1,
        "{after:?}"
    );
}

#[tokio::test]
async fn rt2_closed_accounts_are_deleted_after_the_grace_period() {
    let w = world_configured(|c| c.closure_grace = 30 * Duration::from_secs(86_400)).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    assert!(
        !w.service.close_account(&op(), bob.id).await.unwrap(),
        "kept for now"
    );
    assert!(w.service.account(bob.id).await.is_ok());
    w.clock.advance(29 * Duration::from_secs(86_400));
    assert_eq!(w.service.delete_closed_accounts().await.unwrap(), 0);
    w.clock.advance(Duration::from_secs(86_400));
    assert_eq!(w.service.delete_closed_accounts().await.unwrap(), 1);
    assert!(w.service.account(bob.id).await.is_err(), "its data is gone");
    assert_eq!(
        actions(&w)
            .await
            .iter()
            .filter(|a| *a == "account.delete")
            .count(),
        1
    );
}

/// RT-2, seed 003 §4: a closed patient's data stays ten years (the professional's the
/// closure grace), then goes by the daily job.
#[tokio::test]
async fn rt2_a_closed_patients_data_goes_after_ten_years_a_professionals_after_the_grace() {
    let day = Duration::from_secs(86_400);
    let w = world_configured(|c| {
        c.closure_grace = 30 * day;
        c.patient_retention = 3650 * day;
    })
    .await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let camille = patient(&w, "295109912611193", "Camille Durand").await;
    for id in [bob.id, camille.id] {
        assert!(!w.service.close_account(&op(), id).await.unwrap());
    }
    w.clock.advance(31 * day);
    assert_eq!(w.service.delete_closed_accounts().await.unwrap(), 1);
    assert!(w.service.account(bob.id).await.is_err());
    assert!(w.service.account(camille.id).await.is_ok(), "kept, closed");
    w.clock.advance(3650 * day);
    assert_eq!(w.service.delete_closed_accounts().await.unwrap(), 1);
    assert!(
        w.service.account(camille.id).await.is_err(),
        "gone after ten years"
    );
}
