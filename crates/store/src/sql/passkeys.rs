//! Passkeys, pairing tokens and ceremonies under way (AU-1, MS-18) on both backends.

use async_trait::async_trait;
use caduceus_audit::Event;
use caduceus_core::Timestamp;
use caduceus_core::passkey::{CeremonyKind, PasskeyKind};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::SqlStore;
use super::db::WriteTx;
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::model::AccountId;
use crate::passkey::{
    NewCeremony, NewPasskey, PairingToken, Passkey, PasskeyId, PasskeyStore, PendingCeremony,
};

const COLUMNS: &str =
    "id, account_id, name, kind, credential_id, credential, created_ms, last_used_ms, revoked_ms";

fn passkey_from_row(row: &AnyRow) -> Result<Passkey> {
    let kind: String = row.try_get("kind")?;
    Ok(Passkey {
        id: PasskeyId(row.try_get("id")?),
        account: AccountId(row.try_get("account_id")?),
        name: row.try_get("name")?,
        kind: PasskeyKind::parse(&kind).ok_or(StoreError::Corrupt {
            what: "passkeys.kind",
            detail: kind.clone(),
        })?,
        credential_id: row.try_get("credential_id")?,
        credential: row.try_get("credential")?,
        created: Timestamp::from_millis(row.try_get("created_ms")?),
        last_used: row
            .try_get::<Option<i64>, _>("last_used_ms")?
            .map(Timestamp::from_millis),
        revoked: row
            .try_get::<Option<i64>, _>("revoked_ms")?
            .map(Timestamp::from_millis),
    })
}

