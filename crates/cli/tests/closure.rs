//! Closing an account at the command line while the server runs (RT-2): its mail
//! client is refused at once, and no row of the database or the keyring is left
//! keyed by it — only the national directory extract, public registry data replaced
//! by each import, still names its address. What is stored at all is what
//! docs/retention.md lists (ID-6).

mod common;

use std::path::Path;

use common::{Server, account_json, demo_imap, init_demo, ok, python3, run};

const SCAN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/db_scan.py");
const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";

/// What `db_scan.py` prints for `args` on the database `db`: one line per finding.
fn scan(db: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec![SCAN, db.to_str().unwrap()];
    all.extend(args);
    python3(&all).lines().map(str::to_owned).collect()
}

#[test]
fn rt2_closing_an_account_deletes_its_data_and_refuses_its_mail_client() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let server = Server::start(&data, &ports.submission);
    common::send_demo_mail(&data, &ports.submission, ALICE, BRUNO, "Compte rendu", 2);
    let imap = || demo_imap(&data, &ports.imaps, BRUNO, "count");
    assert_eq!(imap().trim(), "count 2");
    ok(&data, &[], &["account", "phone", BRUNO, "06 12 34 56 78"]);
    ok(&data, &[], &["account", "notify", BRUNO, "on"]);
    let shown = account_json(&data, BRUNO);
    let id = shown["id"].as_i64().unwrap().to_string();
    let contact = shown["contact"].as_str().unwrap().to_owned();
    let db = data.join("caduceus.db");
    let keyring = data.join("keyring.db");
    assert!(!scan(&db, &["account", &id]).is_empty());
    assert!(!scan(&keyring, &["account", &id]).is_empty());
    let before: Vec<String> = scan(&db, &["find", BRUNO]);
    assert!(
        before.contains(&"found accounts.address".to_owned()),
        "{before:?}"
    );
    assert!(!scan(&db, &["find", &contact]).is_empty());

    // Not without confirming; then closed, its data deleted at once (no grace).
    let unconfirmed = run(&data, &[], &["account", "close", BRUNO]);
    assert!(!unconfirmed.status.success());
    assert_eq!(imap().trim(), "count 2");
    let closed = ok(&data, &[], &["account", "close", BRUNO, "--yes"]);
    assert!(closed.contains("closed and its data deleted"), "{closed}");

    // His mail client is refused; Alice's mail to him has nowhere to go.
    assert!(
        imap().starts_with("login NO"),
        "the closed account still logs in"
    );
    let show = run(&data, &[], &["account", "show", BRUNO]);
    assert!(!show.status.success());
    // Nothing keyed by his account, in the data or the keyring; nothing holds his
    // contact address or phone; his address only in the national directory extract.
    assert_eq!(scan(&db, &["account", &id]), Vec::<String>::new());
    assert_eq!(scan(&keyring, &["account", &id]), Vec::<String>::new());
    assert_eq!(scan(&db, &["find", &contact]), Vec::<String>::new());
    assert_eq!(scan(&db, &["find", "+33612345678"]), Vec::<String>::new());
    let named: Vec<String> = scan(&db, &["find", BRUNO]);
    assert!(
        named.iter().all(|f| f.starts_with("found directory_")),
        "{named:?}"
    );
    // The traces hold only ids, and the chain still verifies (TR-1, TR-5).
    assert!(ok(&data, &[], &["audit", "verify"]).contains("trace chain intact"));
    drop(server);
}

#[test]
fn id6_every_table_the_server_creates_is_a_category_docs_retention_lists() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    init_demo(&data);
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/retention.md"
    ))
    .unwrap();
    let mut tables = 0;
    for db in ["caduceus.db", "keyring.db"] {
        for line in scan(&data.join(db), &["schema"]) {
            let mut words = line.split(' ');
            let table = words.next().unwrap();
            assert!(
                doc.contains(&format!("| `{table}` |")),
                "{db}: table {table} is not in docs/retention.md"
            );
            tables += 1;
            // 000 art.2: identity, identifier, contact, titles, mailbox, technical
            // data, traces; never a birth date, sex, home address or social number.
            for column in words {
                for banned in ["birth", "sex", "gender", "home", "nir", "social"] {
                    assert!(!column.contains(banned), "{table}.{column}");
                }
            }
        }
    }
    assert!(tables > 30, "{tables} tables");
    // An account keeps its identity, registry identifier, state, a password hash and
    // since when its copies are enveloped to the holder's certificate (MS-3).
    let accounts = scan(&data.join("caduceus.db"), &["schema"])
        .into_iter()
        .find(|l| l.starts_with("accounts "))
        .unwrap();
    assert_eq!(
        accounts,
        "accounts id address kind state registry identifier display_name password_hash \
         created_ms updated_ms encrypt_at_rest_ms"
    );
}

/// RT-2, seed 003 §4: a closed patient's data is kept, sealed (the account closed: no
/// login, no delivery), for `retention.patient_closure_years` (ten by default), while a
/// professional's goes at once; the patient's request erases it at once.
#[test]
fn rt2_a_closed_patients_data_is_kept_ten_years_unless_they_ask_for_its_deletion() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    ok(&data, &[], &["init", "--demo"]);
    let add = |ins: &str| {
        let args = [
            "account", "add", "--kind", "patient", "--id", ins, "--name", "P",
        ];
        ok(&data, &[], &args);
        format!("{}@patient.caduceus.test", ins.to_lowercase())
    };
    let kept = add("184127645108946");
    let erased = add("253072B07300470");
    let state = |address: &str| {
        common::sqlite_value(
            &data.join("caduceus.db"),
            &format!(
                "SELECT COALESCE(MAX(state), 'gone') FROM accounts WHERE address = '{address}'"
            ),
        )
    };
    assert_eq!(state(&erased), "pending", "registered");
    let closed = ok(&data, &[], &["account", "close", &kept, "--yes"]);
    assert!(closed.contains("patient_closure_years"), "{closed}");
    assert_eq!(state(&kept), "closed", "kept, closed");
    let gone = ok(
        &data,
        &[],
        &["account", "close", &erased, "--yes", "--erase"],
    );
    assert!(gone.contains("data deleted"), "{gone}");
    assert_eq!(state(&erased), "gone");
    // The patient asks later: the kept data goes too.
    ok(&data, &[], &["account", "close", &kept, "--yes", "--erase"]);
    assert_eq!(state(&kept), "gone");
    // A professional's data goes at once (closure_grace_days = 0).
    ok(&data, &[], &["account", "close", BRUNO, "--yes"]);
    assert_eq!(state(BRUNO), "gone");
}
