//! Out-of-office settings, signatures and the senders answered (MS-6, RFC 3834) on
//! both backends.

use async_trait::async_trait;
use caduceus_audit::Event;
use caduceus_core::absence::{Absence, REPLY_PERIOD};
use caduceus_core::{MailAddress, Timestamp};

use super::SqlStore;
use super::exec::Value;
use super::traces::append;
use crate::absence::AbsenceStore;
use crate::error::{Result, StoreError};
use crate::model::AccountId;
use crate::seal::context;

/// The setting's column, read only when the absence is on (`on_only`) or always.
async fn read_absence(
    store: &SqlStore,
    account: AccountId,
    on_only: bool,
) -> Result<Option<Absence>> {
    let sql = if on_only {
        "SELECT absence_sealed FROM mail_settings WHERE account_id = $1 AND absence_on = 1"
    } else {
        "SELECT absence_sealed FROM mail_settings WHERE account_id = $1"
    };
    let sealed = store
        .db
        .read_optional(sql, &[Value::Int(account.0)], |row| row.maybe_blob(0))
        .await?;
    let Some(sealed) = sealed.flatten() else {
        return Ok(None);
    };
    let key = store.keyring.account_key(account.0).await?;
    let json = key.open(
        &context::absence(account.0),
        &sealed,
        "out-of-office setting",
    )?;
    serde_json::from_slice(&json)
        .map(Some)
        .map_err(|e| StoreError::Corrupt {
            what: "mail_settings.absence_sealed",
            detail: e.to_string(),
        })
}

/// Makes sure the account has its `mail_settings` row.
async fn ensure_row(tx: &mut super::db::WriteTx, account: AccountId, now: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_settings (account_id, updated_ms) VALUES ($1, $2)
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account.0)
    .bind(now)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

#[async_trait]
impl AbsenceStore for SqlStore {
    async fn absence(&self, account: AccountId) -> Result<Option<Absence>> {
        read_absence(self, account, false).await
    }

    async fn absence_on(&self, account: AccountId) -> Result<Option<Absence>> {
        read_absence(self, account, true).await
    }

    async fn set_absence(
        &self,
        account: AccountId,
        absence: &Absence,
        trace: &Event,
    ) -> Result<()> {
        let json = serde_json::to_vec(absence).map_err(|e| StoreError::Corrupt {
            what: "mail_settings.absence_sealed",
            detail: e.to_string(),
        })?;
        let key = self.keyring.account_key(account.0).await?;
        let sealed = key.seal(&context::absence(account.0), &json);
        let mut tx = self.db.begin_write().await?;
        ensure_row(&mut tx, account, trace.at_ms).await?;
        sqlx::query(
            "UPDATE mail_settings SET absence_on = $2, absence_sealed = $3, updated_ms = $4
             WHERE account_id = $1",
        )
        .bind(account.0)
        .bind(i64::from(absence.on))
        .bind(sealed)
        .bind(trace.at_ms)
        .execute(&mut *tx.tx)
        .await?;
        sqlx::query("DELETE FROM absence_replies WHERE account_id = $1")
            .bind(account.0)
            .execute(&mut *tx.tx)
            .await?;
        append(self, &mut tx, std::slice::from_ref(trace)).await?;
        tx.commit().await
    }

    async fn signature(&self, account: AccountId) -> Result<String> {
        let sealed: Option<Option<Vec<u8>>> =
            sqlx::query_scalar("SELECT signature_sealed FROM mail_settings WHERE account_id = $1")
                .bind(account.0)
                .fetch_optional(&self.db.pool)
                .await?;
        let Some(sealed) = sealed.flatten() else {
            return Ok(String::new());
        };
        let key = self.keyring.account_key(account.0).await?;
        let text = key.open(&context::signature(account.0), &sealed, "signature")?;
        String::from_utf8(text).map_err(|e| StoreError::Corrupt {
            what: "mail_settings.signature_sealed",
            detail: e.to_string(),
        })
    }

    async fn set_signature(
        &self,
        account: AccountId,
        signature: &str,
        trace: &Event,
    ) -> Result<()> {
        let sealed = match signature {
            "" => None,
            text => {
                let key = self.keyring.account_key(account.0).await?;
                Some(key.seal(&context::signature(account.0), text.as_bytes()))
            }
        };
        let mut tx = self.db.begin_write().await?;
        ensure_row(&mut tx, account, trace.at_ms).await?;
        sqlx::query(
            "UPDATE mail_settings SET signature_sealed = $2, updated_ms = $3 WHERE account_id = $1",
        )
        .bind(account.0)
        .bind(sealed)
        .bind(trace.at_ms)
        .execute(&mut *tx.tx)
        .await?;
        append(self, &mut tx, std::slice::from_ref(trace)).await?;
        tx.commit().await
    }

    async fn claim_absence_reply(
        &self,
        account: AccountId,
        sender: &MailAddress,
        now: Timestamp,
    ) -> Result<bool> {
        let sender = self.absence_sender_hash(account, sender).await?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM absence_replies WHERE account_id = $1 AND replied_ms < $2")
            .bind(account.0)
            .bind(now.saturating_sub(REPLY_PERIOD).as_millis())
            .execute(&mut *tx.tx)
            .await?;
        let claimed = sqlx::query(
            "INSERT INTO absence_replies (account_id, sender_hash, replied_ms) VALUES ($1, $2, $3)
             ON CONFLICT (account_id, sender_hash) DO NOTHING",
        )
        .bind(account.0)
        .bind(&sender[..])
        .bind(now.as_millis())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn release_absence_reply(&self, account: AccountId, sender: &MailAddress) -> Result<()> {
        let sender = self.absence_sender_hash(account, sender).await?;
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM absence_replies WHERE account_id = $1 AND sender_hash = $2")
            .bind(account.0)
            .bind(&sender[..])
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl SqlStore {
    /// How `sender` is kept among those `account`'s out-of-office answered: an
    /// HMAC-SHA256 under the account key (MS-6; gone with the key, RT-3).
    async fn absence_sender_hash(
        &self,
        account: AccountId,
        sender: &MailAddress,
    ) -> Result<[u8; 32]> {
        let key = self.keyring.account_key(account.0).await?;
        Ok(key.keyed_hash(
            &context::absence_sender(account.0),
            sender.as_str().as_bytes(),
        ))
    }
}
