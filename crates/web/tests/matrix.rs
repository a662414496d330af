//! The authorization matrix (AC-1, AC-2, ID-3, MS-9; `caduceus_core::authz`): every
//! cell — an operation on someone's data × a kind of caller — is driven through each
//! interface that offers it (the JSON API over HTTPS with Python's http.client, and the
//! service's use cases) and must give the outcome the table says; each denial must
//! leave a trace.

use caduceus_core::authz::{self, Expected, Interface, Operation, Party};
use caduceus_core::{AccountState, Ins, Role};
use caduceus_service::ServiceError;
use caduceus_service::actor::testing;
use caduceus_store::{Account, MessageId, Store as _};
use caduceus_testkit::*;
use common::*;

mod common;

const INS: &str = "295109912611193";
const OTHER_INS: &str = "184127645108946";

struct Cast {
    w: World,
    cardio: Account,
    people: Vec<(Party, Account, String)>,
}

impl Cast {
    fn account(&self, party: Party) -> &Account {
        &self.people.iter().find(|(p, _, _)| *p == party).unwrap().1
    }
    fn token(&self, party: Party) -> String {
        match self.people.iter().find(|(p, _, _)| *p == party) {
            Some((_, _, token)) => token.clone(),
            None => String::new(),
        }
    }
}

async fn cast() -> Cast {
    let w = world().await;
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
        (Party::Delegate, dan),
        (Party::RemovedDelegate, eve),
        (Party::OtherProfessional, bob),
        (Party::Recorder, rita),
        (Party::Suspended, sam),
        (Party::Staff, staff),
        (Party::Patient, camille),
        (Party::OtherPatient, jean),
    ] {
        let token = web_token(&w, &account).await.expose().clone();
        people.push((party, account, token));
    }
    // Sam's session was opened before the suspension.
    let sam = people[4].1.id;
    w.service
        .set_state(&op(), sam, AccountState::Suspended)
        .await
        .unwrap();
    Cast { w, cardio, people }
}

/// A new message in cardio's INBOX.
async fn message(cast: &Cast) -> MessageId {
    let raw = b"From: bob@caduceus.test\r\nTo: cardio@caduceus.test\r\nSubject: Avis\r\n\r\nx\r\n";
    cast.w
        .service
        .deliver_local(
            &testing::system(),
            std::slice::from_ref(&cast.cardio.address),
            raw,
        )
        .await
        .unwrap()[0]
        .message
}

