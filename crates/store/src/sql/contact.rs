//! Contact changes waiting for their code (AU-1, MS-7, RT-1) on both backends: the
//! new value sealed with the account key, bound to its account and channel.

use async_trait::async_trait;
use caduceus_audit::Event;
use caduceus_core::Timestamp;
use caduceus_core::contact::{ContactChannel, ContactValue};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::auth::{write_contact_email, write_contact_phone};
use super::traces::append;
use crate::contact::{ContactConfirmation, ContactConfirmationStore, NewContactConfirmation};
use crate::error::{Result, StoreError};
use crate::model::AccountId;
use crate::seal::context;

/// A row read back, its value opened.
async fn from_row(
    store: &SqlStore,
    account: AccountId,
    row: &AnyRow,
) -> Result<ContactConfirmation> {
    let name: String = row.try_get("channel")?;
    let corrupt = |detail: String| StoreError::Corrupt {
        what: "contact_confirmations",
        detail,
    };
    let channel = ContactChannel::parse(&name).ok_or_else(|| corrupt(name.clone()))?;
    let key = store.keyring.account_key(account.0).await?;
    let sealed: Vec<u8> = row.try_get("value_sealed")?;
    let opened = key.open(
        &context::contact_confirmation(account.0, channel.as_str()),
        &sealed,
        "pending contact",
    )?;
    let text = String::from_utf8(opened).map_err(|e| corrupt(e.to_string()))?;
    Ok(ContactConfirmation {
        value: ContactValue::parse(channel, &text)
            .ok_or_else(|| corrupt(format!("a {name} that does not parse")))?,
        code_hash: row.try_get("code_hash")?,
        expires: Timestamp::from_millis(row.try_get("expires_ms")?),
        tries: u32::try_from(row.try_get::<i64, _>("tries")?).unwrap_or(u32::MAX),
    })
}

#[async_trait]
impl ContactConfirmationStore for SqlStore {
    async fn put_contact_confirmation(
        &self,
        new: &NewContactConfirmation<'_>,
        trace: &Event,
    ) -> Result<()> {
        let channel = new.value.channel();
        let key = self.keyring.account_key(new.account.0).await?;
        let sealed = key.seal(
            &context::contact_confirmation(new.account.0, channel.as_str()),
            new.value.as_str().as_bytes(),
        );
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO contact_confirmations
                 (account_id, channel, value_sealed, code_hash, expires_ms, tries)
             VALUES ($1, $2, $3, $4, $5, 0)
             ON CONFLICT (account_id, channel) DO UPDATE SET value_sealed = $3,
                 code_hash = $4, expires_ms = $5, tries = 0",
        )
        .bind(new.account.0)
        .bind(channel.as_str())
        .bind(sealed)
        .bind(new.code_hash.to_vec())
        .bind(new.expires.as_millis())
        .execute(&mut *tx.tx)
        .await?;
        append(self, &mut tx, std::slice::from_ref(trace)).await?;
        tx.commit().await
    }

    async fn contact_confirmations(&self, account: AccountId) -> Result<Vec<ContactConfirmation>> {
        let rows = sqlx::query(
            "SELECT channel, value_sealed, code_hash, expires_ms, tries
             FROM contact_confirmations WHERE account_id = $1 ORDER BY channel",
        )
        .bind(account.0)
        .fetch_all(&self.db.pool)
        .await?;
        let mut pending = Vec::with_capacity(rows.len());
        for row in &rows {
            pending.push(from_row(self, account, row).await?);
        }
        Ok(pending)
    }

    async fn count_contact_try(
        &self,
        account: AccountId,
        channel: ContactChannel,
    ) -> Result<Option<ContactConfirmation>> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "UPDATE contact_confirmations SET tries = tries + 1
             WHERE account_id = $1 AND channel = $2
             RETURNING channel, value_sealed, code_hash, expires_ms, tries",
        )
        .bind(account.0)
        .bind(channel.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        match row {
            Some(row) => Ok(Some(from_row(self, account, &row).await?)),
            None => Ok(None),
        }
    }

    async fn confirm_contact(
        &self,
        account: AccountId,
        channel: ContactChannel,
        trace: &Event,
    ) -> Result<bool> {
        let mut tx = self.db.begin_write().await?;
        let row = sqlx::query(
            "DELETE FROM contact_confirmations WHERE account_id = $1 AND channel = $2
             RETURNING channel, value_sealed, code_hash, expires_ms, tries",
        )
        .bind(account.0)
        .bind(channel.as_str())
        .fetch_optional(&mut *tx.tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        match from_row(self, account, &row).await?.value {
            ContactValue::Email(address) => {
                write_contact_email(&mut tx, account, Some(&address)).await?
            }
            ContactValue::Phone(phone) => {
                write_contact_phone(&mut tx, account, Some(&phone)).await?
            }
        }
        append(self, &mut tx, std::slice::from_ref(trace)).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn drop_contact_confirmation(
        &self,
        account: AccountId,
        channel: ContactChannel,
        trace: &Event,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM contact_confirmations WHERE account_id = $1 AND channel = $2")
            .bind(account.0)
            .bind(channel.as_str())
            .execute(&mut *tx.tx)
            .await?;
        append(self, &mut tx, std::slice::from_ref(trace)).await?;
        tx.commit().await
    }
}
