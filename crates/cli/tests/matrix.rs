//! The authorization matrix's command-line cells (AC-1, AC-2, ID-2, AU-2, MS-9,
//! MS-7, MS-10, TR-1, TR-4, ID-3, ID-4, MS-3, ID-5, AC-3; `caduceus_core::authz`): every cell the table offers at the
//! command line ([`Interface::Cli`], whose only party is the operator: a staff member
//! logged in with `caduceus login`) is run with the real `caduceus` binary on a demo
//! data directory, and must exit as the table says (a denial naming its rule), change
//! what it reaches only when allowed, and leave a trace naming that person and their
//! role (`op:<role>:acct:<n>`, from `cli`), refused when denied. The other interfaces'
//! cells are driven by `crates/web/tests/matrix.rs`.

mod common;

use std::path::PathBuf;

use caduceus_core::authz::{self, Expected, Interface, Operation};
use common::{new_staff_member, ok, run, sqlite, sqlite_value};

/// The staff member (`<local>@caduceus.test`) the cells run as, holding every role a
/// command-line cell needs (AC-2: no cell runs without an authenticated person).
const STAFF: &str = "staff.matrix";
const INS: &str = "295109912611193";
const PATIENT: &str = "295109912611193@patient.caduceus.test";
const ALICE: &str = "alice.martin@caduceus.test";
/// The organisational mailbox whose delegates the delegation cells change (ID-3).
const ORGANISATION: &str = "secretariat.cardiologie@caduceus.test";
/// The professional who recorded the opposition a withdrawal cell finds (MS-9).
const BRUNO: &str = "bruno.durand@caduceus.test";

/// A demo data directory and its embedded database, and the console session of the
/// staff member the cells and their setup run as (AC-2).
struct Data {
    dir: PathBuf,
    session: String,
}

impl Data {
    /// Runs `caduceus ARGS` as the staff member; fails the test if it fails.
    fn ok(&self, args: &[&str]) -> String {
        ok(&self.dir, &self.env(), args)
    }

    /// The staff member's session, for a command's environment.
    fn env(&self) -> [(&str, &str); 1] {
        [("CADUCEUS_SESSION", self.session.as_str())]
    }

    /// The first column of the first row of `sql`.
    fn value(&self, sql: &str) -> String {
        sqlite_value(&self.dir.join("caduceus.db"), sql)
    }

    /// Runs `sql` (the setup of a cell).
    fn execute(&self, sql: &str) {
        sqlite(&self.dir.join("caduceus.db"), sql);
    }

    /// A new professional `t<n>@caduceus.test`, registered at the command line:
    /// pending, or active (verified, with a contact address, ID-2).
    fn account(&self, n: u32, active: bool) -> String {
        let address = format!("t{n}@caduceus.test");
        let id = caduceus_testkit::rpps(1000 + n);
        let add = [
            "account",
            "add",
            "--kind",
            "professional",
            "--id",
            &id,
            "--address",
            &address,
            "--name",
            "T",
        ];
        self.ok(&add);
        if active {
            let verify = ["--evidence", "cps_card", "--by", "RA Test"];
            self.ok(&[&["account", "verify", &address][..], &verify].concat());
            let contact = "holder@contact.example";
            self.ok(&["account", "contact", &address, contact]);
            self.ok(&["account", "activate", &address]);
        }
        address
    }

    /// A new patient (the `n`-th INS of the testkit), registered at the command line,
    /// verified and given a contact address: ready to be announced or accepted at the
    /// counter (ID-5). `announced`: announced too.
    fn patient(&self, n: u32, announced: bool) -> String {
        let ins = caduceus_testkit::ins(n);
        let address = format!("{ins}@patient.caduceus.test");
        self.ok(&[
            "account", "add", "--kind", "patient", "--id", &ins, "--name", "P",
        ]);
        let verify = ["--evidence", "identity_document", "--by", "RA Test"];
        self.ok(&[&["account", "verify", &address][..], &verify].concat());
        self.ok(&["account", "contact", &address, "patient@contact.example"]);
        if announced {
            self.ok(&["patient", "announce", &address]);
        }
        address
    }
}

