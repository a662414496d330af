//! Drafts in the webmail (MS-6, issue 22) over HTTPS (Python's http.client) and IMAP
//! (imaplib): the compose form saved in Drafts by its button and by the autosave is
//! one draft flagged `\Draft`, seen by an IMAP client in the `\Drafts` folder; it
//! opens back into the form; a refused send keeps the text and the attachment; the
//! send removes the draft and delivers the letter with its attachment; a send after
//! the session ended leads to the login page saying the letter is in Drafts. Each
//! save and each replacement is traced (TR-1).

use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn ms6_tr1_a_letter_is_one_draft_in_imap_drafts_kept_through_a_refusal_and_removed_once_sent()
{
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let (alice_device, _) = device(&w, &rpps(1), "imap").await;
    let https = listen(&w).await;
    let imap = listen_imap(&w).await;
    let mut args = alice_args(&w, https.port, &alice, alice_totp);
    args.push(("bob", bob.address.as_str().to_owned()));
    args.push(("imap_port", imap.port.to_string()));
    args.push(("alice_device", alice_device.expose().to_owned()));
    let run = python(&script("drafts.py"), &args, "http.client and imaplib").await;
    https.shutdown().await;
    imap.shutdown().await;
    let json =
        |label: &str| -> serde_json::Value { serde_json::from_str(&run.step(label).1).unwrap() };

    // Saved by the button: the form again, its draft named, the attachment kept.
    run.expect(
        "save",
        200,
        &["Brouillon enregistré dans le dossier Brouillons."],
    );
    let saved = json("saved-fields");
    assert_ne!(saved["draft"], "", "{saved}");
    assert_eq!(saved["kept_names"], serde_json::json!(["cr.pdf"]));
    // The autosave replaced it: one draft, flagged \Draft, in the \Drafts folder.
    run.expect("autosave", 200, &["\"draft\":"]);
    let one = json("imap-one-draft");
    assert!(
        one["list"][0].as_str().unwrap().contains("\\Drafts"),
        "{one}"
    );
    let messages = one["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "one draft per letter: {one}");
    let flags = messages[0]["flags"].as_array().unwrap();
    assert!(flags.iter().any(|f| f == "\\Draft"), "{one}");
    assert_eq!(messages[0]["text"], true, "the autosaved text: {one}");
    assert_eq!(messages[0]["pdf"], true, "the attachment: {one}");
    assert_eq!(messages[0]["to"], true, "the recipient: {one}");
    // Listed in Drafts, it opens back into the form.
    run.expect("drafts", 200, &["/mail/compose?draft=", "Compte rendu"]);
    let opened = json("opened-fields");
    assert_eq!(opened["to"], bob.address.as_str());
    assert_eq!(opened["subject"], "Compte rendu");
    assert!(
        opened["text"]
            .as_str()
            .unwrap()
            .contains("nette amélioration"),
        "{opened}"
    );
    assert_eq!(opened["kept_names"], serde_json::json!(["cr.pdf"]));
    // A refused send keeps everything typed and the attachment, in Drafts too.
    let (status, _) = run.step("send-refused");
    assert!(status >= 400, "refused: {status}");
    let refused = json("refused-fields");
    assert_eq!(refused["to"], "nobody@unknown.example");
    assert!(
        refused["text"]
            .as_str()
            .unwrap()
            .contains("nette amélioration")
    );
    assert_eq!(refused["kept_names"], serde_json::json!(["cr.pdf"]));
    let after = json("imap-after-refusal");
    assert_eq!(after["messages"].as_array().unwrap().len(), 1, "{after}");
    // Sent: delivered with its attachment, the draft gone.
    run.expect("send", 303, &["/mail/folder/Sent"]);
    assert_eq!(json("imap-after-send")["messages"], serde_json::json!([]));
    let received = inbox(&w, &bob).await;
    assert_eq!(received.len(), 1);
    let raw = String::from_utf8_lossy(&received[0]);
    assert!(
        raw.contains("cr.pdf") && raw.contains("Compte rendu"),
        "{raw}"
    );
    assert!(!raw.contains("\\Draft"));
    let (_, took) = run.step("save-ms");
    eprintln!("a draft with a 70 KB attachment: saved, then replaced, in {took} ms");
    // The session ended: the login page says the letter is in Drafts (when it was
    // saved there).
    run.expect("send-expired", 303, &["/login?kept=draft"]);
    let (status, unsaved) = run.step("send-expired-unsaved");
    assert_eq!(status, 303);
    assert!(unsaved.starts_with("/login "), "{unsaved}");
    run.expect(
        "login-kept",
        200,
        &["Le message que vous écriviez est conservé dans le dossier Brouillons"],
    );
    // Each save traced as a delivery to Drafts, each replacement as a deletion (TR-1).
    let entries = traces(&w).await;
    let actor = format!("acct:{}", alice.id.0);
    let by_alice = |action: &str| {
        entries
            .iter()
            .filter(|e| e.action == action && e.actor == actor)
            .count()
    };
    assert!(by_alice("message.deliver") >= 3, "three saves traced");
    assert!(
        by_alice("message.delete") >= 3,
        "two replacements and the removal traced"
    );
    // No subject nor content in the traces (TR-5).
    let written = format!("{entries:?}");
    assert!(!written.contains("Compte rendu") && !written.contains("amélioration"));
}
