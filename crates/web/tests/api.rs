//! The JSON API (MS-18) over HTTPS on 127.0.0.1, driven by Python's http.client:
//! strong login and sessions (AU-1), send with an idempotency key (one message
//! arrives), the rules as problem+json naming their requirement (MS-2, MS-5, MS-11,
//! ID-3), reading, flags, move and deletion (TR-1, RT-3), the access checks (AC-1),
//! directory search as FHIR (ID-4), client certificates, logout.

use caduceus_store::Store;
use caduceus_testkit::*;
use common::*;

mod common;

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");

#[tokio::test]
async fn ms18_ms6_ms14_ms17_id1_id2_the_api_sends_once_per_idempotency_key_and_applies_every_rule()
{
    let mut w = world().await;
    // A relay that takes the codes confirming a new contact (AU-1).
    let relay = std::sync::Arc::new(AcceptingNotifier);
    w.service = w.service.clone().with_notifier(relay);
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
        &script("api.py"),
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
    run.expect(
        "me",
        200,
        &[
            "alice@caduceus.test",
            "\"registry\":\"rpps\"",
            "\"identifier\":\"810003090833\"",
        ],
    );
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
    // Search: by subject, any case; nothing for a word in no subject or name.
    run.expect("search-hit", 200, &["Consultation du 12"]);
    // Case and accents ignored (MS-6): "CÔNSULTATION" finds "Consultation".
    run.expect("search-folded", 200, &["Consultation du 12"]);
    run.expect("search-miss", 200, &["\"messages\":[]"]);
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
    // MS-14: personal marking, by keyword and by folder; INBOX stays professional;
    // another's folder cannot be touched (AC-1).
    run.expect("mark-personal", 200, &["\"personal\":true", "$Personal"]);
    run.expect("new-folder", 201, &["Privé"]);
    run.expect("folder-climbs", 400, &["'..'"]);
    run.expect("folder-personal", 204, &[]);
    run.expect("inbox-personal", 400, &["MS-14"]);
    run.expect("alice-marks-bob", 403, &["AC-1"]);
    run.expect(
        "folders-personal",
        200,
        &[
            "\"name\":\"Privé\",\"personal\":true",
            "\"name\":\"INBOX\",\"personal\":false",
        ],
    );
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

    // Where notices go (AU-1, MS-7, RT-1); never inside the trust space, never
    // removed from an active account (ID-2).
    run.expect("notify-bad-phone", 400, &["phone"]);
    run.expect("notify-set", 204, &[]);
    // Given by the user, both wait for the code sent to them (AU-1).
    let pending = "\"pending\":[{";
    run.expect(
        "notify-get",
        200,
        &[pending, "alice@example.org", "+33612345678"],
    );
    run.expect(
        "notify-inside",
        422,
        &["\"requirement\":\"ID-2\"", "inside the MSSante trust space"],
    );
    run.expect(
        "notify-clear",
        422,
        &["\"requirement\":\"ID-2\"", "instead of removing it"],
    );

    // Logout ends the session; a made-up token is refused.
    run.expect(
        "forward-outside",
        422,
        &["\"requirement\":\"MS-17\"", "gmail.test"],
    );
    run.expect("forward-bob", 204, &[]);
    run.expect("forwarding", 200, &["bob@caduceus.test"]);
    run.expect("forward-stop", 204, &[]);
    run.expect("forwarding-after", 200, &["\"to\":null"]);
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
    // AC-1, TR-1: Alice's attempts on Bob's message and mailbox are traced as refused.
    let denied = entries
        .iter()
        .filter(|e| e.action == "access.denied" && e.actor == alice.id.to_string())
        .count();
    assert!(denied >= 3, "read, open, delete of Bob's: {denied} traced");
    server.shutdown().await;
}

