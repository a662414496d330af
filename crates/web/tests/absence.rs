//! Out-of-office replies (RFC 3834) and the signature (MS-6, issue 22 item 12)
//! through real clients: letters submitted over SMTP (Python's smtplib) to a doctor
//! whose absence is on, the sender's INBOX read over IMAP (imaplib); the settings
//! saved and read back through the webmail's forms and the JSON API (http.client).

mod common;

use std::time::Duration;

use caduceus_core::absence::{Absence, Day, Language};
use caduceus_core::local_time::Zone;
use caduceus_service::actor::testing;
use caduceus_store::AbsenceStore as _;
use caduceus_testkit::*;
use common::*;

/// The `absence.replied` entries so far: (outcome, detail, object).
async fn replies(w: &World) -> Vec<(String, Option<String>, String)> {
    traces(w)
        .await
        .into_iter()
        .filter(|e| e.action == "absence.replied")
        .map(|e| (e.outcome, e.detail, e.object))
        .collect()
}

/// The `absence.replied` entries once there are `count` (each delivery to an absent
/// holder is answered or refused in the background, then traced).
async fn replies_once(w: &World, count: usize) -> Vec<(String, Option<String>, String)> {
    for _ in 0..400 {
        let found = replies(w).await;
        if found.len() >= count {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "{count} absence.replied traces expected, got {:?}",
        replies(w).await
    );
}

fn absence(on: bool, start: Option<&str>) -> Absence {
    Absence {
        on,
        start: start.and_then(Day::parse),
        text: "Je suis absent jusqu'au 3 août. En cas d'urgence, appelez le 15.".into(),
        ..Absence::defaults(Language::French, Zone::Paris)
    }
}

/// One letter's case for `absence.py`: `label|user|credential|to|extra headers`.
fn case(label: &str, from: &(String, String), to: &str, extra: &str) -> String {
    format!("{label}|{}|{}|{to}|{extra}", from.0, from.1)
}

#[tokio::test]
async fn ms6_tr5_rfc3834_one_out_of_office_reply_per_sender_never_to_automatic_mail() {
    let w = world().await;
    let dr = professional(&w, "dr", &rpps(1), true).await;
    professional(&w, "bob", &rpps(2), true).await;
    professional(&w, "carol", &rpps(3), true).await;
    let later = professional(&w, "later", &rpps(4), true).await;
    let (bob_device, _) = device(&w, &rpps(2), "Thunderbird").await;
    let (carol_device, _) = device(&w, &rpps(3), "Thunderbird").await;
    let bob = ("bob@caduceus.test".to_owned(), bob_device.expose().clone());
    let carol = (
        "carol@caduceus.test".to_owned(),
        carol_device.expose().clone(),
    );
    let holder = |id| testing::account(id, "test");
    let on = absence(true, None);
    w.service
        .set_absence(&holder(dr.id), dr.id, &on)
        .await
        .unwrap();
    // Outside its days: it starts in 2099.
    let future = absence(true, Some("2099-01-01"));
    let later_holder = holder(later.id);
    let set = w.service.set_absence(&later_holder, later.id, &future);
    set.await.unwrap();

    let imap = listen_imap(&w).await;
    let smtp = listen_submission(&w).await;
    let ports = vec![
        ("smtp_port", smtp.port.to_string()),
        ("imap_port", imap.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
    ];
    let run = async |key: &'static str, value: String| {
        let mut args = ports.clone();
        args.push((key, value));
        python(&script("absence.py"), &args, "smtplib and imaplib").await
    };

    // The first letter is answered.
    let dr_at = "dr@caduceus.test";
    run("send", case("first", &bob, dr_at, ""))
        .await
        .expect("first", 250, &[]);
    assert_eq!(replies_once(&w, 1).await[0].0, "success");
    // A second letter within the period, automatic and bulk mail, a letter to a
    // holder whose absence has not started yet: no reply.
    let cases = [
        case("second", &bob, dr_at, ""),
        case("auto", &carol, dr_at, "Auto-Submitted: auto-generated"),
        case("bulk", &carol, dr_at, "Precedence: bulk"),
        case("list", &carol, dr_at, "List-Id: <staff.caduceus.test>"),
        case("not-yet", &carol, "later@caduceus.test", ""),
    ];
    let sent = run("send", cases.join(";;")).await;
    for label in ["second", "auto", "bulk", "list", "not-yet"] {
        sent.expect(label, 250, &[]);
    }
    // A null sender (a bounce), as a peer operator relays one: no reply either.
    let bounce = b"From: MAILER-DAEMON@autre.test\r\nTo: dr@caduceus.test\r\n\
                   Subject: Undelivered\r\n\r\nNot delivered.\r\n";
    let to = [dr.address.clone()];
    w.service
        .deliver_relayed(&testing::system(), None, &to, bounce)
        .await
        .unwrap();

    let settling = std::time::Instant::now();
    let entries = replies_once(&w, 7).await;
    eprintln!(
        "out-of-office: the 7 deliveries' replies decided and traced {} ms after the last",
        settling.elapsed().as_millis()
    );
    let outcomes: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        outcomes.iter().filter(|o| **o == "success").count(),
        1,
        "{entries:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == "refused").count(),
        6,
        "{entries:?}"
    );
    // TR-5: the entries name the holder's account and the rule, never a subject, a
    // sender or the text.
    for (_, detail, object) in &entries {
        assert_eq!(detail.as_deref(), Some("MS-6"));
        assert!(
            object == &format!("acct:{}", dr.id.0) || object == &format!("acct:{}", later.id.0)
        );
    }
    let all = format!("{:?}", traces(&w).await);
    for secret in ["Résultats", "absent jusqu", "Absent"] {
        assert!(!all.contains(secret), "a trace holds {secret:?}");
    }

    // Bob's INBOX over IMAP: exactly the one reply, answering the first letter.
    let read = run("read", format!("{}|{}", bob.0, bob.1)).await;
    read.expect("inbox", 0, &["1"]);
    let reply: serde_json::Value = serde_json::from_str(&read.step("reply-0").1).unwrap();
    assert_eq!(reply["Auto-Submitted"], "auto-replied", "{reply}");
    assert_eq!(reply["In-Reply-To"], "<first@caduceus.test>", "{reply}");
    assert_eq!(
        reply["References"],
        "<earlier@caduceus.test> <first@caduceus.test>"
    );
    assert_eq!(
        reply["Subject"], "Absent\u{202F}: Résultats d'analyse",
        "{reply}"
    );
    assert!(reply["From"].as_str().unwrap().contains(dr_at), "{reply}");
    assert!(
        reply["body"]
            .as_str()
            .unwrap()
            .starts_with("Je suis absent"),
        "{reply}"
    );
    // Carol, whose letters were automatic, bulk or list mail, got nothing.
    run("read", format!("{}|{}", carol.0, carol.1))
        .await
        .expect("inbox", 0, &["0"]);
    smtp.shutdown().await;
    imap.shutdown().await;
}

