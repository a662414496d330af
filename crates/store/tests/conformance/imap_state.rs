//! What IMAP sessions share through the store on every backend: which messages are
//! `\Recent` (RFC 3501 §2.3.2).

use caduceus_audit::Action;
use caduceus_store::*;

use super::harness::Harness;
use super::{event, now, professional};

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
