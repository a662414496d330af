//! What the web tests share: the HTTPS listener on 127.0.0.1, web logins, scripts.
//! Each test binary uses part of it.
#![allow(dead_code)]

use std::path::PathBuf;

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
