//! What the web tests share: the HTTPS listener on 127.0.0.1, web logins, scripts,
//! the browser tests' tools and accessibility check, an HTML lab report (MS-1).
//! Each test binary uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;

pub mod browser;

use caduceus_core::SecretString;
use caduceus_testkit::*;

/// The test script `name` of `tests/scripts`.
pub fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scripts")
        .join(name)
}

/// A web password and a TOTP enrollment for `account`; the TOTP secret (base32).
pub async fn web_login(w: &World, account: &caduceus_store::Account) -> String {
    w.service
        .set_password(&op(), account.id, &SecretString::new(WEB_PASSWORD.into()))
        .await
        .unwrap();
    let enrollment = w.service.enroll_totp(&op(), account.id).await.unwrap();
    enrollment.secret_base32.expose().to_owned()
}

/// The whole HTTPS front end (API, webmail) of `w` on a free port of 127.0.0.1.
pub async fn listen(w: &World) -> Listener {
    listen_service(w, w.service.clone()).await
}

/// [`listen`] with another service over `w`'s store (other settings: a node after
/// a configuration change).
pub async fn listen_service(w: &World, service: caduceus_service::Service) -> Listener {
    listen_limited(w, service, caduceus_web::listener::Limits::default()).await
}

/// [`listen_service`] under other listener limits (caps, timeouts).
pub async fn listen_limited(
    w: &World,
    service: caduceus_service::Service,
    limits: caduceus_web::listener::Limits,
) -> Listener {
    let tls = server_tls(w);
    let router = caduceus_web::router(service);
    spawn_listener(move |listener, stop| {
        caduceus_web::serve_https(listener, tls, router, limits, stop)
    })
    .await
}

/// An IMAP listener (implicit TLS) of `w` on a free port of 127.0.0.1.
pub async fn listen_imap(w: &World) -> Listener {
    listen_imap_with(w, caduceus_imap::Limits::default()).await
}

/// [`listen_imap`] with other limits.
pub async fn listen_imap_with(w: &World, limits: caduceus_imap::Limits) -> Listener {
    let config = std::sync::Arc::new(caduceus_imap::ImapConfig {
        tls: server_tls(w),
        implicit_tls: true,
        hostname: "mail.caduceus.test".into(),
        limits,
    });
    let service = w.service.clone();
    spawn_listener(|listener, stop| caduceus_imap::serve(listener, config, service, stop)).await
}

/// An SMTP submission listener (implicit TLS) of `w` on a free port of 127.0.0.1,
/// which lets its sessions go one second after it is told to stop.
pub async fn listen_submission(w: &World) -> Listener {
    let config = std::sync::Arc::new(caduceus_smtp::SubmissionConfig {
        tls: server_tls(w),
        implicit_tls: true,
        hostname: "mail.caduceus.test".into(),
        limits: caduceus_smtp::Limits {
            shutdown_grace: std::time::Duration::from_secs(1),
            ..caduceus_smtp::Limits::default()
        },
    });
    let service = w.service.clone();
    spawn_listener(|listener, stop| caduceus_smtp::serve(listener, config, service, stop)).await
}

