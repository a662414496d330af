//! The envelope rules as a mail client meets them (Python's smtplib): the sender must
//! be oneself or an organisational mailbox one is a delegate of (ID-3); each recipient
//! a verified mailbox (MS-2); at most `max_recipients` (MS-12); the size limit, when
//! announced and when exceeded (MS-1). Each refusal names its requirement and says
//! what to do; the session goes on. A mailbox over its sending rate is told to come
//! back later (MS-13). Many recipients across messages raise a fan-out alert (MS-12,
//! TR-3) well before any cap.

mod common;

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::{RateLimit, SystemClock};
use caduceus_store::Store;
use common::*;

#[tokio::test]
async fn id3_ms2_ms12_ms1_envelope_rules_refuse_with_their_requirement() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let dora = professional(&w, "dora", &rpps(3), true).await;
    let emile = professional(&w, "emile", &rpps(4), true).await;
    let fanny = professional(&w, "fanny", &rpps(5), true).await;
    professional(&w, "carole", &rpps(6), false).await;
    organisation(&w, "cardio", &alice).await;
    let (credential, _) = device(&w, &rpps(1), "Laptop").await;
    let listener = listen(&w, false, limits()).await;

    let too_big = MAX_SIZE + 1;
    let mut args = base_args(&w, &listener);
    args.extend([
        ("user", "alice@caduceus.test".to_owned()),
        ("credential", credential.expose().clone()),
        ("other", "bruno@caduceus.test".to_owned()),
        ("org", "cardio@caduceus.test".to_owned()),
        (
            "verified",
            "bruno@caduceus.test,dora@caduceus.test,emile@caduceus.test,fanny@caduceus.test"
                .to_owned(),
        ),
        ("unknown", "nobody@caduceus.test".to_owned()),
        ("unverified", "carole@caduceus.test".to_owned()),
        ("too_big", too_big.to_string()),
    ]);
    let run = python("policy", &args).await;

    run.expect("mail-as-other", 553, &["5.7.1", "(ID-3)", "delegate"]);
    run.expect("rset", 250, &[]);
    run.expect("mail-as-org", 250, &["2.1.0"]);
    run.expect("rcpt-from-org", 250, &["2.1.5"]);
    run.expect("data-from-org", 250, &["2.0.0"]);

    run.expect(
        "rcpt-unknown",
        550,
        &[
            "5.1.1",
            "(MS-2)",
            "nobody@caduceus.test",
            "check the address in the directory",
        ],
    );
    run.expect(
        "rcpt-unverified",
        550,
        &["5.1.1", "(MS-2)", "not a verified mailbox"],
    );
    run.expect(
        "rcpt-outside",
        550,
        &[
            "5.7.1",
            "(MS-5)",
            "gmail.test is outside the MSSante trust space",
        ],
    );
    run.expect("rcpt-bad-syntax", 501, &["5.1.3"]);
    run.expect("rcpt-1", 250, &[]);
    run.expect("rcpt-2", 250, &[]);
    run.expect("rcpt-3", 250, &[]);
    run.expect(
        "rcpt-4",
        452,
        &["4.5.3", "too many recipients (MS-12)", "at most 3"],
    );
    run.expect("data-many", 250, &["3 recipient"]);

    run.expect("mail-size", 552, &["5.3.4", "MS-1"]);
    run.expect("mail-big", 250, &[]);
    run.expect("rcpt-big", 250, &[]);
    run.expect("data-big", 552, &["5.3.4", "MS-1"]);
    run.expect("mail-small", 250, &[]);
    run.expect("rcpt-small", 250, &[]);
    run.expect("data-small", 250, &["2.0.0"]);
    run.expect("data-without-mail", 503, &["5.5.1"]);
    run.expect("mail-null", 501, &["5.1.7"]);
    run.expect("mail-dsn", 555, &["5.5.4"]);
    run.expect("mail-again", 250, &[]);
    run.expect("rcpt-none", 550, &["MS-2"]);
    run.expect("data-no-rcpt", 554, &["5.5.1", "no valid recipients"]);
    run.expect("rset-again", 250, &[]);
    run.expect("quit", 221, &[]);

    let subjects = |raws: Vec<Vec<u8>>| -> Vec<String> {
        raws.iter()
            .map(|raw| {
                let text = String::from_utf8_lossy(raw);
                text.lines()
                    .find_map(|l| l.strip_prefix("Subject: "))
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    };
    assert_eq!(
        subjects(inbox(&w, &bruno).await),
        ["as org", "to three", "small"]
    );
    assert_eq!(subjects(inbox(&w, &dora).await), ["to three"]);
    assert_eq!(subjects(inbox(&w, &emile).await), ["to three"]);
    assert!(
        inbox(&w, &fanny).await.is_empty(),
        "the 4th recipient was refused"
    );
    let org_message = String::from_utf8(inbox(&w, &bruno).await[0].clone()).unwrap();
    assert!(org_message.contains("From: cardio@caduceus.test"));
    listener.shutdown().await;
}

#[tokio::test]
async fn ms13_a_mailbox_over_its_sending_rate_gets_450_at_mail_and_is_traced() {
    let w = world_configured("caduceus.test", None, Arc::new(SystemClock), |config| {
        config.account_rate = Some(RateLimit {
            count: 2,
            per: Duration::from_secs(3600),
        })
    })
    .await;
    professional(&w, "alice", &rpps(1), true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let (credential, _) = device(&w, &rpps(1), "Laptop").await;
    let (other_credential, _) = device(&w, &rpps(2), "Phone").await;
    let listener = listen(&w, false, limits()).await;
    let mut args = base_args(&w, &listener);
    args.extend([
        ("user", "alice@caduceus.test".to_owned()),
        ("credential", credential.expose().clone()),
        ("to", "bruno@caduceus.test".to_owned()),
        ("count", "3".to_owned()),
        ("other", "bruno@caduceus.test".to_owned()),
        ("other_credential", other_credential.expose().clone()),
    ]);
    let run = python("rate", &args).await;
    run.expect("mail-0", 250, &[]);
    run.expect("data-0", 250, &[]);
    run.expect("mail-1", 250, &[]);
    run.expect("data-1", 250, &[]);
    run.expect(
        "mail-2",
        450,
        &[
            "4.7.1",
            "sending rate exceeded (MS-13)",
            "at most 2 messages per 60 minutes",
            "try again in 30 minute(s)",
        ],
    );
    run.expect("other-mail", 250, &[]);
    assert_eq!(inbox(&w, &bruno).await.len(), 2);
    let refused = w
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail.as_deref() == Some("MS-13 reason:rate"))
        .count();
    assert_eq!(refused, 1);
    listener.shutdown().await;
}

/// MS-12, TR-3: messages within the per-message cap and the hourly rate, but to many
/// recipients together in a short time, make a fan-out the detectors raise as an alert
/// naming the account (never an address) — at the threshold, not before.
#[tokio::test]
async fn ms12_tr3_many_recipients_across_messages_raise_a_fan_out_alert() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let mut to = Vec::new();
    for n in 0..3 {
        professional(&w, &format!("p{n}"), &rpps(10 + n), true).await;
        to.push(format!("p{n}@caduceus.test"));
    }
    let (credential, _) = device(&w, &rpps(1), "Laptop").await;
    let listener = listen(&w, false, limits()).await;
    let file = w.dir.path().join("invitation.eml");
    let raw = format!(
        "From: alice@caduceus.test\r\nTo: {}\r\nSubject: Invitation\r\n\r\nBonjour.\r\n",
        to.join(", ")
    );
    std::fs::write(&file, raw).unwrap();
    let send = async |times: usize| {
        let mut args = base_args(&w, &listener);
        args.extend([
            ("user", "alice@caduceus.test".to_owned()),
            ("credential", credential.expose().clone()),
            ("to", to.join(",")),
            ("message", file.display().to_string()),
            ("times", times.to_string()),
        ]);
        let (code, text) = python("send_raw", &args).await.step("sent");
        assert_eq!(code, 250, "{text}");
    };
    let fan_outs = async || {
        let raised = w.service.run_incident_detectors().await.unwrap();
        raised
            .into_iter()
            .filter(|i| i.kind == caduceus_core::incidents::IncidentKind::FanOut)
            .collect::<Vec<_>>()
    };
    // 33 messages of 3 recipients: 99, one short of the default threshold (100).
    send(33).await;
    assert_eq!(fan_outs().await, []);
    send(1).await;
    let found = fan_outs().await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].subject, format!("acct:{}", alice.id.0));
    assert_eq!(found[0].count, 102);
    let alerts = w.service.alerts(&op()).await.unwrap();
    assert!(
        alerts.iter().any(|a| a.kind == "incident.fan_out"
            && !a.subject.contains('@')
            && a.detail.contains("recipients:102")),
        "{alerts:?}"
    );
    listener.shutdown().await;
}
