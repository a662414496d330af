//! What both SMTP listeners (submission and operator relay) share once a connection is
//! open: reading, parsing and answering command lines under the limits and the stop
//! signal ([`answer_commands`]), the commands both answer alike, errors up to the
//! error cap, STARTTLS and the TLS handshake, and receiving a message body with its
//! `Received:` header.

use std::time::SystemTime;

use caduceus_core::MailAddress;
use caduceus_service::submit::RecipientScope;
use caduceus_service::{Service, ServiceError};
use smtp_proto::{
    MailFrom, RCPT_NOTIFY_DELAY, RCPT_NOTIFY_FAILURE, RCPT_NOTIFY_NEVER, RCPT_NOTIFY_SUCCESS,
    RcptTo, Request,
};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, info, warn};
use zeroize::Zeroize;

use crate::conn::{Conn, Interrupted, Line, TlsInfo};
use crate::data::{Body, Defect};
use crate::limits::Limits;
use crate::listener::stopped;
use crate::received;
use crate::reply::{self, Reply, Stage};

/// What to do after a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Close,
}

/// The next thing a session must handle.
enum Next {
    /// A command line (CRLF removed), for the session to interpret; wipe it after use.
    Command(Vec<u8>),
    /// Already answered here (a bad line, a timeout, a shutdown).
    Answered(Flow),
}

/// A session answering the commands its [`Dialogue`] reads.
pub(crate) trait Commands {
    /// The session's dialogue.
    fn talk(&mut self) -> &mut Dialogue;
    /// Answers one command line (CRLF removed).
    async fn command(&mut self, line: &[u8]) -> Flow;
}

/// Reads and answers commands until the session ends, wiping each line once it is
/// answered (it may carry a credential), then closes the connection.
pub(crate) async fn answer_commands(session: &mut impl Commands) {
    loop {
        let flow = match session.talk().next().await {
            Next::Command(mut bytes) => {
                let flow = session.command(&bytes).await;
                bytes.zeroize();
                flow
            }
            Next::Answered(flow) => flow,
        };
        if flow == Flow::Close {
            break;
        }
    }
    session.talk().conn.close().await;
}

/// The connection of one session and what is shared between the two listeners.
pub(crate) struct Dialogue {
    pub(crate) conn: Conn,
    stop: watch::Receiver<bool>,
    acceptor: TlsAcceptor,
    limits: Limits,
    hostname: String,
    errors: u32,
}

impl Dialogue {
    /// A dialogue on `conn`, stopped by `stop`.
    pub(crate) fn new(
        conn: Conn,
        stop: watch::Receiver<bool>,
        acceptor: TlsAcceptor,
        limits: Limits,
        hostname: &str,
    ) -> Self {
        Dialogue {
            conn,
            stop,
            acceptor,
            limits,
            hostname: hostname.to_owned(),
            errors: 0,
        }
    }

    /// Reads the next command line; answers lines that are not commands, a shutdown
    /// (`421 4.3.2`) and timeouts itself.
    async fn next(&mut self) -> Next {
        let max = self.limits.max_line;
        let line = tokio::select! {
            biased;
            () = stopped(&mut self.stop) => {
                self.conn.reply(&Reply::new(421, "4.3.2", "server shutting down; try again later"));
                info!("closed: server shutting down");
                return Next::Answered(Flow::Close);
            }
            line = self.conn.read_line(max) => line,
        };
        Next::Answered(match line {
            Err(why) => {
                self.interrupted(why);
                Flow::Close
            }
            Ok(Line::TooLong) => self.error(Reply::new(
                500,
                "5.5.2",
                format!("line too long: at most {max} bytes"),
            )),
            Ok(Line::BareLf) => self.error(Reply::new(500, "5.5.2", "lines must end with CRLF")),
            Ok(Line::Crlf(bytes)) => return Next::Command(bytes),
        })
    }

    /// Ends the session after a read stopped: `421` on a timeout.
    pub(crate) fn interrupted(&mut self, why: Interrupted) {
        match why {
            Interrupted::Closed => debug!("closed by the client"),
            Interrupted::Io(error) => debug!(%error, "connection failed"),
            Interrupted::Idle => {
                info!("closed: idle timeout");
                self.conn.reply(&Reply::new(
                    421,
                    "4.4.2",
                    format!("{} idle for too long; closing connection", self.hostname),
                ));
            }
            Interrupted::Expired => {
                info!("closed: session time limit");
                self.conn.reply(&Reply::new(
                    421,
                    "4.4.2",
                    "session time limit reached; closing connection",
                ));
            }
        }
    }

