//! Group commit of deliveries (MS-4, TR-1): deliveries that arrive together are
//! written in one transaction and synced once, each answered only after that commit.
//!
//! [`Committer`] is the store's queue of sealed deliveries, served by one task per
//! store. Each `deliver` seals its message, sends a [`Prepared`] delivery and awaits
//! its answer. The task takes whatever is waiting (up to [`GROUP_MAX`]) and:
//! 1. stores every wrapped message key of the group in one keyring transaction;
//! 2. opens one write transaction on the data database and applies each delivery
//!    inside a savepoint of its own (when it has neighbours): one that fails (a
//!    missing folder, a refused row) is rolled back to its savepoint and fails alone,
//!    never its neighbours;
//! 3. appends the traces of the deliveries that succeeded, in queue order, to the
//!    hash chain in that same transaction, and commits;
//! 4. answers every waiter: its copies, its own failure, or, when a step common to
//!    the group fails (the keyring, the commit itself, a full disk), the group's one
//!    error ([`StoreError::Shared`]; a delivery that formed a group alone gets the
//!    error itself): nothing is acknowledged that is not durable.
//!
//! Nothing waits on a timer: a lone delivery is committed at once, and a group forms
//! from the deliveries that arrive while the previous group syncs.
//!
//! The steps are written once against [`Statements`]: through sqlx on PostgreSQL; on
//! SQLite both transactions run on one blocking thread, on the committer's own
//! connections (`sqlite_direct`), without a hand-off to sqlx's worker per statement.

use std::sync::Arc;

use caduceus_audit::Event;
use tokio::sync::{mpsc, oneshot};

use futures::executor::block_on;

use super::SqlStore;
use super::exec::Statements;
use super::exec::Value::{Blob, Int, Text};
use super::messages::{join_flags, next_uid};
use super::traces::append;
use crate::blob::Staged;
use crate::error::{Result, StoreError};
use crate::keyring::WrappedMessageKey;
use crate::model::{Delivered, MessageId, Outbound, Target};

/// The most deliveries one transaction takes; more wait for the next one.
pub(crate) const GROUP_MAX: usize = 128;

/// Deliveries waiting for the committer at most; a `deliver` beyond waits to queue.
const QUEUE_MAX: usize = 1024;

/// A delivery sealed and staged, owning all the transaction needs to write it.
pub(super) struct Prepared {
    /// The sealed bodies: the one the copies and the queue share (when any copy or
    /// queued recipient shares the message's bytes), then one per copy enveloped to
    /// its recipient (MS-3).
    pub bodies: Vec<SealedBody>,
    /// Arrival time (ms).
    pub at: i64,
    /// The recipients at other operators, queued with the first body, whose last
    /// wrapped key is the outbound owner's.
    pub outbound: Option<Outbound>,
    /// One event per target of each body in order, then one per queued recipient.
    pub traces: Vec<Event>,
    /// The relay receipts to record with the copies (MS-16).
    pub receipts: Vec<[u8; 32]>,
}

/// A message body sealed under its own key and staged, with the copies made of it.
pub(super) struct SealedBody {
    /// The id of the sealed body.
    pub blob_id: String,
    /// The sealed body (a row to insert) or the note that its file is written.
    pub staged: Staged,
    /// The metadata sealed with the message key.
    pub sealed_meta: Vec<u8>,
    /// The raw message's size in bytes.
    pub size: i64,
    /// Where copies go; `wrapped[i]` is the key for `targets[i]`.
    pub targets: Vec<Target>,
    /// The message key wrapped for each target (then, for the first body of a
    /// delivery with queued recipients, for the outbound owner).
    pub wrapped: Vec<WrappedMessageKey>,
}

impl SealedBody {
    /// The same body, copied to `targets`.
    pub fn with(self, targets: Vec<Target>) -> SealedBody {
        SealedBody { targets, ..self }
    }
}

struct Job {
    prepared: Prepared,
    answer: oneshot::Sender<Result<Vec<Delivered>>>,
}

/// The queue in front of a store's committer task; cheap to clone.
#[derive(Clone, Debug)]
pub(crate) struct Committer {
    queue: mpsc::Sender<Job>,
}

