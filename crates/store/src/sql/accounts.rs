//! Accounts, verifications and delegations.

use caduceus_audit::Event;
use caduceus_core::{AccountState, MailAddress, RegistryId, Timestamp};

use super::SqlStore;
use super::db::{BATCH, WriteTx};
use super::exec::{self, Value};
use super::traces::append;
use crate::error::{Result, StoreError};
use crate::model::*;

const ACCOUNT_COLUMNS: &str = "id, address, kind, state, registry, identifier, display_name, created_ms, updated_ms, encrypt_at_rest_ms";

fn corrupt(what: &'static str, detail: impl ToString) -> StoreError {
    StoreError::Corrupt {
        what,
        detail: detail.to_string(),
    }
}

/// An account from the columns of [`ACCOUNT_COLUMNS`], in that order.
fn account_from_row(row: &dyn exec::Row) -> Result<Account> {
    Ok(Account {
        id: AccountId(row.int(0)?),
        address: MailAddress::parse(&row.text(1)?).map_err(|e| corrupt("account address", e))?,
        kind: row
            .text(2)?
            .parse()
            .map_err(|e| corrupt("account kind", e))?,
        state: row
            .text(3)?
            .parse()
            .map_err(|e| corrupt("account state", e))?,
        identity: RegistryId::from_stored(&row.text(4)?, &row.text(5)?)
            .map_err(|e| corrupt("account identity", e))?,
        display_name: row.text(6)?,
        created: Timestamp::from_millis(row.int(7)?),
        updated: Timestamp::from_millis(row.int(8)?),
        encrypt_at_rest_since: row.maybe_int(9)?.map(Timestamp::from_millis),
    })
}

pub(super) async fn create(store: &SqlStore, new: &NewAccount, trace: &Event) -> Result<Account> {
    let mut tx = store.db.begin_write().await?;
    let id = insert(&mut tx, new).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    get(store, id).await
}

/// Inserts a pending account with its default folders, subscribed.
pub(super) async fn insert(tx: &mut WriteTx, new: &NewAccount) -> Result<AccountId> {
    let at = new.at.as_millis();
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO accounts
           (address, kind, state, registry, identifier, display_name, created_ms, updated_ms)
         VALUES ($1, $2, 'pending', $3, $4, $5, $6, $6)
         ON CONFLICT (address) DO NOTHING
         RETURNING id",
    )
    .bind(new.address.as_str())
    .bind(new.kind.as_str())
    .bind(new.identity.registry())
    .bind(new.identity.stored_value())
    .bind(&new.display_name)
    .bind(at)
    .fetch_optional(&mut *tx.tx)
    .await?;
    let id = inserted.ok_or_else(|| StoreError::Conflict {
        what: "account",
        detail: format!("address {} is already taken", new.address.as_str()),
    })?;
    let uidvalidity = super::folders::next_uidvalidity(tx, AccountId(id), at).await?;
    for (name, special_use) in DEFAULT_MAILBOXES {
        sqlx::query(
            "INSERT INTO mailboxes (account_id, name, special_use, uidvalidity, uidnext, highest_modseq)
             VALUES ($1, $2, $3, $4, 1, 1)",
        )
        .bind(id)
        .bind(name)
        .bind(special_use)
        .bind(uidvalidity)
        .execute(&mut *tx.tx)
        .await?;
        // Subscribed, so that clients listing subscriptions (LSUB) show them.
        sqlx::query("INSERT INTO subscriptions (account_id, name) VALUES ($1, $2)")
            .bind(id)
            .bind(name)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(AccountId(id))
}

pub(super) async fn get(store: &SqlStore, id: AccountId) -> Result<Account> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
    store
        .db
        .read_optional(&sql, &[Value::Int(id.0)], account_from_row)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "account",
            id: id.to_string(),
        })
}

pub(super) async fn by_address(store: &SqlStore, address: &MailAddress) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE address = $1");
    let address = [Value::Text(address.as_str())];
    store
        .db
        .read_optional(&sql, &address, account_from_row)
        .await
}

pub(super) async fn by_addresses(
    store: &SqlStore,
    addresses: &[MailAddress],
) -> Result<Vec<Account>> {
    let mut found = Vec::new();
    for chunk in addresses.chunks(BATCH) {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE address IN ({})",
            store.db.placeholders(1, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for address in chunk {
            query = query.bind(address.as_str());
        }
        for row in query.fetch_all(&store.db.pool).await? {
            found.push(account_from_row(&row)?);
        }
    }
    Ok(found)
}

pub(super) async fn by_identity(store: &SqlStore, identity: &RegistryId) -> Result<Vec<Account>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE registry = $1 AND identifier = $2 ORDER BY id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(identity.registry())
        .bind(identity.stored_value())
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(|row| account_from_row(row)).collect()
}

