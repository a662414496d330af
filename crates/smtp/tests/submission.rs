//! Submission end to end with Python's smtplib (RFC 6409): STARTTLS on the 587-like
//! listener, implicit TLS on the 465-like one; logins with a device credential (AU-2)
//! and a client certificate (AU-1); the message lands in the recipient's INBOX.

mod common;

use caduceus_core::AccountState;
use caduceus_store::Store;
use common::*;

#[tokio::test]
async fn au2_device_credential_over_starttls_delivers_to_the_inbox() {
    capture_logs();
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let credential = device_after_web_login(&w, &alice).await;
    let listener = listen(&w, false, limits()).await;

    let mut args = base_args(&w, &listener);
    args.extend([
        ("user", "alice@caduceus.test".to_owned()),
        ("credential", credential.expose().clone()),
        ("to", "bruno@caduceus.test".to_owned()),
        ("subject", "Bilan Mme Zorglub".to_owned()),
    ]);
    let run = python("submit_starttls", &args).await;

    let ehlo = run.expect("ehlo", 250, &["STARTTLS", "SIZE", "PIPELINING"]);
    assert!(!ehlo.contains("AUTH"), "no AUTH before TLS: {ehlo}");
    run.expect(
        "auth-in-clear",
        530,
        &["5.7.0", "Must issue a STARTTLS command first"],
    );
    run.expect("mail-in-clear", 530, &["5.7.0", "STARTTLS"]);
    run.expect("starttls", 220, &["2.0.0"]);
    run.expect("mail-before-ehlo", 503, &["5.5.1", "EHLO"]);
    let ehlo = run.expect(
        "ehlo-tls",
        250,
        &[
            "AUTH PLAIN LOGIN",
            "SIZE 99488",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "PIPELINING",
        ],
    );
    assert!(!ehlo.contains("STARTTLS"), "no STARTTLS after TLS: {ehlo}");
    assert!(
        !ehlo.contains("EXTERNAL"),
        "no EXTERNAL without a certificate: {ehlo}"
    );
    run.expect(
        "mail-before-auth",
        530,
        &["5.7.0", "Authentication required"],
    );
    run.expect("login", 235, &["2.7.0"]);
    run.expect("refused", 0, &["0"]);
    run.expect("noop", 250, &[]);
    run.expect("quit", 221, &[]);

    let messages = inbox(&w, &bruno).await;
    assert_eq!(messages.len(), 1);
    let raw = String::from_utf8(messages[0].clone()).unwrap();
    assert!(
        raw.starts_with("Received: from client.test by mail.caduceus.test with ESMTPSA id "),
        "{raw}"
    );
    assert!(raw.contains("Subject: Bilan Mme Zorglub\r\n"), "{raw}");
    assert!(
        raw.contains("\r\n.une ligne qui commence par un point\r\nRésultats joints.\r\n"),
        "dot-stuffing undone, 8-bit kept: {raw}"
    );
    assert!(inbox(&w, &alice).await.is_empty());
    listener.shutdown().await;
    assert_logs_clean(&["Zorglub", "Bilan", "Résultats", credential.expose()]);
    // AU-3: the mail client's login and the end of its session are both traced.
    let traces = w.store.trace_entries(0, 1000).await.unwrap();
    let by_alice = |action: &str| {
        traces
            .iter()
            .filter(|e| e.action == action && e.actor == alice.id.to_string())
            .filter(|e| e.detail.as_deref() == Some("method:device"))
            .count()
    };
    assert_eq!(by_alice("auth.success"), 1);
    assert_eq!(by_alice("session.close"), 1);
}

