//! Contact changes waiting for their code on every backend (AU-1, MS-7, RT-1): the new
//! value is kept sealed (the disk does not hold it), one per channel (a new one
//! replaces it), the old value stays the account's until the change is confirmed;
//! tries are counted one by one; a change is confirmed or dropped once, with its
//! trace; the daily purge removes an expired one; an account's deletion takes them.

use caduceus_audit::Action;
use caduceus_core::contact::{ContactChannel, ContactValue};
use caduceus_core::{MailAddress, OneTimeCode, PhoneNumber, Timestamp};
use caduceus_store::*;

use super::harness::{Harness, contains};
use super::{event, now, professional};

fn email(text: &str) -> ContactValue {
    ContactValue::Email(MailAddress::parse(text).unwrap())
}

/// The code of six times `digit`.
pub fn code(digit: u8) -> OneTimeCode {
    let digit = char::from(b'0' + digit);
    OneTimeCode::parse(&digit.to_string().repeat(6)).unwrap()
}

/// Keeps a pending change of `value` for `account`, whose code is six times `digit`,
/// expiring at `expires`.
pub async fn put(
    h: &Harness,
    account: AccountId,
    value: &ContactValue,
    digit: u8,
    expires: Timestamp,
) {
    let code = code(digit);
    let new = NewContactConfirmation {
        account,
        value,
        code: &code,
        expires,
    };
    let trace = event(Action::ContactConfirmSent, account);
    h.store
        .put_contact_confirmation(&new, &trace)
        .await
        .unwrap();
}

/// A pending e-mail change for `account`, for the deletion test (RT-2).
pub async fn leave_a_pending_contact_change(h: &Harness, account: AccountId) {
    let value = email("zorglub.pending@example.org");
    put(
        h,
        account,
        &value,
        1,
        Timestamp::from_millis(now().as_millis() + 900_000),
    )
    .await;
}

pub async fn au1_ms7_rt1_a_contact_change_waits_sealed_for_its_code(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bruno", "10000000009").await;
    let old = MailAddress::parse("alice.old@example.org").unwrap();
    let set = event(Action::ContactSet, a.id);
    h.store
        .set_contact_email(a.id, Some(&old), &set)
        .await
        .unwrap();
    let later = Timestamp::from_millis(now().as_millis() + 900_000);
    let first = email("alice.first@example.org");
    let new = email("zorglub.nouvelle@example.org");
    let phone = ContactValue::Phone(PhoneNumber::parse("06 12 34 56 78").unwrap());
    put(&h, a.id, &first, 1, later).await;
    put(&h, a.id, &phone, 2, later).await;
    h.store
        .count_contact_try(a.id, ContactChannel::Email)
        .await
        .unwrap();
    // A new e-mail change replaces the first, its tries back to none.
    put(&h, a.id, &new, 3, later).await;
    let pending = h.store.contact_confirmations(a.id).await.unwrap();
    let kept: Vec<_> = pending.iter().map(|p| (p.value.clone(), p.tries)).collect();
    assert_eq!(kept, vec![(new.clone(), 0), (phone.clone(), 0)]);
    // Each code finds its own channel's change; the replaced one's code nothing.
    for (digit, channel) in [
        (3, Some(ContactChannel::Email)),
        (2, Some(ContactChannel::Phone)),
        (1, None),
    ] {
        let found = h.store.contact_code_channel(a.id, &code(digit)).await;
        assert_eq!(found.unwrap(), channel, "code {digit}");
    }
    assert_eq!(pending[0].expires, later);
    assert_eq!(
        h.store.contact_email(a.id).await.unwrap(),
        Some(old.clone())
    );
    assert_eq!(h.store.contact_phone(a.id).await.unwrap(), None);
    // Sealed: the disk holds neither the address nor the number.
    let sealed: Vec<Vec<u8>> = sqlx::query_scalar("SELECT value_sealed FROM contact_confirmations")
        .fetch_all(&h.raw)
        .await
        .unwrap();
    for value in sealed {
        assert!(!contains(&value, b"zorglub") && !contains(&value, b"612345678"));
    }

    // Tries are counted one by one, per account and channel.
    for expected in 1..=2 {
        let counted = h
            .store
            .count_contact_try(a.id, ContactChannel::Email)
            .await
            .unwrap();
        assert_eq!(counted.map(|c| c.tries), Some(expected));
    }
    let none = h
        .store
        .count_contact_try(b.id, ContactChannel::Email)
        .await
        .unwrap();
    assert_eq!(none, None, "another account has no change pending");

    // Confirmed once: the new address replaces the old in the same transaction.
    let confirmed = event(Action::ContactConfirmed, a.id);
    let done = h
        .store
        .confirm_contact(a.id, ContactChannel::Email, &confirmed);
    assert!(done.await.unwrap());
    let again = h
        .store
        .confirm_contact(a.id, ContactChannel::Email, &confirmed);
    assert!(!again.await.unwrap());
    let ContactValue::Email(new_address) = &new else {
        unreachable!()
    };
    assert_eq!(
        h.store.contact_email(a.id).await.unwrap().as_ref(),
        Some(new_address)
    );
    // Dropped: the phone never changes.
    let failed = event(Action::ContactConfirmFailed, a.id);
    let dropped = h
        .store
        .drop_contact_confirmation(a.id, ContactChannel::Phone, &failed);
    dropped.await.unwrap();
    assert_eq!(h.store.contact_confirmations(a.id).await.unwrap(), vec![]);
    assert_eq!(h.store.contact_phone(a.id).await.unwrap(), None);
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM traces WHERE action LIKE 'contact.%' ORDER BY seq")
            .fetch_all(&h.raw)
            .await
            .unwrap();
    let sent = "contact.confirm_sent";
    assert_eq!(
        actions,
        [
            sent,
            sent,
            sent,
            "contact.confirmed",
            "contact.confirm_failed"
        ]
    );

    // The daily purge removes an expired change, and keeps one in force.
    put(&h, a.id, &first, 4, now()).await;
    put(&h, b.id, &phone, 5, later).await;
    let before = Timestamp::from_millis(now().as_millis() - 1);
    h.store.purge_expired(now(), before).await.unwrap();
    assert_eq!(h.store.contact_confirmations(a.id).await.unwrap(), vec![]);
    assert_eq!(h.store.contact_confirmations(b.id).await.unwrap().len(), 1);
}
