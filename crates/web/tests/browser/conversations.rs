//! Conversations in Chromium (MS-6, issue 22 journey 10), as a doctor and as a
//! patient: three letters answering one another (In-Reply-To, References) shown as
//! one conversation, grouped under the patient their `X-MSS-INS` names, its letters
//! in the order written, each under its own date in the reader's zone and language
//! (journey 2).

use caduceus_store::Account;
use caduceus_testkit::*;

use super::common::browser::{accessible, browser, walk};
use super::common::*;
use super::journeys::{deliver, pair};

/// Delivers to `to` the three letters of a conversation about the patient `ins`,
/// written by `who` in turn.
async fn thread(w: &World, to: &Account, ins: &str, who: [&str; 3]) {
    let ids = ["t1", "t2", "t3"].map(|id| format!("<{id}-{}@caduceus.test>", to.id.0));
    let texts = [
        "Premier : la question.",
        "Second : la réponse.",
        "Troisième : merci.",
    ];
    for n in 0..3 {
        let subject = if n == 0 {
            "Traitement"
        } else {
            "Re: Traitement"
        };
        let answers = match n {
            0 => String::new(),
            _ => format!(
                "In-Reply-To: {}\r\nReferences: {}\r\n",
                ids[n - 1],
                ids[..n].join(" ")
            ),
        };
        let raw = format!(
            "From: {}@caduceus.test\r\nTo: {}\r\nSubject: {subject}\r\nMessage-ID: {}\r\n\
             X-MSS-INS: {ins}\r\n{answers}Date: Mon, 07 Dec 2026 0{n}:00:00 +0000\r\n\r\n{}\r\n",
            who[n],
            to.address.as_str(),
            ids[n],
            texts[n]
        );
        deliver(w, to, &raw).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_a_doctor_and_a_patient_see_three_letters_as_one_conversation_under_the_patient_in_chromium()
 {
    browser();
    let w = world().await;
    let pair = pair(&w).await;
    professional(&w, "bob", &rpps(2), true).await;
    thread(&w, &pair.doctor, &ins(1), ["bob", "carol", "bob"]).await;
    thread(&w, &pair.patient, &ins(1), ["bob", "bob", "bob"]).await;
    let server = listen(&w).await;
    let args = pair.args(server.port);
    let run = walk("browser_conversations.py", args).await;
    server.shutdown().await;
    accessible(&run, 15);

    for who in ["doctor", "patient"] {
        let step = |label: &str, words: &[&str]| run.expect(&format!("{who}-{label}"), 0, words);
        // One conversation of three, under the patient's name.
        step(
            "list",
            &[
                "groups=1",
                "Patient : Camille Durand",
                "Traitement (3 messages)",
            ],
        );
        let page = step(
            "conversation",
            &[
                "Traitement",
                "patient=Patient : Camille Durand",
                "entries=3",
                // Each letter's own date (00:00 and 02:00 UTC), in Paris, in French
                // (journey 2).
                "lundi 7 décembre 2026 à 01:00",
                "lundi 7 décembre 2026 à 03:00",
            ],
        );
        let at = |word: &str| page.find(word).unwrap_or_else(|| panic!("{word}: {page}"));
        assert!(
            at("Premier") < at("Second") && at("Second") < at("Troisième"),
            "{page}"
        );
    }
}