/// What a cell runs, and the query telling whether it changed what it reaches
/// (`1` when it did; none when it changes nothing).
struct Cell {
    args: Vec<String>,
    changed: Option<String>,
}

/// Prepares cell number `n`, `operation` at the command line: its subject account (a
/// delegate of the organisation's to be removed), the patient's opposition (withdrawn
/// before a record, recorded by a professional before a withdrawal) and blocks (none
/// before a block), the owner's settings (new-mail notices off, directory choices the
/// defaults).
fn prepare(data: &Data, operation: Operation, n: u32) -> Cell {
    let state = |address: &str, test: &str| {
        format!("SELECT COUNT(*) = 0 OR MAX({test}) FROM accounts WHERE address = '{address}'")
    };
    let (args, changed): (Vec<&str>, Option<String>) = match operation {
        Operation::VerifyAccount => {
            let subject = data.account(n, false);
            let verify = ["--evidence", "cps_card", "--by", "RA Test"];
            let args = [&["account", "verify", &subject][..], &verify].concat();
            return Cell::of(&args, Some(state(&subject, "state != 'pending'")));
        }
        Operation::SuspendAccount | Operation::CloseAccount => {
            let subject = data.account(n, true);
            let (args, test) = match operation {
                Operation::SuspendAccount => (vec!["account", "suspend", &subject], "suspended"),
                _ => (vec!["account", "close", &subject, "--yes"], "closed"),
            };
            let test = format!("state = '{test}'");
            return Cell::of(&args, Some(state(&subject, &test)));
        }
        Operation::AddDelegate | Operation::RemoveDelegate => {
            let subject = data.account(n, true);
            let delegation = ["account", "delegate", ORGANISATION, &subject];
            let delegated = format!(
                "SELECT COUNT(*) FROM delegations d JOIN accounts a ON a.id = d.delegate_id \
                 WHERE a.address = '{subject}'"
            );
            if operation == Operation::AddDelegate {
                return Cell::of(&delegation, Some(delegated));
            }
            data.ok(&delegation);
            let args = [&delegation[..], &["--remove"]].concat();
            return Cell::of(&args, Some(format!("SELECT NOT ({delegated})")));
        }
        Operation::SetNotifications => {
            data.ok(&["account", "notify", ALICE, "off"]);
            let on = format!(
                "SELECT COUNT(*) FROM new_mail_notices n JOIN accounts a ON a.id = n.account_id \
                 WHERE a.address = '{ALICE}'"
            );
            (vec!["account", "notify", ALICE, "on"], Some(on))
        }
        Operation::SetDirectoryPreferences => {
            data.execute("DELETE FROM directory_preferences");
            let hidden = format!(
                "SELECT COUNT(*) FROM directory_preferences WHERE address = '{ALICE}' \
                 AND liste_rouge = 1"
            );
            let args = ["directory", "preferences", ALICE, "--liste-rouge", "true"];
            (args.to_vec(), Some(hidden))
        }
        Operation::RequestCertificate => {
            // Alice's client's key and request (MS-3): the key stays with the client.
            let dir = data.dir.parent().unwrap();
            let (key, csr) = (dir.join(format!("{n}.key")), dir.join(format!("{n}.csr")));
            let status = std::process::Command::new("openssl")
                .args([
                    "req",
                    "-new",
                    "-nodes",
                    "-subj",
                    "/CN=Alice",
                    "-newkey",
                    "ec",
                ])
                .args(["-pkeyopt", "ec_paramgen_curve:P-256", "-keyout"])
                .arg(&key)
                .arg("-out")
                .arg(&csr)
                .status()
                .expect("openssl is needed (apt-get install -y openssl)");
            assert!(status.success(), "openssl req");
            let issued = "SELECT COUNT(*) > 0 FROM traces WHERE action = 'certificate.issue' \
                 AND actor LIKE 'op:%:acct:%' AND source = 'cli'";
            let csr = csr.display().to_string();
            let args = ["account", "certificate", ALICE, "--csr", &csr];
            return Cell::of(&args, Some(issued.to_owned()));
        }
        Operation::ActivateAccount => {
            let subject = data.account(n, false);
            let verify = ["--evidence", "cps_card", "--by", "RA Test"];
            data.ok(&[&["account", "verify", &subject][..], &verify].concat());
            let contact = format!("t{n}@contact.example");
            data.ok(&["account", "contact", &subject, &contact]);
            let args = ["account", "activate", &subject];
            return Cell::of(&args, Some(state(&subject, "state = 'active'")));
        }
        Operation::ListAccounts => (vec!["account", "list"], None),
        Operation::ReviewRegistrations => (vec!["account", "registrations"], None),
        Operation::AddRepresentative => {
            let subject = data.account(n, true);
            let represent = ["account", "represent", PATIENT, &subject];
            let capacity = ["--capacity", "guardian", "--evidence", "court_decision"];
            let represented = format!(
                "SELECT COUNT(*) FROM representatives r JOIN accounts a \
                 ON a.id = r.representative_id WHERE a.address = '{subject}'"
            );
            return Cell::of(&[&represent[..], &capacity].concat(), Some(represented));
        }
        Operation::AnnouncePatient | Operation::RecordAnnouncementObjection => {
            let objection = operation == Operation::RecordAnnouncementObjection;
            let subject = data.patient(n, objection);
            if objection {
                // Never created: no row keyed by its address is left (AC-3).
                let gone = format!("SELECT COUNT(*) = 0 FROM accounts WHERE address = '{subject}'");
                return Cell::of(&["patient", "object", &subject], Some(gone));
            }
            let args = ["patient", "announce", &subject];
            return Cell::of(&args, Some(state(&subject, "state = 'announced'")));
        }
        Operation::AcceptAtCounter => {
            let subject = data.patient(n, false);
            let args = ["patient", "accept", &subject];
            return Cell::of(&args, Some(state(&subject, "state = 'active'")));
        }
        Operation::RecordBreach => {
            data.execute("DELETE FROM breaches");
            let recorded = "SELECT COUNT(*) FROM breaches".to_owned();
            (
                vec!["breach", "record", "--nature", "integrity"],
                Some(recorded),
            )
        }
        Operation::ReadBreaches => (vec!["breach", "list"], None),
        Operation::ListDevices => (vec!["account", "device", "list", ALICE], None),
        Operation::ReadTraces => (vec!["audit", "verify"], None),
        Operation::SeeAlerts => (vec!["audit", "alerts"], None),
        Operation::QueryOpposition => (vec!["patient", "show", INS], None),
        Operation::ReadAccessLog => (vec!["patient", "accesses", PATIENT], None),
        Operation::RecordOpposition | Operation::WithdrawOpposition => {
            data.execute("DELETE FROM oppositions");
            let opposed = format!("SELECT COUNT(*) FROM oppositions WHERE ins = '{INS}'");
            if operation == Operation::RecordOpposition {
                (vec!["patient", "oppose", INS], Some(opposed))
            } else {
                data.execute(&format!(
                    "INSERT INTO oppositions (ins, recorded_by, at_ms) VALUES ('{INS}', '{BRUNO}', 0)"
                ));
                let withdrawn = format!("SELECT NOT ({opposed})");
                (
                    vec!["patient", "oppose", INS, "--withdraw"],
                    Some(withdrawn),
                )
            }
        }
        Operation::BlockProfessional => {
            data.execute("DELETE FROM patient_blocks");
            let blocked =
                format!("SELECT COUNT(*) FROM patient_blocks WHERE patient = '{PATIENT}'");
            (vec!["patient", "block", PATIENT, ALICE], Some(blocked))
        }
        Operation::RevokeDevice => {
            let device = data.value(&format!(
                "SELECT MIN(d.id) FROM devices d JOIN accounts a ON a.id = d.account_id \
                 WHERE a.address = '{ALICE}' AND d.revoked_ms IS NULL"
            ));
            let revoked = format!("SELECT revoked_ms IS NOT NULL FROM devices WHERE id = {device}");
            let args = ["account", "device", "revoke", ALICE, &device];
            return Cell::of(&args, Some(revoked));
        }
        Operation::RevokePasskey => {
            data.execute(&format!(
                "INSERT INTO passkeys (account_id, name, kind, credential_id, credential, created_ms) \
                 SELECT id, 'Téléphone', 'phone', CAST('cell-{n}' AS BLOB), '{{}}', 0 FROM accounts WHERE address = '{ALICE}'"
            ));
            let passkey = data.value("SELECT MAX(id) FROM passkeys");
            let revoked =
                format!("SELECT revoked_ms IS NOT NULL FROM passkeys WHERE id = {passkey}");
            let args = ["account", "device", "revoke", ALICE, &passkey, "--passkey"];
            return Cell::of(&args, Some(revoked));
        }
        other => unreachable!("the command line does not offer {other:?}"),
    };
    Cell::of(&args, changed)
}

