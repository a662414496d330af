//! Web and API sessions (AU-1, AU-3) and the idempotency keys of API sends (MS-18).

use caduceus_core::Timestamp;

use super::SqlStore;
use crate::error::Result;
use crate::model::{AccountId, IdempotencyClaim, WebSession};

pub(super) async fn create_session(store: &SqlStore, session: &WebSession) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO web_sessions
         (token_hash, account_id, factor, source, created_ms, seen_ms, expires_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&session.token_hash)
    .bind(session.account.0)
    .bind(&session.factor)
    .bind(&session.source)
    .bind(session.created.as_millis())
    .bind(session.seen.as_millis())
    .bind(session.expires.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

/// A `web_sessions` row: token hash, account, factor, source, created, seen, expires.
type SessionRow = (Vec<u8>, i64, String, String, i64, i64, i64);

pub(super) async fn session(store: &SqlStore, token_hash: &[u8]) -> Result<Option<WebSession>> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT token_hash, account_id, factor, source, created_ms, seen_ms, expires_ms
         FROM web_sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&store.db.pool)
    .await?;
    Ok(row.map(
        |(token_hash, account, factor, source, created, seen, expires)| WebSession {
            token_hash,
            account: AccountId(account),
            factor,
            source,
            created: Timestamp::from_millis(created),
            seen: Timestamp::from_millis(seen),
            expires: Timestamp::from_millis(expires),
        },
    ))
}

pub(super) async fn touch_session(
    store: &SqlStore,
    token_hash: &[u8],
    at: Timestamp,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("UPDATE web_sessions SET seen_ms = $2 WHERE token_hash = $1")
        .bind(token_hash)
        .bind(at.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

pub(super) async fn delete_session(store: &SqlStore, token_hash: &[u8]) -> Result<bool> {
    let mut tx = store.db.begin_write().await?;
    let done = sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() > 0)
}

/// Deletes sessions ended at `now` (expired, or idle since `idle_before`) and
/// idempotency keys recorded before `keys_before`.
pub(super) async fn purge(
    store: &SqlStore,
    now: Timestamp,
    idle_before: Timestamp,
    keys_before: Timestamp,
) -> Result<u64> {
    let mut tx = store.db.begin_write().await?;
    let sessions = sqlx::query("DELETE FROM web_sessions WHERE expires_ms <= $1 OR seen_ms < $2")
        .bind(now.as_millis())
        .bind(idle_before.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM idempotency_keys WHERE created_ms < $1")
        .bind(keys_before.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(sessions.rows_affected())
}

pub(super) async fn claim_idempotency(
    store: &SqlStore,
    account: AccountId,
    key: &str,
    fingerprint: &[u8],
    at: Timestamp,
) -> Result<IdempotencyClaim> {
    let mut tx = store.db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (account_id, key, fingerprint, created_ms)
         VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING",
    )
    .bind(account.0)
    .bind(key)
    .bind(fingerprint)
    .bind(at.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    let claim = if inserted.rows_affected() == 1 {
        IdempotencyClaim::Claimed
    } else {
        let (fingerprint, response): (Vec<u8>, Option<String>) = sqlx::query_as(
            "SELECT fingerprint, response FROM idempotency_keys
             WHERE account_id = $1 AND key = $2",
        )
        .bind(account.0)
        .bind(key)
        .fetch_one(&mut *tx.tx)
        .await?;
        match response {
            Some(response) => IdempotencyClaim::Completed {
                fingerprint,
                response,
            },
            None => IdempotencyClaim::Pending { fingerprint },
        }
    };
    tx.commit().await?;
    Ok(claim)
}

/// Records the answer of a claimed key (`Some`), or releases it (`None`) after a
/// request that changed nothing, so that it can be retried.
pub(super) async fn settle_idempotency(
    store: &SqlStore,
    account: AccountId,
    key: &str,
    response: Option<&str>,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let query = match response {
        Some(response) => sqlx::query(
            "UPDATE idempotency_keys SET response = $3 WHERE account_id = $1 AND key = $2",
        )
        .bind(account.0)
        .bind(key)
        .bind(response.to_owned()),
        None => sqlx::query("DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2")
            .bind(account.0)
            .bind(key),
    };
    query.execute(&mut *tx.tx).await?;
    tx.commit().await
}