    /// Answers a bad command; after too many, `421` and close.
    pub(crate) fn error(&mut self, reply: Reply) -> Flow {
        self.errors += 1;
        self.conn.reply(&reply);
        if self.errors >= self.limits.max_errors {
            info!(errors = self.errors, "closed: too many errors");
            self.conn.reply(&reply::too_many_errors());
            return Flow::Close;
        }
        Flow::Continue
    }

    /// Answers a command that was not a protocol error.
    pub(crate) fn ok(&mut self, reply: Reply) -> Flow {
        self.conn.reply(&reply);
        Flow::Continue
    }

    /// Parses a command line. Before TLS (`tls` false) only the commands allowed in
    /// clear pass: EHLO, HELO, STARTTLS, NOOP, RSET, QUIT, HELP (MS-3); any other gets
    /// `530` here, and a line that does not parse its syntax error.
    pub(crate) fn parse(&mut self, line: &[u8], tls: bool) -> Result<Request<String>, Flow> {
        let request = match Request::parse(&mut line.iter()) {
            Ok(request) => request.into_owned(),
            Err(error) => return Err(self.error(parse_error(error))),
        };
        let allowed_in_clear = matches!(
            request,
            Request::Ehlo { .. }
                | Request::Helo { .. }
                | Request::StartTls
                | Request::Noop { .. }
                | Request::Rset
                | Request::Quit
                | Request::Help { .. }
        );
        if !tls && !allowed_in_clear {
            return Err(self.error(reply::starttls_first()));
        }
        Ok(request)
    }

    /// Answers the commands both listeners treat alike: NOOP, QUIT, HELP (with
    /// `help`), VRFY and EXPN (not available); any other is not implemented here.
    pub(crate) fn answer_common(&mut self, request: &Request<String>, help: &str) -> Flow {
        match request {
            Request::Noop { .. } => self.ok(Reply::new(250, "2.0.0", "OK")),
            Request::Quit => {
                self.conn
                    .reply(&Reply::new(221, "2.0.0", "closing connection"));
                debug!("closed: QUIT");
                Flow::Close
            }
            Request::Help { .. } => self.ok(Reply::new(214, "2.0.0", help)),
            Request::Vrfy { .. } | Request::Expn { .. } => self.ok(Reply::new(
                502,
                "5.5.1",
                "VRFY and EXPN are not available; search the directory instead",
            )),
            _ => self.error(Reply::new(502, "5.5.1", "command not implemented")),
        }
    }

    /// Answers STARTTLS: `220`, after which the caller forgets what was said in clear
    /// (RFC 3207 §4.2) and runs [`Dialogue::handshake`]; `503` when TLS is already up.
    pub(crate) fn starttls(&mut self, tls: bool) -> Result<(), Flow> {
        if tls {
            return Err(self.error(Reply::new(503, "5.5.1", "TLS is already active")));
        }
        self.conn
            .reply(&Reply::new(220, "2.0.0", "ready to start TLS"));
        Ok(())
    }

    /// The TLS handshake (implicit TLS, or after `220` to STARTTLS); after an error
    /// the session can only close.
    pub(crate) async fn handshake(&mut self) -> Result<TlsInfo, std::io::Error> {
        let result = tokio::select! {
            result = self.conn.start_tls(&self.acceptor, self.limits.handshake) => result,
            () = stopped(&mut self.stop) => Err(std::io::Error::new(
                std::io::ErrorKind::Interrupted,
                "server stopping during the TLS handshake",
            )),
        };
        match &result {
            Ok(info) => debug!(
                version = info.version,
                client_certificate = info.client.is_some(),
                "TLS established"
            ),
            Err(error) => info!(%error, "closed: TLS handshake failed"),
        }
        result
    }

    /// Receives a message after DATA (`354`, the body up to `max` bytes) and returns it
    /// behind `received` (its `Received:` header), or the flow after answering a
    /// refused or interrupted body.
    pub(crate) async fn receive(&mut self, max: usize, received: String) -> Result<Vec<u8>, Flow> {
        self.conn.reply(&Reply::bare(
            354,
            vec!["end data with <CR><LF>.<CR><LF>".to_owned()],
        ));
        let mut body = Body::new(max);
        if let Err(why) = self.conn.read_body(&mut body).await {
            info!("message abandoned: connection ended inside DATA");
            self.interrupted(why);
            return Err(Flow::Close);
        }
        let size = body.size();
        let content = match body.finish() {
            Ok(content) => content,
            Err(defect) => {
                info!(size, ?defect, "message refused");
                return Err(self.ok(match defect {
                    Defect::TooBig => reply::too_big(max),
                    Defect::BareNewline => Reply::new(
                        554,
                        "5.6.0",
                        "message refused: a bare CR or LF was found; lines must end with CRLF",
                    ),
                    Defect::Nul => {
                        Reply::new(554, "5.6.0", "message refused: NUL bytes are not allowed")
                    }
                }));
            }
        };
        let mut raw = Vec::with_capacity(received.len() + content.len());
        raw.extend_from_slice(received.as_bytes());
        raw.extend_from_slice(&content);
        Ok(raw)
    }

