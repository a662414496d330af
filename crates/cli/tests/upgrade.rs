//! Upgrades (docs/upgrades.md, issue 21): the real `caduceus` binary opens a copy of a
//! data directory written by an earlier release (`tests/fixtures/upgrade/`) and keeps
//! its messages, UIDs, flags and keywords (MS-4, MS-6) and its trace chain (TR-1,
//! TR-2), after a backup; a schema newer than the binary is refused unchanged; on
//! PostgreSQL migrations apply once, under a lock, however many nodes start.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{
    Ports, Server, caduceus, copy_dir, demo_account, ok, psql, psql_rows, python3, run, sqlite,
    sqlite_value,
};

/// The data directory written by commit 223c95d (schema version 1, not recorded).
const FIXTURE_V1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v1");
/// The data directory written by a schema-version-2 build (the end of session 14,
/// about 756b023).
const FIXTURE_V2: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v2");
/// The data directory written by commit 0c9e447 (schema version 3: self-registration).
const FIXTURE_V3: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v3");
/// Made by 5388ef9 (schema version 4: the announcements).
const FIXTURE_V4: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v4");
/// Made by ce4454d (schema version 5: encryption at rest to the holder's certificate).
const FIXTURE_V5: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v5");
/// Made by 7ce3659 (schema version 6: staff role scopes).
const FIXTURE_V6: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v6");
/// Made by e60c9ac (schema version 7: receipts of relayed messages).
const FIXTURE_V7: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v7");
/// Made by 12aef2c (schema version 8: passkeys and phone pairing).
const FIXTURE_V8: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v8");
/// Made by 7603474 (schema version 9: out-of-office replies and signatures).
const FIXTURE_V9: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v9");
const FIXTURE_V10: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/upgrade/v10");
/// The demo register extract (people), as the demo seed imported it.
const PEOPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/directory/PS_LibreAcces_Personne_activite_demo.txt"
);
const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";
/// The data database's latest schema version (bump with each migration, and keep the
/// release's data directory as a fixture, docs/upgrades.md); the keyring's is 1.
const DATA_VERSION: u32 = 11;
/// What `caduceus migrate --check` and `serve` say of a schema at version 99.
fn refusal() -> String {
    format!(
        "the data database's schema is version 99, newer than this caduceus knows (version \
         {DATA_VERSION})"
    )
}

