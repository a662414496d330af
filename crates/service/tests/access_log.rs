//! TR-4, AC-3: a patient sees who accessed data concerning them, and is told once, the
//! first time a given professional does.

use caduceus_service::actor::testing;
use std::time::Duration;

use caduceus_core::NationalId;
use caduceus_service::ServiceError;

mod common;

use common::*;

const PATIENT: &str = "295109912611193@patient.caduceus.test";

async fn first_access_notices(w: &World, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    loop {
        let sent = w.outbox.first_access.lock().unwrap().clone();
        if sent.len() >= count || tokio::time::Instant::now() > deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
            return w.outbox.first_access.lock().unwrap().clone();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn tr4_the_patient_sees_a_professionals_read_and_is_told_once() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let patient = patient(&w, "295109912611193", "Camille").await;
    let as_patient = testing::account(patient.id, "web");
    w.service
        .set_contact_email(&as_patient, patient.id, Some(&addr("camille@example.org")))
        .await
        .unwrap();
    confirm_last_contact_code(&w, &as_patient, &patient).await;
    let alice_login = w
        .service
        .login_certificate(&NationalId::parse("810003090833").unwrap(), None, "test")
        .await
        .unwrap();
    // Alice writes to the patient, who replies: Alice's INBOX copy concerns the patient.
    let to_patient = b"From: alice@caduceus.test\r\nTo: 295109912611193@patient.caduceus.test\r\nSubject: Suivi\r\n\r\nBonjour\r\n";
    let sender = w
        .service
        .sender(&alice_login, &alice.address)
        .await
        .unwrap();
    w.service
        .submit(&sender, &[addr(PATIENT)], to_patient, false)
        .await
        .unwrap();
    let reply = b"From: 295109912611193@patient.caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Re: Suivi\r\n\r\nMerci\r\n";
    let patient_login = strong_login(&w, &patient).await;
    let patient_sender = w
        .service
        .sender(&patient_login, &patient.address)
        .await
        .unwrap();
    w.service
        .submit(
            &patient_sender,
            std::slice::from_ref(&alice.address),
            reply,
            false,
        )
        .await
        .unwrap();

    // Alice reads the reply twice: two entries, one notice.
    let as_alice = testing::account(alice.id, "imap");
    let access = w.service.authorize(&as_alice, alice.id).await.unwrap();
    let (_, inbox) = w.service.open_folder(&access, "INBOX").await.unwrap();
    for _ in 0..2 {
        w.service.read_message(&access, inbox[0].id).await.unwrap();
    }
    assert_eq!(first_access_notices(&w, 1).await, ["camille@example.org"]);
    assert_eq!(first_access_notices(&w, 2).await.len(), 1, "told once");

    // The patient reading her own mail is not an access by someone else.
    let own = w.service.authorize(&as_patient, patient.id).await.unwrap();
    let (_, hers) = w.service.open_folder(&own, "INBOX").await.unwrap();
    w.service.read_message(&own, hers[0].id).await.unwrap();

    let log = w
        .service
        .patient_access_log(&as_patient, patient.id)
        .await
        .unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log.iter()
            .all(|e| e.actor == alice.address && e.action == "message.read")
    );

    // AC-3: nobody else reads the log (the operator may, on the patient's request).
    let err = w
        .service
        .patient_access_log(&as_alice, patient.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
    assert_eq!(
        w.service
            .patient_access_log(&op(), patient.id)
            .await
            .unwrap()
            .len(),
        2
    );
}
