//! Patient mailboxes announced before they open (ID-5, AC-3, seed 003 §7): the
//! announcement of an account, its end (opened, or objected to), and the objections
//! kept so that a mailbox the patient refused is not announced again.

use caduceus_audit::Event;
use caduceus_core::{AccountState, Timestamp};
use sqlx::Row;

use super::SqlStore;
use super::accounts::write_state;
use super::traces::append;
use crate::error::Result;
use crate::model::{AccountId, Announcement};

/// See [`crate::Store::announce`].
pub(super) async fn announce(
    store: &SqlStore,
    announcement: &Announcement,
    token_hash: &[u8],
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO announcements (account_id, announced_ms, opens_ms, token_hash)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(announcement.account.0)
    .bind(announcement.announced.as_millis())
    .bind(announcement.opens.as_millis())
    .bind(token_hash)
    .execute(&mut *tx.tx)
    .await?;
    let (id, at) = (announcement.account, announcement.announced);
    write_state(&mut tx, id, AccountState::Announced, at).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// See [`crate::Store::end_announcement`].
pub(super) async fn end(
    store: &SqlStore,
    account: AccountId,
    to: AccountState,
    at: Timestamp,
    objection: Option<&[u8]>,
    traces: &[Event],
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("DELETE FROM announcements WHERE account_id = $1")
        .bind(account.0)
        .execute(&mut *tx.tx)
        .await?;
    if let Some(digest) = objection {
        sqlx::query(
            "INSERT INTO announcement_objections (ins_digest, objected_ms) VALUES ($1, $2)
             ON CONFLICT (ins_digest) DO UPDATE SET objected_ms = $2",
        )
        .bind(digest)
        .bind(at.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    }
    write_state(&mut tx, account, to, at).await?;
    append(store, &mut tx, traces).await?;
    tx.commit().await
}

fn announcement(row: &sqlx::any::AnyRow) -> Result<Announcement> {
    Ok(Announcement {
        account: AccountId(row.try_get("account_id")?),
        announced: Timestamp::from_millis(row.try_get("announced_ms")?),
        opens: Timestamp::from_millis(row.try_get("opens_ms")?),
    })
}

const COLUMNS: &str = "SELECT account_id, announced_ms, opens_ms FROM announcements";

/// See [`crate::Store::announcement`].
pub(super) async fn of(store: &SqlStore, account: AccountId) -> Result<Option<Announcement>> {
    let sql = format!("{COLUMNS} WHERE account_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account.0)
        .fetch_optional(&store.db.pool)
        .await?;
    row.as_ref().map(announcement).transpose()
}

/// See [`crate::Store::announcement_by_token`].
pub(super) async fn by_token(store: &SqlStore, hash: &[u8]) -> Result<Option<Announcement>> {
    let sql = format!("{COLUMNS} WHERE token_hash = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(hash)
        .fetch_optional(&store.db.pool)
        .await?;
    row.as_ref().map(announcement).transpose()
}

/// See [`crate::Store::announcements_due`].
pub(super) async fn due(store: &SqlStore, now: Timestamp) -> Result<Vec<Announcement>> {
    let sql = format!("{COLUMNS} WHERE opens_ms <= $1 ORDER BY opens_ms, account_id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(now.as_millis())
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(announcement).collect()
}

/// See [`crate::Store::announcement_objected`].
pub(super) async fn objected(store: &SqlStore, digest: &[u8]) -> Result<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT objected_ms FROM announcement_objections WHERE ins_digest = $1")
            .bind(digest)
            .fetch_optional(&store.db.pool)
            .await?;
    Ok(found.is_some())
}

/// See [`crate::Store::lift_announcement_objection`].
pub(super) async fn lift(store: &SqlStore, digest: &[u8]) -> Result<()> {
    sqlx::query("DELETE FROM announcement_objections WHERE ins_digest = $1")
        .bind(digest)
        .execute(&store.db.pool)
        .await?;
    Ok(())
}
