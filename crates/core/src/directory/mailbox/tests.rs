//! The mailbox extract's reading: columns, identifiers, owners, liste rouge, fingerprints.

use super::*;
use crate::directory::synthetic::MAILBOX_COLUMNS;

fn header_line(columns: &[&str]) -> String {
    format!("{}|", columns.join("|"))
}

fn line(values: &[(&str, &str)]) -> String {
    let mut fields = vec![""; MAILBOX_COLUMNS.len()];
    for (name, value) in values {
        let i = MAILBOX_COLUMNS
            .iter()
            .position(|c| c == name)
            .unwrap_or_else(|| panic!("no column {name}"));
        fields[i] = value;
    }
    format!("{}|", fields.join("|"))
}

fn alice() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Type de BAL", "PER"),
        ("Adresse BAL", "Alice.Martin@caduceus.test"),
        ("Type d'identifiant PP", "8"),
        ("Identifiant PP", "10003090833"),
        ("Identification nationale PP", "810003090833"),
        ("Type d'identifiant structure", "1"),
        ("Identification Structure", "1750048886"),
        ("Nom d'exercice", "Martin"),
        ("Prénom d'exercice", "Alice"),
        ("Civilité d'exercice", "DR"),
        ("Code profession", "10"),
        ("Libellé profession", "Médecin"),
        ("Code savoir-faire", "SM04"),
        (
            "Libellé savoir-faire",
            "Cardiologie et maladies vasculaires",
        ),
        ("Raison sociale structure BAL", "Hôpital de démonstration"),
        ("Libellé voie structure BAL", "de l'Hôpital"),
        ("Ligne acheminement structure BAL", "75013 PARIS"),
        ("Code postal structure BAL", "75013"),
        ("Responsable BAL", "Jean Responsable"),
        ("Liste rouge", "N"),
    ]
}

fn secretariat() -> Vec<(&'static str, &'static str)> {
    vec![
        ("Type de BAL", "ORG"),
        ("Adresse BAL", "secretariat.cardiologie@caduceus.test"),
        ("Type d'identifiant structure", "1"),
        ("Identification Structure", "750048886"),
        ("Service de rattachement", "Cardiologie"),
        ("Raison sociale structure BAL", ""),
        (
            "Enseigne commerciale structure BAL",
            "Hôpital de démonstration",
        ),
        ("Ligne acheminement structure BAL", "75651 PARIS CEDEX 13"),
    ]
}

fn with(base: &[(&'static str, &'static str)], changes: &[(&'static str, &'static str)]) -> String {
    let mut values = base.to_vec();
    for change in changes {
        match values.iter_mut().find(|(name, _)| *name == change.0) {
            Some(slot) => *slot = *change,
            None => values.push(*change),
        }
    }
    line(&values)
}

fn parse(text: &str) -> Result<MailboxEntry, String> {
    let header = MailboxHeader::parse(&header_line(MAILBOX_COLUMNS)).unwrap();
    header.parse_line(4, text).map_err(|e| e.to_string())
}

#[test]
fn id4_personal_mailbox_keeps_what_the_directory_needs() {
    let entry = parse(&line(&alice())).unwrap();
    assert_eq!(entry.address.as_str(), "alice.martin@caduceus.test");
    assert_eq!(entry.kind, MailboxKind::Personal);
    assert_eq!(entry.person.as_ref().unwrap().to_string(), "810003090833");
    assert_eq!(
        entry.structure,
        Some(StructureRef::Finess(Finess::parse("750048886").unwrap()))
    );
    assert_eq!(entry.family_name.as_deref(), Some("Martin"));
    assert_eq!(entry.given_name.as_deref(), Some("Alice"));
    assert_eq!(entry.profession, Some(Coded::new("10", "Médecin")));
    assert_eq!(entry.specialty.as_ref().unwrap().code, "SM04");
    assert_eq!(
        entry.organisation_name.as_deref(),
        Some("Hôpital de démonstration")
    );
    assert_eq!(entry.postal_code.as_deref(), Some("75013"));
    assert_eq!(entry.commune.as_deref(), Some("PARIS"));
    assert!(!entry.liste_rouge);
    assert_eq!(entry.key(), entry.address);
    let debug = format!("{entry:?}");
    assert!(!debug.contains("Responsable"), "ID-6: {debug}");
    assert!(!debug.contains("DR"), "ID-6: {debug}");
}

