//! MS-3 in the webmail's settings over HTTPS (Python's http.client): the holder
//! pastes a certificate request, which the operator's authority signs, or uploads a
//! `.pem` another authority issued, kept once it names their address and chains to
//! the trust anchors; the answer says whom the certificate names and until when.
//! Refusals come back in plain words, the pasted text kept. Each certificate kept is
//! traced (`certificate.issue`, TR-1), through the same service calls as the API.

use caduceus_testkit::certificates::certificate_request;
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn ms3_tr1_the_webmail_settings_sign_a_pasted_request_and_keep_an_uploaded_pem() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let certs = w.dir.path().join("certs");
    let issue = |stem: &str, email: &str| {
        let issued = w
            .pki
            .issue_user(&rpps(1), "Alice", "Martin", Some(email), &certs, stem);
        issued.unwrap().cert_path
    };
    let own = issue("own", alice.address.as_str());
    let other = issue("other", "bob@caduceus.test");
    let csr = w.dir.path().join("alice.csr");
    std::fs::write(&csr, certificate_request()).unwrap();
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, alice_totp);
    args.push(("csr", csr.display().to_string()));
    args.push(("own_pem", own.display().to_string()));
    args.push(("other_pem", other.display().to_string()));
    let run = python(&script("certificate.py"), &args, "http.client").await;
    server.shutdown().await;

    run.expect(
        "settings",
        200,
        &["id=\"certificate-form\"", "Demande de certificat (CSR)"],
    );
    // Signed for the account's identity, whatever the request said.
    run.expect(
        "csr",
        200,
        &[
            "Votre certificat est enregistré",
            "id=\"certificate-subject\"",
            "Valable jusqu&#39;au",
            "BEGIN CERTIFICATE",
        ],
    );
    let (_, signed) = run.step("csr");
    assert!(
        signed.contains("serialNumber=8"),
        "the national identifier: {signed}"
    );
    // Refused in plain words, the pasted text kept.
    let refused = |label: &str, words: &[&str]| {
        let (status, page) = run.step(label);
        assert!((400..500).contains(&status), "{label}: {status}");
        for word in words {
            assert!(page.contains(word), "{label}: {word:?} not in {page}");
        }
        // Plain words: no requirement code.
        assert!(!page.contains("MS-3"), "{label}: {page}");
    };
    refused(
        "csr-bad",
        &[
            "Cette demande n&#39;a pas pu être signée",
            ">pas une demande</textarea>",
        ],
    );
    run.expect(
        "pem",
        200,
        &["Votre certificat est enregistré", "Valable jusqu&#39;au"],
    );
    refused(
        "pem-other",
        &["Ce certificat n&#39;a pas pu être enregistré"],
    );
    refused("nothing", &["Collez une demande de certificat"]);
    // Two certificates kept, each traced as the holder's (TR-1).
    let actor = format!("acct:{}", alice.id.0);
    let issued = traces(&w)
        .await
        .iter()
        .filter(|e| e.action == "certificate.issue" && e.actor == actor)
        .count();
    assert_eq!(issued, 2);
}
