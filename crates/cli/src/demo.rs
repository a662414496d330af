//! The demo seed (`caduceus init --demo`): ready-to-use accounts and `DATA/demo.json`,
//! so a newcomer or a script tries the system in one minute.
//!
//! Accounts: two professionals (RPPS), an organisational mailbox (FINESS) with the
//! first professional as delegate, and a patient (INS). All verified by a demo
//! registration authority, given a contact address at `example.org` (ID-2) and
//! active, with random strong passwords; professionals get a CPS-like certificate
//! from the development PKI for a key their client made (`DATA/demo-clients/`,
//! apart from what the server keeps), signed from its request (MS-3): it logs in
//! (AU-1) and signs and encrypts mail (`smime_certificate`, `smime_key`).

use anyhow::Result;
use caduceus_core::directory::synthetic;
use caduceus_core::{AccountKind, Domain, Evidence, MailAddress, RegistryId, SecretString};
use caduceus_service::accounts::Registration;
use caduceus_service::auth::Credentials;
use caduceus_service::{Caller, Service};
use caduceus_store::Account;
use rand::Rng;
use serde_json::{Value, json};

use crate::config::Loaded;
use crate::runtime::Runtime;

/// One demo account: local part (none for the patient), kind, identifier, name.
const ACCOUNTS: [(Option<&str>, AccountKind, &str, &str); 4] = [
    (
        Some("alice.martin"),
        AccountKind::Professional,
        "810003090833",
        "Alice Martin",
    ),
    (
        Some("bruno.durand"),
        AccountKind::Professional,
        "810000000009",
        "Bruno Durand",
    ),
    (
        Some("secretariat.cardiologie"),
        AccountKind::Organisation,
        "1750048886",
        "Secrétariat de cardiologie",
    ),
    (
        None,
        AccountKind::Patient,
        "295109912611193",
        "Camille Patient",
    ),
];

/// A random password that satisfies the policy: four classes, 20 characters.
fn demo_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let body: String = (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{body}-a7Z")
}

/// Enrolls TOTP for a demo user, logs in with password and the current code (a
/// strong login, AU-1) and issues a device credential for a mail client (AU-2).
/// Returns the base32 TOTP secret and the credential. The code of the current
/// 30-second step is thereby used: a client logging in within the same step must
/// use the next step's code (accepted, within the one-step tolerance).
async fn second_factor_and_device(
    service: &Service,
    caller: &Caller,
    account: &Account,
    password: &str,
) -> Result<(String, String)> {
    let enrollment = service.enroll_totp(caller, account.id).await?;
    let totp = totp_rs::TOTP::from_url(enrollment.uri.expose())?;
    let code = totp.generate_current()?;
    let login = service
        .login(
            &account.address,
            Credentials::PasswordTotp {
                password: &SecretString::new(password.to_owned()),
                code: &code,
            },
            "cli",
        )
        .await?;
    let issued = service.add_device(&login, "demo mail client").await?;
    Ok((
        enrollment.secret_base32.expose().clone(),
        issued.credential.expose().clone(),
    ))
}

/// Imports a synthetic national directory for the operator's domain, whose first
/// entries are the demo professionals and the organisational mailbox (ID-4).
async fn import_directory(service: &Service, caller: &Caller, domain: &Domain) -> Result<()> {
    let lines = |it: &mut dyn Iterator<Item = String>| it.map(|l| l + "\n").collect::<String>();
    let people = lines(&mut synthetic::person_activity_extract(
        synthetic::DEMO_SEED,
        synthetic::DEMO_ACTIVITY_LINES,
    ));
    let mailboxes = lines(&mut synthetic::mailbox_extract(
        synthetic::DEMO_SEED,
        synthetic::DEMO_MAILBOXES,
        domain,
    ));
    let people = service.import_people(caller, &people).await?;
    let mailboxes = service.import_mailboxes(caller, &mailboxes).await?;
    eprintln!(
        "demo directory imported: {} practice activities, {} mailboxes",
        people.added, mailboxes.added
    );
    Ok(())
}

