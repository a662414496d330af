//! Antivirus scanning (MS-13): every message is scanned before it is accepted.
//!
//! [`Scanner`] is what [`crate::Service`] asks ([`crate::Service::with_scanner`]);
//! [`Clamd`] is the real one, a client of the ClamAV daemon speaking its `INSTREAM`
//! protocol over TCP or a Unix socket. A message is accepted only on a
//! [`Verdict::Clean`] answer: a connection failure, a timeout, an `ERROR` reply
//! (including clamd's `StreamMaxLength` being exceeded) or an answer that cannot be
//! read is a [`ScanError`], which the service turns into a temporary failure — a
//! message is never accepted unscanned.
//!
//! # The protocol (clamd(8), "INSTREAM")
//! One connection per scan: `zINSTREAM\0`, then the message in chunks, each preceded
//! by its length as 4 bytes big-endian, then a zero length. clamd answers one
//! NUL-terminated line: `stream: OK`, `stream: <signature> FOUND`, or
//! `... ERROR` (`INSTREAM size limit exceeded. ERROR` when the stream passes
//! `StreamMaxLength`). `zPING\0` answers `PONG` (the health check).
//!
//! clamd scans the stream as a file: for a mail message it decodes the MIME parts
//! (base64, quoted-printable) and scans each part and attachment as well as the whole.
//!
//! # Operating it
//! Run `clamd` (Debian: `apt-get install clamav-daemon`) with `freshclam` keeping its
//! `DatabaseDirectory` (Debian: `/var/lib/clamav`) up to date from the official
//! mirrors, and listen on a local socket (`LocalSocket /run/clamav/clamd.ctl`) or on a
//! loopback / private TCP address (`TCPSocket 3310`, `TCPAddr 127.0.0.1`). Set
//! clamd's `StreamMaxLength` above the largest message Caduceus accepts
//! (`max_message_size`), or larger messages are answered with a temporary failure.
//! `scripts/clamd-test.sh` starts a throwaway clamd with a one-signature test
//! database instead (the tests cannot download the real one).

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// What a scan found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing was found: the message may be accepted.
    Clean,
    /// A signature matched: the message must be refused.
    Infected {
        /// The signature's name as the scanner reports it (e.g.
        /// `Win.Test.EICAR_HDB-1`); names no message content.
        signature: String,
    },
}

/// Why a message could not be scanned. Never means "clean": the message is not
/// accepted (a temporary failure, so the sender retries).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// The scanner could not be reached (refused, no such socket, unknown host...).
    #[error("cannot connect to clamd: {0}")]
    Connect(#[source] io::Error),
    /// The connection failed while sending the message or reading the answer.
    #[error("connection to clamd failed: {0}")]
    Io(#[source] io::Error),
    /// The scanner did not answer in time.
    #[error("clamd did not answer within {0:?}")]
    Timeout(Duration),
    /// The message is larger than the scanner accepts (clamd's `StreamMaxLength`).
    #[error("the message exceeds clamd's StreamMaxLength")]
    SizeLimit,
    /// The scanner answered with an error.
    #[error("clamd reported an error: {0}")]
    Scanner(String),
    /// The scanner's answer could not be understood.
    #[error("unexpected answer from clamd: {0:?}")]
    Unexpected(String),
}

/// Scans messages before they are accepted (MS-13).
#[async_trait]
pub trait Scanner: Send + Sync {
    /// Scans one raw RFC 5322 message. Any failure is an error, never [`Verdict::Clean`].
    async fn scan(&self, message: &[u8]) -> Result<Verdict, ScanError>;

    /// Whether the scanner answers (for `/healthz`). Scanners without a separate
    /// health check answer `Ok`.
    async fn ping(&self) -> Result<(), ScanError> {
        Ok(())
    }
}

/// Where clamd listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClamdAddress {
    /// A TCP address, `host:port` (`127.0.0.1:3310`, `clamav.internal:3310`).
    Tcp(String),
    /// A Unix socket (clamd's `LocalSocket`, e.g. `/run/clamav/clamd.ctl`).
    Unix(PathBuf),
}

