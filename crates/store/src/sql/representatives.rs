//! A patient's representatives (ID-7): who, in which capacity, on what evidence,
//! until when.

use caduceus_audit::Event;
use caduceus_core::Timestamp;
use caduceus_core::representation::{Capacity, CapacityEvidence};
use sqlx::Row;

use super::SqlStore;
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::model::{AccountId, Representation};

/// See [`crate::Store::set_representative`].
pub(super) async fn set(
    store: &SqlStore,
    representation: &Representation,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO representatives (patient_id, representative_id, capacity, evidence,
           until_ms, registered_ms) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (patient_id, representative_id) DO UPDATE SET capacity = $3,
           evidence = $4, until_ms = $5, registered_ms = $6",
    )
    .bind(representation.patient.0)
    .bind(representation.representative.0)
    .bind(representation.capacity.as_str())
    .bind(representation.evidence.as_str())
    .bind(representation.until.map(Timestamp::as_millis))
    .bind(representation.registered.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// See [`crate::Store::remove_representative`].
pub(super) async fn remove(
    store: &SqlStore,
    patient: AccountId,
    representative: AccountId,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("DELETE FROM representatives WHERE patient_id = $1 AND representative_id = $2")
        .bind(patient.0)
        .bind(representative.0)
        .execute(&mut *tx.tx)
        .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// See [`crate::Store::representatives`].
pub(super) async fn of(store: &SqlStore, patient: AccountId) -> Result<Vec<Representation>> {
    let sql = "SELECT patient_id, representative_id, capacity, evidence, until_ms,
               registered_ms FROM representatives WHERE patient_id = $1
               ORDER BY representative_id";
    select(store, sql, patient).await
}

/// See [`crate::Store::represented_by`].
pub(super) async fn by(store: &SqlStore, person: AccountId) -> Result<Vec<Representation>> {
    let sql = "SELECT patient_id, representative_id, capacity, evidence, until_ms,
               registered_ms FROM representatives WHERE representative_id = $1
               ORDER BY patient_id";
    select(store, sql, person).await
}

/// The representations `sql` selects for `id`.
async fn select(store: &SqlStore, sql: &'static str, id: AccountId) -> Result<Vec<Representation>> {
    let rows = sqlx::query(sql)
        .bind(id.0)
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter()
        .map(|row| {
            let capacity: String = row.try_get("capacity")?;
            let evidence: String = row.try_get("evidence")?;
            let corrupt = |what, code: &str| StoreError::Corrupt {
                what,
                detail: format!("representation code {code:?}"),
            };
            Ok(Representation {
                patient: AccountId(row.try_get("patient_id")?),
                representative: AccountId(row.try_get("representative_id")?),
                capacity: Capacity::parse(&capacity)
                    .ok_or_else(|| corrupt("capacity", &capacity))?,
                evidence: CapacityEvidence::parse(&evidence)
                    .ok_or_else(|| corrupt("evidence", &evidence))?,
                until: row
                    .try_get::<Option<i64>, _>("until_ms")?
                    .map(Timestamp::from_millis),
                registered: Timestamp::from_millis(row.try_get("registered_ms")?),
            })
        })
        .collect()
}