#[tokio::test]
async fn ms6_ac1_absence_and_signature_set_through_the_webmail_and_the_api_holder_only() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let (alice_totp, bob_totp) = (web_login(&w, &alice).await, web_login(&w, &bob).await);
    let https = listen(&w).await;
    let mut args = alice_args(&w, https.port, &alice, alice_totp);
    args.push(("bob", bob.address.as_str().to_owned()));
    args.push(("bob_totp", bob_totp));
    let run = python(&script("absence_settings.py"), &args, "http.client").await;

    run.expect("web-settings", 200, &["Réponse d’absence", "Signature"]);
    // A refusal says why in plain words and keeps everything typed.
    run.expect(
        "web-absence-bad-dates",
        400,
        &[
            "Le dernier jour est avant le premier jour.",
            "Congés annuels",
            "2026-08-10",
        ],
    );
    run.expect("web-absence", 303, &["/mail/settings#absence"]);
    run.expect("web-signature", 303, &["/mail/settings#signature"]);
    run.expect("web-signature-long", 400, &["8 lignes"]);
    run.expect(
        "web-settings-after",
        200,
        &["Votre réponse d’absence est activée.", "Congés annuels"],
    );
    let settings = run.step("web-settings-after").1;
    assert!(settings.contains("Cardiologue, Lyon") && settings.contains("2026-08-24"));
    // The compose form offers the signature after "-- " (RFC 3676 §4.3).
    let text: Option<String> = serde_json::from_str(&run.step("compose-text").1).unwrap();
    assert_eq!(
        text.as_deref(),
        Some("\n\n-- \nDr Alice Martin\nCardiologue, Lyon")
    );

    // The API: bob's own setting (the defaults, never alice's), set and read back.
    let defaults = run.expect(
        "api-absence",
        200,
        &["\"on\":false", "\"subject\":\"Absent\""],
    );
    assert!(!defaults.contains("Congés"), "{defaults}");
    run.expect("api-signature", 200, &["{\"signature\":\"\"}"]);
    run.expect("api-absence-bad", 400, &["YYYY-MM-DD"]);
    run.expect("api-absence-set", 200, &["\"zone\":\"Indian/Reunion\""]);
    run.expect(
        "api-absence-after",
        200,
        &[
            "\"on\":true",
            "Back on Monday.",
            "\"language\":\"en\"",
            "\"end\":\"2026-12-31\"",
        ],
    );
    run.expect("api-signature-long", 400, &["8 lines"]);
    run.expect("api-signature-set", 200, &["Dr B. Durand"]);
    run.expect("api-signature-after", 200, &["Dr B. Durand"]);
    // Each holder's own: alice's stayed as the webmail set it.
    let alices = w.store.absence(alice.id).await.unwrap().unwrap();
    assert_eq!(alices.subject, "Congés annuels");
    assert_eq!(
        w.store.signature(alice.id).await.unwrap(),
        "Dr Alice Martin\nCardiologue, Lyon"
    );

    // MS-4: neither the words nor the signature are in the database file in clear.
    let stored = w.store.absence(bob.id).await.unwrap().unwrap();
    assert_eq!(stored.text, "Back on Monday.");
    let mut database = Vec::new();
    for entry in std::fs::read_dir(w.dir.path().join("data")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            database.extend(std::fs::read(path).unwrap());
        }
    }
    for secret in [
        "Back on Monday",
        "Dr B. Durand",
        "Cardiologue",
        "Congés annuels",
    ] {
        let found = database
            .windows(secret.len())
            .any(|w| w == secret.as_bytes());
        assert!(!found, "{secret} is in the data directory in clear");
    }
    // TR-5: traced without the words.
    let all = format!("{:?}", traces(&w).await);
    assert!(all.contains("account.absence") && all.contains("account.signature"));
    assert!(!all.contains("Monday") && !all.contains("Durand") && !all.contains("Cardiologue"));
    https.shutdown().await;
}
