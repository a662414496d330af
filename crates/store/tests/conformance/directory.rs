//! The directory on every backend (ID-4): upserts and removals in one transaction,
//! search by folded keys and identifiers, liste rouge, phone consent.

use caduceus_audit::{Action, DirectoryPart, Id, Object};
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
    let trace = event(
        Action::DirectoryImport,
        Id::Directory(DirectoryPart::Mailboxes),
    );
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
            register: caduceus_core::enrolment::RegisterRecord {
                family_name: "Martin".into(),
                given_name: Some("Alice".into()),
                profession_code: "10".into(),
                profession_label: "Médecin".into(),
            },
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

    // A page's addresses in one lookup (ID-4): each entry, liste rouge or not, with
    // its holder's own choice, for the service to apply the rule.
    let chosen = DirectoryPreferences {
        liste_rouge: true,
        phone_consent: false,
    };
    h.store
        .set_directory_preferences("percent@x.test", chosen, &trace)
        .await
        .unwrap();
    let page: Vec<String> = [
        "alice@x.test",
        "hidden@x.test",
        "percent@x.test",
        "nobody@x.test",
    ]
    .map(str::to_owned)
    .into();
    let mut found = h.store.directory_entries(&page).await.unwrap();
    found.sort_by(|a, b| a.0.address.cmp(&b.0.address));
    let seen: Vec<_> = found
        .iter()
        .map(|(row, chosen)| (row.address.as_str(), row.liste_rouge, *chosen))
        .collect();
    assert_eq!(
        seen,
        [
            ("alice@x.test", false, false),
            ("hidden@x.test", true, false),
            ("percent@x.test", false, true)
        ]
    );

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

pub async fn ms15_an_alert_audience_and_its_reports(h: Harness) {
    let member =
        |address: &str, profession: &str, postal: &str, kind: &str, liste_rouge| DirectoryRow {
            kind: kind.into(),
            profession_code: Some(profession.into()),
            postal_code: Some(postal.into()),
            ..row(address, address, postal, "810003090833", liste_rouge)
        };
    let changes = DirectoryChanges {
        upsert_mailboxes: vec![
            member("paris@x.test", "10", "75013", "PER", false),
            member("rouge@x.test", "10", "75001", "PER", true),
            member("nurse@x.test", "60", "75013", "PER", false),
            member("lyon@x.test", "10", "69003", "PER", false),
            member("ajaccio@x.test", "10", "20000", "PER", false),
            member("bastia@x.test", "10", "20200", "PER", false),
            member("service@x.test", "10", "75013", "ORG", false),
        ],
        ..DirectoryChanges::default()
    };
    let trace = event(
        Action::DirectoryImport,
        Id::Directory(DirectoryPart::Mailboxes),
    );
    h.store.apply_directory(&changes, &trace).await.unwrap();
    let audience = |profession, prefixes: &[&str]| {
        let prefixes: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
        let store = &h.store;
        async move { store.alert_audience(profession, &prefixes).await.unwrap() }
    };
    // Persons only, liste rouge included; by profession, by postal prefix, or both.
    assert_eq!(
        audience(Some("10"), &["75"]).await,
        ["paris@x.test", "rouge@x.test"]
    );
    assert_eq!(
        audience(None, &["75"]).await,
        ["nurse@x.test", "paris@x.test", "rouge@x.test"]
    );
    assert_eq!(
        audience(Some("10"), &["200", "201"]).await,
        ["ajaccio@x.test"]
    );
    assert_eq!(audience(Some("60"), &[]).await, ["nurse@x.test"]);

    let sender = super::professional(&h, "sender", "10003090833").await;
    let mut trace = event(Action::AlertBroadcast, Id::Broadcast(0));
    trace.object = Object::default();
    let id = h
        .store
        .create_broadcast(
            sender.id,
            "profession:10 department:75",
            2,
            super::now(),
            &trace,
        )
        .await
        .unwrap();
    let progress = BroadcastProgress {
        delivered: 1,
        queued: 0,
        unreachable: 1,
        state: "done".into(),
    };
    h.store
        .update_broadcast(id, &progress, super::now())
        .await
        .unwrap();
    let reports = h.store.broadcasts(10).await.unwrap();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].id, id);
    assert_eq!(reports[0].sender, sender.id);
    assert_eq!(reports[0].targeted, 2);
    assert_eq!(reports[0].progress, progress);
    let traced = h.store.trace_entries(0, 1000).await.unwrap();
    assert!(
        traced
            .iter()
            .any(|e| e.action == "alert.broadcast" && e.object == format!("broadcast:{id}"))
    );
}
