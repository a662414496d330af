//! The trace chain's rows: appends inside the caller's transaction, reads for
//! verification, signed checkpoints and purges (TR-1, TR-2).

use caduceus_audit::{Checkpoint, Entry, Event, Hash};
use caduceus_core::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::exec::Value::{self, Blob, Int, MaybeText, Text};
use super::exec::{self, Statements};
use crate::error::{Result, StoreError};
use crate::model::PurgeReport;

fn hash_of(bytes: &[u8], what: &'static str) -> Result<Hash> {
    Hash::from_slice(bytes).ok_or_else(|| StoreError::Corrupt {
        what,
        detail: format!("{} bytes, expected 32", bytes.len()),
    })
}

/// Appends events to the chain inside `tx`: the head row is locked (PostgreSQL) or
/// the writer lock is held (SQLite), so entries are numbered without gaps, and they
/// commit or vanish with the action they record (TR-1).
pub(super) async fn append(
    store: &SqlStore,
    tx: &mut impl Statements,
    events: &[Event],
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let head = |row: &dyn exec::Row| Ok((row.int(0)?, row.blob(1)?));
    let (mut seq, head) = tx
        .fetch_optional(store.db.lock_trace_head_sql(), &[], head)
        .await?
        .ok_or_else(|| StoreError::Corrupt {
            what: "trace head",
            detail: "no row".into(),
        })?;
    let mut hash = hash_of(&head, "trace head hash")?;
    let mut entries = Vec::with_capacity(events.len());
    let mut checkpoints = Vec::new();
    for event in events {
        let entry = Entry::chain(seq, hash, event);
        if caduceus_audit::should_checkpoint(entry.seq, store.checkpoint_every) {
            checkpoints.push(Checkpoint::sign(
                entry.seq,
                entry.hash,
                event.at_ms,
                &store.signer,
            ));
        }
        seq = entry.seq;
        hash = entry.hash;
        entries.push(entry);
    }
    for batch in entries.chunks(ENTRIES_PER_INSERT) {
        insert_entries(store, tx, batch).await?;
    }
    for checkpoint in &checkpoints {
        insert_checkpoint(tx, checkpoint).await?;
    }
    tx.execute(
        "UPDATE trace_head SET seq = $1, hash = $2 WHERE id = 1",
        &[Int(seq), Blob(hash.as_bytes())],
    )
    .await?;
    Ok(())
}

/// Entries written by one `INSERT`: 11 values each, well under the bound-value
/// limits of SQLite (32,766) and PostgreSQL (65,535).
const ENTRIES_PER_INSERT: usize = 500;

/// Inserts entries with one statement: a FETCH of thousands of bodies writes its
/// read traces in a few statements, not one per message (TR-1).
async fn insert_entries(
    store: &SqlStore,
    tx: &mut impl Statements,
    entries: &[Entry],
) -> Result<()> {
    let rows = store.db.value_rows(entries.len(), 11);
    let sql = format!(
        "INSERT INTO traces (seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash) VALUES {rows}"
    );
    let values: Vec<Value> = entries
        .iter()
        .flat_map(|entry| {
            [
                Int(entry.seq),
                Int(entry.at_ms),
                Text(&entry.actor),
                MaybeText(entry.acting_for.as_deref()),
                Text(&entry.action),
                Text(&entry.object),
                MaybeText(entry.source.as_deref()),
                Text(&entry.outcome),
                MaybeText(entry.detail.as_deref()),
                Blob(entry.prev_hash.as_bytes()),
                Blob(entry.hash.as_bytes()),
            ]
        })
        .collect();
    tx.execute(&sql, &values).await?;
    Ok(())
}

async fn insert_checkpoint(tx: &mut impl Statements, checkpoint: &Checkpoint) -> Result<()> {
    tx.execute(
        "INSERT INTO trace_checkpoints (seq, hash, at_ms, signature) VALUES ($1, $2, $3, $4)
         ON CONFLICT (seq) DO UPDATE SET hash = $2, at_ms = $3, signature = $4",
        &[
            Int(checkpoint.seq),
            Blob(checkpoint.hash.as_bytes()),
            Int(checkpoint.at_ms),
            Blob(&checkpoint.signature),
        ],
    )
    .await?;
    Ok(())
}

impl SqlStore {
    /// Appends events in a transaction of their own.
    pub(super) async fn append_traces_now(&self, events: &[Event]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut tx = self.db.begin_write().await?;
        append(self, &mut tx, events).await?;
        tx.commit().await
    }
}

