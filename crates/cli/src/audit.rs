//! `caduceus audit …`: verify the trace chain, purge past retention (TR-1, TR-2).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use caduceus_service::Caller;

use crate::config::Loaded;
use crate::runtime::Runtime;

/// `caduceus audit` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// Check every trace entry and signed checkpoint; exit 1 naming the first bad
    /// entry if anything was modified, deleted, inserted or reordered (TR-1).
    ///
    /// Example: caduceus audit verify --data ./data
    Verify {
        /// The checkpoints' public key (default: keys.trace_verifying_key_file).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Delete traces older than traces.retention_days for good, keeping the rest
    /// verifiable (TR-2). The server also does this on its schedule.
    Purge,
    /// List the security alerts: lockouts (AU-3) and incidents the detectors raised
    /// (TR-3), oldest first. Ids and figures only.
    Alerts,
}

/// Runs an audit subcommand; the exit code tells whether the chain is intact.
pub async fn run(
    data: &Path,
    operator: &caduceus_audit::OperatorName,
    command: AuditCommand,
) -> Result<ExitCode> {
    let runtime = Runtime::open(Loaded::load(data)?, operator).await?;
    let caller = Caller::operator(operator.clone());
    let code = match command {
        AuditCommand::Verify { key } => {
            let path = key.unwrap_or_else(|| {
                runtime
                    .loaded
                    .path(&runtime.loaded.config.keys.trace_verifying_key_file)
            });
            let key = caduceus_audit::load_verifying_key(&path)
                .with_context(|| format!("loading {}", path.display()))?;
            match runtime.service.verify_traces(&caller, &key).await? {
                Ok(report) => {
                    println!(
                        "trace chain intact: entries {}..{} ({} entries, {} signed checkpoints)",
                        report.first_seq, report.last_seq, report.entries, report.checkpoints
                    );
                    ExitCode::SUCCESS
                }
                Err(tamper) => {
                    println!("trace chain BROKEN: {tamper}");
                    ExitCode::FAILURE
                }
            }
        }
        AuditCommand::Alerts => {
            let alerts = runtime.service.alerts(&caller).await?;
            println!("{} alert(s)", alerts.len());
            for alert in alerts {
                println!(
                    "{}  {}  {}  {}",
                    alert.at.rfc5322(),
                    alert.kind,
                    alert.subject,
                    alert.detail
                );
            }
            ExitCode::SUCCESS
        }
        AuditCommand::Purge => {
            let report = runtime.service.purge_traces(&caller).await?;
            match report.cut {
                Some(cut) => println!(
                    "purged {} trace entries up to {cut}; signed anchor left at {cut}",
                    report.removed
                ),
                None => println!("no trace entry is older than the retention period"),
            }
            ExitCode::SUCCESS
        }
    };
    runtime.store.close().await;
    Ok(code)
}