/// A copy of the fixture `dir` in a new temporary directory, with free ports for its
/// listeners and its key files private again (git keeps no file modes).
fn fixture_copy(dir: &str) -> (tempfile::TempDir, PathBuf, Ports) {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    copy_dir(&Path::new(dir).join("data"), &data);
    use std::os::unix::fs::PermissionsExt;
    for key in ["keys/master.key", "keys/trace-signing.pem", "demo.json"] {
        std::fs::set_permissions(data.join(key), std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let ports = Ports::new();
    let args = ports.args();
    let config = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let rewritten: Vec<String> = text
        .lines()
        .map(|line| {
            args.chunks(2)
                .find(|pair| line.starts_with(&format!("{} = ", &pair[0][2..])))
                .map_or(line.to_owned(), |pair| {
                    format!("{} = \"{}\"", &pair[0][2..], pair[1])
                })
        })
        .collect();
    std::fs::write(&config, rewritten.join("\n") + "\n").unwrap();
    (root, data, ports)
}

/// `tests/scripts/imap_upgrade.py` for `address` (its demo device credential).
fn snapshot(data: &Path, imaps: &str, address: &str) -> String {
    let credential = demo_account(data, address)["device_credential"]
        .as_str()
        .unwrap()
        .to_owned();
    python3(&[
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/imap_upgrade.py"),
        imaps,
        data.join("pki/ca.pem").to_str().unwrap(),
        address,
        &credential,
        "snapshot",
    ])
}

/// How many upgrades the system traced (`store.migrate`) that match `condition`.
fn migrations_traced(db: &Path, condition: &str) -> String {
    sqlite_value(
        db,
        &format!(
            "SELECT COUNT(*) FROM traces WHERE action = 'store.migrate' AND actor = 'system' \
             AND ({condition})"
        ),
    )
}

/// The files of `data` whose name starts with `prefix`.
fn files_starting(data: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Serves a copy of `fixture` (schema version `from`) with this binary and checks what
/// every upgrade must keep: the same folders, UIDs, flags, keywords and messages over
/// IMAP as the release that wrote it showed; the chain verifies; the data database's
/// upgrade is traced; it was copied, consistently, before it was touched; a second
/// start has nothing to do. Returns the copy (its root, its data directory).
fn upgrade_keeps_the_fixture(fixture: &str, from: u32) -> (tempfile::TempDir, PathBuf) {
    let (root, data, ports) = fixture_copy(fixture);
    let messages_before = sqlite_value(&data.join("caduceus.db"), "SELECT COUNT(*) FROM messages");
    {
        let _server = Server::start(&data, &ports.imaps);
        let now = snapshot(&data, &ports.imaps, ALICE) + &snapshot(&data, &ports.imaps, BRUNO);
        let expected = std::fs::read_to_string(Path::new(fixture).join("expected.txt")).unwrap();
        assert_eq!(
            now, expected,
            "the upgraded store must show the same folders, UIDVALIDITY, UIDs, flags, keywords and messages"
        );
    }
    // The chain written by the earlier release verifies, with the upgrade's own entries.
    let verified = ok(&data, &[], &["audit", "verify"]);
    assert!(verified.starts_with("trace chain intact"), "{verified}");
    let db = data.join("caduceus.db");
    assert_eq!(
        migrations_traced(
            &db,
            &format!("object = 'schema:data' AND detail = 'from:{from} to:{DATA_VERSION}'")
        ),
        "1",
        "serve traces the upgrade of the data database (TR-1)"
    );
    let backups = files_starting(&data, &format!("caduceus.db.v{from}-backup-"));
    assert_eq!(backups.len(), 1, "one backup of the data: {backups:?}");
    assert_eq!(sqlite_value(&backups[0], "PRAGMA integrity_check"), "ok");
    assert_eq!(
        sqlite_value(&backups[0], "SELECT COUNT(*) FROM messages"),
        messages_before
    );
    // Nothing is left to do; a second start takes no second backup.
    let check = ok(&data, &[], &["migrate", "--check"]);
    assert!(check.contains("up to date"), "{check}");
    drop(Server::start(&data, &ports.imaps));
    let prefix = format!("caduceus.db.v{from}-backup-");
    assert_eq!(files_starting(&data, &prefix).len(), 1);
    (root, data)
}

#[test]
fn upgrade_v1_fixture_keeps_messages_flags_uids_and_chain_ms4_ms6_tr2() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V1, 1);
    let db = data.join("caduceus.db");
    assert_eq!(
        sqlite_value(
            &db,
            "SELECT COUNT(*) FROM traces WHERE action = 'store.migrate' \
             AND object = 'schema:keyring' AND detail = 'from:1 to:1'"
        ),
        "1",
        "serve traces the keyring's recognition as version 1 (TR-1)"
    );
    assert_eq!(
        sqlite_value(
            &db,
            "SELECT version || ' ' || name FROM schema_version WHERE store = 'data'"
        ),
        "1 initial"
    );
    // Each database was copied, consistently, before it was touched, as the earlier
    // release left it.
    for file in ["caduceus.db", "keyring.db"] {
        let backups = files_starting(&data, &format!("{file}.v1-backup-"));
        assert_eq!(backups.len(), 1, "one backup of {file}: {backups:?}");
        assert_eq!(
            sqlite_value(&backups[0], "PRAGMA integrity_check"),
            "ok",
            "{backups:?}"
        );
        assert_eq!(
            sqlite_value(
                &backups[0],
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_version'"
            ),
            "0",
            "the backup holds the database as the earlier release left it"
        );
    }
}

/// Version 2 (before self-registration and the announcements) to the latest: the
/// upgrade keeps what every upgrade keeps; a patient mailbox the earlier release opened
/// stays open — announcing is for mailboxes created from now on (ID-5); the register's
/// names are not in a version-2 store, so the people extract's next import rewrites
/// every person (ID-1, docs/upgrades.md).
#[test]
fn upgrade_v2_fixture_keeps_messages_open_patients_and_refills_the_register_id1_id5() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V2, 2);
    let db = data.join("caduceus.db");
    assert_eq!(
        sqlite_value(
            &db,
            "SELECT group_concat(state) FROM accounts WHERE address LIKE '%@patient.%'"
        ),
        "active"
    );
    assert_eq!(sqlite_value(&db, "SELECT COUNT(*) FROM announcements"), "0");
    let named = "SELECT COUNT(*) FROM directory_people WHERE family_name IS NOT NULL";
    assert_eq!(sqlite_value(&db, named), "0");
    let people = sqlite_value(&db, "SELECT COUNT(*) FROM directory_people");
    let report = ok(&data, &[], &["directory", "import", PEOPLE]);
    assert!(
        report.contains(" 0 unchanged"),
        "every person rewritten: {report}"
    );
    assert_eq!(sqlite_value(&db, named), people);
}

