//! The JSON API (MS-18) over HTTPS on 127.0.0.1, driven by Python's http.client:
//! strong login and sessions (AU-1), send with an idempotency key (one message
//! arrives), the rules as problem+json naming their requirement (MS-2, MS-5, MS-11,
//! ID-3), reading, flags, move and deletion (TR-1, RT-3), the access checks (AC-1),
//! directory search as FHIR (ID-4), client certificates, logout.

use std::path::PathBuf;

use caduceus_core::SecretString;
use caduceus_store::Store;
use caduceus_testkit::*;

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/scripts/api.py")
}

/// A web password and a TOTP enrollment for `account`; the TOTP secret (base32).
async fn web_login(w: &World, account: &caduceus_store::Account) -> String {
    w.service
        .set_password(&op(), account.id, &SecretString::new(WEB_PASSWORD.into()))
        .await
        .unwrap();
    let enrollment = w.service.enroll_totp(&op(), account.id).await.unwrap();
    enrollment.secret_base32.expose().to_owned()
}

async fn listen(w: &World) -> Listener {
    let tls = server_tls(w);
    let router = caduceus_web::router(w.service.clone());
    spawn_listener(move |listener, stop| caduceus_web::serve_https(listener, tls, router, stop))
        .await
}

#[tokio::test]
async fn ms18_the_api_sends_once_per_idempotency_key_and_applies_every_rule() {
    let w = world().await;
    w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    let alice = professional(&w, "alice", "810003090833", true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let carol_id = rpps(3);
    professional(&w, "carol", &carol_id, true).await;
    let carol_cert = user_cert(&w, &carol_id, "carol");
    let alice_totp = web_login(&w, &alice).await;
    let bob_totp = web_login(&w, &bob).await;
    let server = listen(&w).await;
    let run = python(
        &script(),
        &[
            ("port", server.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("domain", "caduceus.test".into()),
            ("password", WEB_PASSWORD.into()),
            ("alice", alice.address.as_str().into()),
            ("bob", bob.address.as_str().into()),
            ("alice_totp", alice_totp),
            ("bob_totp", bob_totp),
            ("cert", carol_cert.cert_path.display().to_string()),
            ("key", carol_cert.key_path.display().to_string()),
        ],
        "http.client",
    )
    .await;

    run.expect("openapi", 200, &["application/json"]);
    run.expect("openapi-version", 0, &["3.1.0"]);
    // No credentials, wrong code: 401 problem+json, nothing said about why (AU-3).
    run.expect(
        "anonymous",
        401,
        &[
            "application/problem+json",
            "\"requirement\":\"AU-1\"",
            "www-authenticate=Bearer",
        ],
    );
    run.expect("wrong-code", 401, &["authentication failed"]);
    run.expect("login-alice", 201, &["\"token\":\"cses-", "password_totp"]);
    run.expect("me", 200, &["alice@caduceus.test"]);
    run.expect("folders", 200, &["\"name\":\"INBOX\"", "\\\\Sent"]);

    // MS-18: twice the same request with one key → one message, the same answer.
    let first = run.expect("send-1", 201, &["\"delivered\":[\"bob@caduceus.test\"]"]);
    let second = run.expect("send-2", 201, &["idempotent-replayed=true"]);
    let body = |text: &str| text[text.find('{').unwrap()..].to_owned();
    assert_eq!(body(&first), body(&second));
    run.expect("send-other-same-key", 409, &["\"requirement\":\"MS-18\""]);

    // Every refusal names its requirement and says what to do.
    run.expect("send-unknown", 422, &["\"requirement\":\"MS-2\""]);
    run.expect("send-nir", 422, &["\"requirement\":\"MS-11\""]);
    run.expect(
        "send-outside",
        422,
        &["\"requirement\":\"MS-5\"", "trust space"],
    );
    run.expect("send-as-bob", 422, &["\"requirement\":\"ID-3\""]);

    // Bob received one message, not two; the listing has an ETag honoured by
    // If-None-Match.
    run.expect(
        "list",
        200,
        &["Consultation du 12", "\"total\":1}", "etag="],
    );
    run.expect("list-again", 304, &[]);
    run.expect(
        "read",
        200,
        &["voici le compte rendu", "\"filename\":\"cr.txt\""],
    );
    let (_, got) = run.step("attachment");
    let (_, sent) = run.step("attachment-sent");
    assert!(
        got.ends_with(&sent),
        "attachment bytes differ: {got} vs {sent}"
    );
    run.expect("raw", 200, &["message/rfc822"]);
    // AC-1: another user's message is not found, another's mailbox denied.
    run.expect("alice-reads-bob", 404, &["problem+json"]);
    run.expect("alice-opens-bob", 403, &["\"requirement\":\"AC-1\""]);
    run.expect("alice-deletes-bob", 404, &[]);
    run.expect(
        "sent",
        200,
        &["Consultation du 12", "\\\\Seen", "\"total\":1}"],
    );
    run.expect("flag", 200, &["$Urgent"]);
    run.expect("move", 200, &["\"folder\":\"Archive\""]);
    run.expect("move-nowhere", 404, &["Nowhere"]);
    run.expect("archive", 200, &["\"total\":1"]);
    run.expect("delete", 204, &[]);
    run.expect("read-deleted", 404, &[]);

    // ID-4: the directory as a FHIR searchset.
    run.expect(
        "directory",
        200,
        &[
            "\"type\":\"searchset\"",
            "Practitioner",
            "alice.martin@caduceus.test",
        ],
    );
    run.expect("directory-empty", 400, &["ID-4"]);
    run.expect("directory-bad", 400, &["colour"]);

    // A client certificate is a login of its own (AU-1).
    run.expect("cert-me", 200, &["carol@caduceus.test", "certificate"]);
    run.expect("cert-session", 201, &["\"token\":\"cses-"]);

    // Logout ends the session; a made-up token is refused.
    run.expect("logout", 204, &[]);
    run.expect("after-logout", 401, &[]);
    run.expect("forged", 401, &[]);

    // TR-1: the reads are traced, the logout too; no subject in any trace.
    let entries = w.store.trace_entries(0, 10_000).await.unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for action in [
        "message.read",
        "message.move",
        "message.delete",
        "session.close",
    ] {
        assert!(actions.contains(&action), "{action} not traced");
    }
    let traces = format!("{entries:?}");
    assert!(
        !traces.contains("Consultation"),
        "a subject reached the traces"
    );
    server.shutdown().await;
}
