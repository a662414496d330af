//! The authorization matrix (AC-1, AC-2, ID-2, ID-3, MS-2, MS-9, MS-10, MS-15, MS-17,
//! TR-1, TR-4, AU-2; `caduceus_core::authz`): every cell — an operation on someone's
//! data × a kind of caller — is driven through each interface that offers it (the JSON
//! API, the webmail and the admin console over HTTPS with Python's http.client, IMAP
//! with imaplib, SMTP submission with smtplib, the LDAP directory with the testkit's
//! client, and the service's use cases) and must
//! give the outcome the table says, leave the stored copies as it says, show a
//! message's content only when allowed, and change anything (deliver, revoke, block,
//! forward, move an account on, broadcast) only when allowed; each denial must leave a
//! trace where the interface can name the other's data. One Python process per
//! interface answers the cells one by one.

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::authz::{self, Expected, Interface, Operation, Party, Reach};
use caduceus_core::{AccountKind, AccountState, Duty, Evidence, Ins, NationalId, RegistryId, Role};
use caduceus_service::actor::testing;
use caduceus_service::auth::Authenticated;
use caduceus_store::{
    Account, AccountId, Delivered, DeviceId, MailboxId, MessageId, PasskeyId, PasskeyStore as _,
    Store as _,
};
use caduceus_testkit::*;
use client::Client;
use common::*;

#[path = "matrix/api.rs"]
mod api;
#[path = "matrix/client.rs"]
mod client;
mod common;
#[path = "matrix/effects.rs"]
mod effects;
#[path = "matrix/imap.rs"]
mod imap;
#[path = "matrix/ldap.rs"]
mod ldap;
#[path = "matrix/prepare.rs"]
mod prepare;
#[path = "matrix/service.rs"]
mod service;
#[path = "matrix/smtp.rs"]
mod smtp;
#[path = "matrix/webmail.rs"]
mod webmail;

const INS: &str = "295109912611193";
const OTHER_INS: &str = "184127645108946";
/// The flags a flagging cell sets: `\\Flagged`, or the webmail's personal marking
/// (MS-14).
const MARKS: [&str; 2] = ["\\Flagged", caduceus_core::personal::PERSONAL_KEYWORD];
/// Where the sending cells send: the owner, who wrote to the patient first (MS-8).
const RECIPIENT: &str = "olga@caduceus.test";
/// Whom the blocking cells block (MS-10), and where the forwarding cells forward
/// (MS-17).
const RITA: &str = "rita@caduceus.test";
/// The folder the move cells move to (every mailbox has one, MS-6).
const ARCHIVE: &str = "Archive";
/// Where the delivery-status cells' messages went: a professional at another
/// operator of the trust space, listed in the directory, never reached (no relay
/// worker runs), so each stays queued (MS-16).
const REMOTE: &str = "bruno.durand@autre.test";
/// The contact address the notices cells give the owner (MS-7, ID-2).
const CONTACT: &str = "olga@contact.example";
/// The code the contact-confirmation cells type: the one prepared for the owner's
/// pending change of address to [`CONTACT`] (AU-1).
const CONTACT_CODE: &str = "424242";

/// Someone the matrix tries, with their credentials: a web session token (API), a
/// device credential (IMAP, SMTP) and the login itself (the service's sending), all
/// from one strong login; or, for the applicative account, its client certificate
/// (API, SMTP `AUTH EXTERNAL`) and the login it gives (AU-1).
struct Person {
    party: Party,
    account: Account,
    login: Authenticated,
    token: String,
    device: String,
    /// The client certificate and key files, for a certificate-only account.
    certificate: Option<[String; 2]>,
}

impl Person {
    fn address(&self) -> String {
        self.account.address.as_str().to_owned()
    }
}

struct Cast {
    w: World,
    cardio: Account,
    owner: Account,
    people: Vec<Person>,
}

impl Cast {
    fn person(&self, party: Party) -> Option<&Person> {
        self.people.iter().find(|p| p.party == party)
    }
    fn account(&self, party: Party) -> &Account {
        &self.person(party).unwrap().account
    }

