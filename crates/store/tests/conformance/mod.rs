//! The store conformance suite: written once, run against every backend
//! (`tests/sqlite.rs`, `tests/postgres.rs`), as rustls runs its API tests per provider.

// Each test binary builds one backend's harness; the other's constructor is unused there.
#[allow(dead_code)]
pub mod harness;

mod absence;
mod announcements;
mod auth;
mod chain;
mod codes;
mod contact;
mod directory;
mod group;
mod imap_state;
mod outbound;
mod passkeys;
mod rights;
mod sealing;
mod suite;
pub use absence::*;
pub use announcements::*;
pub use auth::*;
pub use chain::*;
pub use codes::*;
pub use contact::*;
pub use directory::*;
pub use group::*;
pub use imap_state::*;
pub use outbound::*;
pub use passkeys::*;
pub use rights::*;
pub use sealing::*;

use caduceus_audit::{
    AccountRef, Action, DirectoryPart, Event, Id, Marker, Object, TamperKind, Who,
};
use caduceus_core::{
    AccountKind, AccountState, Evidence, FailureState, MailAddress, NationalId, RegistryId,
    Timestamp,
};
use caduceus_store::*;

pub use harness::Harness;
use harness::contains;

const SUBJECT: &str = "Compte rendu Mme Dupont-Zorglub 2951099126111";
const BODY: &str = "Resultat HbA1c 7.9 pour la patiente Zorglubienne, a revoir";

pub(crate) fn now() -> Timestamp {
    Timestamp::from_millis(1_790_000_000_000)
}

pub fn event(action: Action, object: impl Into<Id>) -> Event {
    let mut event = Event::new(now().as_millis(), Who::System, action, Object::of(object));
    event.source = Some("test".into());
    event
}

fn raw_message() -> Vec<u8> {
    format!("From: a@caduceus.test\r\nTo: b@caduceus.test\r\nSubject: {SUBJECT}\r\n\r\n{BODY}\r\n")
        .into_bytes()
}

pub async fn professional(h: &Harness, local: &str, rpps: &str) -> Account {
    let new = NewAccount {
        address: MailAddress::parse(&format!("{local}@caduceus.test")).unwrap(),
        kind: AccountKind::Professional,
        identity: RegistryId::National(NationalId::parse(&format!("8{rpps}")).unwrap()),
        display_name: format!("Dr {local}"),
        at: now(),
    };
    h.store
        .create_account(&new, &event(Action::AccountCreate, AccountRef(0)))
        .await
        .unwrap()
}

pub async fn deliver_one(h: &Harness, to: &Account) -> Delivered {
    let inbox = h.store.mailbox(to.id, "INBOX").await.unwrap().unwrap();
    deliver_to(&h.store, to.id, inbox.id, vec![])
        .await
        .unwrap()
        .remove(0)
}

/// Delivers the test message to `mailbox` of `account` with `flags`, with its trace.
pub async fn deliver_to(
    store: &SqlStore,
    account: AccountId,
    mailbox: MailboxId,
    flags: Vec<String>,
) -> Result<Vec<Delivered>> {
    let raw = raw_message();
    let delivery = Delivery {
        raw: &raw,
        meta: SUBJECT.as_bytes(),
        internal: now(),
        targets: vec![Target {
            account,
            mailbox,
            flags,
        }],
        outbound: None,
        enveloped: Vec::new(),
        receipts: Vec::new(),
    };
    let trace = event(Action::MessageDeliver, mailbox);
    store.deliver(&delivery, &[trace]).await
}

/// Deletes `message` through the store, with its trace.
pub async fn delete(h: &Harness, message: MessageId) {
    h.store
        .delete_message(message, &event(Action::MessageDelete, message))
        .await
        .unwrap();
}

async fn blob_id_of(h: &Harness, message: MessageId) -> String {
    sqlx::query_scalar("SELECT blob_id FROM messages WHERE id = $1")
        .bind(message.0)
        .fetch_one(&h.raw)
        .await
        .unwrap()
}

async fn verify(h: &Harness) -> Result<caduceus_audit::Report, caduceus_audit::Tamper> {
    let entries = h.store.trace_entries(0, i64::MAX).await.unwrap();
    let checkpoints = h.store.checkpoints().await.unwrap();
    caduceus_audit::verify(entries, &checkpoints, &h.signer.verifying_key())
}

