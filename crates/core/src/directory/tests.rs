//! Tests over whole extracts: the committed demo fixtures, corrupted lines,
//! and arbitrary input (ID-1, ID-4).

use proptest::prelude::*;

use super::synthetic::{self, MAILBOX_COLUMNS, PERSON_ACTIVITY_COLUMNS};
use super::*;

/// The committed demo person extract.
const PERSON_FIXTURE: &str =
    include_str!("../../../../fixtures/directory/PS_LibreAcces_Personne_activite_demo.txt");
/// The committed demo mailbox extract.
const MAILBOX_FIXTURE: &str =
    include_str!("../../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");

/// Compares a committed fixture with what the generator writes now; with
/// `CADUCEUS_BLESS_FIXTURES=1` in the environment, rewrites the file
/// instead (then rebuild, so that `include_str!` picks it up).
fn check_fixture(name: &str, committed: &str, generated: &str) {
    if std::env::var_os("CADUCEUS_BLESS_FIXTURES").is_some() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures/directory")
            .join(name);
        std::fs::write(&path, generated).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    assert!(
        committed == generated,
        "fixtures/directory/{name} differs from the generator's output; \
         if the generator changed on purpose, rerun the test with CADUCEUS_BLESS_FIXTURES=1"
    );
}

#[test]
fn id4_demo_fixtures_match_the_generator() {
    check_fixture(
        "PS_LibreAcces_Personne_activite_demo.txt",
        PERSON_FIXTURE,
        &synthetic::demo_person_activity_extract(),
    );
    check_fixture(
        "Extraction_Correspondance_MSSante_demo.txt",
        MAILBOX_FIXTURE,
        &synthetic::demo_mailbox_extract(),
    );
}

#[test]
fn id1_every_line_of_the_demo_fixtures_parses() {
    let people: Vec<PersonActivity> = read_extract::<PersonActivityHeader>(PERSON_FIXTURE)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(people.len(), synthetic::DEMO_ACTIVITY_LINES);
    let mailboxes: Vec<MailboxEntry> = read_extract::<MailboxHeader>(MAILBOX_FIXTURE)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mailboxes.len(), synthetic::DEMO_MAILBOXES);
    assert_eq!(
        PERSON_FIXTURE.lines().count(),
        synthetic::DEMO_ACTIVITY_LINES + 1
    );
    assert!(mailboxes.iter().any(|m| m.liste_rouge));
    // Every mailbox makes a directory entry, and the demo people are found.
    let entries: Vec<DirectoryEntry> = mailboxes
        .iter()
        .map(|m| DirectoryEntry::from_mailbox(m).unwrap())
        .collect();
    let query = SearchQuery {
        name: Some("alice martin".into()),
        specialty: Some("cardiologie".into()),
        place: Some("75013".into()),
        ..SearchQuery::default()
    };
    let found: Vec<&str> = search(&query, &entries)
        .map(|e| e.address().as_str())
        .collect();
    assert_eq!(found, ["alice.martin@caduceus.test"]);
    let query = SearchQuery {
        identifier: Some("10000000009".into()),
        ..SearchQuery::default()
    };
    let found: Vec<&str> = search(&query, &entries)
        .map(|e| e.address().as_str())
        .collect();
    assert_eq!(found, ["bruno.durand@caduceus.test"]);
    let hidden = entries.iter().filter(|e| !visible_in_search(e)).count();
    assert!(hidden > 0, "some demo mailboxes are on the liste rouge");
}

/// The fixture's text with line `number` (1 = header) replaced by
/// `change(line)`.
fn corrupt(text: &str, number: usize, change: impl Fn(&str) -> String) -> String {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            if i + 1 == number {
                change(line)
            } else {
                line.to_owned()
            }
        })
        .map(|line| line + "\n")
        .collect()
}

/// The errors of every line of an extract.
fn errors<H: ExtractHeader>(text: &str) -> Vec<String> {
    read_extract::<H>(text)
        .unwrap()
        .filter_map(Result::err)
        .map(|e| e.to_string())
        .collect()
}

/// `field` of `line` changed by `change`.
fn change_field(
    line: &str,
    columns: &[&str],
    column: &str,
    change: impl Fn(&str) -> String,
) -> String {
    let i = columns.iter().position(|c| *c == column).unwrap();
    let mut fields: Vec<String> = line.split('|').map(str::to_owned).collect();
    fields[i] = change(&fields[i]);
    fields.join("|")
}

/// `text` with its last digit increased by one (mod 10).
fn bump_last_digit(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    if let Some(c) = chars.last_mut() {
        *c = char::from(b'0' + ((c.to_digit(10).unwrap() as u8 + 1) % 10));
    }
    chars.into_iter().collect()
}

#[test]
fn id1_invalid_rpps_line_is_reported_with_its_number() {
    // Line 17 of the file: change the RPPS check digit in both columns.
    let text = corrupt(PERSON_FIXTURE, 17, |line| {
        let line = change_field(
            line,
            PERSON_ACTIVITY_COLUMNS,
            "Identifiant PP",
            bump_last_digit,
        );
        change_field(
            &line,
            PERSON_ACTIVITY_COLUMNS,
            "Identification nationale PP",
            bump_last_digit,
        )
    });
    let errors = errors::<PersonActivityHeader>(&text);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("line 17: Identifiant PP: Luhn check failed for "),
        "{}",
        errors[0]
    );
}