    /// Where the development CA keeps the certificate it signs for the owner (MS-3).
    fn certificate_file(&self) -> std::path::PathBuf {
        let name = format!("{}.pem", self.owner.address.as_str());
        self.w.pki.dir().join("users").join(name)
    }

    /// The address a sending cell sends as (envelope sender and `From:`).
    fn sent_as(&self, cell: &Cell) -> String {
        match cell.operation {
            Operation::SendAsOrganisation => self.cardio.address.as_str().to_owned(),
            Operation::SendAsOther => self.account(Party::Recorder).address.as_str().to_owned(),
            // Nobody logged in has no self: the address claimed is the recipient's.
            _ => self
                .person(cell.party)
                .map_or(RECIPIENT.to_owned(), Person::address),
        }
    }

    /// The session of a cell at a front end that keeps sessions (IMAP, SMTP, LDAP),
    /// and who is logged in there: one session per cell for those whose session ends
    /// (suspended, closed) or never starts (anonymous: no user), one per party else.
    fn session(&self, cell: &Cell) -> (String, Option<&Person>) {
        match (cell.party, self.person(cell.party)) {
            (Party::Anonymous, _) | (_, None) => (cell.label.clone(), None),
            (Party::Suspended | Party::Closed, person) => (cell.label.clone(), person),
            (party, person) => (format!("{party:?}"), person),
        }
    }

    /// The start of a step at IMAP or SMTP: the cell's label, its session, and the
    /// session's user and device credential.
    fn session_step(&self, cell: &Cell) -> serde_json::Value {
        let (session, person) = self.session(cell);
        let mut step = opening(&session, person);
        step["label"] = cell.label.clone().into();
        step
    }

    /// How many of what `operation` adds there are: messages the recipient of the
    /// sending cells received, copies in the owner's and cardio's archives, the
    /// owner's devices, health alerts broadcast; none else.
    async fn count(&self, operation: Operation) -> usize {
        let store = &self.w.store;
        let messages = async |account, folder| {
            let found = store.mailbox(account, folder).await.unwrap();
            store.messages(found.unwrap().id).await.unwrap().len()
        };
        match (operation.reaches(), operation) {
            (Reach::Sending, _) => messages(self.owner.id, "INBOX").await,
            (_, Operation::CopyMessage) => {
                messages(self.owner.id, ARCHIVE).await + messages(self.cardio.id, ARCHIVE).await
            }
            (_, Operation::AddDevice) => store.devices(self.owner.id).await.unwrap().len(),
            (_, Operation::SaveDraft) => {
                messages(self.owner.id, "Drafts").await + messages(self.cardio.id, "Drafts").await
            }
            (_, Operation::RequestCorrection) => {
                let requests = store.correction_requests(Some(self.owner.id)).await;
                requests.unwrap().len()
            }
            (_, Operation::RecordBreach) => store.breaches().await.unwrap().len(),
            (_, Operation::BroadcastAlert) => store.broadcasts(1000).await.unwrap().len(),
            _ => 0,
        }
    }
}

/// A passkey of the owner's, stored as a registration would keep it (the matrix has
/// no authenticator; the browser test registers real ones), for cell `n`.
async fn passkey_of(cast: &Cast, n: usize) -> PasskeyId {
    let credential_id = format!("cell-{n}").into_bytes();
    let new = caduceus_store::NewPasskey {
        account: cast.owner.id,
        name: "cell",
        kind: caduceus_core::passkey::PasskeyKind::Passkey,
        credential_id: &credential_id,
        credential: "{}",
        at: caduceus_core::Timestamp::from_millis(0),
    };
    let event = caduceus_audit::Event::new(
        0,
        caduceus_audit::Who::System,
        caduceus_audit::Action::PasskeyAdd,
        caduceus_audit::Object::of(cast.owner.id),
    );
    cast.w.store.add_passkey(&new, &event).await.unwrap().id
}

/// A step that only opens `session` at IMAP or SMTP, logged in as `person` (none:
/// never logged in).
fn opening(session: &str, person: Option<&Person>) -> serde_json::Value {
    serde_json::json!({
        "label": "open",
        "session": session,
        "user": person.map_or(String::new(), Person::address),
        "secret": person.map_or("", |p| &p.device),
        "certificate": person.and_then(|p| p.certificate.clone()),
    })
}