/// Creates the demo accounts and writes `demo.json`.
pub async fn seed(loaded: Loaded) -> Result<()> {
    let runtime = Runtime::open(loaded).await?;
    let service = &runtime.service;
    let caller = crate::console::bootstrap(service, "demo-seed").await?;
    let domain = runtime.loaded.domain();
    let mut created: Vec<(Account, String, serde_json::Map<String, Value>)> = Vec::new();
    for (local, kind, id, name) in ACCOUNTS {
        let identity = RegistryId::parse_for(kind, id)?;
        let address = local
            .map(|l| MailAddress::parse(&format!("{l}@{}", domain.as_str())))
            .transpose()?;
        let account = service
            .register(
                &caller,
                Registration {
                    address,
                    kind,
                    identity,
                    display_name: name.into(),
                },
            )
            .await?;
        let evidence = match kind {
            AccountKind::Professional => Evidence::CpsCard,
            AccountKind::Patient => Evidence::IdentityDocument,
            _ => Evidence::RegistryMatch,
        };
        service
            .verify_identity(&caller, account.id, evidence, "demo registration authority")
            .await?;
        // Activation needs an ordinary address outside the trust space (ID-2, 004 §7.1);
        // the organisational mailbox's is its structure's.
        let contact = format!("{}@example.org", local.unwrap_or("camille.patient"));
        service
            .set_contact_email(&caller, account.id, Some(&MailAddress::parse(&contact)?))
            .await?;
        // Demo holders are present: the patient accepts their mailbox at the counter
        // rather than after six weeks' announcement (ID-5), traced as such.
        service.open_in_person(&caller, account.id).await?;
        let password = demo_password();
        service
            .set_password(&caller, account.id, &SecretString::new(password.clone()))
            .await?;
        let mut extra = serde_json::Map::new();
        if matches!(kind, AccountKind::Professional | AccountKind::Patient) {
            let (totp_secret, device) =
                second_factor_and_device(service, &caller, &account, &password).await?;
            extra.insert("totp_secret".into(), Value::from(totp_secret));
            extra.insert("device_credential".into(), Value::from(device));
        }
        created.push((account, password, extra));
    }
    import_directory(service, &caller, &domain).await?;
    let (alice, org) = (&created[0].0, &created[2].0);
    service.add_delegate(&caller, org.id, alice.id).await?;

    let mut accounts = Vec::new();
    for (account, password, extra) in &created {
        let mut entry = json!({
            "address": account.address.as_str(),
            "kind": account.kind,
            "password": password,
        });
        entry
            .as_object_mut()
            .expect("an object")
            .extend(extra.clone());
        if account.kind == AccountKind::Professional {
            // The user's client makes the key pair, in its own place; the CA signs its
            // request (MS-3). One certificate logs in (AU-1) and signs and encrypts mail.
            let clients = runtime.loaded.data_dir.join("demo-clients");
            let key = clients.join(format!("{}.key", account.address.as_str()));
            let request = caduceus_pki::client_key_and_request(&key)?;
            service
                .request_certificate(&caller, account.id, &request)
                .await?;
            let cert = runtime.loaded.data_dir.join("pki/users");
            let cert = cert.join(format!("{}.pem", account.address.as_str()));
            for (field, path) in [("certificate", &cert), ("key", &key)] {
                entry[field] = Value::from(path.display().to_string());
                entry[format!("smime_{field}")] = Value::from(path.display().to_string());
            }
        }
        if account.kind == AccountKind::Organisation {
            entry["delegates"] = json!([alice.address.as_str()]);
        }
        accounts.push(entry);
    }
    let data_dir = &runtime.loaded.data_dir;
    let demo = json!({
        "listeners": {
            "https": runtime.loaded.config.listeners.https.to_string(),
            "submission": runtime.loaded.config.listeners.submission.to_string(),
            "submissions": runtime.loaded.config.listeners.submissions.to_string(),
            "relay": runtime.loaded.config.listeners.relay.to_string(),
            "imap": runtime.loaded.config.listeners.imap.to_string(),
            "imaps": runtime.loaded.config.listeners.imaps.to_string(),
            "ldap": runtime.loaded.config.listeners.ldap.to_string(),
            "ldaps": runtime.loaded.config.listeners.ldaps.to_string(),
        },
        "ldap_base_dn": caduceus_ldap::names::Names::new(&domain).base(),
        "accounts": accounts,
        "ca_certificate": data_dir.join(&runtime.loaded.config.tls.client_ca).display().to_string(),
    });
    let path = data_dir.join("demo.json");
    write_private(&path, &serde_json::to_vec_pretty(&demo)?)?;
    runtime.store.close().await;
    eprintln!("demo accounts created; credentials in {}", path.display());
    Ok(())
}

/// demo.json holds passwords: readable by its owner only.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)?;
    Ok(())
}
