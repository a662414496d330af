//! The synthetic extracts: valid keys, stable output, what the importer reads back.

use super::*;
use crate::directory::extract::{ExtractHeader, read_extract};
use crate::directory::mailbox::{MailboxHeader, MailboxKind};
use crate::directory::person::PersonActivityHeader;
use std::collections::HashSet;

fn domain() -> Domain {
    Domain::parse("caduceus.test").unwrap()
}

fn text(lines: impl Iterator<Item = String>) -> String {
    join_lines(lines)
}

#[test]
fn id4_generator_is_deterministic_and_seeded() {
    let a: Vec<String> = person_activity_extract(5, 50).collect();
    let b: Vec<String> = person_activity_extract(5, 50).collect();
    let c: Vec<String> = person_activity_extract(6, 50).collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
    // The demo people do not depend on the seed.
    assert_eq!(a[1], c[1]);
    assert_eq!(a[2], c[2]);
    let m: Vec<String> = mailbox_extract(5, 50, &domain()).collect();
    assert_eq!(m, mailbox_extract(5, 50, &domain()).collect::<Vec<_>>());
}

#[test]
fn id4_generator_writes_the_header_and_n_lines() {
    for n in [0, 1, 2, 3, 17] {
        assert_eq!(person_activity_extract(1, n).count(), n + 1);
        assert_eq!(mailbox_extract(1, n, &domain()).count(), n + 1);
    }
    let header = person_activity_extract(1, 0).next().unwrap();
    assert_eq!(header, format!("{}|", PERSON_ACTIVITY_COLUMNS.join("|")));
    assert_eq!(PERSON_ACTIVITY_COLUMNS.len(), 48);
    assert_eq!(MAILBOX_COLUMNS.len(), 34);
}

#[test]
fn id1_generated_person_lines_are_all_valid() {
    let text = text(person_activity_extract(99, 3_000));
    let records: Vec<_> = read_extract::<PersonActivityHeader>(&text)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(records.len(), 3_000);
    let keys: HashSet<_> = records.iter().map(|r| r.key()).collect();
    assert_eq!(keys.len(), records.len(), "keys are unique");
    let adeli = records
        .iter()
        .filter(|r| r.national_id.to_string().starts_with('0'))
        .count();
    assert!(adeli > 0, "some people are in ADELI");
    let professions: HashSet<_> = records.iter().map(|r| r.profession.code.as_str()).collect();
    assert!(professions.len() >= 8, "{professions:?}");
    assert!(records.iter().any(|r| r.site.finess.is_some()));
    assert!(
        records.iter().any(|r| r.site.technical_id.is_none()),
        "someone has no site"
    );
    let accented = records
        .iter()
        .filter(|r| {
            r.family_name
                .chars()
                .chain(r.given_name.iter().flat_map(|g| g.chars()))
                .any(|c| !c.is_ascii())
        })
        .count();
    assert!(accented > 0);
}

#[test]
fn id1_generated_mailbox_lines_are_all_valid() {
    let text = text(mailbox_extract(99, 3_000, &domain()));
    let records: Vec<_> = read_extract::<MailboxHeader>(&text)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(records.len(), 3_000);
    let addresses: HashSet<_> = records.iter().map(|r| r.key()).collect();
    assert_eq!(addresses.len(), records.len(), "addresses are unique");
    for kind in [
        MailboxKind::Personal,
        MailboxKind::Organisational,
        MailboxKind::Applicative,
    ] {
        assert!(records.iter().any(|r| r.kind == kind), "{kind:?}");
    }
    let red = records.iter().filter(|r| r.liste_rouge).count();
    assert!(red > 30 && red < 300, "{red} on the liste rouge");
    assert!(
        records
            .iter()
            .all(|r| r.address.domain().as_str() == "caduceus.test")
    );
}

