//! Mail to other operators through the service (MS-5, MS-16): recipients of the
//! trust space are queued with the message, others refused; relay outcomes settle
//! them with back-off and expiry on the injected clock; the sender receives a
//! delivery status notification and may ask where the message stands. Sending rates
//! hold back each mailbox and each peer operator (MS-13).

mod common;

use caduceus_core::Requirement;
use std::sync::Arc;
use std::time::Duration;

use caduceus_core::{NationalId, RateLimit};
use caduceus_service::ServiceConfig;
use caduceus_service::ServiceError;
use caduceus_service::auth::Authenticated;
use caduceus_service::peers::{PeerCertificate, PeerTrust};
use caduceus_service::relay::RelayOutcome;
use caduceus_service::submit::RecipientScope;
use caduceus_store::{OutboundState, Store};
use common::*;

const LEASE: Duration = Duration::from_secs(600);

/// The trust space: this operator and `autre.test`, whose operator may relay to us.
struct Listed;

impl PeerTrust for Listed {
    fn allows(&self, domain: &str, _: &str) -> bool {
        domain == "autre.test"
    }
    fn domains_for(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
    fn lists_domain(&self, domain: &str) -> bool {
        matches!(domain, "autre.test" | "caduceus.test")
    }
}

async fn alice_login(w: &World) -> Authenticated {
    w.service
        .login_certificate(
            &NationalId::parse("810003090833").unwrap(),
            None,
            "127.0.0.1:1",
        )
        .await
        .unwrap()
}

/// Alice sends to Bruno (here) and to carla@autre.test; returns the queue reference.
async fn send(w: &World, notify_success: bool) -> String {
    let login = alice_login(w).await;
    let sender = w
        .service
        .sender(&login, &addr("alice@caduceus.test"))
        .await
        .unwrap();
    let submitted = w
        .service
        .submit(
            &sender,
            &[addr("bruno@caduceus.test"), addr("carla@autre.test")],
            RAW,
            notify_success,
        )
        .await
        .unwrap();
    assert_eq!(submitted.delivered.len(), 1, "Bruno's copy is stored");
    submitted.queue_ref.expect("carla is queued")
}

async fn setup() -> World {
    setup_with(|_| {}).await
}

/// [`setup`] with its service settings changed by `tweak`.
async fn setup_with(tweak: impl FnOnce(&mut ServiceConfig)) -> World {
    let mut w = world_configured(tweak).await;
    w.service = w.service.clone().with_trust_list(Arc::new(Listed));
    person(&w, "alice", "810003090833", true).await;
    person(&w, "bruno", "810000000009", true).await;
    w
}

async fn inbox_of(w: &World, address: &str) -> Vec<String> {
    let account = w
        .store
        .account_by_address(&addr(address))
        .await
        .unwrap()
        .unwrap();
    let inbox = w.store.mailbox(account.id, "INBOX").await.unwrap().unwrap();
    let mut out = Vec::new();
    for message in w.store.messages(inbox.id).await.unwrap() {
        let trace = caduceus_audit::Event::new(
            0,
            caduceus_audit::Who::System,
            caduceus_audit::Action::MessageRead,
            caduceus_audit::Object::of(message.id),
        );
        let opened = w.store.open_message(message.id, &trace).await.unwrap();
        out.push(String::from_utf8(opened.raw).unwrap());
    }
    out
}

#[tokio::test]
async fn ms5_only_trust_space_domains_are_accepted_and_only_on_submission() {
    let w = setup().await;
    let carla = addr("carla@autre.test");
    w.service
        .check_recipient(&carla, 0, RecipientScope::TrustSpace)
        .await
        .unwrap();
    let err = w
        .service
        .check_recipient(&addr("x@gmail.test"), 0, RecipientScope::TrustSpace)
        .await
        .unwrap_err();
    let ServiceError::Refused(refusal) = err else {
        panic!("{err}")
    };
    assert_eq!(refusal.requirement, "MS-5");
    assert!(refusal.reason.contains("outside the MSSante trust space"));
    // A peer operator may not make us relay onward.
    let err = w
        .service
        .check_recipient(&carla, 0, RecipientScope::Local)
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Refused(r) if r.requirement == "MS-5"));
}

#[tokio::test]
async fn ms16_tr1_a_refusal_reaches_the_sender_as_a_delivery_status_notification() {
    let w = setup().await;
    let queue_ref = send(&w, false).await;
    let items = w.service.claim_outbound("n1", LEASE, 10).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].recipient, addr("carla@autre.test"));
    assert_eq!(w.service.open_outbound(&items[0]).await.unwrap(), RAW);
    let state = w
        .service
        .settle_outbound(
            "n1",
            &items[0],
            RelayOutcome::Refused("550 5.1.1 no such user".into()),
        )
        .await
        .unwrap();
    assert_eq!(state, OutboundState::Failed);
    let inbox = inbox_of(&w, "alice@caduceus.test").await;
    assert_eq!(inbox.len(), 1, "one notification");
    assert!(inbox[0].contains("report-type=delivery-status"));
    assert!(inbox[0].contains("Status: 5.1.1"));
    assert!(
        inbox[0].contains("Subject: Bilan Mme Zorglub"),
        "original headers returned"
    );
    assert!(!inbox[0].contains("Confidential body"), "never the body");

    // The sender sees the state; Bruno may not look at Alice's message.
    let alice = alice_login(&w).await;
    let status = w
        .service
        .delivery_status(&alice.caller(), &queue_ref)
        .await
        .unwrap();
    assert_eq!(status[0].state, OutboundState::Failed);
    let bruno = w
        .store
        .account_by_address(&addr("bruno@caduceus.test"))
        .await
        .unwrap()
        .unwrap();
    let denied = w
        .service
        .delivery_status(
            &caduceus_service::actor::testing::account(bruno.id, "x"),
            &queue_ref,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            denied,
            ServiceError::Denied {
                requirement: Requirement::Ac1,
                ..
            }
        ),
        "{denied}"
    );
    let traces = actions(&w).await;
    assert!(traces.contains(&"message.relay".to_owned()));
    // TR-1: Alice's look at the status is traced, naming her and the queued message;
    // Bruno's refused one is not a status shown.
    let shown: Vec<_> = w
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "delivery.status")
        .collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].actor, format!("acct:{}", alice.account().id.0));
    assert!(
        shown[0].object.contains(&format!("queue:{queue_ref}")),
        "{shown:?}"
    );
}

