//! Inactivity (RT-1): last logins, and the warnings sent before a deletion; the terms
//! of use each account accepted (IN-1); staff roles (AC-1); forwarding rules (MS-17).

use caduceus_audit::Event;
use caduceus_core::Timestamp;

use super::SqlStore;
use super::exec::Value;
use super::traces::append;
use crate::error::Result;
use crate::model::{AccountId, StaffGrant};

pub(super) async fn touch(store: &SqlStore, account: AccountId, at: Timestamp) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO account_activity (account_id, last_auth_ms) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET last_auth_ms = $2",
    )
    .bind(account.0)
    .bind(at.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

pub(super) async fn last_auth(store: &SqlStore, account: AccountId) -> Result<Option<Timestamp>> {
    let at: Option<i64> =
        sqlx::query_scalar("SELECT last_auth_ms FROM account_activity WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&store.db.pool)
            .await?;
    Ok(at.map(Timestamp::from_millis))
}

pub(super) async fn record_warning(
    store: &SqlStore,
    account: AccountId,
    stage: i64,
    at: Timestamp,
    token_hash: &[u8],
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO inactivity_warnings (account_id, stage, sent_ms, token_hash)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id, stage) DO UPDATE SET sent_ms = $3, token_hash = $4",
    )
    .bind(account.0)
    .bind(stage)
    .bind(at.as_millis())
    .bind(token_hash)
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn warnings(
    store: &SqlStore,
    account: AccountId,
) -> Result<Vec<(i64, Timestamp)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT stage, sent_ms FROM inactivity_warnings WHERE account_id = $1 ORDER BY stage DESC",
    )
    .bind(account.0)
    .fetch_all(&store.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(stage, at)| (stage, Timestamp::from_millis(at)))
        .collect())
}

pub(super) async fn warned_by_token(
    store: &SqlStore,
    token_hash: &[u8],
) -> Result<Option<AccountId>> {
    let account: Option<i64> =
        sqlx::query_scalar("SELECT account_id FROM inactivity_warnings WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&store.db.pool)
            .await?;
    Ok(account.map(AccountId))
}

pub(super) async fn accept_terms(
    store: &SqlStore,
    account: AccountId,
    version: &str,
    at: Timestamp,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO terms_acceptances (account_id, version, at_ms) VALUES ($1, $2, $3)
         ON CONFLICT (account_id, version) DO NOTHING",
    )
    .bind(account.0)
    .bind(version)
    .bind(at.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn accepted_terms(
    store: &SqlStore,
    account: AccountId,
    version: &str,
) -> Result<bool> {
    let row: Option<i64> = sqlx::query_scalar(
        "SELECT at_ms FROM terms_acceptances WHERE account_id = $1 AND version = $2",
    )
    .bind(account.0)
    .bind(version)
    .fetch_optional(&store.db.pool)
    .await?;
    Ok(row.is_some())
}

pub(super) async fn set_staff_role(
    store: &SqlStore,
    account: AccountId,
    grant: &StaffGrant,
    granted: Option<Timestamp>,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let query = match granted {
        Some(at) => sqlx::query(
            "INSERT INTO staff_roles (account_id, role, granted_ms, scope) VALUES ($1, $2, $3, $4)
             ON CONFLICT (account_id, role) DO UPDATE SET scope = excluded.scope,
             granted_ms = excluded.granted_ms",
        )
        .bind(account.0)
        .bind(&grant.role)
        .bind(at.as_millis())
        .bind(&grant.scope),
        None => sqlx::query("DELETE FROM staff_roles WHERE account_id = $1 AND role = $2")
            .bind(account.0)
            .bind(&grant.role),
    };
    query.execute(&mut *tx.tx).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn staff_roles(store: &SqlStore, account: AccountId) -> Result<Vec<StaffGrant>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT role, scope FROM staff_roles WHERE account_id = $1 ORDER BY role")
            .bind(account.0)
            .fetch_all(&store.db.pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(role, scope)| StaffGrant { role, scope })
        .collect())
}

pub(super) async fn staff_members(store: &SqlStore) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(DISTINCT account_id) FROM staff_roles")
            .fetch_one(&store.db.pool)
            .await?,
    )
}

pub(super) async fn set_forwarding(
    store: &SqlStore,
    account: AccountId,
    target: Option<(&str, Timestamp)>,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let query = match target {
        Some((target, at)) => sqlx::query(
            "INSERT INTO forwarding_rules (account_id, target, since_ms) VALUES ($1, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET target = $2, since_ms = $3",
        )
        .bind(account.0)
        .bind(target)
        .bind(at.as_millis()),
        None => sqlx::query("DELETE FROM forwarding_rules WHERE account_id = $1").bind(account.0),
    };
    query.execute(&mut *tx.tx).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn forwarding(store: &SqlStore, account: AccountId) -> Result<Option<String>> {
    store
        .db
        .read_optional(
            "SELECT target FROM forwarding_rules WHERE account_id = $1",
            &[Value::Int(account.0)],
            |row| row.text(0),
        )
        .await
}