#[test]
fn id4_demo_people_come_first() {
    let person_text = text(person_activity_extract(123, 2));
    let people: Vec<_> = read_extract::<PersonActivityHeader>(&person_text)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let alice = &people[0];
    assert_eq!(alice.national_id.to_string(), "810003090833");
    assert_eq!(
        (alice.given_name.as_deref(), alice.family_name.as_str()),
        (Some("Alice"), "Martin")
    );
    assert_eq!(alice.profession.label, "Médecin");
    assert_eq!(alice.specialty.as_ref().unwrap().code, "SM04");
    assert!(
        alice
            .specialty
            .as_ref()
            .unwrap()
            .label
            .contains("Cardiologie")
    );
    assert_eq!(alice.site.finess.as_ref().unwrap().as_str(), "750048886");
    assert_eq!(alice.site.postal_code.as_deref(), Some("75013"));
    assert_eq!(alice.site.commune.as_deref(), Some("Paris"));
    let bruno = &people[1];
    assert_eq!(bruno.national_id.to_string(), "810000000009");
    assert_eq!(
        (bruno.given_name.as_deref(), bruno.family_name.as_str()),
        (Some("Bruno"), "Durand")
    );
    assert_eq!(
        bruno.specialty.as_ref().unwrap().label,
        "Qualifié en Médecine Générale"
    );
    assert_eq!(bruno.site.postal_code.as_deref(), Some("69003"));
    assert_eq!(bruno.site.commune.as_deref(), Some("Lyon"));

    let mailbox_text = text(mailbox_extract(123, 3, &domain()));
    let header_line = mailbox_text.lines().next().unwrap();
    let header = MailboxHeader::parse(header_line).unwrap();
    let mailboxes: Vec<_> = mailbox_text
        .lines()
        .skip(1)
        .enumerate()
        .map(|(i, l)| header.parse_line(i + 2, l).unwrap())
        .collect();
    assert_eq!(mailboxes[0].address.as_str(), "alice.martin@caduceus.test");
    assert_eq!(
        mailboxes[0].person.as_ref().unwrap().to_string(),
        "810003090833"
    );
    assert_eq!(mailboxes[1].address.as_str(), "bruno.durand@caduceus.test");
    assert_eq!(
        mailboxes[1].person.as_ref().unwrap().to_string(),
        "810000000009"
    );
    let secretariat = &mailboxes[2];
    assert_eq!(
        secretariat.address.as_str(),
        "secretariat.cardiologie@caduceus.test"
    );
    assert_eq!(secretariat.kind, MailboxKind::Organisational);
    assert_eq!(secretariat.service.as_deref(), Some("Cardiologie"));
    assert_eq!(
        secretariat
            .structure
            .as_ref()
            .and_then(|s| s.national_form())
            .as_deref(),
        Some("1750048886")
    );
    assert!(mailboxes.iter().all(|m| !m.liste_rouge));
}

#[test]
fn id4_mailboxes_belong_to_the_people_of_the_person_extract() {
    let people = text(person_activity_extract(8, 400));
    let ids: HashSet<String> = read_extract::<PersonActivityHeader>(&people)
        .unwrap()
        .map(|r| r.unwrap().national_id.to_string())
        .collect();
    let mailboxes = text(mailbox_extract(8, 100, &domain()));
    let owners: Vec<String> = read_extract::<MailboxHeader>(&mailboxes)
        .unwrap()
        .filter_map(|r| r.unwrap().person.map(|p| p.to_string()))
        .collect();
    assert!(owners.len() > 50);
    assert!(
        owners.iter().all(|id| ids.contains(id)),
        "every owner has activity lines"
    );
}

#[test]
fn update_dates_are_calendar_dates() {
    assert_eq!(update_date(0), "2025-01-01");
    assert_eq!(update_date(31), "2025-02-01");
    assert_eq!(update_date(58), "2025-02-28");
    assert_eq!(update_date(59), "2025-03-01");
    assert_eq!(update_date(364), "2025-12-31");
    assert_eq!(update_date(365), "2025-01-01");
}

#[test]
fn rng_stays_in_range() {
    let mut rng = Rng::new(1, 2, 3);
    for n in [1, 2, 7, 100, u64::MAX] {
        for _ in 0..100 {
            assert!(rng.below(n) < n);
        }
    }
    assert_eq!(rng.below(0), 0);
}
