//! Authentication data: enrolled devices (AU-2), second factors and emailed codes
//! (AU-1), failure counters and alerts (AU-3, TR-3).

use caduceus_audit::Event;
use caduceus_core::{FailureState, MailAddress, OneTimeCode, PhoneNumber, Secret, Timestamp};

use super::SqlStore;
use super::db::WriteTx;
use super::exec::{self, Value};
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::model::*;
use crate::seal::context;

/// A device from the columns of [`DEVICE_COLUMNS`], in that order.
fn device_from_row(row: &dyn exec::Row) -> Result<Device> {
    Ok(Device {
        id: DeviceId(row.int(0)?),
        account: AccountId(row.int(1)?),
        name: row.text(2)?,
        created: Timestamp::from_millis(row.int(3)?),
        last_used: row.maybe_int(4)?.map(Timestamp::from_millis),
        revoked: row.maybe_int(5)?.map(Timestamp::from_millis),
    })
}

const DEVICE_COLUMNS: &str = "id, account_id, name, created_ms, last_used_ms, revoked_ms";

pub(super) async fn create_device(
    store: &SqlStore,
    account: AccountId,
    name: &str,
    secret_hash: &[u8],
    at: Timestamp,
    trace: &Event,
) -> Result<Device> {
    let mut tx = store.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO devices (account_id, name, secret_hash, created_ms) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(account.0)
    .bind(name)
    .bind(secret_hash.to_vec())
    .bind(at.as_millis())
    .fetch_one(&mut *tx.tx)
    .await?;
    let mut trace = trace.clone();
    trace.object.push(DeviceId(id));
    append(store, &mut tx, std::slice::from_ref(&trace)).await?;
    tx.commit().await?;
    Ok(Device {
        id: DeviceId(id),
        account,
        name: name.to_owned(),
        created: at,
        last_used: None,
        revoked: None,
    })
}

pub(super) async fn devices(store: &SqlStore, account: AccountId) -> Result<Vec<Device>> {
    let sql = format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE account_id = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(account.0)
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(|row| device_from_row(row)).collect()
}

pub(super) async fn device_secret(store: &SqlStore, id: DeviceId) -> Result<Option<DeviceSecret>> {
    let sql = format!("SELECT {DEVICE_COLUMNS}, secret_hash FROM devices WHERE id = $1");
    let secret = |row: &dyn exec::Row| {
        Ok(DeviceSecret {
            device: device_from_row(row)?,
            secret_hash: row.blob(6)?,
        })
    };
    store
        .db
        .read_optional(&sql, &[Value::Int(id.0)], secret)
        .await
}

pub(super) async fn touch_device(store: &SqlStore, id: DeviceId, at: Timestamp) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("UPDATE devices SET last_used_ms = $2 WHERE id = $1")
        .bind(id.0)
        .bind(at.as_millis())
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

pub(super) async fn revoke_device(
    store: &SqlStore,
    account: AccountId,
    id: DeviceId,
    at: Timestamp,
    trace: &Event,
) -> Result<()> {
    revoke_owned(
        store,
        Credential::Device,
        account,
        id.0,
        &id.to_string(),
        at,
        trace,
    )
    .await
}

/// A revocable credential's table: a device's (AU-2) or a passkey's (AU-1).
#[derive(Clone, Copy)]
pub(super) enum Credential {
    Device,
    Passkey,
}

