//! HTTPS on the shared listener skeleton (`caduceus_net::serve`): rustls (TLS 1.2+
//! only, MS-3) with a handshake time limit, one task per connection under the caps,
//! idle keep-alive connections closed, each request told who is on the other end
//! ([`Peer`]).
//!
//! - `idle`: the idle watchdog of one connection (no byte either way for
//!   [`Limits::idle`]: asked to close once its request in flight is answered).

mod idle;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::{Extension, Router};
use caduceus_net::Caps;
use caduceus_pki::CertIdentity;
use caduceus_service::auth::Authenticated;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
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

/// The bounds of the HTTPS listener. [`Limits::default`] is fit for production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Connections at once, per source, and the shutdown deadline (AU-3).
    pub caps: Caps,
    /// How long a client has to complete its TLS handshake.
    pub handshake: Duration,
    /// How long a connection may stay silent (no request, no byte either way)
    /// before it is closed; a keep-alive connection too. Also the time a client has
    /// to send a request's headers.
    pub idle: Duration,
}

impl Default for Limits {
    /// 5000 connections (500 per source), 10 seconds for the handshake, 60 seconds
    /// idle, 10 seconds to finish on stop.
    fn default() -> Self {
        Self {
            caps: Caps {
                per_listener: 5000,
                per_source: 500,
                shutdown: Duration::from_secs(10),
            },
            handshake: Duration::from_secs(10),
            idle: Duration::from_secs(60),
        }
    }
}

/// Accepts TLS connections on `listener` and serves `router` on each, until `stop`
/// turns true; then stops accepting, asks open connections to finish (HTTP/1
/// keep-alive and HTTP/2 end after the request in flight) and closes what is left
/// at the shutdown deadline, so that a stop never waits on a client's keep-alive.
/// A connection over a cap is closed at once (AU-3); a failed accept (a client
/// gone before it was accepted, no file descriptor left) is logged and the loop
/// goes on; a handshake has [`Limits::handshake`], a silent connection
/// [`Limits::idle`].
///
/// # Errors
///
/// Only if the listener's local address cannot be read.
pub async fn serve_https(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    serve(listener, Some(TlsAcceptor::from(tls)), router, limits, stop).await
}

/// [`serve_https`] in plain HTTP, for the operations listener (`/metrics`): the same
/// caps, idle timeout and shutdown deadline.
///
/// # Errors
///
/// Only if the listener's local address cannot be read.
pub async fn serve_plain(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    serve(listener, None, router, limits, stop).await
}

/// Serves `router` on `listener`'s connections, through TLS when `tls` is given.
async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    router: Router,
    limits: Limits,
    stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let kind = if tls.is_some() { "https" } else { "http" };
    tracing::info!(%local, kind, "HTTP listener");
    let caps = limits.caps.clone();
    let connection_stop = stop.clone();
    caduceus_net::serve(
        listener,
        kind,
        &caps,
        stop,
        move |tcp, address, _| {
            serve_connection(
                tls.clone(),
                tcp,
                address,
                router.clone(),
                limits.clone(),
                connection_stop.clone(),
            )
        },
        |_tcp, address, over| async move {
            tracing::info!(%address, ?over, "HTTP connection refused: too many connections");
        },
    )
    .await;
    Ok(())
}

/// One connection: the handshake (bounded, given up on stop), then HTTP.
async fn serve_connection(
    tls: Option<TlsAcceptor>,
    tcp: TcpStream,
    address: SocketAddr,
    router: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let Some(acceptor) = tls else {
        let peer = Peer {
            address,
            certificate: None,
            certificate_login: Arc::default(),
        };
        return serve_http(tcp, peer, router, &limits, stop).await;
    };
    let handshake = caduceus_net::tls::accept(&acceptor, tcp, limits.handshake);
    let tls = tokio::select! {
        accepted = handshake => match accepted {
            Ok(tls) => tls,
            Err(error) => {
                tracing::debug!(%address, %error, "TLS handshake failed");
                return;
            }
        },
        () = caduceus_net::stopped(&mut stop) => return,
    };
    let peer = Peer {
        address,
        certificate: caduceus_pki::peer_identity(tls.get_ref().1),
        certificate_login: Arc::default(),
    };
    serve_http(tls, peer, router, &limits, stop).await;
}

/// HTTP on `io` until the client leaves, it stays idle too long or the listener
/// stops.
async fn serve_http<IO>(
    io: IO,
    peer: Peer,
    router: Router,
    limits: &Limits,
    mut stop: watch::Receiver<bool>,
) where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let address = peer.address;
    let (io, activity) = idle::Watched::new(io);
    let service = TowerToHyperService::new(router.layer(Extension(peer)));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.idle);
    builder.http2().timer(TokioTimer::new());
    let connection = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(connection);
    let ended = tokio::select! {
        ended = connection.as_mut() => ended,
        () = caduceus_net::stopped(&mut stop) => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
        () = activity.silent_for(limits.idle) => {
            tracing::debug!(%address, "HTTP connection idle: closed");
            connection.as_mut().graceful_shutdown();
            tokio::select! {
                ended = connection.as_mut() => ended,
                () = caduceus_net::stopped(&mut stop) => Ok(()),
            }
        }
    };
    if let Err(error) = ended {
        tracing::debug!(%address, %error, "HTTP connection ended with an error");
    }
}