#[test]
fn id4_organisational_mailbox_belongs_to_a_structure() {
    let entry = parse(&line(&secretariat())).unwrap();
    assert_eq!(entry.kind, MailboxKind::Organisational);
    assert_eq!(entry.person, None);
    let structure = entry.structure.as_ref().unwrap();
    assert_eq!(structure.national_form().as_deref(), Some("1750048886"));
    assert_eq!(structure.kind_code(), "1");
    assert_eq!(structure.value(), "750048886");
    assert_eq!(entry.service.as_deref(), Some("Cardiologie"));
    assert_eq!(
        entry.organisation_name.as_deref(),
        Some("Hôpital de démonstration")
    );
    assert_eq!(entry.postal_code.as_deref(), Some("75651"));
    assert_eq!(entry.commune.as_deref(), Some("PARIS"));
}

#[test]
fn id1_structure_identifiers_of_type_1_and_3_are_validated() {
    let siret = with(
        &secretariat(),
        &[
            ("Type d'identifiant structure", "3"),
            ("Identification Structure", "373282932000074"),
        ],
    );
    let entry = parse(&siret).unwrap();
    assert_eq!(
        entry.structure,
        Some(StructureRef::Siret(Siret::parse("73282932000074").unwrap()))
    );
    let bare = with(
        &secretariat(),
        &[
            ("Type d'identifiant structure", "3"),
            ("Identification Structure", "73282932000074"),
        ],
    );
    assert_eq!(parse(&bare).unwrap().structure, entry.structure);
    let refused = [
        (
            [
                ("Type d'identifiant structure", "1"),
                ("Identification Structure", "750048887"),
            ],
            "line 4: Identification Structure: Luhn check failed for FINESS 750048887",
        ),
        (
            [
                ("Type d'identifiant structure", "3"),
                ("Identification Structure", "1750048886"),
            ],
            "line 4: Identification Structure: Type d'identifiant structure 3 is siret, the identifier is finess",
        ),
        (
            [
                ("Type d'identifiant structure", "1"),
                ("Identification Structure", ""),
            ],
            "line 4: Identification Structure is empty",
        ),
        (
            [
                ("Type d'identifiant structure", ""),
                ("Identification Structure", "1750048886"),
            ],
            "line 4: Type d'identifiant structure is empty",
        ),
    ];
    for (changes, message) in refused {
        assert_eq!(parse(&with(&secretariat(), &changes)).unwrap_err(), message);
    }
}

#[test]
fn id4_other_structure_identifiers_are_kept_opaque() {
    let text = with(
        &secretariat(),
        &[
            ("Type d'identifiant structure", "4"),
            ("Identification Structure", "R42/cabinet"),
        ],
    );
    let structure = parse(&text).unwrap().structure.unwrap();
    assert_eq!(
        structure,
        StructureRef::Other {
            kind: "4".into(),
            value: "R42/cabinet".into()
        }
    );
    assert_eq!(structure.national_form(), None);
    assert_eq!(structure.kind_code(), "4");
    assert_eq!(structure.value(), "R42/cabinet");
}

