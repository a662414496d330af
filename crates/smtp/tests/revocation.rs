//! AU-2, ID-2: an SMTP submission session opened with a device credential sends
//! nothing more once the device is revoked or the account suspended: the next
//! `MAIL FROM` is refused and the refusal traced.

mod common;

use caduceus_core::AccountState;
use caduceus_service::actor::testing;
use common::*;

#[tokio::test]
async fn au2_id2_an_open_smtp_session_stops_sending_after_a_revocation_or_a_suspension() {
    let w = world().await;
    let alice_id = rpps(1);
    let alice = professional(&w, "alice", &alice_id, true).await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let (laptop, laptop_id) = device(&w, &alice_id, "Laptop").await;
    let (phone, _) = device(&w, &alice_id, "Phone").await;
    let listener = listen(&w, true, limits()).await;
    let envelope = "MAIL FROM:<alice@caduceus.test>\r\nRCPT TO:<bruno@caduceus.test>\r\nDATA\r\n";
    let alice_at = "alice@caduceus.test";
    let mut on_laptop = logged_in(&w, &listener, alice_at, laptop.expose()).await;
    let mut on_phone = logged_in(&w, &listener, alice_at, phone.expose()).await;
    on_laptop.send(envelope.as_bytes()).await;
    for _ in 0..3 {
        on_laptop.reply().await.unwrap();
    }
    on_laptop
        .cmd("Subject: one\r\n\r\nx\r\n.\r\n", "250 2.0.0")
        .await;

    w.service
        .revoke_device(
            &testing::account(alice.id, "web"),
            alice.id,
            caduceus_store::DeviceId(laptop_id),
        )
        .await
        .unwrap();
    on_laptop
        .cmd("MAIL FROM:<alice@caduceus.test>\r\n", "550 5.7.1")
        .await;
    on_phone
        .cmd("MAIL FROM:<alice@caduceus.test>\r\n", "250")
        .await;
    on_phone.cmd("RSET\r\n", "250").await;
    w.service
        .set_state(&op(), alice.id, AccountState::Suspended)
        .await
        .unwrap();
    on_phone
        .cmd("MAIL FROM:<alice@caduceus.test>\r\n", "550 5.7.1")
        .await;
    assert_eq!(inbox(&w, &bruno).await.len(), 1, "only the one sent before");
    let refused = traces(&w)
        .await
        .into_iter()
        .filter(|e| e.action.as_str() == "session.close" && e.outcome.as_str() == "refused")
        .count();
    assert_eq!(refused, 2, "each end traced");
    listener.shutdown().await;
}
