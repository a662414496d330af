//! The outbound queue (MS-4, MS-16): recipients at other operators, claimed by one
//! node at a time under a lease, settled with their trace; the queued copy is
//! destroyed once its last recipient is settled.

use caduceus_audit::{Event, Id, QueueRef};
use caduceus_core::{MailAddress, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::db::Backend;
use super::exec::Statements;
use super::exec::Value::{Int, Text};
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::seal::context;

const COLUMNS: &str = "id, queue_ref, account_id, return_path, recipient, state, attempts, \
                       created_ms, next_ms, expires_ms, notify_success, last_reply";

fn item_from_row(row: &AnyRow) -> Result<OutboundItem> {
    let recipient: String = row.try_get("recipient")?;
    let state: String = row.try_get("state")?;
    let corrupt = |what: String| StoreError::Conflict {
        what: "outbound row",
        detail: what,
    };
    Ok(OutboundItem {
        id: row.try_get("id")?,
        queue_ref: row.try_get("queue_ref")?,
        owner: AccountId(row.try_get("account_id")?),
        return_path: row.try_get("return_path")?,
        recipient: MailAddress::parse(&recipient)
            .map_err(|e| corrupt(format!("recipient: {e}")))?,
        state: OutboundState::parse(&state).ok_or_else(|| corrupt(format!("state {state:?}")))?,
        attempts: row.try_get("attempts")?,
        created: Timestamp::from_millis(row.try_get("created_ms")?),
        next_attempt: Timestamp::from_millis(row.try_get("next_ms")?),
        expires: Timestamp::from_millis(row.try_get("expires_ms")?),
        notify_success: row.try_get::<i64, _>("notify_success")? != 0,
        last_reply: row.try_get("last_reply")?,
    })
}

/// Inserts one queue row per recipient inside the delivering transaction; returns
/// the traces with `queue:<ref>` appended to their objects.
pub(super) async fn enqueue(
    tx: &mut impl Statements,
    outbound: &Outbound,
    blob_id: &str,
    key_ref: &str,
    at: i64,
    traces: &[Event],
) -> Result<Vec<Event>> {
    let mut events = Vec::with_capacity(traces.len());
    for (recipient, trace) in outbound.recipients.iter().zip(traces) {
        tx.execute(
            "INSERT INTO outbound (queue_ref, account_id, blob_id, key_ref, return_path, recipient,
                                   notify_success, state, attempts, created_ms, next_ms, expires_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8, $9)",
            &[
                Text(&outbound.queue_ref),
                Int(outbound.owner.0),
                Text(blob_id),
                Text(key_ref),
                Text(&outbound.return_path),
                Text(recipient.as_str()),
                Int(i64::from(outbound.notify_success)),
                Int(at),
                Int(outbound.expires.as_millis()),
            ],
        )
        .await?;
        let mut event = trace.clone();
        let queue = QueueRef::parse(&outbound.queue_ref).ok_or_else(|| StoreError::Corrupt {
            what: "outbound queue reference",
            detail: "not 32 lowercase hex digits".into(),
        })?;
        event.object.push(Id::Queue(queue));
        events.push(event);
    }
    Ok(events)
}

pub(super) async fn claim(
    store: &SqlStore,
    node: &str,
    now: Timestamp,
    lease: std::time::Duration,
    limit: i64,
) -> Result<Vec<OutboundItem>> {
    let now_ms = now.as_millis();
    let until = now_ms.saturating_add(i64::try_from(lease.as_millis()).unwrap_or(i64::MAX));
    // PostgreSQL: concurrent claimers skip each other's rows instead of waiting, and
    // never both take one. SQLite has a single writer, so the plain subquery is atomic.
    let lock = match store.db.backend {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbound SET claimed_by = $1, claimed_until_ms = $2
         WHERE id IN (SELECT id FROM outbound
                      WHERE state = 'queued' AND next_ms <= $3
                        AND (claimed_until_ms IS NULL OR claimed_until_ms < $3)
                      ORDER BY next_ms, id LIMIT $4 {lock})
         RETURNING {COLUMNS}"
    );
    let mut tx = store.db.begin_write().await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(node)
        .bind(until)
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    let mut items = rows.iter().map(item_from_row).collect::<Result<Vec<_>>>()?;
    items.sort_by_key(|item| item.id);
    Ok(items)
}

pub(super) async fn open(store: &SqlStore, id: i64) -> Result<Vec<u8>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT blob_id, key_ref FROM outbound WHERE id = $1")
            .bind(id)
            .fetch_optional(&store.db.pool)
            .await?;
    let (blob_id, key_ref) = row.ok_or_else(|| StoreError::NotFound {
        what: "queued message",
        id: id.to_string(),
    })?;
    let key = store.keyring.message_key(&key_ref, id).await?;
    let sealed = store.blobs.get(&blob_id).await?;
    Ok(key.open_owned(&context::blob(&blob_id), sealed, "queued message")?)
}

pub(super) async fn finish(
    store: &SqlStore,
    id: i64,
    node: &str,
    result: &AttemptResult,
    trace: &Event,
) -> Result<bool> {
    let next = match result {
        AttemptResult::Retry { next, .. } => Some(next.as_millis()),
        _ => None,
    };
    let mut tx = store.db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE outbound SET state = $1, attempts = attempts + 1, last_reply = $2,
                             next_ms = COALESCE($3, next_ms),
                             claimed_by = NULL, claimed_until_ms = NULL
         WHERE id = $4 AND claimed_by = $5 AND state = 'queued'",
    )
    .bind(result.state().as_str())
    .bind(result.reply())
    .bind(next)
    .bind(id)
    .bind(node)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Ok(false);
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    if result.state().is_final() {
        destroy_if_settled(store, id).await?;
    }
    Ok(true)
}

/// Once no recipient of the message is waiting, its queued copy is destroyed: the
/// key first, then the blob if no mailbox copy shares it.
async fn destroy_if_settled(store: &SqlStore, id: i64) -> Result<()> {
    let (queue_ref, blob_id, key_ref): (String, String, String) =
        sqlx::query_as("SELECT queue_ref, blob_id, key_ref FROM outbound WHERE id = $1")
            .bind(id)
            .fetch_one(&store.db.pool)
            .await?;
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbound WHERE queue_ref = $1 AND state = 'queued'",
    )
    .bind(&queue_ref)
    .fetch_one(&store.db.pool)
    .await?;
    if waiting > 0 {
        return Ok(());
    }
    store.keyring.destroy_message_keys(&[key_ref]).await?;
    super::messages::drop_unreferenced_blobs(store, &[blob_id]).await
}

pub(super) async fn status(store: &SqlStore, queue_ref: &str) -> Result<Vec<OutboundItem>> {
    let sql = format!("SELECT {COLUMNS} FROM outbound WHERE queue_ref = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(queue_ref)
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(item_from_row).collect()
}

pub(super) async fn depth(store: &SqlStore) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbound WHERE state = 'queued'")
            .fetch_one(&store.db.pool)
            .await?,
    )
}

/// The receipts among `receipts` already recorded (MS-16): relayed messages stored
/// before, which the peer is sending again.
pub(super) async fn receipts_held(
    store: &SqlStore,
    receipts: &[[u8; 32]],
) -> Result<Vec<[u8; 32]>> {
    let mut held = Vec::new();
    for receipt in receipts {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT at_ms FROM relay_receipts WHERE receipt = $1")
                .bind(&receipt[..])
                .fetch_optional(&store.db.pool)
                .await?;
        if found.is_some() {
            held.push(*receipt);
        }
    }
    Ok(held)
}