#[test]
fn id4_mailbox_kinds_need_their_owner() {
    let cases = [
        (
            with(
                &alice(),
                &[
                    ("Type d'identifiant PP", ""),
                    ("Identifiant PP", ""),
                    ("Identification nationale PP", ""),
                    ("Type d'identifiant structure", ""),
                    ("Identification Structure", ""),
                ],
            ),
            "line 4: a PER mailbox needs Identification nationale PP or Identification Structure",
        ),
        (
            with(
                &secretariat(),
                &[
                    ("Type d'identifiant structure", ""),
                    ("Identification Structure", ""),
                ],
            ),
            "line 4: an ORG mailbox needs Identification Structure",
        ),
        (
            with(
                &secretariat(),
                &[("Type de BAL", "APP"), ("Identification Structure", "")],
            ),
            "line 4: Identification Structure is empty",
        ),
        (
            with(&secretariat(), &[("Type de BAL", "XYZ")]),
            "line 4: Type de BAL: \"XYZ\" is not PER, ORG or APP",
        ),
        (
            with(&secretariat(), &[("Type de BAL", "")]),
            "line 4: Type de BAL is empty",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(parse(&text).unwrap_err(), message);
    }
    // Staff without a national identifier have a personal mailbox
    // attached to their structure.
    let staff = with(
        &alice(),
        &[
            ("Type d'identifiant PP", ""),
            ("Identifiant PP", ""),
            ("Identification nationale PP", ""),
        ],
    );
    let entry = parse(&staff).unwrap();
    assert_eq!(entry.person, None);
    assert!(entry.structure.is_some());
    let app = with(&secretariat(), &[("Type de BAL", "app")]);
    assert_eq!(parse(&app).unwrap().kind, MailboxKind::Applicative);
}

#[test]
fn id1_invalid_person_identifiers_are_reported() {
    let text = with(&alice(), &[("Identification nationale PP", "0012800736")]);
    assert_eq!(
        parse(&text).unwrap_err(),
        "line 4: Identification nationale PP 0012800736 is not \
         Type d'identifiant PP 8 followed by Identifiant PP 10003090833"
    );
}

#[test]
fn id4_invalid_and_patient_addresses_are_refused() {
    let bad = with(&alice(), &[("Adresse BAL", "alice.martin")]);
    assert_eq!(
        parse(&bad).unwrap_err(),
        "line 4: Adresse BAL: mail address must contain exactly one '@', found 0"
    );
    let patient = with(
        &alice(),
        &[("Adresse BAL", "295109912611193@patient.caduceus.test")],
    );
    let message = parse(&patient).unwrap_err();
    assert_eq!(
        message,
        "line 4: Adresse BAL: a patient's mailbox is never a directory entry"
    );
    assert!(!message.contains("2951099"), "TR-5");
}

#[test]
fn id4_liste_rouge_column_is_optional() {
    for (value, expected) in [
        ("O", true),
        ("oui", true),
        ("1", true),
        ("N", false),
        ("", false),
        ("non", false),
    ] {
        let entry = parse(&with(&alice(), &[("Liste rouge", value)])).unwrap();
        assert_eq!(entry.liste_rouge, expected, "{value}");
    }
    assert_eq!(
        parse(&with(&alice(), &[("Liste rouge", "peut-être")])).unwrap_err(),
        "line 4: Liste rouge: \"peut-être\" is neither O (oui) nor N (non)"
    );
    // Without the column, nobody is on the liste rouge.
    let columns: Vec<&str> = MAILBOX_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "Liste rouge")
        .collect();
    let header = MailboxHeader::parse(&header_line(&columns)).unwrap();
    assert!(!header.has_liste_rouge());
    let full = line(&alice());
    let fields: Vec<&str> = full
        .trim_end_matches('|')
        .split('|')
        .take(columns.len())
        .collect();
    let entry = header.parse_line(2, &header_line(&fields)).unwrap();
    assert!(!entry.liste_rouge);
}

