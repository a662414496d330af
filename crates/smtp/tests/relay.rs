//! The operator relay (MS-5) end to end, with Python's smtplib as the peer operator
//! presenting its operator certificate: only certificates of the trust anchors, and
//! only for domains the MSSanté trust list gives them, may deliver; the list is
//! reloaded without restart.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use caduceus_pki::{DevPki, IssuedCert};
use caduceus_smtp::{RelayConfig, TrustListHandle};
use caduceus_store::Store as _;
use common::*;

/// The peer operator's domain.
const PEER: &str = "autre-operateur.test";
/// Its operator certificate's subject, in OpenSSL form, as the trust list writes it.
const PEER_DN: &str = "/C=FR/O=Autre Operateur/CN=autre-operateur.test";

/// A trust list with these `(domain, DN)` rows.
fn trust_xml(rows: &[(&str, &str)]) -> String {
    let rows: String = rows
        .iter()
        .map(|(domain, dn)| {
            format!(
                "    <Domaine>\n      <Nom>{domain}</Nom>\n      <DNCertificatOperateur>{dn}</DNCertificatOperateur>\n      <DateMAJ>2024-03-01</DateMAJ>\n    </Domaine>\n"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListeBlancheMSSante xmlns=\"http://example.test/mssante\">\n  <ListeDomaines>\n{rows}  </ListeDomaines>\n</ListeBlancheMSSante>\n"
    )
}

/// A relay listener on 127.0.0.1 with its trust list file (watched every 100 ms), and
/// the peer operator's certificate from the development CA.
struct Relay {
    listener: Listener,
    trust_path: PathBuf,
    trust: TrustListHandle,
    peer: IssuedCert,
}

async fn relay(w: &World, rows: &[(&str, &str)]) -> Relay {
    let peer = w
        .pki
        .issue_operator(
            PEER,
            "Autre Operateur",
            &w.dir.path().join("peers"),
            "autre",
        )
        .unwrap();
    let trust_path = w.dir.path().join("liste-blanche.xml");
    std::fs::write(&trust_path, trust_xml(rows)).unwrap();
    let trust = TrustListHandle::load_file(&trust_path).unwrap();
    let config = Arc::new(RelayConfig {
        tls: server_tls(w),
        hostname: "mx.caduceus.test".into(),
        limits: limits(),
    });
    let service = w.service.clone().with_trust_list(Arc::new(trust.clone()));
    let listener =
        spawn_listener(|tcp, stopped| caduceus_smtp::serve_relay(tcp, config, service, stopped))
            .await;
    tokio::spawn(
        trust
            .clone()
            .watch(Duration::from_millis(100), listener.stop.subscribe()),
    );
    Relay {
        listener,
        trust_path,
        trust,
        peer,
    }
}

/// Runs `relay.py` as the peer: `cert` is its certificate (none: no client
/// certificate), then `key=value` extras (`from`, `to`, `probe`).
async fn peer_run(
    w: &World,
    relay: &Relay,
    cert: Option<&IssuedCert>,
    extra: &[(&str, &str)],
) -> Run {
    let mut args = vec![
        ("port", relay.listener.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
    ];
    if let Some(cert) = cert {
        args.push(("cert", path(&cert.cert_path)));
        args.push(("key", path(&cert.key_path)));
    }
    args.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
    python("relay", &args).await
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

/// The trace entries whose actor is `actor`, as `(action, outcome)`.
async fn traces_of(w: &World, actor: &str) -> Vec<(String, String)> {
    w.store
        .trace_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.actor == actor)
        .map(|e| (e.action.as_str().to_owned(), e.outcome.as_str().to_owned()))
        .collect()
}

/// The details of the refusals traced for peers no certificate identified, once
/// there is one (the server may write it just after the client has seen the refusal).
async fn unidentified_refusals(w: &World) -> Vec<String> {
    for _ in 0..100 {
        let found: Vec<String> = w
            .store
            .trace_entries(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.actor == "peer:unidentified" && e.action == "message.refuse")
            .map(|e| e.detail.unwrap_or_default())
            .collect();
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Vec::new()
}

#[tokio::test]
async fn ms5_a_trusted_operator_delivers_to_a_local_mailbox() {
    capture_logs();
    let w = world().await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let relay = relay(&w, &[(PEER, PEER_DN)]).await;
    let run = peer_run(
        &w,
        &relay,
        Some(&relay.peer),
        &[
            ("from", "dr.martin@autre-operateur.test"),
            ("to", "bruno@caduceus.test"),
            ("probe", "1"),
        ],
    )
    .await;

    let ehlo = run.expect("ehlo", 250, &["STARTTLS", "SIZE 99488", "PIPELINING"]);
    assert!(!ehlo.contains("AUTH"), "no AUTH on the relay: {ehlo}");
    run.expect("mail-in-clear", 530, &["5.7.0", "STARTTLS"]);
    run.expect("auth-in-clear", 530, &["5.7.0", "STARTTLS"]);
    run.expect("starttls", 220, &["2.0.0"]);
    let ehlo = run.expect(
        "ehlo-tls",
        250,
        &["SIZE", "8BITMIME", "ENHANCEDSTATUSCODES"],
    );
    assert!(
        !ehlo.contains("STARTTLS") && !ehlo.contains("AUTH"),
        "{ehlo}"
    );
    run.expect("auth", 502, &["5.5.1", "certificate", "MS-5"]);
    run.expect("mail", 250, &["2.1.0"]);
    run.expect("rcpt-0", 250, &["2.1.5"]);
    run.expect("data", 250, &["2.0.0", "1 recipient"]);
    run.expect("quit", 221, &[]);

    let messages = inbox(&w, &bruno).await;
    assert_eq!(messages.len(), 1);
    let raw = String::from_utf8(messages[0].clone()).unwrap();
    assert!(
        raw.starts_with(
            "Received: from relais.autre-operateur.test by mx.caduceus.test with ESMTPS id "
        ),
        "{raw}"
    );
    assert!(
        raw.contains("Subject: Compte rendu Mme Zorglub\r\n"),
        "{raw}"
    );
    let traces = traces_of(&w, "peer:autre-operateur.test").await;
    assert!(!traces.is_empty(), "the delivery is traced as the peer");
    assert!(
        traces.iter().all(|(_, outcome)| outcome != "refused"),
        "{traces:?}"
    );
    relay.listener.shutdown().await;
    assert_logs_clean(&["Zorglub", "Resultats", "dr.martin"]);
}

#[tokio::test]
async fn ms5_a_peer_without_certificate_is_refused_after_starttls_and_traced() {
    let w = world().await;
    professional(&w, "bruno", &rpps(2), true).await;
    let relay = relay(&w, &[(PEER, PEER_DN)]).await;
    let run = peer_run(
        &w,
        &relay,
        None,
        &[
            ("from", "dr.martin@autre-operateur.test"),
            ("to", "bruno@caduceus.test"),
        ],
    )
    .await;
    run.expect("starttls", 220, &[]);
    run.expect(
        "mail",
        530,
        &[
            "5.7.0",
            "client certificate of a trust-space operator",
            "MS-5",
        ],
    );
    run.expect("rcpt-0", 530, &["5.7.0"]);
    run.expect("data-start", 530, &["5.7.0"]);
    assert_eq!(
        unidentified_refusals(&w).await,
        ["MS-5 reason:no_certificate"],
        "the refused MAIL is traced once"
    );
    relay.listener.shutdown().await;
}

#[tokio::test]
async fn ms5_a_certificate_of_another_ca_is_refused_at_the_handshake_and_traced() {
    let w = world().await;
    let relay = relay(&w, &[(PEER, PEER_DN)]).await;
    let rogue_ca = DevPki::create(&w.dir.path().join("rogue-pki"), "rogue.test").unwrap();
    let rogue = rogue_ca
        .issue_operator(
            PEER,
            "Autre Operateur",
            &w.dir.path().join("rogue"),
            "autre",
        )
        .unwrap();
    let run = peer_run(
        &w,
        &relay,
        Some(&rogue),
        &[("from", "dr.martin@autre-operateur.test")],
    )
    .await;
    run.step("tls-failed");
    assert!(!run.stdout.contains("\nmail "), "{}", run.stdout);
    assert_eq!(
        unidentified_refusals(&w).await,
        ["MS-5 reason:untrusted_certificate"],
        "the refused handshake is traced"
    );
    relay.listener.shutdown().await;
}

#[tokio::test]
async fn ms5_a_domain_off_the_list_or_under_another_certificate_is_refused_and_traced() {
    let w = world().await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let relay = relay(
        &w,
        &[
            (PEER, PEER_DN),
            ("hopital.test", "CN=mx.hopital.test,O=Hopital,C=FR"),
        ],
    )
    .await;
    let to = ("to", "bruno@caduceus.test");
    let run = peer_run(
        &w,
        &relay,
        Some(&relay.peer),
        &[("from", "x@non-liste.test"), to],
    )
    .await;
    run.expect(
        "mail",
        550,
        &["5.7.1", "non-liste.test", "trust list", "MS-5", "register"],
    );
    run.expect("rcpt-0", 503, &["MAIL"]);
    let run = peer_run(
        &w,
        &relay,
        Some(&relay.peer),
        &[("from", "x@hopital.test"), to],
    )
    .await;
    run.expect("mail", 550, &["5.7.1", "hopital.test", "MS-5"]);

    assert!(inbox(&w, &bruno).await.is_empty());
    for actor in ["peer:non-liste.test", "peer:hopital.test"] {
        assert_eq!(
            traces_of(&w, actor).await,
            [("message.refuse".to_owned(), "refused".to_owned())],
            "{actor}"
        );
    }
    relay.listener.shutdown().await;
}

#[tokio::test]
async fn ms5_a_domain_added_to_the_list_is_accepted_without_restart() {
    let w = world().await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let relay = relay(&w, &[(PEER, PEER_DN)]).await;
    let args = [
        ("from", "secretariat@nouveau.test"),
        ("to", "bruno@caduceus.test"),
    ];
    let run = peer_run(&w, &relay, Some(&relay.peer), &args).await;
    run.expect("mail", 550, &["nouveau.test", "MS-5"]);

    // A broken file is ignored: the previous list stays in force.
    std::fs::write(&relay.trust_path, "<ListeBlancheMSSante><ListeDomaines>").unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(relay.trust.current().domains(), [PEER]);

    let rows = [(PEER, PEER_DN), ("nouveau.test", PEER_DN)];
    std::fs::write(&relay.trust_path, trust_xml(&rows)).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !relay.trust.current().allows("nouveau.test", PEER_DN) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the watcher reloads the list"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let run = peer_run(&w, &relay, Some(&relay.peer), &args).await;
    run.expect("mail", 250, &[]);
    run.expect("data", 250, &[]);
    assert_eq!(inbox(&w, &bruno).await.len(), 1);
    assert!(!traces_of(&w, "peer:nouveau.test").await.is_empty());
    relay.listener.shutdown().await;
}

#[tokio::test]
async fn ms2_an_unknown_recipient_is_refused_on_the_relay() {
    let w = world().await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let relay = relay(&w, &[(PEER, PEER_DN)]).await;
    let run = peer_run(
        &w,
        &relay,
        Some(&relay.peer),
        &[
            ("from", "dr.martin@autre-operateur.test"),
            ("to", "inconnu@caduceus.test,bruno@caduceus.test"),
        ],
    )
    .await;
    run.expect("rcpt-0", 550, &["5.1.1", "MS-2"]);
    run.expect("rcpt-1", 250, &[]);
    run.expect("data", 250, &["1 recipient"]);
    assert_eq!(inbox(&w, &bruno).await.len(), 1);
    relay.listener.shutdown().await;
}

/// MS-11 on the relay, the default path (`limits.relayed_identifying_subject =
/// "flag"`): a message another operator relays whose subject carries an INS is
/// delivered — its sender is beyond our reach — with a warning header on top.
#[tokio::test]
async fn ms11_a_relayed_identifying_subject_is_delivered_flagged() {
    let w = world().await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let relay = relay(&w, &[(PEER, PEER_DN)]).await;
    let send = async |subject: &str| {
        let extra = [
            ("from", "dr.martin@autre-operateur.test"),
            ("to", "bruno@caduceus.test"),
            ("subject", subject),
        ];
        let run = peer_run(&w, &relay, Some(&relay.peer), &extra).await;
        run.expect("data", 250, &["2.0.0"]);
    };
    send("Avis 2 95 10 99 126 111 93").await;
    send("Avis cardiologique").await;
    let messages = inbox(&w, &bruno).await;
    assert_eq!(messages.len(), 2);
    let warning = "X-Caduceus-Subject-Warning: MS-11";
    let flagged: Vec<bool> = messages
        .iter()
        .map(|m| String::from_utf8_lossy(m).contains(warning))
        .collect();
    assert_eq!(flagged.iter().filter(|f| **f).count(), 1, "{flagged:?}");
    relay.listener.shutdown().await;
}

/// MS-16, at-least-once made exactly-once: a peer that sends a message again (it
/// crashed after our 250, before it recorded it) gets the same 250 and no second
/// copy is stored; the same Message-ID to another recipient, or from another peer,
/// or another Message-ID, is a new message.
#[tokio::test]
async fn ms16_a_message_a_peer_relays_again_is_answered_250_and_stored_once() {
    let w = world().await;
    let bruno = professional(&w, "bruno", &rpps(2), true).await;
    let carla = professional(&w, "carla", &rpps(3), true).await;
    let relay = relay(&w, &[(PEER, PEER_DN)]).await;
    let send = async |to: &str, message_id: &str| {
        let extra = [
            ("from", "dr.martin@autre-operateur.test"),
            ("to", to),
            ("message_id", message_id),
        ];
        let run = peer_run(&w, &relay, Some(&relay.peer), &extra).await;
        let stored = format!("stored for {} recipient(s)", to.split(',').count());
        run.expect("data", 250, &["2.0.0", &stored]);
    };
    send("bruno@caduceus.test", "cr-1@autre-operateur.test").await;
    send("bruno@caduceus.test", "cr-1@autre-operateur.test").await;
    assert_eq!(inbox(&w, &bruno).await.len(), 1, "the retry stored nothing");
    send(
        "bruno@caduceus.test,carla@caduceus.test",
        "cr-1@autre-operateur.test",
    )
    .await;
    assert_eq!(inbox(&w, &bruno).await.len(), 1, "Bruno has it already");
    assert_eq!(inbox(&w, &carla).await.len(), 1, "Carla had not");
    send("bruno@caduceus.test", "cr-2@autre-operateur.test").await;
    assert_eq!(inbox(&w, &bruno).await.len(), 2, "another message");
    relay.listener.shutdown().await;
}
