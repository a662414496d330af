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

const DATA_SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../../schema/sqlite/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "correction requests (AC-3)",
        sql: include_str!("../../schema/sqlite/0002_correction_requests.sql"),
    },
    Migration {
        version: 3,
        name: "self-registration (ID-1)",
        sql: include_str!("../../schema/sqlite/0003_self_registration.sql"),
    },
    Migration {
        version: 4,
        name: "patient mailbox announcements (ID-5, AC-3)",
        sql: include_str!("../../schema/sqlite/0004_announcements.sql"),
    },
    Migration {
        version: 5,
        name: "encryption at rest to the holder's certificate (MS-3)",
        sql: include_str!("../../schema/sqlite/0005_encrypt_at_rest.sql"),
    },
    Migration {
        version: 6,
        name: "staff role scopes (AC-1)",
        sql: include_str!("../../schema/sqlite/0006_staff_scopes.sql"),
    },
    Migration {
        version: 7,
        name: "receipts of relayed messages (MS-16)",
        sql: include_str!("../../schema/sqlite/0007_relay_receipts.sql"),
    },
    Migration {
        version: 8,
        name: "passkeys and phone pairing (AU-1, MS-18)",
        sql: include_str!("../../schema/sqlite/0008_passkeys.sql"),
    },
    Migration {
        version: 9,
        name: "out-of-office replies and signatures (MS-6)",
        sql: include_str!("../../schema/sqlite/0009_absence.sql"),
    },
    Migration {
        version: 10,
        name: "passkey ceremonies shared by the nodes (AU-1, MS-18)",
        sql: include_str!("../../schema/sqlite/0010_passkey_ceremonies.sql"),
    },
    Migration {
        version: 11,
        name: "contact changes waiting for their code (AU-1, MS-7, RT-1)",
        sql: include_str!("../../schema/sqlite/0011_contact_confirmations.sql"),
    },
];
const DATA_POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../../schema/postgres/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "correction requests (AC-3)",
        sql: include_str!("../../schema/postgres/0002_correction_requests.sql"),
    },
    Migration {
        version: 3,
        name: "self-registration (ID-1)",
        sql: include_str!("../../schema/postgres/0003_self_registration.sql"),
    },
    Migration {
        version: 4,
        name: "patient mailbox announcements (ID-5, AC-3)",
        sql: include_str!("../../schema/postgres/0004_announcements.sql"),
    },
    Migration {
        version: 5,
        name: "encryption at rest to the holder's certificate (MS-3)",
        sql: include_str!("../../schema/postgres/0005_encrypt_at_rest.sql"),
    },
    Migration {
        version: 6,
        name: "staff role scopes (AC-1)",
        sql: include_str!("../../schema/postgres/0006_staff_scopes.sql"),
    },
    Migration {
        version: 7,
        name: "receipts of relayed messages (MS-16)",
        sql: include_str!("../../schema/postgres/0007_relay_receipts.sql"),
    },
    Migration {
        version: 8,
        name: "passkeys and phone pairing (AU-1, MS-18)",
        sql: include_str!("../../schema/postgres/0008_passkeys.sql"),
    },
    Migration {
        version: 9,
        name: "out-of-office replies and signatures (MS-6)",
        sql: include_str!("../../schema/postgres/0009_absence.sql"),
    },
    Migration {
        version: 10,
        name: "passkey ceremonies shared by the nodes (AU-1, MS-18)",
        sql: include_str!("../../schema/postgres/0010_passkey_ceremonies.sql"),
    },
    Migration {
        version: 11,
        name: "contact changes waiting for their code (AU-1, MS-7, RT-1)",
        sql: include_str!("../../schema/postgres/0011_contact_confirmations.sql"),
    },
];
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
    /// The migrations this process applied, in order: on PostgreSQL another node may
    /// have applied some of the steps between `from` and `to` meanwhile.
    pub applied: Vec<u32>,
    /// The copy taken before (SQLite, when the database held tables).
    pub backup: Option<PathBuf>,
}

