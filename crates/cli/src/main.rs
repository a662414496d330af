//! `caduceus`: the secure health messaging server's one binary.
//!
//! # Layout
//! - `main.rs`: the command line (clap) and dispatch.
//! - `config`: `caduceus.toml` and the data directory layout.
//! - `federation`: the `[oidc]` provider checking SASL bearer tokens (AU-4).
//! - `notices`: emailed login codes through the outbound relay (`[notices]`).
//! - `runtime`: opens the keys, the store and the service from a configuration.
//! - `certificates`: the user certificates the directory serves (`pki/users/`).
//! - `proof`: the operator's S/MIME signature on the notifications it writes (MS-16).
//! - `init`: `caduceus init` — data directory, keys, development PKI, demo seed (`demo`).
//! - `serve`: `caduceus serve` — the listeners, until SIGINT/SIGTERM; it upgrades an
//!   older store first.
//! - `migrate`: `caduceus migrate [--check]` — the store's schema versions, and the
//!   upgrade on demand (docs/upgrades.md).
//! - `console`: `caduceus login`/`logout`, the staff member's console session every
//!   administrative command runs under (AC-2, TR-1).
//! - `account`, `audit`, `patient`, `breach`, `backup`: the operator's subcommands;
//!   `credentials`: second factors and device credentials under `account`.
//! - `directory`: import, search and generate directory extracts (ID-4).
//! - `bench`: figures for `docs/benchmarks.md` on a scratch directory.
//! - `compliance`: each requirement id with the tests proving it, their interface and
//!   last result; turns `cargo test` output into `target/test-report.json`.

mod account;
mod audit;
mod backup;
mod bench;
mod breach;
mod certificates;
mod compliance;
mod config;
mod console;
mod credentials;
mod demo;
mod directory;
mod federation;
mod init;
mod migrate;
mod notices;
mod patient;
mod proof;
mod runtime;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Caduceus: secure health messaging (MSSanté-style) server.
#[derive(Parser, Debug)]
#[command(name = "caduceus", version, about, long_about = None)]
struct Cli {
    /// The data directory: configuration, embedded database, blobs, keys, PKI.
    #[arg(long, global = true, env = "CADUCEUS_DATA", default_value = "data")]
    data: PathBuf,
    /// The bootstrap operator's login, recorded as the actor in traces (TR-1) while no
    /// one holds a staff role yet (to create the first administrator): lowercase
    /// letters, digits, `.`, `_`, `-`; never a full name (TR-5).
    #[arg(
        long,
        global = true,
        env = "CADUCEUS_OPERATOR",
        default_value = "operator"
    )]
    operator: caduceus_audit::OperatorName,
    /// The console session `caduceus login` printed: administrative commands run for
    /// that staff member, under their role (AC-2, TR-1).
    #[arg(long, global = true, env = "CADUCEUS_SESSION", hide_env_values = true)]
    session: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create a data directory: configuration file, master and trace signing keys,
    /// a development PKI (test health CA, server certificate).
    Init(init::InitArgs),
    /// Run the server (initialises the data directory on first run).
    Serve(serve::ServeArgs),
    /// Open a console session for a staff member (password and one-time code read as
    /// two lines from standard input); prints the token for CADUCEUS_SESSION.
    ///
    /// Example: printf '%s\n%s\n' "$PASSWORD" 123456 | caduceus login claire.admin@caduceus.test
    Login(console::LoginArgs),
    /// End the console session given by --session or CADUCEUS_SESSION.
    Logout,
    /// Manage accounts: add, verify identity, activate, password, list, close.
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// The directory: import national extracts, search, generate synthetic extracts.
    #[command(subcommand)]
    Directory(directory::DirectoryCommand),
    /// Verify or purge the trace chain.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The personal-data breach register (TR-6): record, assess, notify, close, list.
    #[command(subcommand)]
    Breach(breach::BreachCommand),
    /// A patient's opposition (MS-9) and blocked professionals (MS-10).
    #[command(subcommand)]
    Patient(patient::PatientCommand),
    /// Back the data or the keyring up while the server runs (MS-4).
    #[command(subcommand)]
    Backup(backup::BackupCommand),
    /// The store's schema versions against this binary: `--check` reports (exit 1 when
    /// an upgrade is pending or the schema is newer); without it, applies the upgrade
    /// (after a backup of the SQLite files).
    Migrate(migrate::MigrateArgs),
    /// Put a data backup and a keyring backup back (server stopped).
    Restore(backup::RestoreArgs),
    /// Measure delivery, read and trace verification rates on a scratch directory.
    Bench(bench::BenchArgs),
    /// Each requirement id with the tests that prove it, their interface and result in
    /// the last test run (exit 1 if an id has no passing test through a real interface).
    Compliance(compliance::ComplianceArgs),
}

/// The process's allocator: mimalloc, whose per-thread free lists serve a FETCH's
/// many short-lived buffers (message bodies, output batches) without glibc's page
/// faults, `munmap` and consolidation (docs/benchmarks.md, session 20).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CADUCEUS_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let console = console::console_login(cli.session, &cli.operator);
    let result = runtime.block_on(async {
        match cli.command {
            Command::Login(args) => console::login(&cli.data, &args)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Logout => console::logout(&cli.data, &console)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Init(args) => init::run(&cli.data, &args)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Serve(args) => serve::run(&cli.data, &args)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Account(command) => account::run(&cli.data, &console, command)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Directory(command) => directory::run(&cli.data, &console, command)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Audit(command) => audit::run(&cli.data, &console, command).await,
            Command::Breach(command) => breach::run(&cli.data, &console, command)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Patient(command) => patient::run(&cli.data, &console, command)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Backup(command) => backup::run(&cli.data, command)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Migrate(args) => migrate::run(&cli.data, &args).await,
            Command::Restore(args) => backup::restore(&cli.data, &args).map(|()| ExitCode::SUCCESS),
            Command::Bench(args) => bench::run(&cli.data, &args)
                .await
                .map(|()| ExitCode::SUCCESS),
            Command::Compliance(args) => compliance::run(&args),
        }
    });
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("caduceus: {error:#}");
            ExitCode::FAILURE
        }
    }
}