/// Revokes credential `id` of `account` at `at` (kept if already revoked), with its
/// trace; `NotFound` when `account` has no such credential.
pub(super) async fn revoke_owned(
    store: &SqlStore,
    credential: Credential,
    account: AccountId,
    id: i64,
    shown: &str,
    at: Timestamp,
    trace: &Event,
) -> Result<()> {
    let (table, what) = match credential {
        Credential::Device => ("devices", "device"),
        Credential::Passkey => ("passkeys", "passkey"),
    };
    let mut tx = store.db.begin_write().await?;
    let sql = format!(
        "UPDATE {table} SET revoked_ms = COALESCE(revoked_ms, $3) WHERE id = $1 AND account_id = $2"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(account.0)
        .bind(at.as_millis())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if rows == 0 {
        return Err(StoreError::NotFound {
            what,
            id: shown.to_owned(),
        });
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// Makes sure the account has its `second_factors` row.
pub(super) async fn ensure_factors_row(
    tx: &mut super::db::WriteTx,
    account: AccountId,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO second_factors (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(account.0)
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub(super) async fn set_totp(
    store: &SqlStore,
    account: AccountId,
    secret: Option<&[u8]>,
    trace: &Event,
) -> Result<()> {
    let sealed = match secret {
        Some(secret) => {
            let key = store.keyring.account_key(account.0).await?;
            Some(key.seal(&context::totp(account.0), secret))
        }
        None => None,
    };
    let mut tx = store.db.begin_write().await?;
    ensure_factors_row(&mut tx, account).await?;
    sqlx::query(
        "UPDATE second_factors SET totp_sealed = $2, totp_last_step = NULL WHERE account_id = $1",
    )
    .bind(account.0)
    .bind(sealed)
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn totp(store: &SqlStore, account: AccountId) -> Result<Option<TotpState>> {
    let row: Option<(Option<Vec<u8>>, Option<i64>)> = sqlx::query_as(
        "SELECT totp_sealed, totp_last_step FROM second_factors WHERE account_id = $1",
    )
    .bind(account.0)
    .fetch_optional(&store.db.pool)
    .await?;
    let Some((Some(sealed), last_step)) = row else {
        return Ok(None);
    };
    let key = store.keyring.account_key(account.0).await?;
    let secret = key.open(&context::totp(account.0), &sealed, "TOTP secret")?;
    Ok(Some(TotpState {
        secret: Secret::new(secret),
        last_step,
    }))
}

pub(super) async fn use_totp_step(store: &SqlStore, account: AccountId, step: i64) -> Result<bool> {
    let mut tx = store.db.begin_write().await?;
    let rows = sqlx::query(
        "UPDATE second_factors SET totp_last_step = $2
         WHERE account_id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
    )
    .bind(account.0)
    .bind(step)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(rows == 1)
}

pub(super) async fn set_contact_email(
    store: &SqlStore,
    account: AccountId,
    email: Option<&MailAddress>,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    write_contact_email(&mut tx, account, email).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// Writes the out-of-band address in `tx` (set directly, or confirmed by its code).
pub(super) async fn write_contact_email(
    tx: &mut WriteTx,
    account: AccountId,
    email: Option<&MailAddress>,
) -> Result<()> {
    ensure_factors_row(tx, account).await?;
    sqlx::query("UPDATE second_factors SET contact_email = $2 WHERE account_id = $1")
        .bind(account.0)
        .bind(email.map(MailAddress::as_str))
        .execute(&mut *tx.tx)
        .await?;
    Ok(())
}

pub(super) async fn set_contact_phone(
    store: &SqlStore,
    account: AccountId,
    phone: Option<&PhoneNumber>,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    write_contact_phone(&mut tx, account, phone).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// Writes (or removes) the SMS phone number in `tx` (set directly, or confirmed).
pub(super) async fn write_contact_phone(
    tx: &mut WriteTx,
    account: AccountId,
    phone: Option<&PhoneNumber>,
) -> Result<()> {
    let query = match phone {
        Some(phone) => sqlx::query(
            "INSERT INTO contact_phones (account_id, phone) VALUES ($1, $2)
             ON CONFLICT (account_id) DO UPDATE SET phone = $2",
        )
        .bind(account.0)
        .bind(phone.as_str()),
        None => sqlx::query("DELETE FROM contact_phones WHERE account_id = $1").bind(account.0),
    };
    query.execute(&mut *tx.tx).await?;
    Ok(())
}

pub(super) async fn contact_phone(
    store: &SqlStore,
    account: AccountId,
) -> Result<Option<PhoneNumber>> {
    let phone: Option<String> =
        sqlx::query_scalar("SELECT phone FROM contact_phones WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&store.db.pool)
            .await?;
    phone
        .map(|p| {
            PhoneNumber::parse(&p).map_err(|error| StoreError::Corrupt {
                what: "contact phone",
                detail: error.to_string(),
            })
        })
        .transpose()
}

pub(super) async fn contact_email(
    store: &SqlStore,
    account: AccountId,
) -> Result<Option<MailAddress>> {
    let email: Option<Option<String>> =
        sqlx::query_scalar("SELECT contact_email FROM second_factors WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&store.db.pool)
            .await?;
    email
        .flatten()
        .map(|e| {
            MailAddress::parse(&e).map_err(|error| StoreError::Corrupt {
                what: "contact e-mail",
                detail: error.to_string(),
            })
        })
        .transpose()
}

/// How a login code of `account` is kept (AU-1, MS-4): an HMAC-SHA256 under the
/// account key, bound to its use and account, so the same digits are kept apart for
/// every account and use, and nothing in the database alone tells the code back. The
/// account key, rather than one derived from the master key: it is the key this
/// account's other secrets are under, already loaded for its requests, and destroyed
/// with the account (RT-2).
pub(super) async fn put_login_code(
    store: &SqlStore,
    account: AccountId,
    code: &OneTimeCode,
    expires: Timestamp,
) -> Result<()> {
    let key = store.keyring.account_key(account.0).await?;
    let code_hash = key.keyed_hash(&context::login_code(account.0), code.expose().as_bytes());
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO login_codes (account_id, code_hash, expires_ms, attempts) VALUES ($1, $2, $3, 0)
         ON CONFLICT (account_id) DO UPDATE SET code_hash = $2, expires_ms = $3, attempts = 0",
    )
    .bind(account.0)
    .bind(code_hash.to_vec())
    .bind(expires.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    tx.commit().await
}

pub(super) async fn login_code(store: &SqlStore, account: AccountId) -> Result<Option<LoginCode>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT expires_ms, attempts FROM login_codes WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&store.db.pool)
            .await?;
    Ok(row.map(|(expires, attempts)| LoginCode {
        expires: Timestamp::from_millis(expires),
        attempts,
    }))
}

pub(super) async fn login_code_matches(
    store: &SqlStore,
    account: AccountId,
    code: &OneTimeCode,
) -> Result<bool> {
    let kept: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT code_hash FROM login_codes WHERE account_id = $1")
            .bind(account.0)
            .fetch_optional(&store.db.pool)
            .await?;
    let Some(kept) = kept else {
        return Ok(false);
    };
    let key = store.keyring.account_key(account.0).await?;
    Ok(key.keyed_hash_matches(
        &context::login_code(account.0),
        code.expose().as_bytes(),
        &kept,
    ))
}

pub(super) async fn login_code_attempt(store: &SqlStore, account: AccountId) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("UPDATE login_codes SET attempts = attempts + 1 WHERE account_id = $1")
        .bind(account.0)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

pub(super) async fn delete_login_code(store: &SqlStore, account: AccountId) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("DELETE FROM login_codes WHERE account_id = $1")
        .bind(account.0)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await
}

pub(super) async fn failure_state(store: &SqlStore, subject: &str) -> Result<FailureState> {
    let row: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT failures, last_ms, locked_until_ms FROM auth_failures WHERE subject = $1",
    )
    .bind(subject)
    .fetch_optional(&store.db.pool)
    .await?;
    Ok(
        row.map_or_else(FailureState::default, |(failures, last, locked)| {
            FailureState {
                failures: u32::try_from(failures).unwrap_or(u32::MAX),
                last_failure: last.map(Timestamp::from_millis),
                locked_until: locked.map(Timestamp::from_millis),
            }
        }),
    )
}

pub(super) async fn set_failure_state(
    store: &SqlStore,
    subject: &str,
    state: &FailureState,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    write_failure_state(&mut tx, subject, state).await?;
    tx.commit().await
}

/// See [`crate::Store::update_failure_state`]: on SQLite the write transaction holds
/// the writer lock; on PostgreSQL the subject's row (created first when missing) is
/// locked `FOR UPDATE`.
pub(super) async fn update_failure_state(
    store: &SqlStore,
    subject: &str,
    update: &(dyn Fn(FailureState) -> FailureState + Send + Sync),
) -> Result<(FailureState, FailureState)> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO auth_failures (subject, failures, last_ms, locked_until_ms) \
         VALUES ($1, 0, NULL, NULL) ON CONFLICT (subject) DO NOTHING",
    )
    .bind(subject)
    .execute(&mut *tx.tx)
    .await?;
    let (failures, last, locked): (i64, Option<i64>, Option<i64>) =
        sqlx::query_as(store.db.lock_failure_row_sql())
            .bind(subject)
            .fetch_one(&mut *tx.tx)
            .await?;
    let before = FailureState {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last_failure: last.map(Timestamp::from_millis),
        locked_until: locked.map(Timestamp::from_millis),
    };
    let after = update(before);
    write_failure_state(&mut tx, subject, &after).await?;
    tx.commit().await?;
    Ok((before, after))
}

async fn write_failure_state(tx: &mut WriteTx, subject: &str, state: &FailureState) -> Result<()> {
    if *state == FailureState::default() {
        sqlx::query("DELETE FROM auth_failures WHERE subject = $1")
            .bind(subject)
            .execute(&mut *tx.tx)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO auth_failures (subject, failures, last_ms, locked_until_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (subject) DO UPDATE SET failures = $2, last_ms = $3, locked_until_ms = $4",
        )
        .bind(subject)
        .bind(i64::from(state.failures))
        .bind(state.last_failure.map(|t| t.as_millis()))
        .bind(state.locked_until.map(|t| t.as_millis()))
        .execute(&mut *tx.tx)
        .await?;
    }
    Ok(())
}

pub(super) async fn raise_alert(
    store: &SqlStore,
    at: Timestamp,
    kind: &str,
    subject: &str,
    detail: &str,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("INSERT INTO alerts (at_ms, kind, subject, detail) VALUES ($1, $2, $3, $4)")
        .bind(at.as_millis())
        .bind(kind)
        .bind(subject)
        .bind(detail)
        .execute(&mut *tx.tx)
        .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn alerts(store: &SqlStore) -> Result<Vec<Alert>> {
    let rows: Vec<(i64, i64, String, String, String)> =
        sqlx::query_as("SELECT id, at_ms, kind, subject, detail FROM alerts ORDER BY id")
            .fetch_all(&store.db.pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, at, kind, subject, detail)| Alert {
            id,
            at: Timestamp::from_millis(at),
            kind,
            subject,
            detail,
        })
        .collect())
}
