//! Acting for another mailbox in the webmail over HTTPS (Python's http.client): a
//! delegate of the secretariat's mailbox (ID-3) and a parent representing their
//! child (ID-7) log in as themselves, find the mailbox in the switcher, and work on it
//! at `/mail/as/{account}/…` — every page asked of the service again, every action
//! traced with the person and `acting_for` (TR-1); a delegation withdrawn is refused
//! at the next page, the refusal traced (AC-1).

use caduceus_store::{Account, AccountId, Store as _};
use caduceus_testkit::*;
use common::*;

mod common;

/// Delivers a message from bob to `to`; its id.
async fn deliver(w: &World, to: &Account, subject: &str, text: &str) -> i64 {
    let raw = format!(
        "From: bob@caduceus.test\r\nTo: {}\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@caduceus.test>\r\n\r\n{text}\r\n",
        to.address.as_str()
    );
    let to = std::slice::from_ref(&to.address);
    let delivered = w.service.deliver_local(&op(), to, raw.as_bytes()).await;
    delivered.unwrap()[0].message.0
}

/// The script's arguments for `person` working on `mailbox`'s `message`.
fn args(
    w: &World,
    port: u16,
    person: &Account,
    totp: String,
    journey: &str,
    mailbox: AccountId,
    message: i64,
) -> Vec<(&'static str, String)> {
    let mut args = alice_args(w, port, person, totp);
    args.push(("journey", journey.to_owned()));
    args.push(("mailbox", mailbox.0.to_string()));
    args.push(("message", message.to_string()));
    args
}

/// The `name` header line (`From:`, `Sender:`) of the last message `to` received.
async fn last_header(w: &World, to: &Account, name: &str) -> String {
    let received = inbox(w, to).await;
    let last = String::from_utf8_lossy(received.last().expect("a message arrived"));
    let line = last.lines().find(|l| l.starts_with(name));
    line.unwrap_or_default().to_owned()
}

/// The traces of `action` by `person`: whom each was acting for.
async fn traced(w: &World, action: &str, person: &Account) -> Vec<Option<String>> {
    let actor = format!("acct:{}", person.id.0);
    traces(w)
        .await
        .into_iter()
        .filter(|e| e.action == action && e.actor == actor)
        .map(|e| e.acting_for)
        .collect()
}

/// Whether every trace of `action` by `person` names `acting_for` — and there is one.
async fn all_acting_for(w: &World, action: &str, person: &Account, acting_for: &Account) {
    let entries = traced(w, action, person).await;
    let whom = format!("acct:{}", acting_for.id.0);
    assert!(!entries.is_empty(), "{action} by the person is traced");
    for entry in entries {
        assert_eq!(entry.as_deref(), Some(whom.as_str()), "{action}");
    }
}

#[tokio::test]
async fn id3_a_delegate_reads_and_answers_the_secretariats_mail_in_the_webmail() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let totp = web_login(&w, &alice).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let secretariat = organisation(&w, "secretariat", &alice).await;
    let id = deliver(&w, &secretariat, "Demande-RDV", "Merci de me rappeler.").await;
    let server = listen(&w).await;
    let mut args = args(
        &w,
        server.port,
        &alice,
        totp,
        "delegate",
        secretariat.id,
        id,
    );
    args.push(("to", bob.address.as_str().to_owned()));
    let run = python(&script("acting.py"), &args, "http.client").await;
    server.shutdown().await;

    let base = format!("/mail/as/{}", secretariat.id.0);
    // Her own mailbox: the switcher names hers and the secretariat's; no banner.
    let own = run.expect(
        "own",
        200,
        &["id=\"switcher\"", &format!("{base}/folder/INBOX")],
    );
    assert!(own.contains("Cardiologie (délégation)"), "{own}");
    assert!(!own.contains("id=\"acting\""), "{own}");
    // The secretariat's: a banner, its mail, links that stay on it.
    let list = run.expect(
        "acting-list",
        200,
        &[
            "id=\"acting\"",
            "Vous agissez pour Cardiologie",
            "Demande-RDV",
        ],
    );
    assert!(list.contains(&format!("{base}/message/{id}")), "{list}");
    run.expect("acting-read", 200, &["Merci de me rappeler."]);
    // The reply is sent as the secretariat (ID-3), kept in its Sent folder.
    let form = run.expect("acting-reply-form", 200, &["secretariat@caduceus.test"]);
    assert!(
        form.contains(&format!("action=\"{base}/compose\"")),
        "{form}"
    );
    run.expect(
        "acting-send",
        303,
        &[&format!("{base}/folder/Sent?done=sent")],
    );
    run.expect("acting-sent", 200, &["Re: Demande-RDV"]);
    run.expect("acting-flag", 303, &[&format!("{base}/message/{id}")]);
    run.expect(
        "acting-archive",
        303,
        &[&format!("{base}/folder/INBOX?done=moved")],
    );

    // Bob got the reply from the secretariat's address.
    let from = last_header(&w, &bob, "From:").await;
    assert!(
        from.contains("Cardiologie") && from.contains("secretariat@caduceus.test"),
        "{from}"
    );
    // RFC 5322 §3.6.2: the person who sent it.
    let sender = last_header(&w, &bob, "Sender:").await;
    assert!(sender.contains("alice@caduceus.test"), "{sender}");
    // Each action traced with Alice and acting_for the secretariat (ID-3, TR-1).
    for action in [
        "message.read",
        "message.deliver",
        "message.flag",
        "message.move",
    ] {
        all_acting_for(&w, action, &alice, &secretariat).await;
    }
}

