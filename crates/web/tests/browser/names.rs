//! People by name in Chromium (ID-4, MS-8, issue 22 journey 7), as a doctor and as a
//! patient. Typing part of a name in To suggests the colleague with their profession
//! and specialty (the directory) and the patient the doctor already wrote to, marked
//! "Patient"; the recipients chosen are named beside the fields as they are written
//! (the rule check answers their names) and once the form is saved, each with their
//! address, and so in the message view. The patient sees the doctor by name and
//! specialty, on the letter and on the reply form.

use caduceus_testkit::*;

use super::common::browser::{accessible, browser, walk};
use super::common::*;
use super::journeys::{listed, pair_of};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id4_ms8_a_doctor_finds_a_colleague_and_a_patient_by_name_and_a_patient_sees_the_doctor_named_in_chromium()
 {
    browser();
    let w = world().await;
    let (alice, bruno, camille) = listed(&w).await;
    // Dr Martin wrote to Camille first (MS-8): Camille is among her patients.
    let letter = caduceus_service::compose::Letter {
        to: vec![camille.address.clone()],
        subject: "Rendez-vous".into(),
        text: "Bonjour, votre rendez-vous est confirmé.".into(),
        ..Default::default()
    };
    let login = strong_login(&w, &alice).await;
    w.service.send_letter(&login, &letter).await.unwrap();
    let pair = pair_of(&w, alice, camille).await;
    let server = listen(&w).await;
    let mut args = pair.args(server.port);
    args.push(("bruno", bruno.address.as_str().to_owned()));
    let run = walk("browser_names.py", args).await;
    server.shutdown().await;
    accessible(&run, 24);

    // "Durand": the colleague with his profession and specialty, the patient marked.
    run.expect(
        "suggested-doctor",
        0,
        &[
            "bruno.durand@caduceus.test",
            "Bruno Durand — Médecin, Qualifié en Médecine Générale",
        ],
    );
    run.expect(
        "suggested-patient",
        0,
        &[pair.patient.address.as_str(), "Camille Durand — Patient"],
    );
    // Beside the fields, by name, as soon as they are written (the rule check names
    // them), each address beside its name (a patient's address is the one in the field).
    let live = run.expect(
        "named-live",
        0,
        &[
            "Destinataires : Camille Durand Patient",
            "Dr Bruno Durand (Médecin",
            "<bruno.durand@caduceus.test>",
        ],
    );
    assert!(
        !live.contains(&format!("<{}", pair.patient.address.as_str())),
        "{live}"
    );
    let named = run.expect(
        "named",
        0,
        &[
            "Destinataires : Camille Durand Patient",
            "Dr Bruno Durand (Médecin",
            "<bruno.durand@caduceus.test>",
        ],
    );
    assert!(
        !named.contains(&format!("<{}", pair.patient.address.as_str())),
        "{named}"
    );
    // The message view: the patient by name, marked; the sender by name and address.
    run.expect(
        "sent-view",
        0,
        &[
            "to=Camille Durand Patient",
            "from=Dr Alice Martin (Médecin, Cardiologie",
            "<alice.martin@caduceus.test>",
        ],
    );
    // The patient sees the doctor by name and specialty, never a bare address.
    run.expect(
        "patient-letter",
        0,
        &[
            "from=Dr Alice Martin (Médecin, Cardiologie",
            "<alice.martin@caduceus.test>",
            "to=Camille Durand Patient",
        ],
    );
    run.expect(
        "patient-reply",
        0,
        &[
            "Destinataires : Dr Alice Martin (Médecin, Cardiologie",
            "<alice.martin@caduceus.test>",
        ],
    );
}
