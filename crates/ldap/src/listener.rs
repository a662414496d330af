//! The accept loop: a task per connection under a cap; on stop, no new connection,
//! each session sent a notice of disconnection, the busy ones cut after a grace.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use caduceus_service::Service;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::{LdapConfig, session};

/// Session ids, unique in the process (logs).
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// Serves LDAP on `listener` until `stop` turns `true`, then returns once the
/// sessions are over.
///
/// # Errors
///
/// Only if the listener's local address cannot be read.
pub async fn serve(
    listener: TcpListener,
    config: Arc<LdapConfig>,
    service: Service,
    stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let local = listener.local_addr()?;
    let shared = Arc::new(session::Shared {
        acceptor: TlsAcceptor::from(config.tls.clone()),
        names: crate::names::Names::new(&config.domain),
        config: config.clone(),
        service,
    });
    let slots = Arc::new(Semaphore::new(config.limits.max_sessions));
    let mut running = tokio::task::JoinSet::new();
    let mut stopping = stop.clone();
    tracing::info!(%local, implicit_tls = config.implicit_tls, "LDAP listener started");
    loop {
        let (tcp, peer): (_, std::net::SocketAddr) = tokio::select! {
            () = stopped(&mut stopping) => break,
            Some(_) = running.join_next(), if !running.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%error, "LDAP accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "LDAP session cap reached: connection closed");
            continue;
        };
        let id = NEXT_SESSION.fetch_add(1, Ordering::Relaxed);
        let session = session::run((tcp, peer), id, shared.clone(), stop.clone());
        running.spawn(async move {
            session.await;
            drop(slot);
        });
    }
    drop(listener);
    let grace = config.limits.shutdown_grace;
    if tokio::time::timeout(grace, async {
        while running.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        running.shutdown().await;
    }
    tracing::info!(%local, "LDAP listener stopped");
    Ok(())
}

/// Resolves once `stop` holds `true` (or its sender is gone).
pub(crate) async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopping| *stopping).await;
}