/// Version 3 (self-registration) to 4 (the announcements): what every upgrade keeps,
/// the register's names kept, the open patient mailbox still open (ID-1, ID-5).
#[test]
fn upgrade_v3_fixture_keeps_messages_the_register_and_open_patients_id1_id5() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V3, 3);
    let db = data.join("caduceus.db");
    let named = "SELECT COUNT(*) > 0 FROM directory_people WHERE family_name IS NOT NULL";
    assert_eq!(sqlite_value(&db, named), "1");
    assert_eq!(
        sqlite_value(
            &db,
            "SELECT group_concat(state) FROM accounts WHERE address LIKE '%@patient.%'"
        ),
        "active"
    );
}

/// Version 4 (the announcements) to 5 (encryption at rest to the holder's
/// certificate): what every upgrade keeps, and nobody's mail enveloped until they ask
/// (MS-3).
#[test]
fn upgrade_v4_fixture_keeps_messages_and_encrypts_nobodys_mail_at_rest_ms3() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V4, 4);
    let db = data.join("caduceus.db");
    let asked = "SELECT COUNT(*) FROM accounts WHERE encrypt_at_rest_ms IS NOT NULL";
    assert_eq!(sqlite_value(&db, asked), "0");
    assert_ne!(sqlite_value(&db, "SELECT COUNT(*) FROM accounts"), "0");
}

/// Version 5 to 6 (staff role scopes): what every upgrade keeps, and a role
/// granted before scopes reads as operator-wide (AC-1).
#[test]
fn upgrade_v5_fixture_keeps_messages_and_roles_stay_operator_wide_ac1() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V5, 5);
    let db = data.join("caduceus.db");
    let column = "SELECT dflt_value FROM pragma_table_info('staff_roles') WHERE name = 'scope'";
    assert_eq!(sqlite_value(&db, column), "'operator'");
}

/// Version 6 to 7 (receipts of relayed messages): what every upgrade keeps, and the
/// receipts' table starts empty (MS-16).
#[test]
fn upgrade_v6_fixture_keeps_messages_and_starts_with_no_relay_receipts_ms16() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V6, 6);
    let db = data.join("caduceus.db");
    assert_eq!(
        sqlite_value(&db, "SELECT COUNT(*) FROM relay_receipts"),
        "0"
    );
}

/// Version 7 to 8 (passkeys and phone pairing): what every upgrade keeps; no account
/// has a passkey nor a pairing token yet (AU-1, MS-18).
#[test]
fn upgrade_v7_fixture_keeps_messages_and_starts_with_no_passkeys_au1_ms18() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V7, 7);
    let db = data.join("caduceus.db");
    for table in ["passkeys", "pairing_tokens"] {
        let count = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(sqlite_value(&db, &count), "0");
    }
}

/// Version 8 to 9 (out-of-office replies and signatures): what every upgrade keeps;
/// nobody has an absence, a signature nor a reply recorded yet (MS-6).
#[test]
fn upgrade_v8_fixture_keeps_messages_and_starts_with_no_absence_nor_signature_ms6() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V8, 8);
    let db = data.join("caduceus.db");
    for table in ["mail_settings", "absence_replies"] {
        let count = format!("SELECT COUNT(*) FROM {table}");
        assert_eq!(sqlite_value(&db, &count), "0");
    }
}

/// Version 9 to 10 (passkey ceremonies shared by the nodes): what every upgrade keeps;
/// no ceremony is under way (AU-1, MS-18).
#[test]
fn upgrade_v9_fixture_keeps_messages_and_starts_with_no_ceremony_au1_ms18() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V9, 9);
    let db = data.join("caduceus.db");
    assert_eq!(
        sqlite_value(&db, "SELECT COUNT(*) FROM passkey_ceremonies"),
        "0"
    );
}

