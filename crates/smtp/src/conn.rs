//! One client connection: clear TCP or TLS (implicit, or upgraded by STARTTLS),
//! buffered both ways, read line by line or as a message body, every read bounded by
//! the idle timeout and the session deadline.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use caduceus_pki::CertIdentity;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use zeroize::Zeroize;

use crate::data::Body;
use crate::reply::Reply;

/// Bytes asked of the socket per read.
const READ_CHUNK: usize = 16 * 1024;

/// Why reading stopped.
#[derive(Debug)]
pub(crate) enum Interrupted {
    /// The client closed the connection.
    Closed,
    /// The client was silent longer than the idle timeout.
    Idle,
    /// The session reached its time limit.
    Expired,
    /// The connection failed.
    Io(io::Error),
}

/// A command line as read.
#[derive(Debug)]
pub(crate) enum Line {
    /// A whole line, its CRLF included.
    Crlf(Vec<u8>),
    /// A line ended by a bare LF.
    BareLf,
    /// A line longer than the limit; it was read to its end and dropped.
    TooLong,
}

/// The byte stream under the session.
enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
    /// After a failed TLS handshake: nothing to read or write.
    Gone,
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
            Transport::Gone => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
            Transport::Gone => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_flush(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
            Transport::Gone => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Transport::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
            Transport::Gone => Poll::Ready(Ok(())),
        }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.input.zeroize();
    }
}

/// What the TLS layer established.
#[derive(Clone, Debug)]
pub(crate) struct TlsInfo {
    /// The verified client certificate's identity, when one was presented.
    pub(crate) client: Option<CertIdentity>,
    /// The protocol version, for logs.
    pub(crate) version: &'static str,
}

/// A client connection with its buffers and clocks.
pub(crate) struct Conn {
    io: Transport,
    /// Received, not yet consumed: `input[start..]`.
    input: Vec<u8>,
    start: usize,
    /// Replies not yet sent.
    output: Vec<u8>,
    idle: Duration,
    deadline: Instant,
}

impl Conn {
    /// A clear connection; the session ends at `deadline` whatever happens.
    pub(crate) fn new(stream: TcpStream, idle: Duration, deadline: Instant) -> Self {
        Self {
            io: Transport::Plain(stream),
            input: Vec::new(),
            start: 0,
            output: Vec::new(),
            idle,
            deadline,
        }
    }

    /// Runs the TLS handshake (right away for implicit TLS, after `220` for
    /// STARTTLS). Whatever the client sent before is discarded (RFC 3207 §4.2: no
    /// command injected in clear survives the upgrade).
    pub(crate) async fn start_tls(
        &mut self,
        acceptor: &TlsAcceptor,
        limit: Duration,
    ) -> io::Result<TlsInfo> {
        self.flush().await?;
        self.input.clear();
        self.start = 0;
        let Transport::Plain(tcp) = std::mem::replace(&mut self.io, Transport::Gone) else {
            return Err(io::Error::other("TLS is already active"));
        };
        let limit = limit.min(self.deadline.saturating_duration_since(Instant::now()));
        let stream = caduceus_net::tls::accept(acceptor, tcp, limit).await?;
        let (_, server) = stream.get_ref();
        let info = TlsInfo {
            client: caduceus_pki::peer_identity(server),
            version: match server.protocol_version() {
                Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
                Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
                _ => "TLS",
            },
        };
        self.io = Transport::Tls(Box::new(stream));
        Ok(info)
    }

    /// Queues a reply; it is sent before the next read, or by [`Conn::flush`].
    pub(crate) fn reply(&mut self, reply: &Reply) {
        reply.write_to(&mut self.output);
    }

    /// Sends the queued replies, within the idle timeout and the session deadline.
    pub(crate) async fn flush(&mut self) -> io::Result<()> {
        if self.output.is_empty() {
            return Ok(());
        }
        let until = (Instant::now() + self.idle).min(self.deadline);
        let output = std::mem::take(&mut self.output);
        let io = &mut self.io;
        let sent = tokio::time::timeout_at(until, async {
            io.write_all(&output).await?;
            io.flush().await
        })
        .await;
        sent.unwrap_or_else(|_| Err(io::Error::new(io::ErrorKind::TimedOut, "write timed out")))
    }

    /// Sends what is queued and closes the connection (TLS `close_notify` included).
    pub(crate) async fn close(&mut self) {
        let _ = self.flush().await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.io.shutdown()).await;
    }

    /// Sends queued replies, then reads more input.
    async fn fill(&mut self) -> Result<(), Interrupted> {
        self.flush().await.map_err(Interrupted::Io)?;
        if self.start > 0 {
            // Move the unread bytes to the front and wipe what was consumed (AUTH
            // lines carry credentials).
            let unread = self.input.len() - self.start;
            self.input.copy_within(self.start.., 0);
            self.input[unread..].zeroize();
            self.input.truncate(unread);
            self.start = 0;
        }
        let now = Instant::now();
        if now >= self.deadline {
            return Err(Interrupted::Expired);
        }
        let idle_until = now + self.idle;
        let (until, why) = if idle_until < self.deadline {
            (idle_until, Interrupted::Idle)
        } else {
            (self.deadline, Interrupted::Expired)
        };
        self.input.reserve(READ_CHUNK);
        match tokio::time::timeout_at(until, self.io.read_buf(&mut self.input)).await {
            Err(_) => Err(why),
            Ok(Ok(0)) => Err(Interrupted::Closed),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(Interrupted::Io(e)),
        }
    }

    /// Reads one command line of at most `max` bytes (terminator included). A longer
    /// line is read to its end and reported as [`Line::TooLong`].
    pub(crate) async fn read_line(&mut self, max: usize) -> Result<Line, Interrupted> {
        let mut too_long = false;
        let mut searched = 0;
        loop {
            let pending = &self.input[self.start..];
            if let Some(pos) = pending[searched..].iter().position(|&b| b == b'\n') {
                let end = searched + pos + 1;
                let line = pending[..end].to_vec();
                self.start += end;
                return Ok(if too_long || line.len() > max {
                    Line::TooLong
                } else if line.len() < 2 || line[line.len() - 2] != b'\r' {
                    Line::BareLf
                } else {
                    Line::Crlf(line)
                });
            }
            if pending.len() > max {
                // Drop what we have of the overlong line, keep looking for its end.
                too_long = true;
                self.start = self.input.len();
                searched = 0;
            } else {
                searched = pending.len();
            }
            self.fill().await?;
        }
    }

    /// Reads a message body to its end (`CRLF . CRLF`) into `body`.
    pub(crate) async fn read_body(&mut self, body: &mut Body) -> Result<(), Interrupted> {
        loop {
            let pending = &self.input[self.start..];
            match body.feed(pending) {
                Some(used) => {
                    self.start += used;
                    return Ok(());
                }
                None => self.start = self.input.len(),
            }
            self.fill().await?;
        }
    }
}