#[tokio::test]
async fn ms16_an_unreachable_operator_is_retried_with_back_off_then_expires() {
    let w = setup().await;
    let queue_ref = send(&w, false).await;
    let mut attempts = 0;
    loop {
        let items = w.service.claim_outbound("n1", LEASE, 10).await.unwrap();
        if items.is_empty() {
            // Not due yet: jump to the next attempt.
            let status = w.store.outbound_status(&queue_ref).await.unwrap();
            if status[0].state != OutboundState::Queued {
                break;
            }
            w.clock.set(status[0].next_attempt);
            continue;
        }
        attempts += 1;
        let state = w
            .service
            .settle_outbound(
                "n1",
                &items[0],
                RelayOutcome::Deferred("connection refused".into()),
            )
            .await
            .unwrap();
        if state == OutboundState::Queued {
            assert!(
                inbox_of(&w, "alice@caduceus.test").await.is_empty(),
                "no notification while retrying"
            );
        }
    }
    let status = w.store.outbound_status(&queue_ref).await.unwrap();
    assert_eq!(status[0].state, OutboundState::Expired);
    // 1 min doubling to 1 h over 5 days: 7 short waits then hourly ones.
    assert!((100..=130).contains(&attempts), "{attempts} attempts");
    let inbox = inbox_of(&w, "alice@caduceus.test").await;
    assert_eq!(inbox.len(), 1);
    assert!(inbox[0].contains("Status: 4.4.7"), "{}", inbox[0]);
    assert!(inbox[0].contains("connection refused"));
}

#[tokio::test]
async fn ms16_success_is_notified_only_when_asked() {
    let w = setup().await;
    send(&w, false).await;
    send(&w, true).await;
    let items = w.service.claim_outbound("n1", LEASE, 10).await.unwrap();
    assert_eq!(items.len(), 2);
    for item in &items {
        let state = w
            .service
            .settle_outbound("n1", item, RelayOutcome::Accepted("250 2.0.0 ok".into()))
            .await
            .unwrap();
        assert_eq!(state, OutboundState::Delivered);
    }
    let inbox = inbox_of(&w, "alice@caduceus.test").await;
    assert_eq!(inbox.len(), 1, "only the message that asked");
    assert!(inbox[0].contains("Action: relayed"));
}

#[tokio::test]
async fn ms13_each_mailbox_and_each_peer_has_a_sending_rate() {
    let hourly = |count| {
        Some(RateLimit {
            count,
            per: Duration::from_secs(3600),
        })
    };
    let w = setup_with(|config| {
        config.account_rate = hourly(2);
        config.peer_rate = hourly(1);
    })
    .await;
    let alice = alice_login(&w).await;
    let from = addr("alice@caduceus.test");
    w.service.sender(&alice, &from).await.unwrap();
    w.service.sender(&alice, &from).await.unwrap();
    let over = w.service.sender(&alice, &from).await.unwrap_err();
    let ServiceError::RateLimited {
        reason,
        retry_after,
    } = &over
    else {
        panic!("{over}")
    };
    assert!(
        reason.contains("at most 2 messages per 60 minutes"),
        "{reason}"
    );
    assert_eq!(*retry_after, Duration::from_secs(1800));
    // Another mailbox has its own quota.
    let bruno = w
        .service
        .login_certificate(
            &NationalId::parse("810000000009").unwrap(),
            None,
            "127.0.0.1:2",
        )
        .await
        .unwrap();
    w.service
        .sender(&bruno, &addr("bruno@caduceus.test"))
        .await
        .unwrap();
    // Half an hour later, Alice may send one more.
    w.clock.advance(Duration::from_secs(1800));
    w.service.sender(&alice, &from).await.unwrap();

    let peer = || PeerCertificate {
        subject_dn: "/C=FR/O=Autre/CN=autre.test",
        common_name: Some("autre.test"),
    };
    let source = "192.0.2.1:25";
    w.service
        .admit_peer(Some("autre.test"), peer(), source)
        .await
        .unwrap();
    let over = w
        .service
        .admit_peer(Some("autre.test"), peer(), source)
        .await
        .unwrap_err();
    assert!(
        matches!(&over, ServiceError::RateLimited { reason, .. } if reason.contains("operator of autre.test")),
        "{over}"
    );

    let refusals: Vec<(String, Option<String>)> = w
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.detail.as_deref() == Some("MS-13 reason:rate"))
        .map(|e| (e.actor, e.source))
        .collect();
    assert_eq!(refusals.len(), 2, "{refusals:?}");
    assert_eq!(refusals[1].0, "peer:autre.test");
    assert_eq!(refusals[1].1.as_deref(), Some(source));
}
