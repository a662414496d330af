//! The shared test world: a service over a real SQLite store in a temporary
//! directory, a manual clock, and the notices it sent.
#![allow(dead_code)]

use caduceus_service::actor::testing;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use caduceus_audit::TraceSigner;
use caduceus_core::{
    AccountKind, Domain, Evidence, MailAddress, ManualClock, NationalId, RegistryId, Timestamp,
};
use caduceus_service::accounts::Registration;
use caduceus_service::notify::{Notice, Notifier};
use caduceus_service::{Caller, Service, ServiceConfig};
use caduceus_store::{Account, MasterKey, SqlStore, Store, StoreConfig};

/// Keeps the notices the service sends, as an outbound mail relay would receive them.
#[derive(Default)]
pub struct Outbox {
    /// Login codes: (out-of-band address, code).
    pub codes: Mutex<Vec<(String, String)>>,
    /// New-mail notices (MS-7): the out-of-band address of each.
    pub new_mail: Mutex<Vec<String>>,
    /// First-access notices (TR-4): the out-of-band address of each.
    pub first_access: Mutex<Vec<String>>,
    /// Inactivity warnings (RT-1): address (or phone number, by SMS), days left,
    /// objection token.
    pub inactivity: Mutex<Vec<(String, u32, String)>>,
    /// Incidents (TR-3): the security contact and the kind.
    pub incidents: Mutex<Vec<(String, String)>>,
    /// Breach notices (TR-6): the out-of-band address of each.
    pub breaches: Mutex<Vec<String>>,
    /// Self-registration confirmation links (ID-1): address, token.
    pub registrations: Mutex<Vec<(String, String)>>,
    /// Patient mailbox announcements (ID-5): address, opening date, link token.
    pub announcements: Mutex<Vec<(String, caduceus_core::Timestamp, String)>>,
    /// Codes confirming a new contact (AU-1): the new address or number, the code.
    pub contact_codes: Mutex<Vec<(String, String)>>,
    /// Notices to a replaced contact address (AU-1): the former address, the new one
    /// masked.
    pub replaced: Mutex<Vec<(String, String)>>,
    /// When set, the relay and the SMS gateway refuse everything (a channel down).
    pub down: std::sync::atomic::AtomicBool,
}

impl Outbox {
    fn warned(&self, to: &str, days_left: u32, token: &caduceus_core::SecretString) {
        let warning = (to.to_owned(), days_left, token.expose().clone());
        self.inactivity.lock().unwrap().push(warning);
    }
}

#[async_trait]
impl Notifier for Outbox {
    async fn send(&self, notice: Notice) -> Result<(), String> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err("connection refused".into());
        }
        match notice {
            Notice::LoginCode { to, code, .. } => self
                .codes
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), code.expose().clone())),
            Notice::LoginCodeSms { to, code, .. } => self
                .codes
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), code.expose().clone())),
            Notice::ContactCode { to, code, .. } => self
                .contact_codes
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), code.expose().clone())),
            Notice::ContactCodeSms { to, code, .. } => self
                .contact_codes
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), code.expose().clone())),
            Notice::ContactReplaced { to, masked, .. } => self
                .replaced
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), masked)),
            Notice::NewMail { to } => self.new_mail.lock().unwrap().push(to.as_str().to_owned()),
            Notice::InactivityWarning {
                to,
                days_left,
                token,
            } => self.warned(to.as_str(), days_left, &token),
            Notice::InactivitySms {
                to,
                days_left,
                token,
            } => self.warned(to.as_str(), days_left, &token),
            Notice::Incident { to, kind } => self
                .incidents
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), kind.to_owned())),
            Notice::FirstAccess { to } => self
                .first_access
                .lock()
                .unwrap()
                .push(to.as_str().to_owned()),
            Notice::Breach { to } => self.breaches.lock().unwrap().push(to.as_str().to_owned()),
            Notice::RegistrationConfirmation { to, token, .. } => self
                .registrations
                .lock()
                .unwrap()
                .push((to.as_str().to_owned(), token.expose().clone())),
            Notice::PatientAnnouncement { to, opens, token } => {
                let announced = (to.as_str().to_owned(), opens, token.expose().clone());
                self.announcements.lock().unwrap().push(announced)
            }
        }
        Ok(())
    }
}

