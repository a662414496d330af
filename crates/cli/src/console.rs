//! `caduceus login` and `caduceus logout`: the staff member's console session that
//! every administrative command runs under (AC-2, TR-1; see
//! [`caduceus_service::console`]).
//!
//! `login` reads the password and a one-time code as two lines from standard input
//! and prints the session's token once; commands take it from `--session` or
//! `CADUCEUS_SESSION`. Without one they run as the bootstrap operator, which the
//! service accepts only while no one holds a staff role.

use std::path::Path;

use anyhow::{Context, Result};
use caduceus_audit::OperatorName;
use caduceus_core::{Duty, MailAddress, SecretString};
use caduceus_service::{Caller, ConsoleLogin, Service};

use crate::config::Loaded;
use crate::runtime::Runtime;

/// `caduceus login` arguments.
#[derive(clap::Args, Debug)]
pub struct LoginArgs {
    /// The staff member's own address (a personal account holding a staff role).
    address: MailAddress,
    /// Use a code emailed to the out-of-band address instead of TOTP: after the
    /// password line, the code is sent, then read as the second line.
    #[arg(long)]
    emailed_code: bool,
}

/// Who a command runs for: the session given, or the bootstrap operator `operator`.
pub fn console_login(session: Option<String>, operator: &OperatorName) -> ConsoleLogin {
    match session {
        Some(token) => ConsoleLogin::Session(SecretString::new(token)),
        None => ConsoleLogin::Bootstrap(operator.clone()),
    }
}

/// The bootstrap operator `name`, for the demo seed and the benchmarks on their own
/// new data: refused by the service once anyone holds a staff role.
pub async fn bootstrap(service: &Service, name: &str) -> Result<Caller> {
    let name: OperatorName = name.parse().context("an operator login")?;
    Ok(service
        .console_caller(&ConsoleLogin::Bootstrap(name), Duty::ManageAccounts)
        .await?)
}

/// Opens a console session for a staff member after their strong login, and prints
/// its token (standard output, once).
pub async fn login(data: &Path, args: &LoginArgs) -> Result<()> {
    let runtime = Runtime::open(Loaded::load(data)?).await?;
    let login =
        crate::credentials::strong_login(&runtime.service, &args.address, args.emailed_code)
            .await?;
    let token = runtime.service.console_login(&login).await?;
    println!("{}", token.expose());
    eprintln!(
        "console session opened for {}: give the line above to later commands as \
         CADUCEUS_SESSION (it ends after 30 minutes unused, 12 hours at most, or at \
         `caduceus logout`)",
        args.address.as_str()
    );
    runtime.store.close().await;
    Ok(())
}

/// Ends the console session of `console`.
pub async fn logout(data: &Path, console: &ConsoleLogin) -> Result<()> {
    let ConsoleLogin::Session(token) = console else {
        anyhow::bail!("no console session to end (--session or CADUCEUS_SESSION)");
    };
    let runtime = Runtime::open(Loaded::load(data)?).await?;
    runtime
        .service
        .console_logout(token)
        .await
        .context("ending the console session")?;
    eprintln!("console session ended");
    runtime.store.close().await;
    Ok(())
}
