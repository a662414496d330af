//! `caduceus breach …`: the personal-data breach register (TR-6) at the command line —
//! record, assess, notify, close, list, export for the authority. Ids and codes only.

use std::path::Path;

use anyhow::Result;
use caduceus_core::breach::{self, Nature, Risk};
use caduceus_core::{Clock, MailAddress, SystemClock, Timestamp};
use caduceus_service::Caller;
use caduceus_service::breaches::Assessment;
use caduceus_store::{Breach, MessageId};

use crate::config::Loaded;
use crate::runtime::Runtime;

/// `caduceus breach` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum BreachCommand {
    /// Record a breach; it must be notified within 72 hours of its detection.
    ///
    /// Example: caduceus breach record --nature confidentiality --detected 2026-12-06T09:30:00Z
    Record {
        /// What it did to the data: confidentiality, integrity, availability.
        #[arg(long)]
        nature: Nature,
        /// When the operator became aware of it (RFC 3339; default: now).
        #[arg(long, value_parser = parse_time)]
        detected: Option<Timestamp>,
    },
    /// Assess a breach: its risk and the accounts and message copies it concerns.
    ///
    /// Example: caduceus breach assess 1 --risk high --account alice.martin@caduceus.test
    Assess {
        /// The breach's number.
        id: i64,
        /// The risk to the people concerned: unlikely, risk, high.
        #[arg(long)]
        risk: Risk,
        /// An account concerned (repeatable).
        #[arg(long = "account")]
        accounts: Vec<MailAddress>,
        /// A message copy concerned, by number (repeatable).
        #[arg(long = "message")]
        messages: Vec<i64>,
    },
    /// Record that the breach was notified to the controller and the authority; with
    /// a high risk, the accounts concerned are informed at their out-of-band address.
    Notify {
        /// The breach's number.
        id: i64,
    },
    /// Close a breach (notified, or assessed unlikely to result in a risk).
    Close {
        /// The breach's number.
        id: i64,
    },
    /// List the register, newest first; `--csv` writes it for the authority.
    List {
        /// Comma-separated values with a header line.
        #[arg(long)]
        csv: bool,
    },
}

/// An RFC 3339 time on the command line (also the end of a representation).
pub(crate) fn parse_time(text: &str) -> Result<Timestamp, String> {
    let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|e| format!("an RFC 3339 time such as 2026-12-06T09:30:00Z: {e}"))?;
    let millis = at.unix_timestamp_nanos() / 1_000_000;
    Ok(Timestamp::from_millis(millis as i64))
}

/// One breach as a line of the register (CSV when `csv`).
fn line(b: &Breach, csv: bool) -> String {
    let at = |t: Option<Timestamp>| t.map_or(String::new(), |t| t.to_string());
    let ids = |ids: Vec<i64>| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
    let fields = [
        b.id.to_string(),
        b.nature.to_string(),
        b.detected.to_string(),
        breach::deadline(b.detected).to_string(),
        b.state.to_string(),
        b.risk.map_or(String::new(), |r| r.to_string()),
        ids(b.accounts.iter().map(|a| a.0).collect()),
        ids(b.messages.iter().map(|m| m.0).collect()),
        at(b.notified),
        if b.users_informed { "yes" } else { "no" }.to_owned(),
        at(b.closed),
    ];
    fields.join(if csv { "," } else { "  " })
}

/// Runs a breach subcommand as the operator.
pub async fn run(
    data: &Path,
    operator: &caduceus_audit::OperatorName,
    command: BreachCommand,
) -> Result<()> {
    let runtime = Runtime::open(Loaded::load(data)?, operator).await?;
    let caller = Caller::operator(operator.clone());
    let service = &runtime.service;
    match command {
        BreachCommand::Record { nature, detected } => {
            let detected = detected.unwrap_or_else(|| SystemClock.now());
            let id = service.record_breach(&caller, nature, detected).await?;
            let deadline = breach::deadline(detected);
            println!("breach {id} recorded; notify it by {deadline}");
        }
        BreachCommand::Assess {
            id,
            risk,
            accounts,
            messages,
        } => {
            let mut found = Vec::new();
            for address in &accounts {
                found.push(crate::account::find(&runtime, address).await?.id);
            }
            let assessment = Assessment {
                risk,
                accounts: found,
                messages: messages.into_iter().map(MessageId).collect(),
            };
            service.assess_breach(&caller, id, assessment).await?;
            println!("breach {id} assessed: {risk}");
        }
        BreachCommand::Notify { id } => {
            let informed = service.notify_breach(&caller, id).await?;
            println!("breach {id} notified; {informed} account(s) informed");
        }
        BreachCommand::Close { id } => {
            service.close_breach(&caller, id).await?;
            println!("breach {id} closed");
        }
        BreachCommand::List { csv } => {
            let breaches = service.breaches(&caller).await?;
            if csv {
                println!(
                    "id,nature,detected,deadline,state,risk,accounts,messages,notified,users_informed,closed"
                );
            }
            for b in &breaches {
                println!("{}", line(b, csv));
            }
        }
    }
    runtime.store.close().await;
    Ok(())
}