/// Version 10 to 11 (contact changes confirmed by a code): what every upgrade keeps;
/// no change is waiting for its code (AU-1, MS-7, RT-1).
#[test]
fn upgrade_v10_fixture_keeps_messages_and_starts_with_no_pending_contact_au1_ms7() {
    let (_root, data) = upgrade_keeps_the_fixture(FIXTURE_V10, 10);
    let db = data.join("caduceus.db");
    assert_eq!(
        sqlite_value(&db, "SELECT COUNT(*) FROM contact_confirmations"),
        "0"
    );
}

#[test]
fn upgrade_newer_schema_is_refused_unchanged_by_serve_and_migrate_check() {
    let (_root, data, _ports) = fixture_copy(FIXTURE_V1);
    // Before: an unversioned store is reported pending, then upgraded on demand.
    let out = run(&data, &[], &["migrate", "--check"]);
    let (stdout, _) = text(&out);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "data: version 1 (not recorded: written before schema versions), this caduceus \
             knows version {DATA_VERSION}; pending: "
        )),
        "{stdout}"
    );
    let applied = ok(&data, &[("CADUCEUS_OPERATOR", "upgrader")], &["migrate"]);
    assert!(
        applied.contains(&format!(
            "data: upgraded from version 1 to {DATA_VERSION}, after a backup in"
        )),
        "{applied}"
    );
    // A later release recorded version 99.
    let db = data.join("caduceus.db");
    sqlite(
        &db,
        "INSERT INTO schema_version (store, version, name, applied_ms) VALUES ('data', 99, 'future', 0)",
    );
    let before = std::fs::read(&db).unwrap();
    let backups = files_starting(&data, "caduceus.db.v").len();
    let traces = sqlite_value(&db, "SELECT COUNT(*) FROM traces");
    for args in [
        &["migrate", "--check"][..],
        &["migrate"][..],
        &["serve"][..],
    ] {
        let out = run(&data, &[], args);
        let (stdout, stderr) = text(&out);
        assert!(!out.status.success(), "{args:?} must refuse: {stdout}");
        assert!(stderr.contains(&refusal()), "{args:?}: {stderr}");
    }
    let check = text(&run(&data, &[], &["migrate", "--check"])).0;
    assert!(
        check.contains(
            &format!("data: version 99, this caduceus knows version {DATA_VERSION}; NEWER than this caduceus: refused")
        ),
        "{check}"
    );
    assert!(
        std::fs::read(&db).unwrap() == before,
        "a refused store is left unchanged"
    );
    assert_eq!(files_starting(&data, "caduceus.db.v").len(), backups);
    assert_eq!(sqlite_value(&db, "SELECT COUNT(*) FROM traces"), traces);
}

