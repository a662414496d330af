//! [`SqlStore`]: the [`Store`](crate::Store) on SQLite or PostgreSQL.
//!
//! One implementation serves both backends through sqlx's `Any` driver; queries are
//! written in the SQL both engines accept (`$n` parameters, `RETURNING`,
//! `ON CONFLICT`), and `db::Backend` holds the few differences. One read is apart on
//! SQLite: `sqlite_reads` (FETCH's batch of sealed messages, off sqlx). `migrate`: the
//! numbered schema migrations, applied when the store opens (docs/upgrades.md).
//! `commit`: the group commit every delivery goes through (one transaction and one
//! sync for the deliveries that arrive together).

mod absence;
mod accounts;
mod activity;
mod announcements;
mod auth;
mod backup;
mod breaches;
mod broadcasts;
mod commit;
mod contact;
mod corrections;
pub(crate) mod db;
mod directory;
pub(crate) mod exec;
mod folders;
mod jobs;
mod messages;
pub(crate) mod migrate;
mod notices;
mod outbound;
mod passkeys;
mod patients;
mod personal;
mod purge;
mod registrations;
mod representatives;
pub(crate) mod sqlite_direct;
mod sqlite_reads;
mod store_impl;
mod traces;
mod web;

use std::path::PathBuf;
use std::sync::Arc;

use caduceus_audit::TraceSigner;

pub use db::Backend;
use db::{Db, Pragmas};
pub use migrate::{Database, SchemaState, SchemaStatus, SchemaUpgrade};

use crate::blob::Blobs;
use crate::changes::ChangeHub;
use crate::error::Result;
use crate::keyring::Keyring;
use crate::seal::MasterKey;
use sqlite_reads::SqliteReads;

/// Where and how to open the store.
#[derive(Clone, Debug)]
pub enum StoreConfig {
    /// Embedded default: `caduceus.db` (WAL), `keyring.db` and `blobs/` in one directory.
    Sqlite {
        /// The data directory.
        data_dir: PathBuf,
    },
    /// PostgreSQL shared by every node; blobs are stored in the database.
    Postgres {
        /// `postgres://user@host:port/database`.
        url: String,
        /// The keyring's database; point it at a separate database whose backups are
        /// kept only briefly, so deletions become definitive (RT-3). Defaults to `url`.
        keyring_url: Option<String>,
    },
}

/// The store on SQLite or PostgreSQL; cheap to clone.
#[derive(Clone, Debug)]
pub struct SqlStore {
    db: Db,
    keyring: Keyring,
    blobs: Blobs,
    signer: Arc<TraceSigner>,
    checkpoint_every: i64,
    /// Who watches which mailbox (IMAP IDLE).
    changes: ChangeHub,
    /// On SQLite: FETCH's hot read, off sqlx (see `sqlite_reads`).
    reads: Option<SqliteReads>,
    /// On PostgreSQL: the task relaying other nodes' change notices.
    listener: Option<Arc<tokio::task::JoinHandle<()>>>,
    /// What opening changed in the schemas (docs/upgrades.md).
    upgrades: Vec<SchemaUpgrade>,
    /// The queue of the group commit every delivery goes through (`commit`); closed
    /// in the committer task's own copy of the store.
    committer: commit::Committer,
}

/// The data and keyring databases of `config`, connected; their schemas untouched.
async fn connect(config: &StoreConfig) -> Result<[(Db, Database, Option<PathBuf>); 2]> {
    let data = Pragmas {
        journal_mode: "WAL",
        secure_delete: false,
    };
    // WAL for the keyring too: readers never wait behind a commit, and a commit
    // costs one fsync. RT-3 holds because every destruction is followed by a
    // checkpoint (Keyring::erase).
    let keys = Pragmas {
        journal_mode: "WAL",
        secure_delete: true,
    };
    Ok(match config {
        StoreConfig::Sqlite { data_dir } => {
            let file = |name: &str| data_dir.join(name);
            let url = |name: &str| format!("sqlite://{}?mode=rwc", file(name).display());
            [
                (
                    Db::open(&url("caduceus.db"), data).await?,
                    Database::Data,
                    Some(file("caduceus.db")),
                ),
                (
                    Db::open(&url("keyring.db"), keys).await?,
                    Database::Keyring,
                    Some(file("keyring.db")),
                ),
            ]
        }
        StoreConfig::Postgres { url, keyring_url } => [
            (Db::open(url, data).await?, Database::Data, None),
            (
                Db::open(keyring_url.as_deref().unwrap_or(url), keys).await?,
                Database::Keyring,
                None,
            ),
        ],
    })
}

