//! One relay session: greeting, EHLO, STARTTLS (required before any mail), the peer's
//! certificate, then transactions (in `transaction`). Logs carry the session id, the
//! peer's IP address and, on refusals, the operator's domain and certificate DN —
//! never a mailbox address, a subject or any content.

use std::net::SocketAddr;
use std::sync::Arc;

use caduceus_core::MailAddress;
use caduceus_service::Caller;
use caduceus_service::Service;
use caduceus_service::peers::UnidentifiedPeer;
use smtp_proto::Request;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tracing::{Instrument, debug};

use super::RelayConfig;
use crate::conn::{Conn, TlsInfo};
use crate::dialogue::{Commands, Dialogue, Flow, answer_commands};
use crate::reply::Reply;

/// A relayed transaction under way.
pub(super) struct Transaction {
    /// The peer operator admitted by the service for the sender's domain (MS-5), as
    /// the traces name it (`peer:<domain>`).
    pub(super) peer: Caller,
    /// The envelope sender (none for a bounce), for the patient rules (MS-8, MS-10).
    pub(super) from: Option<MailAddress>,
    pub(super) recipients: Vec<MailAddress>,
}

/// A relay session's state.
pub(super) struct Session {
    pub(super) id: u64,
    pub(super) peer: SocketAddr,
    pub(super) config: Arc<RelayConfig>,
    pub(super) service: Service,
    pub(super) talk: Dialogue,
    /// Set once TLS is up.
    pub(super) tls: Option<TlsInfo>,
    /// The peer's EHLO/HELO name (since the last STARTTLS).
    pub(super) helo: Option<String>,
    pub(super) transaction: Option<Transaction>,
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
    let talk = Dialogue::new(
        conn,
        stop,
        acceptor,
        config.limits.clone(),
        &config.hostname,
    );
    let session = Session {
        id,
        peer,
        config,
        service,
        talk,
        tls: None,
        helo: None,
        transaction: None,
    };
    session.serve().instrument(span).await;
}

impl Session {
    async fn serve(mut self) {
        debug!("connection accepted");
        self.talk.conn.reply(&Reply::bare(
            220,
            vec![format!(
                "{} ESMTP Caduceus MSSante operator relay",
                self.config.hostname
            )],
        ));
        answer_commands(&mut self).await;
    }

    fn ehlo(&mut self, host: String, extended: bool) -> Flow {
        self.transaction = None;
        self.helo = Some(host);
        let hostname = self.config.hostname.clone();
        if !extended {
            return self.talk.ok(Reply::bare(250, vec![hostname]));
        }
        let mut lines = Dialogue::ehlo_lines(&hostname, &self.service);
        if self.tls.is_none() {
            lines.push("STARTTLS".to_owned());
        }
        self.talk.ok(Reply::bare(250, lines))
    }

    async fn starttls(&mut self) -> Flow {
        if let Err(flow) = self.talk.starttls(self.tls.is_some()) {
            return flow;
        }
        // RFC 3207 §4.2: forget everything said in clear.
        self.helo = None;
        self.transaction = None;
        match self.talk.handshake().await {
            Ok(info) => {
                self.tls = Some(info);
                Flow::Continue
            }
            Err(error) => {
                if untrusted_certificate(&error) {
                    self.service
                        .trace_unidentified_peer(
                            &self.peer.to_string(),
                            UnidentifiedPeer::UntrustedCertificate,
                        )
                        .await;
                }
                Flow::Close
            }
        }
    }
}

impl Commands for Session {
    fn talk(&mut self) -> &mut Dialogue {
        &mut self.talk
    }

    async fn command(&mut self, line: &[u8]) -> Flow {
        let request = match self.talk.parse(line, self.tls.is_some()) {
            Ok(request) => request,
            Err(flow) => return flow,
        };
        match request {
            Request::Ehlo { host } => self.ehlo(host, true),
            Request::Helo { host } => self.ehlo(host, false),
            Request::StartTls => self.starttls().await,
            Request::Auth { .. } => self.talk.error(Reply::new(
                502,
                "5.5.1",
                "no AUTH on the operator relay: peers are authenticated by their certificate (MS-5)",
            )),
            Request::Mail { from } => self.mail(from).await,
            Request::Rcpt { to } => self.rcpt(to).await,
            Request::Data => self.data().await,
            Request::Rset => {
                self.transaction = None;
                self.talk.ok(Reply::new(250, "2.0.0", "OK"))
            }
            other => self.talk.answer_common(
                &other,
                "MSSante operator relay: EHLO, STARTTLS with an operator certificate, MAIL, RCPT, DATA, RSET, NOOP, QUIT",
            ),
        }
    }
}

/// Whether a failed handshake is the peer's certificate refused by our anchors (MS-5),
/// rather than a timeout or a client that went away.
fn untrusted_certificate(error: &std::io::Error) -> bool {
    matches!(
        error
            .get_ref()
            .and_then(|e| e.downcast_ref::<rustls::Error>()),
        Some(rustls::Error::InvalidCertificate(_))
    )
}