    /// The `Received:` header for a message from `helo`, by `protocol`.
    pub(crate) fn received(&self, helo: Option<&str>, protocol: &str, session: u64) -> String {
        received::header(
            helo.unwrap_or_default(),
            &self.hostname,
            protocol,
            session,
            SystemTime::now(),
        )
    }

    /// Answers a message stored for `recipients` recipients: `250`, sent only now.
    pub(crate) fn stored(&mut self, recipients: usize, queue_ref: Option<&str>) -> Flow {
        let text = match queue_ref {
            Some(queue_ref) => format!(
                "message accepted for {recipients} recipient(s); queued as {queue_ref} for other operators"
            ),
            None => format!("message accepted and stored for {recipients} recipient(s)"),
        };
        self.ok(Reply::new(250, "2.0.0", text))
    }
}

impl Dialogue {
    /// The EHLO lines both listeners offer: the name, then the extensions every
    /// session has; each listener appends its own (STARTTLS, AUTH, DSN).
    pub(crate) fn ehlo_lines(hostname: &str, service: &Service) -> Vec<String> {
        vec![
            hostname.to_owned(),
            "PIPELINING".to_owned(),
            format!("SIZE {}", max_size(service)),
            "8BITMIME".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
        ]
    }

    /// Takes the transaction DATA is for: `503` without MAIL; `554` when every RCPT
    /// was refused (a pipelining client sends DATA anyway), the transaction staying
    /// open for another RCPT or a RSET. `Err` holds the flow after answering.
    pub(crate) fn ready_for_data<T>(
        &mut self,
        transaction: &mut Option<T>,
        has_recipients: impl Fn(&T) -> bool,
    ) -> Result<T, Flow> {
        match transaction.take() {
            Some(ready) if has_recipients(&ready) => Ok(ready),
            Some(empty) => {
                *transaction = Some(empty);
                Err(self.ok(Reply::new(554, "5.5.1", "no valid recipients")))
            }
            None => Err(self.error(Reply::new(503, "5.5.1", "need MAIL command first"))),
        }
    }

    /// What MAIL checks on both listeners before its sender: no transaction under way,
    /// only the parameters offered, a declared SIZE within `max`. `Err` holds the flow
    /// after answering.
    pub(crate) fn mail_parameters(
        &mut self,
        from: &MailFrom<String>,
        nested: bool,
        max: usize,
    ) -> Result<(), Flow> {
        if nested {
            return Err(self.error(Reply::new(503, "5.5.1", "nested MAIL command")));
        }
        if !mail_parameters_supported(from) {
            return Err(self.error(Reply::new(
                555,
                "5.5.4",
                "MAIL parameters not supported here: only SIZE, BODY=7BIT or 8BITMIME, and AUTH",
            )));
        }
        if from.size > max {
            info!(
                declared = from.size,
                "sender refused: declared size over the limit"
            );
            return Err(self.ok(reply::too_big(max)));
        }
        Ok(())
    }

    /// RCPT on both listeners: adds the recipient to `recipients` (the transaction's;
    /// `None` before MAIL) once the service accepts it (MS-12, MS-2).
    pub(crate) async fn recipient(
        &mut self,
        service: &Service,
        to: &RcptTo<String>,
        recipients: Option<&mut Vec<MailAddress>>,
        scope: RecipientScope,
    ) -> Flow {
        let Some(recipients) = recipients else {
            return self.error(Reply::new(503, "5.5.1", "need MAIL command first"));
        };
        let notify_ok = scope == RecipientScope::TrustSpace
            && to.flags
                & !(RCPT_NOTIFY_SUCCESS
                    | RCPT_NOTIFY_FAILURE
                    | RCPT_NOTIFY_DELAY
                    | RCPT_NOTIFY_NEVER)
                == 0;
        if to.orcpt.is_some() || (to.flags != 0 && !notify_ok) || to.rrvs != 0 {
            return self.error(Reply::new(
                555,
                "5.5.4",
                "RCPT parameters not supported here (no DSN)",
            ));
        }
        let address = match MailAddress::parse(&to.address) {
            Ok(address) => address,
            Err(error) => {
                return self.error(Reply::new(
                    501,
                    "5.1.3",
                    format!("bad recipient address: {error}"),
                ));
            }
        };
        if recipients.contains(&address) {
            return self.ok(Reply::new(250, "2.1.5", "recipient OK (already listed)"));
        }
        match service
            .check_recipient(&address, recipients.len(), scope)
            .await
        {
            Ok(()) => {
                recipients.push(address);
                self.ok(Reply::new(250, "2.1.5", "recipient OK"))
            }
            Err(error) => {
                log_refusal("RCPT", &error);
                self.ok(reply::service_error(&error, Stage::Rcpt))
            }
        }
    }
}

