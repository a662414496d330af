//! Mailboxes and messages: sealed delivery, listing, opening, flags, deletion.

use caduceus_audit::Event;
use caduceus_core::object_id::ObjectId;
use caduceus_core::{FlagChange, Timestamp};
use sqlx::Row;
use sqlx::any::AnyRow;

use std::collections::HashMap;

use super::SqlStore;
use super::commit::{Prepared, SealedBody};
use super::db::{BATCH, Backend};
use super::exec::{self, Value};
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::keyring::StoredKey;
use crate::listing::PresentMessage;
use crate::model::*;
use crate::seal::{SymmetricKey, context, random_id};

pub(super) const MAILBOX_COLUMNS: &str =
    "id, account_id, name, special_use, uidvalidity, uidnext, highest_modseq";
const SUMMARY_COLUMNS: &str = "id, mailbox_id, uid, modseq, flags, internal_ms, size, blob_id";

/// A folder from the columns of [`MAILBOX_COLUMNS`], in that order.
pub(super) fn mailbox_from_row(row: &dyn exec::Row) -> Result<Mailbox> {
    Ok(Mailbox {
        id: MailboxId(row.int(0)?),
        account: AccountId(row.int(1)?),
        name: row.text(2)?,
        special_use: row.maybe_text(3)?,
        uidvalidity: row.int(4)?,
        uidnext: row.int(5)?,
        highest_modseq: row.int(6)?,
    })
}

fn summary_from_row(row: &AnyRow) -> Result<MessageSummary> {
    Ok(MessageSummary {
        id: MessageId(row.try_get("id")?),
        mailbox: MailboxId(row.try_get("mailbox_id")?),
        uid: row.try_get("uid")?,
        modseq: row.try_get("modseq")?,
        flags: split_flags(&row.try_get::<String, _>("flags")?),
        internal: Timestamp::from_millis(row.try_get("internal_ms")?),
        size: row.try_get("size")?,
        email_id: ObjectId::email(&row.try_get::<String, _>("blob_id")?),
    })
}

/// Flags are stored space-separated (an IMAP flag never contains a space).
pub(crate) fn split_flags(stored: &str) -> Vec<String> {
    stored.split_whitespace().map(str::to_owned).collect()
}

pub(super) fn join_flags(flags: &[String]) -> Result<String> {
    if let Some(bad) = flags
        .iter()
        .find(|f| f.is_empty() || f.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(StoreError::Conflict {
            what: "flag",
            detail: format!("invalid flag {bad:?}"),
        });
    }
    Ok(flags.join(" "))
}

pub(super) async fn mailboxes(store: &SqlStore, account: AccountId) -> Result<Vec<Mailbox>> {
    let sql = format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account.0)
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(|row| mailbox_from_row(row)).collect()
}

pub(super) async fn mailbox(
    store: &SqlStore,
    account: AccountId,
    name: &str,
) -> Result<Option<Mailbox>> {
    let sql =
        format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE account_id = $1 AND name = $2");
    let values = [Value::Int(account.0), Value::Text(name)];
    store
        .db
        .read_optional(&sql, &values, mailbox_from_row)
        .await
}

/// Keys, then the blobs, then rows and traces in one transaction: once this returns
/// every copy is durable; a crash before the commit leaves only unreferenced keys and
/// blobs, never a half-delivered message. The message is sealed here, on the
/// caller's task — once for the copies that share its bytes and the queue, once for
/// each copy enveloped to its recipient (MS-3); the writes go through the store's
/// group commit (`commit`), which shares one transaction and one sync among the
/// deliveries that arrive together.
pub(super) async fn deliver(
    store: &SqlStore,
    delivery: &Delivery<'_>,
    traces: &[Event],
) -> Result<Vec<Delivered>> {
    let remote = delivery.outbound.as_ref().map_or(0, |o| o.recipients.len());
    let copies = delivery.targets.len() + delivery.enveloped.len();
    if traces.len() != copies + remote {
        return Err(StoreError::Trace(format!(
            "{} trace events for {copies} delivery targets and {remote} queued recipients; one each is required",
            traces.len(),
        )));
    }
    let mut bodies = Vec::with_capacity(1 + delivery.enveloped.len());
    if !delivery.targets.is_empty() || delivery.outbound.is_some() {
        let mut owners: Vec<AccountId> = delivery.targets.iter().map(|t| t.account).collect();
        owners.extend(delivery.outbound.as_ref().map(|o| o.owner));
        let body = seal_body(store, delivery.raw, delivery.meta, &owners).await?;
        bodies.push(body.with(delivery.targets.clone()));
    }
    for copy in &delivery.enveloped {
        let body = seal_body(store, &copy.raw, &copy.meta, &[copy.target.account]).await?;
        bodies.push(body.with(vec![copy.target.clone()]));
    }
    store
        .committer
        .deliver(Prepared {
            bodies,
            at: delivery.internal.as_millis(),
            outbound: delivery.outbound.clone(),
            traces: traces.to_vec(),
            receipts: delivery.receipts.clone(),
        })
        .await
}

