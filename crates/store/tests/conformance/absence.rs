//! Out-of-office settings, signatures and the senders answered on every backend
//! (MS-6, MS-4, RFC 3834): kept sealed (the disk holds neither the words nor the
//! signature), read back per holder, "on" alone readable by the delivery path; a
//! sender is answered once per period, again after it or once the setting is saved.

use caduceus_audit::Action;
use caduceus_core::Timestamp;
use caduceus_core::absence::{Absence, Language, REPLY_PERIOD};
use caduceus_core::local_time::Zone;
use caduceus_store::*;
use sha2::Digest as _;

use super::harness::{Harness, contains};
use super::{event, now, professional};

pub async fn ms6_ms4_absence_and_signature_are_sealed_and_answer_once_per_period(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bruno", "10000000009").await;
    assert_eq!(h.store.absence(a.id).await.unwrap(), None);
    assert_eq!(h.store.signature(a.id).await.unwrap(), "");
    let mut absence = Absence::defaults(Language::French, Zone::Reunion);
    absence.text = "Congés Zorglubiens jusqu'au 3 août".into();
    let set = event(Action::AbsenceSet, a.id);
    h.store.set_absence(a.id, &absence, &set).await.unwrap();
    assert_eq!(h.store.absence(a.id).await.unwrap(), Some(absence.clone()));
    assert_eq!(h.store.absence_on(a.id).await.unwrap(), None, "kept off");
    absence.on = true;
    h.store.set_absence(a.id, &absence, &set).await.unwrap();
    assert_eq!(
        h.store.absence_on(a.id).await.unwrap(),
        Some(absence.clone())
    );
    assert_eq!(
        h.store.absence(b.id).await.unwrap(),
        None,
        "each holder's own"
    );
    let signed = event(Action::SignatureSet, a.id);
    let signature = "Dr Alice Zorglub-Martin";
    h.store
        .set_signature(a.id, signature, &signed)
        .await
        .unwrap();
    assert_eq!(h.store.signature(a.id).await.unwrap(), signature);
    let disk = h.bytes_on_disk().await;
    for needle in ["Zorglubiens", "Zorglub-Martin"] {
        assert!(
            !contains(&disk, needle.as_bytes()),
            "{needle} in clear on disk"
        );
    }

    let sender = caduceus_core::MailAddress::parse("carla@hopital-zorglub.test").unwrap();
    let at = now();
    assert!(
        h.store
            .claim_absence_reply(a.id, &sender, at)
            .await
            .unwrap()
    );
    assert!(
        !h.store
            .claim_absence_reply(a.id, &sender, at)
            .await
            .unwrap(),
        "once"
    );
    assert!(
        h.store
            .claim_absence_reply(b.id, &sender, at)
            .await
            .unwrap(),
        "per holder"
    );
    assert!(
        !h.store
            .claim_absence_reply(
                a.id,
                &caduceus_core::MailAddress::parse("CARLA@Hopital-Zorglub.test").unwrap(),
                at
            )
            .await
            .unwrap(),
        "the same sender, however the address is written"
    );
    // Whom a holder answered is not in clear, nor as a hash anyone could recompute
    // from a list of addresses (the first format: SHA-256 of account and address).
    let mut unkeyed = sha2::Sha256::new();
    unkeyed.update(b"caduceus/absence-sender/v1\0");
    unkeyed.update(a.id.0.to_be_bytes());
    unkeyed.update(sender.as_str().as_bytes());
    let disk = h.bytes_on_disk().await;
    assert!(!contains(&disk, &unkeyed.finalize()));
    assert!(!contains(&disk, b"hopital-zorglub"));
    // A reply that could not be sent gives its claim back: the next one is due.
    h.store.release_absence_reply(b.id, &sender).await.unwrap();
    assert!(
        h.store
            .claim_absence_reply(b.id, &sender, at)
            .await
            .unwrap(),
        "released"
    );
    let later = Timestamp::from_millis(at.as_millis() + REPLY_PERIOD.as_millis() as i64 + 1);
    assert!(
        h.store
            .claim_absence_reply(a.id, &sender, later)
            .await
            .unwrap(),
        "next period"
    );
    // Saving the absence again answers everyone again.
    h.store.set_absence(a.id, &absence, &set).await.unwrap();
    assert!(
        h.store
            .claim_absence_reply(a.id, &sender, later)
            .await
            .unwrap()
    );
    h.store.set_signature(a.id, "", &signed).await.unwrap();
    assert_eq!(h.store.signature(a.id).await.unwrap(), "");
}
