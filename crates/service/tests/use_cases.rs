//! The service's use cases on a real (SQLite) store: the rules and access checks hold,
//! and every action leaves its trace. Front-end tests repeat these over the wire.

use caduceus_core::Requirement;
use caduceus_core::{
    AccountKind, AccountState, Evidence, Ins, NationalId, RegistryId, SecretString,
};
use caduceus_service::ServiceError;
use caduceus_service::accounts::Registration;
use caduceus_service::actor::testing;
use caduceus_store::Store;

mod common;

use common::*;

#[tokio::test]
async fn id2_unverified_recipient_is_refused_and_the_refusal_traced() {
    let w = world().await;
    person(&w, "alice", "810003090833", true).await;
    person(&w, "bob", "810000000009", false).await;
    let err = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], RAW)
        .await
        .unwrap_err();
    let ServiceError::Refused(refusal) = err else {
        panic!("{err}")
    };
    assert_eq!(refusal.requirement, "MS-2");
    assert!(refusal.reason.contains("not a verified mailbox"));
    assert_eq!(actions(&w).await.last().unwrap(), "message.refuse");
}

#[tokio::test]
async fn ms2_unknown_recipient_and_ms12_too_many_recipients_are_refused() {
    let w = world().await;
    person(&w, "alice", "810003090833", true).await;
    let err = w
        .service
        .deliver_local(
            &testing::system(),
            &[addr("alice@caduceus.test"), addr("ghost@caduceus.test")],
            RAW,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Refused(r) if r.requirement == "MS-2"),
        "{err}"
    );
    let four: Vec<_> = (0..4).map(|_| addr("alice@caduceus.test")).collect();
    let err = w
        .service
        .deliver_local(&testing::system(), &four, RAW)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ServiceError::Refused(r) if r.requirement == "MS-12"),
        "{err}"
    );
    // Nothing was stored.
    let inbox = w
        .store
        .mailbox(
            w.service
                .account_by_address(&addr("alice@caduceus.test"))
                .await
                .unwrap()
                .unwrap()
                .id,
            "INBOX",
        )
        .await
        .unwrap()
        .unwrap();
    assert!(w.store.messages(inbox.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn ac1_another_users_mailbox_is_out_of_reach() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let delivered = w
        .service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], RAW)
        .await
        .unwrap();
    let message = delivered[0].message;
    let as_alice = testing::account(alice.id, "127.0.0.1:1");
    let err = w.service.authorize(&as_alice, bob.id).await.unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Denied {
                requirement: Requirement::Ac1,
                ..
            }
        ),
        "{err}"
    );
    // With her own access, Bob's message id is simply not found.
    let own = w.service.authorize(&as_alice, alice.id).await.unwrap();
    let err = w.service.read_message(&own, message).await.unwrap_err();
    assert!(matches!(err, ServiceError::NotFound(_)), "{err}");
    let err = w.service.delete_message(&own, message).await.unwrap_err();
    assert!(matches!(err, ServiceError::NotFound(_)), "{err}");
    // Bob reads it, and the read is traced.
    let bobs = w
        .service
        .authorize(&testing::account(bob.id, "127.0.0.1:2"), bob.id)
        .await
        .unwrap();
    let read = w.service.read_message(&bobs, message).await.unwrap();
    assert_eq!(read.raw, RAW);
    assert_eq!(read.meta().subject.as_deref(), Some("Bilan Mme Zorglub"));
    assert_eq!(actions(&w).await.last().unwrap(), "message.read");
}