impl Cell {
    fn of(args: &[&str], changed: Option<String>) -> Cell {
        Cell {
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            changed,
        }
    }
}

/// Whether the cell's run (`status`, its output) and what it left are what
/// `expected` says: success and its change when allowed; a failure naming the rule
/// and nothing changed when denied; a trace naming the operator either way, refused
/// when denied (TR-1).
fn judge(
    data: &Data,
    cell: &Cell,
    expected: Expected,
    out: &std::process::Output,
    seq: &str,
) -> Result<(), String> {
    let allowed = expected == Expected::Allowed;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let status_fine = match expected {
        Expected::Allowed => out.status.success(),
        Expected::Denied(rule) => !out.status.success() && stderr.contains(&format!("({rule})")),
        Expected::Unauthenticated => false,
    };
    if !status_fine {
        return Err(format!("exit {:?}: {stderr}", out.status.code()));
    }
    if let Some(query) = &cell.changed {
        let changed = data.value(query) == "1";
        if changed != allowed {
            return Err(format!("changed: {changed}"));
        }
    }
    let outcome = if allowed { "success" } else { "refused" };
    let staff = data.value(&format!(
        "SELECT id FROM accounts WHERE address = '{STAFF}@caduceus.test'"
    ));
    let traced = data.value(&format!(
        "SELECT COUNT(*) FROM traces WHERE seq > {seq} AND actor LIKE 'op:%:acct:{staff}' \
         AND source = 'cli' AND outcome = '{outcome}'"
    ));
    if traced == "0" {
        return Err(format!(
            "no {outcome} trace naming the staff member acct:{staff}"
        ));
    }
    Ok(())
}

