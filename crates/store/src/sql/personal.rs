//! Personal folders and the personal items among references (MS-14).

use std::collections::HashSet;

use caduceus_audit::Event;
use caduceus_core::Timestamp;
use sqlx::Row;

use super::SqlStore;
use super::db::BATCH;
use super::traces::append;
use crate::error::Result;
use crate::model::{AccountId, MailboxId, MessageId};

pub(super) async fn set_mailbox_personal(
    store: &SqlStore,
    mailbox: MailboxId,
    since: Option<Timestamp>,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let query = match since {
        Some(at) => sqlx::query(
            "INSERT INTO personal_mailboxes (mailbox_id, since_ms) VALUES ($1, $2)
             ON CONFLICT (mailbox_id) DO NOTHING",
        )
        .bind(mailbox.0)
        .bind(at.as_millis()),
        None => sqlx::query("DELETE FROM personal_mailboxes WHERE mailbox_id = $1").bind(mailbox.0),
    };
    query.execute(&mut *tx.tx).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn personal_mailboxes(
    store: &SqlStore,
    account: AccountId,
) -> Result<Vec<MailboxId>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT p.mailbox_id FROM personal_mailboxes p
         JOIN mailboxes b ON b.id = p.mailbox_id WHERE b.account_id = $1 ORDER BY p.mailbox_id",
    )
    .bind(account.0)
    .fetch_all(&store.db.pool)
    .await?;
    Ok(ids.into_iter().map(MailboxId).collect())
}

pub(super) async fn personal_among(
    store: &SqlStore,
    messages: &[MessageId],
    mailboxes: &[MailboxId],
) -> Result<HashSet<String>> {
    let mut personal = HashSet::new();
    for batch in messages.chunks(BATCH) {
        let sql = format!(
            "SELECT m.id, m.flags, p.mailbox_id AS personal FROM messages m
             LEFT JOIN personal_mailboxes p ON p.mailbox_id = m.mailbox_id
             WHERE m.id IN ({})",
            store.db.placeholders(1, batch.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in batch {
            query = query.bind(id.0);
        }
        for row in query.fetch_all(&store.db.pool).await? {
            let flags: String = row.try_get("flags")?;
            let flags: Vec<String> = flags.split_whitespace().map(str::to_owned).collect();
            let in_personal_folder = row.try_get::<Option<i64>, _>("personal")?.is_some();
            if caduceus_core::personal::is_personal(&flags, in_personal_folder) {
                personal.insert(MessageId(row.try_get("id")?).to_string());
            }
        }
    }
    for batch in mailboxes.chunks(BATCH) {
        let sql = format!(
            "SELECT mailbox_id FROM personal_mailboxes WHERE mailbox_id IN ({})",
            store.db.placeholders(1, batch.len())
        );
        let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for id in batch {
            query = query.bind(id.0);
        }
        for id in query.fetch_all(&store.db.pool).await? {
            personal.insert(MailboxId(id).to_string());
        }
    }
    Ok(personal)
}
