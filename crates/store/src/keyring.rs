//! The keyring: account keys wrapped by the master key and message keys wrapped by
//! account keys, in a database of their own (MS-4, RT-3).
//!
//! Keeping keys apart from the data is what makes a deletion definitive: once a key
//! row is gone (SQLite overwrites it in place, `secure_delete`, and the WAL is
//! checkpointed and truncated right after, so no earlier page stays), a copy of the data
//! taken before the deletion — database and blobs — can no longer be opened, even with
//! the master key. Back the keyring up on a short rotation; see docs/operations.md.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::error::{Result, StoreError};
use crate::seal::{MasterKey, SymmetricKey, context, random_id};
use crate::sql::db::{BATCH, Db};
use crate::sql::exec::{Statements, Value};
use crate::sql::sqlite_direct::SqliteDirect;

/// Handle on the keyring database.
#[derive(Clone, Debug)]
pub(crate) struct Keyring {
    db: Db,
    master: MasterKey,
}

/// Keys written by one `INSERT`: 4 values each, well under both engines' limits.
const KEYS_PER_INSERT: usize = 500;

/// A message's key as the keyring holds it, to be unwrapped.
#[derive(Clone, Copy)]
pub(crate) struct StoredKey<'a> {
    /// The message, named in the error when its key is gone.
    pub message_id: i64,
    pub key_ref: &'a str,
    /// The account the key is wrapped for, and the wrapped key; `None` once the key
    /// was destroyed (RT-3).
    pub wrapped: Option<(i64, &'a [u8])>,
}

/// A new message key wrapped for one account, ready to be stored.
pub(crate) struct WrappedMessageKey {
    pub key_ref: String,
    pub account_id: i64,
    pub wrapped: Vec<u8>,
}

impl Keyring {
    pub fn new(db: Db, master: MasterKey) -> Self {
        Self { db, master }
    }

    /// The keyring database's pool (backups).
    pub fn pool(&self) -> sqlx::AnyPool {
        self.db.pool.clone()
    }

    /// The account's key, created on first use.
    pub async fn account_key(&self, account_id: i64) -> Result<SymmetricKey> {
        let ctx = context::account_key(account_id);
        if let Some(wrapped) = self.wrapped_account_key(account_id).await? {
            return Ok(self
                .master
                .key()
                .unwrap_key(&ctx, &wrapped, "account key")?);
        }
        let fresh = self.master.key().wrap(&ctx, &SymmetricKey::generate());
        sqlx::query(
            "INSERT INTO keyring_account_keys (account_id, wrapped) VALUES ($1, $2)
             ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(account_id)
        .bind(fresh)
        .execute(&self.db.pool)
        .await?;
        let wrapped = self
            .wrapped_account_key(account_id)
            .await?
            .expect("account key was just inserted");
        Ok(self
            .master
            .key()
            .unwrap_key(&ctx, &wrapped, "account key")?)
    }

    async fn wrapped_account_key(&self, account_id: i64) -> Result<Option<Vec<u8>>> {
        self.db
            .read_optional(
                "SELECT wrapped FROM keyring_account_keys WHERE account_id = $1",
                &[Value::Int(account_id)],
                |row| row.blob(0),
            )
            .await
    }

    /// Wraps `message_key` for an account under a fresh key reference.
    pub async fn wrap_for(
        &self,
        account_id: i64,
        message_key: &SymmetricKey,
    ) -> Result<WrappedMessageKey> {
        let key_ref = random_id();
        let wrapped = self
            .account_key(account_id)
            .await?
            .wrap(&context::message_key(&key_ref), message_key);
        Ok(WrappedMessageKey {
            key_ref,
            account_id,
            wrapped,
        })
    }

    /// Stores wrapped message keys durably, in one transaction: `groups` pairs the
    /// keys of each message with its creation time, so a group commit of deliveries
    /// syncs the keyring once (MS-4). Rows go in multi-row `INSERT`s.
    pub async fn put(&self, groups: &[(&[WrappedMessageKey], i64)]) -> Result<()> {
        if groups.iter().all(|(keys, _)| keys.is_empty()) {
            return Ok(());
        }
        let mut tx = self.db.begin_write().await?;
        self.put_in(&mut tx, groups).await?;
        tx.commit().await
    }

    /// [`Keyring::put`]'s rows, written in `tx`, a transaction on this keyring's
    /// database (the group commit's own on SQLite, `sql::sqlite_direct`).
    pub async fn put_in(
        &self,
        tx: &mut impl Statements,
        groups: &[(&[WrappedMessageKey], i64)],
    ) -> Result<()> {
        let rows: Vec<(&WrappedMessageKey, i64)> = groups
            .iter()
            .flat_map(|(keys, at_ms)| keys.iter().map(move |key| (key, *at_ms)))
            .collect();
        for chunk in rows.chunks(KEYS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO keyring_message_keys (key_ref, account_id, wrapped, created_ms) VALUES {}",
                self.db.value_rows(chunk.len(), 4)
            );
            let values: Vec<Value> = chunk
                .iter()
                .flat_map(|(key, at_ms)| {
                    [
                        Value::Text(&key.key_ref),
                        Value::Int(key.account_id),
                        Value::Blob(&key.wrapped),
                        Value::Int(*at_ms),
                    ]
                })
                .collect();
            tx.execute(&sql, &values).await?;
        }
        Ok(())
    }

