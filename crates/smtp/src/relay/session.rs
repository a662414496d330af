//! One relay session: greeting, EHLO, STARTTLS (required before any mail), the peer's
//! certificate, then transactions (in `transaction`). Logs carry the session id, the
//! peer's IP address and, on refusals, the operator's domain and certificate DN —
//! never a mailbox address, a subject or any content.

use std::net::SocketAddr;
use std::sync::Arc;

use caduceus_core::MailAddress;
use caduceus_service::Service;
use smtp_proto::Request;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tracing::{Instrument, debug, info};
use zeroize::Zeroize;

use super::RelayConfig;
use crate::conn::{Conn, Interrupted, Line, TlsInfo};
use crate::listener::stopped;
use crate::received;
use crate::reply::{self, Reply};
use crate::session::parse_error;

/// What to do after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Flow {
    Continue,
    Close,
}

/// A relayed transaction under way.
pub(super) struct Transaction {
    /// The peer operator's domain, as the traces name it (`peer:<domain>`).
    pub(super) domain: String,
    pub(super) recipients: Vec<MailAddress>,
}

/// A relay session's state.
pub(super) struct Session {
    pub(super) id: u64,
    pub(super) peer: SocketAddr,
    pub(super) config: Arc<RelayConfig>,
    pub(super) service: Service,
    acceptor: TlsAcceptor,
    pub(super) conn: Conn,
    stop: watch::Receiver<bool>,
    /// Set once TLS is up.
    pub(super) tls: Option<TlsInfo>,
    /// The peer's EHLO/HELO name (since the last STARTTLS).
    pub(super) helo: Option<String>,
    pub(super) transaction: Option<Transaction>,
    errors: u32,
}

/// Serves one relay connection to its end.
pub(super) async fn run(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    config: Arc<RelayConfig>,
    service: Service,
    acceptor: TlsAcceptor,
    stop: watch::Receiver<bool>,
) {
    let span = tracing::info_span!("relay", session = id, peer = %peer);
    let deadline = Instant::now() + config.limits.session;
    let conn = Conn::new(stream, config.limits.idle, deadline);
    let session = Session {
        id,
        peer,
        config,
        service,
        acceptor,
        conn,
        stop,
        tls: None,
        helo: None,
        transaction: None,
        errors: 0,
    };
    session.serve().instrument(span).await;
}

impl Session {
    async fn serve(mut self) {
        debug!("connection accepted");
        self.conn.reply(&Reply::bare(
            220,
            vec![format!(
                "{} ESMTP Caduceus MSSante operator relay",
                self.config.hostname
            )],
        ));
        loop {
            let max = self.config.limits.max_line;
            let line = tokio::select! {
                biased;
                () = stopped(&mut self.stop) => {
                    self.conn.reply(&Reply::new(421, "4.3.2", "server shutting down; try again later"));
                    info!("closed: server shutting down");
                    break;
                }
                line = self.conn.read_line(max) => line,
            };
            let flow = match line {
                Err(why) => {
                    self.interrupted(why);
                    break;
                }
                Ok(Line::TooLong) => self.error(Reply::new(
                    500,
                    "5.5.2",
                    format!("line too long: at most {max} bytes"),
                )),
                Ok(Line::BareLf) => {
                    self.error(Reply::new(500, "5.5.2", "lines must end with CRLF"))
                }
                Ok(Line::Crlf(mut bytes)) => {
                    let flow = self.command(&bytes).await;
                    bytes.zeroize();
                    flow
                }
            };
            if flow == Flow::Close {
                break;
            }
        }
        self.conn.close().await;
    }

    /// Ends the session after a read stopped: `421` on a timeout.
    pub(super) fn interrupted(&mut self, why: Interrupted) {
        let text = match why {
            Interrupted::Closed => return debug!("closed by the peer"),
            Interrupted::Io(error) => return debug!(%error, "connection failed"),
            Interrupted::Idle => "idle for too long; closing connection",
            Interrupted::Expired => "session time limit reached; closing connection",
        };
        info!(reason = text, "closed");
        self.conn.reply(&Reply::new(421, "4.4.2", text));
    }

