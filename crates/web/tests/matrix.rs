//! The authorization matrix (AC-1, AC-2, ID-3, MS-9; `caduceus_core::authz`): every
//! cell — an operation on someone's data × a kind of caller — is driven through each
//! interface that offers it (the JSON API over HTTPS with Python's http.client, IMAP
//! with imaplib, and the service's use cases) and must give the outcome the table
//! says, leave the stored copies as it says, and show a message's content only when
//! allowed; each denial must leave a trace where the interface can name the other's
//! data. One Python process per interface answers the cells one by one.

use std::time::Duration;

use caduceus_core::authz::{self, Expected, Interface, Operation, Party};
use caduceus_core::{AccountState, Ins, Role};
use caduceus_service::{Actor, Caller, ServiceError};
use caduceus_store::{Account, AccountId, MessageId, Store as _, StoreError};
use caduceus_testkit::*;
use client::Client;
use common::*;
use serde_json::json;

#[path = "matrix/client.rs"]
mod client;
mod common;
#[path = "matrix/imap.rs"]
mod imap;

const INS: &str = "295109912611193";
const OTHER_INS: &str = "184127645108946";

/// Someone the matrix tries, with their credentials: a web session token (API) and a
/// device credential (IMAP), both from one strong login.
struct Person {
    party: Party,
    account: Account,
    token: String,
    device: String,
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
}

async fn cast() -> Cast {
    let w = world().await;
    let olga = professional(&w, "olga", &rpps(7), true).await;
    let dan = professional(&w, "dan", &rpps(1), true).await;
    let eve = professional(&w, "eve", &rpps(2), true).await;
    let bob = professional(&w, "bob", &rpps(3), true).await;
    let rita = professional(&w, "rita", &rpps(4), true).await;
    let sam = professional(&w, "sam", &rpps(5), true).await;
    let staff = professional(&w, "audrey", &rpps(6), true).await;
    let camille = patient(&w, INS, "Camille Durand").await;
    let jean = patient(&w, OTHER_INS, "Jean Petit").await;
    let cardio = organisation(&w, "cardio", &dan).await;
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
    w.service
        .set_staff_role(&op(), staff.id, Role::Auditor, true)
        .await
        .unwrap();
    let mut people = Vec::new();
    for (party, account) in [
        (Party::Owner, olga.clone()),
        (Party::Delegate, dan),
        (Party::RemovedDelegate, eve),
        (Party::OtherProfessional, bob),
        (Party::Recorder, rita),
        (Party::Suspended, sam),
        (Party::Staff, staff),
        (Party::Patient, camille),
        (Party::OtherPatient, jean),
    ] {
        let strong = strong_login(&w, &account).await;
        let token = w.service.open_session(&strong).await.unwrap();
        let device = w.service.add_device(&strong, "matrix").await.unwrap();
        people.push(Person {
            party,
            account,
            token: token.expose().clone(),
            device: device.credential.expose().clone(),
        });
    }
    Cast {
        w,
        cardio,
        owner: olga,
        people,
    }
}

/// A stored copy of a cell's message.
pub struct Copy {
    account: AccountId,
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
    target: Copy,
    /// The other copy, which nobody may reach in this cell.
    other: Copy,
}

impl Cell {
    /// Delivers the cell's message (number `n`) to cardio and to the owner.
    async fn new(cast: &Cast, operation: Operation, party: Party, label: String, n: usize) -> Cell {
        let marker = format!("Avis-{n:04}");
        let raw = format!(
            "From: bob@caduceus.test\r\nTo: cardio@caduceus.test, olga@caduceus.test\r\nSubject: {marker}\r\n\r\nx\r\n"
        );
        let to = [cast.cardio.address.clone(), cast.owner.address.clone()];
        let delivered = cast
            .w
            .service
            .deliver_local(&Caller::system(), &to, raw.as_bytes())
            .await
            .unwrap();
        let mut copies: Vec<Copy> = delivered
            .into_iter()
            .map(|d| Copy {
                account: d.account,
                address: if d.account == cast.owner.id {
                    &cast.owner
                } else {
                    &cast.cardio
                }
                .address
                .as_str()
                .to_owned(),
                id: d.message,
                uid: d.uid,
            })
            .collect();
        let owners = copies
            .iter()
            .position(|c| c.account == cast.owner.id)
            .unwrap();
        let owners = copies.remove(owners);
        let cardios = copies.pop().unwrap();
        let (target, other) = if party == Party::Owner {
            (owners, cardios)
        } else {
            (cardios, owners)
        };
        Cell {
            operation,
            party,
            label,
            marker,
            target,
            other,
        }
    }

    /// Whether the operation shows the message's content (subject included).
    fn reveals(&self) -> bool {
        matches!(
            self.operation,
            Operation::ListFolder
                | Operation::ReadMessage
                | Operation::ReadRaw
                | Operation::SearchFolder
        )
    }
}

