//! AU-2, ID-2: a login does not outlive what it was made with. An IMAP session opened
//! with a device credential ends (`BYE`) at its next command once the device is
//! revoked, or once the account is suspended; nothing more is fetched; the end is
//! traced. A login also ends after `Limits::max_login`, however active.

mod common;

use caduceus_service::actor::testing;
use std::time::Duration;

use caduceus_core::AccountState;
use caduceus_imap::Limits;
use common::*;

const MESSAGE: &str =
    "From: bob@caduceus.test\r\nTo: alice@caduceus.test\r\nSubject: Avis\r\n\r\nConfidentiel\r\n";

/// Sends `command` and reads until the tagged answer or the end of the connection.
async fn answer(raw: &mut Raw, command: &str) -> String {
    raw.send(format!("x {command}\r\n").as_bytes()).await;
    let mut all = String::new();
    while let Some(line) = raw.line().await {
        all.push_str(&line);
        if line.starts_with("x ") {
            break;
        }
    }
    all
}

fn checking_every_command() -> Limits {
    Limits {
        recheck_every: Duration::ZERO,
        ..limits()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au2_id2_revoked_device_or_suspended_account_ends_the_open_imap_session() {
    let w = world().await;
    let alice_id = rpps(1);
    let alice = professional(&w, "alice", &alice_id, true).await;
    let (laptop, laptop_id) = device(&w, &alice_id, "Laptop").await;
    let (phone, _) = device(&w, &alice_id, "Phone").await;
    deliver(&w, "alice@caduceus.test", MESSAGE).await;
    let listener = listen_with(&w, true, checking_every_command()).await;

    let mut on_laptop = Raw::login(&w, &listener, "alice@caduceus.test", laptop.expose()).await;
    let mut on_phone = Raw::login(&w, &listener, "alice@caduceus.test", phone.expose()).await;
    assert!(on_laptop.command("SELECT INBOX").await.contains("OK"));
    w.service
        .revoke_device(
            &testing::account(alice.id, "web"),
            alice.id,
            caduceus_store::DeviceId(laptop_id),
        )
        .await
        .unwrap();
    let after = answer(&mut on_laptop, "FETCH 1 (BODY.PEEK[])").await;
    assert!(after.contains("* BYE"), "{after}");
    assert!(!after.contains("Confidentiel"), "{after}");
    // The phone's credential still works...
    assert!(on_phone.command("SELECT INBOX").await.contains("OK"));
    // ...until the account is suspended.
    w.service
        .set_state(&op(), alice.id, AccountState::Suspended)
        .await
        .unwrap();
    let after = answer(&mut on_phone, "FETCH 1 (BODY.PEEK[])").await;
    assert!(after.contains("* BYE"), "{after}");
    assert!(!after.contains("Confidentiel"), "{after}");

    let ends = actions(&w)
        .await
        .iter()
        .filter(|a| *a == "session.close")
        .count();
    assert!(ends >= 2, "each end traced");
    listener.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au3_a_login_ends_after_its_lifetime() {
    let w = world().await;
    let alice_id = rpps(1);
    professional(&w, "alice", &alice_id, true).await;
    let (secret, _) = device(&w, &alice_id, "Laptop").await;
    let listener = listen_with(
        &w,
        true,
        Limits {
            max_login: Duration::from_millis(300),
            ..limits()
        },
    )
    .await;
    let mut c = Raw::login(&w, &listener, "alice@caduceus.test", secret.expose()).await;
    assert!(c.command("SELECT INBOX").await.contains("OK"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    let after = answer(&mut c, "NOOP").await;
    assert!(after.contains("* BYE login lifetime reached"), "{after}");
    listener.shutdown().await;
}
