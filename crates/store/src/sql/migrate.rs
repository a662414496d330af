//! Numbered schema migrations (docs/upgrades.md): each database of the store (the data,
//! the keyring) has an ordered list of `(version, name, SQL)` per backend, applied once
//! each, in order, in a transaction that also records it in `schema_version`.
//!
//! - A database with no table gets every migration.
//! - One with the tables of version 1 but no `schema_version` was written before
//!   versions were recorded: it is recognised as version 1 (recorded, nothing re-run).
//! - One whose recorded version is above what this binary knows is refused, unchanged.
//! - On PostgreSQL each step runs under a transaction-scoped advisory lock and reads the
//!   version again under it, so nodes starting together apply each migration once.
//! - On SQLite an existing database is first copied with `VACUUM INTO` beside itself
//!   (a consistent snapshot, WAL included).

use std::path::{Path, PathBuf};

use super::db::{Backend, Db};
use crate::error::{Result, StoreError};

/// One schema change of one database.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Migration {
    /// Its number: 1, 2, … without gaps.
    pub version: u32,
    /// A few words, recorded with it.
    pub name: &'static str,
    /// The statements, run in one transaction.
    pub sql: &'static str,
}

const DATA_SQLITE: &[Migration] = &[Migration {
    version: 1,
    name: "initial",
    sql: include_str!("../../schema/sqlite/0001_initial.sql"),
}];
const DATA_POSTGRES: &[Migration] = &[Migration {
    version: 1,
    name: "initial",
    sql: include_str!("../../schema/postgres/0001_initial.sql"),
}];
const KEYRING_SQLITE: &[Migration] = &[Migration {
    version: 1,
    name: "initial",
    sql: include_str!("../../schema/keyring_sqlite/0001_initial.sql"),
}];
const KEYRING_POSTGRES: &[Migration] = &[Migration {
    version: 1,
    name: "initial",
    sql: include_str!("../../schema/keyring_postgres/0001_initial.sql"),
}];

/// The table recording applied migrations, one row per database and version; both
/// databases may share one PostgreSQL database, hence `store`.
pub(crate) const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (
    store TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    applied_ms BIGINT NOT NULL,
    PRIMARY KEY (store, version)
)";

/// Serialises migrations across the nodes sharing a PostgreSQL database.
const ADVISORY_LOCK: &str = "SELECT pg_advisory_xact_lock(7274016201)";

/// One of the store's two databases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Database {
    /// Accounts, folders, messages, traces (`caduceus.db`).
    Data,
    /// Wrapped keys (`keyring.db`), kept apart (RT-3).
    Keyring,
}

impl Database {
    /// Its name in `schema_version` and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Database::Data => "data",
            Database::Keyring => "keyring",
        }
    }

    /// A table migration 1 creates: present without `schema_version`, it marks a
    /// database written before versions were recorded.
    fn first_table(self) -> &'static str {
        match self {
            Database::Data => "accounts",
            Database::Keyring => "keyring_account_keys",
        }
    }
}

/// The migrations of `database` on `backend`, in order.
pub(crate) fn migrations(database: Database, backend: Backend) -> &'static [Migration] {
    match (database, backend) {
        (Database::Data, Backend::Sqlite) => DATA_SQLITE,
        (Database::Data, Backend::Postgres) => DATA_POSTGRES,
        (Database::Keyring, Backend::Sqlite) => KEYRING_SQLITE,
        (Database::Keyring, Backend::Postgres) => KEYRING_POSTGRES,
    }
}

/// The SQL of every migration of every database (the retention inventory's check).
#[cfg(test)]
pub(crate) fn every_schema() -> Vec<&'static str> {
    [DATA_SQLITE, DATA_POSTGRES, KEYRING_SQLITE, KEYRING_POSTGRES]
        .iter()
        .flat_map(|list| list.iter().map(|m| m.sql))
        .chain([VERSION_TABLE])
        .collect()
}

/// Where a database's schema stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaState {
    /// No table yet.
    Empty,
    /// The tables of version 1 without `schema_version`: written by a release before
    /// versions were recorded.
    Unversioned,
    /// The highest version recorded in `schema_version`.
    Version(u32),
}

impl SchemaState {
    /// The version it amounts to (0 when empty).
    pub fn version(self) -> u32 {
        match self {
            SchemaState::Empty => 0,
            SchemaState::Unversioned => 1,
            SchemaState::Version(version) => version,
        }
    }
}

/// A database's schema against what this binary knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaStatus {
    /// Which database.
    pub database: Database,
    /// Where it stands.
    pub state: SchemaState,
    /// The latest version this binary knows.
    pub target: u32,
    /// The migrations still to apply: `(version, name)`.
    pub pending: Vec<(u32, &'static str)>,
}

impl SchemaStatus {
    /// Its schema is newer than this binary knows: it must not be opened.
    pub fn is_newer(&self) -> bool {
        self.state.version() > self.target
    }

    /// Opening it would change its schema (migrations, or recording version 1).
    pub fn needs_upgrade(&self) -> bool {
        !self.pending.is_empty() || self.state == SchemaState::Unversioned
    }

    /// [`StoreError::SchemaTooNew`] when [`SchemaStatus::is_newer`].
    pub fn refuse_if_newer(&self) -> Result<()> {
        if self.is_newer() {
            return Err(StoreError::SchemaTooNew {
                database: self.database.as_str(),
                found: self.state.version(),
                known: self.target,
            });
        }
        Ok(())
    }
}

