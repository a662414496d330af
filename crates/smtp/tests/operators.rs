//! Two operators of one trust space in one test (MS-5, MS-16): each runs a relay
//! listener and a relay worker on 127.0.0.1 with an operator certificate from one test
//! health CA; mail goes both ways over mutual TLS. A third operator, certified by the
//! same CA but absent from the trust list, is refused at MAIL; its sender gets a
//! delivery status notification and the refusal is traced at the receiver. An
//! operator that never answers is retried until the queue gives up, then the sender
//! is told.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use caduceus_core::{Clock, ManualClock, SystemClock};
use caduceus_pki::{ClientAuth, DevPki, IssuedCert};
use caduceus_smtp::{OutboundConfig, RelayConfig, TrustListHandle};
use caduceus_store::{Account, OutboundState, Store};
use common::*;
use tokio::sync::watch;

/// One operator: its world, its relay listener's port, its running worker.
struct Operator {
    world: World,
    relay_port: u16,
    cert: IssuedCert,
    stop: watch::Sender<bool>,
}

fn dn(domain: &str, organisation: &str) -> String {
    format!("/C=FR/O={organisation}/CN={domain}")
}

fn trust_list(dir: &std::path::Path, rows: &[(&str, &str)]) -> TrustListHandle {
    let rows: String = rows
        .iter()
        .map(|(domain, org)| {
            format!(
                "<Domaine><Nom>{domain}</Nom><DNCertificatOperateur>{}</DNCertificatOperateur></Domaine>",
                dn(domain, org)
            )
        })
        .collect();
    let path = dir.join("liste-blanche.xml");
    std::fs::write(
        &path,
        format!("<ListeBlancheMSSante><ListeDomaines>{rows}</ListeDomaines></ListeBlancheMSSante>"),
    )
    .unwrap();
    TrustListHandle::load_file(&path).unwrap()
}

/// Starts `world`'s relay listener (its operator certificate as server identity,
/// peers' certificates required to chain to the CA) and its worker with `routes`.
async fn start(
    mut world: World,
    ca: &DevPki,
    organisation: &str,
    listed: &[(&str, &str)],
) -> Operator {
    let domain = world.service.config().domain.as_str().to_owned();
    let cert = ca
        .issue_operator(
            &domain,
            organisation,
            &world.dir.path().join("op"),
            "operator",
        )
        .unwrap();
    let trust = trust_list(world.dir.path(), listed);
    world.service = world.service.clone().with_trust_list(Arc::new(trust));
    let tls = caduceus_pki::server_config_with_crls(
        &cert.cert_path,
        &cert.key_path,
        ClientAuth::Optional(ca.ca_cert_path()),
        &[ca.crl_path()],
    )
    .unwrap();
    let mut config = RelayConfig::new(tls, &format!("mx.{domain}"));
    config.limits = limits();
    let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let relay_port = tcp.local_addr().unwrap().port();
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(caduceus_smtp::serve_relay(
        tcp,
        Arc::new(config),
        world.service.clone(),
        stopped,
    ));
    Operator {
        world,
        relay_port,
        cert,
        stop,
    }
}

/// The static route to `to`'s relay listener.
fn route_to(to: &Operator) -> (String, String) {
    (
        to.world.service.config().domain.as_str().to_owned(),
        format!("127.0.0.1:{}", to.relay_port),
    )
}

/// Starts `from`'s relay worker with the given static routes.
fn run_worker(from: &Operator, ca: &DevPki, routes: &[(String, String)]) {
    let tls = caduceus_pki::client_config(
        &ca.ca_cert_path(),
        Some((&from.cert.cert_path, &from.cert.key_path)),
    )
    .unwrap();
    let domain = from.world.service.config().domain.as_str();
    let mut config = OutboundConfig::new(&format!("node-{domain}"), &format!("mail.{domain}"), tls);
    config.poll = Duration::from_millis(10);
    config.timeout = Duration::from_secs(10);
    config.routes.extend(routes.iter().cloned());
    tokio::spawn(caduceus_smtp::run_outbound(
        from.world.service.clone(),
        Arc::new(config),
        from.stop.subscribe(),
    ));
}

