//! The holder's rights on every backend (AC-3): correction requests kept per account
//! and gone with it, the holder's own traces found by actor.

use caduceus_audit::{Action, Event, Object, Who};
use caduceus_store::*;

use super::{Harness, event, now, professional};

pub async fn ac3_correction_requests_and_own_traces_are_kept_per_account(h: Harness) {
    let alice = professional(&h, "alice", "10003090833").await;
    let bob = professional(&h, "bob", "10000000009").await;
    let by = |account: &Account| {
        let mut asked = Event::new(
            now().as_millis(),
            Who::from(account.id),
            Action::CorrectionRequest,
            Object::of(account.id),
        );
        asked.source = Some("test".into());
        asked
    };
    let asked = h
        .store
        .request_correction(alice.id, "Prénom : Alicia", now(), &by(&alice))
        .await
        .unwrap();
    assert_eq!(asked.account, alice.id);
    h.store
        .request_correction(bob.id, "Profession : sage-femme", now(), &by(&bob))
        .await
        .unwrap();
    let hers = h.store.correction_requests(Some(alice.id)).await.unwrap();
    assert_eq!(hers, vec![asked]);
    assert_eq!(h.store.correction_requests(None).await.unwrap().len(), 2);
    // Her own traces: the request, not bob's nor the system's.
    let own = h
        .store
        .trace_entries_by_actor(&alice.id.to_string(), 100)
        .await
        .unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].action, "account.correction_request");
    // Gone with her account (RT-2).
    h.store
        .destroy_account(alice.id, &event(Action::AccountDelete, alice.id))
        .await
        .unwrap();
    let left = h.store.correction_requests(None).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].account, bob.id);
}

/// Staff roles with their scopes (AC-1): an operator-wide role reads back as such,
/// a scoped one with its scope; granted again, a role takes the new scope (one per
/// person and role); revoked, it is gone, and the roles go with the account (RT-2).
pub async fn ac1_staff_roles_keep_their_scope_one_per_role(h: Harness) {
    let rita = professional(&h, "rita", "10003090833").await;
    let grant = |role: &str, scope: &str| StaffGrant {
        role: role.into(),
        scope: scope.into(),
    };
    let staff = || event(Action::StaffRole, rita.id);
    let ra = grant("ra", "structure-1750048886");
    h.store
        .set_staff_role(rita.id, &ra, Some(now()), &staff())
        .await
        .unwrap();
    let auditor = grant("auditor", "operator");
    h.store
        .set_staff_role(rita.id, &auditor, Some(now()), &staff())
        .await
        .unwrap();
    assert_eq!(
        h.store.staff_roles(rita.id).await.unwrap(),
        vec![auditor.clone(), ra]
    );
    let moved = grant("ra", "structure-3373282932000074");
    h.store
        .set_staff_role(rita.id, &moved, Some(now()), &staff())
        .await
        .unwrap();
    assert_eq!(
        h.store.staff_roles(rita.id).await.unwrap(),
        vec![auditor.clone(), moved.clone()]
    );
    assert_eq!(h.store.staff_members().await.unwrap(), 1);
    h.store
        .set_staff_role(rita.id, &moved, None, &staff())
        .await
        .unwrap();
    assert_eq!(h.store.staff_roles(rita.id).await.unwrap(), vec![auditor]);
    h.store
        .destroy_account(rita.id, &event(Action::AccountDelete, rita.id))
        .await
        .unwrap();
    assert_eq!(h.store.staff_members().await.unwrap(), 0);
}