/// A message sealed under a new key wrapped for each of `owners`, its body staged.
async fn seal_body(
    store: &SqlStore,
    raw: &[u8],
    meta: &[u8],
    owners: &[AccountId],
) -> Result<SealedBody> {
    let blob_id = random_id();
    let message_key = SymmetricKey::generate();
    let mut wrapped = Vec::with_capacity(owners.len());
    for owner in owners {
        wrapped.push(store.keyring.wrap_for(owner.0, &message_key).await?);
    }
    let sealed_meta = message_key.seal(&context::meta(&blob_id), meta);
    let staged = store
        .blobs
        .stage(&blob_id, message_key.seal(&context::blob(&blob_id), raw))
        .await?;
    Ok(SealedBody {
        blob_id,
        staged,
        sealed_meta,
        size: raw.len() as i64,
        targets: Vec::new(),
        wrapped,
    })
}

/// Takes the next UID of `mailbox` (of `account`) and a new MODSEQ, in `tx`: UIDs
/// and MODSEQs are assigned in the transaction that inserts the message.
pub(super) async fn next_uid(
    tx: &mut impl super::exec::Statements,
    mailbox: MailboxId,
    account: AccountId,
) -> Result<(i64, i64)> {
    use super::exec::Value::Int;
    tx.fetch_optional(
        "UPDATE mailboxes SET uidnext = uidnext + 1, highest_modseq = highest_modseq + 1
         WHERE id = $1 AND account_id = $2
         RETURNING uidnext - 1, highest_modseq",
        &[Int(mailbox.0), Int(account.0)],
        |row| Ok((row.int(0)?, row.int(1)?)),
    )
    .await?
    .ok_or_else(|| StoreError::NotFound {
        what: "mailbox",
        id: format!("{mailbox} of {account}"),
    })
}

pub(super) async fn account_usage(store: &SqlStore, account: AccountId) -> Result<(u64, u64)> {
    let (bytes, count): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(m.size), 0) AS BIGINT), COUNT(*) FROM messages m
         JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.account_id = $1",
    )
    .bind(account.0)
    .fetch_one(&store.db.pool)
    .await?;
    Ok((bytes.max(0) as u64, count.max(0) as u64))
}

pub(super) async fn messages(store: &SqlStore, mailbox: MailboxId) -> Result<Vec<MessageSummary>> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM messages WHERE mailbox_id = $1 ORDER BY uid");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(mailbox.0)
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(summary_from_row).collect()
}

pub(super) async fn changed_since(
    store: &SqlStore,
    mailbox: MailboxId,
    modseq: i64,
) -> Result<Vec<MessageSummary>> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM messages WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(mailbox.0)
        .bind(modseq)
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(summary_from_row).collect()
}

pub(super) async fn message(store: &SqlStore, id: MessageId) -> Result<MessageSummary> {
    summary_from_row(&message_row(store, id, "").await?)
}

/// The row of message `id` with the summary columns and `extra` ones.
async fn message_row(store: &SqlStore, id: MessageId, extra: &str) -> Result<AnyRow> {
    let sql = format!("SELECT {SUMMARY_COLUMNS}{extra} FROM messages WHERE id = $1");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&store.db.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "message",
            id: id.to_string(),
        })
}

pub(super) async fn open(store: &SqlStore, id: MessageId, trace: &Event) -> Result<OpenedMessage> {
    let opened = open_untraced(store, id).await?;
    store.append_traces_now(std::slice::from_ref(trace)).await?;
    Ok(opened)
}

