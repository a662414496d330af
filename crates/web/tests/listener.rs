//! The HTTPS listener under abuse (AU-3), through real connections over loopback:
//! one source holding many idle connections does not stop another client; idle
//! connections, before and after their handshake, are closed; a large body from a
//! client that has not logged in is refused once a little of it has been read.

mod common;

use std::time::Duration;

use caduceus_net::Caps;
use caduceus_testkit::*;
use caduceus_web::listener::Limits;
use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// `curl` from `source` (an address of the loopback network) to `path`; what it
/// printed for `-w` (`%{http_code} %{size_upload}`), and whether it succeeded.
async fn curl(w: &World, port: u16, source: &str, path: &str, extra: &[&str]) -> (String, bool) {
    let out = tokio::process::Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code} %{size_upload}"])
        .args(["--max-time", "60", "--interface", source, "--cacert"])
        .arg(w.pki.ca_cert_path())
        .args(extra)
        .arg(format!("https://127.0.0.1:{port}{path}"))
        .output()
        .await
        .expect("curl is needed (apt-get install -y curl)");
    (String::from_utf8(out.stdout).unwrap(), out.status.success())
}

/// Waits until the server ends `tcp` (end of stream or reset); gives up, failing,
/// only after a minute.
async fn closed_by_server(mut tcp: TcpStream) {
    let mut buf = [0u8; 1024];
    let ended = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            match tcp.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the server never closed the connection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au3_300_idle_connections_from_one_source_do_not_stop_another_clients_requests() {
    let w = world().await;
    let limits = Limits {
        caps: Caps {
            per_listener: 1000,
            per_source: 50,
            shutdown: Duration::from_secs(2),
        },
        handshake: Duration::from_secs(8),
        idle: Duration::from_secs(2),
    };
    let server = listen_limited(&w, w.service.clone(), limits).await;
    // 300 connections from 127.0.0.1 that never start TLS.
    let mut idle = Vec::new();
    for _ in 0..300 {
        idle.push(
            TcpStream::connect(("127.0.0.1", server.port))
                .await
                .unwrap(),
        );
    }
    let (closed_tx, mut closed) = tokio::sync::mpsc::unbounded_channel();
    for tcp in idle {
        let closed_tx = closed_tx.clone();
        tokio::spawn(async move {
            closed_by_server(tcp).await;
            let _ = closed_tx.send(());
        });
    }
    // The 250 over the per-source cap are closed at once…
    for _ in 0..250 {
        closed.recv().await.unwrap();
    }
    // …while 50 hold their places: another source is served all the same,
    let (answer, _) = curl(&w, server.port, "127.0.0.2", "/healthz", &[]).await;
    assert!(answer.starts_with("200"), "{answer}");
    // the crowded one is not, and the 50 are still open.
    let (answer, ok) = curl(&w, server.port, "127.0.0.1", "/healthz", &[]).await;
    assert!(!ok && answer.starts_with("000"), "{answer}");
    assert!(closed.try_recv().is_err(), "50 idle connections stay open");
    // The handshake's time limit closes the 50; the source is served again.
    for _ in 0..50 {
        closed.recv().await.unwrap();
    }
    let (answer, _) = curl(&w, server.port, "127.0.0.1", "/healthz", &[]).await;
    assert!(answer.starts_with("200"), "{answer}");
    // A keep-alive connection left idle after its request is closed too.
    let tcp = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let client = caduceus_pki::client_config(&w.pki.ca_cert_path(), None).unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(client)
        .connect(name, tcp)
        .await
        .unwrap();
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut response = Vec::new();
    let ended = tokio::time::timeout(Duration::from_secs(60), tls.read_to_end(&mut response));
    assert!(
        ended.await.is_ok(),
        "an idle keep-alive connection stays open"
    );
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        !response.to_ascii_lowercase().contains("connection: close"),
        "kept alive, then closed as idle: {response}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au3_an_unauthenticated_26_mb_body_is_refused_413_before_it_is_read() {
    let w = world().await;
    let server = listen(&w).await;
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    std::fs::write(&body, vec![b'a'; 26_000_000]).unwrap();
    let data = format!("@{}", body.display());
    for (path, content_type) in [
        ("/api/v1/session", "application/json"),
        ("/login", "application/x-www-form-urlencoded"),
        ("/api/v1/messages", "message/rfc822"),
    ] {
        let header = format!("Content-Type: {content_type}");
        let extra = ["-H", header.as_str(), "--data-binary", data.as_str()];
        let (answer, _) = curl(&w, server.port, "127.0.0.1", path, &extra).await;
        let (code, uploaded) = answer.split_once(' ').unwrap();
        assert_eq!(code, "413", "{path}: {answer}");
        assert_eq!(uploaded, "0", "{path}: refused before a byte was sent");
    }
    // A body a message may have (over what a login takes, under the message size):
    // sending needs a login, checked before the body is read.
    let message = dir.path().join("message");
    std::fs::write(&message, vec![b'a'; caduceus_web::bodies::BEFORE_LOGIN + 1]).unwrap();
    let data = format!("@{}", message.display());
    let extra = ["-H", "Content-Type: message/rfc822", "--data-binary", &data];
    let (answer, _) = curl(&w, server.port, "127.0.0.1", "/api/v1/messages", &extra).await;
    assert!(answer.starts_with("401 "), "{answer}");
    // The same on the login route: over what it takes.
    let extra = [
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &data,
    ];
    let (answer, _) = curl(&w, server.port, "127.0.0.1", "/api/v1/session", &extra).await;
    assert!(answer.starts_with("413 "), "{answer}");
    server.shutdown().await;
}