    /// The keyring database's own connections (SQLite only): the group commit's.
    pub fn sqlite_direct(&self) -> Option<&std::sync::Arc<SqliteDirect>> {
        self.db.sqlite_direct()
    }

    /// The message keys behind `key_refs`, still wrapped for their accounts:
    /// `key_ref → (account, wrapped)`; a destroyed key (RT-3) is absent.
    pub async fn wrapped_message_keys(
        &self,
        key_refs: &[&str],
    ) -> Result<HashMap<String, (i64, Vec<u8>)>> {
        let mut wrapped = HashMap::with_capacity(key_refs.len());
        for chunk in key_refs.chunks(BATCH) {
            let sql = format!(
                "SELECT key_ref, account_id, wrapped FROM keyring_message_keys WHERE key_ref IN ({})",
                self.db.placeholders(1, chunk.len())
            );
            let mut query = sqlx::query_as::<_, (String, i64, Vec<u8>)>(sqlx::AssertSqlSafe(sql));
            for key_ref in chunk {
                query = query.bind(*key_ref);
            }
            for (key_ref, account, key) in query.fetch_all(&self.db.pool).await? {
                wrapped.insert(key_ref, (account, key));
            }
        }
        Ok(wrapped)
    }

    /// Unwraps message keys, in order, each on its own: one whose key (or whose
    /// account's key) was destroyed is `ContentDestroyed` (RT-3). Each account key is
    /// unwrapped once; failing to read the keyring fails the whole call.
    pub async fn unwrap_message_keys(
        &self,
        stored: &[StoredKey<'_>],
    ) -> Result<Vec<Result<SymmetricKey>>> {
        let mut accounts: HashMap<i64, Option<SymmetricKey>> = HashMap::new();
        let mut keys = Vec::with_capacity(stored.len());
        for &StoredKey {
            message_id,
            key_ref,
            wrapped,
        } in stored
        {
            let Some((account_id, key)) = wrapped else {
                keys.push(Err(StoreError::ContentDestroyed(message_id)));
                continue;
            };
            let account_key = match accounts.entry(account_id) {
                Entry::Occupied(known) => known.into_mut(),
                Entry::Vacant(slot) => {
                    let account_key = match self.wrapped_account_key(account_id).await? {
                        Some(account_wrapped) => Some(self.master.key().unwrap_key(
                            &context::account_key(account_id),
                            &account_wrapped,
                            "account key",
                        )?),
                        None => None,
                    };
                    slot.insert(account_key)
                }
            };
            keys.push(match account_key {
                Some(account_key) => account_key
                    .unwrap_key(&context::message_key(key_ref), key, "message key")
                    .map_err(StoreError::from),
                None => Err(StoreError::ContentDestroyed(message_id)),
            });
        }
        Ok(keys)
    }

    /// Unwraps the message key behind `key_ref`; `ContentDestroyed` if it is gone.
    pub async fn message_key(&self, key_ref: &str, message_id: i64) -> Result<SymmetricKey> {
        let row: Option<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT account_id, wrapped FROM keyring_message_keys WHERE key_ref = $1",
        )
        .bind(key_ref)
        .fetch_optional(&self.db.pool)
        .await?;
        let (account_id, wrapped) = row.ok_or(StoreError::ContentDestroyed(message_id))?;
        let ctx = context::account_key(account_id);
        let Some(account_wrapped) = self.wrapped_account_key(account_id).await? else {
            return Err(StoreError::ContentDestroyed(message_id));
        };
        let account_key = self
            .master
            .key()
            .unwrap_key(&ctx, &account_wrapped, "account key")?;
        Ok(account_key.unwrap_key(&context::message_key(key_ref), &wrapped, "message key")?)
    }

    /// Destroys message keys: what they sealed can no longer be opened (RT-3).
    pub async fn destroy_message_keys(&self, key_refs: &[String]) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        for key_ref in key_refs {
            sqlx::query("DELETE FROM keyring_message_keys WHERE key_ref = $1")
                .bind(key_ref)
                .execute(&mut *tx.tx)
                .await?;
        }
        tx.commit().await?;
        self.erase().await
    }

    /// Destroys an account key and every message key of the account (RT-2, RT-3).
    pub async fn destroy_account(&self, account_id: i64) -> Result<()> {
        let mut tx = self.db.begin_write().await?;
        sqlx::query("DELETE FROM keyring_message_keys WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM keyring_account_keys WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx.tx)
            .await?;
        tx.commit().await?;
        self.erase().await
    }

    /// Makes destroyed keys unreadable in the files too: the checkpoint brings the
    /// overwritten pages into `keyring.db` and empties its WAL (RT-3).
    async fn erase(&self) -> Result<()> {
        if !self.db.checkpoint().await? {
            tracing::warn!(
                "keyring checkpoint incomplete (a reader held the WAL): destroyed keys \
                 leave the files at the next deletion's checkpoint (RT-3)"
            );
        }
        Ok(())
    }
}