/// Opens several messages of `folder`, then appends `traces` (one per message read,
/// or none for a peek) in one commit: a client fetching thousands of bodies costs one
/// trace commit, not thousands (TR-1). Rows, keys and bodies are read in batches;
/// with [`Unseal::MetaOnly`] the bodies are not read at all. A message that is not
/// in `folder` is `NotFound`, as a missing one.
pub(super) async fn open_many(
    store: &SqlStore,
    folder: MailboxId,
    ids: &[MessageId],
    unseal: Unseal,
    traces: &[Event],
) -> Result<Vec<OpenedMessage>> {
    let mut opened = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        opened.extend(open_chunk(store, Some(folder), chunk, unseal).await?);
    }
    store.append_traces_now(traces).await?;
    Ok(opened)
}

/// A message as stored: its summary and its sealed parts, with its key still
/// wrapped for its account (`None` once the key was destroyed, RT-3).
pub(crate) struct SealedRow {
    pub summary: MessageSummary,
    pub blob_id: String,
    pub key_ref: String,
    pub meta: Vec<u8>,
    /// The sealed body when it is kept in the database and was asked for.
    pub inline_body: Option<Vec<u8>>,
    pub wrapped_key: Option<(i64, Vec<u8>)>,
}

/// Opens `ids`, in their order; with `folder`, only messages of that folder count.
/// The first that is missing is `NotFound`, the first whose key is gone
/// `ContentDestroyed`.
async fn open_chunk(
    store: &SqlStore,
    folder: Option<MailboxId>,
    ids: &[MessageId],
    unseal: Unseal,
) -> Result<Vec<OpenedMessage>> {
    open_each(store, folder, ids, unseal)
        .await?
        .into_iter()
        .collect()
}

/// Opens the messages of `ids` still in `folder`, in the order of `ids`: `None` for
/// one that is gone or whose key is destroyed (an expunge of another session, RFC
/// 2180 §4.1; its key goes first, then its row: RT-3). No trace is appended: the
/// caller traces the messages opened (TR-1).
pub(super) async fn open_present(
    store: &SqlStore,
    folder: MailboxId,
    ids: &[MessageId],
    unseal: Unseal,
) -> Result<Vec<Option<OpenedMessage>>> {
    let mut opened = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        for one in open_each(store, Some(folder), chunk, unseal).await? {
            opened.push(match one {
                Ok(message) => Some(message),
                Err(StoreError::NotFound { .. }) => None,
                Err(error) => return Err(error),
            });
        }
    }
    Ok(opened)
}

/// Those of `ids` still in `folder`, in the order of `ids`, from their rows alone:
/// no sealed column, no key (on SQLite through [`super::sqlite_reads`], as the
/// sealed rows).
pub(super) async fn present(
    store: &SqlStore,
    folder: MailboxId,
    ids: &[MessageId],
) -> Result<Vec<Option<PresentMessage>>> {
    let mut present = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        let rows = match &store.reads {
            Some(reads) => reads.present_rows(folder, chunk).await?,
            None => present_rows(store, folder, chunk).await?,
        };
        let mut by_id: HashMap<i64, PresentMessage> =
            rows.into_iter().map(|row| (row.id.0, row)).collect();
        present.extend(chunk.iter().map(|id| by_id.remove(&id.0)));
    }
    Ok(present)
}

/// The rows of `ids` in `folder`, through sqlx, in any order.
async fn present_rows(
    store: &SqlStore,
    folder: MailboxId,
    ids: &[MessageId],
) -> Result<Vec<PresentMessage>> {
    let sql = format!(
        "SELECT id, uid, blob_id FROM messages WHERE id IN ({}) AND mailbox_id = {}",
        store.db.placeholders(1, ids.len()),
        store.db.placeholders(ids.len() + 1, 1)
    );
    let mut query = sqlx::query_as::<_, (i64, i64, String)>(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id.0);
    }
    let rows = query.bind(folder.0).fetch_all(&store.db.pool).await?;
    Ok(rows
        .into_iter()
        .map(|(id, uid, blob_id)| PresentMessage {
            id: MessageId(id),
            uid,
            blob_id,
        })
        .collect())
}