/// Whether MAIL carries only parameters this server offers: SIZE, BODY (7BIT,
/// 8BITMIME) and AUTH (RFC 4954 §5, accepted and ignored).
pub(crate) fn mail_parameters_supported(from: &MailFrom<String>) -> bool {
    let offered = smtp_proto::MAIL_BODY_7BIT | smtp_proto::MAIL_BODY_8BITMIME;
    from.flags & !offered == 0
        && from.trans_id.is_none()
        && from.env_id.is_none()
        && from.solicit.is_none()
        && from.mtrk.is_none()
        && from.by == 0
        && from.hold_for == 0
        && from.hold_until == 0
        && from.mt_priority == 0
}

/// Logs why the service refused a step: the requirement, never the reason's text
/// (it may name an address).
pub(crate) fn log_refusal(step: &'static str, error: &ServiceError) {
    match error {
        ServiceError::Refused(refusal) => {
            info!(
                step,
                requirement = refusal.requirement.as_str(),
                "refused by policy"
            );
        }
        ServiceError::Denied { requirement, .. } => {
            info!(step, requirement = requirement.as_str(), "denied");
        }
        ServiceError::Store(store) => warn!(step, error = %store, "storage failed"),
        ServiceError::Unavailable(_) => warn!(step, "a needed service is unavailable"),
        ServiceError::RateLimited { .. } => {
            info!(step, requirement = "MS-13", "over the sending rate")
        }
        _ => info!(step, "refused"),
    }
}

/// The largest message accepted from a client: the service's limit, less the room for
/// the `Received:` header.
pub(crate) fn max_size(service: &Service) -> usize {
    service
        .config()
        .max_message_size
        .saturating_sub(received::RESERVED)
        .max(1)
}

/// The reply to a line `smtp-proto` could not parse.
pub(crate) fn parse_error(error: smtp_proto::Error) -> Reply {
    use smtp_proto::Error;
    match error {
        Error::UnknownCommand => Reply::new(500, "5.5.1", "command not recognized"),
        Error::InvalidSenderAddress => Reply::new(501, "5.1.7", "bad sender address syntax"),
        Error::InvalidRecipientAddress => Reply::new(501, "5.1.3", "bad recipient address syntax"),
        Error::SyntaxError { syntax } => Reply::new(501, "5.5.2", format!("syntax: {syntax}")),
        Error::InvalidParameter { param } => {
            Reply::new(501, "5.5.4", format!("invalid value for {param}"))
        }
        Error::UnsupportedParameter { .. } => {
            Reply::new(555, "5.5.4", "parameter not supported here")
        }
        _ => Reply::new(500, "5.5.2", "syntax error"),
    }
}

#[cfg(test)]
mod tests {
    use smtp_proto::Request;

    use super::mail_parameters_supported;

    #[test]
    fn only_offered_mail_parameters_pass() {
        let parse = |line: &str| match Request::parse(&mut line.as_bytes().iter()) {
            Ok(Request::Mail { from }) => from.into_owned(),
            other => panic!("{other:?}"),
        };
        assert!(mail_parameters_supported(&parse(
            "MAIL FROM:<a@b.fr> SIZE=10 BODY=8BITMIME AUTH=<>\r\n"
        )));
        assert!(!mail_parameters_supported(&parse(
            "MAIL FROM:<a@b.fr> SMTPUTF8\r\n"
        )));
        assert!(!mail_parameters_supported(&parse(
            "MAIL FROM:<a@b.fr> ENVID=x\r\n"
        )));
        assert!(!mail_parameters_supported(&parse(
            "MAIL FROM:<a@b.fr> BODY=BINARYMIME\r\n"
        )));
    }
}