/// A message from `from` to the recipient of the sending cells, subject `marker`.
fn letter(from: &str, marker: &str) -> Vec<u8> {
    format!("From: {from}\r\nTo: {RECIPIENT}\r\nSubject: {marker}\r\n\r\nBonjour.\r\n").into_bytes()
}

/// A mailbox extract listing the owner, Olga Matrix (the demo extract's first line,
/// renamed), and the remote professional of the delivery-status cells (its second,
/// moved to another operator).
fn owner_entry() -> String {
    let demo =
        include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
    let mut lines = demo.lines();
    let header = lines.next().unwrap();
    let alice = lines.next().unwrap();
    let olga = alice
        .replacen("alice.martin@caduceus.test", RECIPIENT, 1)
        .replacen("|Martin|Alice|", "|Matrix|Olga|", 1);
    let bruno = lines.next().unwrap();
    let remote = bruno.replacen("bruno.durand@caduceus.test", REMOTE, 1);
    format!("{header}\n{olga}\n{remote}\n")
}

/// An active applicative account (an automaton's mailbox, structure identity) with
/// its client certificate; it has no password, session nor device (AU-1).
async fn applicative(w: &World) -> Person {
    let finess = "1750010001";
    let registration = caduceus_service::accounts::Registration {
        address: Some(addr("robot@caduceus.test")),
        kind: AccountKind::Applicative,
        identity: RegistryId::parse_for(AccountKind::Applicative, finess).unwrap(),
        display_name: "Robot".into(),
    };
    let account = w.service.register(&op(), registration).await.unwrap();
    activate(w, &account, Evidence::RegistryMatch).await;
    let issued = user_cert(w, finess, "robot");
    let national = NationalId::parse(finess).unwrap();
    let login = w.service.login_certificate(&national, None, "matrix");
    let path = |p: &std::path::Path| p.display().to_string();
    Person {
        party: Party::Applicative,
        account,
        login: login.await.unwrap(),
        token: String::new(),
        device: String::new(),
        certificate: Some([path(&issued.cert_path), path(&issued.key_path)]),
    }
}

/// `account` as `party`, after a strong login: its web session and a device
/// credential.
async fn person(w: &World, party: Party, account: Account) -> Person {
    let strong = strong_login(w, &account).await;
    let token = w.service.open_session(&strong).await.unwrap();
    let device = w.service.add_device(&strong, "matrix").await.unwrap();
    Person {
        party,
        account,
        login: strong,
        token: token.expose().clone(),
        device: device.credential.expose().clone(),
        certificate: None,
    }
}