pub struct World {
    pub outbox: Arc<Outbox>,
    pub service: Service,
    pub store: Arc<SqlStore>,
    pub signer: Arc<TraceSigner>,
    pub clock: ManualClock,
    pub _dir: tempfile::TempDir,
}

pub const RAW: &[u8] = b"From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: Bilan Mme Zorglub\r\n\r\nConfidential body\r\n";

pub async fn world() -> World {
    world_configured(|_| {}).await
}

/// [`world`] accepting messages of up to `max_message_size` bytes.
pub async fn world_with(max_message_size: usize) -> World {
    world_configured(|config| config.max_message_size = max_message_size).await
}

/// [`world`] with its service settings changed by `tweak`.
pub async fn world_configured(tweak: impl FnOnce(&mut ServiceConfig)) -> World {
    let dir = tempfile::tempdir().unwrap();
    let signer = Arc::new(TraceSigner::generate());
    let store = Arc::new(
        SqlStore::open(
            &StoreConfig::Sqlite {
                data_dir: dir.path().into(),
            },
            MasterKey::generate(),
            signer.clone(),
            100,
        )
        .await
        .unwrap(),
    );
    let clock = ManualClock::new(Timestamp::from_millis(1_790_000_000_000));
    let outbox = Arc::new(Outbox::default());
    let mut config = ServiceConfig {
        domain: Domain::parse("caduceus.test").unwrap(),
        max_message_size: 10_000,
        max_recipients: 3,
        trace_retention_days: 365,
        retry: caduceus_core::RetryPolicy::default(),
        account_rate: None,
        peer_rate: None,
        new_mail_quiet: std::time::Duration::from_secs(15 * 60),
        mailbox_quota: None,
        flag_relayed_subjects: true,
        unlisted_recipients_after: None,
        card_only: None,
        patient_retention: std::time::Duration::ZERO,
        patient_announcement: caduceus_core::announcement::DEFAULT_PERIOD,
        inactivity: None,
        incident_thresholds: caduceus_core::incidents::Thresholds::default(),
        security_contact: None,
        terms: None,
        closure_grace: std::time::Duration::ZERO,
    };
    tweak(&mut config);
    let service =
        Service::new(store.clone(), Arc::new(clock.clone()), config).with_notifier(outbox.clone());
    World {
        outbox: outbox.clone(),
        service,
        store,
        signer,
        clock,
        _dir: dir,
    }
}

/// The account's own user types the last code sent to confirm a new contact (AU-1).
pub async fn confirm_last_contact_code(w: &World, caller: &Caller, account: &Account) {
    let code = w
        .outbox
        .contact_codes
        .lock()
        .unwrap()
        .last()
        .unwrap()
        .1
        .clone();
    w.service
        .confirm_contact(caller, account.id, &code)
        .await
        .unwrap();
}

pub fn op() -> Caller {
    caduceus_service::actor::testing::operator("ra-test")
}

pub fn addr(s: &str) -> MailAddress {
    MailAddress::parse(s).unwrap()
}

pub async fn person(w: &World, local: &str, id: &str, active: bool) -> Account {
    let account = w
        .service
        .register(
            &op(),
            Registration {
                address: Some(addr(&format!("{local}@caduceus.test"))),
                kind: AccountKind::Professional,
                identity: RegistryId::National(NationalId::parse(id).unwrap()),
                display_name: format!("Dr {local}"),
            },
        )
        .await
        .unwrap();
    if active {
        verify_and_activate(w, &account, Evidence::CpsCard).await;
    }
    w.service.account(account.id).await.unwrap()
}

