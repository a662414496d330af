//! The directory through the service (ID-4, ID-6): importing the demo extracts,
//! searching, liste rouge, phone consent, re-import difference, invalid lines.

mod common;

use caduceus_core::directory::SearchQuery;
use caduceus_core::{AccountState, MailAddress};
use caduceus_service::ServiceError;
use caduceus_service::actor::testing;
use caduceus_store::DirectoryPreferences;
use common::*;

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
const PEOPLE: &str =
    include_str!("../../../fixtures/directory/PS_LibreAcces_Personne_activite_demo.txt");
const HIDDEN: &str = "jules.rousseau.15@caduceus.test";

async fn imported() -> World {
    let w = world().await;
    let people = w.service.import_people(&op(), PEOPLE).await.unwrap();
    assert!(people.errors.is_empty(), "{:?}", people.errors);
    assert_eq!(people.lines, 200);
    let mailboxes = w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    assert!(mailboxes.errors.is_empty(), "{:?}", mailboxes.errors);
    assert_eq!((mailboxes.lines, mailboxes.added), (250, 250));
    w
}

fn query(f: impl FnOnce(&mut SearchQuery)) -> SearchQuery {
    let mut q = SearchQuery::default();
    f(&mut q);
    q
}

fn addresses(entries: &[caduceus_core::DirectoryEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| e.address().as_str().to_owned())
        .collect()
}

#[tokio::test]
async fn id4_search_by_name_profession_specialty_place_and_identifier() {
    let w = imported().await;
    let s = |q| {
        let w = &w;
        async move { w.service.search_directory(&q).await.unwrap() }
    };
    let found = s(query(|q| {
        q.name = Some("martin".into());
        q.place = Some("75013".into());
    }))
    .await;
    assert_eq!(addresses(&found)[0], "alice.martin@caduceus.test");
    let by_specialty = s(query(|q| q.specialty = Some("cardiologie".into()))).await;
    assert!(addresses(&by_specialty).contains(&"alice.martin@caduceus.test".to_owned()));
    assert!(by_specialty.iter().all(|e| {
        e.specialty()
            .unwrap()
            .label
            .to_lowercase()
            .contains("cardio")
    }));
    let by_place = s(query(|q| q.place = Some("lyon".into()))).await;
    assert!(addresses(&by_place).contains(&"bruno.durand@caduceus.test".to_owned()));
    assert!(!addresses(&by_place).contains(&"alice.martin@caduceus.test".to_owned()));
    for id in ["10003090833", "810003090833"] {
        let by_id = s(query(|q| q.identifier = Some(id.into()))).await;
        assert_eq!(addresses(&by_id), ["alice.martin@caduceus.test"], "{id}");
    }
    let medecins = s(query(|q| q.profession = Some("medecin".into()))).await;
    assert!(medecins.len() > 10);
    // Accents and case do not matter.
    let accented = s(query(|q| q.profession = Some("MÉDECIN".into()))).await;
    assert_eq!(addresses(&medecins), addresses(&accented));
    // The FHIR shape carries the mailbox as a telecom entry.
    let fhir = found[0].to_fhir().to_string();
    assert!(fhir.contains("PractitionerRole") && fhir.contains("alice.martin@caduceus.test"));
}

async fn visible_alice(w: &World) -> Vec<String> {
    let q = query(|q| q.identifier = Some("810003090833".into()));
    addresses(&w.service.search_directory(&q).await.unwrap())
}

#[tokio::test]
async fn id4_liste_rouge_hides_from_search_not_from_delivery() {
    let w = imported().await;
    let all = w
        .service
        .search_directory(&SearchQuery::default())
        .await
        .unwrap();
    assert_eq!(
        all.len(),
        caduceus_service::directory::MAX_RESULTS as usize,
        "a search returns at most 200 entries"
    );
    let name = w
        .service
        .directory_entry(&MailAddress::parse(HIDDEN).unwrap())
        .await
        .unwrap()
        .expect("still found by address, for delivery");
    assert!(name.liste_rouge());
    let family = name.family_name().unwrap().to_owned();
    let found = w
        .service
        .search_directory(&query(|q| q.name = Some(family.clone())))
        .await
        .unwrap();
    assert!(!addresses(&found).contains(&HIDDEN.to_owned()), "{family}");

    // A holder may choose the liste rouge too.
    let alice = person(&w, "alice.martin", "810003090833", true).await;
    assert_eq!(visible_alice(&w).await.len(), 1);
    let prefs = DirectoryPreferences {
        liste_rouge: true,
        phone_consent: false,
    };
    w.service
        .set_directory_preferences(&testing::account(alice.id, "ip:1"), alice.id, prefs)
        .await
        .unwrap();
    assert!(visible_alice(&w).await.is_empty());
}

#[tokio::test]
async fn id4_phone_is_shown_only_with_consent() {
    let w = imported().await;
    let alice = person(&w, "alice.martin", "810003090833", true).await;
    let find = || {
        let w = &w;
        async move {
            w.service
                .search_directory(&query(|q| q.identifier = Some("810003090833".into())))
                .await
                .unwrap()
                .remove(0)
        }
    };
    assert_eq!(find().await.phone(), None);
    assert!(!find().await.to_fhir().to_string().contains("0142160000"));
    // Nobody else can consent for her.
    let bruno = person(&w, "bruno.durand", "810000000009", true).await;
    let consent = DirectoryPreferences {
        liste_rouge: false,
        phone_consent: true,
    };
    let err = w
        .service
        .set_directory_preferences(&testing::account(bruno.id, "x"), alice.id, consent)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
    w.service
        .set_directory_preferences(&testing::account(alice.id, "x"), alice.id, consent)
        .await
        .unwrap();
    assert_eq!(find().await.phone(), Some("0142160000"));
}

