//! Contact changes waiting for their code (AU-1, MS-7, RT-1) on both backends: the
//! new value sealed with the account key, bound to its account and channel; the code
//! sent to it an HMAC-SHA256 under the same key, bound to the account, the channel and
//! the value (AU-1, MS-4). The account key rather than one derived from the master key:
//! the value it confirms is under it already, it is loaded for the account's requests,
//! and it is destroyed with the account (RT-2). Neither key is in the database in clear,
//! so a copy of it tells no pending code back, nor the same digits sent to two accounts
//! or for two uses apart.

use async_trait::async_trait;
use caduceus_audit::Event;
use caduceus_core::contact::{ContactChannel, ContactValue};
use caduceus_core::{OneTimeCode, Timestamp};
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
        expires: Timestamp::from_millis(row.try_get("expires_ms")?),
        tries: u32::try_from(row.try_get::<i64, _>("tries")?).unwrap_or(u32::MAX),
    })
}

/// The context the code confirming `value` is hashed in (AU-1, MS-4).
fn code_context(account: AccountId, value: &ContactValue) -> Vec<u8> {
    context::contact_code(account.0, value.channel().as_str(), value.as_str())
}

/// The pending rows of `account`, e-mail first, with their kept code hashes.
async fn pending_rows(store: &SqlStore, account: AccountId) -> Result<Vec<AnyRow>> {
    Ok(sqlx::query(
        "SELECT channel, value_sealed, code_hash, expires_ms, tries
         FROM contact_confirmations WHERE account_id = $1 ORDER BY channel",
    )
    .bind(account.0)
    .fetch_all(&store.db.pool)
    .await?)
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
        let code_hash = key.keyed_hash(
            &code_context(new.account, new.value),
            new.code.expose().as_bytes(),
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
        .bind(code_hash.to_vec())
        .bind(new.expires.as_millis())
        .execute(&mut *tx.tx)
        .await?;
        append(self, &mut tx, std::slice::from_ref(trace)).await?;
        tx.commit().await
    }

    async fn contact_confirmations(&self, account: AccountId) -> Result<Vec<ContactConfirmation>> {
        let rows = pending_rows(self, account).await?;
        let mut pending = Vec::with_capacity(rows.len());
        for row in &rows {
            pending.push(from_row(self, account, row).await?);
        }
        Ok(pending)
    }

    async fn contact_code_channel(
        &self,
        account: AccountId,
        code: &OneTimeCode,
    ) -> Result<Option<ContactChannel>> {
        let rows = pending_rows(self, account).await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let key = self.keyring.account_key(account.0).await?;
        for row in &rows {
            let value = from_row(self, account, row).await?.value;
            let kept: Vec<u8> = row.try_get("code_hash")?;
            let typed = code.expose().as_bytes();
            if key.keyed_hash_matches(&code_context(account, &value), typed, &kept) {
                return Ok(Some(value.channel()));
            }
        }
        Ok(None)
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
             RETURNING channel, value_sealed, expires_ms, tries",
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
             RETURNING channel, value_sealed, expires_ms, tries",
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