impl std::str::FromStr for ClamdAddress {
    type Err = String;

    /// `unix:/path` or an absolute path is a Unix socket; `tcp://host:port` or
    /// `host:port` is TCP.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some(path) = s.strip_prefix("unix:") {
            return Ok(ClamdAddress::Unix(path.into()));
        }
        if s.starts_with('/') {
            return Ok(ClamdAddress::Unix(s.into()));
        }
        let tcp = s.strip_prefix("tcp://").unwrap_or(s);
        match tcp.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
                Ok(ClamdAddress::Tcp(tcp.to_owned()))
            }
            _ => Err(format!(
                "invalid clamd address {s:?}: expected host:port or unix:/path/to/clamd.ctl"
            )),
        }
    }
}

impl fmt::Display for ClamdAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClamdAddress::Tcp(address) => write!(f, "{address}"),
            ClamdAddress::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Longest answer read from clamd; a real one is a single short line.
const MAX_REPLY: usize = 4096;

/// A ClamAV daemon, reached afresh for each scan.
#[derive(Clone, Debug)]
pub struct Clamd {
    address: ClamdAddress,
    connect_timeout: Duration,
    read_timeout: Duration,
    chunk_size: usize,
}

trait Connection: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Connection for T {}

impl Clamd {
    /// A client of the clamd at `address`: 5 s to connect, 60 s for each write and
    /// for the verdict, 64 KiB chunks.
    pub fn new(address: ClamdAddress) -> Self {
        Self {
            address,
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(60),
            chunk_size: 64 * 1024,
        }
    }

    /// The same client with other timeouts: `connect` to open the connection, `read`
    /// for each write and for the answer (which comes once the scan is done).
    pub fn with_timeouts(mut self, connect: Duration, read: Duration) -> Self {
        self.connect_timeout = connect;
        self.read_timeout = read;
        self
    }

    /// The same client sending chunks of `bytes` (at least 1).
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// Where this client reaches clamd.
    pub fn address(&self) -> &ClamdAddress {
        &self.address
    }

    /// Checks that clamd answers `zPING` with `PONG`.
    pub async fn ping(&self) -> Result<(), ScanError> {
        let mut conn = self.connect().await?;
        self.write(&mut conn, b"zPING\0").await?;
        let reply = self.read_reply(&mut conn).await?;
        if reply.trim() == "PONG" {
            Ok(())
        } else {
            Err(ScanError::Unexpected(reply))
        }
    }

    /// Streams `message` to clamd (`zINSTREAM`) and reads its verdict.
    pub async fn instream(&self, message: &[u8]) -> Result<Verdict, ScanError> {
        let mut conn = self.connect().await?;
        match self.send_stream(&mut conn, message).await {
            Ok(()) => {}
            // clamd answers and closes as soon as the stream passes StreamMaxLength;
            // the remaining writes then fail. Its answer says why.
            Err(ScanError::Io(error)) => {
                return match tokio::time::timeout(Duration::from_secs(2), read_reply(&mut conn))
                    .await
                {
                    Ok(Ok(reply)) if !reply.is_empty() => parse_reply(&reply),
                    _ => Err(ScanError::Io(error)),
                };
            }
            Err(other) => return Err(other),
        }
        let reply = self.read_reply(&mut conn).await?;
        parse_reply(&reply)
    }

    async fn send_stream(
        &self,
        conn: &mut Box<dyn Connection>,
        message: &[u8],
    ) -> Result<(), ScanError> {
        self.write(conn, b"zINSTREAM\0").await?;
        let mut frame = Vec::with_capacity(4 + self.chunk_size.min(message.len()));
        for chunk in message.chunks(self.chunk_size) {
            frame.clear();
            let len = u32::try_from(chunk.len()).map_err(|_| ScanError::SizeLimit)?;
            frame.extend_from_slice(&len.to_be_bytes());
            frame.extend_from_slice(chunk);
            self.write(conn, &frame).await?;
        }
        self.write(conn, &0u32.to_be_bytes()).await?;
        let flushed = conn.flush();
        match tokio::time::timeout(self.read_timeout, flushed).await {
            Ok(result) => result.map_err(ScanError::Io),
            Err(_) => Err(ScanError::Timeout(self.read_timeout)),
        }
    }

