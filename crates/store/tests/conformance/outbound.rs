//! The outbound queue on every backend (MS-4, MS-16): queued recipients commit with
//! the local copies, are claimed by one node under a lease, settle once, and their
//! queued copy is destroyed when the last one settles.

use std::time::Duration;

use caduceus_audit::{Action, Id};
use caduceus_core::{MailAddress, Timestamp};
use caduceus_store::*;

use super::harness::Harness;
use super::{event, now, professional, raw_message};

const LEASE: Duration = Duration::from_secs(600);

fn remote(local: &str) -> MailAddress {
    MailAddress::parse(&format!("{local}@autre-operateur.test")).unwrap()
}

/// Alice sends to Bruno (local) and to two recipients at another operator.
async fn send_mixed(h: &Harness) -> (Account, Account, String) {
    let alice = professional(h, "alice", "10003090833").await;
    let bruno = professional(h, "bruno", "10000000009").await;
    let inbox = h.store.mailbox(bruno.id, "INBOX").await.unwrap().unwrap();
    let raw = raw_message();
    let queue_ref = new_queue_ref();
    let delivery = Delivery {
        raw: &raw,
        meta: b"m",
        internal: now(),
        targets: vec![Target {
            account: bruno.id,
            mailbox: inbox.id,
            flags: vec![],
        }],
        outbound: Some(Outbound {
            queue_ref: queue_ref.clone(),
            owner: alice.id,
            return_path: "alice@caduceus.test".into(),
            recipients: vec![remote("carla"), remote("dan")],
            notify_success: true,
            expires: Timestamp::from_millis(now().as_millis() + 86_400_000),
        }),
        enveloped: Vec::new(),
        receipts: Vec::new(),
    };
    let traces = [
        event(Action::MessageDeliver, bruno.id),
        event(Action::MessageSubmit, autre_operateur()),
        event(Action::MessageSubmit, autre_operateur()),
    ];
    assert!(
        h.store.deliver(&delivery, &traces[..2]).await.is_err(),
        "one trace per queued recipient"
    );
    h.store.deliver(&delivery, &traces).await.unwrap();
    (alice, bruno, queue_ref)
}

pub async fn ms4_queued_recipients_are_committed_with_the_local_copies(h: Harness) {
    let (alice, _, queue_ref) = send_mixed(&h).await;
    let status = h.store.outbound_status(&queue_ref).await.unwrap();
    assert_eq!(
        status
            .iter()
            .map(|i| i.recipient.clone())
            .collect::<Vec<_>>(),
        [remote("carla"), remote("dan")]
    );
    assert!(status.iter().all(|i| i.state == OutboundState::Queued
        && i.owner == alice.id
        && i.attempts == 0
        && i.notify_success));
    assert_eq!(h.store.outbound_depth().await.unwrap(), 2);
    let logged = h.store.trace_entries(0, 100).await.unwrap();
    assert!(
        logged
            .iter()
            .any(|e| e.object == format!("domain:autre-operateur.test queue:{queue_ref}")),
        "the queue trace names the queue reference"
    );
    assert!(super::verify(&h).await.is_ok());
}

