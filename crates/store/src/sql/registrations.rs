//! Self-registrations (ID-1, seed 004 §7.1): the account, its out-of-band address, what
//! the applicant presented and the register's verdict, in one transaction; the address
//! confirmation that activates it; the registration authority's queue.

use caduceus_audit::Event;
use caduceus_core::Timestamp;
use caduceus_core::enrolment::{Mismatch, Proof};
use sqlx::Row;

use super::SqlStore;
use super::traces::append;
use super::{accounts, auth};
use crate::error::{Result, StoreError};
use crate::model::{Account, AccountId};
use crate::registration::{NewRegistration, RegistrationRequest};

/// See [`crate::Store::create_registration`].
pub(super) async fn create(
    store: &SqlStore,
    new: &NewRegistration<'_>,
    traces: &(dyn Fn(AccountId) -> Vec<Event> + Send + Sync),
) -> Result<Account> {
    let mut tx = store.db.begin_write().await?;
    let id = accounts::insert(&mut tx, new.account).await?;
    auth::ensure_factors_row(&mut tx, id).await?;
    sqlx::query("UPDATE second_factors SET contact_email = $2 WHERE account_id = $1")
        .bind(id.0)
        .bind(new.contact.as_str())
        .execute(&mut *tx.tx)
        .await?;
    let (referred, token, expires) = match &new.verdict {
        Ok(confirmation) => {
            accounts::insert_verification(&mut tx, id, confirmation.verification).await?;
            sqlx::query("UPDATE accounts SET state = 'verified' WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx.tx)
                .await?;
            (
                None,
                Some(confirmation.token_hash.to_vec()),
                Some(confirmation.expires.as_millis()),
            )
        }
        Err(why) => (Some(why.as_str()), None, None),
    };
    sqlx::query(
        "INSERT INTO registration_requests
           (account_id, proof, family_name, given_name, referred, requested_ms, token_hash,
            token_expires_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.0)
    .bind(new.proof.as_str())
    .bind(new.family_name)
    .bind(new.given_name)
    .bind(referred)
    .bind(new.account.at.as_millis())
    .bind(token)
    .bind(expires)
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, &traces(id)).await?;
    tx.commit().await?;
    accounts::get(store, id).await
}

/// See [`crate::Store::confirm_registration`].
pub(super) async fn confirm(
    store: &SqlStore,
    token_hash: &[u8; 32],
    now: Timestamp,
    traces: &(dyn Fn(AccountId) -> Vec<Event> + Send + Sync),
) -> Result<Option<AccountId>> {
    let mut tx = store.db.begin_write().await?;
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT r.account_id FROM registration_requests r JOIN accounts a ON a.id = r.account_id
         WHERE r.token_hash = $1 AND r.token_expires_ms > $2 AND a.state = 'verified'",
    )
    .bind(token_hash.to_vec())
    .bind(now.as_millis())
    .fetch_optional(&mut *tx.tx)
    .await?;
    let Some(id) = found else {
        return Ok(None);
    };
    sqlx::query("UPDATE accounts SET state = 'active', updated_ms = $2 WHERE id = $1")
        .bind(id)
        .bind(now.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query(
        "UPDATE registration_requests SET token_hash = NULL, token_expires_ms = NULL
         WHERE account_id = $1",
    )
    .bind(id)
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, &traces(AccountId(id))).await?;
    tx.commit().await?;
    Ok(Some(AccountId(id)))
}

/// See [`crate::Store::registration_requests`].
pub(super) async fn queue(store: &SqlStore) -> Result<Vec<RegistrationRequest>> {
    let rows = sqlx::query(
        "SELECT r.account_id, r.proof, r.family_name, r.given_name, r.referred, r.requested_ms
         FROM registration_requests r JOIN accounts a ON a.id = r.account_id
         WHERE a.state IN ('pending', 'verified') ORDER BY r.requested_ms, r.account_id",
    )
    .fetch_all(&store.db.pool)
    .await?;
    let corrupt = |what: &'static str, value: &str| StoreError::Corrupt {
        what,
        detail: value.to_owned(),
    };
    rows.iter()
        .map(|row| {
            let proof: String = row.try_get("proof")?;
            let referred: Option<String> = row.try_get("referred")?;
            Ok(RegistrationRequest {
                account: AccountId(row.try_get("account_id")?),
                proof: Proof::parse(&proof).ok_or_else(|| corrupt("registration proof", &proof))?,
                family_name: row.try_get("family_name")?,
                given_name: row.try_get("given_name")?,
                referred: referred
                    .map(|r| Mismatch::parse(&r).ok_or_else(|| corrupt("registration reason", &r)))
                    .transpose()?,
                requested: Timestamp::from_millis(row.try_get("requested_ms")?),
            })
        })
        .collect()
}