async fn cast() -> Cast {
    let mut w = world().await;
    // Notices go out (a patient's announcement needs its notice sent, ID-5).
    w.service = w.service.clone().with_notifier(Arc::new(AcceptingNotifier));
    // Passkeys offered (AU-1, MS-18): their cells begin real ceremonies.
    let relying = caduceus_service::auth::Relying::new("localhost").unwrap();
    w.service = w.service.clone().with_passkeys(relying);
    // Another operator to send to (MS-16's delivery status).
    let trust = prepare::trust_list(w.dir.path());
    w.service = w.service.clone().with_trust_list(Arc::new(trust));
    let olga = professional(&w, "olga", &rpps(7), true).await;
    let dan = professional(&w, "dan", &rpps(1), true).await;
    let eve = professional(&w, "eve", &rpps(2), true).await;
    let bob = professional(&w, "bob", &rpps(3), true).await;
    let rita = professional(&w, "rita", &rpps(4), true).await;
    let sam = professional(&w, "sam", &rpps(5), true).await;
    let carl = professional(&w, "carl", &rpps(8), true).await;
    let camille = patient(&w, INS, "Camille Durand").await;
    let jean = patient(&w, OTHER_INS, "Jean Petit").await;
    let cardio = organisation(&w, "cardio", &dan).await;
    // The owner is listed in the directory (ID-4).
    w.service
        .import_mailboxes(&op(), &owner_entry())
        .await
        .unwrap();
    for delegate in [&eve, &sam] {
        w.service
            .add_delegate(&op(), cardio.id, delegate.id)
            .await
            .unwrap();
    }
    w.service
        .remove_delegate(&op(), cardio.id, eve.id)
        .await
        .unwrap();
    // One staff member per role, holding that role only.
    let mut staff = Vec::new();
    for (n, role) in (0..).zip(Role::ALL) {
        let member = professional(&w, &format!("staff{n}"), &rpps(20 + n), true).await;
        w.service
            .set_staff_role(&op(), member.id, role, true)
            .await
            .unwrap();
        staff.push((Party::Staff(role), member));
    }
    let mut people = Vec::new();
    let cast = [
        (Party::Owner, olga.clone()),
        (Party::Delegate, dan),
        (Party::RemovedDelegate, eve),
        (Party::OtherProfessional, bob),
        (Party::Recorder, rita),
        (Party::Suspended, sam),
        (Party::Closed, carl),
        (Party::Patient, camille),
        (Party::OtherPatient, jean),
    ];
    for (party, account) in cast.into_iter().chain(staff) {
        people.push(person(&w, party, account).await);
    }
    people.push(applicative(&w).await);
    // The owner writes to the patient first, so that the patient may answer (MS-8).
    let owner = &people[0];
    let sender = w
        .service
        .sender(&owner.login, &owner.account.address)
        .await
        .unwrap();
    let to = people
        .iter()
        .find(|p| p.party == Party::Patient)
        .unwrap()
        .account
        .address
        .clone();
    let raw = format!(
        "From: {RECIPIENT}\r\nTo: {}\r\nSubject: Avis\r\n\r\nx\r\n",
        to.as_str()
    );
    w.service
        .submit(&sender, &[to], raw.as_bytes(), false)
        .await
        .unwrap();
    Cast {
        w,
        cardio,
        owner: olga,
        people,
    }
}

/// A stored copy of a cell's message.
pub struct Stored {
    account: AccountId,
    /// The folder it was delivered to.
    mailbox: MailboxId,
    address: String,
    id: MessageId,
    uid: i64,
}

/// One cell driven through one interface: who asks what, on which copy.
pub struct Cell {
    operation: Operation,
    party: Party,
    label: String,
    /// The subject of the cell's message, found nowhere else.
    marker: String,
    /// The copy the cell is about: the owner's for [`Party::Owner`], cardio's else.
    target: Stored,
    /// The other copy, which nobody may reach in this cell.
    other: Stored,
    /// [`Cast::count`] before the cell.
    before: usize,
    /// A new device of the owner's, for a revocation.
    device: Option<DeviceId>,
    /// A new passkey of the owner's, for a revocation (AU-1, MS-18).
    passkey: Option<PasskeyId>,
    /// A message queued for another operator from the target's mailbox, for its
    /// delivery status (MS-16).
    queue_ref: Option<String>,
    /// A new account, for its administration: pending to be verified, active else (a
    /// delegate of cardio's to be removed); for its holder's closure (AC-3), active.
    subject: Option<AccountId>,
    /// Who stands in for the owner where the cell's operation would end the owner's
    /// account (closing one's own, AC-3): the subject's holder.
    stand_in: Option<Person>,
}