#[tokio::test]
async fn au2_sasl_plain_and_login_in_both_forms_web_password_and_revoked_device_refused() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    professional(&w, "bruno", &rpps(2), true).await;
    device_after_web_login(&w, &alice).await;
    let (revoked, revoked_id) = device(&w, &rpps(1), "Old phone").await;
    w.service
        .revoke_device(&op(), alice.id, caduceus_store::DeviceId(revoked_id))
        .await
        .unwrap();
    let (good, _) = device(&w, &rpps(1), "Laptop").await;
    let listener = listen(&w, false, limits()).await;

    let mut args = base_args(&w, &listener);
    args.extend([
        ("user", "alice@caduceus.test".to_owned()),
        ("credential", good.expose().clone()),
        ("revoked", revoked.expose().clone()),
        ("password", WEB_PASSWORD.to_owned()),
        ("other", "bruno@caduceus.test".to_owned()),
    ]);
    let run = python("sasl", &args).await;

    run.expect("plain-challenge", 334, &[]);
    run.expect("plain-cancel", 501, &["5.7.0", "cancelled"]);
    run.expect("login-challenge", 334, &["VXNlcm5hbWU6"]);
    run.expect("login-user", 334, &["UGFzc3dvcmQ6"]);
    run.expect("login-cancel", 501, &["5.7.0"]);
    run.expect("cram", 504, &["5.5.4"]);
    run.expect("external-no-cert", 504, &["5.5.4", "client certificate"]);
    run.expect("bad-base64", 501, &["5.5.2", "base64"]);
    run.expect("foreign-authzid", 535, &["5.7.8", "authorization identity"]);
    run.expect("web-password", 535, &["5.7.8", "authentication failed"]);
    run.expect("revoked-initial", 334, &["UGFzc3dvcmQ6"]);
    run.expect("revoked-password", 535, &["5.7.8", "authentication failed"]);
    run.expect("login-good-user", 334, &["VXNlcm5hbWU6"]);
    run.expect("login-good", 235, &["2.7.0"]);
    run.expect("auth-again", 503, &["5.5.1", "already authenticated"]);
    run.expect("plain-empty-challenge", 334, &[]);
    run.expect("plain-good", 235, &["2.7.0"]);
    run.expect("smtplib-login", 235, &[]);
    listener.shutdown().await;
}

#[tokio::test]
async fn au1_client_certificate_on_implicit_tls_logs_in_with_external() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let cert = user_cert(&w, &rpps(1), "alice");
    let listener = listen(&w, true, limits()).await;

    let mut args = base_args(&w, &listener);
    args.extend([
        ("cert", cert.cert_path.display().to_string()),
        ("key", cert.key_path.display().to_string()),
        ("user", "alice@caduceus.test".to_owned()),
        ("other", "bruno@caduceus.test".to_owned()),
        ("to", "bruno@caduceus.test".to_owned()),
        ("subject", "Compte rendu".to_owned()),
    ]);
    let run = python("implicit_external", &args).await;

    let ehlo = run.expect("ehlo", 250, &["AUTH PLAIN LOGIN EXTERNAL", "SIZE"]);
    assert!(!ehlo.contains("STARTTLS"), "{ehlo}");
    run.expect("starttls-again", 503, &["5.5.1", "TLS is already active"]);
    run.expect("external", 235, &["2.7.0"]);
    run.expect("refused", 0, &["0"]);
    run.expect("external-challenge", 334, &[]);
    run.expect("external-authzid", 235, &[]);
    run.expect("external-foreign", 535, &["5.7.8"]);
    let ehlo = run.expect("ehlo-no-cert", 250, &["AUTH PLAIN LOGIN"]);
    assert!(!ehlo.contains("EXTERNAL"), "{ehlo}");
    run.expect("external-no-cert", 504, &["5.5.4"]);

    let messages = inbox(&w, &bruno).await;
    assert_eq!(messages.len(), 1);
    assert!(String::from_utf8_lossy(&messages[0]).contains("Subject: Compte rendu"));
    assert!(inbox(&w, &alice).await.is_empty());
    listener.shutdown().await;
}

#[tokio::test]
async fn id2_accounts_not_active_cannot_log_in_to_send() {
    let w = world().await;
    professional(&w, "bruno", &rpps(2), true).await;
    // Carole is registered but not yet verified: her CPS card is no use yet.
    professional(&w, "carole", &rpps(3), false).await;
    let cert = user_cert(&w, &rpps(3), "carole");
    // Alice had a device credential, then was suspended.
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let (credential, _) = device(&w, &rpps(1), "Laptop").await;
    w.service
        .set_state(&op(), alice.id, AccountState::Suspended)
        .await
        .unwrap();
    let starttls = listen(&w, false, limits()).await;
    let implicit = listen(&w, true, limits()).await;

    let mut args = base_args(&w, &starttls);
    args.extend([
        ("implicit_port", implicit.port.to_string()),
        ("cert", cert.cert_path.display().to_string()),
        ("key", cert.key_path.display().to_string()),
        ("pending", "carole@caduceus.test".to_owned()),
        ("suspended", "alice@caduceus.test".to_owned()),
        ("credential", credential.expose().clone()),
    ]);
    let run = python("inactive", &args).await;
    run.expect("pending-external", 535, &["5.7.8"]);
    run.expect("pending-mail", 530, &["5.7.0"]);
    run.expect("suspended-plain", 535, &["5.7.8"]);
    run.expect("suspended-mail", 530, &["5.7.0"]);
    starttls.shutdown().await;
    implicit.shutdown().await;
}