/// Inserts the passkey in `tx` and names it in `trace`.
async fn insert(tx: &mut WriteTx, new: &NewPasskey<'_>, trace: &mut Event) -> Result<Passkey> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM passkeys WHERE credential_id = $1")
        .bind(new.credential_id.to_vec())
        .fetch_optional(&mut *tx.tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict {
            what: "passkey",
            detail: "credential id registered already".into(),
        });
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO passkeys (account_id, name, kind, credential_id, credential, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(new.account.0)
    .bind(new.name)
    .bind(new.kind.as_str())
    .bind(new.credential_id.to_vec())
    .bind(new.credential)
    .bind(new.at.as_millis())
    .fetch_one(&mut *tx.tx)
    .await?;
    trace.object.push(PasskeyId(id));
    Ok(Passkey {
        id: PasskeyId(id),
        account: new.account,
        name: new.name.to_owned(),
        kind: new.kind,
        credential_id: new.credential_id.to_vec(),
        credential: new.credential.to_owned(),
        created: new.at,
        last_used: None,
        revoked: None,
    })
}

#[async_trait]
impl PasskeyStore for SqlStore {
    async fn add_passkey(&self, new: &NewPasskey<'_>, trace: &Event) -> Result<Passkey> {
        let mut tx = self.db.begin_write().await?;
        let mut trace = trace.clone();
        let passkey = insert(&mut tx, new, &mut trace).await?;
        append(self, &mut tx, std::slice::from_ref(&trace)).await?;
        tx.commit().await?;
        Ok(passkey)
    }

    async fn add_paired_passkey(
        &self,
        token_hash: &[u8],
        new: &NewPasskey<'_>,
        trace: &Event,
        used: &Event,
    ) -> Result<Option<Passkey>> {
        let mut tx = self.db.begin_write().await?;
        let spent = sqlx::query(
            "UPDATE pairing_tokens SET used_ms = $3
             WHERE token_hash = $1 AND account_id = $2 AND used_ms IS NULL AND expires_ms > $3",
        )
        .bind(token_hash.to_vec())
        .bind(new.account.0)
        .bind(new.at.as_millis())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
        if spent == 0 {
            return Ok(None);
        }
        let mut trace = trace.clone();
        let passkey = insert(&mut tx, new, &mut trace).await?;
        append(self, &mut tx, &[used.clone(), trace]).await?;
        tx.commit().await?;
        Ok(Some(passkey))
    }

    async fn passkeys(&self, account: AccountId) -> Result<Vec<Passkey>> {
        let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE account_id = $1 ORDER BY id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(account.0)
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter().map(passkey_from_row).collect()
    }

    async fn passkey_by_credential(&self, credential_id: &[u8]) -> Result<Option<Passkey>> {
        let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(credential_id.to_vec())
            .fetch_optional(&self.db.pool)
            .await?;
        row.as_ref().map(passkey_from_row).transpose()
    }

    async fn touch_passkey(&self, id: PasskeyId, credential: &str, at: Timestamp) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("UPDATE passkeys SET credential = $2, last_used_ms = $3 WHERE id = $1")
            .bind(id.0)
            .bind(credential)
            .bind(at.as_millis())
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await
    }

    async fn revoke_passkey(
        &self,
        account: AccountId,
        id: PasskeyId,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()> {
        let credential = super::auth::Credential::Passkey;
        super::auth::revoke_owned(self, credential, account, id.0, &id.to_string(), at, trace).await
    }

    async fn add_pairing_token(
        &self,
        account: AccountId,
        token_hash: &[u8],
        expires: Timestamp,
        trace: &Event,
    ) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query(
            "INSERT INTO pairing_tokens (token_hash, account_id, created_ms, expires_ms)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_vec())
        .bind(account.0)
        .bind(trace.at_ms)
        .bind(expires.as_millis())
        .execute(&mut *tx.tx)
        .await?;
        append(self, &mut tx, std::slice::from_ref(trace)).await?;
        tx.commit().await
    }

    async fn pairing_token(&self, token_hash: &[u8]) -> Result<Option<PairingToken>> {
        let row = sqlx::query(
            "SELECT account_id, expires_ms, used_ms FROM pairing_tokens WHERE token_hash = $1",
        )
        .bind(token_hash.to_vec())
        .fetch_optional(&self.db.pool)
        .await?;
        row.map(|row| -> Result<PairingToken> {
            Ok(PairingToken {
                account: AccountId(row.try_get("account_id")?),
                expires: Timestamp::from_millis(row.try_get("expires_ms")?),
                used: row
                    .try_get::<Option<i64>, _>("used_ms")?
                    .map(Timestamp::from_millis),
            })
        })
        .transpose()
    }

    async fn add_ceremony(&self, new: &NewCeremony<'_>) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM passkey_ceremonies WHERE expires_ms <= $1")
            .bind(new.begun.as_millis())
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query(
            "INSERT INTO passkey_ceremonies (id_hash, kind, account_id, state, expires_ms)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new.id_hash.to_vec())
        .bind(new.kind.as_str())
        .bind(new.account.map(|a| a.0))
        .bind(new.state)
        .bind(new.expires.as_millis())
        .execute(&mut *tx.tx)
        .await?;
        tx.commit().await
    }

    async fn take_ceremony(
        &self,
        id_hash: &[u8],
        now: Timestamp,
    ) -> Result<Option<PendingCeremony>> {
        let mut tx = self.db.begin_write().await?;
        // One statement: of two nodes taking it together, one gets the row.
        let row = sqlx::query(
            "DELETE FROM passkey_ceremonies WHERE id_hash = $1
             RETURNING kind, account_id, state, expires_ms",
        )
        .bind(id_hash.to_vec())
        .fetch_optional(&mut *tx.tx)
        .await?;
        tx.commit().await?;
        let Some(row) = row else {
            return Ok(None);
        };
        if row.try_get::<i64, _>("expires_ms")? <= now.as_millis() {
            return Ok(None);
        }
        let kind: String = row.try_get("kind")?;
        Ok(Some(PendingCeremony {
            kind: CeremonyKind::parse(&kind).ok_or(StoreError::Corrupt {
                what: "passkey_ceremonies.kind",
                detail: kind.clone(),
            })?,
            account: row.try_get::<Option<i64>, _>("account_id")?.map(AccountId),
            state: row.try_get("state")?,
        }))
    }
}
