//! Patient mailbox announcements on every backend (ID-5, AC-3): announced with its
//! state in one transaction, found by its link token and when due, ended by an
//! opening or by an objection whose INS digest alone is kept; gone with the account.

use caduceus_audit::{AccountRef, Action};
use caduceus_core::{AccountKind, AccountState, Ins, MailAddress, RegistryId, Timestamp};
use caduceus_store::*;

use super::{Harness, event, now};

async fn patient(h: &Harness, ins: &str) -> Account {
    let ins = Ins::parse(ins).unwrap();
    let new = NewAccount {
        address: MailAddress::parse(&format!("{}@patient.caduceus.test", ins.expose())).unwrap(),
        kind: AccountKind::Patient,
        identity: RegistryId::Patient(ins),
        display_name: "Patient".into(),
        at: now(),
    };
    let trace = event(Action::AccountCreate, AccountRef(0));
    h.store.create_account(&new, &trace).await.unwrap()
}

pub async fn id5_ac3_announcements_open_or_end_with_an_objection(h: Harness) {
    let paul = patient(&h, "185057512345673").await;
    let lea = patient(&h, "292017512345703").await;
    let day = 86_400_000;
    let at = |days: i64| Timestamp::from_millis(now().as_millis() + days * day);
    for (account, token) in [(paul.id, b"paul".as_slice()), (lea.id, b"lea".as_slice())] {
        let made = Announcement {
            account,
            announced: now(),
            opens: at(42),
        };
        let trace = event(Action::AccountAnnounce, account);
        h.store.announce(&made, token, &trace).await.unwrap();
        assert_eq!(
            h.store.account(account).await.unwrap().state,
            AccountState::Announced
        );
    }
    let found = h
        .store
        .announcement_by_token(b"lea")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.account, found.opens), (lea.id, at(42)));
    assert!(
        h.store
            .announcement_by_token(b"nobody")
            .await
            .unwrap()
            .is_none()
    );
    assert!(h.store.announcements_due(at(41)).await.unwrap().is_empty());
    assert_eq!(h.store.announcements_due(at(42)).await.unwrap().len(), 2);

    // Paul's opens; Lea objects: closed, her INS digest kept, her announcement gone.
    let opened = [event(Action::AccountActivate, paul.id)];
    let end = h
        .store
        .end_announcement(paul.id, AccountState::Active, at(42), None, &opened);
    end.await.unwrap();
    assert_eq!(
        h.store.account(paul.id).await.unwrap().state,
        AccountState::Active
    );
    let digest = [7u8; 32];
    let objected = [event(Action::AnnouncementObjection, lea.id)];
    let closed = AccountState::Closed;
    let end = h
        .store
        .end_announcement(lea.id, closed, at(1), Some(&digest), &objected);
    end.await.unwrap();
    assert!(h.store.announcement(lea.id).await.unwrap().is_none());
    assert!(h.store.announcements_due(at(42)).await.unwrap().is_empty());
    assert!(h.store.announcement_objected(&digest).await.unwrap());
    h.store
        .destroy_account(lea.id, &event(Action::AccountDelete, lea.id))
        .await
        .unwrap();
    assert!(h.store.announcement_objected(&digest).await.unwrap());
    h.store.lift_announcement_objection(&digest).await.unwrap();
    assert!(!h.store.announcement_objected(&digest).await.unwrap());
}
