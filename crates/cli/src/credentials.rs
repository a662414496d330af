//! `caduceus account totp|contact|device …`: second factors and device credentials
//! (AU-1, AU-2), handed over by a registration authority or enrolled by the user.

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use caduceus_core::{MailAddress, SecretString};
use caduceus_service::auth::{Authenticated, Credentials};
use caduceus_service::console::CONSOLE_SOURCE;
use caduceus_service::{Caller, Service};
use caduceus_store::DeviceId;

use crate::runtime::Runtime;

/// `caduceus account device` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum DeviceCommand {
    /// Issue a device credential for a mail client after a strong login of the
    /// account itself (AU-2): its password and current TOTP code are read as two
    /// lines from standard input. The credential is printed once and never stored.
    ///
    /// Example: printf '%s\n%s\n' "$PASSWORD" 123456 | caduceus account device add alice.martin@caduceus.test --name "Thunderbird"
    Add {
        /// The account's address.
        address: MailAddress,
        /// A name the user will recognise in the list ("Phone", "Thunderbird at the practice").
        #[arg(long)]
        name: String,
        /// Use a code emailed to the out-of-band address instead of TOTP: after the
        /// password line, the code is sent, then read as the second line.
        #[arg(long)]
        emailed_code: bool,
    },
    /// List an account's devices with their last use, then its passkeys and paired
    /// phones (AU-1, MS-18).
    List {
        /// The account's address.
        address: MailAddress,
    },
    /// Revoke a device: its credential stops working at once. With --passkey, a
    /// passkey or a paired phone (a lost phone, AU-1, MS-18): it logs in no more.
    ///
    /// Example: caduceus account device revoke alice.martin@caduceus.test 3
    Revoke {
        /// The account's address.
        address: MailAddress,
        /// The device number shown by `device list` (a passkey's with --passkey).
        device: i64,
        /// The number is a passkey's or a paired phone's.
        #[arg(long)]
        passkey: bool,
    },
}

fn read_line(
    lines: &mut impl Iterator<Item = std::io::Result<String>>,
    what: &str,
) -> Result<SecretString> {
    let line = lines
        .next()
        .with_context(|| format!("expected the {what} on standard input"))?
        .with_context(|| format!("reading the {what}"))?;
    Ok(SecretString::new(
        line.trim_end_matches(['\r', '\n']).to_owned(),
    ))
}

/// Enrolls a TOTP second factor and prints the secret and its `otpauth://` URI to
/// hand to the user (AU-1).
pub async fn enroll_totp(runtime: &Runtime, caller: &Caller, address: &MailAddress) -> Result<()> {
    let account = crate::account::find(runtime, address).await?;
    let enrollment = runtime.service.enroll_totp(caller, account.id).await?;
    println!("secret {}", enrollment.secret_base32.expose());
    println!("{}", enrollment.uri.expose());
    Ok(())
}

/// Sets or clears the out-of-band address login codes are sent to.
pub async fn set_contact(
    runtime: &Runtime,
    caller: &Caller,
    address: &MailAddress,
    email: Option<&MailAddress>,
) -> Result<()> {
    let account = crate::account::find(runtime, address).await?;
    runtime
        .service
        .set_contact_email(caller, account.id, email)
        .await?;
    match email {
        Some(email) => println!(
            "login codes for {} go to {}",
            address.as_str(),
            email.as_str()
        ),
        None => println!("no out-of-band address for {}", address.as_str()),
    }
    Ok(())
}

/// Sets or removes the phone number SMS warnings go to (RT-1).
pub async fn set_phone(
    runtime: &Runtime,
    caller: &Caller,
    address: &MailAddress,
    phone: Option<&caduceus_core::PhoneNumber>,
) -> Result<()> {
    let account = crate::account::find(runtime, address).await?;
    runtime
        .service
        .set_contact_phone(caller, account.id, phone)
        .await?;
    match phone {
        Some(phone) => println!(
            "SMS warnings for {} go to {}",
            address.as_str(),
            phone.as_str()
        ),
        None => println!("no SMS number for {}", address.as_str()),
    }
    Ok(())
}

