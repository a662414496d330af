//! What the patient rules remember (MS-8, MS-9, MS-10): each professional's standing
//! with a patient, the professionals a patient blocked, the patients who objected.

use caduceus_audit::Event;
use caduceus_core::Timestamp;

use super::SqlStore;
use super::db::BATCH;
use super::traces::append;
use crate::error::Result;
use crate::model::{AccountId, MessageId, Opposition, PatientAccess, PatientExchange};

pub(super) async fn exchange(
    store: &SqlStore,
    patient: &str,
    professional: &str,
) -> Result<Option<PatientExchange>> {
    let state: Option<String> = sqlx::query_scalar(
        "SELECT state FROM patient_exchanges WHERE patient = $1 AND professional = $2",
    )
    .bind(patient)
    .bind(professional)
    .fetch_optional(&store.db.pool)
    .await?;
    Ok(state.map(|s| {
        if s == "ended" {
            PatientExchange::Ended
        } else {
            PatientExchange::Open
        }
    }))
}

pub(super) async fn exchanged_with(store: &SqlStore, professional: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT patient FROM patient_exchanges WHERE professional = $1 ORDER BY patient",
    )
    .bind(professional)
    .fetch_all(&store.db.pool)
    .await?)
}

pub(super) async fn set_exchange(
    store: &SqlStore,
    patient: &str,
    professional: &str,
    state: PatientExchange,
    at: Timestamp,
) -> Result<()> {
    let state = match state {
        PatientExchange::Open => "open",
        PatientExchange::Ended => "ended",
    };
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO patient_exchanges (patient, professional, state, updated_ms)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (patient, professional) DO UPDATE SET state = $3, updated_ms = $4",
    )
    .bind(patient)
    .bind(professional)
    .bind(state)
    .bind(at.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

pub(super) async fn set_block(
    store: &SqlStore,
    patient: &str,
    professional: &str,
    blocked: bool,
    at: Timestamp,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    if blocked {
        sqlx::query(
            "INSERT INTO patient_blocks (patient, professional, at_ms) VALUES ($1, $2, $3)
             ON CONFLICT (patient, professional) DO NOTHING",
        )
        .bind(patient)
        .bind(professional)
        .bind(at.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM patient_blocks WHERE patient = $1 AND professional = $2")
            .bind(patient)
            .bind(professional)
            .execute(&mut *tx.tx)
            .await?;
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn blocks(store: &SqlStore, patient: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT professional FROM patient_blocks WHERE patient = $1 ORDER BY professional",
    )
    .bind(patient)
    .fetch_all(&store.db.pool)
    .await?)
}

pub(super) async fn set_opposition(
    store: &SqlStore,
    ins: &str,
    recorded: Option<(&str, Timestamp)>,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    match recorded {
        Some((by, at)) => {
            sqlx::query(
                "INSERT INTO oppositions (ins, recorded_by, at_ms) VALUES ($1, $2, $3)
                 ON CONFLICT (ins) DO UPDATE SET recorded_by = $2, at_ms = $3",
            )
            .bind(ins)
            .bind(by)
            .bind(at.as_millis())
            .execute(&mut *tx.tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM oppositions WHERE ins = $1")
                .bind(ins)
                .execute(&mut *tx.tx)
                .await?;
        }
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn opposition(store: &SqlStore, ins: &str) -> Result<Option<Opposition>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT recorded_by, at_ms FROM oppositions WHERE ins = $1")
            .bind(ins)
            .fetch_optional(&store.db.pool)
            .await?;
    Ok(row.map(|(recorded_by, at)| Opposition {
        recorded_by,
        at: Timestamp::from_millis(at),
    }))
}

pub(super) async fn link_message_patients(
    store: &SqlStore,
    links: &[(MessageId, AccountId)],
) -> Result<()> {
    if links.is_empty() {
        return Ok(());
    }
    let mut tx = store.db.begin_write().await?;
    for (message, patient) in links {
        sqlx::query(
            "INSERT INTO message_patients (message_id, patient_account) VALUES ($1, $2)
             ON CONFLICT (message_id, patient_account) DO NOTHING",
        )
        .bind(message.0)
        .bind(patient.0)
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.commit().await
}

pub(super) async fn record_patient_accesses(
    store: &SqlStore,
    actor: AccountId,
    action: &str,
    messages: &[MessageId],
    at: Timestamp,
) -> Result<Vec<AccountId>> {
    let mut links: Vec<(i64, i64)> = Vec::new();
    for chunk in messages.chunks(BATCH) {
        let sql = format!(
            "SELECT message_id, patient_account FROM message_patients WHERE message_id IN ({})",
            store.db.placeholders(1, chunk.len())
        );
        let mut query = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for message in chunk {
            query = query.bind(message.0);
        }
        links.extend(query.fetch_all(&store.db.pool).await?);
    }
    links.retain(|(_, patient)| *patient != actor.0);
    let mut first = Vec::new();
    if links.is_empty() {
        // Most reads concern no patient: no write transaction for them.
        return Ok(first);
    }
    let mut tx = store.db.begin_write().await?;
    let mut asked = std::collections::HashSet::new();
    for (message, patient) in links {
        // Whether this actor reached the patient's data before: asked once per patient.
        if asked.insert(patient) {
            let seen: Option<i64> = sqlx::query_scalar(
                "SELECT actor_account FROM patient_accesses
                 WHERE patient_account = $1 AND actor_account = $2 LIMIT 1",
            )
            .bind(patient)
            .bind(actor.0)
            .fetch_optional(&mut *tx.tx)
            .await?;
            if seen.is_none() {
                first.push(AccountId(patient));
            }
        }
        sqlx::query(
            "INSERT INTO patient_accesses (patient_account, actor_account, action, message_id, at_ms)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(patient)
        .bind(actor.0)
        .bind(action)
        .bind(message)
        .bind(at.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    }
    tx.commit().await?;
    Ok(first)
}

pub(super) async fn patient_accesses(
    store: &SqlStore,
    patient: AccountId,
) -> Result<Vec<PatientAccess>> {
    let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
        "SELECT actor_account, action, message_id, at_ms FROM patient_accesses
         WHERE patient_account = $1 ORDER BY at_ms, message_id",
    )
    .bind(patient.0)
    .fetch_all(&store.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(actor, action, message, at)| PatientAccess {
            actor: AccountId(actor),
            action,
            message: MessageId(message),
            at: Timestamp::from_millis(at),
        })
        .collect())
}
