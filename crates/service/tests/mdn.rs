//! MS-16, RFC 8098: a message asking for a disposition notification gets one from each
//! local recipient, automatically, once; automatic messages never do.

use caduceus_service::actor::testing;
use std::time::Duration;

mod common;

use common::*;

#[tokio::test]
async fn ms16_an_mdn_comes_back_once_and_never_for_an_automatic_message() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    person(&w, "bob", "810000000009", true).await;
    let asking = b"From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: Bilan\r\n\
Message-ID: <m1@caduceus.test>\r\nDisposition-Notification-To: <alice@caduceus.test>\r\n\r\nCorps\r\n";
    w.service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], asking)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let mdns = loop {
        let raws = inbox_raws(&w, &alice).await;
        if !raws.is_empty() || tokio::time::Instant::now() > deadline {
            break raws;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(mdns.len(), 1, "one MDN");
    let mdn = &mdns[0];
    assert!(
        mdn.contains("report-type=disposition-notification"),
        "{mdn}"
    );
    assert!(
        mdn.contains("Final-Recipient: rfc822; bob@caduceus.test"),
        "{mdn}"
    );
    assert!(
        mdn.contains("Original-Message-ID: <m1@caduceus.test>"),
        "{mdn}"
    );
    assert!(mdn.contains("Disposition: automatic-action/MDN-sent-automatically; processed"));
    assert!(
        !mdn.contains("Corps") && !mdn.contains("Bilan"),
        "no content: {mdn}"
    );

    // An automatic message asking for one gets none (no loops).
    let automatic = b"From: alice@caduceus.test\r\nTo: bob@caduceus.test\r\nSubject: auto\r\n\
Auto-Submitted: auto-generated\r\nDisposition-Notification-To: <alice@caduceus.test>\r\n\r\nx\r\n";
    w.service
        .deliver_local(&testing::system(), &[addr("bob@caduceus.test")], automatic)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(inbox_raws(&w, &alice).await.len(), 1, "still one");
}
