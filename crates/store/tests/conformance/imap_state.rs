//! What IMAP sessions share through the store on every backend: which messages are
//! `\Recent` (RFC 3501 §2.3.2), the names each account subscribed to, and what
//! changed in a folder after a MODSEQ.

use caduceus_audit::Action;
use caduceus_store::*;

use super::harness::Harness;
use super::{delete, deliver_one, deliver_to, event, now, professional, raw_message};

/// RFC 3501 §2.3.2, §6.3.1 (MS-6): a folder's `\Recent` mark starts at 0, is
/// claimed once (two sessions claiming at once never both get the same messages),
/// never goes down, and goes with the folder: one made again under its name starts
/// over.
pub async fn rfc3501_2_3_2_recent_is_claimed_once_and_goes_with_the_folder(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let trace = |action| event(action, a.id);
    let folder = h
        .store
        .create_mailbox(a.id, "Cardio", now(), &trace(Action::MailboxCreate))
        .await
        .unwrap();
    assert_eq!(h.store.recent_claimed(folder.id).await.unwrap(), 0);
    let (first, second) = tokio::join!(
        h.store.claim_recent(folder.id, 5),
        h.store.claim_recent(folder.id, 5)
    );
    let mut before = [first.unwrap(), second.unwrap()];
    before.sort_unstable();
    assert_eq!(
        before,
        [0, 5],
        "one claimer gets UIDs 1 to 5, the other none"
    );
    assert_eq!(h.store.claim_recent(folder.id, 3).await.unwrap(), 5);
    assert_eq!(h.store.recent_claimed(folder.id).await.unwrap(), 5);
    assert_eq!(h.store.claim_recent(folder.id, 7).await.unwrap(), 5);
    assert_eq!(h.store.recent_claimed(folder.id).await.unwrap(), 7);
    h.store
        .delete_mailbox(folder.id, &trace(Action::MailboxDelete))
        .await
        .unwrap();
    let again = h
        .store
        .create_mailbox(a.id, "Cardio", now(), &trace(Action::MailboxCreate))
        .await
        .unwrap();
    assert_eq!(h.store.recent_claimed(again.id).await.unwrap(), 0);
}

/// RFC 3501 §6.3.6, §6.3.9 (MS-6): an account starts subscribed to the folders it
/// starts with; a subscription is kept by name, outlives its folder, follows a
/// rename with the folder's subfolders, and goes with the account.
pub async fn rfc3501_6_3_9_subscriptions_are_kept_by_name(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let trace = |action| event(action, a.id);
    let defaults: Vec<String> = DEFAULT_MAILBOXES
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    let mut expected = defaults.clone();
    expected.sort();
    assert_eq!(h.store.subscriptions(a.id).await.unwrap(), expected);
    let folder = h
        .store
        .create_mailbox(a.id, "Cardio", now(), &trace(Action::MailboxCreate))
        .await
        .unwrap();
    for name in ["Cardio", "Cardio/2026", "Cardio", "Gone"] {
        h.store.set_subscribed(a.id, name, true).await.unwrap();
    }
    h.store.set_subscribed(a.id, "Trash", false).await.unwrap();
    h.store.set_subscribed(a.id, "Trash", false).await.unwrap();
    h.store
        .rename_mailbox(a.id, "Cardio", "Heart", &trace(Action::MailboxRename))
        .await
        .unwrap();
    h.store
        .delete_mailbox(folder.id, &trace(Action::MailboxDelete))
        .await
        .unwrap();
    let mut expected: Vec<String> = defaults.into_iter().filter(|n| n != "Trash").collect();
    expected.extend(["Gone", "Heart", "Heart/2026"].map(String::from));
    expected.sort();
    assert_eq!(h.store.subscriptions(a.id).await.unwrap(), expected);
}

/// RFC 7162 §3.1 (MS-6): what changed in a folder after a MODSEQ — arrivals and
/// flag changes, by UID, and the UIDs removed — is all an IMAP session reads to
/// refresh its view.
pub async fn rfc7162_3_1_what_changed_after_a_modseq_is_read_alone(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let first = deliver_one(&h, &a).await;
    let second = deliver_one(&h, &a).await;
    let inbox = h.store.mailbox(a.id, "INBOX").await.unwrap().unwrap();
    let since = inbox.highest_modseq;
    assert!(
        h.store
            .messages_changed_since(inbox.id, since)
            .await
            .unwrap()
            .is_empty()
    );
    let third = deliver_one(&h, &a).await;
    let flag = event(Action::MessageFlag, first.message);
    h.store
        .set_flags(first.message, &["\\Seen".into()], &flag)
        .await
        .unwrap();
    delete(&h, second.message).await;
    let changed = h
        .store
        .messages_changed_since(inbox.id, since)
        .await
        .unwrap();
    let seen: Vec<(MessageId, Vec<String>)> =
        changed.into_iter().map(|m| (m.id, m.flags)).collect();
    assert_eq!(
        seen,
        [
            (first.message, vec!["\\Seen".to_owned()]),
            (third.message, vec![])
        ]
    );
    assert_eq!(
        h.store.expunged_since(inbox.id, since).await.unwrap(),
        [second.uid]
    );
}

