//! Where sealed message bodies live: rows of `blob_data`, written in the delivering
//! transaction itself (every body on PostgreSQL, so that every node sees them; bodies
//! up to [`INLINE_MAX`] on SQLite), or, for larger bodies on SQLite, files beside the
//! database, fsynced before that transaction commits.
//!
//! Keeping small bodies in the database saves the two fsyncs and the inode of a file
//! per message. A body is sealed with its message key wherever it lies, so the copy a
//! database keeps in free pages or its WAL after a deletion is as unreadable as a
//! deleted file (RT-3 rests on destroying the key).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};
use crate::sql::db::Db;
use crate::sql::exec::{Statements, Value};

/// Largest sealed body kept in a `blob_data` row on SQLite; larger ones are files.
pub(crate) const INLINE_MAX: usize = 256 * 1024;

/// A store of sealed blobs, addressed by random ids.
#[derive(Clone, Debug)]
pub(crate) struct Blobs {
    db: Db,
    /// The directory of large bodies (SQLite); `None` keeps every body in rows.
    files: Option<PathBuf>,
}

/// A blob ready for the delivering transaction: already in its file, or bytes to
/// insert as a row.
pub(crate) enum Staged {
    /// Written and synced to its file.
    InFile,
    /// To be inserted in `blob_data` by [`Staged::insert`].
    Row(Vec<u8>),
}

impl Staged {
    /// Inserts the row of a blob kept in the database, in `tx`.
    pub async fn insert(self, tx: &mut impl Statements, id: &str) -> Result<()> {
        if let Staged::Row(sealed) = self {
            tx.execute(
                "INSERT INTO blob_data (id, data) VALUES ($1, $2)",
                &[Value::Text(id), Value::Blob(&sealed)],
            )
            .await?;
        }
        Ok(())
    }
}

impl Blobs {
    /// Every body in `blob_data` rows of `db`.
    pub fn in_database(db: Db) -> Self {
        Self { db, files: None }
    }

    /// Small bodies in rows of `db`, large ones as files under `dir`.
    pub fn with_files(db: Db, dir: PathBuf) -> Self {
        Self {
            db,
            files: Some(dir),
        }
    }

    /// Prepares a sealed blob before its transaction: a large one on SQLite is
    /// written durably to its file now (the file and its directory synced).
    pub async fn stage(&self, id: &str, sealed: Vec<u8>) -> Result<Staged> {
        match &self.files {
            Some(root) if sealed.len() > INLINE_MAX => {
                let path = file_path(root, id);
                let id = id.to_owned();
                tokio::task::spawn_blocking(move || write_durably(&path, &sealed))
                    .await
                    .expect("blob writer task panicked")
                    .map_err(|source| StoreError::Blob { id, source })?;
                Ok(Staged::InFile)
            }
            _ => Ok(Staged::Row(sealed)),
        }
    }

    /// Reads a sealed blob.
    pub async fn get(&self, id: &str) -> Result<Vec<u8>> {
        let row: Option<Vec<u8>> = sqlx::query_scalar("SELECT data FROM blob_data WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        match (row, &self.files) {
            (Some(data), _) => Ok(data),
            (None, Some(root)) => tokio::fs::read(file_path(root, id))
                .await
                .map_err(|source| StoreError::Blob {
                    id: id.to_owned(),
                    source,
                }),
            (None, None) => Err(StoreError::NotFound {
                what: "blob",
                id: id.to_owned(),
            }),
        }
    }

    /// Removes a blob, row or file; a blob already gone is not an error.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let removed = sqlx::query("DELETE FROM blob_data WHERE id = $1")
            .bind(id)
            .execute(&self.db.pool)
            .await?
            .rows_affected();
        let Some(root) = &self.files else {
            return Ok(());
        };
        if removed > 0 {
            return Ok(());
        }
        match tokio::fs::remove_file(file_path(root, id)).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StoreError::Blob {
                id: id.to_owned(),
                source,
            }),
        }
    }
}

fn file_path(root: &Path, id: &str) -> PathBuf {
    root.join(&id[..2]).join(id)
}

/// Writes to a temporary name, syncs, renames, and syncs the directory, so a crash
/// leaves either nothing or the whole blob.
fn write_durably(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("blob paths have a parent");
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(data)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}
