//! The directory as clients look it up (ID-4, MS-3, TR-1): the listed entries only
//! (liste rouge from the extract or the holder's choice never; patients never),
//! certificates only for this operator's listed mailboxes with an active account,
//! every lookup traced with a count and never the words.

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use caduceus_core::directory::SearchQuery;
use caduceus_core::{AccountState, MailAddress};
use caduceus_service::Service;
use caduceus_service::actor::testing;
use caduceus_service::address_book::CertificateSource;
use caduceus_store::{DirectoryPreferences, Store};
use common::*;

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
/// On the liste rouge in the extract.
const HIDDEN: &str = "jules.rousseau.15@caduceus.test";
const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";

/// Every address has one certificate: its address's bytes.
struct Everyone;

#[async_trait]
impl CertificateSource for Everyone {
    async fn certificates(&self, address: &MailAddress) -> std::io::Result<Vec<Vec<u8>>> {
        Ok(vec![address.as_str().as_bytes().to_vec()])
    }
}

async fn imported(w: &World) -> Service {
    w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    w.service.clone().with_certificates(Arc::new(Everyone))
}

#[tokio::test]
async fn id4_ms3_lookups_show_listed_entries_and_local_active_certificates() {
    let w = world().await;
    let service = imported(&w).await;
    let alice = person(&w, "alice.martin", "810003090833", true).await;
    let caller = testing::account(alice.id, "127.0.0.1:1");

    // Alice's entry, with her certificate: a listed mailbox of an active account here.
    let found = service
        .find_listed(&caller, &addr(ALICE), true)
        .await
        .unwrap()
        .expect("Alice is listed");
    assert_eq!(found.certificates, [ALICE.as_bytes().to_vec()]);
    // Without asking, none is read.
    let found = service.find_listed(&caller, &addr(ALICE), false).await;
    assert!(found.unwrap().unwrap().certificates.is_empty());
    // Bruno is listed but has no account here: no certificate is served.
    let bruno = service.find_listed(&caller, &addr(BRUNO), true).await;
    assert!(bruno.unwrap().unwrap().certificates.is_empty());
    // The extract's liste rouge, a patient, an unknown address: not found.
    for hidden in [
        HIDDEN,
        "295109912611193@patient.caduceus.test",
        "x@caduceus.test",
    ] {
        let found = service.find_listed(&caller, &addr(hidden), true).await;
        assert!(found.unwrap().is_none(), "{hidden}");
    }

    // A search by name carries the certificates too, and says when it was cut.
    let martin = SearchQuery {
        name: Some("alice martin".into()),
        ..SearchQuery::default()
    };
    let listing = service.find_in_directory(&caller, &martin, true).await;
    let listing = listing.unwrap();
    assert!(!listing.truncated);
    let alice_listed = listing
        .entries
        .iter()
        .find(|l| l.entry.address().as_str() == ALICE)
        .unwrap();
    assert_eq!(alice_listed.certificates.len(), 1);
    let everyone = service
        .find_in_directory(&caller, &SearchQuery::default(), false)
        .await
        .unwrap();
    assert!(everyone.truncated, "250 mailboxes, 200 per answer");
    assert_eq!(everyone.entries.len(), 200);

    // Suspended: listed still, its certificate no longer served.
    service
        .set_state(&op(), alice.id, AccountState::Suspended)
        .await
        .unwrap();
    let suspended = service.find_listed(&caller, &addr(ALICE), true).await;
    assert!(suspended.unwrap().unwrap().certificates.is_empty());

    // Her own liste rouge choice hides her from both lookups.
    let prefs = DirectoryPreferences {
        liste_rouge: true,
        phone_consent: false,
    };
    service
        .set_directory_preferences(&caller, alice.id, prefs)
        .await
        .unwrap();
    assert!(
        service
            .find_listed(&caller, &addr(ALICE), true)
            .await
            .unwrap()
            .is_none()
    );
    let listing = service.find_in_directory(&caller, &martin, true).await;
    assert!(
        listing
            .unwrap()
            .entries
            .iter()
            .all(|l| l.entry.address().as_str() != ALICE)
    );

    // Every lookup is traced for the person, with a count, never the words (TR-5).
    let traces: Vec<_> = w
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "directory.search")
        .collect();
    assert_eq!(traces.len(), 11);
    assert!(traces.iter().all(|e| e.actor == alice.id.to_string()));
    assert_eq!(traces[0].detail.as_deref(), Some("ID-4 found:1"));
    assert!(
        traces
            .iter()
            .all(|e| !format!("{e:?}").to_lowercase().contains("martin"))
    );
}
