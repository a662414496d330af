//! MS-4, RT-3: `caduceus backup data|keyring` while the server runs and `caduceus
//! restore` with it stopped. A restored backup serves the same mailboxes; a message
//! deleted after the data backup cannot be opened once the keyring backup taken after
//! the deletion is the one restored.

mod common;

use std::path::Path;

use common::{Server, init_demo, ok};

const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";

fn imap(data: &Path, imaps: &str, action: &str) -> String {
    common::demo_imap(data, imaps, BRUNO, action)
}

#[test]
fn ms4_rt3_backups_restore_the_mailboxes_but_not_what_was_deleted_since() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let backups = root.path().join("backups");
    let server = Server::start(&data, &ports.submission);
    common::send_demo_mail(&data, &ports.submission, ALICE, BRUNO, "Compte rendu", 3);
    let before = imap(&data, &ports.imaps, "fetch");
    assert_eq!(before.matches(" OK ").count(), 3, "{before}");

    // Backups while serving, then Bruno deletes his first message, then a keyring
    // backup after the deletion.
    let data_backup = backups.join("data");
    ok(
        &data,
        &[],
        &["backup", "data", data_backup.to_str().unwrap()],
    );
    ok(
        &data,
        &[],
        &["backup", "keyring", backups.join("k1").to_str().unwrap()],
    );
    assert!(imap(&data, &ports.imaps, "delete-first").contains("deleted"));
    ok(
        &data,
        &[],
        &["backup", "keyring", backups.join("k2").to_str().unwrap()],
    );
    let refused = common::run(
        &data,
        &[],
        &["backup", "data", data_backup.to_str().unwrap()],
    );
    assert!(
        !refused.status.success(),
        "an existing backup is never overwritten"
    );
    drop(server);

    // Data and keyring from before the deletion: the same mailbox, every message.
    let restore = |keyring: &str| {
        ok(
            &data,
            &[],
            &[
                "restore",
                "--data-from",
                data_backup.to_str().unwrap(),
                "--keyring-from",
                backups.join(keyring).to_str().unwrap(),
            ],
        );
        Server::start(&data, &ports.imaps)
    };
    let server = restore("k1");
    let restored = imap(&data, &ports.imaps, "fetch");
    assert_eq!(
        restored, before,
        "the restored backup serves the same mailbox"
    );
    drop(server);

    // The keyring from after the deletion: the row is back, its content is not.
    let server = restore("k2");
    let after = imap(&data, &ports.imaps, "fetch");
    assert!(after.starts_with("fetch 1 NO"), "{after}");
    assert!(after.contains("deleted for good (RT-3)"), "{after}");
    assert_eq!(after.matches(" OK ").count(), 2, "{after}");
    drop(server);
}