/// What opening a database changed in its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaUpgrade {
    /// Which database.
    pub database: Database,
    /// Where it stood before.
    pub from: SchemaState,
    /// The version it is at now.
    pub to: u32,
    /// The copy taken before (SQLite, when the database held tables).
    pub backup: Option<PathBuf>,
}

impl Db {
    /// Where the schema of `database` stands; changes nothing.
    pub async fn schema_status(&self, database: Database) -> Result<SchemaStatus> {
        let mut conn = self.pool.acquire().await?;
        let state = self.read_state(&mut conn, database).await?;
        let list = migrations(database, self.backend);
        Ok(SchemaStatus {
            database,
            state,
            target: list.last().map_or(0, |m| m.version),
            pending: list
                .iter()
                .filter(|m| m.version > state.version())
                .map(|m| (m.version, m.name))
                .collect(),
        })
    }

    /// Brings the schema of `database` to the latest version: refuses a newer one
    /// unchanged; on SQLite first copies an existing database, whose file is
    /// `backup_of`, beside it ([`backup_path`]). `None` when nothing was to change.
    pub async fn upgrade(
        &self,
        database: Database,
        backup_of: Option<&Path>,
    ) -> Result<Option<SchemaUpgrade>> {
        let status = self.schema_status(database).await?;
        status.refuse_if_newer()?;
        if !status.needs_upgrade() {
            return Ok(None);
        }
        let backup = match (backup_of, status.state) {
            (Some(file), SchemaState::Unversioned | SchemaState::Version(_))
                if self.backend == Backend::Sqlite =>
            {
                let path = backup_path(file, status.state.version());
                super::backup::vacuum_into(&self.pool, &path).await?;
                tracing::info!(backup = %path.display(), "database copied before its upgrade");
                Some(path)
            }
            _ => None,
        };
        let now = now_ms();
        let store = database.as_str();
        // The version table, and version 1 recorded for an unversioned database.
        let mut tx = self.begin_migration().await?;
        sqlx::raw_sql(VERSION_TABLE).execute(&mut *tx.tx).await?;
        if self.read_state(&mut *tx.tx, database).await? == SchemaState::Unversioned {
            let first = migrations(database, self.backend)[0];
            record(&mut *tx.tx, store, first, now).await?;
        }
        tx.commit().await?;
        for migration in migrations(database, self.backend) {
            let mut tx = self.begin_migration().await?;
            // Read again under the lock: another node may have applied it meanwhile.
            let state = self.read_state(&mut *tx.tx, database).await?;
            if state.version() >= migration.version {
                continue;
            }
            sqlx::raw_sql(sqlx::AssertSqlSafe(migration.sql))
                .execute(&mut *tx.tx)
                .await?;
            record(&mut *tx.tx, store, *migration, now).await?;
            tx.commit().await?;
            tracing::info!(
                database = store,
                version = migration.version,
                name = migration.name,
                "schema migration applied"
            );
        }
        Ok(Some(SchemaUpgrade {
            database,
            from: status.state,
            to: status.target,
            backup,
        }))
    }

    /// A write transaction holding, on PostgreSQL, the migration lock.
    async fn begin_migration(&self) -> Result<super::db::WriteTx> {
        let mut tx = self.begin_write().await?;
        if self.backend == Backend::Postgres {
            sqlx::query(ADVISORY_LOCK).execute(&mut *tx.tx).await?;
        }
        Ok(tx)
    }

    async fn read_state(
        &self,
        conn: &mut sqlx::AnyConnection,
        database: Database,
    ) -> Result<SchemaState> {
        if self.has_table(conn, "schema_version").await? {
            let version: Option<i64> =
                sqlx::query_scalar("SELECT MAX(version) FROM schema_version WHERE store = $1")
                    .bind(database.as_str())
                    .fetch_one(&mut *conn)
                    .await?;
            if let Some(version) = version {
                return Ok(SchemaState::Version(u32::try_from(version).map_err(
                    |_| StoreError::Corrupt {
                        what: "schema_version.version",
                        detail: version.to_string(),
                    },
                )?));
            }
        }
        Ok(if self.has_table(conn, database.first_table()).await? {
            SchemaState::Unversioned
        } else {
            SchemaState::Empty
        })
    }

    async fn has_table(&self, conn: &mut sqlx::AnyConnection, name: &str) -> Result<bool> {
        let sql = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = $1"
            }
        };
        let count: i64 = sqlx::query_scalar(sql)
            .bind(name)
            .fetch_one(&mut *conn)
            .await?;
        Ok(count > 0)
    }
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    store: &str,
    migration: Migration,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO schema_version (store, version, name, applied_ms) VALUES ($1, $2, $3, $4)",
    )
    .bind(store)
    .bind(i64::from(migration.version))
    .bind(migration.name)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `caduceus.db.v1-backup-20261206T194512Z`: beside `file`, naming the version it holds
/// and when it was taken (UTC).
fn backup_path(file: &Path, version: u32) -> PathBuf {
    let secs = now_ms() / 1000;
    let stamp: String = caduceus_core::Timestamp::from_millis(secs * 1000)
        .to_string()
        .chars()
        .filter(|c| !matches!(c, '-' | ':'))
        .collect();
    let mut name = file.file_name().unwrap_or_default().to_owned();
    name.push(format!(".v{version}-backup-{stamp}"));
    file.with_file_name(name)
}