/// The API request of `operation` on `message` of cardio's mailbox, or on the patient.
fn request(operation: Operation, message: MessageId) -> (&'static str, String) {
    let m = "?mailbox=cardio@caduceus.test";
    let id = message.0;
    match operation {
        Operation::ListFolder => ("GET", format!("/folders/INBOX/messages{m}")),
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
    let as_patient = testing::account(cast.account(Party::Patient).id, "test");
    cast.w
        .service
        .set_opposition(&as_patient, &ins, false)
        .await
        .unwrap();
    if operation == Operation::WithdrawOpposition {
        let as_recorder = testing::account(cast.account(Party::Recorder).id, "test");
        cast.w
            .service
            .set_opposition(&as_recorder, &ins, true)
            .await
            .unwrap();
    }
}

/// The outcome of a cell through the service: `Ok` or the error.
async fn through_service(
    cast: &Cast,
    operation: Operation,
    party: Party,
    message: MessageId,
) -> Result<(), ServiceError> {
    let account = cast.account(party).id;
    let caller = match party {
        Party::Staff => testing::staff(account, Role::Auditor),
        _ => testing::account(account, "test"),
    };
    let service = &cast.w.service;
    let ins = Ins::parse(INS).unwrap();
    if !operation.on_mailbox() {
        return match operation {
            Operation::QueryOpposition => service.opposition(&caller, &ins).await.map(drop),
            Operation::RecordOpposition => service.set_opposition(&caller, &ins, true).await,
            _ => service.set_opposition(&caller, &ins, false).await,
        };
    }
    let access = service.authorize(&caller, cast.cardio.id).await?;
    match operation {
        Operation::ListFolder => service.open_folder(&access, "INBOX").await.map(drop),
        Operation::ReadMessage | Operation::ReadRaw => {
            service.read_message(&access, message).await.map(drop)
        }
        Operation::FlagMessage => service
            .set_flags(&access, message, &["\\Seen".to_owned()])
            .await
            .map(drop),
        _ => service.delete_message(&access, message).await,
    }
}

fn service_matches(expected: Expected, outcome: &Result<(), ServiceError>) -> bool {
    match (expected, outcome) {
        (Expected::Allowed, Ok(())) => true,
        (Expected::Denied(want), Err(ServiceError::Denied { requirement, .. })) => {
            *requirement == want
        }
        (Expected::Denied(_), Err(ServiceError::NotFound(_))) => true,
        _ => false,
    }
}

fn api_matches(expected: Expected, status: u16, body: &str) -> bool {
    match expected {
        Expected::Allowed => (200..300).contains(&status),
        Expected::Unauthenticated => status == 401,
        Expected::Denied(want) => {
            status == 404
                || (status == 403 && body.contains(&format!("\"requirement\":\"{want}\"")))
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ac1_ac2_id3_ms9_every_cell_of_the_authorization_matrix_through_every_interface() {
    let cast = cast().await;
    let server = listen(&cast.w).await;
    let mut mismatches = Vec::new();
    let mut cells = 0;
    for operation in Operation::ALL {
        for &party in authz::parties(operation) {
            let expected = authz::expected(operation, party);
            for &interface in authz::interfaces(party) {
                cells += 1;
                prepare(&cast, operation).await;
                let message = message(&cast).await;
                let denials_before = denials(&cast).await;
                let label = format!("{operation:?}/{party:?}/{interface:?}");
                let matched = match interface {
                    Interface::Service => {
                        let outcome = through_service(&cast, operation, party, message).await;
                        let ok = service_matches(expected, &outcome);
                        if !ok {
                            mismatches
                                .push(format!("{label}: expected {expected:?}, got {outcome:?}"));
                        }
                        ok
                    }
                    Interface::Api => {
                        let (method, path) = request(operation, message);
                        let (status, body) =
                            api(&cast, &server, &label, party, method, &path).await;
                        let ok = api_matches(expected, status, &body);
                        if !ok {
                            mismatches.push(format!(
                                "{label}: expected {expected:?}, got {status} {body}"
                            ));
                        }
                        ok
                    }
                };
                // Every denial of a logged-in caller is traced (TR-1).
                if matched && matches!(expected, Expected::Denied(_)) {
                    let traced = denials(&cast).await > denials_before;
                    if !traced {
                        mismatches.push(format!("{label}: denied without a trace"));
                    }
                }
            }
        }
    }
    assert_eq!(cells, 88, "cells driven");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    server.shutdown().await;
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

/// Runs one API call as `party` through `scripts/matrix.py`; its status and body.
async fn api(
    cast: &Cast,
    server: &Listener,
    label: &str,
    party: Party,
    method: &str,
    path: &str,
) -> (u16, String) {
    let token = match party {
        Party::Anonymous => String::new(),
        other => cast.token(other),
    };
    let dir = tempfile::tempdir().unwrap();
    let steps = dir.path().join("steps.json");
    let body = (method == "PATCH").then(|| serde_json::json!({ "flags": ["\\Seen"] }));
    let step = serde_json::json!([[label, token, method, path, body]]);
    std::fs::write(&steps, step.to_string()).unwrap();
    let run = python(
        &script("matrix.py"),
        &[
            ("port", server.port.to_string()),
            ("ca", cast.w.pki.ca_cert_path().display().to_string()),
            ("steps", steps.display().to_string()),
        ],
        "http.client",
    )
    .await;
    run.step(label)
}