/// Opens `ids`, each on its own, in their order, with one read of the rows and
/// keys for all: `NotFound` for one that is missing (or, with `folder`, not in it),
/// `ContentDestroyed` for one whose key is gone; failing to read fails the call.
async fn open_each(
    store: &SqlStore,
    folder: Option<MailboxId>,
    ids: &[MessageId],
    unseal: Unseal,
) -> Result<Vec<Result<OpenedMessage>>> {
    let rows = match &store.reads {
        Some(reads) => reads.sealed_rows(folder, ids, unseal).await?,
        None => sealed_rows(store, folder, ids, unseal).await?,
    };
    let mut by_id: HashMap<i64, SealedRow> = rows
        .into_iter()
        .map(|row| (row.summary.id.0, row))
        .collect();
    let found: Vec<Option<SealedRow>> = ids.iter().map(|id| by_id.remove(&id.0)).collect();
    let stored: Vec<StoredKey> = found
        .iter()
        .flatten()
        .map(|row| StoredKey {
            message_id: row.summary.id.0,
            key_ref: &row.key_ref,
            wrapped: (row.wrapped_key.as_ref()).map(|(account, key)| (*account, key.as_slice())),
        })
        .collect();
    let mut keys = store
        .keyring
        .unwrap_message_keys(&stored)
        .await?
        .into_iter();
    let mut opened = Vec::with_capacity(found.len());
    for (id, row) in ids.iter().zip(found) {
        let Some(row) = row else {
            opened.push(Err(StoreError::NotFound {
                what: "message",
                id: id.to_string(),
            }));
            continue;
        };
        let key = keys.next().expect("one key for each row found");
        opened.push(match key {
            Ok(key) => unseal_row(store, row, &key, unseal).await,
            Err(error) => Err(error),
        });
    }
    Ok(opened)
}

/// A message's metadata and, with [`Unseal::Whole`], its body, opened with its key.
async fn unseal_row(
    store: &SqlStore,
    row: SealedRow,
    key: &SymmetricKey,
    unseal: Unseal,
) -> Result<OpenedMessage> {
    let SealedRow {
        summary,
        blob_id,
        meta,
        inline_body,
        ..
    } = row;
    let meta = match unseal {
        Unseal::BodyOnly => Vec::new(),
        Unseal::Whole | Unseal::MetaOnly => {
            key.open_owned(&context::meta(&blob_id), meta, "message metadata")?
        }
    };
    let raw = match (unseal, inline_body) {
        (Unseal::MetaOnly, _) => Vec::new(),
        (Unseal::Whole | Unseal::BodyOnly, Some(sealed)) => {
            key.open_owned(&context::blob(&blob_id), sealed, "message body")?
        }
        (Unseal::Whole | Unseal::BodyOnly, None) => {
            let sealed = store.blobs.get(&blob_id).await?;
            key.open_owned(&context::blob(&blob_id), sealed, "message body")?
        }
    };
    Ok(OpenedMessage { summary, raw, meta })
}

/// The columns a read of sealed rows selects for the metadata and the body: `meta`
/// and `body` when `unseal` opens them, `none` (a SQL `NULL`) when not.
pub(crate) fn sealed_columns<'a>(
    unseal: Unseal,
    meta: &'a str,
    body: &'a str,
    none: &'a str,
) -> (&'a str, &'a str) {
    match unseal {
        Unseal::Whole => (meta, body),
        Unseal::MetaOnly => (meta, none),
        Unseal::BodyOnly => (none, body),
    }
}

