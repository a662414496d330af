//! A real synchronising client: mbsync (isync) pulls a 2,000-message mailbox over
//! implicit TLS into a maildir, checked message by message, then syncs both ways —
//! flags and deletions made locally reach the server, a message added locally is
//! APPENDed, mail delivered meanwhile comes down.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::*;

const COUNT: usize = 2000;

fn message(n: usize) -> String {
    format!(
        "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Compte rendu {n}\r\n\
         Message-ID: <cr-{n}@caduceus.test>\r\n\r\nCorps du message {n}.\r\n"
    )
}

/// A message's text as compared: LF line ends, without the `X-TUID:` header mbsync
/// adds to track what it copied.
fn normal(text: &str) -> String {
    text.replace("\r\n", "\n")
        .lines()
        .filter(|l| !l.starts_with("X-TUID: "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The maildir's messages: Message-ID → (file, whole text).
fn maildir(dir: &Path) -> BTreeMap<String, (std::path::PathBuf, String)> {
    let mut found = BTreeMap::new();
    for sub in ["cur", "new"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .unwrap_or_else(|| panic!("no Message-ID in {}", path.display()))
                .to_owned();
            found.insert(id, (path, text));
        }
    }
    found
}

fn mbsync(config: &Path) {
    let out = Command::new("mbsync")
        .arg("-c")
        .arg(config)
        .arg("-a")
        .output()
        .expect("mbsync is needed for this test (apt-get install -y isync)");
    assert!(
        out.status.success(),
        "mbsync failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbsync_two_way_sync_of_a_2000_message_mailbox() {
    let w = world().await;
    let id = rpps(1);
    professional(&w, "alice", &id, true).await;
    let (secret, _) = device(&w, &id, "mbsync").await;
    for n in 0..COUNT {
        deliver(&w, "alice@caduceus.test", &message(n)).await;
    }
    let listener = listen(&w, true).await;
    let local = w.dir.path().join("Mail");
    let inbox = local.join("INBOX");
    std::fs::create_dir_all(&local).unwrap();
    let config = w.dir.path().join("mbsyncrc");
    std::fs::write(
        &config,
        format!(
            "IMAPAccount caduceus\nHost localhost\nPort {port}\nUser alice@caduceus.test\nPass {secret}\n\
             SSLType IMAPS\nCertificateFile {ca}\nAuthMechs PLAIN\n\n\
             IMAPStore remote\nAccount caduceus\n\n\
             MaildirStore local\nPath {local}/\nInbox {inbox}\n\n\
             Channel sync\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Both\nExpunge Both\n\
             SyncState *\nSync All\n",
            port = listener.port,
            secret = secret.expose(),
            ca = w.pki.ca_cert_path().display(),
            local = local.display(),
            inbox = inbox.display(),
        ),
    )
    .unwrap();

    // 1. The first sync pulls every message intact.
    tokio::task::spawn_blocking({
        let config = config.clone();
        move || mbsync(&config)
    })
    .await
    .unwrap();
    let pulled = maildir(&inbox);
    assert_eq!(pulled.len(), COUNT);
    for n in 0..COUNT {
        let (_, text) = &pulled[&format!("<cr-{n}@caduceus.test>")];
        assert_eq!(normal(text), normal(&message(n)));
    }

    // 2. Local changes: 10 read, 5 deleted, 1 added; meanwhile 3 arrive on the server.
    for n in 0..10 {
        let (path, _) = &pulled[&format!("<cr-{n}@caduceus.test>")];
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let (base, flags) = name.split_once(":2,").unwrap_or((&name, ""));
        let seen = inbox.join("cur").join(format!("{base}:2,{flags}S"));
        std::fs::rename(path, seen).unwrap();
    }
    for n in 10..15 {
        std::fs::remove_file(&pulled[&format!("<cr-{n}@caduceus.test>")].0).unwrap();
    }
    std::fs::write(
        inbox.join("new").join("1700000000.local.host"),
        message(9999).replace("\r\n", "\n"),
    )
    .unwrap();
    for n in COUNT..COUNT + 3 {
        deliver(&w, "alice@caduceus.test", &message(n)).await;
    }
    tokio::task::spawn_blocking({
        let config = config.clone();
        move || mbsync(&config)
    })
    .await
    .unwrap();

    // 3. Both sides agree, message by message.
    let expected: Vec<usize> = (0..COUNT + 3)
        .filter(|n| !(10..15).contains(n))
        .chain([9999])
        .collect();
    let synced = maildir(&inbox);
    assert_eq!(synced.len(), expected.len());
    let caller = caduceus_service::actor::testing::account(
        w.service
            .account_by_address(&addr("alice@caduceus.test"))
            .await
            .unwrap()
            .unwrap()
            .id,
        "test",
    );
    let owner = match *caller.actor() {
        caduceus_service::Actor::Account(id) => id,
        _ => unreachable!(),
    };
    let access = w.service.authorize(&caller, owner).await.unwrap();
    let (folder, summaries) = w.service.open_folder(&access, "INBOX").await.unwrap();
    assert_eq!(summaries.len(), expected.len());
    let ids: Vec<_> = summaries.iter().map(|s| s.id).collect();
    let opened = w
        .service
        .open_messages(
            &access,
            folder.id,
            &ids,
            caduceus_service::folders::Opening::Read,
        )
        .await
        .unwrap();
    let mut on_server = BTreeMap::new();
    for (summary, m) in summaries.iter().zip(&opened) {
        let text = normal(&String::from_utf8_lossy(&m.raw));
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("Message-ID: "))
            .unwrap()
            .to_owned();
        on_server.insert(id, (summary.flags.clone(), text));
    }
    for n in expected {
        let id = format!("<cr-{n}@caduceus.test>");
        let (flags, text) = on_server
            .get(&id)
            .unwrap_or_else(|| panic!("{id} is not on the server"));
        assert_eq!(*text, normal(&message(n)), "{id} on the server");
        assert_eq!(
            normal(&synced[&id].1),
            normal(&message(n)),
            "{id} in the maildir"
        );
        assert_eq!(
            flags.contains(&"\\Seen".to_owned()),
            n < 10,
            "{id}: {flags:?}"
        );
    }
    listener.shutdown().await;
}