pub(super) async fn all(store: &SqlStore) -> Result<Vec<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&store.db.pool)
        .await?;
    rows.iter().map(|row| account_from_row(row)).collect()
}

/// Fails with `NotFound` when an UPDATE touched no account row.
fn touched(rows: u64, id: AccountId) -> Result<()> {
    if rows == 0 {
        return Err(StoreError::NotFound {
            what: "account",
            id: id.to_string(),
        });
    }
    Ok(())
}

pub(super) async fn record_verification(
    store: &SqlStore,
    id: AccountId,
    verification: &Verification,
    trace: &Event,
) -> Result<Account> {
    let mut tx = store.db.begin_write().await?;
    let at = verification.at.as_millis();
    let updated = sqlx::query(
        "UPDATE accounts SET state = 'verified', updated_ms = $2 WHERE id = $1 AND state = 'pending'",
    )
    .bind(id.0)
    .bind(at)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if updated == 0 {
        let state: Option<String> = sqlx::query_scalar("SELECT state FROM accounts WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&mut *tx.tx)
            .await?;
        touched(u64::from(state.is_some()), id)?;
        return Err(StoreError::Conflict {
            what: "account",
            detail: format!(
                "{id} is {}, only a pending account can be verified",
                state.unwrap_or_default()
            ),
        });
    }
    insert_verification(&mut tx, id, verification).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    get(store, id).await
}

/// Records `verification` of account `id` (its state set by the caller).
pub(super) async fn insert_verification(
    tx: &mut WriteTx,
    id: AccountId,
    verification: &Verification,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO verifications (account_id, verified_by, evidence, at_ms) VALUES ($1, $2, $3, $4)",
    )
    .bind(id.0)
    .bind(&verification.verified_by)
    .bind(verification.evidence.as_str())
    .bind(verification.at.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    Ok(())
}

pub(super) async fn verifications(store: &SqlStore, id: AccountId) -> Result<Vec<Verification>> {
    let rows: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT verified_by, evidence, at_ms FROM verifications WHERE account_id = $1 ORDER BY id",
    )
    .bind(id.0)
    .fetch_all(&store.db.pool)
    .await?;
    rows.into_iter()
        .map(|(verified_by, evidence, at)| {
            Ok(Verification {
                verified_by,
                evidence: evidence.parse().map_err(|e| corrupt("evidence", e))?,
                at: Timestamp::from_millis(at),
            })
        })
        .collect()
}

