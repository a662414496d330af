//! Keyboard shortcuts in Chromium (MS-6, issue 22 item 12): off until the user turns
//! them on (WCAG 2.1.4), then one key each, never while typing in a field; as a doctor
//! and as a patient.

use caduceus_testkit::*;

use super::common::browser::{accessible, browser, walk};
use super::common::*;
use super::journeys::{deliver, pair};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_keyboard_shortcuts_are_off_until_turned_on_and_never_taken_from_a_field_in_chromium() {
    browser();
    let w = world().await;
    let pair = pair(&w).await;
    for reader in [&pair.doctor, &pair.patient] {
        for subject in ["Premier bilan", "Second bilan"] {
            let raw = format!(
                "From: labo@caduceus.test\r\nTo: {}\r\nSubject: {subject}\r\n\r\nx\r\n",
                reader.address.as_str()
            );
            deliver(&w, reader, &raw).await;
        }
    }
    let server = listen(&w).await;
    let run = walk("browser_shortcuts.py", pair.args(server.port)).await;
    server.shutdown().await;
    accessible(&run, 6);

    for who in ["doctor", "patient"] {
        let step = |label: &str, words: &[&str]| run.expect(&format!("{who}-{label}"), 0, words);
        step("off", &["/mail/folder/INBOX | 0"]);
        step("setting", &["True"]);
        step("chosen", &["Second bilan"]);
        step("opened", &["/mail/message/", "Second bilan"]);
        step("back", &["/mail/folder/INBOX"]);
    }
    // A doctor's `c` opens a new letter; a patient, who writes by answering (MS-8),
    // has none to open. A `j` typed in a field is text either way.
    run.expect("doctor-compose", 0, &["/mail/compose"]);
    run.expect("doctor-typed", 0, &["/mail/compose | j"]);
    run.expect("patient-compose", 0, &["/mail/folder/INBOX | 0"]);
    run.expect("patient-typed", 0, &["/mail/folder/INBOX | j"]);
}