#[tokio::test]
async fn id7_a_parent_reads_the_childs_mail_and_records_an_opposition_in_the_webmail() {
    let w = world().await;
    let Family {
        child,
        parent,
        parent_totp: totp,
        doctor: bob,
        message: id,
    } = family(&w).await;
    let server = listen(&w).await;
    let args = args(&w, server.port, &parent, totp, "parent", child.id, id);
    let run = python(&script("acting.py"), &args, "http.client").await;
    server.shutdown().await;

    let base = format!("/mail/as/{}", child.id.0);
    run.expect("own", 200, &["Léa Petit (représentant légal)"]);
    // The patient's view: the banner by name (never the INS), the emergency notice.
    let list = run.expect(
        "acting-list",
        200,
        &["Vous agissez pour Léa Petit", "id=\"emergency\"", "Vaccins"],
    );
    assert!(
        !list.contains(&format!("Vous agissez pour Léa Petit &lt;{CHILD_INS}")),
        "{list}"
    );
    run.expect(
        "acting-read",
        200,
        &["Rappel du vaccin.", "id=\"emergency\""],
    );
    // The answer goes as the child, to the doctor who wrote (MS-8, ID-7).
    run.expect(
        "acting-send",
        303,
        &[&format!("{base}/folder/Sent?done=sent")],
    );
    run.expect("acting-sent", 200, &["Re: Vaccins"]);
    let from = last_header(&w, &bob, "From:").await;
    assert!(from.contains(CHILD_INS), "{from}");
    let sender = last_header(&w, &bob, "Sender:").await;
    assert!(sender.contains("marc@caduceus.test"), "{sender}");
    // The child's settings: opposition and blocks, not the parent's own devices.
    let settings = run.expect("acting-settings", 200, &["id=\"block-address\""]);
    assert!(!settings.contains("id=\"device-name\""), "{settings}");
    // Confirmed first (seed 004 §5.2), then recorded.
    run.expect(
        "acting-oppose-ask",
        200,
        &[&format!("action=\"{base}/settings/opposition\"")],
    );
    run.expect("acting-oppose", 303, &[&format!("{base}/settings")]);
    run.expect("acting-opposed", 200, &["id=\"emergency\""]);
    let recorded = w.store.opposition(CHILD_INS).await.unwrap();
    assert!(recorded.is_some(), "the child's opposition is recorded");
    // Traced with the parent, acting for the child (ID-7, TR-1).
    for action in ["message.read", "message.deliver", "patient.opposition"] {
        all_acting_for(&w, action, &parent, &child).await;
    }
}

#[tokio::test]
async fn ac1_a_removed_delegate_is_refused_at_the_next_page() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let totp = web_login(&w, &alice).await;
    let secretariat = organisation(&w, "secretariat", &alice).await;
    let id = deliver(&w, &secretariat, "Demande-RDV", "Merci de me rappeler.").await;
    let server = listen(&w).await;
    let before = args(&w, server.port, &alice, totp, "before", secretariat.id, id);
    let run = python(&script("acting.py"), &before, "http.client").await;
    run.expect("acting-list", 200, &["Demande-RDV"]);
    let cookie = run.expect("cookie", 0, &[]);

    // The delegation withdrawn while her session goes on.
    w.service
        .remove_delegate(&op(), secretariat.id, alice.id)
        .await
        .unwrap();
    let denied_before = traced(&w, "access.denied", &alice).await.len();
    let mut after = before.clone();
    after.retain(|(key, _)| *key != "journey");
    after.push(("journey", "after".to_owned()));
    after.push(("cookie", cookie.trim().to_owned()));
    let run = python(&script("acting.py"), &after, "http.client").await;
    server.shutdown().await;

    // Refused in plain words at the very next page (no requirement code shown).
    let list = run.expect(
        "removed-list",
        403,
        &["role=\"alert\"", "(ou plus) pour cette boîte"],
    );
    assert!(
        !list.contains("Demande-RDV") && !list.contains("AC-1"),
        "{list}"
    );
    let read = run.expect("removed-read", 403, &[]);
    assert!(!read.contains("Merci de me rappeler"), "{read}");
    // Her own mailbox still opens, without the secretariat in the switcher.
    let own = run.expect("removed-own", 200, &[]);
    assert!(!own.contains("Cardiologie"), "{own}");
    // Each refusal traced (AC-1, TR-1).
    let denied = traced(&w, "access.denied", &alice).await;
    assert_eq!(denied.len(), denied_before + 2, "{denied:?}");
}