/// A self-registration (ID-1): the register's activities read back by identifier; a
/// confirmed one verified with its token until confirmed once, a referred one pending
/// in the queue with what was presented; both gone with their account (RT-2).
pub async fn id1_self_registrations_are_stored_confirmed_once_and_queued(h: Harness) {
    use caduceus_core::enrolment::{Mismatch, Proof, RegisterRecord};
    use caduceus_core::{AccountKind, Evidence, MailAddress, NationalId, RegistryId, Timestamp};

    let record = RegisterRecord {
        family_name: "Bonnet".into(),
        given_name: Some("Stéphane".into()),
        profession_code: "10".into(),
        profession_label: "Médecin".into(),
    };
    let person = DirectoryPerson {
        key: "811203039653|R1".into(),
        fingerprint: vec![1; 32],
        national_id: "811203039653".into(),
        phone: None,
        register: record.clone(),
    };
    let changes = DirectoryChanges {
        upsert_people: vec![person],
        ..DirectoryChanges::default()
    };
    let import = event(Action::AccountCreate, caduceus_audit::AccountRef(0));
    h.store.apply_directory(&changes, &import).await.unwrap();
    assert_eq!(
        h.store.register_records("811203039653").await.unwrap(),
        [record]
    );
    assert!(
        h.store
            .register_records("810000000009")
            .await
            .unwrap()
            .is_empty()
    );

    let contact = MailAddress::parse("s.bonnet@example.org").unwrap();
    let account = |local: &str, id: &str| NewAccount {
        address: MailAddress::parse(&format!("{local}@caduceus.test")).unwrap(),
        kind: AccountKind::Professional,
        identity: RegistryId::National(NationalId::parse(id).unwrap()),
        display_name: local.into(),
        at: now(),
    };
    let traced = |id: AccountId| {
        vec![Event::new(
            now().as_millis(),
            Who::from(id),
            Action::SelfRegister,
            Object::of(id),
        )]
    };
    let verification = Verification {
        verified_by: "self-registration".into(),
        evidence: Evidence::CpsCard,
        at: now(),
    };
    let bonnet = account("bonnet", "811203039653");
    let token = [7u8; 32];
    let confirmed = NewRegistration {
        account: &bonnet,
        contact: &contact,
        proof: Proof::Card,
        family_name: Some("BONNET"),
        given_name: Some("Stéphane"),
        verdict: Ok(Confirmation {
            verification: &verification,
            token_hash: token,
            expires: Timestamp::from_millis(now().as_millis() + 1000),
        }),
    };
    let made = h
        .store
        .create_registration(&confirmed, &traced)
        .await
        .unwrap();
    assert_eq!(made.state, caduceus_core::AccountState::Verified);
    assert_eq!(
        h.store.contact_email(made.id).await.unwrap(),
        Some(contact.clone())
    );
    assert_eq!(
        h.store.verifications(made.id).await.unwrap(),
        std::slice::from_ref(&verification)
    );
    let arnold = account("arnold", "811202564511");
    let referred = NewRegistration {
        account: &arnold,
        contact: &contact,
        proof: Proof::ProSanteConnect,
        family_name: Some("Arnold"),
        given_name: None,
        verdict: Err(Mismatch::FamilyName),
    };
    let waiting = h
        .store
        .create_registration(&referred, &traced)
        .await
        .unwrap();
    assert_eq!(waiting.state, caduceus_core::AccountState::Pending);
    let queue = h.store.registration_requests().await.unwrap();
    assert_eq!(queue.len(), 2);
    assert_eq!(queue[1].account, waiting.id);
    assert_eq!(queue[1].referred, Some(Mismatch::FamilyName));
    assert_eq!(queue[1].family_name.as_deref(), Some("Arnold"));
    assert_eq!(queue[0].referred, None);
    // The same address again: refused, nothing half-made.
    assert!(
        h.store
            .create_registration(&referred, &traced)
            .await
            .is_err()
    );
    assert_eq!(h.store.registration_requests().await.unwrap().len(), 2);

    // A wrong or expired token activates nothing; the right one once.
    let later = Timestamp::from_millis(now().as_millis() + 2000);
    assert_eq!(
        h.store
            .confirm_registration(&[8; 32], now(), &traced)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        h.store
            .confirm_registration(&token, later, &traced)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        h.store
            .confirm_registration(&token, now(), &traced)
            .await
            .unwrap(),
        Some(made.id)
    );
    assert_eq!(
        h.store.account(made.id).await.unwrap().state,
        caduceus_core::AccountState::Active
    );
    assert_eq!(
        h.store
            .confirm_registration(&token, now(), &traced)
            .await
            .unwrap(),
        None
    );
    // Out of the queue once active; the referred one gone with its account.
    assert_eq!(h.store.registration_requests().await.unwrap().len(), 1);
    h.store
        .destroy_account(waiting.id, &event(Action::AccountDelete, waiting.id))
        .await
        .unwrap();
    assert!(h.store.registration_requests().await.unwrap().is_empty());
    let actors = h
        .store
        .trace_entries_by_actor(&made.id.to_string(), 10)
        .await
        .unwrap();
    assert_eq!(actors.len(), 2, "registered and confirmed, by the account");
}
