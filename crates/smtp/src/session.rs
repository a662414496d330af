//! One submission session (RFC 6409): greeting, EHLO, STARTTLS (RFC 3207), AUTH
//! (RFC 4954), then transactions — MAIL (ID-3), RCPT (MS-2, MS-12), DATA (MS-1) —
//! each accepted message handed to the service and answered `250` only once it is
//! stored.
//!
//! The state is three layers, each reset by the one before: TLS (a STARTTLS resets
//! everything), the login (kept across transactions), the transaction (reset by RSET,
//! EHLO and the end of DATA). Logs carry the session id, the peer and, once logged in,
//! the account id — never an address, a subject or any content.

use std::net::SocketAddr;
use std::sync::Arc;

use caduceus_core::MailAddress;
use caduceus_service::Service;
use caduceus_service::auth::Authenticated;
use caduceus_service::sasl::SaslLogin;
use caduceus_service::submit::{RecipientScope, Sender};
use smtp_proto::{MailFrom, RcptTo, Request};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tracing::{Instrument, Span, debug, info, warn};
use zeroize::{Zeroize, Zeroizing};

use crate::SubmissionConfig;
use crate::auth::{self, LOGIN_PASSWORD, LOGIN_USERNAME, Mechanism, SaslError};
use crate::conn::{Conn, Interrupted, Line, TlsInfo};
use crate::dialogue::{Commands, Dialogue, Flow, answer_commands, log_refusal, max_size};
use crate::reply::{self, Reply, Stage};

/// A mail transaction under way: the sender accepted, the recipients accepted so far.
struct Transaction {
    sender: Sender,
    recipients: Vec<MailAddress>,
    /// Some recipient asked for a notification on success (`NOTIFY=SUCCESS`, MS-16).
    notify_success: bool,
}

/// Why an AUTH exchange did not log in.
enum AuthEnd {
    /// Answer this, after `delay`; `counts` says whether it counts as an error.
    Refused {
        reply: Reply,
        delay: std::time::Duration,
        counts: bool,
    },
    /// The connection ended or timed out during the exchange.
    Gone(Interrupted),
}

impl From<SaslError> for AuthEnd {
    fn from(error: SaslError) -> Self {
        AuthEnd::Refused {
            reply: error.reply(),
            delay: std::time::Duration::ZERO,
            counts: error != SaslError::Cancelled,
        }
    }
}

impl From<(Reply, std::time::Duration)> for AuthEnd {
    fn from((reply, delay): (Reply, std::time::Duration)) -> Self {
        AuthEnd::Refused {
            reply,
            delay,
            counts: true,
        }
    }
}

/// A session's state.
struct Session {
    id: u64,
    source: String,
    config: Arc<SubmissionConfig>,
    service: Service,
    talk: Dialogue,
    span: Span,
    /// Set once TLS is up (at once on an implicit-TLS port).
    tls: Option<TlsInfo>,
    /// The client's EHLO/HELO name, once it has greeted (since the last STARTTLS).
    helo: Option<String>,
    login: Option<Authenticated>,
    transaction: Option<Transaction>,
}

/// Serves one connection to its end.
pub(crate) async fn run(
    stream: TcpStream,
    peer: SocketAddr,
    id: u64,
    config: Arc<SubmissionConfig>,
    service: Service,
    acceptor: TlsAcceptor,
    stop: watch::Receiver<bool>,
) {
    let span = tracing::info_span!(
        "smtp",
        session = id,
        peer = %peer,
        account = tracing::field::Empty
    );
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
        source: peer.to_string(),
        config,
        service,
        talk,
        span: span.clone(),
        tls: None,
        helo: None,
        login: None,
        transaction: None,
    };
    session.serve().instrument(span).await;
}

impl Session {
    async fn serve(mut self) {
        debug!(
            implicit_tls = self.config.implicit_tls,
            "connection accepted"
        );
        self.trace_connection(true).await;
        self.serve_connection().await;
        self.trace_connection(false).await;
    }

    /// Traces the connection's opening or closing (AU-3).
    async fn trace_connection(&self, opened: bool) {
        let protocol = caduceus_service::auth::Protocol::Submission;
        if let Err(error) = self
            .service
            .trace_connection(protocol, &self.source, opened)
            .await
        {
            warn!(%error, "connection not traced");
        }
    }

