//! LDAP on the shared listener skeleton (`caduceus_net::serve`): a task per
//! connection under the caps (one over them is closed); on stop, no new connection,
//! each session sent a notice of disconnection, the busy ones cut at the deadline.

use std::io;
use std::sync::Arc;

use caduceus_net::Caps;
use caduceus_service::Service;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

pub(crate) use caduceus_net::stopped;

use crate::{LdapConfig, session};

/// Serves LDAP on `listener` until `stop` turns `true`, then returns once the
/// sessions are over. At most [`Limits::max_sessions`](crate::Limits::max_sessions)
/// sessions at once and [`Limits::max_per_source`](crate::Limits::max_per_source)
/// from one address (AU-3); one more is closed. A failed accept is logged and
/// retried.
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
    let caps = Caps {
        per_listener: config.limits.max_sessions,
        per_source: config.limits.max_per_source,
        shutdown: config.limits.shutdown_grace,
    };
    tracing::info!(%local, implicit_tls = config.implicit_tls, "LDAP listener");
    let session_stop = stop.clone();
    caduceus_net::serve(
        listener,
        "ldap",
        &caps,
        stop,
        move |tcp, peer, id| session::run((tcp, peer), id, shared.clone(), session_stop.clone()),
        |_tcp, peer, over| async move {
            tracing::info!(%peer, ?over, "LDAP connection refused: too many connections");
        },
    )
    .await;
    Ok(())
}
