//! Patients found by name as a professional writes (issue 22, MS-8, AC-1) over HTTPS
//! (Python's http.client): the doctor who wrote to Léa Petit finds her by "petit" or
//! "lea" (case and accents ignored), marked "Patient"; never Paul Petit, a patient
//! they never exchanged with; another professional finds neither. Each search is
//! traced without what was typed (TR-1, TR-5).

use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn id4_ms8_ac1_tr1_a_professional_finds_and_sees_named_only_the_patients_they_exchanged_with()
{
    let w = world().await;
    let Family { doctor, .. } = family(&w).await;
    let paul = patient(&w, "184127645108946", "Paul Petit").await;
    let lea_address = format!("{CHILD_INS}@patient.caduceus.test");
    let other = professional(&w, "olga", &rpps(7), true).await;
    let (doctor_totp, other_totp) = (web_login(&w, &doctor).await, web_login(&w, &other).await);
    let server = listen(&w).await;
    let args = vec![
        ("port", server.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("doctor", doctor.address.as_str().to_owned()),
        ("doctor_totp", doctor_totp),
        ("other", other.address.as_str().to_owned()),
        ("other_totp", other_totp),
        ("lea", lea_address.clone()),
        ("paul", paul.address.as_str().to_owned()),
    ];
    let run = python(&script("patients.py"), &args, "http.client").await;
    server.shutdown().await;
    let found = |label: &str| -> serde_json::Value {
        let (_, text) = run.step(label);
        let body = text.split_once(' ').map_or("", |(_, body)| body);
        serde_json::from_str(body).unwrap_or_else(|_| panic!("{label}: {text}"))
    };
    let lea = serde_json::json!([{
        "address": lea_address,
        "label": "Léa Petit — Patient",
    }]);
    assert_eq!(found("doctor-petit"), lea, "Léa, never Paul Petit");
    assert_eq!(found("doctor-lea"), lea, "accents ignored");
    assert_eq!(found("doctor-paul"), serde_json::json!([]));
    assert_eq!(
        found("other-petit"),
        serde_json::json!([]),
        "never another's"
    );
    run.expect("anonymous", 303, &["/login"]);
    // Typed as a letter's recipients (ID-4): a patient is named only to whom exchanged
    // with them; any other INS typed stays an address, whoever holds it.
    let named = |label: &str| -> Vec<(String, bool)> {
        let recipients = found(label)["recipients"].clone();
        let recipients = recipients.as_array().cloned().unwrap_or_default();
        recipients
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap_or("").to_owned(),
                    r["patient"] == true,
                )
            })
            .collect()
    };
    assert_eq!(
        named("doctor-check"),
        [
            ("Léa Petit".to_owned(), true),
            (paul.address.as_str().to_owned(), false)
        ],
        "Léa named, Paul Petit never"
    );
    assert_eq!(
        named("other-check"),
        [(lea_address.clone(), false)],
        "never to another professional"
    );
    // Each search traced, on the searcher's account, without what was typed.
    let actor = format!("acct:{}", doctor.id.0);
    let entries = traces(&w).await;
    let searches = entries
        .iter()
        .filter(|e| e.action == "directory.search" && e.actor == actor)
        .count();
    assert_eq!(searches, 3);
    assert!(!format!("{entries:?}").contains("petit\""));
}