impl SqlStore {
    /// Opens (and creates or upgrades) the store.
    ///
    /// `signer` signs trace checkpoints every `checkpoint_every` entries (TR-1); the
    /// master key wraps every account key (MS-4). Neither is kept in the database.
    pub async fn open(
        config: &StoreConfig,
        master: MasterKey,
        signer: Arc<TraceSigner>,
        checkpoint_every: i64,
    ) -> Result<SqlStore> {
        let [data_db, keyring_db] = connect(config).await?;
        // Both refused before either changes when one is newer than this binary knows.
        for (db, database, _) in [&data_db, &keyring_db] {
            db.schema_status(*database).await?.refuse_if_newer()?;
        }
        let mut upgrades = Vec::new();
        for (db, database, file) in [&data_db, &keyring_db] {
            upgrades.extend(db.upgrade(*database, file.as_deref()).await?);
        }
        let (db, keyring_db) = (data_db.0, keyring_db.0);
        let (blobs, reads) = match config {
            StoreConfig::Sqlite { data_dir } => (
                Blobs::with_files(db.clone(), data_dir.join("blobs")),
                Some(SqliteReads::new(data_dir)),
            ),
            StoreConfig::Postgres { .. } => (Blobs::in_database(db.clone()), None),
        };
        sqlx::query(
            "INSERT INTO trace_head (id, seq, hash) VALUES (1, 0, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(caduceus_audit::Hash::GENESIS.as_bytes().to_vec())
        .execute(&db.pool)
        .await?;
        let changes = ChangeHub::default();
        let listener = match config {
            StoreConfig::Postgres { url, .. } => {
                Some(Arc::new(changes.listen_postgres(url.clone())))
            }
            StoreConfig::Sqlite { .. } => None,
        };
        let mut store = SqlStore {
            db,
            keyring: Keyring::new(keyring_db, master),
            blobs,
            signer,
            checkpoint_every: checkpoint_every.max(1),
            changes,
            reads,
            listener,
            upgrades,
            committer: commit::Committer::closed(),
        };
        store.committer = commit::Committer::start(store.clone());
        Ok(store)
    }

    /// Where the schemas of `config`'s databases stand against this binary (data, then
    /// keyring); changes nothing (`caduceus migrate --check`).
    pub async fn schema_status(config: &StoreConfig) -> Result<Vec<SchemaStatus>> {
        let mut statuses = Vec::new();
        for (db, database, _) in connect(config).await? {
            statuses.push(db.schema_status(database).await?);
            db.pool.close().await;
        }
        Ok(statuses)
    }

    /// What opening this store changed in its schemas: migrations applied, version 1
    /// recorded for a database written before versions were, the backups taken.
    pub fn schema_upgrades(&self) -> &[SchemaUpgrade] {
        &self.upgrades
    }

    /// Which engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.db.backend
    }

    /// Closes the connection pools and stops listening for other nodes' changes.
    pub async fn close(&self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
        self.db.pool.close().await;
    }

    /// Announces, in `tx`, that `mailboxes` change: on PostgreSQL a `NOTIFY` that
    /// other nodes receive when `tx` commits. Call [`SqlStore::touched`] after the
    /// commit for this node's watchers.
    pub(crate) async fn announce(
        &self,
        tx: &mut impl exec::Statements,
        mailboxes: &[i64],
    ) -> Result<()> {
        use exec::Value::Text;
        if self.db.backend == Backend::Postgres {
            for mailbox in mailboxes {
                let mailbox = mailbox.to_string();
                let values = [Text(crate::changes::CHANNEL), Text(&mailbox)];
                tx.execute("SELECT pg_notify($1, $2)", &values).await?;
            }
        }
        Ok(())
    }

    /// Tells this node's watchers that `mailboxes` changed (after the commit).
    pub(crate) fn touched(&self, mailboxes: &[i64]) {
        for &mailbox in mailboxes {
            self.changes.touch(mailbox);
        }
    }
}
