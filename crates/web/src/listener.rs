//! The TLS accept loop (rustls; TLS 1.2+ only, MS-3), one task per connection, each
//! request told who is on the other end ([`Peer`]).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::{Extension, Router};
use caduceus_pki::CertIdentity;
use caduceus_service::auth::Authenticated;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OnceCell, watch};
use tokio_rustls::TlsAcceptor;

/// The other end of a connection: its address, the client certificate it presented
/// (already checked against the trust anchors and revocation by rustls), and the
/// login that certificate gave, made once per connection.
#[derive(Clone, Debug)]
pub struct Peer {
    /// The client's address.
    pub address: SocketAddr,
    /// The client certificate's identity, if one was presented.
    pub certificate: Option<CertIdentity>,
    /// The certificate login, once made.
    pub certificate_login: Arc<OnceCell<Authenticated>>,
}

impl Peer {
    /// The source written in traces.
    pub fn source(&self) -> String {
        format!("https:{}", self.address)
    }
}

/// How long a client has to complete its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long open connections have to finish once the listener stops; then they are
/// closed, so that a stop never waits on a client's keep-alive.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Accepts TLS connections on `listener` and serves `router` on each, until `stop`
/// turns true; then stops accepting, asks open connections to finish (HTTP/1 keep-alive
/// and HTTP/2 end after the request in flight) and closes what is left after
/// [`SHUTDOWN_GRACE`]. A failed accept (a client gone before it was accepted, no file
/// descriptor left) is logged and the loop goes on; a handshake has
/// [`HANDSHAKE_TIMEOUT`].
pub async fn serve_https(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(tls);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let (tcp, address) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "HTTPS accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stop.changed() => break,
        };
        let (acceptor, router, stop) = (acceptor.clone(), router.clone(), stop.clone());
        connections.spawn(serve_connection(acceptor, tcp, address, router, stop));
        while connections.try_join_next().is_some() {}
    }
    let finished = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(SHUTDOWN_GRACE, finished)
        .await
        .is_err()
    {
        tracing::info!(
            open = connections.len(),
            "HTTPS connections closed at shutdown"
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// One connection: the handshake (bounded), then HTTP until the client leaves or the
/// listener stops.
async fn serve_connection(
    acceptor: TlsAcceptor,
    tcp: TcpStream,
    address: SocketAddr,
    router: Router,
    mut stop: watch::Receiver<bool>,
) {
    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(error)) => {
            tracing::debug!(%address, %error, "TLS handshake failed");
            return;
        }
        Err(_) => {
            tracing::debug!(%address, "TLS handshake timed out");
            return;
        }
    };
    let peer = Peer {
        address,
        certificate: caduceus_pki::peer_identity(tls.get_ref().1),
        certificate_login: Arc::default(),
    };
    let service = TowerToHyperService::new(router.layer(Extension(peer)));
    let builder = auto::Builder::new(TokioExecutor::new());
    let connection = builder.serve_connection(TokioIo::new(tls), service);
    tokio::pin!(connection);
    let ended = tokio::select! {
        ended = connection.as_mut() => ended,
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = ended {
        tracing::debug!(%address, %error, "HTTPS connection ended with an error");
    }
}