fn entry_from_row(row: &AnyRow) -> Result<Entry> {
    Ok(Entry {
        seq: row.try_get("seq")?,
        at_ms: row.try_get("at_ms")?,
        actor: row.try_get("actor")?,
        acting_for: row.try_get("acting_for")?,
        action: row.try_get("action")?,
        object: row.try_get("object")?,
        source: row.try_get("source")?,
        outcome: row.try_get("outcome")?,
        detail: row.try_get("detail")?,
        prev_hash: hash_of(&row.try_get::<Vec<u8>, _>("prev_hash")?, "trace prev_hash")?,
        hash: hash_of(&row.try_get::<Vec<u8>, _>("hash")?, "trace hash")?,
    })
}

pub(super) async fn entries(store: &SqlStore, after: i64, limit: i64) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash
         FROM traces WHERE seq > $1 ORDER BY seq LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(&store.db.pool)
    .await?;
    rows.iter().map(entry_from_row).collect()
}

pub(super) async fn entries_between(
    store: &SqlStore,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash
         FROM traces WHERE at_ms >= $1 AND at_ms <= $2 ORDER BY seq",
    )
    .bind(from.as_millis())
    .bind(until.as_millis())
    .fetch_all(&store.db.pool)
    .await?;
    rows.iter().map(entry_from_row).collect()
}

pub(super) async fn latest(
    store: &SqlStore,
    since: Timestamp,
    action: Option<&str>,
    limit: i64,
) -> Result<Vec<Entry>> {
    let filter = if action.is_some() {
        " AND action = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash
         FROM traces WHERE at_ms >= $1{filter} ORDER BY seq DESC LIMIT $2"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(since.as_millis())
        .bind(limit);
    if let Some(action) = action {
        query = query.bind(action);
    }
    let rows = query.fetch_all(&store.db.pool).await?;
    rows.iter().map(entry_from_row).collect()
}

/// See [`crate::Store::trace_entries_by_actor`].
pub(super) async fn by_actor(store: &SqlStore, actor: &str, limit: i64) -> Result<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash
         FROM traces WHERE actor = $1 ORDER BY seq DESC LIMIT $2",
    )
    .bind(actor)
    .bind(limit)
    .fetch_all(&store.db.pool)
    .await?;
    rows.iter().map(entry_from_row).collect()
}

pub(super) async fn count_by_actor(
    store: &SqlStore,
    action: &str,
    from: Timestamp,
    until: Timestamp,
) -> Result<Vec<(String, u64)>> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT actor, COUNT(*) FROM traces WHERE action = $1 AND at_ms >= $2 AND at_ms <= $3
         GROUP BY actor ORDER BY actor",
    )
    .bind(action)
    .bind(from.as_millis())
    .bind(until.as_millis())
    .fetch_all(&store.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(a, n)| (a, n.max(0) as u64))
        .collect())
}

pub(super) async fn checkpoints(store: &SqlStore) -> Result<Vec<Checkpoint>> {
    let rows: Vec<(i64, Vec<u8>, i64, Vec<u8>)> =
        sqlx::query_as("SELECT seq, hash, at_ms, signature FROM trace_checkpoints ORDER BY seq")
            .fetch_all(&store.db.pool)
            .await?;
    rows.into_iter()
        .map(|(seq, hash, at_ms, signature)| {
            Ok(Checkpoint {
                seq,
                hash: hash_of(&hash, "checkpoint hash")?,
                at_ms,
                signature: signature
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt {
                        what: "checkpoint signature",
                        detail: format!("{} bytes, expected 64", signature.len()),
                    })?,
            })
        })
        .collect()
}

/// Deletes entries older than `before` and the checkpoints they make obsolete, and
/// leaves a signed anchor at the cut, all in one transaction with the purge's own
/// trace (TR-2).
pub(super) async fn purge(
    store: &SqlStore,
    before: Timestamp,
    trace: &Event,
) -> Result<PurgeReport> {
    let mut tx = store.db.begin_write().await?;
    let cut: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM traces WHERE at_ms < $1")
        .bind(before.as_millis())
        .fetch_one(&mut *tx.tx)
        .await?;
    let Some(cut) = cut else {
        tx.commit().await?;
        return Ok(PurgeReport {
            removed: 0,
            cut: None,
        });
    };
    let row = sqlx::query(
        "SELECT seq, at_ms, actor, acting_for, action, object, source, outcome, detail, prev_hash, hash
         FROM traces WHERE seq = $1",
    )
    .bind(cut)
    .fetch_one(&mut *tx.tx)
    .await?;
    let last = entry_from_row(&row)?;
    let anchor = caduceus_audit::purge_cut(&last, trace.at_ms, &store.signer);
    insert_checkpoint(&mut tx, &anchor).await?;
    let removed = sqlx::query("DELETE FROM traces WHERE seq <= $1")
        .bind(cut)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected() as i64;
    sqlx::query("DELETE FROM trace_checkpoints WHERE seq < $1")
        .bind(cut)
        .execute(&mut *tx.tx)
        .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    Ok(PurgeReport {
        removed,
        cut: Some(cut),
    })
}