impl Committer {
    /// A committer that takes nothing: the handle the committer task's own copy of
    /// the store holds, so that the task ends when every other handle is dropped.
    pub fn closed() -> Committer {
        let (queue, _) = mpsc::channel(1);
        Committer { queue }
    }

    /// Starts the committer task of `store` (whose own committer is
    /// [`Committer::closed`]) on the current runtime.
    pub fn start(store: SqlStore) -> Committer {
        let (queue, jobs) = mpsc::channel(QUEUE_MAX);
        tokio::spawn(run(store, jobs));
        Committer { queue }
    }

    /// Queues `prepared` and waits until its group is committed (MS-4).
    pub async fn deliver(&self, prepared: Prepared) -> Result<Vec<Delivered>> {
        let (answer, answered) = oneshot::channel();
        self.queue
            .send(Job { prepared, answer })
            .await
            .map_err(|_| StoreError::Stopped)?;
        answered.await.map_err(|_| StoreError::Stopped)?
    }
}

/// The committer task: one group at a time, until every handle on the queue is gone.
async fn run(store: SqlStore, mut jobs: mpsc::Receiver<Job>) {
    let mut group = Vec::with_capacity(GROUP_MAX);
    while jobs.recv_many(&mut group, GROUP_MAX).await > 0 {
        let (prepared, answers): (Vec<Prepared>, Vec<_>) = group
            .drain(..)
            .map(|job| (job.prepared, job.answer))
            .unzip();
        match commit_group(&store, prepared).await {
            Ok(results) => {
                for (answer, result) in answers.into_iter().zip(results) {
                    // A waiter that gave up (its connection closed) needs no answer.
                    let _ = answer.send(result);
                }
            }
            Err(error) => {
                let shared = Arc::new(error);
                for answer in answers {
                    let _ = answer.send(Err(StoreError::Shared(shared.clone())));
                }
            }
        }
    }
}

/// Writes a group: `Ok` with each delivery's own result once the group is durable,
/// `Err` when nothing of it was committed. A delivery alone gets its own error.
async fn commit_group(
    store: &SqlStore,
    group: Vec<Prepared>,
) -> Result<Vec<Result<Vec<Delivered>>>> {
    let alone = group.len() == 1;
    let written = match (store.db.sqlite_direct(), store.keyring.sqlite_direct()) {
        // SQLite: the whole group on one blocking thread, off sqlx (`sqlite_direct`).
        (Some(data), Some(keys)) => {
            let (store, data, keys) = (store.clone(), data.clone(), keys.clone());
            let written = tokio::task::spawn_blocking(move || {
                keys.write(|tx| block_on(store.keyring.put_in(tx, &message_keys(&group))))?;
                data.write(|tx| block_on(write_group(&store, tx, group)))
            })
            .await;
            match written {
                Ok(written) => written,
                Err(stopped) if stopped.is_panic() => {
                    std::panic::resume_unwind(stopped.into_panic())
                }
                Err(_) => Err(StoreError::Stopped),
            }
        }
        // PostgreSQL: through sqlx; a transaction dropped unfinished is rolled back.
        _ => {
            async {
                store.keyring.put(&message_keys(&group)).await?;
                let mut tx = store.db.begin_write().await?;
                let written = write_group(store, &mut tx, group).await?;
                tx.commit().await?;
                Ok(written)
            }
            .await
        }
    };
    match written {
        Ok((results, mailboxes)) => {
            store.touched(&mailboxes);
            Ok(results)
        }
        Err(failed) if alone => Ok(vec![Err(failed)]),
        Err(failed) => Err(failed),
    }
}

/// The wrapped message keys of a group, each with its delivery's time.
fn message_keys(group: &[Prepared]) -> Vec<(&[WrappedMessageKey], i64)> {
    group
        .iter()
        .flat_map(|p| p.bodies.iter().map(|b| (&b.wrapped[..], p.at)))
        .collect()
}

