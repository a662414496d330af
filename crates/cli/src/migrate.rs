//! `caduceus migrate [--check]`: where the store's schemas stand against this binary,
//! and the upgrade applied on demand (docs/upgrades.md). `serve` applies the same
//! upgrade when it starts.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use caduceus_store::{SchemaState, SchemaStatus, SqlStore};

use crate::config::Loaded;
use crate::runtime::Runtime;

/// Options of `caduceus migrate`.
#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// Only report: current and target versions and pending migrations; exit 1 when
    /// an upgrade is pending or the schema is newer than this binary knows.
    ///
    /// Example: caduceus migrate --check --data ./data
    #[arg(long)]
    pub check: bool,
}

/// Runs `caduceus migrate`.
pub async fn run(data: &Path, args: &MigrateArgs) -> Result<ExitCode> {
    let loaded = Loaded::load(data)?;
    let statuses = SqlStore::schema_status(&loaded.store_config()?)
        .await
        .context("reading the schema versions")?;
    for status in &statuses {
        println!("{}", describe(status));
    }
    if let Some(Err(refusal)) = statuses
        .iter()
        .map(SchemaStatus::refuse_if_newer)
        .find(Result::is_err)
    {
        eprintln!("caduceus: {refusal}");
        return Ok(ExitCode::FAILURE);
    }
    let pending = statuses.iter().any(SchemaStatus::needs_upgrade);
    if args.check {
        println!(
            "{}",
            if pending {
                "upgrade pending: `caduceus migrate` (or `serve`) applies it after a backup"
            } else {
                "up to date"
            }
        );
        return Ok(if pending {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }
    if !pending {
        println!("up to date");
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = Runtime::open(loaded).await?;
    if runtime.store.schema_upgrades().is_empty() {
        println!("up to date: another node applied the upgrade meanwhile");
    }
    for upgrade in runtime.store.schema_upgrades() {
        let backup = upgrade
            .backup
            .as_ref()
            .map(|path| format!(", after a backup in {}", path.display()))
            .unwrap_or_default();
        // What this process applied: on PostgreSQL another node may have applied some
        // steps meanwhile; a store only recognised as version 1 applied none.
        let mut runs = upgrade.runs();
        if runs.is_empty() {
            runs.push((upgrade.from.version(), upgrade.to));
        }
        for (from, to) in runs {
            let name = upgrade.database.as_str();
            println!("{name}: upgraded from version {from} to {to}{backup}");
        }
    }
    runtime.store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// `data: version 1 (not recorded: written before schema versions), this caduceus
/// knows version 2; pending: 2 name`.
fn describe(status: &SchemaStatus) -> String {
    let state = match status.state {
        SchemaState::Empty => "version 0 (empty)".to_owned(),
        SchemaState::Unversioned => {
            "version 1 (not recorded: written before schema versions)".to_owned()
        }
        SchemaState::Version(version) => format!("version {version}"),
    };
    let pending = if status.is_newer() {
        "NEWER than this caduceus: refused".to_owned()
    } else if status.pending.is_empty() && status.state == SchemaState::Unversioned {
        "pending: record version 1".to_owned()
    } else if status.pending.is_empty() {
        "pending: none".to_owned()
    } else {
        let names: Vec<String> = status
            .pending
            .iter()
            .map(|(version, name)| format!("{version} {name}"))
            .collect();
        format!("pending: {}", names.join(", "))
    };
    format!(
        "{}: {state}, this caduceus knows version {}; {pending}",
        status.database.as_str(),
        status.target
    )
}
