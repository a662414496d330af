//! Where sealed message bodies live: files beside the SQLite database (fsynced before
//! the delivering transaction commits), or rows of `blob_data` in PostgreSQL so that
//! every node sees them.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};
use crate::sql::db::Db;

/// A store of sealed blobs, addressed by random ids.
#[derive(Clone, Debug)]
pub(crate) enum Blobs {
    /// One file per blob under a directory, fanned out by the id's first two digits.
    Files(PathBuf),
    /// Rows of the `blob_data` table.
    Database(Db),
}

impl Blobs {
    /// Writes a sealed blob durably (the file and its directory are synced).
    pub async fn put(&self, id: &str, sealed: Vec<u8>) -> Result<()> {
        match self {
            Blobs::Files(root) => {
                let path = file_path(root, id);
                let id = id.to_owned();
                tokio::task::spawn_blocking(move || write_durably(&path, &sealed))
                    .await
                    .expect("blob writer task panicked")
                    .map_err(|source| StoreError::Blob { id, source })
            }
            Blobs::Database(db) => {
                sqlx::query("INSERT INTO blob_data (id, data) VALUES ($1, $2)")
                    .bind(id)
                    .bind(sealed)
                    .execute(&db.pool)
                    .await?;
                Ok(())
            }
        }
    }

    /// Reads a sealed blob.
    pub async fn get(&self, id: &str) -> Result<Vec<u8>> {
        match self {
            Blobs::Files(root) => tokio::fs::read(file_path(root, id))
                .await
                .map_err(|source| StoreError::Blob {
                    id: id.to_owned(),
                    source,
                }),
            Blobs::Database(db) => {
                let data: Option<Vec<u8>> =
                    sqlx::query_scalar("SELECT data FROM blob_data WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&db.pool)
                        .await?;
                data.ok_or_else(|| StoreError::NotFound {
                    what: "blob",
                    id: id.to_owned(),
                })
            }
        }
    }

    /// Removes a blob; a blob already gone is not an error.
    pub async fn delete(&self, id: &str) -> Result<()> {
        match self {
            Blobs::Files(root) => match tokio::fs::remove_file(file_path(root, id)).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(source) => Err(StoreError::Blob {
                    id: id.to_owned(),
                    source,
                }),
            },
            Blobs::Database(db) => {
                sqlx::query("DELETE FROM blob_data WHERE id = $1")
                    .bind(id)
                    .execute(&db.pool)
                    .await?;
                Ok(())
            }
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