#[test]
fn id4_line_with_a_missing_field_is_reported_with_its_number() {
    let text = corrupt(PERSON_FIXTURE, 4, |line| {
        let mut fields: Vec<&str> = line.split('|').collect();
        fields.remove(5);
        fields.join("|")
    });
    assert_eq!(
        errors::<PersonActivityHeader>(&text),
        ["line 4: 47 fields, header has 48"]
    );
    let text = corrupt(MAILBOX_FIXTURE, 9, |line| line.replacen('|', "", 1));
    assert_eq!(
        errors::<MailboxHeader>(&text),
        ["line 9: 33 fields, header has 34"]
    );
}

#[test]
fn id1_corrupted_mailbox_lines_are_reported_with_their_number() {
    let text = corrupt(MAILBOX_FIXTURE, 2, |line| {
        change_field(line, MAILBOX_COLUMNS, "Identification nationale PP", |_| {
            "810000000017".into()
        })
    });
    let text = corrupt(&text, 4, |line| {
        change_field(
            line,
            MAILBOX_COLUMNS,
            "Identification Structure",
            bump_last_digit,
        )
    });
    let text = corrupt(&text, 3, |line| {
        change_field(line, MAILBOX_COLUMNS, "Adresse BAL", |a| {
            a.replace('@', ".")
        })
    });
    assert_eq!(
        errors::<MailboxHeader>(&text),
        [
            "line 2: Identification nationale PP 810000000017 is not Type d'identifiant PP 8 \
             followed by Identifiant PP 10003090833",
            "line 3: Adresse BAL: mail address must contain exactly one '@', found 0",
            "line 4: Identification Structure: Luhn check failed for FINESS 750048887",
        ]
    );
}

#[test]
fn id4_reimporting_a_newer_extract_applies_the_difference() {
    let parse = |text: &str| -> Vec<MailboxEntry> {
        read_extract::<MailboxHeader>(text)
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let old = parse(MAILBOX_FIXTURE);
    let stored: Vec<_> = old.iter().map(|m| (m.key(), m.fingerprint())).collect();
    // The newer extract: line 5 gone, line 6 on the liste rouge, one new
    // mailbox at the end.
    let newer = corrupt(MAILBOX_FIXTURE, 6, |line| {
        change_field(line, MAILBOX_COLUMNS, "Liste rouge", |_| "O".into())
    });
    let mut newer: Vec<MailboxEntry> = parse(&newer);
    let removed = newer.remove(3);
    let domain = crate::Domain::parse(synthetic::DEMO_DOMAIN).unwrap();
    let extra =
        synthetic::mailbox_extract(synthetic::DEMO_SEED, synthetic::DEMO_MAILBOXES + 1, &domain)
            .last()
            .unwrap();
    let header = MailboxHeader::parse(MAILBOX_FIXTURE.lines().next().unwrap()).unwrap();
    let added = header.parse_line(252, &extra).unwrap();
    newer.push(added.clone());

    let changes = diff(stored, newer);
    assert_eq!(changes.added, vec![added]);
    assert_eq!(changes.changed.len(), 1);
    assert!(changes.changed[0].liste_rouge);
    assert_eq!(changes.removed, vec![removed.key()]);
    assert_eq!(changes.unchanged, synthetic::DEMO_MAILBOXES - 2);
}

proptest! {
    #[test]
    fn id4_arbitrary_text_never_panics(header in "\\PC{0,200}", line in "\\PC{0,400}") {
        if let Ok(h) = PersonActivityHeader::parse(&header) {
            let _ = h.parse_line(2, &line);
        }
        if let Ok(h) = MailboxHeader::parse(&header) {
            let _ = h.parse_line(2, &line);
        }
        let _ = read_extract::<PersonActivityHeader>(&format!("{header}\n{line}")).map(Iterator::count);
        let _ = read_extract::<MailboxHeader>(&line).map(Iterator::count);
    }

    #[test]
    fn id4_arbitrary_fields_under_a_valid_header_never_panic(
        person in proptest::collection::vec("[^|\\n]{0,16}", 48),
        mailbox in proptest::collection::vec("[^|\\n]{0,16}", 34),
        digits in proptest::collection::vec("[0-9]{0,16}", 48),
    ) {
        let person_header = PersonActivityHeader::parse(PERSON_FIXTURE.lines().next().unwrap()).unwrap();
        let mailbox_header = MailboxHeader::parse(MAILBOX_FIXTURE.lines().next().unwrap()).unwrap();
        let _ = person_header.parse_line(2, &person.join("|"));
        let _ = person_header.parse_line(2, &digits.join("|"));
        let _ = mailbox_header.parse_line(2, &mailbox.join("|"));
        let _ = mailbox_header.parse_line(2, &digits[..34].join("|"));
    }

    #[test]
    fn id1_changing_one_field_of_a_valid_line_never_panics(
        index in 0usize..48,
        value in "\\PC{0,20}",
        line_index in 1usize..200,
    ) {
        let person_header = PersonActivityHeader::parse(PERSON_FIXTURE.lines().next().unwrap()).unwrap();
        let line = PERSON_FIXTURE.lines().nth(line_index).unwrap();
        let mut fields: Vec<&str> = line.split('|').collect();
        let replaced = value.replace('|', "");
        fields[index] = &replaced;
        let _ = person_header.parse_line(line_index + 1, &fields.join("|"));
        let mailbox_header = MailboxHeader::parse(MAILBOX_FIXTURE.lines().next().unwrap()).unwrap();
        let line = MAILBOX_FIXTURE.lines().nth(line_index).unwrap();
        let mut fields: Vec<&str> = line.split('|').collect();
        fields[index % 34] = &replaced;
        let _ = mailbox_header.parse_line(line_index + 1, &fields.join("|"));
    }
}
