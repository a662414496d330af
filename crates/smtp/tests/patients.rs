//! The patient rules through SMTP submission with Python's smtplib (MS-8, MS-9,
//! MS-10, MS-11): a patient writing first is refused, replying works, `[FIN]` ends
//! the exchange; a blocked professional is refused; an opposed patient's mail is
//! refused with the postal-mail hint until the opposition is withdrawn; a subject
//! with a valid NIR is refused and one with an invalid key is not.

mod common;

use caduceus_core::Ins;
use caduceus_service::actor::testing;
use common::*;

const PATIENT: &str = "295109912611193@patient.caduceus.test";

struct Parties {
    w: World,
    listener: Listener,
    alice: String,
    patient: caduceus_store::Account,
    patient_secret: String,
}

async fn parties() -> Parties {
    let w = world().await;
    let alice_id = rpps(1);
    professional(&w, "alice", &alice_id, true).await;
    let (alice, _) = device(&w, &alice_id, "Thunderbird").await;
    let patient = patient(&w, "295109912611193", "Camille Lefèvre").await;
    let patient_secret = device_after_web_login(&w, &patient).await;
    let listener = listen(&w, false, limits()).await;
    Parties {
        w,
        listener,
        alice: alice.expose().clone(),
        patient,
        patient_secret: patient_secret.expose().clone(),
    }
}

/// Sends one message and returns the `(code, text)` of the outcome.
async fn send(
    p: &Parties,
    user: &str,
    secret: &str,
    to: &str,
    subject: &str,
    headers: &str,
) -> (u16, String) {
    send_with(p, user, secret, to, subject, headers, "").await
}

/// [`send`] with an IHE XDM attachment about `xdm_ins` (none when empty).
async fn send_with(
    p: &Parties,
    user: &str,
    secret: &str,
    to: &str,
    subject: &str,
    headers: &str,
    xdm_ins: &str,
) -> (u16, String) {
    let mut args = base_args(&p.w, &p.listener);
    args.extend([
        ("user", user.to_owned()),
        ("credential", secret.to_owned()),
        ("to", to.to_owned()),
        ("subject", subject.to_owned()),
        ("headers", headers.to_owned()),
        ("xdm_ins", xdm_ins.to_owned()),
    ]);
    python("send_one", &args).await.step("sent")
}

#[tokio::test]
async fn ms8_a_patient_only_replies_until_the_professional_ends_the_exchange() {
    let p = parties().await;
    let alice = "alice@caduceus.test";
    let first = send(&p, PATIENT, &p.patient_secret, alice, "Question", "").await;
    assert_eq!(first.0, 550, "{first:?}");
    assert!(
        first.1.contains("MS-8") && first.1.contains("wrote to them first"),
        "{first:?}"
    );
    // The professional writes: the patient may now reply.
    assert_eq!(send(&p, alice, &p.alice, PATIENT, "Suivi", "").await.0, 250);
    assert_eq!(
        send(&p, PATIENT, &p.patient_secret, alice, "Re: Suivi", "")
            .await
            .0,
        250
    );
    // Another professional never wrote: still refused.
    let other = send(
        &p,
        PATIENT,
        &p.patient_secret,
        "bob@caduceus.test",
        "Question",
        "",
    )
    .await;
    assert_ne!(other.0, 250, "{other:?}");
    // [FIN] in the subject ends it; so does X-MSS-MES: FIN.
    assert_eq!(
        send(&p, alice, &p.alice, PATIENT, "[FIN] Suivi", "")
            .await
            .0,
        250
    );
    let after = send(&p, PATIENT, &p.patient_secret, alice, "Re: Suivi", "").await;
    assert_eq!(after.0, 550, "{after:?}");
    assert!(after.1.contains("ended this exchange"), "{after:?}");
    assert_eq!(
        send(&p, alice, &p.alice, PATIENT, "Reprise", "").await.0,
        250
    );
    assert_eq!(
        send(&p, PATIENT, &p.patient_secret, alice, "Merci", "")
            .await
            .0,
        250
    );
    assert_eq!(
        send(&p, alice, &p.alice, PATIENT, "Suite", "X-MSS-MES: FIN")
            .await
            .0,
        250
    );
    assert_eq!(
        send(&p, PATIENT, &p.patient_secret, alice, "Merci", "")
            .await
            .0,
        550
    );
}

