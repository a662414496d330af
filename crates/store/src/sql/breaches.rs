//! The personal-data breach register (TR-6): codes, times and ids only.

use caduceus_audit::{Event, Id, Object};
use caduceus_core::Timestamp;
use caduceus_core::breach::{BreachState, Nature, Risk};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::model::{AccountId, Breach, MessageId};

const COLUMNS: &str = "id, nature, detected_ms, opened_ms, state, risk, accounts, messages, \
                       notified_ms, users_informed, closed_ms";

/// Ids as stored: comma-separated.
fn ids(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|n| n.to_string()).collect::<Vec<_>>().join(",")
}

fn parse_ids(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|n| n.parse().ok()).collect()
}

fn corrupt(what: &'static str, code: &str) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: format!("breach code {code:?}"),
    }
}

fn row_from(row: &AnyRow) -> Result<Breach> {
    let at = |name: &str| -> Result<Option<Timestamp>> {
        Ok(row
            .try_get::<Option<i64>, _>(name)?
            .map(Timestamp::from_millis))
    };
    let nature: String = row.try_get("nature")?;
    let state: String = row.try_get("state")?;
    let risk: Option<String> = row.try_get("risk")?;
    Ok(Breach {
        id: row.try_get("id")?,
        nature: Nature::parse(&nature).ok_or_else(|| corrupt("nature", &nature))?,
        detected: Timestamp::from_millis(row.try_get("detected_ms")?),
        opened: Timestamp::from_millis(row.try_get("opened_ms")?),
        state: BreachState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        risk: match risk {
            Some(code) => Some(Risk::parse(&code).ok_or_else(|| corrupt("risk", &code))?),
            None => None,
        },
        accounts: parse_ids(&row.try_get::<String, _>("accounts")?)
            .into_iter()
            .map(AccountId)
            .collect(),
        messages: parse_ids(&row.try_get::<String, _>("messages")?)
            .into_iter()
            .map(MessageId)
            .collect(),
        notified: at("notified_ms")?,
        users_informed: row.try_get::<i64, _>("users_informed")? != 0,
        closed: at("closed_ms")?,
    })
}

/// See [`crate::Store::record_breach`].
pub(super) async fn record(store: &SqlStore, breach: &Breach, trace: &Event) -> Result<i64> {
    let mut tx = store.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO breaches (nature, detected_ms, opened_ms, state, accounts, messages,
           users_informed) VALUES ($1, $2, $3, $4, '', '', 0) RETURNING id",
    )
    .bind(breach.nature.as_str())
    .bind(breach.detected.as_millis())
    .bind(breach.opened.as_millis())
    .bind(breach.state.as_str())
    .fetch_one(&mut *tx.tx)
    .await?;
    let mut trace = trace.clone();
    trace.object = Object::of(Id::Breach(id));
    append(store, &mut tx, std::slice::from_ref(&trace)).await?;
    tx.commit().await?;
    Ok(id)
}

/// See [`crate::Store::update_breach`].
pub(super) async fn update(store: &SqlStore, breach: &Breach, trace: &Event) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE breaches SET state = $2, risk = $3, accounts = $4, messages = $5,
           notified_ms = $6, users_informed = $7, closed_ms = $8 WHERE id = $1",
    )
    .bind(breach.id)
    .bind(breach.state.as_str())
    .bind(breach.risk.map(Risk::as_str))
    .bind(ids(breach.accounts.iter().map(|a| a.0)))
    .bind(ids(breach.messages.iter().map(|m| m.0)))
    .bind(breach.notified.map(Timestamp::as_millis))
    .bind(i64::from(breach.users_informed))
    .bind(breach.closed.map(Timestamp::as_millis))
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::NotFound {
            what: "breach",
            id: breach.id.to_string(),
        });
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    Ok(())
}

/// Every breach of the register, newest first.
pub(super) async fn list(store: &SqlStore) -> Result<Vec<Breach>> {
    let sql = format!("SELECT {COLUMNS} FROM breaches ORDER BY id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(row_from).collect()
}

/// One breach.
pub(super) async fn get(store: &SqlStore, id: i64) -> Result<Breach> {
    let sql = format!("SELECT {COLUMNS} FROM breaches WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&store.db.pool)
        .await?;
    match row {
        Some(row) => row_from(&row),
        None => Err(StoreError::NotFound {
            what: "breach",
            id: id.to_string(),
        }),
    }
}