/// Turns new-mail notices on or off (`enabled`), or prints whether they are on
/// (MS-7).
pub async fn new_mail_notice(
    runtime: &Runtime,
    caller: &Caller,
    address: &MailAddress,
    enabled: Option<bool>,
) -> Result<()> {
    let account = crate::account::find(runtime, address).await?;
    let service = &runtime.service;
    if let Some(enabled) = enabled {
        service
            .set_new_mail_notice(caller, account.id, enabled)
            .await?;
    }
    let setting = service.new_mail_notice(caller, account.id).await?;
    match (setting.enabled, setting.to) {
        (false, _) => println!("new-mail notices for {} are off", address.as_str()),
        (true, Some(to)) => println!(
            "new-mail notices for {} are on, sent to {}",
            address.as_str(),
            to.as_str()
        ),
        (true, None) => println!(
            "new-mail notices for {} are on, but no out-of-band address is set: \
             set one with `caduceus account contact`",
            address.as_str()
        ),
    }
    Ok(())
}

/// A strong login of `address` at the command line (AU-1): its password and a
/// one-time code read as two lines from standard input — a TOTP code, or
/// (`emailed_code`) a code sent to the out-of-band address after the password line.
pub(crate) async fn strong_login(
    service: &Service,
    address: &MailAddress,
    emailed_code: bool,
) -> Result<Authenticated> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let password = read_line(&mut lines, "password")?;
    if emailed_code {
        service
            .send_login_code(address, &password, CONSOLE_SOURCE)
            .await
            .context("sending the login code")?;
        eprintln!("a login code was sent to the out-of-band address; type it:");
    }
    let code = read_line(&mut lines, "one-time code")?;
    let credentials = if emailed_code {
        Credentials::PasswordEmailCode {
            password: &password,
            code: code.expose(),
        }
    } else {
        Credentials::PasswordTotp {
            password: &password,
            code: code.expose(),
        }
    };
    service
        .login(address, credentials, CONSOLE_SOURCE)
        .await
        .context("strong login (password and one-time code)")
}

/// Runs a `device` subcommand.
pub async fn device(runtime: &Runtime, caller: &Caller, command: DeviceCommand) -> Result<()> {
    let service = &runtime.service;
    match command {
        DeviceCommand::Add {
            address,
            name,
            emailed_code,
        } => {
            let login = strong_login(service, &address, emailed_code).await?;
            let issued = service.add_device(&login, &name).await?;
            println!("{}", issued.credential.expose());
            eprintln!(
                "device {} \"{}\" enrolled for {}: use the line above as the mail client's password",
                issued.device.id.0,
                issued.device.name,
                address.as_str()
            );
        }
        DeviceCommand::List { address } => {
            let account = crate::account::find(runtime, &address).await?;
            for device in service.devices(caller, account.id).await? {
                println!(
                    "{:<4} {:<30} enrolled {}  last used {}  {}",
                    device.id.0,
                    device.name,
                    device.created,
                    used(device.last_used),
                    state(device.revoked)
                );
            }
            for passkey in service.passkeys(caller, account.id).await? {
                println!(
                    "{:<4} {:<30} {} registered {}  last used {}  {}",
                    passkey.id.0,
                    passkey.name,
                    passkey.kind.as_str(),
                    passkey.created,
                    used(passkey.last_used),
                    state(passkey.revoked)
                );
            }
        }
        DeviceCommand::Revoke {
            address,
            device,
            passkey,
        } => {
            if device <= 0 {
                bail!("device numbers are positive (see `device list`)");
            }
            let account = crate::account::find(runtime, &address).await?;
            if passkey {
                let id = caduceus_store::PasskeyId(device);
                service.revoke_passkey(caller, account.id, id).await?;
                println!("passkey {device} of {} revoked", address.as_str());
            } else {
                service
                    .revoke_device(caller, account.id, DeviceId(device))
                    .await?;
                println!("device {device} of {} revoked", address.as_str());
            }
        }
    }
    Ok(())
}

/// When a credential was last used, for `device list`.
fn used(at: Option<caduceus_core::Timestamp>) -> String {
    at.map_or("never".to_owned(), |t| t.to_string())
}

/// Whether a credential still works, for `device list`.
fn state(revoked: Option<caduceus_core::Timestamp>) -> String {
    revoked.map_or("active".to_owned(), |t| format!("revoked {t}"))
}
