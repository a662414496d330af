//! Patient mailboxes announced before they open (ID-5, AC-3, seed 003 §7), on the
//! injected clock: the scheduled job opens the mailbox six weeks after the notice and
//! not a moment before; while announced it neither logs in nor receives mail; an
//! objection through the link deletes it at once and bars a new announcement; the
//! registration authority's acts are refused to anyone without the duty.

use std::time::Duration;

mod common;

use caduceus_core::{
    AccountKind, AccountState, Clock, Evidence, Ins, RegistryId, Role, SecretString,
};
use caduceus_service::ServiceError;
use caduceus_service::accounts::Registration;
use caduceus_service::announcements::Answer;
use caduceus_service::auth::Credentials;
use common::*;

const INS: &str = "185057512345673";
const DAY: Duration = Duration::from_secs(86_400);

/// A patient registered (pending).
async fn registered(w: &World) -> caduceus_store::Account {
    let registration = Registration {
        address: None,
        kind: AccountKind::Patient,
        identity: RegistryId::Patient(Ins::parse(INS).unwrap()),
        display_name: "Paul Annonce".into(),
    };
    w.service.register(&op(), registration).await.unwrap()
}

/// A verified patient with its contact address, not open yet.
async fn verified(w: &World) -> caduceus_store::Account {
    let account = registered(w).await;
    let (operator, evidence) = (op(), Evidence::IdentityDocument);
    let verify = w
        .service
        .verify_identity(&operator, account.id, evidence, "RA");
    verify.await.unwrap();
    let contact = contact_of(&account);
    let set = w
        .service
        .set_contact_email(&operator, account.id, Some(&contact));
    set.await.unwrap();
    account
}

async fn state(w: &World, account: &caduceus_store::Account) -> AccountState {
    w.service.account(account.id).await.unwrap().state
}

#[tokio::test]
async fn id5_the_job_opens_an_announced_mailbox_after_six_weeks_on_the_clock() {
    let w = world().await;
    let paul = verified(&w).await;
    // No activation behind the patient's back (ID-5).
    let operator = op();
    let activated = w
        .service
        .set_state(&operator, paul.id, AccountState::Active);
    match activated.await.unwrap_err() {
        ServiceError::Refused(refusal) => assert_eq!(refusal.requirement.to_string(), "ID-5"),
        other => panic!("{other:?}"),
    }
    let made = w.service.announce_patient(&op(), paul.id).await.unwrap();
    assert_eq!(made.opens, w.clock.now() + 42 * DAY);
    let sent = w.outbox.announcements.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, contact_of(&paul).as_str());
    assert_eq!(sent[0].1, made.opens);
    // Announced: no login, no mail (ID-5).
    let password = SecretString::new("Correct-Horse-Battery-42".into());
    w.service
        .set_password(&op(), paul.id, &password)
        .await
        .unwrap();
    let code = Credentials::PasswordTotp {
        password: &password,
        code: "000000",
    };
    let login = w.service.login(&paul.address, code, "test").await;
    assert!(
        matches!(login, Err(ServiceError::AuthFailed { .. })),
        "{login:?}"
    );
    let delivered = w
        .service
        .deliver_local(&op(), std::slice::from_ref(&paul.address), RAW)
        .await;
    match delivered.unwrap_err() {
        ServiceError::Refused(refusal) => {
            assert_eq!(refusal.requirement.to_string(), "ID-5");
            assert!(
                refusal.reason.contains("not open yet"),
                "{}",
                refusal.reason
            );
        }
        other => panic!("{other:?}"),
    }
    // A day before the end, the daily job leaves it announced; the next day, at the
    // end, it opens it.
    w.clock.advance(41 * DAY);
    w.service.run_scheduled("node").await.unwrap();
    assert_eq!(state(&w, &paul).await, AccountState::Announced);
    w.clock.advance(DAY);
    let ran = w.service.run_scheduled("node").await.unwrap();
    assert!(ran.contains(&"announcements"), "{ran:?}");
    assert_eq!(state(&w, &paul).await, AccountState::Active);
    let traced = actions(&w).await;
    assert!(
        traced.contains(&"account.announce".to_owned()),
        "{traced:?}"
    );
    assert_eq!(traced.last().unwrap(), "account.activate");
}

#[tokio::test]
async fn ac3_an_objection_through_the_link_deletes_the_mailbox_and_bars_a_new_one() {
    let w = world().await;
    let paul = verified(&w).await;
    w.service.announce_patient(&op(), paul.id).await.unwrap();
    let token = w.outbox.announcements.lock().unwrap()[0].2.clone();
    let wrong = w
        .service
        .answer_announcement("0", Answer::Object, "test")
        .await;
    assert!(matches!(wrong, Err(ServiceError::NotFound(_))), "{wrong:?}");
    w.service
        .answer_announcement(&token, Answer::Object, "web")
        .await
        .unwrap();
    assert!(
        w.service
            .account_by_address(&paul.address)
            .await
            .unwrap()
            .is_none()
    );
    // Registered again, it is not announced again (AC-3); nor by a staff member
    // without the duty (AC-1).
    let again = verified(&w).await;
    match w
        .service
        .announce_patient(&op(), again.id)
        .await
        .unwrap_err()
    {
        ServiceError::Refused(refusal) => assert_eq!(refusal.requirement.to_string(), "AC-3"),
        other => panic!("{other:?}"),
    }
    let auditor = person(&w, "audit", "810003090833", true).await;
    let as_auditor = caduceus_service::actor::testing::staff(auditor.id, Role::Auditor);
    let denied = w.service.open_in_person(&as_auditor, again.id).await;
    assert!(
        matches!(denied, Err(ServiceError::Denied { .. })),
        "{denied:?}"
    );
    // The patient, present, accepts: open, and the objection lifted.
    w.service.open_in_person(&op(), again.id).await.unwrap();
    assert_eq!(state(&w, &again).await, AccountState::Active);
}

#[tokio::test]
async fn id5_the_consoles_verification_announces_a_patient_rather_than_activating_it() {
    let w = world().await;
    let paul = registered(&w).await;
    let contact = contact_of(&paul);
    let evidence = Evidence::IdentityDocument;
    w.service
        .verify_and_activate(&op(), paul.id, evidence, Some(&contact))
        .await
        .unwrap();
    assert_eq!(state(&w, &paul).await, AccountState::Announced);
    assert_eq!(w.outbox.announcements.lock().unwrap().len(), 1);
    // With no relay, nothing is announced: the six weeks run from a notice sent.
    let w = world().await;
    let paul = registered(&w).await;
    w.outbox
        .down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let refused = w
        .service
        .verify_and_activate(&op(), paul.id, evidence, Some(&contact))
        .await;
    assert!(
        matches!(refused, Err(ServiceError::Unavailable(_))),
        "{refused:?}"
    );
    assert_eq!(state(&w, &paul).await, AccountState::Verified);
}
