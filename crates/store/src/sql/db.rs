//! One database handle over sqlx's `Any` driver, and the few places where SQLite and
//! PostgreSQL differ.

use std::sync::Arc;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::exec::{Row, Value, query};
use super::sqlite_direct::SqliteDirect;
use crate::error::Result;

/// Which database engine a handle speaks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded default: one file in the data directory, WAL mode.
    Sqlite,
    /// Scale-out: several nodes share one PostgreSQL database.
    Postgres,
}

impl Backend {
    /// Tells the backend from a database URL.
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

/// A pool plus what it takes to write safely on its backend.
#[derive(Clone, Debug)]
pub(crate) struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// SQLite allows one writer: writers queue here instead of spinning on
    /// `SQLITE_BUSY`. PostgreSQL needs no such lock.
    write_lock: Option<Arc<Mutex<()>>>,
    /// SQLite: our own connections beside the pool (`sqlite_direct`): the group
    /// commit's, under `write_lock`, and the point reads'.
    direct: Option<Arc<SqliteDirect>>,
}

/// A write transaction; holds the SQLite writer lock until it ends.
pub(crate) struct WriteTx {
    pub tx: sqlx::Transaction<'static, sqlx::Any>,
    _guard: Option<OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// How many values a batched `IN (…)` query binds at most.
pub(crate) const BATCH: usize = 500;

/// How a connection is set up.
pub(crate) struct Pragmas {
    /// SQLite journal mode (`WAL`).
    pub journal_mode: &'static str,
    /// Overwrite deleted content in SQLite pages (the keyring).
    pub secure_delete: bool,
}

impl Db {
    /// Connects (the schema is brought up to date apart: `migrate`).
    pub async fn open(url: &str, pragmas: Pragmas) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url).ok_or_else(|| {
            sqlx::Error::Configuration("database URL must start with sqlite: or postgres:".into())
        })?;
        let options: AnyConnectOptions = url.parse()?;
        let secure_delete = pragmas.secure_delete;
        let write_lock = (backend == Backend::Sqlite).then(|| Arc::new(Mutex::new(())));
        // The file sqlx opened, as sqlx reads it from the URL.
        let direct = match &write_lock {
            Some(lock) => {
                let file = sqlx::sqlite::SqliteConnectOptions::try_from(&options)?
                    .get_filename()
                    .to_owned();
                Some(Arc::new(SqliteDirect::new(
                    file,
                    secure_delete,
                    lock.clone(),
                )))
            }
            None => None,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        // Reads map the file instead of copying each page through
                        // a read call: FETCH of thousands of bodies reads less.
                        conn.execute("PRAGMA mmap_size = 268435456").await?;
                        if secure_delete {
                            conn.execute("PRAGMA secure_delete = ON").await?;
                        }
                    }
                    Ok(())
                })
            })
            // A connection whose transaction SQLite ended by itself (a full disk,
            // SQLITE_FULL, rolls the transaction back) keeps sqlx believing it is in
            // one, and every later `BEGIN` on it fails: such a connection is closed
            // rather than pooled. Most releases hold no transaction and cost nothing;
            // otherwise a `SELECT 1` lets the rollback a dropped transaction queued run
            // first, so the depth read is the settled one.
            .after_release(move |conn, _| {
                Box::pin(async move {
                    if backend != Backend::Sqlite || !sqlx::Connection::is_in_transaction(conn) {
                        return Ok(true);
                    }
                    conn.execute("SELECT 1").await?;
                    Ok(!sqlx::Connection::is_in_transaction(conn))
                })
            })
            .connect_with(options)
            .await?;
        let db = Db {
            pool,
            backend,
            write_lock,
            direct,
        };
        if backend == Backend::Sqlite {
            let pragma = format!("PRAGMA journal_mode = {}", pragmas.journal_mode);
            db.pool.execute(sqlx::AssertSqlSafe(pragma)).await?;
        }
        Ok(db)
    }

    /// The placeholders of `count` values bound in order, the first being the
    /// statement's value number `first` (from 1): `$first, … ` on PostgreSQL; on
    /// SQLite anonymous `?`, because SQLite looks each numbered name up in a list,
    /// which makes a statement with thousands of values cost quadratic time. A
    /// statement uses this for all its values or for none.
    pub fn placeholders(&self, first: usize, count: usize) -> String {
        let each: Vec<String> = match self.backend {
            Backend::Sqlite => vec!["?".to_owned(); count],
            Backend::Postgres => (first..first + count).map(|i| format!("${i}")).collect(),
        };
        each.join(", ")
    }

    /// `(…), (…)`: the placeholders of `rows` rows of `columns` values each, for a
    /// multi-row `INSERT … VALUES`.
    pub fn value_rows(&self, rows: usize, columns: usize) -> String {
        (0..rows)
            .map(|row| format!("({})", self.placeholders(row * columns + 1, columns)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// SQLite: our own connections, whose writes take the same lock as
    /// [`Db::begin_write`]. `None` on PostgreSQL.
    pub fn sqlite_direct(&self) -> Option<&Arc<SqliteDirect>> {
        self.direct.as_ref()
    }

    /// A read of a few rows by key, outside any transaction: its first row as `decode`
    /// reads it. On SQLite it runs on the calling thread, on a read-only connection of
    /// our own (no hand-off to sqlx's worker, `sqlite_direct`); keep it to indexed
    /// lookups, which take microseconds.
    pub async fn read_optional<T>(
        &self,
        sql: &str,
        values: &[Value<'_>],
        decode: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>> {
        match &self.direct {
            Some(direct) => direct.read(|conn| conn.fetch_optional_now(sql, values, decode)),
            None => {
                let row = query(sql, values).fetch_optional(&self.pool).await?;
                row.map(|row| decode(&row)).transpose()
            }
        }
    }

    /// Begins a write transaction (SQLite: `BEGIN IMMEDIATE` under the writer lock).
    pub async fn begin_write(&self) -> Result<WriteTx> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        };
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(WriteTx { tx, _guard: guard })
    }

    /// SQLite: copies the WAL into the database file and truncates it, under the
    /// writer lock, so that pages `secure_delete` overwrote reach the file and no
    /// earlier version of them stays in the WAL (RT-3). Readers are waited for (busy
    /// timeout); `false` if one still held the WAL, in which case the next checkpoint
    /// finishes the work. PostgreSQL: nothing to do.
    pub async fn checkpoint(&self) -> Result<bool> {
        let Some(lock) = &self.write_lock else {
            return Ok(true);
        };
        let _guard = lock.lock().await;
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.pool)
            .await?;
        Ok(busy == 0)
    }

    /// A subject's failure counter, its row locked until the transaction ends (AU-3).
    pub fn lock_failure_row_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => {
                "SELECT failures, last_ms, locked_until_ms FROM auth_failures WHERE subject = $1"
            }
            Backend::Postgres => {
                "SELECT failures, last_ms, locked_until_ms FROM auth_failures WHERE subject = $1 FOR UPDATE"
            }
        }
    }

    /// A folder's `\Recent` mark, its row locked until the transaction ends.
    pub fn lock_recent_claim_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "SELECT uid FROM recent_claims WHERE mailbox_id = $1",
            Backend::Postgres => "SELECT uid FROM recent_claims WHERE mailbox_id = $1 FOR UPDATE",
        }
    }

    /// The row lock that serialises appends to the trace chain.
    pub fn lock_trace_head_sql(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "SELECT seq, hash FROM trace_head WHERE id = 1",
            Backend::Postgres => "SELECT seq, hash FROM trace_head WHERE id = 1 FOR UPDATE",
        }
    }
}
