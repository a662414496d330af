//! The TLS accept loop (rustls; TLS 1.2+ only, MS-3), one task per connection, each
//! request told who is on the other end ([`Peer`]).

use std::net::SocketAddr;
use std::sync::Arc;

use axum::{Extension, Router};
use caduceus_pki::CertIdentity;
use caduceus_service::auth::Authenticated;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
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

/// Accepts TLS connections on `listener` and serves `router` on each, until `stop`
/// turns true; then stops accepting and lets open connections finish.
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
            accepted = listener.accept() => accepted?,
            _ = stop.changed() => break,
        };
        let acceptor = acceptor.clone();
        let router = router.clone();
        connections.spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(tls) => tls,
                Err(error) => {
                    tracing::debug!(%address, %error, "TLS handshake failed");
                    return;
                }
            };
            let peer = Peer {
                address,
                certificate: caduceus_pki::peer_identity(tls.get_ref().1),
                certificate_login: Arc::default(),
            };
            let service = TowerToHyperService::new(router.layer(Extension(peer)));
            if let Err(error) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                tracing::debug!(%address, %error, "HTTPS connection ended with an error");
            }
        });
        while connections.try_join_next().is_some() {}
    }
    while connections.join_next().await.is_some() {}
    Ok(())
}
