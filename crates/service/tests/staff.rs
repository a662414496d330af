//! Staff roles (AC-1, AC-2): granted by the operator only, to personal accounts; each
//! role holds its duties and no other; no staff caller opens a mailbox; actions are
//! traced with the person and the role.

mod common;

use caduceus_core::Requirement;
use caduceus_core::{AccountKind, AccountState, Evidence, NationalId, RegistryId, Role};
use caduceus_service::ServiceError;
use caduceus_service::accounts::Registration;
use caduceus_service::actor::testing;
use caduceus_service::auth::Credentials;
use common::*;

fn denied(result: Result<impl std::fmt::Debug, ServiceError>) -> bool {
    matches!(
        result,
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1 | Requirement::Ac2,
            ..
        })
    )
}

fn pending(local: &str, id: &str) -> Registration {
    Registration {
        address: Some(addr(&format!("{local}@caduceus.test"))),
        kind: AccountKind::Professional,
        identity: RegistryId::National(NationalId::parse(id).unwrap()),
        display_name: local.into(),
    }
}

#[tokio::test]
async fn ac1_roles_are_granted_by_the_operator_to_named_people_only() {
    let w = world().await;
    let alice = strong(&w, "alice", "810003090833").await;
    let id = alice.account().id;
    // Not by a user, not by staff; not to an organisational mailbox.
    assert!(denied(
        w.service
            .set_staff_role(&alice.caller(), id, Role::Administrator, true)
            .await
    ));
    let org = organisation(&w, "cardio").await;
    assert!(matches!(
        w.service
            .set_staff_role(&op(), org.id, Role::Auditor, true)
            .await,
        Err(ServiceError::Invalid(_))
    ));
    // Without the role, no staff caller.
    assert!(denied(
        w.service
            .staff_caller(&alice, Role::RegistrationAuthority)
            .await
    ));
    w.service
        .set_staff_role(&op(), id, Role::RegistrationAuthority, true)
        .await
        .unwrap();
    assert_eq!(
        w.service.staff_roles(id).await.unwrap(),
        [Role::RegistrationAuthority]
    );
    assert!(
        w.service
            .staff_caller(&alice, Role::RegistrationAuthority)
            .await
            .is_ok()
    );
    assert!(denied(w.service.staff_caller(&alice, Role::Auditor).await));
    // A device login (a mail client) never acts as staff.
    let device = w.service.add_device(&alice, "Thunderbird").await.unwrap();
    let weak = w
        .service
        .login(
            &alice.account().address,
            Credentials::Device {
                credential: &device.credential,
            },
            "imap",
        )
        .await
        .unwrap();
    assert!(denied(
        w.service
            .staff_caller(&weak, Role::RegistrationAuthority)
            .await
    ));
    // Revoked: the role is gone at once.
    w.service
        .set_staff_role(&op(), id, Role::RegistrationAuthority, false)
        .await
        .unwrap();
    assert!(denied(
        w.service
            .staff_caller(&alice, Role::RegistrationAuthority)
            .await
    ));
    let trail = actions(&w).await;
    assert_eq!(
        trail.iter().filter(|a| *a == "account.staff_role").count(),
        2
    );
}

#[tokio::test]
async fn ac1_each_role_does_its_duties_and_no_other() {
    let w = world().await;
    let alice = strong(&w, "alice", "810003090833").await;
    let id = alice.account().id;
    for role in Role::ALL {
        w.service
            .set_staff_role(&op(), id, role, true)
            .await
            .unwrap();
    }
    let ra = w
        .service
        .staff_caller(&alice, Role::RegistrationAuthority)
        .await
        .unwrap();
    let admin = w
        .service
        .staff_caller(&alice, Role::Administrator)
        .await
        .unwrap();
    let auditor = w.service.staff_caller(&alice, Role::Auditor).await.unwrap();
    let key = w.signer.verifying_key();

    // Registration authority: register, verify, activate; nothing else.
    let new = w
        .service
        .register(&ra, pending("nouveau", "810000000009"))
        .await
        .unwrap();
    w.service
        .verify_identity(&ra, new.id, Evidence::CpsCard, "Alice (RA)")
        .await
        .unwrap();
    w.service
        .set_contact_email(&ra, new.id, Some(&contact_of(&new)))
        .await
        .unwrap();
    w.service
        .set_state(&ra, new.id, AccountState::Active)
        .await
        .unwrap();
    assert!(denied(w.service.import_mailboxes(&ra, "").await));
    assert!(denied(w.service.verify_traces(&ra, &key).await));
    assert!(denied(w.service.alerts(&ra).await));
    // Administrator: accounts, directory, alerts; not the traces.
    assert!(w.service.accounts(&admin).await.unwrap().len() >= 2);
    assert!(w.service.alerts(&admin).await.is_ok());
    assert!(w.service.directory_imports(&admin).await.is_ok());
    assert!(denied(w.service.verify_traces(&admin, &key).await));
    assert!(denied(w.service.recent_traces(&admin, 1, 10).await));
    // Auditor: traces and alerts; changes nothing.
    assert!(
        w.service
            .verify_traces(&auditor, &key)
            .await
            .unwrap()
            .is_ok()
    );
    let recent = w.service.recent_traces(&auditor, 1, 1000).await.unwrap();
    assert!(!recent.is_empty());
    assert!(denied(
        w.service
            .set_state(&auditor, new.id, AccountState::Suspended)
            .await
    ));
    assert!(denied(
        w.service
            .register(&auditor, pending("autre", "810100000008"))
            .await
    ));
    // No staff role grants roles.
    assert!(denied(
        w.service
            .set_staff_role(&admin, new.id, Role::Auditor, true)
            .await
    ));
    // Traces name the person and the role.
    let ra_actor = format!("op:ra:{id}");
    assert!(
        recent
            .iter()
            .any(|e| e.actor == ra_actor && e.action == "account.verify")
    );
}

#[tokio::test]
async fn ac2_no_staff_caller_opens_a_mailbox() {
    let w = world().await;
    let alice = strong(&w, "alice", "810003090833").await;
    let bob = person(&w, "bob", "810000000009", true).await;
    w.service
        .deliver_local(&op(), std::slice::from_ref(&bob.address), RAW)
        .await
        .unwrap();
    for role in Role::ALL {
        w.service
            .set_staff_role(&op(), alice.account().id, role, true)
            .await
            .unwrap();
        let staff = w.service.staff_caller(&alice, role).await.unwrap();
        for owner in [bob.id, alice.account().id] {
            assert!(
                matches!(
                    w.service.authorize(&staff, owner).await,
                    Err(ServiceError::Denied {
                        requirement: Requirement::Ac2,
                        ..
                    })
                ),
                "{role} opened a mailbox"
            );
        }
    }
    // Her own mailbox she opens as herself, not as staff.
    assert!(
        w.service
            .authorize(
                &testing::account(alice.account().id, "web"),
                alice.account().id
            )
            .await
            .is_ok()
    );
}