#[tokio::test]
async fn ms8_ms9_id5_tr4_au2_rt4_the_patient_side_and_the_account_settings_through_the_api() {
    const INS: &str = "295109912611193";
    let w = world().await;
    let alice = professional(&w, "alice", "810003090833", true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let camille = patient(&w, INS, "Camille Durand").await;
    let alice_totp = web_login(&w, &alice).await;
    let patient_totp = web_login(&w, &camille).await;
    let server = listen(&w).await;
    let run = python(
        &script("api_patient.py"),
        &[
            ("port", server.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("password", WEB_PASSWORD.into()),
            ("alice", alice.address.as_str().into()),
            ("bob", bob.address.as_str().into()),
            ("patient", camille.address.as_str().into()),
            ("ins", INS.into()),
            ("alice_totp", alice_totp),
            ("patient_totp", patient_totp),
        ],
        "http.client",
    )
    .await;

    run.expect("login-patient", 201, &["\"kind\":\"patient\""]);
    // MS-8: first message from the patient refused; a reply to a professional who
    // wrote first accepted; to another professional refused.
    run.expect("patient-first", 422, &["\"requirement\":\"MS-8\""]);
    run.expect("alice-writes", 201, &[]);
    run.expect("patient-reads", 200, &["Vos résultats"]);
    run.expect("patient-replies", 201, &["alice@caduceus.test"]);
    run.expect("patient-to-bob", 422, &["\"requirement\":\"MS-8\""]);
    // TR-4: the patient sees Alice's read of data concerning them, without content.
    run.expect("alice-reads-reply", 200, &["Merci docteur"]);
    let log = run.expect("access-log", 200, &["alice@caduceus.test", "message.read"]);
    assert!(!log.contains("Merci"), "content in the access log: {log}");
    run.expect("access-log-not-patient", 400, &["TR-4"]);
    // MS-10.
    run.expect("block", 204, &[]);
    run.expect("blocks", 200, &["alice@caduceus.test"]);
    run.expect("alice-blocked", 422, &["\"requirement\":\"MS-10\""]);
    run.expect("unblock", 204, &[]);
    run.expect("alice-unblocked", 201, &[]);
    run.expect("alice-blocks-someone", 400, &["MS-10"]);
    // MS-9.
    run.expect("opposition-none", 200, &["\"opposed\":false"]);
    run.expect("oppose", 204, &[]);
    // MS-9: another professional learns that there is one, not who recorded it; she
    // cannot withdraw it (refused, traced); the patient can.
    let seen = run.expect("opposition-seen", 200, &["\"opposed\":true"]);
    assert!(!seen.contains("recorded_by"), "{seen}");
    run.expect(
        "opposition-own",
        200,
        &["\"opposed\":true", "\"recorded_by\":\"patient\""],
    );
    run.expect("alice-withdraws", 403, &["\"requirement\":\"MS-9\""]);
    run.expect("opposition-kept", 200, &["\"opposed\":true"]);
    run.expect("withdraw", 204, &[]);
    // Recorded by Alice on the patient's behalf: she sees it is hers and withdraws it.
    run.expect("alice-records", 204, &[]);
    run.expect(
        "alice-sees-hers",
        200,
        &["\"recorded_by\":\"alice@caduceus.test\""],
    );
    run.expect("alice-withdraws-hers", 204, &[]);
    run.expect("opposition-none-after", 200, &["\"opposed\":false"]);
    let refused = w
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.as_str() == "patient.opposition" && e.outcome.as_str() == "refused")
        .count();
    assert_eq!(refused, 1, "the refused withdrawal is traced (TR-1)");
    run.expect("opposition-bad-ins", 400, &["ID-5"]);
    // AU-2: shown once, listed without the secret, revoked by its owner only.
    let added = run.expect("device-add", 201, &["\"credential\":\"cdv-"]);
    let credential = added.split("\"credential\":\"").nth(1).unwrap();
    let credential = &credential[..credential.find('"').unwrap()];
    let listed = run.expect("devices", 200, &["Thunderbird"]);
    assert!(
        !listed.contains(credential),
        "the secret is listed: {listed}"
    );
    run.expect("device-bad-name", 400, &[]);
    // The service's rule, the same for every front end: 80 characters at most.
    run.expect("device-long-name", 400, &["1 to 80"]);
    run.expect("device-revoke-other", 404, &["problem+json"]);
    run.expect("device-revoke", 204, &[]);
    run.expect("devices-after", 200, &["\"revoked\":\""]);
    // RT-4: Alice's two messages to the patient (Sent), the reply (INBOX), the
    // copy of the blocked one never existed.
    run.expect("export", 200, &["application/zip"]);
    let (_, names) = run.step("export-names");
    assert_eq!(
        names.split(' ').collect::<Vec<_>>(),
        [
            "INBOX/000001.eml",
            "Sent/000001.eml",
            "Sent/000002.eml",
            "index.json"
        ],
        "{names}"
    );
    // MS-9 through the XDM attachment, MS-11's key check, MS-8's end of exchange.
    run.expect(
        "xdm-opposed",
        422,
        &["\"requirement\":\"MS-9\"", "postal mail"],
    );
    run.expect("xdm-withdrawn", 201, &["bob@caduceus.test"]);
    run.expect("nir-bad-key", 201, &[]);
    run.expect("alice-ends", 201, &[]);
    run.expect("patient-after-fin", 422, &["\"requirement\":\"MS-8\""]);
    server.shutdown().await;
}

/// Login CSRF: the webmail's login form posted from another site is refused before any
/// credential is looked at; from its own page (or by a client that is not a browser)
/// it is answered as usual.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au1_a_login_form_posted_from_another_site_is_refused() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    web_login(&w, &alice).await;
    let server = listen(&w).await;
    let post = |origin: Option<&str>| {
        let mut command = std::process::Command::new("curl");
        command.args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "--max-time",
            "20",
            "--cacert",
            w.pki.ca_cert_path().to_str().unwrap(),
            "--data",
            "address=alice%40caduceus.test&password=wrong&code=000000&method=totp",
        ]);
        if let Some(origin) = origin {
            command.args(["-H", &format!("Origin: {origin}")]);
        }
        command.arg(format!("https://127.0.0.1:{}/login", server.port));
        let out = command
            .output()
            .expect("curl is needed (apt-get install -y curl)");
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(post(Some("https://evil.example")), "403");
    assert_eq!(
        post(Some(&format!("https://127.0.0.1:{}", server.port))),
        "401",
        "same site: a wrong password, answered as such"
    );
    assert_eq!(post(None), "401", "not a browser");
    server.shutdown().await;
}
