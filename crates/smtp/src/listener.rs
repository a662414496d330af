//! The accept loop: one task per connection, at most `max_sessions` at once; on stop,
//! no new connection, idle sessions told `421`, busy ones given a grace period.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use caduceus_service::Service;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, info, warn};

use crate::reply::Reply;
use crate::session;
use crate::{Limits, SubmissionConfig};

/// Session ids, unique in the process (logs, `Received:` headers).
static SESSIONS: AtomicU64 = AtomicU64::new(1);

/// Serves submission on `listener` until `stop` turns `true`.
///
/// Each connection gets its own task. On stop the listener stops accepting; sessions
/// waiting for a command are told `421 4.3.2` and closed; a session in the middle of
/// a command (a message being received or stored) finishes it first, within
/// [`Limits::shutdown_grace`](crate::Limits::shutdown_grace), after which it is cut.
/// Returns once every session is over. A closed `stop` channel (its sender dropped)
/// never stops the listener.
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
/// task for each, at most `max_sessions` at once; then drains (see [`serve`]).
pub(crate) async fn accept_loop<F, S>(
    listener: TcpListener,
    settings: LoopSettings,
    mut stop: watch::Receiver<bool>,
    start: F,
) -> io::Result<()>
where
    F: Fn(TcpStream, SocketAddr, u64) -> S,
    S: Future<Output = ()> + Send + 'static,
{
    let local = listener.local_addr()?;
    let kind = settings.kind;
    let permits = Arc::new(Semaphore::new(settings.limits.max_sessions));
    let mut sessions = JoinSet::new();
    info!(%local, kind, implicit_tls = settings.implicit_tls, "listener started");
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            Some(ended) = sessions.join_next(), if !sessions.is_empty() => {
                if let Err(error) = ended {
                    warn!(%error, "a session task failed");
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        sessions.spawn(refuse_busy(stream, peer, settings.implicit_tls));
                        continue;
                    };
                    let id = SESSIONS.fetch_add(1, Ordering::Relaxed);
                    let session = start(stream, peer, id);
                    sessions.spawn(async move {
                        session.await;
                        drop(permit);
                    });
                }
                Err(error) => {
                    // Out of file descriptors, or a connection reset before accept:
                    // wait a little rather than spin.
                    warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    drop(listener);
    info!(%local, kind, open = sessions.len(), "listener stopping");
    let grace = settings.limits.shutdown_grace;
    let drained = tokio::time::timeout(grace, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        warn!(
            open = sessions.len(),
            "sessions still open after the grace period; cut"
        );
        sessions.shutdown().await;
    }
    info!(%local, kind, "listener stopped");
    Ok(())
}

/// Tells a connection over the session limit to come back later (in clear on a
/// STARTTLS port; an implicit-TLS client could not read it, so it is just closed).
async fn refuse_busy(mut stream: TcpStream, peer: SocketAddr, implicit_tls: bool) {
    debug!(%peer, "refused: too many sessions");
    if !implicit_tls {
        let mut out = Vec::new();
        Reply::new(421, "4.3.2", "too many connections; try again later").write_to(&mut out);
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(&out)).await;
    }
    let _ = stream.shutdown().await;
}

/// Resolves once `stop` is `true`; never if its sender is gone.
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
