//! Folders a user makes and unmakes, and messages copied or moved between them
//! (IMAP CREATE, RENAME, DELETE, COPY, MOVE; MS-6). A copy shares the sealed body
//! and gets a key of its own, so deleting one copy destroys only its key (RT-3).

use caduceus_audit::Event;
use caduceus_core::Timestamp;
use sqlx::Row;

use super::SqlStore;
use super::messages::{
    MAILBOX_COLUMNS, drop_unreferenced_blobs, mailbox_from_row, next_uid, record_expunge,
};
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::model::*;

pub(super) async fn create(
    store: &SqlStore,
    account: AccountId,
    name: &str,
    at: Timestamp,
    trace: &Event,
) -> Result<Mailbox> {
    let mut tx = store.db.begin_write().await?;
    let uidvalidity = next_uidvalidity(&mut tx, account, at.as_millis()).await?;
    let sql = format!(
        "INSERT INTO mailboxes (account_id, name, special_use, uidvalidity, uidnext, highest_modseq)
         VALUES ($1, $2, NULL, $3, 1, 1) ON CONFLICT (account_id, name) DO NOTHING
         RETURNING {MAILBOX_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account.0)
        .bind(name)
        .bind(uidvalidity)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or_else(|| StoreError::Conflict {
            what: "folder",
            detail: "a folder of that name exists".into(),
        })?;
    let mailbox = mailbox_from_row(&row)?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    Ok(mailbox)
}

/// A fresh UIDVALIDITY for a folder of `account` made at `at_ms`: the time in
/// seconds, or one more than the last one the account's folders got when that is
/// not smaller. A folder deleted and made again under the same name must not let
/// clients reuse what they cached (RFC 3501 §2.3.1.1), however soon it is made.
pub(super) async fn next_uidvalidity(
    tx: &mut super::db::WriteTx,
    account: AccountId,
    at_ms: i64,
) -> Result<i64> {
    let now = (at_ms / 1000).rem_euclid(1 << 31).max(1);
    let value: i64 = sqlx::query_scalar(
        "INSERT INTO uidvalidity_last (account_id, value) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET value = CASE
             WHEN excluded.value > uidvalidity_last.value THEN excluded.value
             ELSE uidvalidity_last.value + 1 END
         RETURNING value",
    )
    .bind(account.0)
    .bind(now)
    .fetch_one(&mut *tx.tx)
    .await?;
    Ok(value)
}

pub(super) async fn subscriptions(store: &SqlStore, account: AccountId) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT name FROM subscriptions WHERE account_id = $1 ORDER BY name")
            .bind(account.0)
            .fetch_all(&store.db.pool)
            .await?,
    )
}

pub(super) async fn set_subscribed(
    store: &SqlStore,
    account: AccountId,
    name: &str,
    subscribed: bool,
) -> Result<()> {
    let sql = if subscribed {
        "INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING"
    } else {
        "DELETE FROM subscriptions WHERE account_id = $1 AND name = $2"
    };
    sqlx::query(sql)
        .bind(account.0)
        .bind(name)
        .execute(&store.db.pool)
        .await?;
    Ok(())
}

pub(super) async fn recent_claimed(store: &SqlStore, mailbox: MailboxId) -> Result<i64> {
    let claimed: Option<i64> =
        sqlx::query_scalar("SELECT uid FROM recent_claims WHERE mailbox_id = $1")
            .bind(mailbox.0)
            .fetch_optional(&store.db.pool)
            .await?;
    Ok(claimed.unwrap_or(0))
}

