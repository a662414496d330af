//! The operator relay listener (port 25; MS-5: mail between operators only inside the
//! trust space). A peer operator connects, starts TLS and presents its operator
//! certificate, which the TLS layer verifies against the trust anchors (and CRLs); each
//! sender domain must then be on the [`TrustList`](crate::TrustList) with that
//! certificate's subject DN. No AUTH: the peer is authenticated by its certificate.
//! Accepted mail is delivered to local mailboxes only (`Service::deliver_local`), with
//! the peer's domain as the actor of the traces (`peer:<domain>`).

mod session;
mod transaction;

use std::io;
use std::sync::Arc;

use caduceus_service::Service;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::Limits;
use crate::listener::{LoopSettings, accept_loop};

/// The configuration of the operator relay listener.
#[derive(Clone, Debug)]
pub struct RelayConfig {
    /// The server's TLS configuration, asking peers for a certificate
    /// (`ClientAuth::Required` or `Optional` with the trust-space anchors, and CRLs):
    /// the chain is verified at the handshake.
    pub tls: Arc<rustls::ServerConfig>,
    /// The name given in the greeting, the EHLO reply and the `Received:` header.
    pub hostname: String,
    /// Bounds on sessions.
    pub limits: Limits,
}

impl RelayConfig {
    /// A configuration with the default [`Limits`]. Peers are checked against the
    /// service's trust list ([`Service::with_trust_list`]).
    pub fn new(tls: Arc<rustls::ServerConfig>, hostname: &str) -> Self {
        Self {
            tls,
            hostname: hostname.to_owned(),
            limits: Limits::default(),
        }
    }
}

/// Serves the operator relay on `listener` until `stop` turns `true`, like
/// [`serve`](crate::serve) does submission: one task per connection, at most
/// `max_sessions` at once, `421` on stop, a grace period for busy sessions.
///
/// # Errors
///
/// Only if the listener's local address cannot be read.
pub async fn serve_relay(
    listener: TcpListener,
    config: Arc<RelayConfig>,
    service: Service,
    stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let acceptor = TlsAcceptor::from(config.tls.clone());
    let settings = LoopSettings {
        kind: "relay",
        limits: config.limits.clone(),
        implicit_tls: false,
    };
    let session_stop = stop.clone();
    accept_loop(listener, settings, stop, move |stream, peer, id| {
        session::run(
            stream,
            peer,
            id,
            config.clone(),
            service.clone(),
            acceptor.clone(),
            session_stop.clone(),
        )
    })
    .await
}
