//! The statements of a write transaction, written once for two drivers (issue 21).
//!
//! The group commit (`commit`) and what it writes through (`traces::append`,
//! `outbound::enqueue`, `messages::next_uid`, `Staged::insert`, `Keyring::put_in`)
//! speak to a [`Statements`], which two transactions implement:
//! - [`WriteTx`]: sqlx, on either backend. On SQLite every statement is a hand-off
//!   to the driver's worker thread and back (a wake-up each way);
//! - [`SqliteConn`](super::sqlite_direct::SqliteConn): a rusqlite connection of our
//!   own, stepped on the calling (blocking) thread. The group commit on SQLite runs a
//!   whole group there: one hand-off per group instead of five per delivery, which is
//!   what bounded the commit rate under load (docs/benchmarks.md, session 21).
//!
//! [`Row`] reads a returned row's columns the same way from either driver; the point
//! reads of [`Db::read_optional`](super::db::Db::read_optional) decode with it too.
//!
//! Statements are written as for sqlx: `$n` placeholders (a name may appear twice),
//! or anonymous `?` on SQLite from [`Db::placeholders`](super::db::Db::placeholders).
//! Their text never carries a value: every value is bound.

use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::db::WriteTx;
use crate::error::Result;

/// A value bound to a statement.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Value<'a> {
    /// An integer (SQLite `INTEGER`, PostgreSQL `BIGINT`).
    Int(i64),
    /// A text value.
    Text(&'a str),
    /// A text value or `NULL`.
    MaybeText(Option<&'a str>),
    /// Bytes (SQLite `BLOB`, PostgreSQL `BYTEA`).
    Blob(&'a [u8]),
}

/// The columns of a row a statement returned, by position from 0.
pub(crate) trait Row {
    /// An integer column.
    fn int(&self, column: usize) -> Result<i64>;
    /// An integer column that may be `NULL`.
    fn maybe_int(&self, column: usize) -> Result<Option<i64>>;
    /// A text column.
    fn text(&self, column: usize) -> Result<String>;
    /// A text column that may be `NULL`.
    fn maybe_text(&self, column: usize) -> Result<Option<String>>;
    /// A bytes column.
    fn blob(&self, column: usize) -> Result<Vec<u8>>;
    /// A bytes column that may be `NULL`.
    fn maybe_blob(&self, column: usize) -> Result<Option<Vec<u8>>>;
}

/// Runs the statements of one open write transaction.
pub(crate) trait Statements {
    /// Runs `sql` with `values` bound; the number of rows it changed.
    async fn execute(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64>;

    /// Runs `sql` with `values` bound; its first row as `decode` reads it, `None` when
    /// it returned no row.
    async fn fetch_optional<T>(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        decode: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>>;
}

/// Implements [`Row`] for a driver's row type whose `$get(column)` reads any column
/// type by position.
macro_rules! row_by_position {
    ($row:ty, $get:ident) => {
        impl $crate::sql::exec::Row for $row {
            fn int(&self, column: usize) -> Result<i64> {
                Ok(self.$get(column)?)
            }

            fn maybe_int(&self, column: usize) -> Result<Option<i64>> {
                Ok(self.$get(column)?)
            }

            fn text(&self, column: usize) -> Result<String> {
                Ok(self.$get(column)?)
            }

            fn maybe_text(&self, column: usize) -> Result<Option<String>> {
                Ok(self.$get(column)?)
            }

            fn blob(&self, column: usize) -> Result<Vec<u8>> {
                Ok(self.$get(column)?)
            }

            fn maybe_blob(&self, column: usize) -> Result<Option<Vec<u8>>> {
                Ok(self.$get(column)?)
            }
        }
    };
}
pub(super) use row_by_position;

row_by_position!(AnyRow, try_get);

/// `sql` with `values` bound, for sqlx.
pub(super) fn query<'q>(
    sql: &str,
    values: &[Value<'q>],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()));
    for value in values {
        query = match *value {
            Value::Int(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::MaybeText(v) => query.bind(v),
            Value::Blob(v) => query.bind(v),
        };
    }
    query
}

impl Statements for WriteTx {
    async fn execute(&mut self, sql: &str, values: &[Value<'_>]) -> Result<u64> {
        Ok(query(sql, values)
            .execute(&mut *self.tx)
            .await?
            .rows_affected())
    }

    async fn fetch_optional<T>(
        &mut self,
        sql: &str,
        values: &[Value<'_>],
        decode: impl FnOnce(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let row = query(sql, values).fetch_optional(&mut *self.tx).await?;
        row.map(|row| decode(&row)).transpose()
    }
}