pub async fn ms16_a_claimed_recipient_is_settled_once_and_its_copy_destroyed(h: Harness) {
    let (_, bruno, queue_ref) = send_mixed(&h).await;
    let claimed = h
        .store
        .claim_outbound("node-a", now(), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2);
    assert!(
        h.store
            .claim_outbound("node-b", now(), LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "a claimed recipient is not handed to another node"
    );
    assert_eq!(
        h.store.open_outbound(claimed[0].id).await.unwrap(),
        raw_message()
    );
    let trace = event(Action::MessageRelay, autre_operateur());
    let delivered = AttemptResult::Delivered("250 2.0.0 queued".into());
    assert!(
        !h.store
            .finish_outbound(claimed[0].id, "node-b", &delivered, &trace)
            .await
            .unwrap(),
        "only the claimer settles"
    );
    assert!(
        h.store
            .finish_outbound(claimed[0].id, "node-a", &delivered, &trace)
            .await
            .unwrap()
    );
    assert!(
        !h.store
            .finish_outbound(claimed[0].id, "node-a", &delivered, &trace)
            .await
            .unwrap(),
        "a settled recipient is not settled twice"
    );
    // One recipient is still waiting: the copy stays.
    assert_eq!(
        h.store.open_outbound(claimed[1].id).await.unwrap(),
        raw_message()
    );
    let failed = AttemptResult::Failed("550 5.1.1 unknown".into());
    h.store
        .finish_outbound(claimed[1].id, "node-a", &failed, &trace)
        .await
        .unwrap();
    let status = h.store.outbound_status(&queue_ref).await.unwrap();
    assert_eq!(
        status.iter().map(|i| i.state).collect::<Vec<_>>(),
        [OutboundState::Delivered, OutboundState::Failed]
    );
    assert_eq!(status[1].last_reply.as_deref(), Some("550 5.1.1 unknown"));
    assert_eq!(h.store.outbound_depth().await.unwrap(), 0);
    assert!(
        h.store.open_outbound(claimed[1].id).await.is_err(),
        "the queued copy is destroyed once every recipient is settled"
    );
    // Bruno's copy shares the blob and still opens.
    let inbox = h.store.mailbox(bruno.id, "INBOX").await.unwrap().unwrap();
    let copy = h.store.messages(inbox.id).await.unwrap().remove(0);
    let opened = h
        .store
        .open_message(copy.id, &event(Action::MessageRead, Id::Message(0)))
        .await
        .unwrap();
    assert_eq!(opened.raw, raw_message());
}

pub async fn ms16_retries_wait_for_their_time_and_leases_expire(h: Harness) {
    send_mixed(&h).await;
    let claimed = h
        .store
        .claim_outbound("node-a", now(), LEASE, 1)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1, "the limit is honoured");
    let later = Timestamp::from_millis(now().as_millis() + 60_000);
    let retry = AttemptResult::Retry {
        next: later,
        reply: "connection refused".into(),
    };
    let trace = event(Action::MessageRelay, autre_operateur());
    h.store
        .finish_outbound(claimed[0].id, "node-a", &retry, &trace)
        .await
        .unwrap();
    // node-a also took the other one, then died; until its lease ends nobody gets
    // it, and the retried one is not due yet.
    let held = h
        .store
        .claim_outbound("node-a", now(), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_ne!(held[0].id, claimed[0].id);
    assert!(
        h.store
            .claim_outbound("node-b", now(), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let after_lease = Timestamp::from_millis(now().as_millis() + LEASE.as_millis() as i64 + 1);
    let again = h
        .store
        .claim_outbound("node-b", after_lease, LEASE, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 2, "the due retry and the expired lease");
    let retried = again.iter().find(|i| i.id == claimed[0].id).unwrap();
    assert_eq!(retried.attempts, 1);
    assert_eq!(retried.last_reply.as_deref(), Some("connection refused"));
}

pub async fn ms16_concurrent_claimers_never_share_a_recipient(h: Harness) {
    let alice = professional(&h, "alice", "10003090833").await;
    let raw = raw_message();
    let recipients: Vec<MailAddress> = (0..60).map(|i| remote(&format!("r{i}"))).collect();
    let traces: Vec<_> = recipients
        .iter()
        .map(|r| event(Action::MessageSubmit, Id::Domain(r.domain().clone())))
        .collect();
    let delivery = Delivery {
        raw: &raw,
        meta: b"m",
        internal: now(),
        targets: vec![],
        outbound: Some(Outbound {
            queue_ref: new_queue_ref(),
            owner: alice.id,
            return_path: "alice@caduceus.test".into(),
            recipients,
            notify_success: false,
            expires: Timestamp::from_millis(now().as_millis() + 86_400_000),
        }),
        enveloped: Vec::new(),
        receipts: Vec::new(),
    };
    h.store.deliver(&delivery, &traces).await.unwrap();
    let claimers = (0..4).map(|n| {
        let store = h.store.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim_outbound(&format!("node-{n}"), now(), LEASE, 4)
                    .await
                    .unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|i| i.id));
            }
        })
    });
    let mut all = Vec::new();
    for claimer in claimers.collect::<Vec<_>>() {
        all.extend(claimer.await.unwrap());
    }
    let total = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(
        (total, all.len()),
        (60, 60),
        "each recipient claimed exactly once"
    );
}

/// The peer's domain, as a relay trace names it (never the recipient's address).
fn autre_operateur() -> Id {
    Id::Domain(caduceus_core::Domain::parse("autre-operateur.test").unwrap())
}

/// A relayed message's receipt is recorded with its copy; the same message again
/// (a peer that missed our 250) stores nothing, its group neighbours unharmed; the
/// receipt is forgotten by the daily purge once no sender retries any more (MS-16).
pub async fn ms16_a_relay_receipt_is_recorded_with_its_copy_and_blocks_a_second_one(h: Harness) {
    let bruno = professional(&h, "bruno", "10000000009").await;
    let inbox = h.store.mailbox(bruno.id, "INBOX").await.unwrap().unwrap();
    let raw = raw_message();
    let (first, second) = ([1u8; 32], [2u8; 32]);
    let relayed = |receipt: [u8; 32]| Delivery {
        raw: &raw,
        meta: b"m",
        internal: now(),
        targets: vec![Target {
            account: bruno.id,
            mailbox: inbox.id,
            flags: vec![],
        }],
        outbound: None,
        enveloped: Vec::new(),
        receipts: vec![receipt],
    };
    let traces = [event(Action::MessageDeliver, bruno.id)];
    assert!(
        h.store
            .relay_receipts_held(&[first, second])
            .await
            .unwrap()
            .is_empty()
    );
    h.store.deliver(&relayed(first), &traces).await.unwrap();
    assert_eq!(
        h.store.relay_receipts_held(&[first, second]).await.unwrap(),
        [first]
    );
    let (first_again, second_copy) = (relayed(first), relayed(second));
    let (again, other) = tokio::join!(
        h.store.deliver(&first_again, &traces),
        h.store.deliver(&second_copy, &traces)
    );
    assert!(again.is_err(), "a receipt is recorded once");
    other.unwrap();
    assert_eq!(h.store.messages(inbox.id).await.unwrap().len(), 2);
    // Kept while a sender may still retry, purged after.
    let purge = |days: i64| {
        let at = Timestamp::from_millis(now().as_millis() + days * 86_400_000);
        h.store.purge_expired(at, now())
    };
    purge(29).await.unwrap();
    assert_eq!(
        h.store.relay_receipts_held(&[first]).await.unwrap(),
        [first]
    );
    purge(31).await.unwrap();
    assert!(
        h.store
            .relay_receipts_held(&[first])
            .await
            .unwrap()
            .is_empty()
    );
}
