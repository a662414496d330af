//! `caduceus directory …`: import the national extracts, search, generate synthetic
//! extracts, and a holder's directory choices (ID-4).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use caduceus_core::directory::{SearchQuery, synthetic};
use caduceus_core::{Domain, Duty, MailAddress};
use caduceus_service::Caller;
use caduceus_service::directory::ImportReport;
use caduceus_store::DirectoryPreferences;

use crate::config::Loaded;
use crate::runtime::Runtime;

/// `caduceus directory` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum DirectoryCommand {
    /// Import a national extract; which one is told by its header
    /// (`Extraction_Correspondance_MSSante` mailboxes or
    /// `PS_LibreAcces_Personne_activite` people). Re-importing a newer extract applies
    /// the difference; invalid lines are listed with their number and block removals.
    ///
    /// Example: caduceus directory import Extraction_Correspondance_MSSante.txt
    Import {
        /// The extract (UTF-8, or Windows-1252 as some releases are).
        file: PathBuf,
    },
    /// Write this operator's active mailboxes as an `Extraction_Correspondance_MSSante`
    /// extract for the national directory (ID-4), the liste rouge honoured.
    ///
    /// Example: caduceus directory export --out Extraction_Correspondance_MSSante_caduceus.txt
    Export {
        /// The file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Search the directory (liste rouge entries and patients are never shown).
    ///
    /// Example: caduceus directory search --name martin --place 75
    Search {
        /// Part of a name.
        #[arg(long)]
        name: Option<String>,
        /// Part of a profession ("médecin", "infirmier", or its code).
        #[arg(long)]
        profession: Option<String>,
        /// Part of a specialty ("cardiologie").
        #[arg(long)]
        specialty: Option<String>,
        /// Postal code prefix or commune.
        #[arg(long)]
        place: Option<String>,
        /// National identifier (RPPS, ADELI, FINESS, SIRET), with or without prefix.
        #[arg(long)]
        id: Option<String>,
        /// Print FHIR bundles (Practitioner / PractitionerRole) as JSON lines.
        #[arg(long)]
        fhir: bool,
    },
    /// Write synthetic extracts with valid check keys (demo, tests, benchmarks).
    ///
    /// Example: caduceus directory generate --out /tmp/extracts --people 500000 --mailboxes 500000
    Generate(GenerateArgs),
    /// Set a holder's directory choices: liste rouge (hidden from search, still
    /// reachable) and consent to show the practice phone.
    ///
    /// Example: caduceus directory preferences alice.martin@caduceus.test --liste-rouge true
    Preferences {
        /// The account's address.
        address: MailAddress,
        /// Hide from search.
        #[arg(long)]
        liste_rouge: Option<bool>,
        /// Show the practice phone.
        #[arg(long)]
        phone_consent: Option<bool>,
    },
}

/// Options of `caduceus directory generate`.
#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// Directory for the two extract files.
    #[arg(long)]
    out: PathBuf,
    /// Activity lines in the people extract.
    #[arg(long, default_value_t = 200)]
    people: usize,
    /// Lines in the mailbox extract.
    #[arg(long, default_value_t = 250)]
    mailboxes: usize,
    /// Seed; the same seed gives the same files.
    #[arg(long, default_value_t = synthetic::DEMO_SEED)]
    seed: u64,
    /// Domain of the generated mailboxes.
    #[arg(long, default_value = "caduceus.test")]
    domain: String,
}

/// An extract's text: UTF-8, or Windows-1252 as some national releases are.
fn read_extract(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => encoding_rs::WINDOWS_1252
            .decode(e.as_bytes())
            .0
            .into_owned(),
    })
}

/// Prints an import's report; invalid lines go to standard error.
pub fn print_report(what: &str, report: &ImportReport) {
    println!(
        "{what}: {} lines, {} added, {} changed, {} removed, {} unchanged, {} invalid",
        report.lines,
        report.added,
        report.changed,
        report.removed,
        report.unchanged,
        report.errors.len()
    );
    if report.removals_withheld > 0 {
        println!(
            "{} removals withheld until the invalid lines are fixed",
            report.removals_withheld
        );
    }
    if report.closed > 0 {
        println!(
            "{} professional accounts closed: their holders left the register (RT-2)",
            report.closed
        );
    }
    if report.duplicates > 0 {
        println!(
            "{} keys appear twice; the first line counted",
            report.duplicates
        );
    }
    for error in &report.errors {
        eprintln!("{error}");
    }
    if let Some(found) = &report.reconciliation {
        println!(
            "this operator in the national file: {} listed, {} to publish, {} not open here, \
             {} liste rouge to update",
            found.published,
            found.unpublished.len(),
            found.stale.len(),
            found.liste_rouge.len()
        );
        let lists = [
            (
                "to publish (caduceus directory export, then send it)",
                &found.unpublished,
            ),
            (
                "listed but not open here (ask the national directory to remove it)",
                &found.stale,
            ),
            (
                "liste rouge chosen by the holder, shown nationally (send the export)",
                &found.liste_rouge,
            ),
        ];
        for (what, addresses) in lists {
            for address in addresses {
                println!("  {what}: {}", address.as_str());
            }
        }
    }
}

