//! The accept loop: one task per connection, at most `max_sessions` at once; on
//! stop, no new connection and every session told `BYE`.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use caduceus_service::Service;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::{info, warn};

use crate::{ImapConfig, session};

/// Session ids, unique in the process (logs).
static SESSIONS: AtomicU64 = AtomicU64::new(1);

/// Serves IMAP on `listener` until `stop` turns `true`; returns once every session
/// is over (busy ones are cut after the grace period). A connection over the
/// session cap is closed at once.
///
/// # Errors
///
/// Only if the listener's local address cannot be read.
pub async fn serve(
    listener: TcpListener,
    config: Arc<ImapConfig>,
    service: Service,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let local = listener.local_addr()?;
    let acceptor = TlsAcceptor::from(config.tls.clone());
    let permits = Arc::new(Semaphore::new(config.limits.max_sessions));
    let mut sessions = JoinSet::new();
    info!(%local, implicit_tls = config.implicit_tls, "IMAP listener started");
    loop {
        tokio::select! {
            () = stopped(&mut stop) => break,
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        warn!(%peer, "session cap reached: connection closed");
                        continue;
                    };
                    let id = SESSIONS.fetch_add(1, Ordering::Relaxed);
                    let session = session::run(
                        stream,
                        peer,
                        id,
                        config.clone(),
                        service.clone(),
                        acceptor.clone(),
                        stop.clone(),
                    );
                    sessions.spawn(async move {
                        session.await;
                        drop(permit);
                    });
                }
                Err(error) => {
                    warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(config.limits.shutdown_grace, async {
        while sessions.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        sessions.shutdown().await;
    }
    info!(%local, "IMAP listener stopped");
    Ok(())
}

/// Resolves once `stop` holds `true`; never, if its sender is gone.
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|stopping| *stopping).await.is_err() {
        std::future::pending::<()>().await;
    }
}