impl Cell {
    /// Delivers the cell's message (number `n`) to cardio and to the owner.
    async fn new(cast: &Cast, operation: Operation, party: Party, label: String, n: usize) -> Cell {
        let marker = format!("Avis-{n:04}");
        // A text and one attachment that names the marker too (its content).
        let raw = format!(
            "From: bob@caduceus.test\r\nTo: cardio@caduceus.test, olga@caduceus.test\r\n\
             Subject: {marker}\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nx\r\n\
             --b\r\nContent-Type: text/plain; name=\"cr.txt\"\r\n\
             Content-Disposition: attachment; filename=\"cr.txt\"\r\n\r\n\
             pj {marker}\r\n--b--\r\n"
        );
        let to = [cast.cardio.address.clone(), cast.owner.address.clone()];
        let delivered = cast
            .w
            .service
            .deliver_local(&testing::system(), &to, raw.as_bytes())
            .await
            .unwrap();
        let (owners, cardios): (Vec<_>, Vec<_>) = delivered
            .into_iter()
            .partition(|d| d.account == cast.owner.id);
        let stored = |d: &Delivered, account: &Account| Stored {
            account: d.account,
            mailbox: d.mailbox,
            address: account.address.as_str().to_owned(),
            id: d.message,
            uid: d.uid,
        };
        let owners = stored(&owners[0], &cast.owner);
        let cardios = stored(&cardios[0], &cast.cardio);
        let (target, other) = if party == Party::Owner {
            (owners, cardios)
        } else {
            (cardios, owners)
        };
        let queue_ref = match operation {
            Operation::ReadDeliveryStatus => Some(prepare::queued(cast, party, &marker).await),
            _ => None,
        };
        let mut cell = Cell {
            operation,
            party,
            label,
            marker,
            target,
            other,
            before: cast.count(operation).await,
            device: match operation {
                Operation::RevokeDevice => {
                    let owner = cast.person(Party::Owner).unwrap();
                    let added = cast.w.service.add_device(&owner.login, "cell").await;
                    Some(added.unwrap().device.id)
                }
                _ => None,
            },
            passkey: match operation {
                Operation::RevokePasskey => Some(passkey_of(cast, n).await),
                _ => None,
            },
            queue_ref,
            stand_in: None,
            subject: match operation.reaches() {
                // A patient mailbox verified with its contact address, announced for
                // an objection (ID-5, AC-3).
                Reach::Administration
                    if matches!(
                        operation,
                        Operation::AnnouncePatient
                            | Operation::RecordAnnouncementObjection
                            | Operation::AcceptAtCounter
                    ) =>
                {
                    let ins = ins(n as u32);
                    let account = verified_patient(&cast.w, &ins, "Patient Matrice").await;
                    if operation == Operation::RecordAnnouncementObjection {
                        let operator = op();
                        let announce = cast.w.service.announce_patient(&operator, account.id);
                        announce.await.unwrap();
                    }
                    Some(account.id)
                }
                Reach::Administration
                    if operation.duty() == Some(Duty::ManageAccounts)
                        && !matches!(
                            operation,
                            Operation::ListAccounts
                                | Operation::ReviewRegistrations
                                | Operation::ListAnnouncements
                        ) =>
                {
                    let pending = matches!(
                        operation,
                        Operation::VerifyAccount | Operation::ActivateAccount
                    );
                    let local = format!("t{n}");
                    let id = rpps(1000 + n as u32);
                    let account = professional(&cast.w, &local, &id, !pending).await;
                    let subject = account.id;
                    if operation == Operation::ActivateAccount {
                        // Verified, with a contact address: only its activation is left
                        // (ID-2).
                        let (service, operator) = (&cast.w.service, op());
                        let evidence = Evidence::CpsCard;
                        let verify = service.verify_identity(&operator, subject, evidence, "RA");
                        verify.await.unwrap();
                        let contact = contact_of(&account);
                        let set = service.set_contact_email(&operator, subject, Some(&contact));
                        set.await.unwrap();
                    }
                    if operation == Operation::RemoveDelegate {
                        let service = &cast.w.service;
                        let cardio = cast.cardio.id;
                        service.add_delegate(&op(), cardio, subject).await.unwrap();
                    }
                    Some(subject)
                }
                _ if operation == Operation::CloseOwnAccount => {
                    let id = rpps(1000 + n as u32);
                    let account = professional(&cast.w, &format!("t{n}"), &id, true).await;
                    Some(account.id)
                }
                _ => None,
            },
        };
        // The owner closing their own account closes the subject's, as its holder.
        if let (Some(subject), Party::Owner) = (cell.subject, party)
            && operation == Operation::CloseOwnAccount
        {
            let account = cast.w.store.account(subject).await.unwrap();
            cell.stand_in = Some(person(&cast.w, Party::Owner, account).await);
        }
        cell
    }

