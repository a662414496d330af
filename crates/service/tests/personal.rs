//! MS-14: a user marks a message (keyword `$Personal`) or a folder of their own making
//! personal; the auditor's trace view names neither, while professional items stay
//! visible; INBOX, the special folders and an organisation's mailbox cannot be marked;
//! the marking is traced; unmarked, the items are visible again.

mod common;

use caduceus_core::Role;
use caduceus_core::personal::PERSONAL_KEYWORD;
use caduceus_service::actor::testing;
use caduceus_service::{Caller, ServiceError};
use common::*;

const RAW: &[u8] =
    b"From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Bonjour\r\n\r\nTexte.\r\n";

/// What the auditor sees of the last day's traces, as one text.
async fn audited(w: &World, auditor: &Caller) -> String {
    let entries = w.service.recent_traces(auditor, 1, 10_000).await.unwrap();
    entries
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e.action,
                e.object,
                e.detail.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `text` names `reference` as a whole word (`msg:1` is not in `msg:12`).
fn names(text: &str, reference: &str) -> bool {
    caduceus_core::personal::references(text).any(|r| r == reference)
}

#[tokio::test]
async fn ms14_personal_items_are_out_of_the_auditors_view() {
    let w = world().await;
    let alice_login = strong(&w, "alice", "810003090833").await;
    let alice = alice_login.account().clone();
    person(&w, "bob", "810000000009", true).await;
    let staff = strong(&w, "rachel", "810000000017").await;
    w.service
        .set_staff_role(&op(), staff.account().id, Role::Auditor, true)
        .await
        .unwrap();
    let auditor = w.service.staff_caller(&staff, Role::Auditor).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let delivered = w
            .service
            .deliver_local(
                &testing::system(),
                std::slice::from_ref(&alice.address),
                RAW,
            )
            .await
            .unwrap();
        ids.push(delivered[0].message);
    }
    let access = w
        .service
        .authorize(&alice_login.caller(), alice.id)
        .await
        .unwrap();

    // One message marked by its keyword, one moved into a personal folder.
    w.service
        .set_flags(&access, ids[0], &[PERSONAL_KEYWORD.to_owned()])
        .await
        .unwrap();
    let private = w.service.create_folder(&access, "Privé").await.unwrap();
    w.service
        .set_folder_personal(&access, "Privé", true)
        .await
        .unwrap();
    let inbox = w
        .service
        .find_folder(&access, "INBOX")
        .await
        .unwrap()
        .unwrap();
    let moved = w
        .service
        .move_messages(&access, inbox.id, &[ids[1]], private.id)
        .await
        .unwrap();
    let in_private = moved[0].message;
    for id in [ids[0], in_private, ids[2]] {
        w.service.read_message(&access, id).await.unwrap();
    }

    let seen = audited(&w, &auditor).await;
    assert!(names(&seen, &ids[2].to_string()), "{seen}");
    for hidden in [
        ids[0].to_string(),
        in_private.to_string(),
        private.id.to_string(),
    ] {
        assert!(!names(&seen, &hidden), "{hidden} shown:\n{seen}");
    }
    assert!(seen.contains("message.read personal"), "{seen}");
    assert!(
        seen.contains("mailbox.personal personal MS-14 personal:on"),
        "{seen}"
    );

    // INBOX and special folders stay professional; so does an organisation's mailbox.
    for name in ["INBOX", "Sent"] {
        let refused = w.service.set_folder_personal(&access, name, true).await;
        assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{name}");
    }
    let org = organisation(&w, "cardio").await;
    w.service
        .add_delegate(&op(), org.id, alice.id)
        .await
        .unwrap();
    let org_access = w
        .service
        .authorize(&alice_login.caller(), org.id)
        .await
        .unwrap();
    w.service
        .create_folder(&org_access, "Divers")
        .await
        .unwrap();
    let refused = w
        .service
        .set_folder_personal(&org_access, "Divers", true)
        .await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))));
    // Another user's folder: not even found through one's own access.
    let bob = w
        .service
        .account_by_address(&addr("bob@caduceus.test"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        w.service
            .authorize(&alice_login.caller(), bob.id)
            .await
            .is_err()
    );

    // Unmarked, the items are visible again.
    w.service
        .set_folder_personal(&access, "Privé", false)
        .await
        .unwrap();
    w.service.set_flags(&access, ids[0], &[]).await.unwrap();
    let seen = audited(&w, &auditor).await;
    for shown in [
        ids[0].to_string(),
        in_private.to_string(),
        private.id.to_string(),
    ] {
        assert!(names(&seen, &shown), "{shown} hidden:\n{seen}");
    }
}