/// FETCH and the webmail open messages by folder: a message id from another
/// folder, or another user's, is not found, whatever the opening, and nothing is
/// read or traced (AC-1).
#[tokio::test]
async fn ac1_messages_open_only_from_the_folder_named() {
    use caduceus_service::folders::Opening;
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let delivered = |to: &'static str| {
        let service = w.service.clone();
        async move {
            service
                .deliver_local(&testing::system(), &[addr(to)], RAW)
                .await
                .unwrap()[0]
                .message
        }
    };
    let hers = delivered("alice@caduceus.test").await;
    let his = delivered("bob@caduceus.test").await;
    let own = w
        .service
        .authorize(&testing::account(alice.id, "127.0.0.1:1"), alice.id)
        .await
        .unwrap();
    let bobs = w
        .service
        .authorize(&testing::account(bob.id, "127.0.0.1:2"), bob.id)
        .await
        .unwrap();
    let (inbox, _) = w.service.open_folder(&own, "INBOX").await.unwrap();
    let (sent, _) = w.service.open_folder(&own, "Sent").await.unwrap();
    let (bobs_inbox, _) = w.service.open_folder(&bobs, "INBOX").await.unwrap();
    let refused = [
        // Bob's message through Alice's INBOX, alone or among hers.
        (inbox.id, vec![his]),
        (inbox.id, vec![hers, his]),
        // Her own message, named through a folder it is not in.
        (sent.id, vec![hers]),
        // Bob's folder, with Alice's access.
        (bobs_inbox.id, vec![his]),
    ];
    let traced = actions(&w).await.len();
    for opening in [
        Opening::Read,
        Opening::Headers,
        Opening::Search,
        Opening::SearchHeaders,
    ] {
        for (folder, ids) in &refused {
            let err = w
                .service
                .open_messages(&own, *folder, ids, opening)
                .await
                .unwrap_err();
            assert!(matches!(err, ServiceError::NotFound(_)), "{err}");
        }
    }
    assert_eq!(
        actions(&w).await.len(),
        traced,
        "a refused read is not traced"
    );
    let read = w
        .service
        .open_messages(&own, inbox.id, &[hers], Opening::Read)
        .await
        .unwrap();
    assert_eq!(read[0].raw, RAW);
    assert_eq!(actions(&w).await.last().unwrap(), "message.read");
}

#[tokio::test]
async fn ac2_an_administrator_never_reaches_content() {
    let w = world().await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let err = w.service.authorize(&op(), bob.id).await.unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Denied {
                requirement: Requirement::Ac2,
                ..
            }
        ),
        "{err}"
    );
    // And a user cannot do the operator's work.
    let err = w
        .service
        .set_state(
            &testing::account(bob.id, "x"),
            bob.id,
            AccountState::Suspended,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::Denied {
                requirement: Requirement::Ac1,
                ..
            }
        ),
        "{err}"
    );
}

#[tokio::test]
async fn id3_delegate_acts_for_the_organisation_and_is_named_in_the_trace() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let org = organisation(&w, "cardio").await;
    w.service
        .add_delegate(&op(), org.id, alice.id)
        .await
        .unwrap();
    let d = w
        .service
        .deliver_local(&testing::system(), &[addr("cardio@caduceus.test")], RAW)
        .await
        .unwrap();
    let access = w
        .service
        .authorize(&testing::account(alice.id, "127.0.0.1:3"), org.id)
        .await
        .unwrap();
    w.service.read_message(&access, d[0].message).await.unwrap();
    let last = w
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.actor, alice.id.to_string(), "the physical person");
    assert_eq!(last.acting_for, Some(org.id.to_string()));
    // Bob is not a delegate.
    let err = w
        .service
        .authorize(&testing::account(bob.id, "x"), org.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
    // A patient or an organisation cannot be a delegate.
    let err = w
        .service
        .add_delegate(&op(), org.id, org.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err}");
    // Once the delegation is withdrawn, Alice cannot open the mailbox any more.
    w.service
        .remove_delegate(&op(), org.id, alice.id)
        .await
        .unwrap();
    let err = w
        .service
        .authorize(&testing::account(alice.id, "127.0.0.1:3"), org.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
    // Only an operator withdraws delegations.
    let err = w
        .service
        .remove_delegate(&testing::account(alice.id, "x"), org.id, alice.id)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
}

#[tokio::test]
async fn id5_patient_address_is_derived_from_the_ins() {
    let w = world().await;
    let ins = Ins::parse("295109912611193").unwrap();
    let patient = w
        .service
        .register(
            &op(),
            Registration {
                address: None,
                kind: AccountKind::Patient,
                identity: RegistryId::Patient(ins.clone()),
                display_name: "Camille".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        patient.address.as_str(),
        "295109912611193@patient.caduceus.test"
    );
    // A professional identity for a patient account, or a patient address for a
    // professional, is refused.
    for (address, kind) in [
        ("x@caduceus.test", AccountKind::Patient),
        (
            "295109912611193@patient.caduceus.test",
            AccountKind::Professional,
        ),
    ] {
        let err = w
            .service
            .register(
                &op(),
                Registration {
                    address: Some(addr(address)),
                    kind,
                    identity: RegistryId::National(NationalId::parse("810003090833").unwrap()),
                    display_name: "X".into(),
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(err, ServiceError::Invalid(_)), "{address}: {err}");
    }
}

#[tokio::test]
async fn id2_life_cycle_is_enforced() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", false).await;
    let err = w
        .service
        .set_state(&op(), alice.id, AccountState::Active)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("pending to active"), "{err}");
    let err = w
        .service
        .verify_identity(&op(), alice.id, Evidence::CpsCard, " ")
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_)), "{err}");
    w.service
        .verify_identity(&op(), alice.id, Evidence::CpsCard, "RA Test")
        .await
        .unwrap();
    let verifications = w.service.verifications(&op(), alice.id).await.unwrap();
    assert_eq!(verifications[0].verified_by, "RA Test");
    assert_eq!(verifications[0].evidence, Evidence::CpsCard);
}

