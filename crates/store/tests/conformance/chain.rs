//! The trace chain on every backend (TR-1, TR-2): every action leaves a verifiable
//! entry, tampering is named (modified, deleted, inserted, reordered), a purge keeps
//! the remainder verifiable, the latest entries are read back in order.

use super::*;

/// Builds a chain of a dozen entries through ordinary actions.
async fn busy_store(h: &Harness) -> Account {
    let a = professional(h, "alice", "10003090833").await;
    for _ in 0..4 {
        let d = deliver_one(h, &a).await;
        h.store
            .open_message(d.message, &event(Action::MessageRead, d.message))
            .await
            .unwrap();
    }
    h.store
        .append_traces(&[event(Action::AuthFailure, a.id)])
        .await
        .unwrap();
    a
}

pub async fn tr1_every_action_leaves_a_verifiable_trace(h: Harness) {
    busy_store(&h).await;
    let entries = h.store.trace_entries(0, 100).await.unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "account.create");
    assert_eq!(
        actions.iter().filter(|a| **a == "message.deliver").count(),
        4
    );
    assert_eq!(actions.iter().filter(|a| **a == "message.read").count(), 4);
    assert_eq!(*actions.last().unwrap(), "auth.failure");
    let report = verify(&h).await.unwrap();
    assert_eq!(report.entries, entries.len() as u64);
    assert!(
        report.checkpoints >= 1,
        "a checkpoint every {} entries",
        harness::CHECKPOINT_EVERY
    );
    // Paging returns the same entries.
    let page = h.store.trace_entries(3, 2).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
}

pub async fn tr1_modified_entry_is_named(h: Harness) {
    busy_store(&h).await;
    h.exec("UPDATE traces SET object = 'msg:999' WHERE seq = 3")
        .await;
    let tamper = verify(&h).await.unwrap_err();
    assert_eq!(
        (tamper.seq, tamper.kind),
        (3, TamperKind::Modified),
        "{tamper}"
    );
}

pub async fn tr1_deleted_entry_is_named(h: Harness) {
    busy_store(&h).await;
    h.exec("DELETE FROM traces WHERE seq = 4").await;
    let tamper = verify(&h).await.unwrap_err();
    assert_eq!(
        (tamper.seq, tamper.kind),
        (4, TamperKind::Deleted),
        "{tamper}"
    );
}

pub async fn tr1_inserted_entry_is_named(h: Harness) {
    busy_store(&h).await;
    // A forged entry squeezed in after seq 2: the rows after it are renumbered, as an
    // attacker hiding an insertion would.
    h.exec("UPDATE traces SET seq = seq + 1000 WHERE seq > 2")
        .await;
    h.exec("UPDATE traces SET seq = seq - 999 WHERE seq > 1000")
        .await;
    h.exec(
        "INSERT INTO traces (seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash)
         SELECT 3, at_ms, actor, acting_for, 'message.read', 'msg:1', source, outcome, detail, hash, hash FROM traces WHERE seq = 2",
    )
    .await;
    let tamper = verify(&h).await.unwrap_err();
    assert_eq!(tamper.seq, 3, "{tamper}");
    assert!(
        matches!(tamper.kind, TamperKind::Inserted | TamperKind::Modified),
        "{tamper}"
    );
}

pub async fn tr1_reordered_entries_are_named(h: Harness) {
    busy_store(&h).await;
    h.exec("UPDATE traces SET seq = -1 WHERE seq = 5").await;
    h.exec("UPDATE traces SET seq = 5 WHERE seq = 6").await;
    h.exec("UPDATE traces SET seq = 6 WHERE seq = -1").await;
    let tamper = verify(&h).await.unwrap_err();
    assert_eq!(tamper.seq, 5, "{tamper}");
    assert!(
        matches!(tamper.kind, TamperKind::Reordered | TamperKind::BrokenLink),
        "{tamper}"
    );
}

pub async fn tr2_purge_keeps_the_remainder_verifiable(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let old = now();
    h.store
        .append_traces(&[event(Action::AuthFailure, a.id)])
        .await
        .unwrap();
    let mut late = event(Action::AuthSuccess, a.id);
    late.at_ms = old.as_millis() + 400 * 86_400_000;
    h.store
        .append_traces(&[late.clone(), late.clone()])
        .await
        .unwrap();
    let before = h.store.trace_entries(0, 100).await.unwrap().len();
    let cutoff = Timestamp::from_millis(late.at_ms - 365 * 86_400_000);
    let mut purge = event(Action::TracePurge, Marker::TraceRetention);
    purge.at_ms = late.at_ms;
    let report = h.store.purge_traces(cutoff, &purge).await.unwrap();
    assert_eq!(report.removed, 2);
    assert_eq!(report.cut, Some(2));
    let remaining = h.store.trace_entries(0, 100).await.unwrap();
    assert_eq!(remaining.len(), before - 2 + 1);
    assert_eq!(remaining[0].seq, 3);
    assert!(remaining.iter().all(|e| e.at_ms >= cutoff.as_millis()));
    verify(&h).await.unwrap();
    // Deleting the anchor checkpoint left at the cut is caught.
    h.exec("DELETE FROM trace_checkpoints WHERE seq = 2").await;
    let tamper = verify(&h).await.unwrap_err();
    assert_eq!(tamper.kind, TamperKind::MissingAnchor, "{tamper}");
}

pub async fn tr1_the_latest_entries_come_newest_first_filtered_and_limited(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    for _ in 0..3 {
        deliver_one(&h, &a).await;
    }
    h.store
        .append_traces(&[event(
            Action::DirectoryImport,
            Id::Directory(DirectoryPart::People),
        )])
        .await
        .unwrap();
    let all = h.store.trace_entries(0, 1000).await.unwrap();
    let since = Timestamp::from_millis(0);
    let latest = h.store.latest_trace_entries(since, None, 2).await.unwrap();
    let seqs: Vec<i64> = latest.iter().map(|e| e.seq).collect();
    let last = all.last().unwrap().seq;
    assert_eq!(seqs, [last, last - 1]);
    let imports = h
        .store
        .latest_trace_entries(since, Some("directory.import"), 10)
        .await
        .unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].object, "directory:people");
    let later = Timestamp::from_millis(now().as_millis() + 1);
    assert!(
        h.store
            .latest_trace_entries(later, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}
