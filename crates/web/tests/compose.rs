//! MS-1 in the webmail over HTTPS (Python's http.client): replying to everyone and
//! forwarding. Reply-all addresses the sender and copies the other recipients, never
//! oneself; a reply and a forward quote the original under its author and its own
//! date, in the user's zone and language; the forward is sent and delivered with
//! the original's attachment, and the disposition notification its form asked for
//! comes back (MS-16).

use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn ms1_ms16_the_webmail_replies_to_all_and_forwards_with_a_dated_quote_and_a_receipt_asked() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let eve = professional(&w, "eve", &rpps(2), true).await;
    let alice_totp = web_login(&w, &alice).await;
    // Bob wrote to Alice and Carl, Dan in copy, on Friday 7 March 2025 at 09:05 in Paris.
    let original = "From: Dr Bob <bob@caduceus.test>\r\n\
                    To: alice@caduceus.test, Dr Carl <carl@caduceus.test>\r\n\
                    Cc: dan@caduceus.test\r\nDate: Fri, 07 Mar 2025 08:05:00 +0000\r\n\
                    Message-ID: <bilan-42@caduceus.test>\r\nSubject: Bilan\r\n\
                    MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
                    --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
                    Bonjour,\r\nle bilan est normal.\r\n\
                    --b\r\nContent-Type: application/pdf; name=\"bilan.pdf\"\r\n\
                    Content-Disposition: attachment; filename=\"bilan.pdf\"\r\n\r\n\
                    %PDF-1.4 bilan-42\r\n--b--\r\n";
    let to = std::slice::from_ref(&alice.address);
    let delivered = w
        .service
        .deliver_local(&op(), to, original.as_bytes())
        .await;
    let id = delivered.unwrap()[0].message.0;
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, alice_totp);
    args.push(("eve", eve.address.as_str().to_owned()));
    args.push(("original", id.to_string()));
    let run = python(&script("compose_quote.py"), &args, "http.client").await;
    server.shutdown().await;
    let fields = |label: &str| -> serde_json::Value {
        let (_, text) = run.step(&format!("{label}-fields"));
        serde_json::from_str(&text).unwrap()
    };

    run.expect("message", 200, &["id=\"reply-all\"", "id=\"forward\""]);
    let quote = "Le vendredi 7 mars 2025 à 09:05, Dr Bob <bob@caduceus.test> a écrit\u{202F}:\n\
                 > Bonjour,\n> le bilan est normal.";
    let all = fields("reply-all");
    assert_eq!(all["to"], "bob@caduceus.test");
    assert_eq!(all["cc"], "carl@caduceus.test, dan@caduceus.test");
    assert_eq!(all["subject"], "Re: Bilan");
    assert!(all["text"].as_str().unwrap().contains(quote), "{all}");
    let one = fields("reply");
    assert_eq!(one["to"], "bob@caduceus.test");
    assert_eq!(one["cc"], "");
    let forward = fields("forward");
    assert_eq!(forward["to"], "");
    assert_eq!(forward["subject"], "Tr: Bilan");
    assert_eq!(forward["forward_of"], id.to_string());
    assert!(
        forward["forwarded"].as_str().unwrap().contains("bilan.pdf"),
        "{forward}"
    );
    let text = forward["text"].as_str().unwrap();
    for line in [
        "Message transféré",
        "De\u{202F}: Dr Bob <bob@caduceus.test>",
        "Date\u{202F}: vendredi 7 mars 2025 à 09:05",
        "Objet\u{202F}: Bilan",
        "le bilan est normal.",
    ] {
        assert!(text.contains(line), "{line:?} not in {text:?}");
    }
    run.expect("forward-sent", 303, &["/mail/folder/Sent"]);
    let received = inbox(&w, &eve).await;
    assert_eq!(received.len(), 1);
    let raw = String::from_utf8_lossy(&received[0]);
    assert!(
        raw.contains("Tr: Bilan") && raw.contains("bilan est normal"),
        "{raw}"
    );
    // MS-16: the box asked for a disposition notification, which Eve's side sends
    // back at delivery: `processed`, into Alice's INBOX.
    assert!(
        raw.contains("Disposition-Notification-To: <alice@caduceus.test>"),
        "{raw}"
    );
    let mut notices = Vec::new();
    for _ in 0..100 {
        notices = inbox(&w, &alice).await;
        notices.retain(|m| String::from_utf8_lossy(m).contains("disposition-notification"));
        if !notices.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(notices.len(), 1, "one notification for Alice");
    assert!(String::from_utf8_lossy(&notices[0]).contains("processed"));
}
