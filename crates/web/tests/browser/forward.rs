//! Forward, reply to all and the dated quote in Chromium (MS-1, MS-8, issue 22
//! journeys 5 and 6), as a doctor and as a patient. The doctor answers everyone a
//! letter went to, then forwards it with its PDF, saved in Drafts on the way: the
//! forward continued from Drafts still carries the PDF, and the colleague receives
//! it. The patient answers the doctor who wrote (the quote dated), the answer
//! autosaved, continued from Drafts and sent; a forward to a professional who never
//! wrote is refused in plain words (MS-8), nothing typed lost.

use caduceus_store::Account;
use caduceus_testkit::*;

use super::common::browser::{accessible, browser, walk};
use super::common::*;
use super::journeys::{deliver, pair};

/// The PDF the letter carries, base64 (`%PDF-1.4 forward-7`).
const PDF: &str = "JVBERi0xLjQgZm9yd2FyZC03Cg==";

/// A letter from Dr Bob to `to`, copied to `cc`, a PDF attached; its id.
async fn letter(w: &World, to: &Account, cc: &str, subject: &str) -> i64 {
    let raw = format!(
        "From: Dr Bob <bob@caduceus.test>\r\nTo: {}\r\nCc: {cc}\r\nSubject: {subject}\r\n\
         Date: Mon, 07 Dec 2026 09:00:00 +0000\r\nMessage-ID: <lettre-{}@caduceus.test>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVoici le compte rendu.\r\n\
         --mix\r\nContent-Type: application/pdf; name=\"cr.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"cr.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{PDF}\r\n--mix--\r\n",
        to.address.as_str(),
        to.id.0
    );
    deliver(w, to, &raw).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms1_a_doctor_replies_to_all_and_forwards_a_letter_with_its_pdf_kept_through_drafts_in_chromium()
 {
    browser();
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let carol = professional(&w, "carol", &rpps(3), true).await;
    let dan = professional(&w, "dan", &rpps(4), true).await;
    let totp = web_login(&w, &alice).await;
    letter(&w, &alice, dan.address.as_str(), "Compte rendu Zorvex").await;
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, totp);
    args.push(("carol", carol.address.as_str().to_owned()));
    let run = walk("browser_forward.py", args).await;
    server.shutdown().await;
    accessible(&run, 24);

    // Reply to all: the sender in To, the other recipient in Cc, both named beside
    // the fields with their addresses; the quote says when and who.
    run.expect(
        "reply-all",
        0,
        &[
            "to=bob@caduceus.test",
            "cc=dan@caduceus.test",
            "Destinataires : Dr bob <bob@caduceus.test>, Dr dan <dan@caduceus.test>",
            "Le lundi 7 décembre 2026",
            "Dr Bob <bob@caduceus.test> a écrit",
            "> Voici le compte rendu.",
        ],
    );
    run.expect(
        "replied",
        0,
        &["/mail/folder/Sent", "Re: Compte rendu Zorvex"],
    );
    run.expect(
        "forward",
        0,
        &[
            "Tr: Compte rendu Zorvex",
            "Pièces jointes du message transféré, envoyées avec lui : cr.pdf",
            "Message transféré",
        ],
    );
    // Saved by the button: the PDF is the draft's own from then on, kept on the form.
    run.expect(
        "forward-saved",
        0,
        &[
            "Brouillon enregistré",
            "kept=Pièces jointes gardées",
            "cr.pdf",
            "forward_of=",
        ],
    );
    let (_, saved) = run.step("forward-saved");
    assert!(saved.ends_with("forward_of="), "{saved}");
    // Continued from Drafts, the forward still carries the PDF (issue 22), and names
    // its recipient.
    run.expect(
        "forward-continued",
        0,
        &[
            "to=carol@caduceus.test",
            "Tr: Compte rendu Zorvex",
            "kept=Pièces jointes gardées",
            "cr.pdf",
            "Dr carol <carol@caduceus.test>",
        ],
    );
    run.expect(
        "forwarded",
        0,
        &["/mail/folder/Sent", "Tr: Compte rendu Zorvex"],
    );
    run.expect("drafts-after", 0, &["0"]);
    // The colleague received the PDF, once; Dr Dan and Dr Bob the reply.
    let received = inbox(&w, &carol).await;
    assert_eq!(received.len(), 1);
    let raw = String::from_utf8_lossy(&received[0]);
    assert_eq!(raw.matches("filename=\"cr.pdf\"").count(), 1, "{raw}");
    assert!(raw.contains(PDF.trim_end_matches('=')), "{raw}");
    for copied in [&bob, &dan] {
        let got = inbox(&w, copied).await;
        let replies = got
            .iter()
            .filter(|m| String::from_utf8_lossy(m).contains("Re: Compte rendu Zorvex"));
        assert_eq!(replies.count(), 1, "{}", copied.address.as_str());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms8_ms6_a_patient_replies_with_a_dated_quote_autosaved_in_drafts_and_cannot_forward_in_chromium()
 {
    browser();
    let w = world().await;
    let pair = pair(&w).await;
    let (alice, camille) = (&pair.doctor, &pair.patient);
    let bob = professional(&w, "bob", &rpps(2), true).await;
    // Dr Bob writes first (MS-8), a PDF attached, Dr Alice in copy.
    let pdf = caduceus_service::compose::Attachment {
        filename: "cr.pdf".into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF-1.4 forward-7\n".to_vec(),
    };
    let sent = caduceus_service::compose::Letter {
        to: vec![camille.address.clone()],
        cc: vec![alice.address.clone()],
        subject: "Vos résultats".into(),
        text: "Voici le compte rendu.".into(),
        attachments: vec![pdf],
        ..Default::default()
    };
    let bob_login = strong_login(&w, &bob).await;
    w.service.send_letter(&bob_login, &sent).await.unwrap();
    let caller = caduceus_service::actor::testing::account(camille.id, "test");
    let access = w.service.authorize(&caller, camille.id).await.unwrap();
    let (_, summaries) = w.service.open_folder(&access, "INBOX").await.unwrap();
    let id = summaries[0].id.0;
    let server = listen(&w).await;
    let mut args = pair.args(server.port);
    args.push(("letter", id.to_string()));
    let run = walk("browser_patient_letters.py", args).await;
    server.shutdown().await;
    accessible(&run, 24);

    // Reply only: no reply to all, no forward offered to a patient (MS-8).
    run.expect("actions", 0, &["reply=1 reply-all=0 forward=0"]);
    run.expect(
        "reply",
        0,
        &[
            "to=bob@caduceus.test readonly=true",
            "Destinataires : Dr bob",
            // The quote dated: "Le <jour> <date> à <heure>, Dr bob <…> a écrit :".
            "| Le ",
            " à ",
            "Dr bob <bob@caduceus.test> a écrit",
            "> Voici le compte rendu.",
        ],
    );
    run.expect("autosaved", 0, &["Brouillon enregistré à"]);
    run.expect("drafts", 0, &["Re: Vos résultats"]);
    run.expect(
        "continued",
        0,
        &["bob@caduceus.test", "Re: Vos résultats", "Merci docteur"],
    );
    run.expect("sent", 0, &["/mail/folder/Sent", "Re: Vos résultats"]);
    run.expect("drafts-after", 0, &["0"]);
    // A forward to a professional who never wrote: refused in plain words, what was
    // typed and the PDF kept.
    let refused = run.expect(
        "forward-refused",
        0,
        &[
            "Vous pouvez seulement répondre à un professionnel qui vous a écrit",
            "kept=alice@caduceus.test / Tr: Vos résultats",
        ],
    );
    assert!(!refused.contains("MS-8"), "{refused}");
    let answered = inbox(&w, &bob).await;
    assert_eq!(answered.len(), 1);
    let raw = String::from_utf8_lossy(&answered[0]);
    assert!(raw.contains("In-Reply-To:"), "{raw}");
    assert!(raw.contains("Merci docteur"), "{raw}");
    assert!(
        inbox(&w, alice)
            .await
            .iter()
            .all(|m| { !String::from_utf8_lossy(m).contains("Tr: ") })
    );
}
