//! SMTP on the shared listener skeleton (`caduceus_net::serve`): one task per
//! connection under the caps; a connection over a cap told `421` (in clear on a
//! STARTTLS port); on stop, idle sessions told `421`, busy ones given until the
//! shutdown deadline.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use caduceus_net::{Caps, Over};
use caduceus_service::Service;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tracing::info;

pub(crate) use caduceus_net::stopped;

use crate::reply::Reply;
use crate::session;
use crate::{Limits, SubmissionConfig};

/// Serves submission on `listener` until `stop` turns `true`.
///
/// Each connection gets its own task, at most [`Limits::max_sessions`] at once and
/// [`Limits::max_per_source`] from one address (AU-3). On stop the listener stops
/// accepting; sessions waiting for a command are told `421 4.3.2` and closed; a
/// session in the middle of a command (a message being received or stored) finishes
/// it first, within [`Limits::shutdown_grace`], after which it is cut. Returns once
/// every session is over. A closed `stop` channel (its sender dropped) never stops
/// the listener.
///
/// # Errors
///
/// Only if the listener's local address cannot be read; failed accepts are logged
/// and retried.
pub async fn serve(
    listener: TcpListener,
    config: Arc<SubmissionConfig>,
    service: Service,
    stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let acceptor = TlsAcceptor::from(config.tls.clone());
    let settings = LoopSettings {
        kind: "submission",
        limits: config.limits.clone(),
        implicit_tls: config.implicit_tls,
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

/// What the accept loop needs to know of its listener.
pub(crate) struct LoopSettings {
    /// The listener's kind, for logs.
    pub(crate) kind: &'static str,
    /// Its bounds (sessions, grace on stop).
    pub(crate) limits: Limits,
    /// Whether connections start with TLS (a busy refusal is then not written).
    pub(crate) implicit_tls: bool,
}

/// Accepts connections until `stop`, running `start(stream, peer, session id)` in a
/// task for each under the caps; then drains (see [`serve`]).
pub(crate) async fn accept_loop<F, S>(
    listener: TcpListener,
    settings: LoopSettings,
    stop: watch::Receiver<bool>,
    start: F,
) -> io::Result<()>
where
    F: FnMut(TcpStream, SocketAddr, u64) -> S,
    S: Future<Output = ()> + Send + 'static,
{
    let local = listener.local_addr()?;
    let caps = Caps {
        per_listener: settings.limits.max_sessions,
        per_source: settings.limits.max_per_source,
        shutdown: settings.limits.shutdown_grace,
    };
    let implicit_tls = settings.implicit_tls;
    info!(%local, kind = settings.kind, implicit_tls, "SMTP listener");
    caduceus_net::serve(
        listener,
        settings.kind,
        &caps,
        stop,
        start,
        move |stream, peer, over| refuse(stream, peer, over, implicit_tls),
    )
    .await;
    Ok(())
}

/// Tells a connection over a cap to come back later (AU-3): `421 4.3.2` when the
/// listener is full, `421 4.7.0` when its address has too many connections open; in
/// clear on a STARTTLS port; an implicit-TLS client could not read it, so it is just
/// closed.
async fn refuse(mut stream: TcpStream, peer: SocketAddr, over: Over, implicit_tls: bool) {
    info!(%peer, ?over, "refused: too many connections");
    if !implicit_tls {
        let reply = match over {
            Over::Listener => Reply::new(421, "4.3.2", "too many connections; try again later"),
            Over::Source => Reply::new(
                421,
                "4.7.0",
                "too many connections from your address; try again later",
            ),
        };
        let mut out = Vec::new();
        reply.write_to(&mut out);
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(&out)).await;
    }
    let _ = stream.shutdown().await;
}