/// `caduceus --data DATA migrate` on the databases `url` and `keyring_url`, as a child
/// process.
fn migrate_on(data: &Path, url: &str, keyring_url: &str) -> std::process::Child {
    caduceus()
        .arg("--data")
        .arg(data)
        .arg("migrate")
        .env("CADUCEUS_DATABASE_URL", url)
        .env("CADUCEUS_KEYRING_URL", keyring_url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("caduceus migrate")
}

#[test]
fn upgrade_postgres_applies_once_under_a_lock_and_refuses_newer_tr1() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let url = common::new_postgres_database();
    let env = [("CADUCEUS_DATABASE_URL", url.as_str())];
    let ports = Ports::new();
    let mut init = vec!["init", "--demo"];
    init.extend(ports.args());
    ok(&data, &env, &init);
    // A new database gets every migration, recorded.
    let recorded = "SELECT store || ':' || version || ':' || name || ':' || applied_ms \
                    FROM schema_version ORDER BY store, version";
    let first = psql_rows(&url, recorded);
    let lines: Vec<&str> = first.lines().collect();
    assert_eq!(lines.len(), DATA_VERSION as usize + 1, "{first}");
    assert!(lines[0].starts_with("data:1:initial:"), "{first}");
    for (version, line) in (1..=DATA_VERSION).zip(&lines) {
        assert!(line.starts_with(&format!("data:{version}:")), "{first}");
    }
    assert!(
        lines[DATA_VERSION as usize].starts_with("keyring:1:initial:"),
        "{first}"
    );
    // A second start applies nothing.
    let check = ok(&data, &env, &["migrate", "--check"]);
    assert!(check.contains("up to date"), "{check}");
    drop(Server::start_with(&data, &env, &ports.imaps));
    assert_eq!(psql_rows(&url, recorded), first);
    // Two nodes starting at once on new databases (the keyring apart, as advised in
    // production): each migration applied once, each database recording its own.
    let fresh = common::new_postgres_database();
    let fresh_keys = common::new_postgres_database();
    let nodes = [
        migrate_on(&data, &fresh, &fresh_keys),
        migrate_on(&data, &fresh, &fresh_keys),
    ];
    let mut said = String::new();
    for node in nodes {
        let out = node.wait_with_output().unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        said += &stdout;
    }
    // Each migration is applied by one node (steps lock one at a time, so two nodes
    // may share the steps of one upgrade): the versions the nodes say they moved
    // through add up to the latest, once.
    for (database, latest) in [("data", DATA_VERSION), ("keyring", 1)] {
        let prefix = format!("{database}: upgraded from version ");
        let moved: u32 = said
            .lines()
            .filter_map(|line| line.strip_prefix(&prefix))
            .filter_map(|rest| {
                let (from, to) = rest.split_once(" to ")?;
                let to = to.split(|c: char| !c.is_ascii_digit()).next()?;
                Some(to.parse::<u32>().ok()? - from.parse::<u32>().ok()?)
            })
            .sum();
        assert_eq!(moved, latest, "each migration applied once: {said}");
    }
    let versions = "SELECT store || ':' || MAX(version) FROM schema_version GROUP BY store \
                    ORDER BY store";
    assert_eq!(psql_rows(&fresh, versions), format!("data:{DATA_VERSION}"));
    assert_eq!(psql_rows(&fresh_keys, versions), "keyring:1");
    // A database written before versions were recorded is recognised as version 1.
    psql(&url, "DROP TABLE schema_version");
    let out = run(&data, &env, &["migrate", "--check"]);
    assert!(!out.status.success());
    assert!(text(&out).0.contains("pending: "));
    let applied = ok(&data, &env, &["migrate"]);
    assert!(
        applied.contains(&format!("data: upgraded from version 1 to {DATA_VERSION}")),
        "{applied}"
    );
    assert!(
        !applied.contains("backup"),
        "PostgreSQL is backed up with its own tools"
    );
    assert_eq!(
        psql_rows(
            &url,
            "SELECT COUNT(*) FROM traces WHERE action = 'store.migrate' AND actor = 'system'"
        ),
        "2"
    );
    let verified = ok(&data, &env, &["audit", "verify"]);
    assert!(verified.contains("intact"), "{verified}");
    // Newer: refused, unchanged.
    psql(
        &url,
        "INSERT INTO schema_version (store, version, name, applied_ms) VALUES ('data', 99, 'future', 0)",
    );
    for args in [&["migrate", "--check"][..], &["serve"][..]] {
        let out = run(&data, &env, args);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            text(&out).1.contains(&refusal()),
            "{args:?}: {}",
            text(&out).1
        );
    }
    // Every data and keyring version, and the inserted 99: nothing more.
    assert_eq!(
        psql_rows(&url, "SELECT COUNT(*) FROM schema_version"),
        (DATA_VERSION + 1 + 1).to_string(),
        "nothing recorded after the refusal"
    );
}

/// The rule of docs/upgrades.md: each schema change adds a migration and its own
/// fixture, written by the release before it; so every version below the one this
/// binary knows has a fixture `vN/` with its expected view.
#[test]
fn upgrade_every_earlier_schema_version_has_a_fixture() {
    let (_root, data, _ports) = fixture_copy(FIXTURE_V1);
    let check = text(&run(&data, &[], &["migrate", "--check"])).0;
    let known: u32 = check
        .lines()
        .find_map(|line| line.strip_prefix("data: "))
        .and_then(|line| line.split("this caduceus knows version ").nth(1))
        .and_then(|rest| rest.split(';').next())
        .and_then(|version| version.parse().ok())
        .unwrap_or_else(|| panic!("no target version in {check}"));
    let fixtures = Path::new(FIXTURE_V1).parent().unwrap();
    for version in 1..known.max(2) {
        let fixture = fixtures.join(format!("v{version}"));
        assert!(
            fixture.join("expected.txt").is_file() && fixture.join("data/caduceus.db").is_file(),
            "schema version {version} has no upgrade fixture {fixture:?}: make one with \
             make-fixture.sh and the release that wrote that version"
        );
    }
}