/// The API request of `cell`: on its target copy, or on the patient.
fn request(cell: &Cell) -> (&'static str, String) {
    let m = format!("?mailbox={}", cell.target.address);
    let id = cell.target.id.0;
    match cell.operation {
        Operation::ListFolder => ("GET", format!("/folders/INBOX/messages{m}")),
        Operation::SearchFolder => (
            "GET",
            format!("/folders/INBOX/messages{m}&q={}", cell.marker),
        ),
        Operation::ReadMessage => ("GET", format!("/messages/{id}{m}")),
        Operation::ReadRaw => ("GET", format!("/messages/{id}/raw{m}")),
        Operation::FlagMessage => ("PATCH", format!("/messages/{id}{m}")),
        Operation::DeleteMessage => ("DELETE", format!("/messages/{id}{m}")),
        Operation::QueryOpposition => ("GET", format!("/patients/{INS}/opposition")),
        Operation::RecordOpposition => ("PUT", format!("/patients/{INS}/opposition")),
        Operation::WithdrawOpposition => ("DELETE", format!("/patients/{INS}/opposition")),
    }
}

/// Sets the patient's opposition as a cell needs it: withdrawn for a record, recorded
/// (by the recorder) for a withdrawal.
async fn prepare(cast: &Cast, operation: Operation) {
    let ins = Ins::parse(INS).unwrap();
    let as_patient = Caller::account(cast.account(Party::Patient).id, "test");
    cast.w
        .service
        .set_opposition(&as_patient, &ins, false)
        .await
        .unwrap();
    if operation == Operation::WithdrawOpposition {
        let as_recorder = Caller::account(cast.account(Party::Recorder).id, "test");
        cast.w
            .service
            .set_opposition(&as_recorder, &ins, true)
            .await
            .unwrap();
    }
}

/// The outcome of a cell through the service: `Ok` or the error.
async fn through_service(cast: &Cast, cell: &Cell) -> Result<(), ServiceError> {
    let account = cast.account(cell.party).id;
    let caller = match cell.party {
        Party::Staff => Caller {
            actor: Actor::Staff {
                account,
                role: Role::Auditor,
            },
            source: "test".into(),
        },
        _ => Caller::account(account, "test"),
    };
    let service = &cast.w.service;
    let ins = Ins::parse(INS).unwrap();
    if !cell.operation.on_mailbox() {
        return match cell.operation {
            Operation::QueryOpposition => service.opposition(&caller, &ins).await.map(drop),
            Operation::RecordOpposition => service.set_opposition(&caller, &ins, true).await,
            _ => service.set_opposition(&caller, &ins, false).await,
        };
    }
    let access = service.authorize(&caller, cell.target.account).await?;
    let message = cell.target.id;
    match cell.operation {
        Operation::ListFolder => service.open_folder(&access, "INBOX").await.map(drop),
        Operation::ReadMessage | Operation::ReadRaw => {
            service.read_message(&access, message).await.map(drop)
        }
        Operation::FlagMessage => service
            .set_flags(&access, message, &["\\Flagged".to_owned()])
            .await
            .map(drop),
        Operation::DeleteMessage => service.delete_message(&access, message).await,
        other => unreachable!("the service does not offer {other:?}"),
    }
}

fn service_judge(expected: Expected, outcome: Result<(), ServiceError>) -> Result<(), String> {
    let fine = match (expected, &outcome) {
        (Expected::Allowed, Ok(())) => true,
        (Expected::Denied(want), Err(ServiceError::Denied { requirement, .. })) => {
            *requirement == want
        }
        (Expected::Denied(_), Err(ServiceError::NotFound(_))) => true,
        _ => false,
    };
    if fine {
        Ok(())
    } else {
        Err(format!("{outcome:?}"))
    }
}

/// The step of `cell` for `scripts/matrix.py`, as `party`.
fn api_step(cast: &Cast, cell: &Cell) -> serde_json::Value {
    let token = cast.person(cell.party).map_or("", |p| &p.token);
    let (method, path) = request(cell);
    let body = (method == "PATCH").then(|| json!({ "flags": ["\\Flagged"] }));
    json!([cell.label, token, method, path, body])
}

/// Whether the API's `answer` (`label status content-type body`) is what `expected`
/// says: a 2xx that shows the content when allowed; 401; 404 or a 403 naming the rule.
fn api_judge(cell: &Cell, expected: Expected, answer: &str) -> Result<(), String> {
    let mut parts = answer.splitn(3, ' ').skip(1);
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = parts.next().unwrap_or("");
    let status_fine = match expected {
        Expected::Allowed => (200..300).contains(&status),
        Expected::Unauthenticated => status == 401,
        Expected::Denied(want) => {
            status == 404
                || (status == 403 && body.contains(&format!("\"requirement\":\"{want}\"")))
        }
    };
    let shown = body.contains(&cell.marker);
    if status_fine && (!cell.reveals() || shown == (expected == Expected::Allowed)) {
        Ok(())
    } else {
        Err(format!("{status} {body}"))
    }
}

