//! The TLS handshake, bounded in time: a client that opens a connection and says
//! nothing (or too slowly) is let go instead of holding its place.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// Runs the server side of the TLS handshake on `io` within `limit`: an implicit-TLS
/// connection's first bytes, or a STARTTLS upgrade.
///
/// # Errors
///
/// The handshake's own error, or [`io::ErrorKind::TimedOut`] once `limit` has passed.
pub async fn accept<IO>(
    acceptor: &TlsAcceptor,
    io: IO,
    limit: Duration,
) -> io::Result<TlsStream<IO>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
{
    tokio::time::timeout(limit, acceptor.accept(io))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "TLS handshake timed out"))?
}
