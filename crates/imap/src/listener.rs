//! IMAP on the shared listener skeleton (`caduceus_net::serve`): one task per
//! connection under the caps; a connection over a cap told `* BYE` (in clear on a
//! STARTTLS port); on stop, every session told `BYE`, busy ones cut at the deadline.

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

use crate::{ImapConfig, session};

/// Serves IMAP on `listener` until `stop` turns `true`; returns once every session
/// is over (busy ones are cut after the grace period). At most
/// [`Limits::max_sessions`](crate::Limits::max_sessions) sessions at once and
/// [`Limits::max_per_source`](crate::Limits::max_per_source) from one address
/// (AU-3); one more is told `* BYE` and closed. A failed accept is logged and
/// retried.
///
/// # Errors
///
/// Only if the listener's local address cannot be read.
pub async fn serve(
    listener: TcpListener,
    config: Arc<ImapConfig>,
    service: Service,
    stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let local = listener.local_addr()?;
    let caps = Caps {
        per_listener: config.limits.max_sessions,
        per_source: config.limits.max_per_source,
        shutdown: config.limits.shutdown_grace,
    };
    let implicit_tls = config.implicit_tls;
    info!(%local, implicit_tls, "IMAP listener");
    let shared = session::Shared {
        acceptor: TlsAcceptor::from(config.tls.clone()),
        config,
        service,
        stop: stop.clone(),
    };
    caduceus_net::serve(
        listener,
        "imap",
        &caps,
        stop,
        move |stream, peer, id| session::run(stream, peer, id, shared.clone()),
        move |stream, peer, over| refuse(stream, peer, over, implicit_tls),
    )
    .await;
    Ok(())
}

/// Tells a connection over a cap to come back later with an untagged `BYE`
/// (RFC 9051 §7.1.5; AU-3), in clear on a STARTTLS port; an implicit-TLS client
/// could not read it, so it is just closed.
async fn refuse(mut stream: TcpStream, peer: SocketAddr, over: Over, implicit_tls: bool) {
    info!(%peer, ?over, "refused: too many connections");
    if !implicit_tls {
        let line: &[u8] = match over {
            Over::Listener => b"* BYE [UNAVAILABLE] too many connections; try again later\r\n",
            Over::Source => {
                b"* BYE [UNAVAILABLE] too many connections from your address; try again later\r\n"
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), stream.write_all(line)).await;
    }
    let _ = stream.shutdown().await;
}