/// The rows of `ids` that exist (and, with `folder`, are in it), through sqlx, with
/// their wrapped keys from the keyring.
async fn sealed_rows(
    store: &SqlStore,
    folder: Option<MailboxId>,
    ids: &[MessageId],
    unseal: Unseal,
) -> Result<Vec<SealedRow>> {
    let (meta_column, body_column) = sealed_columns(unseal, "m.meta", "b.data", "NULL");
    let in_folder = match folder {
        Some(_) => format!(
            " AND m.mailbox_id = {}",
            store.db.placeholders(ids.len() + 1, 1)
        ),
        None => String::new(),
    };
    let sql = format!(
        "SELECT m.id, m.mailbox_id, m.uid, m.modseq, m.flags, m.internal_ms, m.size, \
         m.blob_id, m.key_ref, {meta_column} AS meta, {body_column} AS inline_body FROM messages m \
         LEFT JOIN blob_data b ON b.id = m.blob_id WHERE m.id IN ({}){in_folder}",
        store.db.placeholders(1, ids.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for id in ids {
        query = query.bind(id.0);
    }
    if let Some(folder) = folder {
        query = query.bind(folder.0);
    }
    let rows = query.fetch_all(&store.db.pool).await?;
    let key_refs: Vec<&str> = rows
        .iter()
        .map(|row| row.try_get::<&str, _>("key_ref"))
        .collect::<Result<_, _>>()?;
    let mut wrapped = store.keyring.wrapped_message_keys(&key_refs).await?;
    rows.iter()
        .zip(&key_refs)
        .map(|(row, &key_ref)| {
            Ok(SealedRow {
                summary: summary_from_row(row)?,
                blob_id: row.try_get("blob_id")?,
                wrapped_key: wrapped.remove(key_ref),
                key_ref: key_ref.to_owned(),
                meta: row
                    .try_get::<Option<Vec<u8>>, _>("meta")?
                    .unwrap_or_default(),
                inline_body: row.try_get("inline_body")?,
            })
        })
        .collect()
}

/// The summaries of the messages among `ids` that exist, in one query per batch.
pub(super) async fn summaries(store: &SqlStore, ids: &[MessageId]) -> Result<Vec<MessageSummary>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM messages WHERE id IN ({})",
            store.db.placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(id.0);
        }
        for row in query.fetch_all(&store.db.pool).await? {
            out.push(summary_from_row(&row)?);
        }
    }
    Ok(out)
}

async fn open_untraced(store: &SqlStore, id: MessageId) -> Result<OpenedMessage> {
    let mut opened = open_chunk(store, None, &[id], Unseal::Whole).await?;
    Ok(opened.remove(0))
}

pub(super) async fn set_flags(
    store: &SqlStore,
    id: MessageId,
    flags: &[String],
    trace: &Event,
) -> Result<MessageSummary> {
    let changes = [(id, FlagChange::Replace(flags.to_vec()))];
    let mut outcome = set_flags_many(store, &changes, None, std::slice::from_ref(trace)).await?;
    Ok(outcome.updated.remove(0))
}

/// Applies flag changes in one transaction: each message whose flags change gets a
/// new MODSEQ of its folder and its trace; see [`crate::Store::set_flags_many`].
pub(super) async fn set_flags_many(
    store: &SqlStore,
    changes: &[(MessageId, FlagChange)],
    unchanged_since: Option<i64>,
    traces: &[Event],
) -> Result<FlagsOutcome> {
    let mut outcome = FlagsOutcome::default();
    if changes.is_empty() {
        return Ok(outcome);
    }
    // The row is read inside the transaction (locked on PostgreSQL; SQLite's write
    // transaction is exclusive), so a change applies to the flags as they are.
    let lock = match store.db.backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let read = format!("SELECT flags, modseq FROM messages WHERE id = $1{lock}");
    let mut tx = store.db.begin_write().await?;
    let mut mailboxes = Vec::new();
    let mut applied = Vec::new();
    let mut kept_traces = Vec::new();
    for (n, (id, change)) in changes.iter().enumerate() {
        let row: Option<(String, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(read.clone()))
            .bind(id.0)
            .fetch_optional(&mut *tx.tx)
            .await?;
        let (stored, modseq) = row.ok_or_else(|| StoreError::NotFound {
            what: "message",
            id: id.to_string(),
        })?;
        if unchanged_since.is_some_and(|since| modseq > since) {
            outcome.modified.push(*id);
            continue;
        }
        let current = split_flags(&stored);
        let next = change.apply(&current);
        if next == current {
            applied.push(*id);
            continue;
        }
        let joined = join_flags(&next)?;
        let (mailbox, modseq): (i64, i64) = sqlx::query_as(
            "UPDATE mailboxes SET highest_modseq = highest_modseq + 1
             WHERE id = (SELECT mailbox_id FROM messages WHERE id = $1)
             RETURNING id, highest_modseq",
        )
        .bind(id.0)
        .fetch_one(&mut *tx.tx)
        .await?;
        if !mailboxes.contains(&mailbox) {
            mailboxes.push(mailbox);
        }
        sqlx::query("UPDATE messages SET flags = $2, modseq = $3 WHERE id = $1")
            .bind(id.0)
            .bind(joined)
            .bind(modseq)
            .execute(&mut *tx.tx)
            .await?;
        applied.push(*id);
        if let Some(trace) = traces.get(n) {
            kept_traces.push(trace.clone());
        }
    }
    store.announce(&mut tx, &mailboxes).await?;
    append(store, &mut tx, &kept_traces).await?;
    tx.commit().await?;
    store.touched(&mailboxes);
    for id in applied {
        outcome.updated.push(message(store, id).await?);
    }
    Ok(outcome)
}