    async fn serve_connection(&mut self) {
        if self.config.implicit_tls && self.handshake().await == Flow::Close {
            return;
        }
        self.talk.conn.reply(&Reply::bare(
            220,
            vec![format!(
                "{} ESMTP Caduceus message submission",
                self.config.hostname
            )],
        ));
        answer_commands(self).await;
        if let Some(login) = self.login.take()
            && let Err(error) = self.service.logout(&login).await
        {
            warn!(%error, "the logout could not be traced");
        }
    }

    /// The TLS handshake (implicit TLS, or after `220` to STARTTLS).
    async fn handshake(&mut self) -> Flow {
        match self.talk.handshake().await {
            Ok(info) => {
                self.tls = Some(info);
                Flow::Continue
            }
            Err(_) => Flow::Close,
        }
    }

    fn ehlo(&mut self, host: String, extended: bool) -> Flow {
        self.transaction = None;
        self.helo = Some(host);
        let hostname = self.config.hostname.clone();
        if !extended {
            return self.talk.ok(Reply::bare(250, vec![hostname]));
        }
        let mut lines = Dialogue::ehlo_lines(&hostname, &self.service);
        lines.push("DSN".to_owned());
        match &self.tls {
            None => lines.push("STARTTLS".to_owned()),
            Some(tls) => {
                let mut auth = "AUTH PLAIN LOGIN".to_owned();
                if tls.client.is_some() {
                    auth.push_str(" EXTERNAL");
                }
                if self.service.accepts_bearer_tokens() {
                    auth.push_str(" OAUTHBEARER XOAUTH2");
                }
                lines.push(auth);
            }
        }
        self.talk.ok(Reply::bare(250, lines))
    }

    async fn starttls(&mut self) -> Flow {
        if let Err(flow) = self.talk.starttls(self.tls.is_some()) {
            return flow;
        }
        // RFC 3207 §4.2: forget everything said in clear.
        self.helo = None;
        self.login = None;
        self.transaction = None;
        self.handshake().await
    }

    async fn auth(&mut self, mechanism: u64, initial: Zeroizing<String>) -> Flow {
        if self.helo.is_none() {
            return self.talk.error(reply::ehlo_first());
        }
        if self.login.is_some() {
            return self
                .talk
                .error(Reply::new(503, "5.5.1", "already authenticated"));
        }
        if self.transaction.is_some() {
            return self.talk.error(Reply::new(
                503,
                "5.5.1",
                "AUTH is not allowed during a mail transaction",
            ));
        }
        let offered = auth::mechanism(mechanism).filter(|m| {
            !matches!(m, Mechanism::OAuthBearer | Mechanism::XOAuth2)
                || self.service.accepts_bearer_tokens()
        });
        let Some(mechanism) = offered else {
            return self.talk.error(Reply::new(
                504,
                "5.5.4",
                "mechanism not supported; use PLAIN or LOGIN with a device credential, or EXTERNAL with a client certificate",
            ));
        };
        match self.sasl(mechanism, initial).await {
            Ok(login) => {
                self.span
                    .record("account", tracing::field::display(login.account().id));
                info!(factor = login.factor().as_str(), "authenticated");
                self.login = Some(login);
                self.talk
                    .ok(Reply::new(235, "2.7.0", "authentication successful"))
            }
            Err(AuthEnd::Gone(why)) => {
                self.talk.interrupted(why);
                Flow::Close
            }
            Err(AuthEnd::Refused {
                reply,
                delay,
                counts,
            }) => {
                info!(code = reply.code(), "authentication refused");
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                if counts {
                    self.talk.error(reply)
                } else {
                    self.talk.ok(reply)
                }
            }
        }
    }