pub(super) async fn set_state(
    store: &SqlStore,
    id: AccountId,
    state: AccountState,
    at: Timestamp,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    write_state(&mut tx, id, state, at).await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// Turns encryption at rest to the holder's certificate on (`Some(since)`) or off
/// (MS-3), with its trace.
pub(super) async fn set_encrypt_at_rest(
    store: &SqlStore,
    id: AccountId,
    since: Option<Timestamp>,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let rows = sqlx::query("UPDATE accounts SET encrypt_at_rest_ms = $2 WHERE id = $1")
        .bind(id.0)
        .bind(since.map(Timestamp::as_millis))
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if rows == 0 {
        return Err(StoreError::NotFound {
            what: "account",
            id: id.to_string(),
        });
    }
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

/// Writes an account's state in `tx`; the caller has checked the transition.
pub(super) async fn write_state(
    tx: &mut WriteTx,
    id: AccountId,
    state: AccountState,
    at: Timestamp,
) -> Result<()> {
    let rows = sqlx::query("UPDATE accounts SET state = $2, updated_ms = $3 WHERE id = $1")
        .bind(id.0)
        .bind(state.as_str())
        .bind(at.as_millis())
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    touched(rows, id)
}

pub(super) async fn set_password_hash(
    store: &SqlStore,
    id: AccountId,
    hash: &str,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    let rows = sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
        .bind(id.0)
        .bind(hash)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    touched(rows, id)?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn password_hash(store: &SqlStore, id: AccountId) -> Result<Option<String>> {
    let row: Option<Option<String>> =
        sqlx::query_scalar("SELECT password_hash FROM accounts WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&store.db.pool)
            .await?;
    row.ok_or_else(|| StoreError::NotFound {
        what: "account",
        id: id.to_string(),
    })
}

pub(super) async fn add_delegate(
    store: &SqlStore,
    organisation: AccountId,
    delegate: AccountId,
    at: Timestamp,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO delegations (organisation_id, delegate_id, created_ms) VALUES ($1, $2, $3)
         ON CONFLICT (organisation_id, delegate_id) DO NOTHING",
    )
    .bind(organisation.0)
    .bind(delegate.0)
    .bind(at.as_millis())
    .execute(&mut *tx.tx)
    .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn remove_delegate(
    store: &SqlStore,
    organisation: AccountId,
    delegate: AccountId,
    trace: &Event,
) -> Result<()> {
    let mut tx = store.db.begin_write().await?;
    sqlx::query("DELETE FROM delegations WHERE organisation_id = $1 AND delegate_id = $2")
        .bind(organisation.0)
        .bind(delegate.0)
        .execute(&mut *tx.tx)
        .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await
}

pub(super) async fn delegates(store: &SqlStore, organisation: AccountId) -> Result<Vec<AccountId>> {
    let sql = "SELECT delegate_id FROM delegations WHERE organisation_id = $1 ORDER BY delegate_id";
    account_ids(store, sql, organisation).await
}

/// The account ids `sql` selects for `id`.
async fn account_ids(store: &SqlStore, sql: &'static str, id: AccountId) -> Result<Vec<AccountId>> {
    let ids: Vec<i64> = sqlx::query_scalar(sql)
        .bind(id.0)
        .fetch_all(&store.db.pool)
        .await?;
    Ok(ids.into_iter().map(AccountId).collect())
}

/// See [`crate::Store::delegated_to`].
pub(super) async fn delegated_to(store: &SqlStore, delegate: AccountId) -> Result<Vec<AccountId>> {
    let sql =
        "SELECT organisation_id FROM delegations WHERE delegate_id = $1 ORDER BY organisation_id";
    account_ids(store, sql, delegate).await
}

/// Keys first (definitive), then rows, then blobs no other copy uses (RT-2, RT-3).
pub(super) async fn destroy(store: &SqlStore, id: AccountId, trace: &Event) -> Result<()> {
    let account = get(store, id).await?;
    store.keyring.destroy_account(id.0).await?;
    let mut tx = store.db.begin_write().await?;
    let blob_ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT m.blob_id FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id
         WHERE b.account_id = $1",
    )
    .bind(id.0)
    .fetch_all(&mut *tx.tx)
    .await?;
    sqlx::query(
        "DELETE FROM messages WHERE mailbox_id IN (SELECT id FROM mailboxes WHERE account_id = $1)",
    )
    .bind(id.0)
    .execute(&mut *tx.tx)
    .await?;
    for table in [
        "mailboxes",
        "verifications",
        "correction_requests",
        "registration_requests",
        "announcements",
    ] {
        let sql = format!("DELETE FROM {table} WHERE account_id = $1");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.0)
            .execute(&mut *tx.tx)
            .await?;
    }
    sqlx::query("DELETE FROM delegations WHERE organisation_id = $1 OR delegate_id = $1")
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await?;
    // Nothing stays keyed by the account's id or address (RT-2, retention::INVENTORY).
    for sql in [
        "DELETE FROM patient_accesses WHERE patient_account = $1 OR actor_account = $1",
        "DELETE FROM message_patients WHERE patient_account = $1",
        "DELETE FROM broadcasts WHERE sender_id = $1",
    ] {
        sqlx::query(sql).bind(id.0).execute(&mut *tx.tx).await?;
    }
    for sql in [
        "DELETE FROM auth_failures WHERE subject = $1",
        "DELETE FROM alerts WHERE subject = $1",
    ] {
        sqlx::query(sql)
            .bind(id.to_string())
            .execute(&mut *tx.tx)
            .await?;
    }
    for sql in [
        "DELETE FROM patient_exchanges WHERE patient = $1 OR professional = $1",
        "DELETE FROM patient_blocks WHERE patient = $1 OR professional = $1",
        "DELETE FROM directory_preferences WHERE address = $1",
    ] {
        sqlx::query(sql)
            .bind(account.address.as_str())
            .execute(&mut *tx.tx)
            .await?;
    }
    sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id.0)
        .execute(&mut *tx.tx)
        .await?;
    append(store, &mut tx, std::slice::from_ref(trace)).await?;
    tx.commit().await?;
    super::messages::drop_unreferenced_blobs(store, &blob_ids).await
}
