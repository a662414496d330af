//! The directory on every backend (ID-4): upserts and removals in one transaction,
//! search by folded keys and identifiers, liste rouge, phone consent.

use caduceus_audit::Action;
use caduceus_store::*;

use super::event;
use super::harness::Harness;

fn row(
    address: &str,
    name: &str,
    place: &str,
    national_id: &str,
    liste_rouge: bool,
) -> DirectoryRow {
    DirectoryRow {
        address: address.into(),
        fingerprint: vec![1; 32],
        kind: "PER".into(),
        display_name: name.into(),
        national_id: Some(national_id.into()),
        liste_rouge,
        keys: SearchKeys {
            name: name.to_lowercase(),
            profession: "10 medecin".into(),
            specialty: "sm04 cardiologie".into(),
            place: place.into(),
        },
        ..DirectoryRow::default()
    }
}

pub async fn id4_directory_search_honours_liste_rouge_and_consent(h: Harness) {
    let trace = event(Action::DirectoryImport, "directory:mailboxes".into());
    let changes = DirectoryChanges {
        upsert_mailboxes: vec![
            row(
                "alice@x.test",
                "Alice Martin",
                "75013 paris",
                "810003090833",
                false,
            ),
            row(
                "hidden@x.test",
                "Marc Martin",
                "75013 paris",
                "810000000009",
                true,
            ),
            row(
                "percent@x.test",
                "Zoe 100% Dupont",
                "69003 lyon",
                "810000000017",
                false,
            ),
        ],
        upsert_people: vec![DirectoryPerson {
            key: "810003090833|site".into(),
            fingerprint: vec![2; 32],
            national_id: "810003090833".into(),
            phone: Some("0142160000".into()),
        }],
        ..DirectoryChanges::default()
    };
    h.store.apply_directory(&changes, &trace).await.unwrap();
    let search = |q: DirectoryQuery| {
        let h = &h;
        async move {
            h.store
                .search_directory(&q, 50)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.address)
                .collect::<Vec<_>>()
        }
    };
    let martin = DirectoryQuery {
        name: Some("martin".into()),
        ..DirectoryQuery::default()
    };
    assert_eq!(search(martin.clone()).await, ["alice@x.test"]);
    // Wildcards typed by a user are literal.
    let wildcard = DirectoryQuery {
        name: Some("%".into()),
        ..DirectoryQuery::default()
    };
    assert_eq!(search(wildcard).await, ["percent@x.test"]);
    let by_id = DirectoryQuery {
        identifiers: vec!["810000000017".into(), "10000000017".into()],
        ..DirectoryQuery::default()
    };
    assert_eq!(search(by_id).await, ["percent@x.test"]);
    // Found by address despite the liste rouge.
    assert!(
        h.store
            .directory_entry("hidden@x.test")
            .await
            .unwrap()
            .is_some()
    );

    // The phone only with consent.
    let alice = h
        .store
        .directory_entry("alice@x.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice.phone, None);
    let consent = DirectoryPreferences {
        liste_rouge: false,
        phone_consent: true,
    };
    h.store
        .set_directory_preferences("alice@x.test", consent, &trace)
        .await
        .unwrap();
    assert_eq!(
        h.store.directory_preferences("alice@x.test").await.unwrap(),
        consent
    );
    let alice = h
        .store
        .search_directory(&martin, 5)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(alice.phone.as_deref(), Some("0142160000"));

    // Removal and fingerprints for the next import's difference.
    let removal = DirectoryChanges {
        remove_mailboxes: vec!["percent@x.test".into()],
        ..DirectoryChanges::default()
    };
    h.store.apply_directory(&removal, &trace).await.unwrap();
    let mut stored = h.store.directory_mailbox_fingerprints().await.unwrap();
    stored.sort();
    assert_eq!(
        stored.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["alice@x.test", "hidden@x.test"]
    );
    assert_eq!(
        h.store.directory_people_fingerprints().await.unwrap().len(),
        1
    );
}