    async fn connect(&self) -> Result<Box<dyn Connection>, ScanError> {
        let connecting = async {
            match &self.address {
                ClamdAddress::Tcp(address) => {
                    let stream = tokio::net::TcpStream::connect(address.as_str()).await?;
                    stream.set_nodelay(true)?;
                    Ok::<Box<dyn Connection>, io::Error>(Box::new(stream))
                }
                #[cfg(unix)]
                ClamdAddress::Unix(path) => {
                    Ok(Box::new(tokio::net::UnixStream::connect(path).await?) as Box<_>)
                }
                #[cfg(not(unix))]
                ClamdAddress::Unix(_) => Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "Unix sockets are not supported on this platform",
                )),
            }
        };
        match tokio::time::timeout(self.connect_timeout, connecting).await {
            Ok(result) => result.map_err(ScanError::Connect),
            Err(_) => Err(ScanError::Timeout(self.connect_timeout)),
        }
    }

    async fn write(&self, conn: &mut Box<dyn Connection>, bytes: &[u8]) -> Result<(), ScanError> {
        match tokio::time::timeout(self.read_timeout, conn.write_all(bytes)).await {
            Ok(result) => result.map_err(ScanError::Io),
            Err(_) => Err(ScanError::Timeout(self.read_timeout)),
        }
    }

    async fn read_reply(&self, conn: &mut Box<dyn Connection>) -> Result<String, ScanError> {
        match tokio::time::timeout(self.read_timeout, read_reply(conn)).await {
            Ok(Ok(reply)) if reply.is_empty() => Err(ScanError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "clamd closed the connection without answering",
            ))),
            Ok(result) => result,
            Err(_) => Err(ScanError::Timeout(self.read_timeout)),
        }
    }
}

/// Reads one answer: up to the NUL that ends it (or the end of the connection).
async fn read_reply(conn: &mut Box<dyn Connection>) -> Result<String, ScanError> {
    let mut reply = Vec::with_capacity(64);
    let mut buf = [0u8; 512];
    loop {
        let n = conn.read(&mut buf).await.map_err(ScanError::Io)?;
        if n == 0 {
            break;
        }
        if let Some(end) = buf[..n].iter().position(|&b| b == 0) {
            reply.extend_from_slice(&buf[..end]);
            break;
        }
        reply.extend_from_slice(&buf[..n]);
        if reply.len() > MAX_REPLY {
            reply.truncate(MAX_REPLY);
            return Err(ScanError::Unexpected(
                String::from_utf8_lossy(&reply).into_owned(),
            ));
        }
    }
    Ok(String::from_utf8_lossy(&reply).into_owned())
}

/// Reads clamd's answer to `INSTREAM`: `stream: OK`, `stream: <signature> FOUND`, or
/// an error. Anything else is an error too — never clean.
pub fn parse_reply(reply: &str) -> Result<Verdict, ScanError> {
    let reply = reply.trim_end_matches(['\0', '\n', '\r', ' ']).trim_start();
    if let Some(rest) = reply.strip_prefix("stream:") {
        let rest = rest.trim();
        if rest == "OK" {
            return Ok(Verdict::Clean);
        }
        if let Some(signature) = rest.strip_suffix(" FOUND") {
            let signature = signature.trim();
            if !signature.is_empty() {
                return Ok(Verdict::Infected {
                    signature: signature.to_owned(),
                });
            }
        }
    }
    if reply == "ERROR" || reply.ends_with(" ERROR") {
        if reply.contains("size limit exceeded") {
            return Err(ScanError::SizeLimit);
        }
        let message = reply.strip_suffix("ERROR").unwrap_or(reply).trim();
        return Err(ScanError::Scanner(message.to_owned()));
    }
    Err(ScanError::Unexpected(reply.to_owned()))
}