/// The key first, so the deletion is definitive even if the process dies before the
/// row is gone (RT-3); then the row and its trace; then the blob once unreferenced.
pub(super) async fn delete(store: &SqlStore, id: MessageId, trace: &Event) -> Result<()> {
    delete_many(store, &[id], std::slice::from_ref(trace)).await
}

/// [`delete`] for several messages: their keys in one keyring transaction (and one
/// checkpoint), their rows and traces in one data transaction.
pub(super) async fn delete_many(
    store: &SqlStore,
    ids: &[MessageId],
    traces: &[Event],
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut rows = Vec::with_capacity(ids.len());
    for &id in ids {
        let row: Option<(String, String, i64, i64)> =
            sqlx::query_as("SELECT key_ref, blob_id, mailbox_id, uid FROM messages WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&store.db.pool)
                .await?;
        rows.push(row.ok_or_else(|| StoreError::NotFound {
            what: "message",
            id: id.to_string(),
        })?);
    }
    let key_refs: Vec<String> = rows.iter().map(|(k, _, _, _)| k.clone()).collect();
    store.keyring.destroy_message_keys(&key_refs).await?;
    let mut tx = store.db.begin_write().await?;
    for (&id, (_, _, mailbox_id, uid)) in ids.iter().zip(&rows) {
        sqlx::query("DELETE FROM messages WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
        record_expunge(&mut tx, *mailbox_id, *uid).await?;
    }
    let mut mailboxes: Vec<i64> = rows.iter().map(|(_, _, m, _)| *m).collect();
    mailboxes.sort_unstable();
    mailboxes.dedup();
    store.announce(&mut tx, &mailboxes).await?;
    append(store, &mut tx, traces).await?;
    tx.commit().await?;
    store.touched(&mailboxes);
    let blob_ids: Vec<String> = rows.into_iter().map(|(_, b, _, _)| b).collect();
    drop_unreferenced_blobs(store, &blob_ids).await
}

/// Takes a new MODSEQ of `mailbox` for the removal of `uid` and records it (QRESYNC).
pub(super) async fn record_expunge(
    tx: &mut super::db::WriteTx,
    mailbox: i64,
    uid: i64,
) -> Result<()> {
    let modseq: i64 = sqlx::query_scalar(
        "UPDATE mailboxes SET highest_modseq = highest_modseq + 1 WHERE id = $1
         RETURNING highest_modseq",
    )
    .bind(mailbox)
    .fetch_one(&mut *tx.tx)
    .await?;
    sqlx::query(
        "INSERT INTO expunged (mailbox_id, uid, modseq) VALUES ($1, $2, $3)
         ON CONFLICT (mailbox_id, uid) DO UPDATE SET modseq = $3",
    )
    .bind(mailbox)
    .bind(uid)
    .bind(modseq)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

/// The UIDs expunged from `mailbox` after `modseq`, in order.
pub(super) async fn expunged_since(
    store: &SqlStore,
    mailbox: MailboxId,
    modseq: i64,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT uid FROM expunged WHERE mailbox_id = $1 AND modseq > $2 ORDER BY uid",
    )
    .bind(mailbox.0)
    .bind(modseq)
    .fetch_all(&store.db.pool)
    .await?)
}

/// Removes the blobs that no message and no waiting queue row references any more
/// (a settled queue row keeps its history, not its copy).
pub(super) async fn drop_unreferenced_blobs(store: &SqlStore, blob_ids: &[String]) -> Result<()> {
    for blob_id in blob_ids {
        let users: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM messages WHERE blob_id = $1)
                  + (SELECT COUNT(*) FROM outbound WHERE blob_id = $1 AND state = 'queued')",
        )
        .bind(blob_id)
        .fetch_one(&store.db.pool)
        .await?;
        if users == 0 {
            store.blobs.delete(blob_id).await?;
        }
    }
    Ok(())
}