pub async fn id1_account_keeps_its_registry_identity(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    assert_eq!(a.state, AccountState::Pending);
    assert_eq!(a.identity.registry(), "rpps");
    assert_eq!(a.identity.stored_value(), "810003090833");
    let again = h.store.account(a.id).await.unwrap();
    assert_eq!(again.address, a.address);
    let by_address = h
        .store
        .account_by_address(&a.address)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_address.id, a.id);
    let missing = MailAddress::parse("nobody@caduceus.test").unwrap();
    assert!(
        h.store
            .account_by_address(&missing)
            .await
            .unwrap()
            .is_none()
    );
    // A page's addresses in one lookup (ID-4): those that are accounts.
    let found = h
        .store
        .accounts_by_address(&[missing, a.address.clone()])
        .await
        .unwrap();
    assert_eq!(found.iter().map(|f| f.id).collect::<Vec<_>>(), [a.id]);
    assert_eq!(h.store.accounts().await.unwrap().len(), 1);
}

pub async fn id1_duplicate_address_is_refused(h: Harness) {
    professional(&h, "alice", "10003090833").await;
    let new = NewAccount {
        address: MailAddress::parse("alice@caduceus.test").unwrap(),
        kind: AccountKind::Professional,
        identity: RegistryId::National(NationalId::parse("810003090833").unwrap()),
        display_name: "Other".into(),
        at: now(),
    };
    let err = h
        .store
        .create_account(&new, &event(Action::AccountCreate, AccountRef(0)))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert_eq!(h.store.accounts().await.unwrap().len(), 1);
}

pub async fn id2_verification_is_recorded_and_moves_the_state(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let v = Verification {
        verified_by: "ra@caduceus.test".into(),
        evidence: Evidence::CpsCard,
        at: now(),
    };
    let trace = event(Action::AccountVerify, a.id);
    let verified = h.store.record_verification(a.id, &v, &trace).await.unwrap();
    assert_eq!(verified.state, AccountState::Verified);
    assert_eq!(h.store.verifications(a.id).await.unwrap(), vec![v.clone()]);
    let err = h
        .store
        .record_verification(a.id, &v, &trace)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
}

pub async fn id3_delegates_are_listed(h: Harness) {
    let alice = professional(&h, "alice", "10003090833").await;
    let bob = professional(&h, "bob", "10000000009").await;
    let org = professional(&h, "secretariat", "10000000017").await;
    let trace = event(Action::AdminAction, org.id);
    h.store
        .add_delegate(org.id, alice.id, &trace)
        .await
        .unwrap();
    h.store.add_delegate(org.id, bob.id, &trace).await.unwrap();
    h.store.add_delegate(org.id, bob.id, &trace).await.unwrap();
    assert_eq!(
        h.store.delegates(org.id).await.unwrap(),
        vec![alice.id, bob.id]
    );
    assert!(h.store.delegates(alice.id).await.unwrap().is_empty());
    // ID-3: the other way round, what a person is a delegate of (IMAP's shared
    // namespace lists them).
    assert_eq!(h.store.delegated_to(bob.id).await.unwrap(), vec![org.id]);
    assert!(h.store.delegated_to(org.id).await.unwrap().is_empty());
}

pub async fn id7_representations_are_listed_by_patient_and_by_representative(h: Harness) {
    use caduceus_core::representation::{Capacity, CapacityEvidence};
    let child = professional(&h, "child", "10003090833").await;
    let parent = professional(&h, "parent", "10000000009").await;
    let representation = caduceus_store::Representation {
        patient: child.id,
        representative: parent.id,
        capacity: Capacity::Parent,
        evidence: CapacityEvidence::FamilyRecord,
        until: None,
        registered: caduceus_core::Timestamp::from_millis(1),
    };
    let trace = event(Action::AdminAction, child.id);
    h.store
        .set_representative(&representation, &trace)
        .await
        .unwrap();
    assert_eq!(
        h.store.representatives(child.id).await.unwrap(),
        vec![representation.clone()]
    );
    // What IMAP's shared namespace lists for the representative (ID-7).
    assert_eq!(
        h.store.represented_by(parent.id).await.unwrap(),
        vec![representation]
    );
    assert!(h.store.represented_by(child.id).await.unwrap().is_empty());
}

