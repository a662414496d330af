//! Sealing on every backend (MS-4, RT-2, RT-3): what is opened is what was stored,
//! the disk holds no subject or body, a flipped byte is detected and never returned,
//! a deleted message or account cannot be read back from an earlier copy.

use super::*;

pub async fn ms4_opened_message_round_trips_and_flags_bump_modseq(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let d = deliver_one(&h, &a).await;
    let opened = h
        .store
        .open_message(d.message, &event(Action::MessageRead, d.message))
        .await
        .unwrap();
    assert_eq!(opened.raw, raw_message());
    assert_eq!(opened.meta, SUBJECT.as_bytes());
    assert!(
        !format!("{opened:?}").contains("Zorglub"),
        "Debug must not print content"
    );
    let flagged = h
        .store
        .set_flags(
            d.message,
            &["\\Seen".into(), "$Important".into()],
            &event(Action::MessageFlag, d.message),
        )
        .await
        .unwrap();
    assert_eq!(flagged.flags, ["\\Seen", "$Important"]);
    assert!(flagged.modseq > d.modseq);
    let bad = h
        .store
        .set_flags(
            d.message,
            &["two words".into()],
            &event(Action::MessageFlag, d.message),
        )
        .await;
    assert!(bad.is_err());
}

pub async fn ms4_disk_holds_no_subject_or_body(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    for _ in 0..3 {
        deliver_one(&h, &a).await;
    }
    let disk = h.bytes_on_disk().await;
    // The scan sees the database: the (clear) account address is there.
    assert!(
        contains(&disk, b"alice@caduceus.test"),
        "the scan must cover the database"
    );
    for needle in [
        &SUBJECT[..24],
        "Dupont-Zorglub",
        &BODY[..20],
        "Zorglubienne",
    ] {
        assert!(
            !contains(&disk, needle.as_bytes()),
            "{needle:?} found in clear on disk"
        );
    }
}

pub async fn rt3_deleted_message_is_unrecoverable_from_an_earlier_copy(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let d = deliver_one(&h, &a).await;
    let read = event(Action::MessageRead, d.message);
    let before = h.snapshot().await;
    let h = h.reopen().await;
    // Control: before deletion, the copy opens with the master key and live keyring.
    let restored = h.open_snapshot(&before).await;
    assert_eq!(
        restored.open_message(d.message, &read).await.unwrap().raw,
        raw_message()
    );
    restored.close().await;

    delete(&h, d.message).await;
    assert!(matches!(
        h.store.message(d.message).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    let restored = h.open_snapshot(&before).await;
    let err = restored.open_message(d.message, &read).await.unwrap_err();
    assert!(matches!(err, StoreError::ContentDestroyed(_)), "{err}");
}

pub async fn rt2_destroyed_account_is_unrecoverable_from_an_earlier_copy(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bob", "10000000009").await;
    let d = deliver_one(&h, &a).await;
    let kept = deliver_one(&h, &b).await;
    let read = event(Action::MessageRead, d.message);
    let before = h.snapshot().await;
    let h = h.reopen().await;
    h.store
        .destroy_account(a.id, &event(Action::AccountDelete, a.id))
        .await
        .unwrap();
    assert!(h.store.account(a.id).await.is_err());
    assert!(h.store.mailboxes(a.id).await.unwrap().is_empty());
    let restored = h.open_snapshot(&before).await;
    let err = restored.open_message(d.message, &read).await.unwrap_err();
    assert!(matches!(err, StoreError::ContentDestroyed(_)), "{err}");
    // Bob's mail is untouched.
    assert_eq!(
        restored
            .open_message(kept.message, &read)
            .await
            .unwrap()
            .raw,
        raw_message()
    );
    assert_eq!(
        h.store.open_message(kept.message, &read).await.unwrap().raw,
        raw_message()
    );
}

/// Opening `message` fails as tampered: the damage is detected, never returned.
async fn assert_tampered(h: &Harness, message: MessageId) {
    let err = h
        .store
        .open_message(message, &event(Action::MessageRead, message))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Seal(SealError::Tampered { .. })),
        "{err}"
    );
}

pub async fn ms4_flipped_blob_byte_is_detected_never_returned(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let d = deliver_one(&h, &a).await;
    let blob = blob_id_of(&h, d.message).await;
    h.flip_blob_byte(&blob, 40).await;
    assert_tampered(&h, d.message).await;
}

pub async fn ms4_large_and_small_bodies_round_trip_and_leave_with_their_message(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let inbox = h.store.mailbox(a.id, "INBOX").await.unwrap().unwrap();
    // One body just under what SQLite keeps in a row, one well over it.
    let mut delivered = Vec::new();
    for size in [200 * 1024, 600 * 1024] {
        let mut raw = raw_message();
        raw.extend(std::iter::repeat_n(b'x', size));
        let delivery = Delivery {
            raw: &raw,
            meta: SUBJECT.as_bytes(),
            internal: now(),
            targets: vec![Target {
                account: a.id,
                mailbox: inbox.id,
                flags: vec![],
            }],
            outbound: None,
            enveloped: Vec::new(),
            receipts: Vec::new(),
        };
        let trace = event(Action::MessageDeliver, inbox.id);
        let d = h
            .store
            .deliver(&delivery, &[trace])
            .await
            .unwrap()
            .remove(0);
        let read = event(Action::MessageRead, d.message);
        assert_eq!(
            h.store.open_message(d.message, &read).await.unwrap().raw,
            raw
        );
        delivered.push((d.message, blob_id_of(&h, d.message).await));
    }
    let [(small, small_blob), (large, large_blob)] = &delivered[..] else {
        unreachable!()
    };
    // SQLite keeps the small one in a row and the large one in a file; PostgreSQL
    // keeps both in rows.
    assert!(h.blob_file(small_blob).is_none());
    let file = h.blob_file(large_blob);
    assert_eq!(
        file.is_some(),
        matches!(h.place, harness::Place::Sqlite { .. })
    );
    for message in [small, large] {
        h.store
            .delete_message(*message, &event(Action::MessageDelete, *message))
            .await
            .unwrap();
    }
    assert!(
        file.is_none_or(|file| !file.exists()),
        "the large body's file is removed"
    );
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM blob_data")
        .fetch_one(&h.raw)
        .await
        .unwrap();
    assert_eq!(rows, 0, "the small body's row is removed");
}

