//! SQLite through rusqlite connections of our own, beside sqlx's pool (issue 21): the
//! group commit's write transactions, and the point reads every delivery makes.
//!
//! sqlx's SQLite driver runs each statement on a worker thread of its own and hands
//! the statement there and the result back: two wake-ups (`futex` calls, context
//! switches) per statement. An SMTP delivery made about twenty statements; under load
//! the hand-offs cost more than SQLite's work, and the group's transaction, which the
//! next group waits behind, took about 100 µs per statement (docs/benchmarks.md,
//! session 21). Here:
//! - [`SqliteDirect::write`] runs a whole group commit on one (blocking) thread,
//!   statement after statement, under the same writer lock as sqlx's write
//!   transactions, so the two never race;
//! - [`SqliteDirect::read`] runs a short indexed read on the calling thread, on a
//!   read-only connection: no hand-off at all. Only reads of a few rows by key go
//!   here ([`Db::read_optional`](super::db::Db::read_optional)): in WAL mode a reader
//!   never waits for a writer, so such a read takes microseconds.
//!
//! The write connection is set up as the pool's are (`synchronous = FULL`, foreign
//! keys, busy timeout; `secure_delete` for the keyring), so a commit here is as durable
//! as one through sqlx; the read-only ones ([`ReadOnly`], FETCH's too) map the file as
//! the pool's do. Statements are prepared once and cached.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{CachedStatement, Connection, OpenFlags};
use tokio::sync::Mutex as WriterLock;

use super::exec::{Row, Statements, Value, row_by_position};
use crate::error::{Result, StoreError};

/// Statements kept prepared per connection: a group's multi-row inserts differ by
/// their row count.
const PREPARED_MAX: usize = 64;

/// Idle read-only connections kept for the next read.
const IDLE_READERS: usize = 8;

/// How long a statement waits for a lock, as on the pool's connections.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The mapped part of the file, as on the pool's connections.
const MMAP_SIZE: i64 = 268_435_456;

/// rusqlite connections to one SQLite database, opened on first use.
#[derive(Debug)]
pub(crate) struct SqliteDirect {
    file: PathBuf,
    secure_delete: bool,
    /// The database's writer lock, shared with sqlx's write transactions.
    lock: Arc<WriterLock<()>>,
    writer: Mutex<Option<Connection>>,
    readers: ReadOnly,
}

/// Read-only connections to one SQLite file, opened on first use and kept idle for
/// the next read: the point reads' ([`SqliteDirect::read`]) and FETCH's
/// (`sqlite_reads`, with the keyring attached). `SQLITE_OPEN_READ_ONLY`: they cannot
/// change the data or the keyring, whatever the statement.
#[derive(Debug)]
pub(crate) struct ReadOnly {
    file: PathBuf,
    /// A database attached as `keyring` to each connection.
    keyring: Option<PathBuf>,
    idle: Mutex<Vec<Connection>>,
}

impl ReadOnly {
    /// Connections to `file`, with `keyring` attached as `keyring` when given.
    pub fn new(file: PathBuf, keyring: Option<PathBuf>) -> Self {
        Self {
            file,
            keyring,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on one of the connections, on the calling thread.
    pub fn with<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let idle = self.idle.lock().expect("not poisoned").pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let done = read(&conn);
        let mut idle = self.idle.lock().expect("not poisoned");
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        done
    }

    fn open(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.file, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Bodies are read straight from the mapped file, as on the sqlx connections.
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        conn.set_prepared_statement_cache_capacity(PREPARED_MAX);
        if let Some(keyring) = &self.keyring {
            conn.execute("ATTACH DATABASE ?1 AS keyring", [keyring.to_string_lossy()])?;
        }
        Ok(conn)
    }
}

/// Statements on one of [`SqliteDirect`]'s connections, stepped on the calling thread.
pub(crate) struct SqliteConn<'c> {
    conn: &'c Connection,
}

impl SqliteDirect {
    /// Connections to `file`, writing under `lock`.
    pub fn new(file: PathBuf, secure_delete: bool, lock: Arc<WriterLock<()>>) -> Self {
        Self {
            secure_delete,
            readers: ReadOnly::new(file.clone(), None),
            file,
            lock,
            writer: Mutex::new(None),
        }
    }

    /// Runs `work` in one transaction (`BEGIN IMMEDIATE` … `COMMIT`, synced), on the
    /// calling thread, which may block: call it from a blocking task. The transaction
    /// is rolled back when `work` or the commit fails; nothing of it is kept.
    pub fn write<T>(&self, work: impl FnOnce(&mut SqliteConn<'_>) -> Result<T>) -> Result<T> {
        let _writer = self.lock.blocking_lock();
        let mut slot = self.writer.lock().expect("not poisoned");
        let conn = match slot.take() {
            Some(conn) => conn,
            None => self.open_writer()?,
        };
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let done = work(&mut SqliteConn { conn: &conn })
            .and_then(|value| Ok(conn.execute_batch("COMMIT").map(|()| value)?));
        // A failed statement or commit leaves the transaction open, or SQLite ended it
        // by itself (a full disk): either way it is over here.
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            // A connection that cannot end its transaction is not used again.
            return done;
        }
        *slot = Some(conn);
        done
    }

