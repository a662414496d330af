//! Drafts in a real browser (headless Chromium driven by Selenium, MS-6, issue 22): a
//! professional types a letter with an attachment and waits for the autosave; opens
//! Drafts and continues it; a refused send keeps the text and the attachment; the
//! letter is sent, with its attachment, and Drafts is empty. axe-core finds no
//! violation on any page state (desktop, phone, 320-px reflow). The screenshot
//! `draft-saved` goes to `CADUCEUS_SCREENSHOTS` when set.

use caduceus_testkit::*;
use common::browser::{accessible, browser, walk};
use common::*;

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_a_letter_typed_in_chromium_is_autosaved_continued_from_drafts_and_sent() {
    browser();
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let file = w.dir.path().join("compte-rendu.pdf");
    std::fs::write(&file, b"%PDF-1.4 compte rendu\n").unwrap();
    let server = listen(&w).await;
    let args = vec![
        ("port", server.port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("alice", alice.address.as_str().to_owned()),
        ("alice_totp", alice_totp),
        ("bob", bob.address.as_str().to_owned()),
        ("file", file.display().to_string()),
    ];
    let run = walk("browser_drafts.py", args).await;
    server.shutdown().await;
    accessible(&run, 6);

    run.expect("autosaved", 0, &["Brouillon enregistré à"]);
    let (_, autosaved) = run.step("autosaved");
    assert!(
        !autosaved.ends_with("draft="),
        "the draft's id: {autosaved}"
    );
    run.expect("drafts", 0, &["Compte rendu de consultation"]);
    run.expect(
        "continued",
        0,
        &[
            bob.address.as_str(),
            "Compte rendu de consultation",
            "compte-rendu.pdf",
        ],
    );
    run.expect(
        "refused",
        0,
        &[
            "s'est bien passée",
            "Bien confraternellement.",
            "compte-rendu.pdf",
        ],
    );
    run.expect(
        "sent",
        0,
        &["/mail/folder/Sent", "Compte rendu de consultation"],
    );
    run.expect("drafts-after", 0, &["0"]);
    run.expect("certificate-form", 0, &["Demande de certificat (CSR)"]);
    let received = inbox(&w, &bob).await;
    assert_eq!(received.len(), 1);
    let raw = String::from_utf8_lossy(&received[0]);
    assert!(raw.contains("compte-rendu.pdf") && raw.contains("confraternellement"));
}
