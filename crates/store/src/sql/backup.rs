//! Backups of the embedded store while it serves (MS-4, RT-3): the data (database and
//! body files) and the keyring, taken separately so that they can be kept on different
//! rotations. Each database is copied with `VACUUM INTO`, a consistent snapshot that
//! readers and writers do not wait for.

use std::path::Path;

use super::{Backend, SqlStore};
use crate::error::{Result, StoreError};

impl SqlStore {
    /// Writes a consistent copy of the data — `caduceus.db` and the large bodies of
    /// `blobs/` — into `dest` (created; must not hold a previous backup). The body
    /// files are copied before and after the database snapshot, so every body the
    /// snapshot names is in the copy. SQLite only: PostgreSQL is backed up with its own
    /// tools (`pg_dump`).
    pub async fn backup_data(&self, data_dir: &Path, dest: &Path) -> Result<()> {
        self.require_sqlite()?;
        prepare(dest, "caduceus.db")?;
        copy_blobs(&data_dir.join("blobs"), &dest.join("blobs")).await?;
        vacuum_into(&self.db.pool, &dest.join("caduceus.db")).await?;
        copy_blobs(&data_dir.join("blobs"), &dest.join("blobs")).await
    }

    /// Writes a consistent copy of the keyring into `dest` (`keyring.db`). Keep these
    /// on a short rotation: a deletion is definitive once no keyring copy older than it
    /// is left (RT-3).
    pub async fn backup_keyring(&self, dest: &Path) -> Result<()> {
        self.require_sqlite()?;
        prepare(dest, "keyring.db")?;
        vacuum_into(&self.keyring.pool(), &dest.join("keyring.db")).await
    }

    fn require_sqlite(&self) -> Result<()> {
        if self.db.backend != Backend::Sqlite {
            return Err(StoreError::Conflict {
                what: "backup",
                detail: "back PostgreSQL up with pg_dump (data and keyring databases)".into(),
            });
        }
        Ok(())
    }
}

fn prepare(dest: &Path, file: &str) -> Result<()> {
    let io = |source| StoreError::Blob {
        id: dest.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dest).map_err(io)?;
    if dest.join(file).exists() {
        return Err(StoreError::Conflict {
            what: "backup",
            detail: format!("{} already holds a backup", dest.display()),
        });
    }
    Ok(())
}

/// A consistent copy of the database behind `pool` into the new file `target`.
pub(super) async fn vacuum_into(pool: &sqlx::AnyPool, target: &Path) -> Result<()> {
    let path = target.display().to_string().replace('\'', "''");
    sqlx::query(sqlx::AssertSqlSafe(format!("VACUUM INTO '{path}'")))
        .execute(pool)
        .await?;
    Ok(())
}

/// Copies the body files not yet in `to` (bodies never change once written).
async fn copy_blobs(from: &Path, to: &Path) -> Result<()> {
    let (from, to) = (from.to_owned(), to.to_owned());
    tokio::task::spawn_blocking(move || copy_tree(&from, &to))
        .await
        .expect("copy task panicked")
        .map_err(|source| StoreError::Blob {
            id: "blobs".into(),
            source,
        })
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(from) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    std::fs::create_dir_all(to)?;
    for entry in entries {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if !target.exists() && entry.path().extension().is_none_or(|e| e != "tmp") {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