pub async fn ms6_accounts_start_with_special_use_folders(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let boxes = h.store.mailboxes(a.id).await.unwrap();
    let names: Vec<_> = boxes.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        ["INBOX", "Sent", "Drafts", "Trash", "Archive", "Junk"]
    );
    let sent = boxes.iter().find(|b| b.name == "Sent").unwrap();
    assert_eq!(sent.special_use.as_deref(), Some("\\Sent"));
    assert!(boxes.iter().all(|b| b.uidnext == 1 && b.uidvalidity > 0));
}

pub async fn ms6_folders_are_made_renamed_deleted_and_messages_copied_and_moved(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let trace = |action| event(action, a.id);
    let made = h
        .store
        .create_mailbox(a.id, "Cardio", now(), &trace(Action::MailboxCreate))
        .await
        .unwrap();
    assert_eq!((made.uidnext, made.highest_modseq), (1, 1));
    h.store
        .create_mailbox(a.id, "Cardio/2026", now(), &trace(Action::MailboxCreate))
        .await
        .unwrap();
    let taken = h
        .store
        .create_mailbox(a.id, "Cardio", now(), &trace(Action::MailboxCreate))
        .await
        .unwrap_err();
    assert!(matches!(taken, StoreError::Conflict { .. }), "{taken}");
    h.store
        .rename_mailbox(a.id, "Cardio", "Cardiologie", &trace(Action::MailboxRename))
        .await
        .unwrap();
    let names: Vec<String> = h
        .store
        .mailboxes(a.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.name)
        .collect();
    assert!(names.contains(&"Cardiologie/2026".to_owned()), "{names:?}");
    assert!(!names.iter().any(|n| n.starts_with("Cardio/")), "{names:?}");

    // Copy then move: new UIDs in the target, the copy keeps its body when the
    // original is deleted (its own key, RT-3).
    let d = deliver_one(&h, &a).await;
    let target = h.store.mailbox(a.id, "Cardiologie").await.unwrap().unwrap();
    let copies = h
        .store
        .copy_messages(
            &[d.message],
            a.id,
            target.id,
            now(),
            &[trace(Action::MessageCopy)],
        )
        .await
        .unwrap();
    assert_eq!(copies[0].uid, 1);
    let archive = h.store.mailbox(a.id, "Archive").await.unwrap().unwrap();
    let moved = h
        .store
        .move_messages(
            &[d.message],
            a.id,
            archive.id,
            &[trace(Action::MessageMove)],
        )
        .await
        .unwrap();
    assert_eq!((moved[0].message, moved[0].uid), (d.message, 1));
    assert_eq!(
        h.store.message(d.message).await.unwrap().mailbox,
        archive.id
    );
    let inbox = h.store.mailbox(a.id, "INBOX").await.unwrap().unwrap();
    assert!(
        inbox.highest_modseq > 2,
        "the source folder's MODSEQ moved on"
    );
    delete(&h, d.message).await;
    let read = event(Action::MessageRead, copies[0].message);
    assert_eq!(
        h.store
            .open_message(copies[0].message, &read)
            .await
            .unwrap()
            .raw,
        raw_message()
    );
    // Deleting a folder deletes its messages for good.
    h.store
        .delete_mailbox(target.id, &trace(Action::MailboxDelete))
        .await
        .unwrap();
    assert!(matches!(
        h.store.message(copies[0].message).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    assert!(verify(&h).await.is_ok());
}

/// RFC 3501 §2.3.1.1 (MS-6): a folder deleted and made again under the same name,
/// in the same second, gets another UIDVALIDITY; so does INBOX's name-sake.
pub async fn rfc3501_a_folder_made_again_under_its_name_gets_a_new_uidvalidity(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let inbox = h.store.mailbox(a.id, "INBOX").await.unwrap().unwrap();
    let trace = |action| event(action, a.id);
    let at = now();
    let mut seen = vec![inbox.uidvalidity];
    for _ in 0..3 {
        let made = h
            .store
            .create_mailbox(a.id, "Cardio", at, &trace(Action::MailboxCreate))
            .await
            .unwrap();
        assert!(
            !seen.contains(&made.uidvalidity),
            "{} given again after {seen:?}",
            made.uidvalidity
        );
        seen.push(made.uidvalidity);
        h.store
            .delete_mailbox(made.id, &trace(Action::MailboxDelete))
            .await
            .unwrap();
    }
    assert!(seen.iter().all(|&v| v > 0 && v < 1 << 32), "{seen:?}");
}

pub async fn tr2_a_job_lease_is_held_by_one_node_until_it_ends(h: Harness) {
    let t = |s: i64| Timestamp::from_millis(1_790_000_000_000 + s * 1000);
    let lease =
        |node: &'static str, at: i64| h.store.take_job_lease("purge", node, t(at), t(at + 60));
    assert!(lease("a", 0).await.unwrap());
    assert!(!lease("b", 30).await.unwrap());
    assert!(!lease("a", 30).await.unwrap(), "not renewed before it ends");
    assert!(lease("b", 60).await.unwrap());
    assert!(!lease("a", 90).await.unwrap());
}

pub async fn deliver_assigns_uids_and_modseqs_in_one_transaction(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bob", "10000000009").await;
    let inbox_a = h.store.mailbox(a.id, "INBOX").await.unwrap().unwrap();
    let inbox_b = h.store.mailbox(b.id, "INBOX").await.unwrap().unwrap();
    let raw = raw_message();
    let targets = vec![
        Target {
            account: a.id,
            mailbox: inbox_a.id,
            flags: vec![],
        },
        Target {
            account: b.id,
            mailbox: inbox_b.id,
            flags: vec!["\\Recent".into()],
        },
    ];
    let delivery = Delivery {
        raw: &raw,
        meta: b"m",
        internal: now(),
        targets,
        outbound: None,
        enveloped: Vec::new(),
        receipts: Vec::new(),
    };
    let traces = [
        event(Action::MessageDeliver, a.id),
        event(Action::MessageDeliver, b.id),
    ];
    let first = h.store.deliver(&delivery, &traces).await.unwrap();
    let second = h.store.deliver(&delivery, &traces).await.unwrap();
    let logged = h.store.trace_entries(0, 100).await.unwrap();
    let last = logged.last().unwrap();
    assert_eq!(last.object, format!("{} {}", b.id, second[1].message));
    assert_eq!((first[0].uid, second[0].uid), (1, 2));
    assert_eq!((first[1].uid, second[1].uid), (1, 2));
    assert!(second[0].modseq > first[0].modseq);
    let listed = h.store.messages(inbox_b.id).await.unwrap();
    assert_eq!(listed.iter().map(|m| m.uid).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(listed[0].flags, ["\\Recent"]);
    assert_eq!(listed[0].size, raw.len() as i64);
    let inbox_a = h.store.mailbox(a.id, "INBOX").await.unwrap().unwrap();
    assert_eq!(inbox_a.uidnext, 3);
    // A target mailbox that is not the account's is refused and nothing is stored.
    let wrong = Delivery {
        raw: &raw,
        meta: b"m",
        internal: now(),
        targets: vec![Target {
            account: a.id,
            mailbox: inbox_b.id,
            flags: vec![],
        }],
        outbound: None,
        enveloped: Vec::new(),
        receipts: Vec::new(),
    };
    assert!(h.store.deliver(&wrong, &traces[..1]).await.is_err());
    assert!(
        h.store.deliver(&delivery, &traces[..1]).await.is_err(),
        "one trace per target"
    );
    assert_eq!(h.store.messages(inbox_b.id).await.unwrap().len(), 2);
}

/// Rows of `table` where `column` is `value`, read as a DBA would.
async fn rows(h: &Harness, table: &str, column: &str, value: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE CAST({column} AS TEXT) = '{value}'");
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .fetch_one(&h.raw)
        .await
        .unwrap()
}

pub async fn rt2_a_deleted_account_leaves_nothing_keyed_by_it(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let patient = professional(&h, "camille", "10000000009").await;
    let address = a.address.as_str().to_owned();
    let subject = a.id.to_string();
    let failed = FailureState {
        failures: 2,
        last_failure: Some(now()),
        locked_until: None,
    };
    h.store.set_failure_state(&subject, &failed).await.unwrap();
    let trace = event(Action::AuthLockout, a.id);
    h.store
        .raise_alert(now(), "auth.lockout", &subject, "failures:10", &trace)
        .await
        .unwrap();
    let block = event(Action::PatientBlock, patient.id);
    h.store
        .set_patient_block(patient.address.as_str(), &address, true, now(), &block)
        .await
        .unwrap();
    let prefs = event(Action::DirectoryPreferences, a.id);
    let chosen = DirectoryPreferences {
        liste_rouge: true,
        phone_consent: false,
    };
    h.store
        .set_directory_preferences(&address, chosen, &prefs)
        .await
        .unwrap();
    let d = deliver_one(&h, &patient).await;
    h.store
        .link_message_patients(&[(d.message, patient.id)])
        .await
        .unwrap();
    h.store
        .record_patient_accesses(a.id, "message.read", &[d.message], now())
        .await
        .unwrap();
    let id = a.id.0.to_string();
    assert_eq!(rows(&h, "patient_accesses", "actor_account", &id).await, 1);
    let registering = NewCeremony {
        id_hash: &[9u8; 32],
        kind: caduceus_core::passkey::CeremonyKind::Registration,
        account: Some(a.id),
        state: "{}",
        begun: now(),
        expires: Timestamp::from_millis(now().as_millis() + 300_000),
    };
    h.store.add_ceremony(&registering).await.unwrap();
    assert_eq!(rows(&h, "passkey_ceremonies", "account_id", &id).await, 1);
    // A signature and an out-of-office reply recorded (MS-6).
    let signed = event(Action::SignatureSet, a.id);
    h.store.set_signature(a.id, "Dr A", &signed).await.unwrap();
    let carla = MailAddress::parse("carla@autre.test").unwrap();
    h.store
        .claim_absence_reply(a.id, &carla, now())
        .await
        .unwrap();
    leave_a_pending_contact_change(&h, a.id).await;

    h.store
        .destroy_account(a.id, &event(Action::AccountDelete, a.id))
        .await
        .unwrap();
    for (table, column, value) in [
        ("auth_failures", "subject", subject.as_str()),
        ("alerts", "subject", subject.as_str()),
        ("patient_blocks", "professional", address.as_str()),
        ("directory_preferences", "address", address.as_str()),
        ("patient_accesses", "actor_account", &a.id.0.to_string()),
        ("uidvalidity_last", "account_id", &a.id.0.to_string()),
        ("subscriptions", "account_id", &a.id.0.to_string()),
        ("passkey_ceremonies", "account_id", &a.id.0.to_string()),
        ("mail_settings", "account_id", &a.id.0.to_string()),
        ("absence_replies", "account_id", &a.id.0.to_string()),
        ("contact_confirmations", "account_id", &a.id.0.to_string()),
        ("accounts", "address", address.as_str()),
    ] {
        assert_eq!(
            rows(&h, table, column, value).await,
            0,
            "{table} keeps {column}"
        );
    }
}

pub async fn tr2_rows_kept_for_a_time_are_purged(h: Harness) {
    let year = 365 * 86_400_000;
    let old = Timestamp::from_millis(now().as_millis() - year - 1);
    let trace = event(Action::AuthLockout, AccountRef(1));
    for (at, subject) in [(old, "acct:1"), (now(), "acct:2")] {
        h.store
            .raise_alert(at, "auth.lockout", subject, "failures:10", &trace)
            .await
            .unwrap();
    }
    let stale = FailureState {
        failures: 3,
        last_failure: Some(old),
        locked_until: None,
    };
    let fresh = FailureState {
        last_failure: Some(now()),
        ..stale
    };
    h.store
        .set_failure_state("ip:10.0.0.1", &stale)
        .await
        .unwrap();
    h.store
        .set_failure_state("ip:10.0.0.2", &fresh)
        .await
        .unwrap();
    let before = Timestamp::from_millis(now().as_millis() - year);
    let removed = h.store.purge_expired(now(), before).await.unwrap();
    assert_eq!(removed, 2, "the old alert and the stale counter");
    assert_eq!(rows(&h, "alerts", "subject", "acct:1").await, 0);
    assert_eq!(rows(&h, "alerts", "subject", "acct:2").await, 1);
    assert_eq!(
        h.store.failure_state("ip:10.0.0.1").await.unwrap(),
        FailureState::default()
    );
    assert_eq!(h.store.failure_state("ip:10.0.0.2").await.unwrap(), fresh);
}

pub async fn ms14_personal_folders_and_keywords_are_found_among_references(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let keyword = deliver_one(&h, &a).await;
    let plain = deliver_one(&h, &a).await;
    let moved = deliver_one(&h, &a).await;
    h.store
        .set_flags(
            keyword.message,
            &["\\Seen".to_owned(), "$personal".to_owned()],
            &event(Action::MessageFlag, keyword.message),
        )
        .await
        .unwrap();
    let private = h
        .store
        .create_mailbox(a.id, "Privé", now(), &event(Action::MailboxCreate, a.id))
        .await
        .unwrap();
    let mark = event(Action::MailboxPersonal, private.id);
    for _ in 0..2 {
        h.store
            .set_mailbox_personal(private.id, Some(now()), &mark)
            .await
            .unwrap();
    }
    let copies = h
        .store
        .move_messages(
            &[moved.message],
            a.id,
            private.id,
            &[event(Action::MessageMove, moved.message)],
        )
        .await
        .unwrap();
    let in_private = copies[0].message;
    assert_eq!(
        h.store.personal_mailboxes(a.id).await.unwrap(),
        [private.id]
    );
    let messages = [
        keyword.message,
        plain.message,
        in_private,
        MessageId(999_999),
    ];
    let found = h
        .store
        .personal_among(&messages, &[private.id, keyword.mailbox])
        .await
        .unwrap();
    let expected: std::collections::HashSet<String> = [
        keyword.message.to_string(),
        in_private.to_string(),
        private.id.to_string(),
    ]
    .into_iter()
    .collect();
    assert_eq!(found, expected);
    h.store
        .set_mailbox_personal(private.id, None, &mark)
        .await
        .unwrap();
    assert!(h.store.personal_mailboxes(a.id).await.unwrap().is_empty());
    let found = h
        .store
        .personal_among(&[in_private], &[private.id])
        .await
        .unwrap();
    assert!(found.is_empty(), "{found:?}");
}

pub async fn rfc7162_flag_changes_apply_to_the_current_flags_and_honour_unchangedsince(h: Harness) {
    use caduceus_core::FlagChange;
    let a = professional(&h, "alice", "10003090833").await;
    let first = deliver_one(&h, &a).await;
    let second = deliver_one(&h, &a).await;
    let trace = |id: MessageId| event(Action::MessageFlag, id);
    let add = |flag: &str| FlagChange::Add(vec![flag.to_owned()]);
    // Two sessions' additions, each computed without the other's: both kept.
    for flag in ["\\Seen", "\\Flagged"] {
        h.store
            .set_flags_many(&[(first.message, add(flag))], None, &[trace(first.message)])
            .await
            .unwrap();
    }
    let now = h.store.message(first.message).await.unwrap();
    assert_eq!(now.flags, ["\\Seen", "\\Flagged"]);
    // UNCHANGEDSINCE below the message's MODSEQ: left alone, reported; the other applies.
    let stale = now.modseq - 1;
    let changes = [
        (first.message, FlagChange::Remove(vec!["\\Seen".into()])),
        (second.message, add("$Urgent")),
    ];
    let outcome = h
        .store
        .set_flags_many(
            &changes,
            Some(stale),
            &[trace(first.message), trace(second.message)],
        )
        .await
        .unwrap();
    assert_eq!(outcome.modified, [first.message]);
    assert_eq!(outcome.updated.len(), 1);
    assert_eq!(outcome.updated[0].flags, ["$Urgent"]);
    assert_eq!(
        h.store.message(first.message).await.unwrap().flags,
        ["\\Seen", "\\Flagged"]
    );
    // A change that changes nothing bumps no MODSEQ.
    let before = h.store.message(second.message).await.unwrap().modseq;
    h.store
        .set_flags_many(
            &[(second.message, add("$urgent"))],
            None,
            &[trace(second.message)],
        )
        .await
        .unwrap();
    assert_eq!(
        h.store.message(second.message).await.unwrap().modseq,
        before
    );
}
