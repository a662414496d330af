//! `caduceus backup data|keyring DEST` while the server runs, and `caduceus restore`
//! with it stopped (MS-4, RT-3): the data and the keyring are separate backups, to be
//! kept on different rotations (docs/operations.md).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::config::Loaded;
use crate::runtime::Runtime;

/// `caduceus backup` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum BackupCommand {
    /// Copy the data (caduceus.db and large bodies in blobs/) into DEST, consistently,
    /// while the server runs. Useless without the keyring and the master key.
    ///
    /// Example: caduceus backup data /backups/2026-11-23/data
    Data {
        /// A new directory for the copy.
        dest: PathBuf,
    },
    /// Copy the keyring (keyring.db) into DEST. Keep few of these (RT-3).
    ///
    /// Example: caduceus backup keyring /backups/keyring/2026-11-23
    Keyring {
        /// A new directory for the copy.
        dest: PathBuf,
    },
}

/// Runs a `backup` subcommand.
pub async fn run(
    data: &Path,
    operator: &caduceus_audit::OperatorName,
    command: BackupCommand,
) -> Result<()> {
    let runtime = Runtime::open(Loaded::load(data)?, operator).await?;
    match &command {
        BackupCommand::Data { dest } => runtime
            .store
            .backup_data(&runtime.loaded.data_dir, dest)
            .await
            .with_context(|| format!("backing the data up into {}", dest.display()))?,
        BackupCommand::Keyring { dest } => runtime
            .store
            .backup_keyring(dest)
            .await
            .with_context(|| format!("backing the keyring up into {}", dest.display()))?,
    }
    runtime.store.close().await;
    let dest = match command {
        BackupCommand::Data { dest } | BackupCommand::Keyring { dest } => dest,
    };
    println!("backup written to {}", dest.display());
    Ok(())
}

/// `caduceus restore`: puts a data backup and a keyring backup back into the data
/// directory, which must be the one they came from (same keys) or a copy of it, with
/// the server stopped.
#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// A directory written by `caduceus backup data`.
    #[arg(long)]
    pub data_from: PathBuf,
    /// A directory written by `caduceus backup keyring`.
    #[arg(long)]
    pub keyring_from: PathBuf,
}

/// Restores (the embedded store only).
pub fn restore(data: &Path, args: &RestoreArgs) -> Result<()> {
    let loaded = Loaded::load(data)?;
    if !matches!(
        loaded.store_config()?,
        caduceus_store::StoreConfig::Sqlite { .. }
    ) {
        bail!("restore is for the embedded store; restore PostgreSQL with pg_restore");
    }
    let db = args.data_from.join("caduceus.db");
    let keyring = args.keyring_from.join("keyring.db");
    for file in [&db, &keyring] {
        if !file.is_file() {
            bail!("{} is not a backup file", file.display());
        }
    }
    for stale in [
        "caduceus.db-wal",
        "caduceus.db-shm",
        "keyring.db-wal",
        "keyring.db-shm",
    ] {
        let path = loaded.data_dir.join(stale);
        if path.exists() {
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    std::fs::copy(&db, loaded.data_dir.join("caduceus.db")).context("restoring caduceus.db")?;
    std::fs::copy(&keyring, loaded.data_dir.join("keyring.db")).context("restoring keyring.db")?;
    let blobs = args.data_from.join("blobs");
    if blobs.is_dir() {
        copy_dir(&blobs, &loaded.data_dir.join("blobs"))?;
    }
    println!("restored into {}", loaded.data_dir.display());
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
