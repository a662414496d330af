//! MS-9 and the MSSanté `X-MSS-INS` header: a message submitted here that concerns a
//! patient (their mailbox among the recipients) is stored and sent with the header
//! naming them; a header on an incoming message names a concerned patient like an XDM
//! attachment (an opposed patient's message refused with the postal-mail hint; an
//! invalid INS refused, saying why); relayed mail is stored as its operator sent it.

mod common;

use caduceus_core::{Ins, health::ins_header::HEADER};
use caduceus_service::ServiceError;
use caduceus_service::actor::testing;
use common::*;

const INS: &str = "295109912611193";

fn message(to: &str, extra: &str) -> Vec<u8> {
    format!("From: alice@caduceus.test\r\nTo: {to}\r\n{extra}Subject: Suivi\r\n\r\nBonjour.\r\n")
        .into_bytes()
}

fn refused_for(result: Result<impl std::fmt::Debug, ServiceError>, requirement: &str, words: &str) {
    match result {
        Err(ServiceError::Refused(r)) => {
            assert_eq!(r.requirement, requirement, "{}", r.reason);
            assert!(r.reason.contains(words), "{}", r.reason);
        }
        other => panic!("expected a refusal for {requirement}, got {other:?}"),
    }
}

#[tokio::test]
async fn ms9_the_x_mss_ins_header_is_written_and_read() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let camille = patient(&w, INS, "Camille Durand").await;
    let as_alice = testing::account(alice.id, "test");

    // To the patient: stored with the header naming them.
    w.service
        .deliver_local(
            &as_alice,
            std::slice::from_ref(&camille.address),
            &message(camille.address.as_str(), ""),
        )
        .await
        .unwrap();
    let stored = inbox_raws(&w, &camille).await;
    assert!(
        stored[0].starts_with(&format!("{HEADER}: {INS}\r\n")),
        "{}",
        stored[0]
    );

    // Between professionals, a header names the patient: refused while opposed.
    w.service
        .set_opposition(&op(), &Ins::parse(INS).unwrap(), true)
        .await
        .unwrap();
    let about = message("bob@caduceus.test", &format!("{HEADER}: {INS}\r\n"));
    let opposed = w
        .service
        .deliver_local(&as_alice, std::slice::from_ref(&bob.address), &about)
        .await;
    refused_for(opposed, "MS-9", "postal mail");
    w.service
        .set_opposition(&op(), &Ins::parse(INS).unwrap(), false)
        .await
        .unwrap();
    w.service
        .deliver_local(&as_alice, std::slice::from_ref(&bob.address), &about)
        .await
        .unwrap();
    let stored = inbox_raws(&w, &bob).await;
    assert_eq!(
        stored[0].matches(HEADER).count(),
        1,
        "stated once: {}",
        stored[0]
    );

    // An INS with a wrong key: refused, saying why.
    let wrong = message(
        "bob@caduceus.test",
        &format!("{HEADER}: 295109912611194\r\n"),
    );
    let refused = w
        .service
        .deliver_local(&as_alice, std::slice::from_ref(&bob.address), &wrong)
        .await;
    refused_for(refused, "MS-9", "valid INS");

    // Nothing about a patient: no header.
    w.service
        .deliver_local(
            &as_alice,
            std::slice::from_ref(&bob.address),
            &message("bob@caduceus.test", ""),
        )
        .await
        .unwrap();
    let stored = inbox_raws(&w, &bob).await;
    assert!(!stored[1].contains(HEADER), "{}", stored[1]);
}