#[async_trait]
impl Scanner for Clamd {
    async fn scan(&self, message: &[u8]) -> Result<Verdict, ScanError> {
        self.instream(message).await
    }

    async fn ping(&self) -> Result<(), ScanError> {
        Clamd::ping(self).await
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;

    fn infected(signature: &str) -> Verdict {
        Verdict::Infected {
            signature: signature.into(),
        }
    }

    #[test]
    fn ms13_replies_parse_to_verdicts() {
        assert_eq!(parse_reply("stream: OK").unwrap(), Verdict::Clean);
        assert_eq!(parse_reply("stream: OK\0").unwrap(), Verdict::Clean);
        assert_eq!(parse_reply("stream: OK\n").unwrap(), Verdict::Clean);
        assert_eq!(
            parse_reply("stream: Win.Test.EICAR_HDB-1 FOUND").unwrap(),
            infected("Win.Test.EICAR_HDB-1")
        );
        assert_eq!(
            parse_reply("stream: Caduceus.Test.EICAR.UNOFFICIAL FOUND\0").unwrap(),
            infected("Caduceus.Test.EICAR.UNOFFICIAL")
        );
        // Signature names may carry spaces and dots.
        assert_eq!(
            parse_reply("stream: Heuristics.Phishing Email.Spoofed Domain FOUND").unwrap(),
            infected("Heuristics.Phishing Email.Spoofed Domain")
        );
    }

    #[test]
    fn ms13_errors_and_odd_replies_are_never_clean() {
        assert!(matches!(
            parse_reply("INSTREAM size limit exceeded. ERROR\0"),
            Err(ScanError::SizeLimit)
        ));
        assert!(matches!(
            parse_reply("stream: Can't allocate memory ERROR"),
            Err(ScanError::Scanner(m)) if m == "stream: Can't allocate memory"
        ));
        assert!(matches!(parse_reply("ERROR"), Err(ScanError::Scanner(_))));
        for odd in [
            "",
            "OK",
            "stream:",
            "stream: FOUND",
            "stream:  FOUND",
            "PONG",
            "stream: OK but not really",
            "UNKNOWN COMMAND",
        ] {
            assert!(
                matches!(parse_reply(odd), Err(ScanError::Unexpected(_))),
                "{odd:?}"
            );
        }
    }

    #[test]
    fn addresses_parse() {
        assert_eq!(
            "127.0.0.1:3310".parse::<ClamdAddress>().unwrap(),
            ClamdAddress::Tcp("127.0.0.1:3310".into())
        );
        assert_eq!(
            "tcp://clamav.internal:3310"
                .parse::<ClamdAddress>()
                .unwrap(),
            ClamdAddress::Tcp("clamav.internal:3310".into())
        );
        assert_eq!(
            "[::1]:3310".parse::<ClamdAddress>().unwrap(),
            ClamdAddress::Tcp("[::1]:3310".into())
        );
        assert_eq!(
            "unix:/run/clamav/clamd.ctl"
                .parse::<ClamdAddress>()
                .unwrap(),
            ClamdAddress::Unix("/run/clamav/clamd.ctl".into())
        );
        assert_eq!(
            "/run/clamav/clamd.ctl".parse::<ClamdAddress>().unwrap(),
            ClamdAddress::Unix("/run/clamav/clamd.ctl".into())
        );
        for bad in ["", "clamav", "clamav:", ":3310", "host:99999"] {
            assert!(bad.parse::<ClamdAddress>().is_err(), "{bad:?}");
        }
        assert_eq!(
            ClamdAddress::Unix("/run/x.ctl".into()).to_string(),
            "unix:/run/x.ctl"
        );
    }

    /// A fake clamd that records the INSTREAM it receives and answers `reply`.
    async fn fake_clamd(reply: &'static [u8]) -> (String, tokio::task::JoinHandle<Vec<u8>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let task = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut command = [0u8; 10];
            conn.read_exact(&mut command).await.unwrap();
            assert_eq!(&command, b"zINSTREAM\0");
            let mut received = Vec::new();
            let mut lengths = Vec::new();
            loop {
                let len = conn.read_u32().await.unwrap() as usize;
                lengths.push(len);
                if len == 0 {
                    break;
                }
                let mut chunk = vec![0u8; len];
                conn.read_exact(&mut chunk).await.unwrap();
                received.extend_from_slice(&chunk);
            }
            assert!(lengths[..lengths.len() - 1].iter().all(|&l| l <= 7));
            conn.write_all(reply).await.unwrap();
            received
        });
        (address, task)
    }

    #[tokio::test]
    async fn ms13_instream_frames_the_message_in_chunks() {
        let (address, server) = fake_clamd(b"stream: OK\0").await;
        let clamd = Clamd::new(ClamdAddress::Tcp(address)).with_chunk_size(7);
        let message = b"From: a@b.test\r\n\r\nhello, twenty-odd bytes\r\n";
        assert_eq!(clamd.scan(message).await.unwrap(), Verdict::Clean);
        assert_eq!(server.await.unwrap(), message);

        let (address, server) = fake_clamd(b"stream: Some.Sig-1 FOUND\0").await;
        let clamd = Clamd::new(ClamdAddress::Tcp(address)).with_chunk_size(7);
        assert_eq!(clamd.scan(b"").await.unwrap(), infected("Some.Sig-1"));
        assert!(server.await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn ms13_a_silent_or_closing_clamd_is_an_error() {
        // Accepts, reads, never answers: a timeout.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let silent = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut sink = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(5), conn.read_to_end(&mut sink)).await;
        });
        let clamd = Clamd::new(ClamdAddress::Tcp(address))
            .with_timeouts(Duration::from_secs(1), Duration::from_millis(300));
        let err = clamd.scan(b"hello").await.unwrap_err();
        assert!(matches!(err, ScanError::Timeout(_)), "{err}");
        silent.abort();

        // Closes without a word: an error, not clean.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let closing = tokio::spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut command = [0u8; 10];
            let _ = conn.read_exact(&mut command).await;
        });
        let clamd = Clamd::new(ClamdAddress::Tcp(address));
        let err = clamd.scan(b"hello").await.unwrap_err();
        assert!(matches!(err, ScanError::Io(_)), "{err}");
        closing.await.unwrap();

        // Nothing listening: a connection error.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        let err = Clamd::new(ClamdAddress::Tcp(address))
            .scan(b"hello")
            .await
            .unwrap_err();
        assert!(matches!(err, ScanError::Connect(_)), "{err}");
        // A missing Unix socket too.
        let err = Clamd::new(ClamdAddress::Unix("/nonexistent/clamd.ctl".into()))
            .ping()
            .await
            .unwrap_err();
        assert!(matches!(err, ScanError::Connect(_)), "{err}");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn ms13_ping_over_a_unix_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clamd.ctl");
        let listener = tokio::net::UnixListener::bind(&path).unwrap();
        let server = tokio::spawn(async move {
            for answer in [&b"PONG\0"[..], &b"PANG\0"[..]] {
                let (mut conn, _) = listener.accept().await.unwrap();
                let mut command = [0u8; 6];
                conn.read_exact(&mut command).await.unwrap();
                assert_eq!(&command, b"zPING\0");
                conn.write_all(answer).await.unwrap();
            }
        });
        let clamd = Clamd::new(ClamdAddress::Unix(path));
        clamd.ping().await.unwrap();
        let err = clamd.ping().await.unwrap_err();
        assert!(
            matches!(err, ScanError::Unexpected(ref r) if r == "PANG"),
            "{err}"
        );
        server.await.unwrap();
    }
}