#[test]
fn ac1_ac2_ms9_tr1_every_cell_of_the_authorization_matrix_at_the_command_line() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("d");
    ok(&dir, &[], &["init", "--demo"]);
    let roles = ["ra", "admin", "auditor", "security"];
    let (_, session) = new_staff_member(&dir, STAFF, 990, &roles);
    // Notices go out through a relay (a patient's announcement needs its notice, ID-5).
    let sink = common::Sink::start(&root.path().join("sink"));
    sink.configure(&dir);
    let data = Data { dir, session };
    let mut cells = 0;
    let mut mismatches = Vec::new();
    for operation in Operation::ALL {
        for party in authz::parties(operation) {
            if !authz::interfaces(operation, party).contains(&Interface::Cli) {
                continue;
            }
            cells += 1;
            let expected = authz::expected(operation, party);
            let cell = prepare(&data, operation, cells);
            let seq = data.value("SELECT COALESCE(MAX(seq), 0) FROM traces");
            let args: Vec<&str> = cell.args.iter().map(String::as_str).collect();
            let out = run(&data.dir, &data.env(), &args);
            if let Err(got) = judge(&data, &cell, expected, &out, &seq) {
                mismatches.push(format!(
                    "{operation:?}/{party:?}/Cli: expected {expected:?}, got {got}"
                ));
            }
        }
    }
    assert_eq!(cells, 27, "cells driven");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