/// The arguments of a client script for one webmail user, named `alice`: the port,
/// the CA, the web password, the address and the TOTP secret (`alice_totp`).
pub fn alice_args(
    w: &World,
    port: u16,
    account: &caduceus_store::Account,
    totp: String,
) -> Vec<(&'static str, String)> {
    vec![
        ("port", port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("alice", account.address.as_str().to_owned()),
        ("alice_totp", totp),
    ]
}

/// The patient of the representation tests (ID-7).
pub const CHILD_INS: &str = "295109912611193";

/// A child, their parent and the child's doctor (ID-7).
pub struct Family {
    /// The child's patient mailbox, Léa Petit.
    pub child: caduceus_store::Account,
    /// A professional (`marc`, password + TOTP) registered as the child's parent
    /// for 30 days.
    pub parent: caduceus_store::Account,
    /// The parent's TOTP secret.
    pub parent_totp: String,
    /// The doctor (`bob`) who wrote to the child first, so the child may answer (MS-8).
    pub doctor: caduceus_store::Account,
    /// The doctor's message in the child's INBOX.
    pub message: i64,
}

/// A [`Family`] in `w`.
pub async fn family(w: &World) -> Family {
    use caduceus_core::Clock as _;
    use caduceus_core::representation::{Capacity, CapacityEvidence};
    let child = patient(w, CHILD_INS, "Léa Petit").await;
    let doctor = professional(w, "bob", &rpps(2), true).await;
    let parent = professional(w, "marc", &rpps(5), true).await;
    let parent_totp = web_login(w, &parent).await;
    let month = std::time::Duration::from_secs(30 * 86_400);
    let appointment = caduceus_service::representatives::Appointment {
        patient: child.id,
        representative: parent.id,
        capacity: Capacity::Parent,
        evidence: CapacityEvidence::FamilyRecord,
        until: Some(caduceus_core::SystemClock.now().saturating_add(month)),
    };
    let added = w.service.add_representative(&op(), appointment).await;
    added.unwrap();
    let letter = caduceus_service::compose::Letter {
        from: None,
        to: vec![child.address.clone()],
        cc: Vec::new(),
        subject: "Vaccins".into(),
        text: "Rappel du vaccin.".into(),
        in_reply_to: None,
        attachments: Vec::new(),
        draft: None,
        read_receipt: false,
    };
    let doctor_login = strong_login(w, &doctor).await;
    w.service.send_letter(&doctor_login, &letter).await.unwrap();
    let child_caller = caduceus_service::actor::testing::account(child.id, "test");
    let access = w.service.authorize(&child_caller, child.id).await.unwrap();
    let (_, summaries) = w.service.open_folder(&access, "INBOX").await.unwrap();
    Family {
        child,
        parent,
        parent_totp,
        doctor,
        message: summaries[0].id.0,
    }
}

/// A PNG of one pixel.
pub const PIXEL: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/// An HTML lab report (MS-1) with a text version, a logo by `cid:`, a PDF, an SVG and
/// a PNG attached; its HTML carries a script, `remote_image` and an event attribute.
pub fn lab_report(to: &str, remote_image: &str) -> String {
    format!(
        "From: labo@caduceus.test\r\nTo: {to}\r\nSubject: Bilan sanguin\r\n\
         Date: Mon, 07 Dec 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
         --alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Hemoglobine 10,2 g/dL (12-16)\r\n\
         --alt\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n\
         --rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><head><script>steal()</script></head><body onload=\"steal()\">\
         <img src=\"cid:logo@labo\" alt=\"Logo du laboratoire\">\
         <img src=\"{remote_image}\" alt=\"pixel\">\
         <table><caption>Numeration</caption><tr><th>Examen</th><th>Valeur</th><th>Normes</th></tr>\
         <tr><td>Hemoglobine</td><td style=\"color: #c00000; font-weight: bold\" onmouseover=\"steal()\">10,2 g/dL</td>\
         <td>12-16</td></tr></table>\
         <a href=\"https://labo.example/resultats\">Resultats</a></body></html>\r\n\
         --rel\r\nContent-Type: image/png\r\nContent-ID: <logo@labo>\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{PIXEL}\r\n--rel--\r\n--alt--\r\n\
         --mix\r\nContent-Type: application/pdf; name=\"cr.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"cr.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n\
         --mix\r\nContent-Type: image/svg+xml; name=\"schema.svg\"\r\n\
         Content-Disposition: attachment; filename=\"schema.svg\"\r\n\r\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\"><script>steal()</script></svg>\r\n\
         --mix\r\nContent-Type: image/png; name=\"photo.png\"\r\n\
         Content-Disposition: attachment; filename=\"photo.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{PIXEL}\r\n--mix--\r\n"
    )
}
