//! Requests to correct one's identity data (AC-3): the holder's words, for the
//! registration authority.

use caduceus_audit::Event;
use caduceus_core::Timestamp;
use sqlx::Row;

use super::SqlStore;
use super::traces::append;
use crate::error::Result;
use crate::model::{AccountId, CorrectionRequest};

/// See [`crate::Store::request_correction`].
pub(super) async fn request(
    store: &SqlStore,
    account: AccountId,
    what: &str,
    at: Timestamp,
    trace: &Event,
) -> Result<CorrectionRequest> {
    let mut tx = store.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO correction_requests (account_id, what, requested_ms) VALUES ($1, $2, $3)
         RETURNING id",
    )
    .bind(account.0)
    .bind(what)
    .bind(at.as_millis())
    .fetch_one(&mut *tx.tx)
    .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    Ok(CorrectionRequest {
        id,
        account,
        what: what.to_owned(),
        requested: at,
    })
}

/// See [`crate::Store::correction_requests`].
pub(super) async fn of(
    store: &SqlStore,
    account: Option<AccountId>,
) -> Result<Vec<CorrectionRequest>> {
    let rows = sqlx::query(
        "SELECT id, account_id, what, requested_ms FROM correction_requests
         WHERE $1 < 0 OR account_id = $1 ORDER BY id",
    )
    .bind(account.map_or(-1, |a| a.0))
    .fetch_all(&store.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CorrectionRequest {
                id: row.try_get("id")?,
                account: AccountId(row.try_get("account_id")?),
                what: row.try_get("what")?,
                requested: Timestamp::from_millis(row.try_get("requested_ms")?),
            })
        })
        .collect()
}
