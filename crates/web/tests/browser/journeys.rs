//! What the journey walks share (issue 22): a doctor and a patient, each with a web
//! login (password + TOTP) and a device credential for IMAP, and letters delivered to
//! them.

use caduceus_core::SecretString;
use caduceus_store::Account;
use caduceus_testkit::*;

use super::common::web_login;
use super::{INS, MAILBOXES, PEOPLE};

/// A doctor (`alice`) and a patient (Camille Durand), both active.
pub struct Pair {
    /// The doctor.
    pub doctor: Account,
    /// The doctor's TOTP secret.
    pub doctor_totp: String,
    /// The doctor's device credential (IMAP, AU-2).
    pub doctor_device: SecretString,
    /// The patient.
    pub patient: Account,
    /// The patient's TOTP secret.
    pub patient_totp: String,
    /// The patient's device credential.
    pub patient_device: SecretString,
}

/// A [`Pair`] in `w`: Dr alice and Camille Durand.
pub async fn pair(w: &World) -> Pair {
    let doctor = professional(w, "alice", &rpps(1), true).await;
    let patient = patient(w, &ins(1), "Camille Durand").await;
    pair_of(w, doctor, patient).await
}

/// `doctor` and `patient` as a [`Pair`]: their device credentials, then their web
/// logins (which enroll TOTP anew: nothing may log them in after).
pub async fn pair_of(w: &World, doctor: Account, patient: Account) -> Pair {
    let doctor_device = device_after_web_login(w, &doctor).await;
    let patient_device = device_after_web_login(w, &patient).await;
    Pair {
        doctor_totp: web_login(w, &doctor).await,
        patient_totp: web_login(w, &patient).await,
        doctor,
        doctor_device,
        patient,
        patient_device,
    }
}

impl Pair {
    /// A browser script's arguments: the webmail on `port`, the doctor as `alice`, the
    /// patient as `patient` (with `_totp` secrets).
    pub fn args(&self, port: u16) -> Vec<(&'static str, String)> {
        vec![
            ("port", port.to_string()),
            ("password", WEB_PASSWORD.to_owned()),
            ("alice", self.doctor.address.as_str().to_owned()),
            ("alice_totp", self.doctor_totp.clone()),
            ("patient", self.patient.address.as_str().to_owned()),
            ("patient_totp", self.patient_totp.clone()),
        ]
    }
}

/// Delivers the message `raw` to `to`'s INBOX; its id.
pub async fn deliver(w: &World, to: &Account, raw: &str) -> i64 {
    let delivered = w
        .service
        .deliver_local(&op(), std::slice::from_ref(&to.address), raw.as_bytes())
        .await;
    delivered.unwrap()[0].message.0
}

/// The directory's demo extracts imported (ID-4), and three active accounts: Dr Alice
/// Martin and Dr Bruno Durand, listed, and their patient Camille Durand.
pub async fn listed(w: &World) -> (Account, Account, Account) {
    w.service.import_people(&op(), PEOPLE).await.unwrap();
    w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    let alice = professional(w, "alice.martin", "810003090833", true).await;
    let bruno = professional(w, "bruno.durand", "810000000009", true).await;
    let camille = patient(w, INS, "Camille Durand").await;
    (alice, bruno, camille)
}
