//! `caduceus account …`: the operator's and registration authority's account work.

use caduceus_core::representation::{Capacity, CapacityEvidence};
use caduceus_service::representatives::Appointment;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use caduceus_core::{
    AccountKind, AccountState, Duty, Evidence, MailAddress, RegistryId, Scope, SecretString,
};
use caduceus_pki::DevPki;
use caduceus_service::accounts::Registration;
use caduceus_store::Account;

use crate::config::Loaded;
use crate::runtime::Runtime;

/// `caduceus account` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum AccountCommand {
    /// Register an account (state pending) from its registry identifier (ID-1).
    ///
    /// Example: caduceus account add --kind professional --id 810003090833
    /// --address alice.martin@caduceus.test --name "Alice Martin"
    Add {
        /// professional, organisation, applicative or patient.
        #[arg(long)]
        kind: AccountKind,
        /// National identifier (8+RPPS, 0+ADELI, 1+FINESS, 3+SIRET, or
        /// <structure>/<local id>), or the INS for a patient.
        #[arg(long)]
        id: String,
        /// Mailbox address (omit for a patient: <INS>@patient.<domain>).
        #[arg(long)]
        address: Option<MailAddress>,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Record a registration authority's identity verification (ID-2).
    ///
    /// Example: caduceus account verify alice.martin@caduceus.test --evidence cps_card --by "RA Dupont"
    Verify {
        /// The account's address.
        address: MailAddress,
        /// cps_card, identity_document or registry_match.
        #[arg(long)]
        evidence: Evidence,
        /// Who verified (the registration authority agent).
        #[arg(long)]
        by: String,
    },
    /// Activate a verified (or suspended) account. Its contact address (an ordinary
    /// e-mail address outside MSSante, `caduceus account contact`) must be recorded
    /// first (ID-2, 004 §7.1).
    Activate {
        /// The account's address.
        address: MailAddress,
    },
    /// Suspend an account.
    Suspend {
        /// The account's address.
        address: MailAddress,
    },
    /// Set the web-login password, read as one line from standard input (AU-1).
    ///
    /// Example: echo 'Correct-Horse-42' | caduceus account password alice.martin@caduceus.test
    Password {
        /// The account's address.
        address: MailAddress,
    },
    /// Make a professional a delegate of an organisational mailbox, or withdraw the
    /// delegation with --remove (ID-3).
    ///
    /// Example: caduceus account delegate cardio@caduceus.test alice.martin@caduceus.test [--remove]
    Delegate {
        /// The organisational mailbox.
        organisation: MailAddress,
        /// The delegate's personal mailbox.
        delegate: MailAddress,
        /// Withdraw the delegation instead.
        #[arg(long)]
        remove: bool,
    },
    /// Register a representative of a patient (ID-7): a parent of a minor until the
    /// child comes of age (`--until`, required), or a legal guardian; `--remove`
    /// withdraws it.
    ///
    /// Example: caduceus account represent 295109912611193@patient.caduceus.test parent@… --capacity parent --evidence family_record --until 2031-05-01T00:00:00Z
    Represent {
        /// The patient's mailbox.
        patient: MailAddress,
        /// The representative's own mailbox.
        representative: MailAddress,
        /// parent or guardian.
        #[arg(long, required_unless_present = "remove")]
        capacity: Option<Capacity>,
        /// family_record, birth_certificate or court_decision.
        #[arg(long, required_unless_present = "remove")]
        evidence: Option<CapacityEvidence>,
        /// When it ends (RFC 3339): a parent's at the child's eighteenth birthday.
        #[arg(long, value_parser = crate::breach::parse_time)]
        until: Option<caduceus_core::Timestamp>,
        /// Withdraw the representative instead.
        #[arg(long)]
        remove: bool,
    },
    /// List accounts.
    List {
        /// Print JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List the professionals' own registrations still waiting (ID-1): referred to a
    /// registration authority (with the reason and what their card or e-CPS said; verify
    /// them with `account verify`), or awaiting their address confirmation. JSON lines.
    ///
    /// Example: caduceus account registrations
    Registrations,
    /// Show one account with its verifications.
    Show {
        /// The account's address.
        address: MailAddress,
    },
    /// Close an account and delete its data for good (RT-2).
    Close {
        /// The account's address.
        address: MailAddress,
        /// Confirm: the account's messages cannot be recovered afterwards.
        #[arg(long)]
        yes: bool,
        /// A patient asked for their data to be deleted: at once, rather than kept
        /// retention.patient_closure_years (RT-2).
        #[arg(long)]
        erase: bool,
    },
    /// Enroll a TOTP second factor and print its secret and otpauth:// URI to hand
    /// to the user (AU-1). Replaces an earlier one.
    ///
    /// Example: caduceus account totp alice.martin@caduceus.test
    Totp {
        /// The account's address.
        address: MailAddress,
    },
    /// Set the contact address: an ordinary e-mail address outside MSSante where
    /// login codes (AU-1), notices (MS-7, TR-4) and inactivity warnings (RT-1) go.
    /// Required before activation; an active account's is replaced, not cleared
    /// (ID-2, 004 §7.1).
    ///
    /// Example: caduceus account contact alice.martin@caduceus.test alice@example.org
    Contact {
        /// The account's address.
        address: MailAddress,
        /// The out-of-band address; omit to clear it (not on an active account).
        email: Option<MailAddress>,
    },
    /// Set the phone number inactivity warnings are also sent to by SMS, through the
    /// operator's `notices.sms_command` (RT-1). Omit the number to remove it.
    ///
    /// Example: caduceus account phone alice.martin@caduceus.test "06 12 34 56 78"
    Phone {
        /// The account's address.
        address: MailAddress,
        /// The number (+33612345678 or 06 12 34 56 78); omit to remove it.
        number: Option<String>,
    },
    /// Turn new-mail notices to the out-of-band address on or off, or show whether
    /// they are on (MS-7). Notices carry a fixed text: no sender, subject or content.
    ///
    /// Example: caduceus account notify alice.martin@caduceus.test on
    Notify {
        /// The account's address.
        address: MailAddress,
        /// `on` or `off`; omit to show the setting.
        #[arg(value_parser = ["on", "off"])]
        state: Option<String>,
    },
    /// Grant or revoke a staff role of the admin console (AC-1): `ra` (registration
    /// authority: verifies and activates accounts), `admin` (accounts, directory
    /// import, alerts), `auditor` (traces and alerts, changes nothing), `security`
    /// (security officer: alerts and incidents), `alerts` (broadcasts health alerts,
    /// MS-15). No role ever reaches message content (AC-2). Without a role: shows the
    /// account's roles and where each applies. A registration authority may be
    /// limited to one structure (--structure), an alert sender to one region
    /// (--region); the other roles are operator-wide (AC-1, seed 000 art. 4).
    ///
    /// Example: caduceus account role alice.martin@caduceus.test ra --structure 1750048886
    Role {
        /// The (professional) account's address.
        address: MailAddress,
        /// `ra`, `admin`, `auditor`, `security` or `alerts` (several at once: the
        /// bootstrap operator grants the first staff member's in one command).
        #[arg(value_parser = ["ra", "admin", "auditor", "security", "alerts"])]
        role: Vec<String>,
        /// Limit the role to one structure, by its FINESS (`1` + 9 characters) or
        /// SIRET (`3` + 14 digits) in prefixed form, as the directory writes it: a
        /// registration authority then manages that structure's accounts only.
        #[arg(long, value_parser = parse_structure, conflicts_with_all = ["region", "revoke"])]
        structure: Option<Scope>,
        /// Limit the role to one region, by its INSEE code (`11` Île-de-France, `84`
        /// Auvergne-Rhône-Alpes, `94` Corse, `04` La Réunion…): an alert sender then
        /// broadcasts to its departments only.
        #[arg(long, value_parser = parse_region, conflicts_with = "revoke")]
        region: Option<Scope>,
        /// Revoke instead of grant.
        #[arg(long)]
        revoke: bool,
    },
    /// Device credentials for mail clients (AU-2): add, list, revoke.
    #[command(subcommand)]
    Device(crate::credentials::DeviceCommand),
    /// Issue a CPS-like client certificate from the development PKI (AU-1); with
    /// --csr, sign the request of a key the user made on their side instead (MS-3).
    ///
    /// Example: caduceus account certificate bruno.durand@caduceus.test --csr bruno.csr > bruno.pem
    Certificate {
        /// The account's address.
        address: MailAddress,
        /// Directory for <address>.pem and <address>.key (default DATA/pki/users).
        #[arg(long)]
        out: Option<PathBuf>,
        /// A PKCS#10 request in PEM (RSA 2048+ or EC P-256 key, made by the user's
        /// client, e.g. `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256`):
        /// the certificate is signed for the account's identity, served by the
        /// directory and printed; the server keeps no key.
        #[arg(long, conflicts_with_all = ["out", "revoke"])]
        csr: Option<PathBuf>,
        /// Revoke the account's development certificate instead (DATA/pki/users/<address>.pem
        /// or the one under --out): it is added to the CRL file the listeners load.
        #[arg(long)]
        revoke: bool,
    },
}

impl AccountCommand {
    /// The staff duty the command needs (AC-1): granting and revoking roles is the
    /// administrator's; the rest (showing roles included) is account management.
    fn duty(&self) -> Duty {
        match self {
            AccountCommand::Role { role, .. } if !role.is_empty() => Duty::GrantRoles,
            _ => Duty::ManageAccounts,
        }
    }
}

/// Runs an account subcommand.
pub async fn run(
    data: &Path,
    console: &caduceus_service::ConsoleLogin,
    command: AccountCommand,
) -> Result<()> {
    let runtime = Runtime::open(Loaded::load(data)?).await?;
    let service = &runtime.service;
    let caller = runtime
        .service
        .console_caller(console, command.duty())
        .await?;
    match command {
        AccountCommand::Add {
            kind,
            id,
            address,
            name,
        } => {
            let identity = RegistryId::parse_for(kind, &id).context("--id")?;
            let account = service
                .register(
                    &caller,
                    Registration {
                        address,
                        kind,
                        identity,
                        display_name: name,
                    },
                )
                .await?;
            println!(
                "{} created ({}), state {}",
                account.address.as_str(),
                account.id,
                account.state
            );
        }
        AccountCommand::Verify {
            address,
            evidence,
            by,
        } => {
            let account = find(&runtime, &address).await?;
            let account = service
                .verify_identity(&caller, account.id, evidence, &by)
                .await?;
            println!(
                "{} verified on {evidence} by {by}",
                account.address.as_str()
            );
        }
        AccountCommand::Activate { address } => {
            let account = find(&runtime, &address).await?;
            service
                .set_state(&caller, account.id, AccountState::Active)
                .await?;
            println!("{} active", address.as_str());
        }
        AccountCommand::Suspend { address } => {
            let account = find(&runtime, &address).await?;
            service
                .set_state(&caller, account.id, AccountState::Suspended)
                .await?;
            println!("{} suspended", address.as_str());
        }
        AccountCommand::Password { address } => {
            let account = find(&runtime, &address).await?;
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from standard input")?;
            let password = SecretString::new(line.trim_end_matches(['\r', '\n']).to_owned());
            service.set_password(&caller, account.id, &password).await?;
            println!("password set for {}", address.as_str());
        }
        AccountCommand::Represent {
            patient,
            representative,
            capacity,
            evidence,
            until,
            remove,
        } => {
            let patient_id = find(&runtime, &patient).await?.id;
            let person = find(&runtime, &representative).await?.id;
            match (capacity, evidence) {
                (Some(capacity), Some(evidence)) if !remove => {
                    let appointment = Appointment {
                        patient: patient_id,
                        representative: person,
                        capacity,
                        evidence,
                        until,
                    };
                    service.add_representative(&caller, appointment).await?;
                    println!(
                        "{} represents the patient ({capacity})",
                        representative.as_str()
                    );
                }
                _ => {
                    service
                        .remove_representative(&caller, patient_id, person)
                        .await?;
                    println!(
                        "{} no longer represents the patient",
                        representative.as_str()
                    );
                }
            }
        }
        AccountCommand::Delegate {
            organisation,
            delegate,
            remove,
        } => {
            let org = find(&runtime, &organisation).await?;
            let person = find(&runtime, &delegate).await?;
            if remove {
                service.remove_delegate(&caller, org.id, person.id).await?;
                println!(
                    "{} is no longer a delegate of {}",
                    delegate.as_str(),
                    organisation.as_str()
                );
            } else {
                service.add_delegate(&caller, org.id, person.id).await?;
                println!(
                    "{} is now a delegate of {}",
                    delegate.as_str(),
                    organisation.as_str()
                );
            }
        }
        AccountCommand::List { json } => {
            for account in service.accounts(&caller).await? {
                if json {
                    println!("{}", account_json(&account));
                } else {
                    println!(
                        "{:<8} {:<12} {:<10} {:<8} {}",
                        account.id.to_string(),
                        account.kind.as_str(),
                        account.state.as_str(),
                        account.identity.registry(),
                        account.address.as_str()
                    );
                }
            }
        }
        AccountCommand::Registrations => {
            for request in service.registration_requests(&caller).await? {
                let account = service.account(request.account).await?;
                let shown = serde_json::json!({
                    "id": request.account.0,
                    "address": account.address.as_str(),
                    "identifier": account.identity.stored_value(),
                    "state": account.state.as_str(),
                    "proof": request.proof.as_str(),
                    "family_name": request.family_name,
                    "given_name": request.given_name,
                    "next": match request.referred {
                        Some(_) => "registration_authority",
                        None => "confirm_address",
                    },
                    "reason": request.referred.map(|r| r.as_str()),
                    "requested": request.requested.to_string(),
                });
                println!("{shown}");
            }
        }
        AccountCommand::Show { address } => {
            let account = find(&runtime, &address).await?;
            let mut shown = account_json(&account);
            let contact = service.contacts(&caller, account.id).await?.email;
            shown["contact"] = contact.map(|c| c.as_str().to_owned()).into();
            println!("{shown}");
            for v in service.verifications(&caller, account.id).await? {
                println!("verified {} on {} by {}", v.at, v.evidence, v.verified_by);
            }
        }
        AccountCommand::Close {
            address,
            yes,
            erase,
        } => {
            if !yes {
                bail!(
                    "closing deletes every message of {} for good; add --yes to confirm",
                    address.as_str()
                );
            }
            let account = find(&runtime, &address).await?;
            let deleted = if erase {
                service.erase_account(&caller, account.id).await?
            } else {
                service.close_account(&caller, account.id).await?
            };
            if deleted {
                println!("{} closed and its data deleted", address.as_str());
            } else {
                println!(
                    "{} closed; its data is deleted for good after the grace period \
                     (retention.closure_grace_days; a patient's: \
                     retention.patient_closure_years, or now with --erase)",
                    address.as_str()
                );
            }
        }
        AccountCommand::Totp { address } => {
            crate::credentials::enroll_totp(&runtime, &caller, &address).await?;
        }
        AccountCommand::Contact { address, email } => {
            crate::credentials::set_contact(&runtime, &caller, &address, email.as_ref()).await?;
        }
        AccountCommand::Phone { address, number } => {
            let phone = number
                .as_deref()
                .map(caduceus_core::PhoneNumber::parse)
                .transpose()?;
            crate::credentials::set_phone(&runtime, &caller, &address, phone.as_ref()).await?;
        }
        AccountCommand::Notify { address, state } => {
            let enabled = state.map(|state| state == "on");
            crate::credentials::new_mail_notice(&runtime, &caller, &address, enabled).await?;
        }
        AccountCommand::Device(command) => {
            crate::credentials::device(&runtime, &caller, command).await?;
        }
        AccountCommand::Role {
            address,
            role,
            structure,
            region,
            revoke,
        } => {
            let account = find(&runtime, &address).await?;
            let scope = structure.or(region).unwrap_or_default();
            for code in role {
                let role = caduceus_core::Role::parse(&code).context("unknown role")?;
                runtime
                    .service
                    .set_staff_grant(&caller, account.id, role, scope.clone(), !revoke)
                    .await?;
            }
            let roles: Vec<String> = runtime
                .service
                .staff_grants(account.id)
                .await?
                .iter()
                .map(|(role, scope)| match scope {
                    Scope::Operator => role.to_string(),
                    scope => format!("{role} ({scope})"),
                })
                .collect();
            println!(
                "{}: {}",
                address.as_str(),
                if roles.is_empty() {
                    "no role".to_owned()
                } else {
                    roles.join(", ")
                }
            );
        }
        AccountCommand::Certificate {
            address,
            csr: Some(csr),
            ..
        } => {
            let account = find(&runtime, &address).await?;
            let request = std::fs::read_to_string(&csr)
                .with_context(|| format!("reading {}", csr.display()))?;
            let pem = service
                .request_certificate(&caller, account.id, &request)
                .await?;
            print!("{pem}");
        }
        AccountCommand::Certificate {
            address,
            out,
            revoke: true,
            ..
        } => {
            let dir = out.unwrap_or_else(|| runtime.loaded.data_dir.join("pki").join("users"));
            let pki = DevPki::open(&runtime.loaded.data_dir.join("pki"))?;
            let crl = pki.revoke(&dir.join(format!("{}.pem", address.as_str())))?;
            println!(
                "certificate of {} revoked; CRL {}",
                address.as_str(),
                crl.display()
            );
            eprintln!("restart `caduceus serve` to load the new CRL");
        }
        AccountCommand::Certificate { address, out, .. } => {
            let account = find(&runtime, &address).await?;
            let issued = issue_certificate(&runtime, &account, out.as_deref())?;
            println!("{}\n{}", issued.0.display(), issued.1.display());
        }
    }
    runtime.store.close().await;
    Ok(())
}

/// The account at `address`, or an error naming it.
pub async fn find(runtime: &Runtime, address: &MailAddress) -> Result<Account> {
    runtime
        .service
        .account_by_address(address)
        .await?
        .with_context(|| format!("no account {}", address.as_str()))
}

fn account_json(account: &Account) -> serde_json::Value {
    serde_json::json!({
        "id": account.id.0,
        "address": account.address.as_str(),
        "kind": account.kind,
        "state": account.state,
        "registry": account.identity.registry(),
        // ID-1: the identifier the account keeps; a patient's is their address.
        "identifier": account.identity.national().map(ToString::to_string),
        "name": account.display_name,
        "created": account.created.to_string(),
    })
}

/// Issues a development client certificate carrying the account's national
/// identifier in its subject (AU-1); returns the certificate and key paths.
pub fn issue_certificate(
    runtime: &Runtime,
    account: &Account,
    out: Option<&Path>,
) -> Result<(PathBuf, PathBuf)> {
    let RegistryId::National(national) = &account.identity else {
        bail!(
            "patients authenticate with a password and a second factor, not a CPS-like certificate"
        );
    };
    let pki = DevPki::open(&runtime.loaded.data_dir.join("pki"))?;
    let out = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| runtime.loaded.data_dir.join("pki").join("users"));
    std::fs::create_dir_all(&out)?;
    let (given, family) = account
        .display_name
        .split_once(' ')
        .unwrap_or(("", &account.display_name));
    let issued = pki.issue_user(
        &national.to_string(),
        given,
        family,
        Some(account.address.as_str()),
        &out,
        account.address.as_str(),
    )?;
    Ok((issued.cert_path, issued.key_path))
}

/// `--structure`: a structure's FINESS or SIRET in prefixed form.
fn parse_structure(text: &str) -> std::result::Result<Scope, String> {
    Scope::structure(text).map_err(|e| e.to_string())
}

/// `--region`: a region's INSEE code.
fn parse_region(text: &str) -> std::result::Result<Scope, String> {
    Scope::region(text).map_err(|e| e.to_string())
}