#[tokio::test]
async fn au1_password_is_checked_hashed_and_verified() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let weak = SecretString::new("short".into());
    assert!(
        w.service
            .set_password(&op(), alice.id, &weak)
            .await
            .is_err()
    );
    let good = SecretString::new("Correct-Horse-42".into());
    w.service
        .set_password(&op(), alice.id, &good)
        .await
        .unwrap();
    let stored = w.store.password_hash(alice.id).await.unwrap().unwrap();
    assert!(stored.starts_with("$argon2id$") && !stored.contains("Correct"));
    assert!(w.service.password_matches(alice.id, &good).await.unwrap());
    let wrong = SecretString::new("Correct-Horse-43".into());
    assert!(!w.service.password_matches(alice.id, &wrong).await.unwrap());
}

#[tokio::test]
async fn rt3_deletion_is_immediate_and_rt2_closing_deletes_everything() {
    let w = world().await;
    let bob = person(&w, "bob", "810000000009", true).await;
    let d = w
        .service
        .deliver_local(
            &testing::system(),
            &[addr("bob@caduceus.test"), addr("bob@caduceus.test")],
            RAW,
        )
        .await
        .unwrap();
    let access = w
        .service
        .authorize(&testing::account(bob.id, "x"), bob.id)
        .await
        .unwrap();
    w.service
        .delete_message(&access, d[0].message)
        .await
        .unwrap();
    assert!(matches!(
        w.service
            .read_message(&access, d[0].message)
            .await
            .unwrap_err(),
        ServiceError::NotFound(_)
    ));
    let (_, listed) = w.service.open_folder(&access, "INBOX").await.unwrap();
    assert_eq!(listed.len(), 1);
    w.service.close_account(&op(), bob.id).await.unwrap();
    assert!(
        w.service
            .account_by_address(&addr("bob@caduceus.test"))
            .await
            .unwrap()
            .is_none()
    );
    let tail = actions(&w).await;
    assert_eq!(&tail[tail.len() - 2..], ["account.close", "account.delete"]);
}

#[tokio::test]
async fn tr2_purge_follows_the_retention_on_the_injected_clock() {
    let w = world().await;
    person(&w, "alice", "810003090833", true).await;
    let before = w.store.trace_entries(0, 1000).await.unwrap().len();
    w.clock.advance(caduceus_core::days(400));
    let report = w.service.purge_traces(&op()).await.unwrap();
    assert_eq!(report.removed as usize, before);
    let verdict = w
        .service
        .verify_traces(&op(), &w.signer.verifying_key())
        .await
        .unwrap();
    let report = verdict.unwrap();
    assert!(report.entries >= 1);
}

#[tokio::test]
async fn ms5_a_peer_operator_delivers_but_reaches_nothing_else() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let peer = testing::peer("autre-operateur.test", "192.0.2.25:4000");
    let delivered = w
        .service
        .deliver_local(&peer, std::slice::from_ref(&alice.address), RAW)
        .await
        .unwrap();
    assert_eq!(delivered.len(), 1);
    let last = w.store.trace_entries(0, 1000).await.unwrap().pop().unwrap();
    assert_eq!(last.actor, "peer:autre-operateur.test");
    // Not an operator: no account management, no mailbox access.
    let err = w.service.accounts(&peer).await.unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
    let err = w.service.authorize(&peer, alice.id).await.unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
}