/// The mark is read and raised under its row's lock, so two sessions selecting the
/// folder at once never both get the same messages as recent.
pub(super) async fn claim_recent(store: &SqlStore, mailbox: MailboxId, up_to: i64) -> Result<i64> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO recent_claims (mailbox_id, uid) VALUES ($1, 0)
         ON CONFLICT (mailbox_id) DO NOTHING",
    )
    .bind(mailbox.0)
    .execute(&mut *tx.tx)
    .await?;
    let before: i64 = sqlx::query_scalar(store.db.lock_recent_claim_sql())
        .bind(mailbox.0)
        .fetch_one(&mut *tx.tx)
        .await?;
    if up_to > before {
        sqlx::query("UPDATE recent_claims SET uid = $2 WHERE mailbox_id = $1")
            .bind(mailbox.0)
            .bind(up_to)
            .execute(&mut *tx.tx)
            .await?;
    }
    tx.commit().await?;
    Ok(before)
}

pub(super) async fn rename(
    store: &SqlStore,
    account: AccountId,
    from: &str,
    to: &str,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM mailboxes WHERE account_id = $1 AND name = $2")
            .bind(account.0)
            .bind(to)
            .fetch_optional(&mut *tx.tx)
            .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict {
            what: "folder",
            detail: "a folder of that name exists".into(),
        });
    }
    let renamed = sqlx::query("UPDATE mailboxes SET name = $3 WHERE account_id = $1 AND name = $2")
        .bind(account.0)
        .bind(from)
        .bind(to)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if renamed == 0 {
        return Err(StoreError::NotFound {
            what: "folder",
            id: account.to_string(),
        });
    }
    // Its subfolders follow (RFC 9051 §6.3.6).
    let prefix = format!("{from}/");
    let folders: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, name FROM mailboxes WHERE account_id = $1")
            .bind(account.0)
            .fetch_all(&mut *tx.tx)
            .await?;
    for (id, name) in folders.into_iter().filter(|(_, n)| n.starts_with(&prefix)) {
        sqlx::query("UPDATE mailboxes SET name = $2 WHERE id = $1")
            .bind(id)
            .bind(format!("{to}{}", &name[from.len()..]))
            .execute(&mut *tx.tx)
            .await?;
    }
    // Subscriptions follow the folders they name, as Dovecot's do.
    let subscribed: Vec<String> =
        sqlx::query_scalar("SELECT name FROM subscriptions WHERE account_id = $1")
            .bind(account.0)
            .fetch_all(&mut *tx.tx)
            .await?;
    for name in subscribed
        .into_iter()
        .filter(|n| n == from || n.starts_with(&prefix))
    {
        let renamed = format!("{to}{}", &name[from.len()..]);
        for (sql, name) in [
            (
                "DELETE FROM subscriptions WHERE account_id = $1 AND name = $2",
                name,
            ),
            (
                "INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                renamed,
            ),
        ] {
            sqlx::query(sql)
                .bind(account.0)
                .bind(name)
                .execute(&mut *tx.tx)
                .await?;
        }
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// The keys of the folder's messages first (RT-3), then its rows and the folder,
/// then the bodies no copy references any more.
pub(super) async fn delete(store: &SqlStore, mailbox: MailboxId, trace: &Event) -> Result<()> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key_ref, blob_id FROM messages WHERE mailbox_id = $1")
            .bind(mailbox.0)
            .fetch_all(&store.db.pool)
            .await?;
    let (key_refs, blob_ids): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
    store.keyring.destroy_message_keys(&key_refs).await?;
    let mut tx = store.db.begin_write().await?;
    sqlx::query("DELETE FROM messages WHERE mailbox_id = $1")
        .bind(mailbox.0)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM mailboxes WHERE id = $1")
        .bind(mailbox.0)
        .execute(&mut *tx.tx)
        .await?;
    store.announce(&mut tx, &[mailbox.0]).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    store.touched(&[mailbox.0]);
    drop_unreferenced_blobs(store, &blob_ids).await
}

/// The source rows a copy or move needs.
struct Source {
    id: MessageId,
    blob_id: String,
    key_ref: String,
    flags: String,
    internal_ms: i64,
    size: i64,
    meta: Vec<u8>,
    mailbox: i64,
    uid: i64,
}

