//! The directory through the CLI (ID-4): the demo directory is searchable, FHIR
//! output, synthetic extracts generated and imported, invalid lines reported with
//! their number, liste rouge.

mod common;

use common::{ok, run};

#[test]
fn id4_directory_import_search_and_liste_rouge() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);

    let found = ok(
        &data,
        &[],
        &["directory", "search", "--name", "martin", "--place", "75"],
    );
    assert!(
        found
            .lines()
            .next()
            .unwrap()
            .starts_with("alice.martin@caduceus.test"),
        "{found}"
    );
    let fhir = ok(
        &data,
        &[],
        &["directory", "search", "--id", "10003090833", "--fhir"],
    );
    let bundle: serde_json::Value = serde_json::from_str(fhir.lines().next().unwrap()).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert!(fhir.contains("PractitionerRole") && fhir.contains("alice.martin@caduceus.test"));
    // Patients are never listed.
    let everyone = ok(&data, &[], &["directory", "search"]);
    assert!(!everyone.contains("@patient."));

    // Alice asks for the liste rouge: hidden from search.
    ok(
        &data,
        &[],
        &[
            "directory",
            "preferences",
            "alice.martin@caduceus.test",
            "--liste-rouge",
            "true",
        ],
    );
    let hidden = ok(&data, &[], &["directory", "search", "--id", "10003090833"]);
    assert!(hidden.trim().is_empty(), "{hidden}");

    // A newer synthetic extract, with one corrupted line.
    let extracts = root.path().join("extracts");
    let out = ok(
        &data,
        &[],
        &[
            "directory",
            "generate",
            "--out",
            extracts.to_str().unwrap(),
            "--people",
            "30",
            "--mailboxes",
            "40",
            "--seed",
            "7",
        ],
    );
    assert_eq!(out.lines().count(), 2);
    let mailbox_file = extracts.join("Extraction_Correspondance_MSSante.txt");
    let text = std::fs::read_to_string(&mailbox_file).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // An address that is not one.
    let broken = lines[5].replacen('@', " at ", 1);
    lines[5] = &broken;
    std::fs::write(&mailbox_file, lines.join("\n")).unwrap();
    let import = run(
        &data,
        &[],
        &["directory", "import", mailbox_file.to_str().unwrap()],
    );
    let stdout = String::from_utf8_lossy(&import.stdout);
    let stderr = String::from_utf8_lossy(&import.stderr);
    assert!(
        !import.status.success(),
        "an invalid line must fail the import: {stdout}"
    );
    assert!(stderr.contains("line 6:"), "{stderr}");
    assert!(
        stdout.contains("40 lines") && stdout.contains("1 invalid"),
        "{stdout}"
    );
    assert!(stdout.contains("removals withheld"), "{stdout}");
    let people = ok(
        &data,
        &[],
        &[
            "directory",
            "import",
            extracts
                .join("PS_LibreAcces_Personne_activite.txt")
                .to_str()
                .unwrap(),
        ],
    );
    assert!(people.contains("people: 30 lines"), "{people}");
    // The import is traced and the chain verifies.
    assert!(ok(&data, &[], &["audit", "verify"]).contains("intact"));
}

/// ID-4 (seed 004 §7.4): the operator's active mailboxes are written as a national
/// extract — professionals with their RPPS identity and what the directory knows of
/// them, the organisational mailbox with its structure, the holder's liste rouge as
/// `O`, no patient — and the file reads back through the importer without an invalid
/// line; re-importing the national file reconciles: what it lacks, what it lists that
/// is not open here, and a liste rouge not yet published are named.
#[test]
fn id4_the_operators_mailboxes_are_exported_for_the_national_directory_and_read_back() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);
    let bruno = "bruno.durand@caduceus.test";
    ok(
        &data,
        &[],
        &["directory", "preferences", bruno, "--liste-rouge", "true"],
    );
    let file = root
        .path()
        .join("Extraction_Correspondance_MSSante_caduceus.txt");
    let path = file.display().to_string();
    let written = ok(&data, &[], &["directory", "export", "--out", &path]);
    assert!(written.contains("mailboxes written"), "{written}");
    let extract = std::fs::read_to_string(&file).unwrap();
    let mut lines = extract.lines();
    let columns = caduceus_core::directory::synthetic::MAILBOX_COLUMNS;
    assert_eq!(
        lines.next(),
        Some(format!("{}|", columns.join("|")).as_str())
    );
    let lines: Vec<&str> = lines.collect();
    let line_of = |address: &str| {
        lines
            .iter()
            .find(|l| l.split('|').nth(1) == Some(address))
            .copied()
            .unwrap_or_else(|| panic!("{address} not exported:\n{extract}"))
    };
    let alice = line_of("alice.martin@caduceus.test");
    assert!(
        alice.starts_with("PER|alice.martin@caduceus.test|8|10003090833|810003090833|"),
        "{alice}"
    );
    assert!(
        alice.contains("|10|Médecin|") && alice.ends_with("|N|"),
        "{alice}"
    );
    assert!(line_of(bruno).ends_with("|O|"), "liste rouge honoured");
    assert!(line_of("secretariat.cardiologie@caduceus.test").starts_with("ORG|"));
    assert!(
        !extract.contains("@patient."),
        "patients are never in the directory"
    );
    // The national file read back: no invalid line, and it agrees with the mailboxes.
    let imported = ok(&data, &[], &["directory", "import", &path]);
    assert!(
        imported.contains(&format!("{} lines", lines.len())) && imported.contains(" 0 invalid"),
        "{imported}"
    );
    let agreed = format!(
        "this operator in the national file: {} listed, 0 to publish, 0 not open here, 0 liste \
         rouge to update",
        lines.len()
    );
    assert!(imported.contains(&agreed), "{imported}");
    // A national file that lost Alice, lists a mailbox nobody opened here and still
    // shows Bruno, who chose the liste rouge: each is named, with what to do.
    let ghost = alice.replace("alice.martin@", "ghost@");
    let shown = line_of(bruno).replace("|O|", "|N|");
    let national: Vec<String> = std::iter::once(extract.lines().next().unwrap().to_owned())
        .chain(lines.iter().filter(|l| **l != alice).map(|l| {
            if *l == line_of(bruno) {
                shown.clone()
            } else {
                (*l).to_owned()
            }
        }))
        .chain([ghost])
        .collect();
    std::fs::write(&file, national.join("\n") + "\n").unwrap();
    let imported = ok(&data, &[], &["directory", "import", &path]);
    for expected in [
        "1 to publish, 1 not open here, 1 liste rouge to update",
        "to publish (caduceus directory export, then send it): alice.martin@caduceus.test",
        "not open here (ask the national directory to remove it): ghost@caduceus.test",
        "shown nationally (send the export): bruno.durand@caduceus.test",
    ] {
        assert!(imported.contains(expected), "{expected}: {imported}");
    }
}
