//! Identity at the command line, as a registration authority works: registry
//! identifiers checked to their key and kept with their registry (ID-1), and no
//! activation without a contact address outside the trust space (ID-2, 004 §7.1).

mod common;

use std::path::Path;

use common::{account_json, ok, run};

/// Runs a command that must fail; returns what it printed on standard error.
fn refused(data: &Path, args: &[&str]) -> String {
    let out = run(data, &[], args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "{args:?} passed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// `account add` for `kind` with identifier `id` at `local@caduceus.test`.
fn add<'a>(kind: &'a str, id: &'a str, address: &'a str) -> Vec<&'a str> {
    vec![
        "account",
        "add",
        "--kind",
        kind,
        "--id",
        id,
        "--address",
        address,
        "--name",
        "Test",
    ]
}

#[test]
fn id1_registry_identifiers_are_checked_to_their_key_and_kept_with_their_registry() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--domain", "caduceus.test"]);
    // A wrong check key in each registry is refused, naming the registry.
    for (kind, id, registry) in [
        ("professional", "810003090834", "RPPS"),
        ("professional", "0012800737", "ADELI"),
        ("organisation", "1750048887", "FINESS"),
        ("organisation", "373282932000075", "SIRET"),
    ] {
        let error = refused(&data, &add(kind, id, "x@caduceus.test"));
        assert!(error.contains("--id"), "{id}: {error}");
        assert!(error.contains(registry), "{id}: {error}");
    }
    // The wrong length too.
    let error = refused(
        &data,
        &add("professional", "81000309083", "x@caduceus.test"),
    );
    assert!(error.contains("--id"), "{error}");
    assert!(
        !ok(&data, &[], &["account", "list"]).contains("x@caduceus.test"),
        "nothing was created"
    );
    // Good ones are kept with their registry and identifier.
    for (kind, id, address, registry) in [
        ("professional", "810003090833", "rpps@caduceus.test", "rpps"),
        ("professional", "0012800736", "adeli@caduceus.test", "adeli"),
        (
            "organisation",
            "1750048886",
            "finess@caduceus.test",
            "finess",
        ),
        (
            "organisation",
            "373282932000074",
            "siret@caduceus.test",
            "siret",
        ),
    ] {
        ok(&data, &[], &add(kind, id, address));
        let account = account_json(&data, address);
        assert_eq!(account["registry"], registry, "{account}");
        assert_eq!(account["identifier"], id, "{account}");
        assert_eq!(account["state"], "pending", "{account}");
    }
    let list = ok(&data, &[], &["account", "list"]);
    let line = list.lines().find(|l| l.contains("adeli@")).unwrap();
    assert!(line.contains("adeli"), "{line}");
    // A structure's identifier does not identify a person, nor the reverse.
    let error = refused(&data, &add("professional", "1750048886", "y@caduceus.test"));
    assert!(error.contains("cannot be identified"), "{error}");
}

#[test]
fn id2_activation_needs_a_contact_address_outside_the_trust_space() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--domain", "caduceus.test"]);
    let alice = "alice@caduceus.test";
    ok(&data, &[], &add("professional", "810003090833", alice));
    let verify = |address| {
        ok(
            &data,
            &[],
            &[
                "account",
                "verify",
                address,
                "--evidence",
                "cps_card",
                "--by",
                "RA Test",
            ],
        )
    };
    verify(alice);
    // Verified, but no contact address: not activated, and told what to do.
    let error = refused(&data, &["account", "activate", alice]);
    assert!(error.contains("(ID-2)"), "{error}");
    assert!(
        error.contains("caduceus account contact alice@caduceus.test"),
        "{error}"
    );
    assert_eq!(account_json(&data, alice)["state"], "verified");
    // Addresses inside the trust space are not out of band.
    for inside in [
        "alice.perso@caduceus.test",
        "295109912611193@patient.caduceus.test",
        "alice@medecin.mssante.fr",
    ] {
        let error = refused(&data, &["account", "contact", alice, inside]);
        assert!(error.contains("inside the MSSante trust space"), "{error}");
    }
    assert_eq!(
        account_json(&data, alice)["contact"],
        serde_json::Value::Null
    );
    // An ordinary address: the activation goes through.
    ok(
        &data,
        &[],
        &["account", "contact", alice, "alice@example.org"],
    );
    assert!(ok(&data, &[], &["account", "activate", alice]).contains("active"));
    let account = account_json(&data, alice);
    assert_eq!(account["state"], "active", "{account}");
    assert_eq!(account["contact"], "alice@example.org", "{account}");
    // Active, it can be replaced but not removed.
    let error = refused(&data, &["account", "contact", alice]);
    assert!(error.contains("instead of removing it"), "{error}");
    ok(
        &data,
        &[],
        &["account", "contact", alice, "alice@example.net"],
    );
    assert_eq!(account_json(&data, alice)["contact"], "alice@example.net");
    // After a suspension, re-activation needs it just as much: it is still there.
    ok(&data, &[], &["account", "suspend", alice]);
    ok(&data, &[], &["account", "activate", alice]);

    // Patients need one too (their notices, RT-1's warnings).
    let ins = "295109912611193";
    let patient = format!("{ins}@patient.caduceus.test");
    ok(
        &data,
        &[],
        &[
            "account", "add", "--kind", "patient", "--id", ins, "--name", "Camille",
        ],
    );
    ok(
        &data,
        &[],
        &[
            "account",
            "verify",
            &patient,
            "--evidence",
            "identity_document",
            "--by",
            "RA Test",
        ],
    );
    // A patient present accepts their mailbox at the counter (ID-5): it opens at once.
    let error = refused(&data, &["patient", "accept", &patient]);
    assert!(error.contains("has no contact address"), "{error}");
    ok(
        &data,
        &[],
        &["account", "contact", &patient, "camille@example.org"],
    );
    ok(&data, &[], &["patient", "accept", &patient]);
    assert_eq!(account_json(&data, &patient)["state"], "active");
    // Each step is in the trace chain, which verifies.
    assert!(ok(&data, &[], &["audit", "verify"]).contains("trace chain intact"));
}