    /// Runs the SASL exchange of `mechanism` to a login.
    async fn sasl(
        &mut self,
        mechanism: Mechanism,
        initial: Zeroizing<String>,
    ) -> Result<Authenticated, AuthEnd> {
        let source = self.source.clone();
        let outcome = match mechanism {
            Mechanism::Plain => {
                let response = self.response_or_challenge(initial, "").await?;
                let plain = auth::plain(&auth::decode(&response)?)?;
                let login = SaslLogin::Password {
                    authzid: &plain.authzid,
                    authcid: &plain.authcid,
                    password: &plain.password,
                };
                self.service.sasl_login(login, &source).await
            }
            Mechanism::Login => {
                let user = self.response_or_challenge(initial, LOGIN_USERNAME).await?;
                let authcid = auth::login_text(&auth::decode(&user)?)?;
                let password = self.challenge(LOGIN_PASSWORD).await?;
                let password = auth::login_text(&auth::decode(&password)?)?.into();
                let login = SaslLogin::Password {
                    authzid: "",
                    authcid: &authcid,
                    password: &password,
                };
                self.service.sasl_login(login, &source).await
            }
            Mechanism::External => {
                let Some(identity) = self.tls.as_ref().and_then(|t| t.client.clone()) else {
                    return Err(AuthEnd::Refused {
                        reply: Reply::new(
                            504,
                            "5.5.4",
                            "EXTERNAL needs a client certificate presented in the TLS handshake",
                        ),
                        delay: std::time::Duration::ZERO,
                        counts: true,
                    });
                };
                let response = self.response_or_challenge(initial, "").await?;
                let authzid = auth::decode(&response)?;
                let login = SaslLogin::External {
                    national_id: identity.serial_number.as_deref(),
                    authzid: &authzid,
                };
                self.service.sasl_login(login, &source).await
            }
            Mechanism::OAuthBearer | Mechanism::XOAuth2 => {
                let response = self.response_or_challenge(initial, "").await?;
                let message = auth::decode(&response)?;
                let kind = mechanism.bearer().expect("a bearer mechanism");
                let login = SaslLogin::Bearer {
                    kind,
                    message: &message,
                };
                self.service.sasl_login(login, &source).await
            }
        };
        match outcome {
            Ok(login) => Ok(login),
            Err(refusal) => {
                let (reply, delay, challenge) = auth::refused(refusal);
                if let Some(challenge) = challenge {
                    // RFC 7628 §3.2.3: the client answers the error challenge with a
                    // dummy response, then the exchange fails.
                    self.challenge(&challenge).await?;
                }
                Err((reply, delay).into())
            }
        }
    }

    /// The initial response if the client gave one, else the answer to `challenge`.
    async fn response_or_challenge(
        &mut self,
        initial: Zeroizing<String>,
        challenge: &str,
    ) -> Result<Zeroizing<String>, AuthEnd> {
        if initial.is_empty() {
            self.challenge(challenge).await
        } else {
            Ok(initial)
        }
    }

    /// Sends `334 <challenge>` and reads the client's response line.
    async fn challenge(&mut self, challenge: &str) -> Result<Zeroizing<String>, AuthEnd> {
        self.talk
            .conn
            .reply(&Reply::bare(334, vec![challenge.to_owned()]));
        let line = self
            .talk
            .conn
            .read_line(self.config.limits.max_line)
            .await
            .map_err(AuthEnd::Gone)?;
        let malformed = || AuthEnd::from(SaslError::Base64);
        let Line::Crlf(mut bytes) = line else {
            return Err(malformed());
        };
        let text = std::str::from_utf8(&bytes).map(|s| Zeroizing::new(s.trim_end().to_owned()));
        bytes.zeroize();
        text.map_err(|_| malformed())
    }

    async fn mail(&mut self, from: MailFrom<String>) -> Flow {
        if self.helo.is_none() {
            return self.talk.error(reply::ehlo_first());
        }
        let Some(login) = self.login.clone() else {
            return self.talk.error(reply::auth_required());
        };
        let nested = self.transaction.is_some();
        if let Err(flow) = self
            .talk
            .mail_parameters(&from, nested, max_size(&self.service))
        {
            return flow;
        }
        if from.address.is_empty() {
            return self.talk.error(Reply::new(
                501,
                "5.1.7",
                "a null sender (MAIL FROM:<>) cannot submit a message; give your address",
            ));
        }
        let address = match MailAddress::parse(&from.address) {
            Ok(address) => address,
            Err(error) => {
                return self.talk.error(Reply::new(
                    501,
                    "5.1.7",
                    format!("bad sender address: {error}"),
                ));
            }
        };
        match self.service.sender(&login, &address).await {
            Ok(sender) => {
                debug!(acting_for = %acting_for(&sender), "sender accepted");
                self.transaction = Some(Transaction {
                    sender,
                    recipients: Vec::new(),
                    notify_success: false,
                });
                self.talk.ok(Reply::new(250, "2.1.0", "sender OK"))
            }
            Err(error) => {
                log_refusal("MAIL", &error);
                self.talk.ok(reply::service_error(&error, Stage::Mail))
            }
        }
    }