async fn sources(store: &SqlStore, ids: &[MessageId]) -> Result<Vec<Source>> {
    let mut out = Vec::with_capacity(ids.len());
    for &id in ids {
        let row = sqlx::query(
            "SELECT blob_id, key_ref, flags, internal_ms, size, meta, mailbox_id, uid
             FROM messages WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&store.db.pool)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "message",
            id: id.to_string(),
        })?;
        out.push(Source {
            id,
            blob_id: row.try_get("blob_id")?,
            key_ref: row.try_get("key_ref")?,
            flags: row.try_get("flags")?,
            internal_ms: row.try_get("internal_ms")?,
            size: row.try_get("size")?,
            meta: row.try_get("meta")?,
            mailbox: row.try_get("mailbox_id")?,
            uid: row.try_get("uid")?,
        });
    }
    Ok(out)
}

/// Copies messages into `target` (of `account`): each copy gets the next UID there
/// and a message key of its own wrapped for the account; the sealed body is shared.
/// One trace per copy, committed with the rows.
pub(super) async fn copy(
    store: &SqlStore,
    ids: &[MessageId],
    account: AccountId,
    target: MailboxId,
    at: Timestamp,
    traces: &[Event],
) -> Result<Vec<Delivered>> {
    let sources = sources(store, ids).await?;
    let mut wrapped = Vec::with_capacity(sources.len());
    for source in &sources {
        let key = store
            .keyring
            .message_key(&source.key_ref, source.id.0)
            .await?;
        wrapped.push(store.keyring.wrap_for(account.0, &key).await?);
    }
    store.keyring.put(&[(&wrapped, at.as_millis())]).await?;
    let mut tx = store.db.begin_write().await?;
    let mut copies = Vec::with_capacity(sources.len());
    for (source, key) in sources.iter().zip(&wrapped) {
        let (uid, modseq) = next_uid(&mut tx, target, account).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (mailbox_id, uid, modseq, blob_id, key_ref, flags, internal_ms, size, meta)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             RETURNING id",
        )
        .bind(target.0)
        .bind(uid)
        .bind(modseq)
        .bind(&source.blob_id)
        .bind(&key.key_ref)
        .bind(&source.flags)
        .bind(source.internal_ms)
        .bind(source.size)
        .bind(&source.meta)
        .fetch_one(&mut *tx.tx)
        .await?;
        copies.push(Delivered {
            account,
            mailbox: target,
            message: MessageId(id),
            uid,
            modseq,
        });
    }
    store.announce(&mut tx, &[target.0]).await?;
    append(store, &mut tx, traces).await?;
    tx.commit().await?;
    store.touched(&[target.0]);
    Ok(copies)
}

/// Moves messages into `target` (of the same `account`) in one transaction: each
/// gets the next UID there; their old folders' MODSEQ moves on (an expunge there).
pub(super) async fn move_to(
    store: &SqlStore,
    ids: &[MessageId],
    account: AccountId,
    target: MailboxId,
    traces: &[Event],
) -> Result<Vec<Delivered>> {
    let sources = sources(store, ids).await?;
    let mut tx = store.db.begin_write().await?;
    let mut moved = Vec::with_capacity(sources.len());
    for source in &sources {
        let (uid, modseq) = next_uid(&mut tx, target, account).await?;
        sqlx::query("UPDATE messages SET mailbox_id = $2, uid = $3, modseq = $4 WHERE id = $1")
            .bind(source.id.0)
            .bind(target.0)
            .bind(uid)
            .bind(modseq)
            .execute(&mut *tx.tx)
            .await?;
        record_expunge(&mut tx, source.mailbox, source.uid).await?;
        moved.push(Delivered {
            account,
            mailbox: target,
            message: source.id,
            uid,
            modseq,
        });
    }
    let mut mailboxes: Vec<i64> = sources.iter().map(|s| s.mailbox).collect();
    mailboxes.push(target.0);
    mailboxes.sort_unstable();
    mailboxes.dedup();
    store.announce(&mut tx, &mailboxes).await?;
    append(store, &mut tx, traces).await?;
    tx.commit().await?;
    store.touched(&mailboxes);
    Ok(moved)
}