/// Sends as `sender` of `from` through the service's submission use case.
async fn send(from: &Operator, sender: &Account, to: &str, subject: &str) -> String {
    let w = &from.world;
    let caduceus_core::RegistryId::National(national_id) = &sender.identity else {
        panic!("a professional has a national identifier")
    };
    let login = w
        .service
        .login_certificate(national_id, None, "127.0.0.1:1")
        .await
        .unwrap();
    let as_sender = w.service.sender(&login, &sender.address).await.unwrap();
    let raw = format!(
        "From: {}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{subject}@test>\r\n\r\nBonjour.\r\n",
        sender.address.as_str()
    );
    w.service
        .submit(&as_sender, &[addr(to)], raw.as_bytes(), false)
        .await
        .unwrap()
        .queue_ref
        .expect("queued for the other operator")
}

/// Waits (10 s at most) until `queue_ref`'s recipient is settled.
async fn settled(from: &Operator, queue_ref: &str) -> OutboundState {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = from.world.store.outbound_status(queue_ref).await.unwrap();
        if status[0].state != OutboundState::Queued || Instant::now() > deadline {
            return status[0].state;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms5_two_operators_exchange_mail_both_ways_and_a_third_is_refused() {
    let a_world = world_for("caduceus.test", None).await;
    let b_world = world_for("autre.test", Some(&a_world)).await;
    let c_world = world_for("tiers.test", Some(&a_world)).await;
    let ca = DevPki::open(&a_world.dir.path().join("pki")).unwrap();
    let listed = [
        ("caduceus.test", "Operateur A"),
        ("autre.test", "Operateur B"),
    ];
    let a = start(a_world, &ca, "Operateur A", &listed).await;
    let b = start(b_world, &ca, "Operateur B", &listed).await;
    // C lists B (it may send there) but nobody lists C.
    let c = start(c_world, &ca, "Operateur C", &listed).await;
    run_worker(&a, &ca, &[route_to(&b)]);
    run_worker(&b, &ca, &[route_to(&a)]);
    run_worker(&c, &ca, &[route_to(&b)]);

    let alice = professional(&a.world, "alice", &rpps(1), true).await;
    let carla = professional(&b.world, "carla", &rpps(2), true).await;
    let dora = professional(&c.world, "dora", &rpps(3), true).await;

    // A → B.
    let queued = send(&a, &alice, "carla@autre.test", "aller").await;
    assert_eq!(settled(&a, &queued).await, OutboundState::Delivered);
    let received = inbox(&b.world, &carla).await;
    assert_eq!(received.len(), 1);
    let text = String::from_utf8_lossy(&received[0]);
    assert!(text.contains("Subject: aller"), "{text}");
    assert!(
        text.starts_with("Received: from mail.caduceus.test"),
        "{text}"
    );

    // B → A.
    let queued = send(&b, &carla, "alice@caduceus.test", "retour").await;
    assert_eq!(settled(&b, &queued).await, OutboundState::Delivered);
    let received = inbox(&a.world, &alice).await;
    assert_eq!(received.len(), 1);
    assert!(String::from_utf8_lossy(&received[0]).contains("Subject: retour"));

    // C is certified by the same CA but not on the list: refused at MAIL (MS-5).
    let queued = send(&c, &dora, "carla@autre.test", "intrus").await;
    assert_eq!(settled(&c, &queued).await, OutboundState::Failed);
    let status = c.world.store.outbound_status(&queued).await.unwrap();
    let reply = status[0].last_reply.clone().unwrap();
    assert!(
        reply.starts_with("550") && reply.contains("MS-5"),
        "{reply}"
    );
    assert_eq!(
        inbox(&b.world, &carla).await.len(),
        1,
        "nothing more for Carla"
    );
    let notice = inbox(&c.world, &dora).await;
    assert_eq!(notice.len(), 1, "Dora is told");
    assert!(String::from_utf8_lossy(&notice[0]).contains("report-type=delivery-status"));
    let refusals: Vec<_> = b
        .world
        .store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "message.refuse" && e.detail.as_deref() == Some("MS-5"))
        .collect();
    assert_eq!(refusals.len(), 1, "B traced the refusal");
    assert_eq!(refusals[0].actor, "peer:tiers.test");

    for operator in [&a, &b, &c] {
        let _ = operator.stop.send(true);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms16_an_unreachable_operator_is_retried_until_expiry_then_the_sender_gets_a_dsn() {
    let clock = Arc::new(ManualClock::new(SystemClock.now()));
    let world = world_configured("caduceus.test", None, clock.clone(), |_| {}).await;
    let ca = DevPki::open(&world.dir.path().join("pki")).unwrap();
    let listed = [
        ("caduceus.test", "Operateur A"),
        ("autre.test", "Operateur B"),
    ];
    let a = start(world, &ca, "Operateur A", &listed).await;
    // B's relay port: nothing listens there any more.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    run_worker(&a, &ca, &[("autre.test".into(), dead.to_string())]);
    let alice = professional(&a.world, "alice", &rpps(1), true).await;
    let queued = send(&a, &alice, "carla@autre.test", "perdu").await;

    // Each time the worker has tried, move the clock to the next attempt.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = 0;
    let status = loop {
        let status = a
            .world
            .store
            .outbound_status(&queued)
            .await
            .unwrap()
            .remove(0);
        if status.state != OutboundState::Queued {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still queued after {seen} attempts"
        );
        if status.attempts > seen {
            seen = status.attempts;
            assert!(
                inbox(&a.world, &alice).await.is_empty(),
                "nothing is said to the sender while retrying"
            );
            clock.set(status.next_attempt);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert_eq!(status.state, OutboundState::Expired);
    // 1 min doubling to 1 h, for 5 days (the default policy).
    assert!(
        (100..=130).contains(&status.attempts),
        "{}",
        status.attempts
    );
    let reply = status.last_reply.unwrap();
    assert!(reply.contains(&dead.to_string()), "{reply}");
    let notice = inbox(&a.world, &alice).await;
    assert_eq!(notice.len(), 1, "Alice is told once");
    let notice = String::from_utf8_lossy(&notice[0]);
    assert!(notice.contains("report-type=delivery-status"), "{notice}");
    assert!(notice.contains("Action: failed"), "{notice}");
    assert!(notice.contains("Status: 4.4.7"), "{notice}");
    assert!(
        notice.contains("Final-Recipient: rfc822; carla@autre.test"),
        "{notice}"
    );
    let _ = a.stop.send(true);
}

/// Issue 23 (MS-2, seed 000 art.7-1): a recipient at another operator of the trust
/// space must be in the imported national directory. A typo is refused at `RCPT TO`
/// naming MS-2 — told at once, not days later in a bounce; a listed mailbox and a
/// patient's mailbox there (never in the directory, its INS key checks it) are taken.
#[tokio::test]
async fn ms2_an_unknown_remote_recipient_is_refused_at_rcpt() {
    const EXTRACT: &str =
        include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
    let mut w = world().await;
    let listed = [("autre.test", "Autre"), ("patient.autre.test", "Autre")];
    let trust = trust_list(w.dir.path(), &listed);
    w.service = w.service.clone().with_trust_list(Arc::new(trust));
    let alice_id = rpps(1);
    professional(&w, "alice", &alice_id, true).await;
    let (credential, _) = device(&w, &alice_id, "Laptop").await;
    // The national directory lists one mailbox at autre.test.
    let mut lines = EXTRACT.lines();
    let header = lines.next().unwrap();
    let known = lines
        .next()
        .unwrap()
        .replace("alice.martin@caduceus.test", "dr.known@autre.test");
    let imported = w
        .service
        .import_mailboxes(&op(), &format!("{header}\n{known}\n"))
        .await
        .unwrap();
    assert_eq!(imported.added, 1, "{:?}", imported.errors);
    let listener = listen(&w, false, limits()).await;
    let file = w.dir.path().join("letter.eml");
    let send = async |to: &str| {
        let raw = format!("From: alice@caduceus.test\r\nTo: {to}\r\nSubject: Avis\r\n\r\nx\r\n");
        std::fs::write(&file, raw).unwrap();
        let mut args = base_args(&w, &listener);
        args.extend([
            ("user", "alice@caduceus.test".to_owned()),
            ("credential", credential.expose().clone()),
            ("to", to.to_owned()),
            ("message", file.display().to_string()),
        ]);
        python("send_raw", &args).await.step("sent")
    };
    assert_eq!(send("dr.known@autre.test").await.0, 250);
    let (code, text) = send("dr.knwon@autre.test").await;
    assert_eq!(code, 550, "{text}");
    assert!(
        text.contains("MS-2") && text.contains("national directory"),
        "{text}"
    );
    let patient = send("295109912611193@patient.autre.test").await;
    assert_eq!(patient.0, 250, "{patient:?}");
    listener.shutdown().await;
}