/// Writes a group's deliveries, then their traces, in `tx`: each delivery's own result
/// and the mailboxes that changed; `Err` when `tx` is to be rolled back whole.
async fn write_group(
    store: &SqlStore,
    tx: &mut impl Statements,
    group: Vec<Prepared>,
) -> Result<(Vec<Result<Vec<Delivered>>>, Vec<i64>)> {
    let mut results = Vec::with_capacity(group.len());
    let mut events = Vec::new();
    let mut mailboxes = Vec::new();
    // A delivery alone needs no savepoint: its failure is the transaction's, which
    // is rolled back (two statements fewer at low load).
    let alone = group.len() == 1;
    for prepared in group {
        if !alone {
            tx.execute("SAVEPOINT delivery", &[]).await?;
        }
        match apply(tx, prepared).await {
            Ok((delivered, written)) => {
                if !alone {
                    tx.execute("RELEASE SAVEPOINT delivery", &[]).await?;
                }
                mailboxes.extend(delivered.iter().map(|d| d.mailbox.0));
                events.extend(written);
                results.push(Ok(delivered));
            }
            Err(failed) if alone => return Err(failed),
            Err(failed) => {
                // When the engine ended the whole transaction (SQLite on a full disk)
                // the savepoint is gone with it: the group fails with the cause.
                if tx
                    .execute("ROLLBACK TO SAVEPOINT delivery", &[])
                    .await
                    .is_err()
                {
                    return Err(failed);
                }
                results.push(Err(failed));
            }
        }
    }
    mailboxes.sort_unstable();
    mailboxes.dedup();
    store.announce(tx, &mailboxes).await?;
    append(store, tx, &events).await?;
    Ok((results, mailboxes))
}

/// Writes one delivery in `tx`: each body's blob row, a message row per target with
/// its UID and MODSEQ, the queue rows; returns the copies and their trace events (with
/// the message ids), to be chained after the group's writes.
async fn apply(
    tx: &mut impl Statements,
    prepared: Prepared,
) -> Result<(Vec<Delivered>, Vec<Event>)> {
    let Prepared {
        bodies,
        at,
        outbound,
        traces,
        receipts,
    } = prepared;
    // A receipt already recorded (the same relayed message again, from a peer that
    // did not learn of our 250) breaks the key: the delivery stores nothing (MS-16).
    for receipt in &receipts {
        tx.execute(
            "INSERT INTO relay_receipts (receipt, at_ms) VALUES ($1, $2)",
            &[Blob(receipt), Int(at)],
        )
        .await?;
    }
    let remote = outbound.as_ref().map_or(0, |o| o.recipients.len());
    let (copy_traces, queue_traces) = traces.split_at(traces.len() - remote);
    let mut copy_traces = copy_traces.iter();
    let mut delivered = Vec::with_capacity(copy_traces.len());
    let mut events = Vec::with_capacity(traces.len());
    // The queue shares the first body, under its last key.
    let queued_with = outbound.as_ref().and(bodies.first()).and_then(|body| {
        let key = body.wrapped.last()?;
        Some((body.blob_id.clone(), key.key_ref.clone()))
    });
    for body in bodies {
        body.staged.insert(tx, &body.blob_id).await?;
        for ((target, key), trace) in body.targets.iter().zip(&body.wrapped).zip(&mut copy_traces) {
            let (uid, modseq) = next_uid(tx, target.mailbox, target.account).await?;
            let flags = join_flags(&target.flags)?;
            let id = tx
                .fetch_optional(
                    "INSERT INTO messages (mailbox_id, uid, modseq, blob_id, key_ref, flags, internal_ms, size, meta)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     RETURNING id",
                    &[
                        Int(target.mailbox.0),
                        Int(uid),
                        Int(modseq),
                        Text(&body.blob_id),
                        Text(&key.key_ref),
                        Text(&flags),
                        Int(at),
                        Int(body.size),
                        Blob(&body.sealed_meta),
                    ],
                    |row| row.int(0),
                )
                .await?
                .ok_or_else(|| StoreError::Corrupt {
                    what: "message insert",
                    detail: "no id returned".into(),
                })?;
            let mut event = trace.clone();
            event.object.push(MessageId(id));
            events.push(event);
            delivered.push(Delivered {
                account: target.account,
                mailbox: target.mailbox,
                message: MessageId(id),
                uid,
                modseq,
            });
        }
    }
    if let (Some(outbound), Some((blob_id, key_ref))) = (&outbound, queued_with) {
        events.extend(
            super::outbound::enqueue(tx, outbound, &blob_id, &key_ref, at, queue_traces).await?,
        );
    }
    Ok((delivered, events))
}