/// Alice's INBOX after another session's expunge: a message expunged, one kept, one
/// in Sent; and how many trace entries there were then.
struct Meanwhile {
    owner: Account,
    inbox: Mailbox,
    expunged: Delivered,
    kept: Delivered,
    elsewhere: Delivered,
    traced: usize,
}

async fn gone_meanwhile(h: &Harness) -> Meanwhile {
    let owner = professional(h, "alice", "10003090833").await;
    let inbox = h.store.mailbox(owner.id, "INBOX").await.unwrap().unwrap();
    let sent = h.store.mailbox(owner.id, "Sent").await.unwrap().unwrap();
    let expunged = deliver_one(h, &owner).await;
    let kept = deliver_one(h, &owner).await;
    let elsewhere = deliver_to(&h.store, owner.id, sent.id, vec![])
        .await
        .unwrap()
        .remove(0);
    delete(h, expunged.message).await;
    let traced = h.store.trace_entries(0, i64::MAX).await.unwrap().len();
    Meanwhile {
        owner,
        inbox,
        expunged,
        kept,
        elsewhere,
        traced,
    }
}

/// RFC 2180 §4.1 (MS-6, AC-1, TR-1): a FETCH whose view is behind another session's
/// expunge opens, in the order asked and in one read, the messages still in the
/// folder; one expunged meanwhile or in another folder reads as gone. Nothing is
/// traced by the store: the caller traces what was opened.
pub async fn rfc2180_4_1_messages_gone_meanwhile_open_as_none(h: Harness) {
    let Meanwhile {
        inbox,
        expunged,
        kept,
        elsewhere,
        traced,
        ..
    } = gone_meanwhile(&h).await;
    let asked = [expunged.message, kept.message, elsewhere.message];
    for unseal in [Unseal::Whole, Unseal::MetaOnly, Unseal::BodyOnly] {
        let opened = h
            .store
            .open_messages_present(inbox.id, &asked, unseal)
            .await
            .unwrap();
        let ids: Vec<Option<MessageId>> = opened
            .iter()
            .map(|m| m.as_ref().map(|m| m.summary.id))
            .collect();
        assert_eq!(ids, [None, Some(kept.message), None]);
        let message = opened[1].as_ref().unwrap();
        let meta_opened = !message.meta.is_empty();
        assert_eq!(
            meta_opened,
            unseal != Unseal::BodyOnly,
            "the metadata as asked"
        );
        match unseal {
            Unseal::Whole | Unseal::BodyOnly => assert_eq!(message.raw, raw_message()),
            Unseal::MetaOnly => assert!(message.raw.is_empty(), "no body read"),
        }
    }
    assert_eq!(
        h.store.trace_entries(0, i64::MAX).await.unwrap().len(),
        traced,
        "the store appends no trace for these reads"
    );
}

/// RFC 2180 §4.1, MS-18 (issue 20 item 4): the light read a listing answered from
/// the listing cache makes finds, in the order asked, the messages still in the
/// folder with their UID and content id (the id their email id is made from, shared
/// by a copy, another for another delivery); one expunged or in another folder is
/// gone. Nothing is traced.
pub async fn ms18_a_listing_finds_the_messages_still_there_and_their_contents(h: Harness) {
    let Meanwhile {
        owner,
        inbox,
        expunged,
        kept,
        elsewhere,
        ..
    } = gone_meanwhile(&h).await;
    let other = deliver_one(&h, &owner).await;
    let traced = h.store.trace_entries(0, i64::MAX).await.unwrap().len();
    let asked = [
        expunged.message,
        other.message,
        elsewhere.message,
        kept.message,
    ];
    let present = h.store.messages_present(inbox.id, &asked).await.unwrap();
    let found: Vec<Option<(MessageId, i64)>> = present
        .iter()
        .map(|m| m.as_ref().map(|m| (m.id, m.uid)))
        .collect();
    assert_eq!(
        found,
        [
            None,
            Some((other.message, other.uid)),
            None,
            Some((kept.message, kept.uid))
        ]
    );
    let content = |at: usize| present[at].as_ref().unwrap().blob_id.clone();
    assert_ne!(content(1), content(3), "two deliveries, two contents");
    let summary = h.store.message(kept.message).await.unwrap();
    assert_eq!(
        summary.email_id,
        caduceus_core::object_id::ObjectId::email(&content(3)),
        "the content id is the one the email id is made from"
    );
    assert_eq!(
        h.store.trace_entries(0, i64::MAX).await.unwrap().len(),
        traced,
        "the store appends no trace for this read"
    );
}
