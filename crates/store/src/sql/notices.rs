//! New-mail notices (MS-7): who asked for them, and when the last one went out.

use caduceus_audit::Event;
use caduceus_core::{MailAddress, Timestamp};

use super::SqlStore;
use super::auth::contact_email;
use super::exec::Value;
use super::traces::append;
use crate::error::Result;
use crate::model::AccountId;

pub(super) async fn set_new_mail_notice(
    store: &SqlStore,
    account: AccountId,
    enabled: bool,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let statement = if enabled {
        "INSERT INTO new_mail_notices (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING"
    } else {
        "DELETE FROM new_mail_notices WHERE account_id = $1"
    };
    sqlx::query(statement)
        .bind(account.0)
        .execute(&mut *tx.tx)
        .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn new_mail_notice(store: &SqlStore, account: AccountId) -> Result<bool> {
    let row = store
        .db
        .read_optional(
            "SELECT account_id FROM new_mail_notices WHERE account_id = $1",
            &[Value::Int(account.0)],
            |_| Ok(()),
        )
        .await?;
    Ok(row.is_some())
}

pub(super) async fn claim_new_mail_notice(
    store: &SqlStore,
    account: AccountId,
    now: Timestamp,
    quiet_since: Timestamp,
) -> Result<Option<MailAddress>> {
    // Cheap refusal first: most accounts never asked for notices.
    if !new_mail_notice(store, account).await? {
        return Ok(None);
    }
    let Some(to) = contact_email(store, account).await? else {
        return Ok(None);
    };
    let mut tx = store.db.begin_write().await?;
    let claimed = sqlx::query(
        "UPDATE new_mail_notices SET last_sent_ms = $2
         WHERE account_id = $1 AND (last_sent_ms IS NULL OR last_sent_ms <= $3)",
    )
    .bind(account.0)
    .bind(now.as_millis())
    .bind(quiet_since.as_millis())
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok((claimed == 1).then_some(to))
}
