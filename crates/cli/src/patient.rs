//! `caduceus patient …`: what a patient asks the operator for (MS-9, MS-10, TR-4):
//! recording or withdrawing an opposition, blocking a professional, showing both, and
//! the log of who accessed their data; and the opening of their mailbox (ID-5, AC-3):
//! announcing it, recording their objection, their acceptance at the counter.

use std::path::Path;

use anyhow::{Context, Result};
use caduceus_core::{Ins, MailAddress};
use caduceus_service::patients::OppositionStatus;

use crate::config::Loaded;
use crate::runtime::Runtime;

/// `caduceus patient` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum PatientCommand {
    /// Record the patient's opposition to exchanges about them through the service
    /// (MS-9): messages concerning them are then refused, the sender told to use postal
    /// mail. `--withdraw` lifts it. Recorded as made by the operator, and traced
    /// without the INS.
    ///
    /// Example: caduceus patient oppose 295109912611193
    Oppose {
        /// The patient's INS (15 characters, key checked).
        ins: String,
        /// Lift the opposition instead.
        #[arg(long)]
        withdraw: bool,
    },
    /// Block a professional for a patient (MS-10): their messages to the patient are
    /// refused. `--unblock` lifts it.
    ///
    /// Example: caduceus patient block 295109912611193@patient.caduceus.test alice.martin@caduceus.test
    Block {
        /// The patient's mailbox.
        patient: MailAddress,
        /// The professional's address.
        professional: MailAddress,
        /// Lift the block instead.
        #[arg(long)]
        unblock: bool,
    },
    /// List who accessed data concerning a patient (TR-4), at their request: who,
    /// what, which message copy, when. Never content.
    ///
    /// Example: caduceus patient accesses 295109912611193@patient.caduceus.test
    Accesses {
        /// The patient's mailbox.
        patient: MailAddress,
    },
    /// Announce a verified patient mailbox (ID-5, seed 003 §7): a notice with a link
    /// to object (or accept at once) goes to the patient's contact address; the
    /// mailbox opens after `retention.patient_announcement_days` (42) unless the
    /// patient objects. Until then it receives no mail and cannot log in.
    ///
    /// Example: caduceus patient announce 295109912611193@patient.caduceus.test
    Announce {
        /// The patient's mailbox (verified, with its contact address).
        patient: MailAddress,
    },
    /// Record the patient's objection to their announced mailbox, on their behalf
    /// (AC-3, seed 003 §7): it is never created, its data deleted at once; only a
    /// digest of the INS is kept so that it is not announced again.
    ///
    /// Example: caduceus patient object 295109912611193@patient.caduceus.test
    Object {
        /// The announced patient mailbox.
        patient: MailAddress,
    },
    /// The patient, present in person, accepts their mailbox now (ID-5, AC-3): a
    /// verified or announced patient mailbox opens at once (an earlier objection of
    /// theirs is lifted).
    ///
    /// Example: caduceus patient accept 295109912611193@patient.caduceus.test
    Accept {
        /// The patient's mailbox (with its contact address).
        patient: MailAddress,
    },
    /// Show a patient's opposition (who recorded it, when) and blocked professionals.
    ///
    /// Example: caduceus patient show 295109912611193
    Show {
        /// The patient's INS.
        ins: String,
    },
}

/// Runs a `patient` subcommand as the operator.
pub async fn run(
    data: &Path,
    console: &caduceus_service::ConsoleLogin,
    command: PatientCommand,
) -> Result<()> {
    let runtime = Runtime::open(Loaded::load(data)?).await?;
    let service = &runtime.service;
    let caller = runtime
        .service
        .console_caller(console, caduceus_core::Duty::ManageAccounts)
        .await?;
    match command {
        PatientCommand::Oppose { ins, withdraw } => {
            let ins = Ins::parse(&ins).context("the INS")?;
            service.set_opposition(&caller, &ins, !withdraw).await?;
            println!(
                "opposition {}",
                if withdraw { "withdrawn" } else { "recorded" }
            );
        }
        PatientCommand::Block {
            patient,
            professional,
            unblock,
        } => {
            let account = crate::account::find(&runtime, &patient).await?;
            service
                .set_block(&caller, account.id, &professional, !unblock)
                .await?;
            println!(
                "{} {} for this patient",
                professional.as_str(),
                if unblock { "unblocked" } else { "blocked" }
            );
        }
        PatientCommand::Accesses { patient } => {
            let account = crate::account::find(&runtime, &patient).await?;
            let log = service.patient_access_log(&caller, account.id).await?;
            println!("{} access(es)", log.len());
            for entry in log {
                println!(
                    "{}  {}  {} ({})  {}",
                    entry.at.rfc5322(),
                    entry.action,
                    entry.actor.as_str(),
                    entry.actor_name,
                    entry.message
                );
            }
        }
        PatientCommand::Announce { patient } => {
            let account = crate::account::find(&runtime, &patient).await?;
            let made = service.announce_patient(&caller, account.id).await?;
            println!(
                "{} announced; it opens at {} unless the patient objects",
                patient.as_str(),
                made.opens
            );
        }
        PatientCommand::Object { patient } => {
            let account = crate::account::find(&runtime, &patient).await?;
            service.object_for_patient(&caller, account.id).await?;
            println!("objection recorded: {} is not created", patient.as_str());
        }
        PatientCommand::Accept { patient } => {
            let account = crate::account::find(&runtime, &patient).await?;
            service.open_in_person(&caller, account.id).await?;
            println!(
                "{} active: accepted by the patient in person",
                patient.as_str()
            );
        }
        PatientCommand::Show { ins } => {
            let ins = Ins::parse(&ins).context("the INS")?;
            match service.opposition(&caller, &ins).await? {
                OppositionStatus::Recorded(opposition) => println!(
                    "opposition: yes, recorded by {} at {}",
                    opposition.recorded_by,
                    opposition.at.rfc5322()
                ),
                OppositionStatus::Opposed => println!("opposition: yes"),
                OppositionStatus::None => println!("opposition: no"),
            }
            let address = MailAddress::patient(&ins, &runtime.loaded.domain())?;
            if let Some(account) = service.account_by_address(&address).await? {
                let blocked = service.blocks(&caller, account.id).await?;
                println!("blocked professionals: {}", blocked.len());
                for professional in blocked {
                    println!("  {professional}");
                }
            } else {
                println!("no patient mailbox here");
            }
        }
    }
    runtime.store.close().await;
    Ok(())
}