#[tokio::test]
async fn id4_reimport_applies_the_difference() {
    let w = imported().await;
    let mut lines: Vec<String> = MAILBOXES.lines().map(str::to_owned).collect();
    // Bruno moves to Villeurbanne; line 4 leaves; a new mailbox arrives.
    lines[2] = lines[2].replace("69003 LYON|69003", "69100 VILLEURBANNE|69100");
    let gone = lines.remove(3);
    let gone_address = gone.split('|').nth(1).unwrap().to_owned();
    let newcomer = lines[5].replace(
        lines[5].split('|').nth(1).unwrap(),
        "nouvelle.venue@caduceus.test",
    );
    lines.push(newcomer);
    let report = w
        .service
        .import_mailboxes(&op(), &lines.join("\n"))
        .await
        .unwrap();
    assert_eq!(
        (
            report.added,
            report.changed,
            report.removed,
            report.unchanged
        ),
        (1, 1, 1, 248)
    );
    let bruno = w
        .service
        .directory_entry(&MailAddress::parse("bruno.durand@caduceus.test").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bruno.postal_code(), Some("69100"));
    assert!(
        w.service
            .directory_entry(&MailAddress::parse(&gone_address).unwrap())
            .await
            .unwrap()
            .is_none()
    );
    // The same extract again changes nothing.
    let again = w
        .service
        .import_mailboxes(&op(), &lines.join("\n"))
        .await
        .unwrap();
    assert_eq!((again.added, again.changed, again.removed), (0, 0, 0));
}

#[tokio::test]
async fn id1_invalid_lines_are_reported_and_never_cause_deletions() {
    let w = imported().await;
    let mut lines: Vec<String> = MAILBOXES.lines().map(str::to_owned).collect();
    // Alice's RPPS with a wrong check digit, on line 2 of the file.
    lines[1] = lines[1].replace("|10003090833|810003090833|", "|10003090834|810003090834|");
    // A patient mailbox has no place in the directory.
    lines[3] = lines[3].replace(
        lines[3].split('|').nth(1).unwrap(),
        "295109912611193@patient.caduceus.test",
    );
    let report = w
        .service
        .import_mailboxes(&op(), &lines.join("\n"))
        .await
        .unwrap();
    let numbers: Vec<usize> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(numbers, [2, 4], "{:?}", report.errors);
    assert!(report.errors[0].to_string().starts_with("line 2:"));
    // Their entries stay: removals are withheld while lines are invalid.
    assert_eq!(report.removed, 0);
    assert_eq!(report.removals_withheld, 2);
    assert!(
        w.service
            .directory_entry(&MailAddress::parse("alice.martin@caduceus.test").unwrap())
            .await
            .unwrap()
            .is_some()
    );
    // Patients are never listed.
    let all = w
        .service
        .search_directory(&SearchQuery::default())
        .await
        .unwrap();
    assert!(
        all.iter()
            .all(|e| !e.address().as_str().contains("@patient."))
    );
}

#[tokio::test]
async fn ac1_only_operators_import() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let err = w
        .service
        .import_mailboxes(&testing::account(alice.id, "x"), MAILBOXES)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Denied { .. }), "{err}");
}

#[tokio::test]
async fn rt2_leaving_the_register_closes_the_professional_account() {
    // With a grace period the closed account stays visible until the daily job.
    let w =
        world_configured(|c| c.closure_grace = std::time::Duration::from_secs(30 * 86_400)).await;
    w.service.import_people(&op(), PEOPLE).await.unwrap();
    let alice = person(&w, "alice", "810003090833", true).await;
    let bruno = person(&w, "bruno", "810000000009", true).await;
    // Alice stops practising: her activity leaves the next extract.
    let without_alice: Vec<&str> = PEOPLE
        .lines()
        .filter(|l| !l.contains("|810003090833|"))
        .collect();
    let report = w
        .service
        .import_people(&op(), &without_alice.join("\n"))
        .await
        .unwrap();
    assert_eq!((report.removed, report.closed), (1, 1));
    let state = |id| {
        let w = &w;
        async move { w.service.account(id).await.unwrap().state }
    };
    assert_eq!(state(alice.id).await, AccountState::Closed);
    assert_eq!(state(bruno.id).await, AccountState::Active);
    assert!(actions(&w).await.contains(&"account.close".to_owned()));
    // An extract with invalid lines withholds removals, and so closes nobody.
    let mut broken: Vec<String> = PEOPLE.lines().map(str::to_owned).collect();
    broken.retain(|l| !l.contains("|810000000009|"));
    broken[1] = broken[1].replace("|10003090833|810003090833|", "|10003090834|810003090834|");
    let report = w
        .service
        .import_people(&op(), &broken.join("\n"))
        .await
        .unwrap();
    assert_eq!((report.removed, report.closed), (0, 0));
    assert_eq!(state(bruno.id).await, AccountState::Active);
}

#[tokio::test]
async fn id4_an_identifier_that_is_not_ascii_finds_nothing() {
    let w = imported().await;
    for typed in [
        "\u{80}\u{10000}\u{10000}",
        "é10003090833",
        "\u{10000}810003090833",
    ] {
        let found = w
            .service
            .search_directory(&query(|q| q.identifier = Some(typed.into())))
            .await
            .unwrap();
        assert!(found.is_empty(), "{typed:?} found {}", found.len());
    }
}
