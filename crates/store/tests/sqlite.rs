//! The store conformance suite on the embedded SQLite backend.

mod conformance;

use caduceus_audit::Action;
use caduceus_store::Store;
use conformance::harness::{Place, contains};
use conformance::{Harness, delete, deliver_one, event, professional};

conformance_suite!(conformance::Harness::sqlite);

/// RT-3 on the files of the embedded keyring: once a message is deleted, its wrapped
/// key is in neither `keyring.db` nor its WAL (overwritten by `secure_delete`, then
/// checkpointed), while it was there before (the scan sees the keys). The message
/// is read first, so the read-only connections of FETCH's read path are open on the
/// keyring when the deletion checkpoints it.
#[tokio::test]
async fn rt3_a_destroyed_key_leaves_the_keyring_files() {
    let h = Harness::sqlite().await;
    let Place::Sqlite { dir } = &h.place else {
        unreachable!("a SQLite harness")
    };
    let a = professional(&h, "alice", "10003090833").await;
    let d = deliver_one(&h, &a).await;
    let read = event(Action::MessageRead, d.message);
    h.store.open_message(d.message, &read).await.unwrap();
    let keyring = dir.path().join("keyring.db");
    let key_ref: String = sqlx::query_scalar("SELECT key_ref FROM messages WHERE id = $1")
        .bind(d.message.0)
        .fetch_one(&h.raw)
        .await
        .unwrap();
    let raw_keyring = sqlx::AnyPool::connect(&format!("sqlite://{}", keyring.display()))
        .await
        .unwrap();
    let wrapped: Vec<u8> =
        sqlx::query_scalar("SELECT wrapped FROM keyring_message_keys WHERE key_ref = $1")
            .bind(&key_ref)
            .fetch_one(&raw_keyring)
            .await
            .unwrap();
    raw_keyring.close().await;
    let files = || {
        let mut bytes = std::fs::read(&keyring).unwrap();
        bytes.extend(std::fs::read(dir.path().join("keyring.db-wal")).unwrap_or_default());
        bytes
    };
    assert!(contains(&files(), &wrapped), "the scan sees live keys");
    delete(&h, d.message).await;
    let after = files();
    assert!(
        !contains(&after, &wrapped),
        "the destroyed key is still in the files"
    );
    assert!(!contains(&after, key_ref.as_bytes()), "its reference too");
}