#[tokio::test]
async fn ms10_ms9_blocked_professional_and_opposed_patient_are_refused() {
    let p = parties().await;
    let alice = "alice@caduceus.test";
    // MS-10: the patient blocks Alice, then unblocks her.
    let as_patient = testing::account(p.patient.id, "web");
    p.w.service
        .set_block(&as_patient, p.patient.id, &addr(alice), true)
        .await
        .unwrap();
    let blocked = send(&p, alice, &p.alice, PATIENT, "Suivi", "").await;
    assert_eq!(blocked.0, 550, "{blocked:?}");
    assert!(blocked.1.contains("MS-10"), "{blocked:?}");
    p.w.service
        .set_block(&as_patient, p.patient.id, &addr(alice), false)
        .await
        .unwrap();
    assert_eq!(send(&p, alice, &p.alice, PATIENT, "Suivi", "").await.0, 250);
    // MS-9: opposition recorded by a professional on the patient's behalf.
    let ins = Ins::parse("295109912611193").unwrap();
    let alice_account =
        p.w.service
            .account_by_address(&addr(alice))
            .await
            .unwrap()
            .unwrap();
    let as_alice = testing::account(alice_account.id, "web");
    p.w.service
        .set_opposition(&as_alice, &ins, true)
        .await
        .unwrap();
    let opposed = send(&p, alice, &p.alice, PATIENT, "Suivi", "").await;
    assert_eq!(opposed.0, 550, "{opposed:?}");
    assert!(
        opposed.1.contains("MS-9") && opposed.1.contains("postal mail"),
        "{opposed:?}"
    );
    let caduceus_service::patients::OppositionStatus::Recorded(recorded) =
        p.w.service.opposition(&as_patient, &ins).await.unwrap()
    else {
        panic!("the patient sees who recorded their opposition")
    };
    assert_eq!(recorded.recorded_by, alice);
    // Withdrawn by the patient: mail goes through again.
    p.w.service
        .set_opposition(&as_patient, &ins, false)
        .await
        .unwrap();
    assert_eq!(send(&p, alice, &p.alice, PATIENT, "Suivi", "").await.0, 250);
}

#[tokio::test]
async fn ms11_a_subject_with_a_valid_nir_is_refused_and_an_invalid_key_is_not() {
    let p = parties().await;
    let bob_id = rpps(2);
    professional(&p.w, "bob", &bob_id, true).await;
    let alice = "alice@caduceus.test";
    let nir = send(
        &p,
        alice,
        &p.alice,
        "bob@caduceus.test",
        "Avis 2 95 10 99 126 111 93",
        "",
    )
    .await;
    assert_eq!(nir.0, 550, "{nir:?}");
    assert!(nir.1.contains("MS-11") && !nir.1.contains("295"), "{nir:?}");
    let wrong_key = send(
        &p,
        alice,
        &p.alice,
        "bob@caduceus.test",
        "Avis 2 95 10 99 126 111 94",
        "",
    )
    .await;
    assert_eq!(wrong_key.0, 250, "{wrong_key:?}");
    // The patient's name, to the patient's own mailbox.
    let named = send(&p, alice, &p.alice, PATIENT, "Bilan Mme LEFEVRE", "").await;
    assert_eq!(named.0, 550, "{named:?}");
    assert!(named.1.contains("patient's name"), "{named:?}");
}

#[tokio::test]
async fn ms9_an_xdm_attachment_about_an_opposed_patient_is_refused() {
    let p = parties().await;
    professional(&p.w, "bob", &rpps(2), true).await;
    let (alice, bob) = ("alice@caduceus.test", "bob@caduceus.test");
    // A letter between professionals about a patient (not a recipient), in IHE XDM.
    let other = "1 84 12 76 451 089 46";
    let ins = Ins::parse(other).unwrap();
    let send_about =
        |ins: &'static str| send_with(&p, alice, &p.alice, bob, "Compte rendu", "", ins);
    let before = send_about("184127645108946").await;
    assert_eq!(before.0, 250, "{before:?}");
    let as_operator = op();
    p.w.service
        .set_opposition(&as_operator, &ins, true)
        .await
        .unwrap();
    let refused = send_about("184127645108946").await;
    assert_eq!(refused.0, 550, "{refused:?}");
    assert!(
        refused.1.contains("MS-9") && refused.1.contains("postal mail"),
        "{refused:?}"
    );
    p.w.service
        .set_opposition(&as_operator, &ins, false)
        .await
        .unwrap();
    assert_eq!(send_about("184127645108946").await.0, 250);
}

/// MS-8, TR-5: a disposition notification goes to the sender only. A message to one
/// patient asking for it at another patient's address does not make the first
/// patient's mailbox write to the second (nor show them the first one's address).
#[tokio::test]
async fn ms8_tr5_a_notification_asked_for_another_patient_is_not_sent() {
    let p = parties().await;
    let other = patient(&p.w, "184127645108946", "Jean Martin").await;
    let alice = "alice@caduceus.test";
    let asked = format!("Disposition-Notification-To: <{}>", other.address.as_str());
    assert_eq!(
        send(&p, alice, &p.alice, PATIENT, "Suivi", &asked).await.0,
        250
    );
    assert_eq!(inbox(&p.w, &p.patient).await.len(), 1, "delivered");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        inbox(&p.w, &other).await.is_empty(),
        "no notification to the other patient"
    );
    // Asked by the sender for herself: sent.
    let own = format!("Disposition-Notification-To: <{alice}>");
    assert_eq!(
        send(&p, alice, &p.alice, PATIENT, "Suivi", &own).await.0,
        250
    );
    let alice_account =
        p.w.service
            .account_by_address(&addr(alice))
            .await
            .unwrap()
            .unwrap();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while inbox(&p.w, &alice_account).await.is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the sender's MDN");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