#[test]
fn id4_published_column_names_are_accepted() {
    // The header as the published file spells it (31 columns, no
    // Liste rouge), in its own order.
    let published = [
        "Type de BAL",
        "Adresse BAL",
        "Type Identifiant PP",
        "Identifiant PP",
        "Identification nationale PP",
        "Type identifiant structure",
        "Identification Structure",
        "Service de rattachement",
        "Civilité d'exercice",
        "Nom d'exercice",
        "Prénom d'exercice",
        "Catégorie profession",
        "Libellé de catégorie profession",
        "Code Profession",
        "Libellé Profession",
        "Code savoir-faire",
        "Libellé savoir-faire",
        "Dématérialisation",
        "Raison Sociale structure BAL",
        "Enseigne commerciale structure BAL",
        "L2COMPLEMENTLOCALISATION",
        "L3COMPLEMENTDISTRIBUTION",
        "L4NUMEROVOIE",
        "L4COMPLEMENTNUMEROVOIE",
        "NL4TYPEVOIE",
        "L4LIBELLEVOIE",
        "L5LIEUDITMENTION",
        "L6LIGNEACHEMINEMENT",
        "Code postal",
        "Département",
        "Pays",
    ];
    let header = MailboxHeader::parse(&header_line(&published)).unwrap();
    assert_eq!(header.width(), 31);
    let mut fields = vec![""; 31];
    fields[0] = "PER";
    fields[1] = "alice.martin@caduceus.test";
    fields[2] = "8";
    fields[3] = "10003090833";
    fields[4] = "810003090833";
    fields[9] = "Martin";
    fields[13] = "10";
    fields[14] = "Médecin";
    fields[27] = "75013 PARIS";
    let entry = header.parse_line(2, &header_line(&fields)).unwrap();
    assert_eq!(entry.family_name.as_deref(), Some("Martin"));
    assert_eq!(entry.profession, Some(Coded::new("10", "Médecin")));
    assert_eq!(entry.postal_code.as_deref(), Some("75013"));
    assert_eq!(entry.commune.as_deref(), Some("PARIS"));
    assert!(!entry.liste_rouge);
}

#[test]
fn id4_columns_are_mapped_by_header_name() {
    let text = line(&alice());
    let expected = parse(&text).unwrap();
    let fields: Vec<&str> = text.strip_suffix('|').unwrap().split('|').collect();
    // Rotate the columns and their fields together.
    let mut order: Vec<usize> = (0..MAILBOX_COLUMNS.len()).collect();
    order.rotate_left(7);
    order.swap(0, 20);
    let names: Vec<&str> = order.iter().map(|&i| MAILBOX_COLUMNS[i]).collect();
    let values: Vec<&str> = order.iter().map(|&i| fields[i]).collect();
    let header = MailboxHeader::parse(&header_line(&names)).unwrap();
    let shuffled = header.parse_line(2, &values.join("|")).unwrap();
    assert_eq!(shuffled, expected);
}

#[test]
fn id4_missing_required_column_is_named() {
    let columns: Vec<&str> = MAILBOX_COLUMNS
        .iter()
        .copied()
        .filter(|c| *c != "Adresse BAL")
        .collect();
    assert_eq!(
        MailboxHeader::parse(&header_line(&columns)).unwrap_err(),
        ExtractError::MissingColumn {
            column: "Adresse BAL"
        }
    );
}

#[test]
fn id4_fingerprint_changes_with_any_kept_field() {
    let base = parse(&line(&alice())).unwrap();
    let changes: [&[(&str, &str)]; 5] = [
        &[("Liste rouge", "O")],
        &[("Service de rattachement", "Urgences")],
        &[("Prénom d'exercice", "Alicia")],
        &[("Ligne acheminement structure BAL", "75013 PARIS 13")],
        &[("Type de BAL", "ORG")],
    ];
    for change in changes {
        let other = parse(&with(&alice(), change)).unwrap();
        assert_eq!(other.key(), base.key());
        assert_ne!(other.fingerprint(), base.fingerprint(), "{change:?}");
    }
    let other = parse(&with(&alice(), &[("Responsable BAL", "Quelqu'un d'autre")])).unwrap();
    assert_eq!(other.fingerprint(), base.fingerprint());
}

#[test]
fn delivery_place_splits_code_commune_and_cedex() {
    let cases = [
        ("", "75013 PARIS", Some("75013"), Some("PARIS")),
        ("69003", "69441 LYON CEDEX 03", Some("69003"), Some("LYON")),
        ("", "SAINT ETIENNE", None, Some("SAINT ETIENNE")),
        ("", "", None, None),
        ("", "13005 CEDEX", Some("13005"), None),
        ("", "1300 MARSEILLE", None, Some("1300 MARSEILLE")),
    ];
    for (code, line, postal, commune) in cases {
        let (p, c) = delivery_place(code, line);
        assert_eq!((p.as_deref(), c.as_deref()), (postal, commune), "{line}");
    }
}
