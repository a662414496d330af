//! Leases on scheduled jobs, so that one node at a time runs each.

use caduceus_core::Timestamp;

use super::SqlStore;
use crate::error::Result;

pub(super) async fn take_job_lease(
    store: &SqlStore,
    job: &str,
    node: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool> {
    let mut tx = store.db.begin_write().await?;
    let holder: Option<String> = sqlx::query_scalar(
        "INSERT INTO job_leases (job, node, until_ms) VALUES ($1, $2, $3)
         ON CONFLICT (job) DO UPDATE SET node = $2, until_ms = $3
         WHERE job_leases.until_ms <= $4
         RETURNING node",
    )
    .bind(job)
    .bind(node)
    .bind(until.as_millis())
    .bind(now.as_millis())
    .fetch_optional(&mut *tx.tx)
    .await?;
    tx.commit().await?;
    Ok(holder.as_deref() == Some(node))
}
