//! Health alert broadcasts (MS-15): their audience from the directory and their
//! progress reports.

use caduceus_audit::{Event, Id, Object};
use caduceus_core::Timestamp;
use sqlx::Row;

use super::SqlStore;
use super::traces::append;
use crate::error::Result;
use crate::model::{AccountId, Broadcast, BroadcastProgress};

pub(super) async fn audience(
    store: &SqlStore,
    profession: Option<&str>,
    postal_prefixes: &[String],
) -> Result<Vec<String>> {
    let mut sql = "SELECT address FROM directory_mailboxes WHERE kind = 'PER'".to_owned();
    let mut binds = Vec::new();
    if let Some(code) = profession {
        binds.push(code.to_owned());
        sql.push_str(&format!(" AND profession_code = ${}", binds.len()));
    }
    if !postal_prefixes.is_empty() {
        let mut any = Vec::new();
        for prefix in postal_prefixes {
            binds.push(format!("{prefix}%"));
            any.push(format!("postal_code LIKE ${}", binds.len()));
        }
        sql.push_str(&format!(" AND ({})", any.join(" OR ")));
    }
    sql.push_str(" ORDER BY address");
    let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
    for value in binds {
        query = query.bind(value);
    }
    Ok(query.fetch_all(&store.db.pool).await?)
}

pub(super) async fn create(
    store: &SqlStore,
    sender: AccountId,
    audience: &str,
    targeted: usize,
    at: Timestamp,
    trace: &Event,
) -> Result<i64> {
    let mut tx = store.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO broadcasts (sender_id, created_ms, audience, targeted, delivered, queued,
           unreachable, state, updated_ms) VALUES ($1, $2, $3, $4, 0, 0, 0, 'running', $2)
         RETURNING id",
    )
    .bind(sender.0)
    .bind(at.as_millis())
    .bind(audience)
    .bind(targeted as i64)
    .fetch_one(&mut *tx.tx)
    .await?;
    let mut trace = trace.clone();
    trace.object = Object::of(Id::Broadcast(id));
    append(store, &mut tx, std::slice::from_ref(&trace)).await?;
    tx.commit().await?;
    Ok(id)
}

pub(super) async fn update(
    store: &SqlStore,
    id: i64,
    progress: &BroadcastProgress,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE broadcasts SET delivered = $2, queued = $3, unreachable = $4, state = $5,
           updated_ms = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(progress.delivered as i64)
    .bind(progress.queued as i64)
    .bind(progress.unreachable as i64)
    .bind(progress.state.as_str())
    .bind(at.as_millis())
    .execute(&store.db.pool)
    .await?;
    Ok(())
}

pub(super) async fn list(store: &SqlStore, limit: i64) -> Result<Vec<Broadcast>> {
    let rows = sqlx::query(
        "SELECT id, sender_id, created_ms, audience, targeted, delivered, queued, unreachable,
           state, updated_ms FROM broadcasts ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&store.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let count = |name: &str| row.try_get::<i64, _>(name).map(|n| n as usize);
            Ok(Broadcast {
                id: row.try_get("id")?,
                sender: AccountId(row.try_get("sender_id")?),
                created: Timestamp::from_millis(row.try_get("created_ms")?),
                audience: row.try_get("audience")?,
                targeted: count("targeted")?,
                progress: BroadcastProgress {
                    delivered: count("delivered")?,
                    queued: count("queued")?,
                    unreachable: count("unreachable")?,
                    state: row.try_get("state")?,
                },
                updated: Timestamp::from_millis(row.try_get("updated_ms")?),
            })
        })
        .collect()
}