    /// Who asks: the party's person, or the stand-in.
    fn person<'a>(&'a self, cast: &'a Cast) -> Option<&'a Person> {
        self.stand_in.as_ref().or_else(|| cast.person(self.party))
    }

    /// Whether the operation shows the message's content (subject included), the
    /// owner's directory entry, or the owner's account data.
    fn reveals(&self) -> bool {
        matches!(
            self.operation,
            Operation::ListFolder
                | Operation::ReadMessage
                | Operation::ReadRaw
                | Operation::ReadAttachment
                | Operation::ReadLetter
                | Operation::PreviewAttachment
                | Operation::SearchFolder
                | Operation::ListConversations
                | Operation::ReadConversation
                | Operation::LookUpDirectory
                | Operation::ExportAccountData
                | Operation::ReadDeliveryStatus
        )
    }

    /// What shows it: the cell's marker (the message's subject), the owner's
    /// address for a directory lookup or the account's data export (AC-3), the
    /// remote recipient for a delivery status (MS-16).
    fn sought(&self) -> &str {
        match self.operation {
            Operation::LookUpDirectory | Operation::ExportAccountData => RECIPIENT,
            Operation::ReadDeliveryStatus => REMOTE,
            _ => &self.marker,
        }
    }
}

fn label(operation: Operation, party: Party, interface: Interface) -> String {
    format!("{operation:?}/{party:?}/{interface:?}")
}

/// The front ends of the cast's world, and a client process for each.
struct Fronts {
    listeners: Vec<Listener>,
    api: Client,
    imap: Client,
    smtp: Client,
    /// The webmail's and the admin console's pages.
    pages: Client,
    ldap: ldap::Ldap,
}