    async fn rcpt(&mut self, to: RcptTo<String>) -> Flow {
        if self.login.is_none() {
            return self.talk.error(reply::auth_required());
        }
        let asks_success = to.flags & smtp_proto::RCPT_NOTIFY_SUCCESS != 0;
        let (recipients, before) = match self.transaction.as_mut() {
            Some(t) => {
                let before = t.recipients.len();
                (Some(&mut t.recipients), before)
            }
            None => (None, 0),
        };
        let flow = self
            .talk
            .recipient(&self.service, &to, recipients, RecipientScope::TrustSpace)
            .await;
        if let Some(t) = self.transaction.as_mut()
            && t.recipients.len() > before
        {
            t.notify_success |= asks_success;
        }
        flow
    }

    async fn data(&mut self) -> Flow {
        if self.login.is_none() {
            return self.talk.error(reply::auth_required());
        }
        let transaction = match self
            .talk
            .ready_for_data(&mut self.transaction, |t| !t.recipients.is_empty())
        {
            Ok(transaction) => transaction,
            Err(flow) => return flow,
        };
        let received = self.talk.received(self.helo.as_deref(), "ESMTPSA", self.id);
        let raw = match self.talk.receive(max_size(&self.service), received).await {
            Ok(raw) => raw,
            Err(flow) => return flow,
        };
        let submitted = self
            .service
            .submit(
                &transaction.sender,
                &transaction.recipients,
                &raw,
                transaction.notify_success,
            )
            .await;
        match submitted {
            Ok(submitted) => {
                let messages: Vec<String> = submitted
                    .delivered
                    .iter()
                    .map(|d| d.message.to_string())
                    .collect();
                info!(
                    acting_for = %acting_for(&transaction.sender),
                    recipients = transaction.recipients.len(),
                    size = raw.len(),
                    messages = ?messages,
                    queued = submitted.queue_ref.as_deref().unwrap_or("-"),
                    "message accepted"
                );
                self.talk
                    .stored(transaction.recipients.len(), submitted.queue_ref.as_deref())
            }
            Err(error) => {
                log_refusal("DATA", &error);
                self.talk.ok(reply::service_error(&error, Stage::Data))
            }
        }
    }
}

/// The organisational mailbox sent from, for logs: its id, or `-`.
fn acting_for(sender: &Sender) -> String {
    sender
        .acting_for()
        .map_or_else(|| "-".to_owned(), |id| id.to_string())
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
            Request::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, Zeroizing::new(initial_response)).await,
            Request::Mail { from } => self.mail(from).await,
            Request::Rcpt { to } => self.rcpt(to).await,
            Request::Data => self.data().await,
            Request::Rset => {
                self.transaction = None;
                self.talk.ok(Reply::new(250, "2.0.0", "OK"))
            }
            other => self.talk.answer_common(
                &other,
                "message submission (RFC 6409): EHLO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, NOOP, QUIT",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), enough to throw odd bytes at the parser.
    fn bytes(seed: &mut u64, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                (*seed >> 24) as u8
            })
            .collect()
    }

    #[test]
    fn odd_command_lines_are_answered_never_panic() {
        let verbs: [&[u8]; 8] = [
            b"MAIL FROM:<",
            b"RCPT TO:<",
            b"AUTH ",
            b"EHLO ",
            b"BDAT ",
            b"MAIL FROM:<a@b> SIZE=",
            b"",
            b"RCPT TO:<\"",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for round in 0..20_000 {
            let mut line = verbs[round % verbs.len()].to_vec();
            let len = (round * 7) % 300;
            line.extend(bytes(&mut seed, len).into_iter().filter(|&b| b != b'\n'));
            line.extend_from_slice(b"\r\n");
            match Request::parse(&mut line.iter()) {
                Ok(request) => drop(request.into_owned()),
                Err(error) => assert!(crate::dialogue::parse_error(error).code() >= 500),
            }
        }
    }
}
