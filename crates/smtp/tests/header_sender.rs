//! MS-2, ID-3, MS-10 through SMTP submission (Python's smtplib): the `From:` and
//! `Sender:` a client writes must name the authenticated person or an organisational
//! mailbox they are a delegate of, whatever the envelope says, so mail cannot be shown
//! as another doctor's; and a professional a patient blocked stays blocked when
//! writing as an organisation.

mod common;

use caduceus_service::actor::testing;
use common::*;

const PATIENT: &str = "295109912611193@patient.caduceus.test";

#[tokio::test]
async fn ms2_from_and_sender_headers_name_the_sender_or_their_organisation_only() {
    let w = world().await;
    let alice_id = rpps(1);
    let alice = professional(&w, "alice", &alice_id, true).await;
    professional(&w, "bob", &rpps(2), true).await;
    let carol = professional(&w, "carol", &rpps(3), true).await;
    organisation(&w, "cardio", &alice).await;
    organisation(&w, "pneumo", &carol).await;
    let patient = patient(&w, "295109912611193", "Camille Lefevre").await;
    let (credential, _) = device(&w, &alice_id, "Thunderbird").await;
    let listener = listen(&w, false, limits()).await;

    let a = "alice@caduceus.test";
    let cases = [
        format!("own,{a},{a},,bob@caduceus.test"),
        format!("as-bob,{a},bob@caduceus.test,,carol@caduceus.test"),
        format!("as-pneumo,{a},pneumo@caduceus.test,,bob@caduceus.test"),
        format!("sender-bob,{a},{a},bob@caduceus.test,carol@caduceus.test"),
        format!("as-cardio,cardio@caduceus.test,cardio@caduceus.test,{a},bob@caduceus.test"),
        format!("display-name,{a},\"Dr Bob\" <bob@caduceus.test>,,carol@caduceus.test"),
        "envelope-bob,bob@caduceus.test,bob@caduceus.test,,carol@caduceus.test".to_owned(),
    ]
    .join(";");
    let mut args = base_args(&w, &listener);
    args.extend([
        ("user", a.to_owned()),
        ("credential", credential.expose().clone()),
        ("cases", cases),
    ]);
    let run = python("send_as", &args).await;
    run.expect("own", 250, &[]);
    run.expect("as-cardio", 250, &[]);
    for spoof in ["as-bob", "as-pneumo", "sender-bob", "display-name"] {
        run.expect(spoof, 550, &["MS-2", "alice@caduceus.test"]);
    }
    run.expect("envelope-bob", 553, &["ID-3"]);
    // TR-1: the refused envelope sender is traced, naming the rule.
    let refused = traces(&w)
        .await
        .into_iter()
        .filter(|e| e.action.as_str() == "message.refuse" && e.detail.as_deref() == Some("ID-3"))
        .count();
    assert_eq!(refused, 1, "MAIL FROM another's address is traced");
    let bob_inbox = inbox(&w, &professional_account(&w, "bob").await).await;
    assert_eq!(bob_inbox.len(), 2, "only the honest ones arrive");
    assert!(
        inbox(&w, &carol).await.is_empty(),
        "no spoofed mail delivered"
    );

    // MS-10: blocked as herself, Alice is blocked as cardio too.
    w.service
        .set_block(
            &testing::account(patient.id, "web"),
            patient.id,
            &addr(a),
            true,
        )
        .await
        .unwrap();
    let mut args = base_args(&w, &listener);
    args.extend([
        ("user", a.to_owned()),
        ("credential", credential.expose().clone()),
        (
            "cases",
            format!("org-to-patient,cardio@caduceus.test,cardio@caduceus.test,{a},{PATIENT}"),
        ),
    ]);
    python("send_as", &args)
        .await
        .expect("org-to-patient", 550, &["MS-10"]);
    assert!(inbox(&w, &patient).await.is_empty());
    listener.shutdown().await;
}

async fn professional_account(w: &World, local: &str) -> caduceus_store::Account {
    w.service
        .account_by_address(&addr(&format!("{local}@caduceus.test")))
        .await
        .unwrap()
        .unwrap()
}

/// MS-8, TR-5: a blind copy to a patient stays blind. The `Bcc:` field is not kept, and
/// the `X-MSS-INS` header every copy carries names no patient that only the envelope
/// shows: the other recipients never learn the patient's INS.
#[tokio::test]
async fn tr5_a_blind_copy_to_a_patient_reveals_neither_the_bcc_nor_the_ins() {
    let w = world().await;
    let alice_id = rpps(1);
    professional(&w, "alice", &alice_id, true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let patient = patient(&w, "295109912611193", "Camille Lefevre").await;
    let (credential, _) = device(&w, &alice_id, "Thunderbird").await;
    let listener = listen(&w, true, limits()).await;
    let mut c = logged_in(&w, &listener, "alice@caduceus.test", credential.expose()).await;
    c.cmd("MAIL FROM:<alice@caduceus.test>\r\n", "250").await;
    c.cmd("RCPT TO:<bob@caduceus.test>\r\n", "250").await;
    c.cmd(&format!("RCPT TO:<{PATIENT}>\r\n"), "250").await;
    c.cmd("DATA\r\n", "354").await;
    c.cmd(
        &format!(
            "From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nBcc: {PATIENT}\r\n\
             Subject: Avis\r\n\r\nBonjour.\r\n.\r\n"
        ),
        "250",
    )
    .await;
    c.cmd("QUIT\r\n", "221").await;
    for copy in [inbox(&w, &bob).await, inbox(&w, &patient).await] {
        let raw = String::from_utf8(copy[0].clone()).unwrap();
        assert!(!raw.contains("295109912611193"), "{raw}");
        assert!(!raw.to_ascii_lowercase().contains("bcc:"), "{raw}");
    }
    listener.shutdown().await;
}
