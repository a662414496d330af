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
