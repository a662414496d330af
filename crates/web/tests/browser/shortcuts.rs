//! Keyboard shortcuts in Chromium (MS-6, issue 22 item 12): off until the user turns
//! them on (WCAG 2.1.4), then one key each, never while typing in a field.

use caduceus_testkit::*;

use super::common::browser::{accessible, browser, walk};
use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_keyboard_shortcuts_are_off_until_turned_on_and_never_taken_from_a_field_in_chromium() {
    browser();
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let totp = web_login(&w, &alice).await;
    let to = std::slice::from_ref(&alice.address);
    for subject in ["Premier bilan", "Second bilan"] {
        let raw = format!(
            "From: labo@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: {subject}\r\n\r\nx\r\n"
        );
        w.service
            .deliver_local(&op(), to, raw.as_bytes())
            .await
            .unwrap();
    }
    let server = listen(&w).await;
    let args = vec![
        ("port", server.port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("alice", alice.address.as_str().to_owned()),
        ("alice_totp", totp),
    ];
    let run = walk("browser_shortcuts.py", args).await;
    server.shutdown().await;
    accessible(&run, 3);

    run.expect("off", 0, &["/mail/folder/INBOX | 0"]);
    run.expect("setting", 0, &["True"]);
    run.expect("chosen", 0, &["Second bilan"]);
    run.expect("opened", 0, &["/mail/message/", "Second bilan"]);
    run.expect("back", 0, &["/mail/folder/INBOX"]);
    run.expect("compose", 0, &["/mail/compose"]);
    run.expect("typed", 0, &["/mail/compose | j"]);
}