async fn fronts(w: &World) -> Fronts {
    let https = listen(w).await;
    // Every command asks whether the login still holds (AU-2, ID-2).
    let limits = caduceus_imap::Limits {
        recheck_every: Duration::ZERO,
        ..caduceus_imap::Limits::default()
    };
    let imap = listen_imap_with(w, limits).await;
    let smtp = listen_submission(w).await;
    let domain = w.service.config().domain.clone();
    // The suspended and closed parties' LDAP sessions, bound before the suspension,
    // wait for the directory cells near the end: no idle cut meanwhile.
    let mut config = caduceus_ldap::LdapConfig::new(server_tls(w), true, domain);
    config.limits.idle_timeout = Duration::from_secs(60 * 60);
    let config = Arc::new(config);
    let service = w.service.clone();
    let directory = spawn_listener(|l, stop| caduceus_ldap::serve(l, config, service, stop)).await;
    let ca = ("ca", w.pki.ca_cert_path().display().to_string());
    let client = |name: &str, listener: &Listener| {
        Client::start(
            &script(name),
            &[("port", listener.port.to_string()), ca.clone()],
        )
    };
    Fronts {
        api: client("matrix.py", &https),
        pages: client("matrix_webmail.py", &https),
        imap: client("matrix_imap.py", &imap),
        smtp: client("matrix_smtp.py", &smtp),
        ldap: ldap::Ldap::new(directory.port, w.pki.ca_cert_path()),
        listeners: vec![https, imap, smtp, directory],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ac1_ac2_id2_id3_ms2_ms9_tr1_every_cell_of_the_authorization_matrix_through_every_interface()
 {
    let cast = cast().await;
    let mut fronts = fronts(&cast.w).await;
    // Sam's and Carl's IMAP and SMTP sessions are opened before Sam's account is
    // suspended and Carl's closed, one per cell.
    let mut opened = Vec::new();
    for party in [Party::Suspended, Party::Closed] {
        let person = cast.person(party).unwrap();
        for operation in Operation::ALL {
            if !authz::parties(operation).contains(&party) {
                continue;
            }
            for interface in authz::interfaces(operation, party) {
                let open = opening(&label(operation, party, interface), Some(person));
                let answer = match interface {
                    Interface::Imap => fronts.imap.ask(&open).await,
                    Interface::Smtp => fronts.smtp.ask(&open).await,
                    Interface::Ldap => {
                        let session = label(operation, party, interface);
                        let bound = fronts.ldap.open(&session, Some(person)).await;
                        format!("{bound:?}")
                    }
                    _ => continue,
                };
                assert!(
                    !answer.contains("LOGIN") && !answer.contains(" 535 "),
                    "{answer}"
                );
                opened.push(party);
            }
        }
    }
    let service = &cast.w.service;
    let sam = cast.account(Party::Suspended).id;
    service
        .set_state(&op(), sam, AccountState::Suspended)
        .await
        .unwrap();
    let carl = cast.account(Party::Closed).id;
    service.close_account(&op(), carl).await.unwrap();

    let mut mismatches = Vec::new();
    let mut cells = 0;
    for operation in Operation::ALL {
        for party in authz::parties(operation) {
            let expected = authz::expected(operation, party);
            // The command line's cells are driven by `crates/cli/tests/matrix.rs`,
            // where its binary is.
            let interfaces = authz::interfaces(operation, party);
            for interface in interfaces.into_iter().filter(|&i| i != Interface::Cli) {
                cells += 1;
                prepare::prepare(&cast, operation).await;
                let label = label(operation, party, interface);
                let cell = Cell::new(&cast, operation, party, label.clone(), cells).await;
                let denials_before = denials(&cast).await;
                let outcome = match interface {
                    Interface::Service => service::judge(&cast, &cell, expected).await,
                    Interface::Api => {
                        let answer = fronts.api.ask(&api::step(&cast, &cell)).await;
                        api::judge(&cell, expected, &answer)
                    }
                    Interface::Imap => {
                        let answer = fronts.imap.ask(&imap::step(&cast, &cell)).await;
                        imap::judge(&cell, expected, &answer)
                    }
                    Interface::Smtp => {
                        let answer = fronts.smtp.ask(&smtp::step(&cast, &cell)).await;
                        smtp::judge(expected, &answer)
                    }
                    Interface::Ldap => {
                        let answer = fronts.ldap.ask(&cast, &cell).await;
                        ldap::judge(expected, answer)
                    }
                    Interface::Webmail | Interface::AdminConsole => {
                        let answer = fronts.pages.ask(&webmail::step(&cast, &cell)).await;
                        webmail::judge(&cell, expected, &answer)
                    }
                    Interface::Cli => unreachable!("driven by the cli crate's matrix"),
                };
                let outcome = match outcome {
                    Ok(()) => effects::effects(&cast, &cell, expected).await,
                    mismatch => mismatch,
                };
                match outcome {
                    Err(got) => {
                        mismatches.push(format!("{label}: expected {expected:?}, got {got}"))
                    }
                    // Every denial of a logged-in caller is traced (TR-1).
                    Ok(())
                        if matches!(expected, Expected::Denied(_))
                            && interface.names_others_data(operation) =>
                    {
                        if denials(&cast).await <= denials_before {
                            mismatches.push(format!("{label}: denied without a trace"));
                        }
                    }
                    Ok(()) => {}
                }
            }
        }
    }
    assert_eq!(cells, 1053, "cells driven");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // Each session opened before the suspension or the closure ended on its next
    // command, traced (AU-3, ID-2).
    let entries = traces(&cast.w).await;
    for party in [Party::Suspended, Party::Closed] {
        let actor = cast.account(party).id.to_string();
        let ended = entries
            .iter()
            .filter(|e| {
                e.action == "session.close"
                    && e.outcome == "refused"
                    && e.actor == actor
                    && e.detail.as_deref() == Some("reason:account_inactive")
            })
            .count();
        let sessions = opened.iter().filter(|p| **p == party).count();
        assert!(
            ended >= sessions,
            "{party:?}: {ended} of {sessions} ends traced"
        );
    }
    let Fronts { listeners, .. } = fronts;
    for listener in listeners {
        listener.shutdown().await;
    }
}

/// Refusals traced so far: access.denied, refused opposition changes, refused
/// messages (sending as someone else).
async fn denials(cast: &Cast) -> usize {
    cast.w
        .store
        .trace_entries(0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| {
            e.outcome == "refused"
                && ["access.denied", "patient.opposition", "message.refuse"]
                    .contains(&e.action.as_str())
        })
        .count()
}
