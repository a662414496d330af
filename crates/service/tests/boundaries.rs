//! One way in (AC-1, ID-3): the network front ends (SMTP, IMAP, web, LDAP) act only as the
//! callers the service hands them — a login, a staff role, an admitted peer — never as
//! an operator, the system or a caller of their own making. `Caller`'s fields are
//! private to the service, so the compiler stops a struct literal; this test stops the
//! remaining doors: the command line's callers (`console_caller`, the bootstrap
//! operator, the command-line desk), the test callers, and a front end enabling the
//! `testing` feature in its own dependencies.

use std::path::{Path, PathBuf};

/// What a network front end's source must never contain.
const FORBIDDEN: [&str; 7] = [
    "Caller::operator",
    "console_caller",
    "ConsoleLogin",
    "Desk::CommandLine",
    "actor::testing",
    "Actor::Operator(",
    "Actor::System",
];

const FRONT_ENDS: [&str; 4] = ["smtp", "imap", "web", "ldap"];

fn crates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn ac1_id3_no_network_front_end_makes_its_own_caller() {
    let mut breaches = Vec::new();
    let mut read = 0;
    for front_end in FRONT_ENDS {
        let mut files = Vec::new();
        rust_files(&crates_dir().join(front_end).join("src"), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            read += 1;
            for needle in FORBIDDEN {
                if text.contains(needle) {
                    breaches.push(format!("{} uses {needle}", file.display()));
                }
            }
        }
        let manifest =
            std::fs::read_to_string(crates_dir().join(front_end).join("Cargo.toml")).unwrap();
        let dependencies = manifest
            .split("[dev-dependencies]")
            .next()
            .unwrap_or_default();
        if dependencies.contains("testing") {
            breaches.push(format!(
                "{front_end}/Cargo.toml enables the testing feature"
            ));
        }
    }
    assert!(read > 30, "only {read} source files read: wrong directory?");
    assert!(breaches.is_empty(), "{}", breaches.join("\n"));
}