impl SchemaUpgrade {
    /// The runs of consecutive versions this process applied, as `(from, to)`: the
    /// version before the run and the last of it (`(1, 4)`: 2, 3 and 4 applied here).
    pub fn runs(&self) -> Vec<(u32, u32)> {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for &version in &self.applied {
            match runs.last_mut() {
                Some((_, to)) if *to + 1 == version => *to = version,
                _ => runs.push((version - 1, version)),
            }
        }
        runs
    }
}

impl Db {
    /// Where the schema of `database` stands; changes nothing.
    pub async fn schema_status(&self, database: Database) -> Result<SchemaStatus> {
        self.status_against(database, migrations(database, self.backend))
            .await
    }

    /// Where the schema of `database` stands against the migrations `list`.
    async fn status_against(
        &self,
        database: Database,
        list: &'static [Migration],
    ) -> Result<SchemaStatus> {
        let mut conn = self.pool.acquire().await?;
        let state = self.read_state(&mut conn, database).await?;
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
        self.upgrade_with(database, migrations(database, self.backend), backup_of)
            .await
    }

    /// [`Db::upgrade`] with the migrations `list`.
    async fn upgrade_with(
        &self,
        database: Database,
        list: &'static [Migration],
        backup_of: Option<&Path>,
    ) -> Result<Option<SchemaUpgrade>> {
        let status = self.status_against(database, list).await?;
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
        // The version table, and version 1 recorded for an unversioned database; where
        // the schema stands is read again under the lock (another node may be ahead).
        let mut tx = self.begin_migration().await?;
        sqlx::raw_sql(VERSION_TABLE).execute(&mut *tx.tx).await?;
        let from = self.read_state(&mut tx.tx, database).await?;
        let locked = SchemaStatus {
            state: from,
            ..status.clone()
        };
        locked.refuse_if_newer()?;
        let mut changed = from == SchemaState::Unversioned;
        if changed {
            record(&mut tx.tx, store, list[0], now).await?;
        }
        tx.commit().await?;
        let mut applied = Vec::new();
        for migration in list {
            let mut tx = self.begin_migration().await?;
            // Read again under the lock: another node may have applied it meanwhile.
            let state = self.read_state(&mut tx.tx, database).await?;
            if state.version() >= migration.version {
                continue;
            }
            sqlx::raw_sql(sqlx::AssertSqlSafe(migration.sql))
                .execute(&mut *tx.tx)
                .await?;
            record(&mut tx.tx, store, *migration, now).await?;
            tx.commit().await?;
            changed = true;
            applied.push(migration.version);
            tracing::info!(
                database = store,
                version = migration.version,
                name = migration.name,
                "schema migration applied"
            );
        }
        // Another node may have done it all while this one waited for the lock.
        Ok(changed.then_some(SchemaUpgrade {
            database,
            from,
            to: status.target,
            applied,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::db::Pragmas;

    const V1: Migration = Migration {
        version: 1,
        name: "initial",
        sql: "CREATE TABLE accounts (id INTEGER PRIMARY KEY, address TEXT NOT NULL)",
    };
    const V2: Migration = Migration {
        version: 2,
        name: "account names",
        sql: "ALTER TABLE accounts ADD COLUMN name TEXT",
    };
    const BROKEN: Migration = Migration {
        version: 2,
        name: "broken",
        sql: "CREATE TABLE probe (x INTEGER); SELECT no_such_function()",
    };

    async fn open(dir: &Path) -> Db {
        let url = format!("sqlite://{}?mode=rwc", dir.join("caduceus.db").display());
        let pragmas = Pragmas {
            journal_mode: "WAL",
            secure_delete: false,
        };
        Db::open(&url, pragmas).await.unwrap()
    }

    async fn count(db: &Db, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&db.pool)
            .await
            .unwrap()
    }

    /// What a node says it applied is what it applied: the steps another node took
    /// meanwhile are not its (the two nodes' runs add up to the upgrade, once).
    #[test]
    fn tr1_an_upgrade_reports_the_runs_of_steps_it_applied() {
        let upgrade = |applied: Vec<u32>| SchemaUpgrade {
            database: Database::Data,
            from: SchemaState::Empty,
            to: 4,
            applied,
            backup: None,
        };
        assert_eq!(upgrade(vec![1, 2, 3, 4]).runs(), [(0, 4)]);
        assert_eq!(upgrade(vec![1, 3, 4]).runs(), [(0, 1), (2, 4)]);
        assert_eq!(upgrade(vec![2]).runs(), [(1, 2)]);
        assert!(upgrade(vec![]).runs().is_empty());
    }

    /// A later migration applies once, in order, after a consistent copy of the
    /// database as it was; a binary that knows less refuses it, naming both versions.
    #[tokio::test]
    async fn tr1_migrations_apply_in_order_after_a_backup_and_newer_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("caduceus.db");
        let db = open(dir.path()).await;
        let created = db
            .upgrade_with(Database::Data, &[V1], Some(&file))
            .await
            .unwrap();
        let created = created.unwrap();
        assert_eq!((created.from, created.to), (SchemaState::Empty, 1));
        assert_eq!(
            created.backup, None,
            "a new database has nothing to back up"
        );
        sqlx::query("INSERT INTO accounts (address) VALUES ('a@x.test')")
            .execute(&db.pool)
            .await
            .unwrap();
        let upgrade = db
            .upgrade_with(Database::Data, &[V1, V2], Some(&file))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((upgrade.from, upgrade.to), (SchemaState::Version(1), 2));
        let backup = upgrade.backup.expect("a backup of the existing database");
        assert!(
            backup.starts_with(dir.path()),
            "beside the database: {backup:?}"
        );
        assert!(backup.to_str().unwrap().contains("caduceus.db.v1-backup-"));
        assert_eq!(
            count(&db, "SELECT COUNT(name) + COUNT(*) FROM accounts").await,
            1
        );
        assert_eq!(count(&db, "SELECT COUNT(*) FROM schema_version").await, 2);
        // The backup is the database before the upgrade: version 1, the row kept.
        let copy = Db::open(
            &format!("sqlite://{}?mode=ro", backup.display()),
            Pragmas {
                journal_mode: "DELETE",
                secure_delete: false,
            },
        )
        .await
        .unwrap();
        let status = copy
            .status_against(Database::Data, &[V1, V2])
            .await
            .unwrap();
        assert_eq!(status.state, SchemaState::Version(1));
        assert_eq!(status.pending, vec![(2, "account names")]);
        assert_eq!(count(&copy, "SELECT COUNT(*) FROM accounts").await, 1);
        // Nothing left: no second backup.
        assert_eq!(
            db.upgrade_with(Database::Data, &[V1, V2], Some(&file))
                .await
                .unwrap(),
            None
        );
        // An older binary (knowing version 1 only) refuses version 2.
        let error = db
            .upgrade_with(Database::Data, &[V1], Some(&file))
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "the data database's schema is version 2, newer than this caduceus knows \
             (version 1): run the release that upgraded it, or restore the backup taken \
             before that upgrade; nothing was changed"
        );
    }

    /// A migration that fails leaves the database at the version before it.
    #[tokio::test]
    async fn tr1_a_failed_migration_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path()).await;
        db.upgrade_with(Database::Data, &[V1], None).await.unwrap();
        assert!(
            db.upgrade_with(Database::Data, &[V1, BROKEN], None)
                .await
                .is_err()
        );
        let status = db
            .status_against(Database::Data, &[V1, BROKEN])
            .await
            .unwrap();
        assert_eq!(status.state, SchemaState::Version(1));
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'probe'"
            )
            .await,
            0
        );
    }

    /// Tables of version 1 without `schema_version`: what the release before schema
    /// versions wrote. Recognised as version 1 and recorded, never re-created.
    #[tokio::test]
    async fn tr1_an_unversioned_database_is_version_1() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path()).await;
        sqlx::raw_sql(V1.sql).execute(&db.pool).await.unwrap();
        let status = db.status_against(Database::Data, &[V1, V2]).await.unwrap();
        assert_eq!(status.state, SchemaState::Unversioned);
        assert_eq!(status.pending, vec![(2, "account names")]);
        let upgrade = db
            .upgrade_with(Database::Data, &[V1, V2], None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((upgrade.from, upgrade.to), (SchemaState::Unversioned, 2));
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM schema_version WHERE store = 'data'"
            )
            .await,
            2
        );
    }
}
