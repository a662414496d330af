//! TR-5 through the service: a message whose subject and body name a patient and their
//! INS is sent, read, refused and its patient's opposition recorded, and no trace column
//! holds the subject, the body, the name or the INS (the trace values are typed ids).

mod common;

use caduceus_core::Ins;
use caduceus_service::actor::testing;
use caduceus_store::Store;
use common::*;

const INS: &str = "295109912611193";
const SUBJECT: &str = "Compte rendu de Camille Zorglub-Durand";
/// A subject that names no patient: accepted, yet still content, never traced.
const NEUTRAL: &str = "Compte rendu de consultation";
const BODY: &str = "HbA1c 7.9 pour Mme Zorglub-Durand, INS 295109912611193, a revoir.";

fn message(to: &str, subject: &str) -> Vec<u8> {
    format!("From: alice@caduceus.test\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{BODY}\r\n")
        .into_bytes()
}

#[tokio::test]
async fn tr5_a_subject_body_ins_and_patient_name_reach_no_trace() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let camille = patient(&w, INS, "Camille Zorglub-Durand").await;
    let as_alice = testing::account(alice.id, "192.0.2.10:4000");

    // A subject naming the patient is refused (MS-11); the same body under a neutral
    // subject is delivered to the patient and to a colleague, and read.
    for to in [&camille, &bob] {
        let with_ins = message(to.address.as_str(), &format!("{SUBJECT} {INS}"));
        let to_one = std::slice::from_ref(&to.address);
        let refused = w.service.deliver_local(&as_alice, to_one, &with_ins).await;
        assert!(refused.is_err(), "a subject naming the patient is refused");
        w.service
            .deliver_local(&as_alice, to_one, &message(to.address.as_str(), NEUTRAL))
            .await
            .unwrap();
        assert!(inbox_raws(&w, to).await[0].contains(BODY));
    }
    // The patient's opposition, by INS; then a message about them, refused (MS-9).
    let ins = Ins::parse(INS).unwrap();
    w.service.set_opposition(&op(), &ins, true).await.unwrap();
    let about = format!(
        "X-MSS-INS: {INS}\r\n{}",
        String::from_utf8(message("bob@caduceus.test", NEUTRAL)).unwrap()
    );
    let refused = w
        .service
        .deliver_local(
            &as_alice,
            std::slice::from_ref(&bob.address),
            about.as_bytes(),
        )
        .await;
    assert!(refused.is_err(), "an opposed patient's message is refused");

    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for traced in [
        "message.deliver",
        "message.read",
        "patient.opposition",
        "message.refuse",
    ] {
        assert!(actions.contains(&traced), "{traced} traced: {actions:?}");
    }
    for entry in &entries {
        let columns = [
            Some(&entry.actor),
            entry.acting_for.as_ref(),
            Some(&entry.action),
            Some(&entry.object),
            entry.source.as_ref(),
            Some(&entry.outcome),
            entry.detail.as_ref(),
        ];
        for column in columns.into_iter().flatten() {
            for secret in [INS, "Zorglub", "Camille", "Compte rendu", "HbA1c"] {
                assert!(!column.contains(secret), "{secret} in a trace: {entry:?}");
            }
        }
    }
}
