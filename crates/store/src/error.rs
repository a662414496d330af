//! The store's error type.

use crate::seal::SealError;

/// Why a store operation failed. Messages name ids, never content (TR-5).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database refused or could not be reached. Shown with the driver's error
    /// code or kind only (never its message, which may quote values).
    #[error("database ({})", database_cause(.0))]
    Database(#[from] sqlx::Error),
    /// SQLite refused or failed, through our own connections (FETCH's reads, the
    /// group commit's writes). Shown with SQLite's extended result code only.
    #[error("database ({})", sqlite_cause(.0))]
    Sqlite(#[from] rusqlite::Error),
    /// A row the caller named does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// What kind of row ("account", "mailbox", "message").
        what: &'static str,
        /// Its id or address.
        id: String,
    },
    /// The operation would break a uniqueness or life-cycle rule.
    #[error("{what} conflict: {detail}")]
    Conflict {
        /// What kind of row.
        what: &'static str,
        /// What collided.
        detail: String,
    },
    /// A sealed value failed its integrity check or a key could not be used (MS-4).
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The message's key was destroyed: its content is gone for good (RT-3).
    #[error("message {0} content was deleted; its key no longer exists")]
    ContentDestroyed(i64),
    /// A blob file could not be written, read or removed.
    #[error("blob {id}: {source}")]
    Blob {
        /// The blob id.
        id: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A stored value does not parse back (the database was edited by hand?).
    #[error("stored {what} is invalid: {detail}")]
    Corrupt {
        /// Which column.
        what: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The database's schema is newer than this binary knows: it was not opened, and
    /// nothing was changed (docs/upgrades.md).
    #[error(
        "the {database} database's schema is version {found}, newer than this caduceus \
         knows (version {known}): run the release that upgraded it, or restore the backup \
         taken before that upgrade; nothing was changed"
    )]
    SchemaTooNew {
        /// `data` or `keyring`.
        database: &'static str,
        /// The version recorded in the database.
        found: u32,
        /// The latest version this binary knows.
        known: u32,
    },
    /// A trace event was refused by the trace chain (TR-5 guard).
    #[error("trace: {0}")]
    Trace(String),
    /// The commit of a group of deliveries failed: every delivery of the group gets
    /// this one error, and none of them was stored (MS-4).
    #[error("{0} (group commit: no delivery of the group was stored)")]
    Shared(std::sync::Arc<StoreError>),
    /// The store's committer no longer runs (the runtime is shutting down): nothing
    /// was stored.
    #[error("the store's committer stopped; nothing was stored")]
    Stopped,
}

/// What went wrong in the database, in codes: SQLite's extended result code,
/// PostgreSQL's SQLSTATE, an I/O error's kind, or the driver's error kind.
fn database_cause(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(db) => format!("code {}", db.code().unwrap_or_default()),
        sqlx::Error::Io(io) => format!("I/O {:?}", io.kind()),
        sqlx::Error::PoolTimedOut => "pool timed out".into(),
        sqlx::Error::PoolClosed => "pool closed".into(),
        sqlx::Error::RowNotFound => "row not found".into(),
        other => variant_name(other),
    }
}

/// What went wrong in SQLite: its extended result code, or rusqlite's error kind.
fn sqlite_cause(error: &rusqlite::Error) -> String {
    match error {
        rusqlite::Error::SqliteFailure(failure, _) => format!("code {}", failure.extended_code),
        other => variant_name(other),
    }
}

/// The name of an error's variant (`Io`, `InvalidColumnType`), never its values.
fn variant_name(error: &dyn std::fmt::Debug) -> String {
    let debug = format!("{error:?}");
    debug
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or("other")
        .to_owned()
}

impl StoreError {
    /// Whether the disk (or the database's tablespace) is full: SQLite's
    /// `SQLITE_FULL`, PostgreSQL's `disk_full` (53100), or ENOSPC writing a file.
    /// Nothing was stored; the same request succeeds once space returns, so front
    /// ends answer "try again" (SMTP `452 4.3.1`, RFC 3463).
    pub fn is_storage_full(&self) -> bool {
        const SQLITE_FULL: i32 = 13;
        const ENOSPC: i32 = 28;
        let io_full = |e: &std::io::Error| {
            e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(ENOSPC)
        };
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                let code = db.code();
                let code = code.as_deref().unwrap_or("");
                code == "53100"
                    || code
                        .parse::<i32>()
                        .is_ok_and(|extended| extended & 0xff == SQLITE_FULL)
            }
            StoreError::Database(sqlx::Error::Io(e)) => io_full(e),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(failure, _)) => {
                failure.code == rusqlite::ErrorCode::DiskFull
            }
            StoreError::Blob { source, .. } => io_full(source),
            StoreError::Shared(cause) => cause.is_storage_full(),
            _ => false,
        }
    }
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    /// MS-4: a full disk met by a group's commit is still a full disk for each of its
    /// deliveries, so each SMTP client hears `452 4.3.1` (try again), not a failure.
    #[test]
    fn ms4_a_group_commit_failure_keeps_its_storage_full_cause() {
        let full = StoreError::Blob {
            id: "b".into(),
            source: std::io::Error::from_raw_os_error(28),
        };
        assert!(full.is_storage_full());
        let shared = StoreError::Shared(std::sync::Arc::new(full));
        assert!(shared.is_storage_full());
        assert!(shared.to_string().contains("group commit"));
        assert!(!StoreError::Stopped.is_storage_full());
    }
}