    /// Runs `read` on a read-only connection, on the calling thread.
    pub fn read<T>(&self, read: impl FnOnce(&SqliteConn<'_>) -> Result<T>) -> Result<T> {
        self.readers.with(|conn| read(&SqliteConn { conn }))
    }

    fn open_writer(&self) -> Result<Connection> {
        let conn = Connection::open(&self.file)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        if self.secure_delete {
            conn.pragma_update(None, "secure_delete", "ON")?;
        }
        conn.set_prepared_statement_cache_capacity(PREPARED_MAX);
        Ok(conn)
    }
}

impl SqliteConn<'_> {
    /// `sql` prepared (or taken from the cache) with `values` bound.
    fn statement(&self, sql: &str, values: &[Value<'_>]) -> Result<CachedStatement<'_>> {
        let mut statement = self.conn.prepare_cached(sql)?;
        for index in 1..=statement.parameter_count() {
            // `$3` (or `?3`) is the third value wherever it appears; an anonymous `?`
            // takes the value of its position.
            let position = match statement.parameter_name(index) {
                Some(name) => name[1..].parse::<usize>().ok(),
                None => Some(index),
            };
            let value = position
                .and_then(|position| values.get(position.checked_sub(1)?))
                .ok_or_else(|| StoreError::Corrupt {
                    what: "statement",
                    detail: format!("parameter {index} has no value"),
                })?;
            match *value {
                Value::Int(v) => statement.raw_bind_parameter(index, v)?,
                Value::Text(v) => statement.raw_bind_parameter(index, v)?,
                Value::MaybeText(v) => statement.raw_bind_parameter(index, v)?,
                Value::Blob(v) => statement.raw_bind_parameter(index, v)?,
            }
        }
        Ok(statement)
    }

    /// [`Statements::execute`], now.
    pub fn execute_now(&self, sql: &str, values: &[Value<'_>]) -> Result<u64> {
        let mut statement = self.statement(sql, values)?;
        let mut rows = statement.raw_query();
        while rows.next()?.is_some() {}
        Ok(self.conn.changes())
    }

    /// [`Statements::fetch_optional`], now.
    pub fn fetch_optional_now<T>(
        &self,
        sql: &str,
        values: &[Value<'_>],
        decode: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut statement = self.statement(sql, values)?;
        let mut rows = statement.raw_query();
        rows.next()?.map(|row| decode(row)).transpose()
    }
}

row_by_position!(rusqlite::Row<'_>, get);

impl Statements for SqliteConn<'_> {
    async fn execute(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64> {
        self.execute_now(sql, values)
    }

    async fn fetch_optional<T>(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        decode: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>> {
        self.fetch_optional_now(sql, values, decode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn direct(dir: &tempfile::TempDir) -> SqliteDirect {
        let file = dir.path().join("t.db");
        Connection::open(&file)
            .unwrap()
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (a INTEGER, b TEXT, c BLOB)")
            .unwrap();
        SqliteDirect::new(file, false, Arc::default())
    }

    /// MS-4: the group commit's statements are written for sqlx (`$n`, a name used
    /// twice, or anonymous `?`); each value lands where its number says.
    #[test]
    fn ms4_statements_bind_each_value_where_its_number_stands() {
        let dir = tempfile::tempdir().unwrap();
        let direct = direct(&dir);
        direct
            .write(|tx| {
                tx.execute_now(
                    "INSERT INTO t (c, b, a) VALUES ($3, $2, $1), ($1, $2, $1)",
                    &[Value::Int(7), Value::Text("x"), Value::Blob(b"z")],
                )?;
                tx.execute_now(
                    "INSERT INTO t (a, b, c) VALUES (?, ?, ?)",
                    &[Value::Int(8), Value::MaybeText(None), Value::Blob(b"w")],
                )
            })
            .unwrap();
        let read = |sql: &str| {
            direct
                .read(|conn| {
                    conn.fetch_optional_now(sql, &[], |row| {
                        Ok((row.maybe_int(0)?, row.maybe_text(1)?, row.maybe_blob(2)?))
                    })
                })
                .unwrap()
                .unwrap()
        };
        assert_eq!(
            read("SELECT a, b, c FROM t WHERE rowid = 1"),
            (Some(7), Some("x".into()), Some(b"z".to_vec()))
        );
        // `$1` stood twice: the integer 7 both times.
        let twice = direct
            .read(|conn| {
                conn.fetch_optional_now("SELECT a, c FROM t WHERE rowid = 2", &[], |row| {
                    Ok((row.int(0)?, row.int(1)?))
                })
            })
            .unwrap();
        assert_eq!(twice, Some((7, 7)));
        assert_eq!(
            read("SELECT a, b, c FROM t WHERE rowid = 3"),
            (Some(8), None, Some(b"w".to_vec()))
        );
    }

    /// MS-4: a statement short of a value, or failing, leaves nothing of its
    /// transaction, and the connection writes again afterwards.
    #[test]
    fn ms4_a_failed_write_keeps_nothing_and_the_next_one_commits() {
        let dir = tempfile::tempdir().unwrap();
        let direct = direct(&dir);
        let short = direct.write(|tx| {
            tx.execute_now("INSERT INTO t (a) VALUES (1)", &[])?;
            tx.execute_now("INSERT INTO t (a, b) VALUES ($1, $2)", &[Value::Int(2)])
        });
        assert!(
            matches!(short, Err(StoreError::Corrupt { .. })),
            "{short:?}"
        );
        let broken = direct.write(|tx| {
            tx.execute_now("INSERT INTO t (a) VALUES (3)", &[])?;
            tx.execute_now("INSERT INTO no_such_table (a) VALUES (4)", &[])
        });
        assert!(matches!(broken, Err(StoreError::Sqlite(_))), "{broken:?}");
        direct
            .write(|tx| tx.execute_now("INSERT INTO t (a) VALUES (5)", &[]))
            .unwrap();
        let all = direct
            .read(|conn| {
                conn.fetch_optional_now("SELECT group_concat(a) FROM t", &[], |row| row.text(0))
            })
            .unwrap();
        assert_eq!(all.as_deref(), Some("5"));
    }
}