    /// Answers a bad command; after too many, `421` and close.
    pub(super) fn error(&mut self, reply: Reply) -> Flow {
        self.errors += 1;
        self.conn.reply(&reply);
        if self.errors >= self.config.limits.max_errors {
            info!(errors = self.errors, "closed: too many errors");
            self.conn.reply(&reply::too_many_errors());
            return Flow::Close;
        }
        Flow::Continue
    }

    pub(super) fn ok(&mut self, reply: Reply) -> Flow {
        self.conn.reply(&reply);
        Flow::Continue
    }

    /// The largest message accepted: the service's limit less room for `Received:`.
    pub(super) fn max_size(&self) -> usize {
        self.service
            .config()
            .max_message_size
            .saturating_sub(received::RESERVED)
            .max(1)
    }

    async fn command(&mut self, line: &[u8]) -> Flow {
        let request = match Request::parse(&mut line.iter()) {
            Ok(request) => request.into_owned(),
            Err(error) => return self.error(parse_error(error)),
        };
        let before_tls_ok = matches!(
            request,
            Request::Ehlo { .. }
                | Request::Helo { .. }
                | Request::StartTls
                | Request::Noop { .. }
                | Request::Rset
                | Request::Quit
                | Request::Help { .. }
        );
        if self.tls.is_none() && !before_tls_ok {
            return self.error(reply::starttls_first());
        }
        match request {
            Request::Ehlo { host } => self.ehlo(host, true),
            Request::Helo { host } => self.ehlo(host, false),
            Request::StartTls => self.starttls().await,
            Request::Auth { .. } => self.error(Reply::new(
                502,
                "5.5.1",
                "no AUTH on the operator relay: peers are authenticated by their certificate (MS-5)",
            )),
            Request::Mail { from } => self.mail(from).await,
            Request::Rcpt { to } => self.rcpt(to).await,
            Request::Data => self.data().await,
            Request::Rset => {
                self.transaction = None;
                self.ok(Reply::new(250, "2.0.0", "OK"))
            }
            Request::Noop { .. } => self.ok(Reply::new(250, "2.0.0", "OK")),
            Request::Quit => {
                self.conn
                    .reply(&Reply::new(221, "2.0.0", "closing connection"));
                debug!("closed: QUIT");
                Flow::Close
            }
            Request::Help { .. } => self.ok(Reply::new(
                214,
                "2.0.0",
                "MSSante operator relay: EHLO, STARTTLS with an operator certificate, MAIL, RCPT, DATA, RSET, NOOP, QUIT",
            )),
            Request::Vrfy { .. } | Request::Expn { .. } => {
                self.ok(Reply::new(502, "5.5.1", "VRFY and EXPN are not available"))
            }
            Request::Lhlo { .. }
            | Request::Bdat { .. }
            | Request::Burl { .. }
            | Request::Etrn { .. }
            | Request::Atrn { .. } => {
                self.error(Reply::new(502, "5.5.1", "command not implemented"))
            }
        }
    }

    fn ehlo(&mut self, host: String, extended: bool) -> Flow {
        self.transaction = None;
        self.helo = Some(host);
        let hostname = self.config.hostname.clone();
        if !extended {
            return self.ok(Reply::bare(250, vec![hostname]));
        }
        let mut lines = vec![
            hostname,
            "PIPELINING".to_owned(),
            format!("SIZE {}", self.max_size()),
            "8BITMIME".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
        ];
        if self.tls.is_none() {
            lines.push("STARTTLS".to_owned());
        }
        self.ok(Reply::bare(250, lines))
    }

    async fn starttls(&mut self) -> Flow {
        if self.tls.is_some() {
            return self.error(Reply::new(503, "5.5.1", "TLS is already active"));
        }
        self.conn
            .reply(&Reply::new(220, "2.0.0", "ready to start TLS"));
        // RFC 3207 §4.2: forget everything said in clear.
        self.helo = None;
        self.transaction = None;
        let limit = self.config.limits.handshake;
        match self.conn.start_tls(&self.acceptor, limit).await {
            Ok(info) => {
                debug!(
                    version = info.version,
                    client_certificate = info.client.is_some(),
                    "TLS established"
                );
                self.tls = Some(info);
                Flow::Continue
            }
            Err(error) => {
                info!(%error, "closed: TLS handshake failed");
                Flow::Close
            }
        }
    }
}