/// Whether the cell's stored copies are as `expected` leaves them: the target
/// flagged or deleted only when allowed, the other copy never touched.
async fn effects(cast: &Cast, cell: &Cell, expected: Expected) -> Result<(), String> {
    // Some(flagged) for a stored copy, None once deleted.
    let state = async |copy: &Copy| match cast.w.store.message(copy.id).await {
        Ok(summary) => Some(summary.flags.iter().any(|f| f == "\\Flagged")),
        Err(StoreError::NotFound { .. }) => None,
        Err(e) => panic!("{e}"),
    };
    let allowed = expected == Expected::Allowed;
    let want = match cell.operation {
        Operation::FlagMessage => Some(allowed),
        Operation::DeleteMessage => (!allowed).then_some(false),
        _ => Some(false),
    };
    let (target, other) = (state(&cell.target).await, state(&cell.other).await);
    if target == want && other == Some(false) {
        Ok(())
    } else {
        Err(format!(
            "stored copies (flagged, or None when deleted): target {target:?}, other {other:?}"
        ))
    }
}

/// The IMAP session a cell of `party` runs in: one per cell for those whose session
/// ends (suspended) or never starts (anonymous); one per party else.
fn imap_session(cell: &Cell) -> String {
    match cell.party {
        Party::Suspended | Party::Anonymous => cell.label.clone(),
        party => format!("{party:?}"),
    }
}

/// The IMAP step of `cell` as its party.
fn imap_step(cast: &Cast, cell: &Cell) -> serde_json::Value {
    let (user, secret) = match cast.person(cell.party) {
        Some(p) if cell.party != Party::Anonymous => {
            (p.account.address.as_str().to_owned(), p.device.as_str())
        }
        _ => (String::new(), ""),
    };
    imap::step(cell, &imap_session(cell), &user, secret)
}

fn label(operation: Operation, party: Party, interface: Interface) -> String {
    format!("{operation:?}/{party:?}/{interface:?}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ac1_ac2_id3_ms9_every_cell_of_the_authorization_matrix_through_every_interface() {
    let cast = cast().await;
    let server = listen(&cast.w).await;
    // Every command asks whether the login still holds (AU-2, ID-2).
    let limits = caduceus_imap::Limits {
        recheck_every: Duration::ZERO,
        ..caduceus_imap::Limits::default()
    };
    let imap_server = listen_imap_with(&cast.w, limits).await;
    let ca = ("ca", cast.w.pki.ca_cert_path().display().to_string());
    let mut api = Client::start(
        &script("matrix.py"),
        &[("port", server.port.to_string()), ca.clone()],
    );
    let mut imap = Client::start(
        &script("matrix_imap.py"),
        &[("port", imap_server.port.to_string()), ca],
    );
    // Sam's IMAP sessions are opened before his account is suspended, one per cell.
    let sam = cast.account(Party::Suspended).clone();
    for operation in Operation::ALL {
        let suspended = authz::parties(operation).contains(&Party::Suspended);
        if suspended && authz::interfaces(operation, Party::Suspended).contains(&Interface::Imap) {
            let session = label(operation, Party::Suspended, Interface::Imap);
            let open = json!({
                "label": "open", "session": session, "user": sam.address.as_str(),
                "secret": cast.person(Party::Suspended).unwrap().device, "commands": [],
            });
            let answer = imap.ask(&open).await;
            assert!(answer.contains("\"answers\": []"), "{answer}");
        }
    }
    cast.w
        .service
        .set_state(&op(), sam.id, AccountState::Suspended)
        .await
        .unwrap();

    let mut mismatches = Vec::new();
    let mut cells = 0;
    for operation in Operation::ALL {
        for &party in authz::parties(operation) {
            let expected = authz::expected(operation, party);
            for interface in authz::interfaces(operation, party) {
                cells += 1;
                prepare(&cast, operation).await;
                let label = label(operation, party, interface);
                let cell = Cell::new(&cast, operation, party, label.clone(), cells).await;
                let denials_before = denials(&cast).await;
                let outcome = match interface {
                    Interface::Service => {
                        service_judge(expected, through_service(&cast, &cell).await)
                    }
                    Interface::Api => {
                        let answer = api.ask(&api_step(&cast, &cell)).await;
                        api_judge(&cell, expected, &answer)
                    }
                    Interface::Imap => {
                        let answer = imap.ask(&imap_step(&cast, &cell)).await;
                        imap::judge(&cell, expected, &answer)
                    }
                };
                let outcome = match outcome {
                    Ok(()) => effects(&cast, &cell, expected).await,
                    mismatch => mismatch,
                };
                match outcome {
                    Err(got) => {
                        mismatches.push(format!("{label}: expected {expected:?}, got {got}"))
                    }
                    // Every denial of a logged-in caller is traced (TR-1).
                    Ok(())
                        if matches!(expected, Expected::Denied(_))
                            && interface.names_others_data() =>
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
    assert_eq!(cells, 141, "cells driven");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    server.shutdown().await;
    imap_server.shutdown().await;
}

/// Refusals traced so far: access.denied, and refused opposition changes.
async fn denials(cast: &Cast) -> usize {
    cast.w
        .store
        .trace_entries(0, 100_000)
        .await
        .unwrap()
        .iter()
        .filter(|e| {
            e.outcome == "refused"
                && (e.action == "access.denied" || e.action == "patient.opposition")
        })
        .count()
}