/// Imports an extract, choosing people or mailboxes by its header. Fails (after
/// applying the valid lines) when some lines are invalid, so scripts notice.
pub async fn import_text(runtime: &Runtime, caller: &Caller, text: &str) -> Result<()> {
    let header = text.lines().next().unwrap_or("");
    let report = if header.contains("Adresse BAL") {
        let report = runtime.service.import_mailboxes(caller, text).await?;
        print_report("mailboxes", &report);
        report
    } else if header.contains("Identifiant PP") {
        let report = runtime.service.import_people(caller, text).await?;
        print_report("people", &report);
        report
    } else {
        bail!(
            "not a national extract: the header has neither \"Adresse BAL\" (MSSanté mailboxes) nor \"Identifiant PP\" (people)"
        );
    };
    if !report.errors.is_empty() {
        bail!(
            "{} invalid lines (listed above): the valid lines were applied, removals withheld; fix them and import again",
            report.errors.len()
        );
    }
    Ok(())
}

fn write_lines(path: &Path, lines: impl Iterator<Item = String>) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for line in lines {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Writes synthetic extracts (no store needed).
pub fn generate(args: &GenerateArgs) -> Result<()> {
    let domain =
        Domain::parse(&args.domain).with_context(|| format!("--domain {:?}", args.domain))?;
    std::fs::create_dir_all(&args.out)?;
    let people_path = args.out.join("PS_LibreAcces_Personne_activite.txt");
    let mailbox_path = args.out.join("Extraction_Correspondance_MSSante.txt");
    write_lines(
        &people_path,
        synthetic::person_activity_extract(args.seed, args.people),
    )?;
    write_lines(
        &mailbox_path,
        synthetic::mailbox_extract(args.seed, args.mailboxes, &domain),
    )?;
    println!("{}\n{}", people_path.display(), mailbox_path.display());
    Ok(())
}

impl DirectoryCommand {
    /// The staff duty the command needs (AC-1): the national extracts are the
    /// administrator's; searching and a person's listing choices are account work.
    fn duty(&self) -> Duty {
        match self {
            DirectoryCommand::Import { .. } | DirectoryCommand::Export { .. } => {
                Duty::ImportDirectory
            }
            DirectoryCommand::Search { .. }
            | DirectoryCommand::Generate(_)
            | DirectoryCommand::Preferences { .. } => Duty::ManageAccounts,
        }
    }
}

/// Runs a `directory` subcommand on the data directory `data`.
pub async fn run(
    data: &Path,
    console: &caduceus_service::ConsoleLogin,
    command: DirectoryCommand,
) -> Result<()> {
    if let DirectoryCommand::Generate(args) = &command {
        return generate(args);
    }
    let runtime = Runtime::open(Loaded::load(data)?).await?;
    let caller = runtime
        .service
        .console_caller(console, command.duty())
        .await?;
    run_with(&runtime, &caller, command).await?;
    runtime.store.close().await;
    Ok(())
}

async fn run_with(runtime: &Runtime, caller: &Caller, command: DirectoryCommand) -> Result<()> {
    let service = &runtime.service;
    match command {
        DirectoryCommand::Import { file } => {
            import_text(runtime, caller, &read_extract(&file)?).await?;
        }
        DirectoryCommand::Export { out } => {
            let extract = runtime.service.export_directory(caller).await?;
            std::fs::write(&out, &extract).with_context(|| format!("writing {}", out.display()))?;
            let mailboxes = extract.lines().count().saturating_sub(1);
            println!("{mailboxes} mailboxes written to {}", out.display());
        }
        DirectoryCommand::Search {
            name,
            profession,
            specialty,
            place,
            id,
            fhir,
        } => {
            let query = SearchQuery {
                name,
                profession,
                specialty,
                place,
                identifier: id,
            };
            for entry in service.search_directory(&query).await? {
                if fhir {
                    println!("{}", entry.to_fhir());
                    continue;
                }
                let profession = entry.profession().map_or("", |p| p.label.as_str());
                let specialty = entry.specialty().map_or("", |s| s.label.as_str());
                let place = format!(
                    "{} {}",
                    entry.postal_code().unwrap_or(""),
                    entry.commune().unwrap_or("")
                );
                println!(
                    "{:<42} {:<28} {:<20} {:<30} {}{}",
                    entry.address().as_str(),
                    entry.display_name(),
                    profession,
                    specialty,
                    place.trim(),
                    entry
                        .phone()
                        .map(|p| format!("  tel {p}"))
                        .unwrap_or_default()
                );
            }
        }
        DirectoryCommand::Generate(args) => generate(&args)?,
        DirectoryCommand::Preferences {
            address,
            liste_rouge,
            phone_consent,
        } => {
            let account = crate::account::find(runtime, &address).await?;
            let current = service.directory_preferences(caller, account.id).await?;
            let preferences = DirectoryPreferences {
                liste_rouge: liste_rouge.unwrap_or(current.liste_rouge),
                phone_consent: phone_consent.unwrap_or(current.phone_consent),
            };
            service
                .set_directory_preferences(caller, account.id, preferences)
                .await?;
            println!(
                "{}: liste rouge {}, phone shown {}",
                address.as_str(),
                preferences.liste_rouge,
                preferences.phone_consent
            );
        }
    }
    Ok(())
}
