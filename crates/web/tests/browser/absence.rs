//! The out-of-office reply and the signature in Chromium (MS-6, issue 22 item 12): a
//! doctor sets both in the settings, a refusal keeps what was typed, a new letter
//! offers the signature after "-- " (RFC 3676 §4.3); a patient's reply offers theirs
//! above the quoted letter, asks for a read receipt, and the patient sets an absence
//! too. axe-core on every page state, phone width and 320 px.

use caduceus_service::actor::testing;
use caduceus_store::{AbsenceStore as _, Store as _};
use caduceus_testkit::*;

use super::common::browser::{accessible, browser, walk};
use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_signature_and_out_of_office_set_in_the_settings_and_offered_when_writing_in_chromium()
{
    browser();
    let w = world().await;
    let doctor = professional(&w, "alice", &rpps(1), true).await;
    let patient = patient(&w, "295109912611193", "Camille Durand").await;
    let (doctor_totp, patient_totp) = (web_login(&w, &doctor).await, web_login(&w, &patient).await);
    // The doctor wrote to the patient first (MS-8): the patient may answer.
    let letter = format!(
        "From: alice@caduceus.test\r\nTo: {}\r\nSubject: Rendez-vous\r\n\r\nA mardi.\r\n",
        patient.address.as_str()
    );
    let to = std::slice::from_ref(&patient.address);
    let (operator, from) = (op(), Some(&doctor.address));
    let delivered = w
        .service
        .deliver_relayed(&operator, from, to, letter.as_bytes());
    delivered.await.unwrap();
    let server = listen(&w).await;
    let args = vec![
        ("port", server.port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("doctor", doctor.address.as_str().to_owned()),
        ("doctor_totp", doctor_totp),
        ("patient", patient.address.as_str().to_owned()),
        ("patient_totp", patient_totp),
    ];
    let run = walk("browser_absence.py", args).await;
    server.shutdown().await;
    accessible(&run, 6);

    run.expect("signature", 0, &["Dr Alice Martin\\nCardiologue, Lyon"]);
    run.expect(
        "refused",
        0,
        &["Le dernier jour est avant le premier jour. | 2026-08-10 | Congés annuels | True"],
    );
    run.expect(
        "saved",
        0,
        &["Votre réponse d’absence est activée. | 2026-08-24"],
    );
    // One empty line to write on, then the signature (HTML drops the newline that
    // follows `<textarea>`: the form's text starts with two).
    run.expect(
        "compose",
        0,
        &["\"\\n-- \\nDr Alice Martin\\nCardiologue, Lyon\""],
    );
    let reply = run.expect("reply", 0, &["\"\\n-- \\nCamille Durand\\n\\n"]);
    assert!(
        reply.contains("> A mardi."),
        "the quoted letter under the signature: {reply}"
    );
    let kept = w.store.absence(doctor.id).await.unwrap().unwrap();
    assert!(kept.on && kept.subject == "Congés annuels");
    // The patient's answer reached the doctor asking for a read receipt (MS-16), and
    // the patient's absence is kept (MS-6).
    run.expect("sent", 0, &["/mail/folder/Sent"]);
    run.expect(
        "patient-saved",
        0,
        &["Votre réponse d’absence est activée."],
    );
    let inbox = w.store.mailbox(doctor.id, "INBOX").await.unwrap().unwrap();
    let summaries = w.store.messages(inbox.id).await.unwrap();
    let doctor_login = testing::account(doctor.id, "test");
    let access = w.service.authorize(&doctor_login, doctor.id).await.unwrap();
    let mut asked = false;
    for summary in summaries {
        let read = w.service.read_message(&access, summary.id).await.unwrap();
        let raw = String::from_utf8_lossy(&read.raw);
        asked |= raw.lines().any(|line| {
            line.starts_with("Disposition-Notification-To:")
                && line.contains(patient.address.as_str())
        });
    }
    assert!(
        asked,
        "the doctor received no answer asking for a read receipt"
    );
    let away = w.store.absence(patient.id).await.unwrap().unwrap();
    assert!(away.on && away.subject == "En vacances");
}