pub async fn ms4_flipped_metadata_byte_is_detected(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let d = deliver_one(&h, &a).await;
    let meta: Vec<u8> = sqlx::query_scalar("SELECT meta FROM messages WHERE id = $1")
        .bind(d.message.0)
        .fetch_one(&h.raw)
        .await
        .unwrap();
    let mut meta = meta;
    let last = meta.len() - 1;
    meta[last] ^= 0x80;
    sqlx::query("UPDATE messages SET meta = $1 WHERE id = $2")
        .bind(meta)
        .bind(d.message.0)
        .execute(&h.raw)
        .await
        .unwrap();
    assert_tampered(&h, d.message).await;
}

/// A copy enveloped to its recipient's certificate (MS-3) is sealed apart, under its
/// own key, in the same transaction as the copies that share the message's bytes;
/// each recipient opens their own; the account's setting is kept and traced.
pub async fn ms3_an_enveloped_copy_is_sealed_apart_in_the_same_delivery(h: Harness) {
    let a = professional(&h, "alice", "10003090833").await;
    let b = professional(&h, "bob", "10000000009").await;
    assert_eq!(a.encrypt_at_rest_since, None);
    let since = now();
    h.store
        .set_encrypt_at_rest(
            a.id,
            Some(since),
            &event(Action::AccountEncryptAtRest, a.id),
        )
        .await
        .unwrap();
    let a = h.store.account(a.id).await.unwrap();
    assert_eq!(a.encrypt_at_rest_since, Some(since));
    let inbox = |account: &Account| {
        let store = &h.store;
        let id = account.id;
        async move { store.mailbox(id, "INBOX").await.unwrap().unwrap().id }
    };
    let (alice_inbox, bob_inbox) = (inbox(&a).await, inbox(&b).await);
    let raw = raw_message();
    let enveloped_raw =
        b"Subject: x\r\nContent-Type: application/pkcs7-mime\r\n\r\nMIAGCSqG\r\n".to_vec();
    let delivery = Delivery {
        raw: &raw,
        meta: SUBJECT.as_bytes(),
        internal: now(),
        targets: vec![Target {
            account: b.id,
            mailbox: bob_inbox,
            flags: vec![],
        }],
        outbound: None,
        enveloped: vec![Enveloped {
            target: Target {
                account: a.id,
                mailbox: alice_inbox,
                flags: vec![],
            },
            raw: enveloped_raw.clone(),
            meta: b"enveloped meta".to_vec(),
        }],
        receipts: Vec::new(),
    };
    let traces = [
        event(Action::MessageDeliver, bob_inbox),
        event(Action::MessageDeliver, alice_inbox),
    ];
    let delivered = h.store.deliver(&delivery, &traces).await.unwrap();
    assert_eq!(delivered.len(), 2);
    assert_eq!((delivered[0].account, delivered[1].account), (b.id, a.id));
    let open = |message: MessageId| {
        let store = &h.store;
        async move {
            store
                .open_message(message, &event(Action::MessageRead, message))
                .await
                .unwrap()
        }
    };
    let (bob_copy, alice_copy) = (
        open(delivered[0].message).await,
        open(delivered[1].message).await,
    );
    assert_eq!(bob_copy.raw, raw);
    assert_eq!(bob_copy.meta, SUBJECT.as_bytes());
    assert_eq!(alice_copy.raw, enveloped_raw);
    assert_eq!(alice_copy.meta, b"enveloped meta");
    assert_ne!(
        blob_id_of(&h, delivered[0].message).await,
        blob_id_of(&h, delivered[1].message).await,
        "sealed apart"
    );
    // Alice's key cannot open Bob's copy's body: each is wrapped for its recipient.
    assert_eq!(
        h.store.messages(alice_inbox).await.unwrap().len(),
        1,
        "one copy each"
    );
    // A delivery whose every copy is enveloped stores no shared body.
    let blobs = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(DISTINCT blob_id) FROM messages")
            .fetch_one(&h.raw)
            .await
            .unwrap()
    };
    let before = blobs().await;
    let only_enveloped = Delivery {
        targets: Vec::new(),
        ..delivery.clone()
    };
    h.store
        .deliver(&only_enveloped, &traces[1..])
        .await
        .unwrap();
    assert_eq!(blobs().await, before + 1);
    // Turned off, and refused for an account that does not exist.
    h.store
        .set_encrypt_at_rest(a.id, None, &event(Action::AccountEncryptAtRest, a.id))
        .await
        .unwrap();
    assert_eq!(
        h.store.account(a.id).await.unwrap().encrypt_at_rest_since,
        None
    );
    assert!(
        h.store
            .set_encrypt_at_rest(
                AccountId(999_999),
                None,
                &event(Action::AccountEncryptAtRest, a.id)
            )
            .await
            .is_err()
    );
}