/// The contact address the helpers record before activating (ID-2, 004 §7.1):
/// `<local part>@contact.example`.
pub fn contact_of(account: &Account) -> MailAddress {
    let (local, _) = account.address.as_str().split_once('@').unwrap();
    addr(&format!("{local}@contact.example"))
}

/// What a registration authority does before an account may be used (ID-2).
pub async fn verify_and_activate(w: &World, account: &Account, evidence: Evidence) {
    let service = &w.service;
    service
        .verify_identity(&op(), account.id, evidence, "RA Test")
        .await
        .unwrap();
    let contact = contact_of(account);
    service
        .set_contact_email(&op(), account.id, Some(&contact))
        .await
        .unwrap();
    // The holder present: a patient accepts their mailbox at the counter (ID-5).
    service.open_in_person(&op(), account.id).await.unwrap();
}

pub async fn actions(w: &World) -> Vec<String> {
    w.store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// An active organisational mailbox `<local>@caduceus.test` of FINESS 750048886 (ID-3).
pub async fn organisation(w: &World, local: &str) -> Account {
    let org = w
        .service
        .register(
            &op(),
            Registration {
                address: Some(addr(&format!("{local}@caduceus.test"))),
                kind: AccountKind::Organisation,
                identity: RegistryId::National(NationalId::parse("1750048886").unwrap()),
                display_name: local.into(),
            },
        )
        .await
        .unwrap();
    verify_and_activate(w, &org, Evidence::RegistryMatch).await;
    w.service.account(org.id).await.unwrap()
}

/// An active patient account `<ins>@patient.caduceus.test` (ID-5).
pub async fn patient(w: &World, ins: &str, display_name: &str) -> Account {
    let account = w
        .service
        .register(
            &op(),
            Registration {
                address: None,
                kind: AccountKind::Patient,
                identity: RegistryId::Patient(caduceus_core::Ins::parse(ins).unwrap()),
                display_name: display_name.into(),
            },
        )
        .await
        .unwrap();
    verify_and_activate(w, &account, Evidence::IdentityDocument).await;
    w.service.account(account.id).await.unwrap()
}

/// A password + TOTP login of `account`, as on the web (AU-1): a strong login.
pub async fn strong_login(w: &World, account: &Account) -> caduceus_service::auth::Authenticated {
    let password = caduceus_core::SecretString::new("Correct-Horse-42!".into());
    w.service
        .set_password(&op(), account.id, &password)
        .await
        .unwrap();
    let enrollment = w.service.enroll_totp(&op(), account.id).await.unwrap();
    let totp = totp_rs::TOTP::from_url(enrollment.uri.expose()).unwrap();
    let now = caduceus_core::Clock::now(&w.clock).as_millis() as u64 / 1000;
    w.service
        .login(
            &account.address,
            caduceus_service::auth::Credentials::PasswordTotp {
                password: &password,
                code: &totp.generate(now),
            },
            "web",
        )
        .await
        .unwrap()
}

/// A new active professional `local`, logged in strongly (AU-1).
pub async fn strong(w: &World, local: &str, id: &str) -> caduceus_service::auth::Authenticated {
    let account = person(w, local, id, true).await;
    strong_login(w, &account).await
}

/// The raw messages of `owner`'s INBOX, read as the owner (each read traced).
pub async fn inbox_raws(w: &World, owner: &Account) -> Vec<String> {
    let caller = testing::account(owner.id, "test");
    let access = w.service.authorize(&caller, owner.id).await.unwrap();
    let (_, messages) = w.service.open_folder(&access, "INBOX").await.unwrap();
    let mut raws = Vec::new();
    for m in messages {
        let read = w.service.read_message(&access, m.id).await.unwrap();
        raws.push(String::from_utf8_lossy(&read.raw).into_owned());
    }
    raws
}
