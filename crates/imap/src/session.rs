//! One IMAP session: the imap-next event loop (grammar, literals, AUTHENTICATE and
//! IDLE exchanges), the TLS gate, and the dispatch of each command to its state of
//! RFC 9051 §3 ([`crate::state`]) — not authenticated, authenticated, selected.
//! What each command does with the mail is in [`crate::commands`]; logins are in
//! [`crate::login`] and [`crate::auth`].

use std::net::SocketAddr;
use std::sync::Arc;

use caduceus_pki::CertIdentity;
use caduceus_service::Service;
use imap_next::State as ProtocolState;
use imap_next::imap_types::auth::{AuthMechanism, AuthenticateData};
use imap_next::imap_types::command::{Command, CommandBody};
use imap_next::imap_types::core::{Tag, Vec1};
use imap_next::imap_types::response::{
    Capability, Code, CommandContinuationRequest, Data, Greeting, Status,
};
use imap_next::server::{Error as ServerError, Event, Options, Server};
use imap_next::stream::{Error as StreamError, Stream};
use imap_next::types::CommandAuthenticate;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, info};

use crate::auth::PendingAuth;
use crate::reply::{Kind, status};
use crate::state::State;
use crate::wire::{Progress, Wire};
use crate::{ImapConfig, Limits};

/// The state of one session.
pub(crate) struct Session {
    pub service: Service,
    pub config: Arc<ImapConfig>,
    /// The client's address (`ip:port`), the source of traces.
    pub source: String,
    /// Session id, for logs.
    pub id: u64,
    /// TLS is up (implicit, or after STARTTLS).
    pub tls: bool,
    /// The verified client certificate, when one was presented (AU-1).
    pub client_certificate: Option<CertIdentity>,
    /// Not authenticated, authenticated or selected; moved out while a command
    /// of the authenticated or selected state runs ([`crate::state`]).
    pub state: State,
    /// CONDSTORE was enabled (ENABLE, or a CONDSTORE-aware command).
    pub condstore: bool,
    /// QRESYNC was enabled: VANISHED replaces EXPUNGE (RFC 7162).
    pub qresync: bool,
    /// IMAP4rev2 was enabled (RFC 9051 §6.3.1).
    pub rev2: bool,
    /// UTF8=ACCEPT was enabled (RFC 6855 §3): folder names in UTF-8.
    pub utf8: bool,
    /// An AUTHENTICATE exchange in progress.
    pub(crate) pending_auth: Option<PendingAuth>,
    /// The tag of an IDLE in progress.
    idle: Option<Tag<'static>>,
    /// Changes to the selected mailbox, wherever they are made (IDLE waits on it).
    pub watcher: Option<tokio::sync::watch::Receiver<u64>>,
    /// Protocol errors in a row.
    errors: u32,
    /// The session's place under its command rate.
    command_due: Option<caduceus_core::Timestamp>,
    /// A FETCH being answered, batch by batch.
    pub(crate) fetching: Option<crate::fetching::Fetching>,
    /// What the FETCH being read asked beyond imap-codec's grammar (RFC 8474,
    /// RFC 9394).
    pub(crate) fetch_extras: crate::fetching::FetchExtras,
    /// What the STATUS being read asked beyond imap-codec's grammar (RFC 8474,
    /// RFC 7889).
    pub(crate) status_extras: crate::extras::StatusExtras,
}

/// What to do after a command.
pub(crate) enum Flow {
    Continue,
    /// Send what is queued, then close (LOGOUT, too many errors, shutdown).
    Close,
    /// Send what is queued, then start TLS (STARTTLS answered OK).
    StartTls,
}

/// What every session of a listener is given.
#[derive(Clone)]
pub(crate) struct Shared {
    /// The listener's settings.
    pub(crate) config: Arc<ImapConfig>,
    /// The use cases.
    pub(crate) service: Service,
    /// TLS, at once or after STARTTLS.
    pub(crate) acceptor: TlsAcceptor,
    /// Turns `true` when the server stops.
    pub(crate) stop: watch::Receiver<bool>,
}

/// Runs a session on `tcp` until the client leaves, a limit is hit or the stop.
pub(crate) async fn run(tcp: TcpStream, peer: SocketAddr, id: u64, shared: Shared) {
    let Shared {
        config,
        service,
        acceptor,
        mut stop,
    } = shared;
    let mut session = Session {
        service,
        config: config.clone(),
        source: peer.to_string(),
        id,
        tls: false,
        client_certificate: None,
        state: State::NotAuthenticated,
        condstore: false,
        qresync: false,
        rev2: false,
        utf8: false,
        pending_auth: None,
        idle: None,
        watcher: None,
        errors: 0,
        command_due: None,
        fetching: None,
        fetch_extras: Default::default(),
        status_extras: Default::default(),
    };
    trace_connection(&session, true).await;
    serve(&mut session, tcp, &config, &acceptor, &mut stop).await;
    trace_connection(&session, false).await;
}

/// Traces the connection's opening or closing (AU-3).
async fn trace_connection(session: &Session, opened: bool) {
    let protocol = caduceus_service::auth::Protocol::Imap;
    if let Err(error) = session
        .service
        .trace_connection(protocol, &session.source, opened)
        .await
    {
        tracing::warn!(session = session.id, %error, "connection not traced");
    }
}

/// The session's life on `tcp`, from the greeting to the end.
async fn serve(
    session: &mut Session,
    tcp: TcpStream,
    config: &Arc<ImapConfig>,
    acceptor: &TlsAcceptor,
    stop: &mut watch::Receiver<bool>,
) {
    let id = session.id;
    let mut stream = if config.implicit_tls {
        let handshake = tokio::select! {
            stream = session.handshake(acceptor, tcp) => stream,
            () = crate::listener::stopped(stop) => None,
        };
        match handshake {
            Some(stream) => stream,
            None => return,
        }
    } else {
        Stream::insecure(tcp)
    };
    let text = crate::reply::wire_text(&format!("{} Caduceus IMAP ready", config.hostname));
    let greeting = Greeting::ok(Some(Code::Capability(session.capabilities())), &text)
        .map(imap_next::imap_types::IntoStatic::into_static)
        .unwrap_or_else(|_| Greeting::ok(None, "Caduceus IMAP ready").expect("valid greeting"));
    let mut out = Wire::new(Server::new(options(&config.limits), greeting));
    loop {
        let event = tokio::select! {
            event = tokio::time::timeout(config.limits.idle_timeout, stream.next(&mut out)) => event,
            _ = changed(&mut session.watcher), if session.idle.is_some() => {
                let refreshed = session.refresh(&mut out).await;
                if let Err(error) = refreshed
                    && !matches!(error, caduceus_service::ServiceError::NotFound(_))
                {
                    // No command to answer NO to: the client is told and let go (a
                    // folder deleted elsewhere was closed, OK [CLOSED]).
                    info!(session = id, %error, "closed: the selected mailbox could not be read");
                    out.enqueue_status(
                        Status::bye(None, "the mailbox cannot be read now; reconnect later")
                            .expect("valid BYE"),
                    );
                    say_last(&mut stream, &mut out).await;
                    break;
                }
                continue;
            }
            _ = crate::listener::stopped(stop) => {
                out.enqueue_status(Status::bye(None, "server shutting down").expect("valid BYE"));
                say_last(&mut stream, &mut out).await;
                break;
            }
        };
        let event = match event {
            Err(_elapsed) => {
                out.enqueue_status(
                    Status::bye(None, "autologout: idle for too long").expect("valid BYE"),
                );
                say_last(&mut stream, &mut out).await;
                info!(session = id, "closed: idle timeout");
                break;
            }
            Ok(Ok(Progress::Written)) => {
                // A FETCH's next batch, before the protocol state is consulted
                // again: nothing else is read until the FETCH is answered.
                session.fetch_more(&mut out).await;
                if session.fetching.is_none() {
                    out.release_room();
                }
                continue;
            }
            Ok(Ok(Progress::Event(event))) => event,
            Ok(Err(StreamError::State(error))) => {
                if session.protocol_error(&mut out, error).await {
                    say_last(&mut stream, &mut out).await;
                    break;
                }
                continue;
            }
            Ok(Err(StreamError::Closed)) => break,
            Ok(Err(error)) => {
                debug!(session = id, %error, "connection error");
                break;
            }
        };
        let flow = session.event(&mut out, event).await;
        if session.state.logged_in() {
            out.open_gate();
        }
        match flow {
            Flow::Continue => {}
            Flow::Close => {
                let _ = flush(&mut stream, &mut out).await;
                break;
            }
            Flow::StartTls => {
                if flush(&mut stream, &mut out).await.is_err() {
                    break;
                }
                let tcp: TcpStream = stream.into();
                match session.handshake(acceptor, tcp).await {
                    Some(tls) => stream = tls,
                    None => break,
                }
                // A new protocol state: anything the client pipelined in clear after
                // STARTTLS died with the old one (RFC 9051 §6.2.1).
                out = Wire::new(server_without_greeting(options(&config.limits)));
            }
        }
    }
    if let Some(login) = session.state.login()
        && let Err(error) = session.service.logout(&login.auth).await
    {
        tracing::warn!(session = id, %error, "session end not traced");
    }
}

/// Resolves when the watched mailbox changes; never without a watch (or once its
/// sender is gone).
async fn changed(watcher: &mut Option<tokio::sync::watch::Receiver<u64>>) {
    if let Some(watcher) = watcher
        && watcher.changed().await.is_ok()
    {
        return;
    }
    std::future::pending().await
}

/// imap-next's reading of a client's bytes under `limits`: CRLF only, literals and
/// commands bounded (MS-1).
pub(crate) fn options(limits: &Limits) -> Options {
    let mut options = Options::default();
    options.crlf_relaxed = false;
    options.max_literal_size = limits.max_literal;
    options.max_command_size = limits.max_command.max(limits.max_literal + 1);
    let _ = options.set_literal_accept_text("ready for the literal".into());
    let _ = options.set_literal_reject_text(format!(
        "{} of {} bytes before login (AU-3), {} after (MS-1, APPENDLIMIT): \
         nothing was read",
        crate::wire::LITERAL_REFUSED,
        crate::preauth::LITERAL,
        limits.max_literal
    ));
    options
}

/// A protocol state with its greeting already consumed: after STARTTLS the server
/// must not greet again.
fn server_without_greeting(options: Options) -> Server {
    let mut server = Server::new(
        options,
        Greeting::ok(None, "unused").expect("valid greeting"),
    );
    let _ = ProtocolState::next(&mut server); // the greeting's bytes, dropped
    let _ = ProtocolState::next(&mut server); // GreetingSent
    server
}

/// Drives the stream until every response given is written, then flushes.
async fn flush(stream: &mut Stream, out: &mut Wire) -> Result<(), ()> {
    while !out.is_flushed() {
        match stream.next(&mut *out).await {
            Ok(_) | Err(StreamError::State(_)) => {}
            Err(_) => return Err(()),
        }
    }
    stream.flush().await.map_err(|_| ())
}

/// Sends what is queued up to the final BYE, giving a client that does not read
/// a few seconds at most.
async fn say_last(stream: &mut Stream, out: &mut Wire) {
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), flush(stream, out)).await;
}

/// The tag at the start of a line the grammar refused, when it has one.
fn tag_of(bytes: &[u8]) -> Option<Tag<'static>> {
    let end = bytes.iter().position(|b| *b == b' ')?;
    Tag::try_from(bytes[..end].to_vec()).ok()
}

impl Session {
    /// The TLS handshake; logs and returns `None` when it fails.
    async fn handshake(&mut self, acceptor: &TlsAcceptor, tcp: TcpStream) -> Option<Stream> {
        let accepted = caduceus_net::tls::accept(acceptor, tcp, self.config.limits.handshake).await;
        match accepted {
            Ok(tls) => {
                self.client_certificate = caduceus_pki::peer_identity(tls.get_ref().1);
                self.tls = true;
                Some(Stream::tls(tokio_rustls::TlsStream::Server(tls)))
            }
            Err(error) => {
                info!(session = self.id, %error, "closed: TLS handshake failed");
                None
            }
        }
    }

    /// Folder names go in UTF-8 (IMAP4rev2, RFC 9051 §5.1; UTF8=ACCEPT, RFC 6855
    /// §3), not in modified UTF-7.
    pub(crate) fn utf8_names(&self) -> bool {
        self.rev2 || self.utf8
    }

    /// The capabilities for the current state (RFC 9051 §7.2.2): before TLS only
    /// STARTTLS and LOGINDISABLED; no AUTH= before TLS.
    pub(crate) fn capabilities(&self) -> Vec1<Capability<'static>> {
        let mut caps = vec![Capability::Imap4Rev1];
        if !self.tls {
            caps.extend([Capability::StartTls, Capability::LoginDisabled]);
        } else if !self.state.logged_in() {
            caps.extend([
                Capability::Auth(AuthMechanism::Plain),
                Capability::Auth(AuthMechanism::Login),
                Capability::Auth("EXTERNAL".parse().expect("valid mechanism")),
                Capability::SaslIr,
            ]);
            if self.service.accepts_bearer_tokens() {
                caps.extend([
                    Capability::Auth(AuthMechanism::OAuthBearer),
                    Capability::Auth(AuthMechanism::XOAuth2),
                ]);
            }
        }
        caps.extend([
            Capability::try_from("IMAP4rev2").expect("valid capability"),
            Capability::Idle,
            Capability::Enable,
            Capability::LiteralPlus,
            Capability::ListExtended,
            Capability::try_from("LIST-STATUS").expect("valid capability"),
            Capability::try_from("ESEARCH").expect("valid capability"),
            Capability::try_from("SEARCHRES").expect("valid capability"),
            Capability::StatusSize,
            Capability::UidPlus,
            Capability::Move,
            Capability::Unselect,
            Capability::Id,
            Capability::Namespace,
            Capability::CondStore,
            Capability::QResync,
            Capability::Sort(None),
            Capability::Quota,
            Capability::Binary,
            Capability::QuotaRes(imap_next::imap_types::extensions::quota::Resource::Storage),
            Capability::try_from("SPECIAL-USE").expect("valid capability"),
            // Read-only access lists (RFC 4314, RFC 8440): what a login may do in
            // its own mailbox and in those it acts for (ID-3, ID-7).
            Capability::try_from("ACL").expect("valid capability"),
            Capability::try_from(crate::commands::RIGHTS_CAPABILITY).expect("valid capability"),
            Capability::try_from("LIST-MYRIGHTS").expect("valid capability"),
            // The largest message the service takes (RFC 7889, MS-1): a larger APPEND
            // gets `NO [TOOBIG]`, a synchronizing literal before a byte of it is sent.
            Capability::try_from(format!(
                "APPENDLIMIT={}",
                self.service.config().max_message_size
            ))
            .expect("valid capability"),
            // Folder and message ids (RFC 8474): MAILBOXID, EMAILID, THREADID (NIL).
            Capability::try_from("OBJECTID").expect("valid capability"),
            // UTF-8 folder names and messages once enabled (RFC 6855).
            Capability::try_from("UTF8=ACCEPT").expect("valid capability"),
            // Pages of SEARCH results and of FETCHed messages (RFC 9394).
            Capability::try_from("PARTIAL").expect("valid capability"),
        ]);
        if self.tls {
            // DEFLATE inside TLS (RFC 4978), never in clear.
            caps.push(Capability::try_from("COMPRESS=DEFLATE").expect("valid capability"));
        }
        Vec1::try_from(caps).expect("not empty")
    }

    /// Answers a line the grammar refused; true when the session must end (its
    /// BYE queued).
    async fn protocol_error(&mut self, out: &mut Wire, error: ServerError) -> bool {
        if out.compression_broken() {
            info!(session = self.id, "closed: compressed input is not DEFLATE");
            out.enqueue_status(
                Status::bye(None, "the compressed stream is not DEFLATE").expect("valid BYE"),
            );
            return true;
        }
        let text = match &error {
            // imap-next already answered BAD, before the literal was sent.
            ServerError::LiteralTooLong { .. } => {
                info!(session = self.id, "literal over the size limit refused");
                return false;
            }
            ServerError::ExpectedCrlfGotLf { .. } => "lines must end with CRLF",
            ServerError::CommandTooLong { .. } => "command too long",
            ServerError::MalformedMessage { .. } => {
                "syntax error or unknown command (see RFC 9051 section 9)"
            }
        };
        let discarded = match &error {
            ServerError::ExpectedCrlfGotLf { discarded_bytes }
            | ServerError::MalformedMessage { discarded_bytes }
            | ServerError::CommandTooLong { discarded_bytes } => {
                discarded_bytes.declassify().to_vec()
            }
            ServerError::LiteralTooLong { .. } => Vec::new(),
        };
        if let Some(pending) = self.pending_auth.take() {
            out.authenticate_finish(status(
                Kind::Bad,
                Some(pending.tag),
                None,
                "the response is not valid base64",
            ));
            return false;
        }
        if self.idle.is_some() {
            out.enqueue_status(status(Kind::Bad, None, None, "expected DONE"));
            return false;
        }
        if let (ServerError::MalformedMessage { .. }, true) = (&error, self.state.logged_in()) {
            // SEARCH EMAILID (RFC 8474 §6) needs each message's id.
            let email_ids = discarded
                .windows(7)
                .any(|w| w.eq_ignore_ascii_case(b"EMAILID"));
            let saved = self
                .state
                .selected()
                .map(|s| s.saved_sets(email_ids))
                .unwrap_or_default();
            if let Some(command) = crate::extended::parse(&discarded, &saved) {
                self.errors = 0;
                if !self.over_rate(out, command.tag().clone()) {
                    self.extended_command(out, command).await;
                }
                return false;
            }
        }
        if let Some(text) = self.oversized_literal(&discarded) {
            out.enqueue_status(status(
                Kind::Bad,
                tag_of(&discarded),
                Some(Code::TooBig),
                &text,
            ));
            return false;
        }
        self.errors += 1;
        if self.errors >= self.config.limits.max_errors {
            info!(session = self.id, "closed: too many protocol errors");
            out.enqueue_status(Status::bye(None, "too many errors").expect("valid BYE"));
            return true;
        }
        out.enqueue_status(status(Kind::Bad, tag_of(&discarded), None, text));
        false
    }

    /// Handles one event of the protocol state.
    async fn event(&mut self, out: &mut Wire, event: Event) -> Flow {
        match event {
            Event::GreetingSent { .. } | Event::ResponseSent { .. } => Flow::Continue,
            Event::CommandAuthenticateReceived {
                command_authenticate:
                    CommandAuthenticate {
                        tag,
                        mechanism,
                        initial_response,
                    },
            } => {
                let initial = initial_response.map(|r| r.declassify().to_vec());
                self.authenticate(out, tag, mechanism, initial).await;
                Flow::Continue
            }
            Event::AuthenticateDataReceived { authenticate_data } => {
                let Some(pending) = self.pending_auth.take() else {
                    return Flow::Continue;
                };
                match authenticate_data {
                    AuthenticateData::Continue(data) => {
                        let data = zeroize::Zeroizing::new(data.declassify().to_vec());
                        self.authenticate_step(out, pending, &data).await;
                    }
                    AuthenticateData::Cancel => {
                        out.authenticate_finish(status(
                            Kind::Bad,
                            Some(pending.tag),
                            None,
                            "authentication cancelled",
                        ));
                    }
                }
                Flow::Continue
            }
            Event::IdleCommandReceived { tag } => {
                if !self.state.logged_in() {
                    out.idle_reject(status(Kind::No, Some(tag), None, "log in first"));
                } else {
                    out.idle_accept(
                        CommandContinuationRequest::basic(None, "idling: send DONE to stop")
                            .expect("valid continuation"),
                    );
                    self.idle = Some(tag);
                }
                Flow::Continue
            }
            Event::IdleDoneReceived => {
                if let Some(tag) = self.idle.take() {
                    let refreshed = self.refresh(out).await;
                    let done = status(Kind::Ok, Some(tag.clone()), None, "IDLE terminated");
                    out.enqueue_status(crate::commands::after_refresh(tag, refreshed, done));
                }
                Flow::Continue
            }
            Event::CommandReceived { command } => {
                self.errors = 0;
                // LOGOUT always passes: a client told to slow down may still leave.
                let counted = !matches!(command.body, CommandBody::Logout);
                if counted && self.over_rate(out, command.tag.clone()) {
                    return Flow::Continue;
                }
                self.command(out, command).await
            }
        }
    }

    /// Counts one command against the session's rate (MS-13); true when over it,
    /// the command refused.
    fn over_rate(&mut self, out: &mut Wire, tag: Tag<'static>) -> bool {
        let Err(wait) = self.take_command() else {
            return false;
        };
        out.enqueue_status(status(
            Kind::No,
            Some(tag),
            Some(crate::reply::code("LIMIT")),
            &format!(
                "too many commands (MS-13); slow down and retry in {} s",
                wait.as_secs().max(1)
            ),
        ));
        true
    }

    /// The answer's text when `line` announced a non-synchronizing literal (LITERAL+,
    /// RFC 7888) over the size limit: imap-next read and dropped it, unparsed.
    fn oversized_literal(&self, line: &[u8]) -> Option<String> {
        let limit = self.config.limits.max_literal as u64;
        let announced = line
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w == b"+}")
            .find_map(|(end, _)| {
                let start = line[..end].iter().rposition(|b| *b == b'{')? + 1;
                std::str::from_utf8(&line[start..end])
                    .ok()?
                    .parse::<u64>()
                    .ok()
            })?;
        (announced > limit).then(|| {
            format!(
                "literal of {announced} bytes over the size limit of {limit} bytes (MS-1): discarded"
            )
        })
    }

    /// Counts one command against the session's rate; how long to wait when over.
    fn take_command(&mut self) -> Result<(), std::time::Duration> {
        let Some(rate) = self.config.limits.command_rate else {
            return Ok(());
        };
        let now = caduceus_core::Clock::now(&caduceus_core::SystemClock);
        self.command_due = Some(rate.take(self.command_due, now)?);
        Ok(())
    }

    /// Whether the login, if any, still holds: not older than
    /// [`crate::Limits::max_login`], its device not revoked, its account active (asked
    /// of the service at most every [`crate::Limits::recheck_every`]). If not, the
    /// `BYE` to send.
    async fn login_ended(&mut self) -> Option<&'static str> {
        let limits = &self.config.limits;
        let login = self.state.login_mut()?;
        let now = std::time::Instant::now();
        if now.duration_since(login.since) >= limits.max_login {
            return Some("login lifetime reached: log in again");
        }
        if now.duration_since(login.checked) < limits.recheck_every {
            return None;
        }
        match self.service.still_valid(&login.auth).await {
            Ok(()) => {
                login.checked = now;
                None
            }
            Err(caduceus_service::ServiceError::Denied { .. }) => {
                Some("this login no longer holds (credential revoked or account suspended)")
            }
            Err(_) => Some("temporarily unable to check this login; log in again"),
        }
    }

    /// Answers a command in any state.
    pub(crate) async fn command(&mut self, out: &mut Wire, command: Command<'static>) -> Flow {
        if let Some(why) = self.login_ended().await {
            info!(session = self.id, "closed: {why}");
            out.enqueue_status(Status::bye(None, why).expect("valid BYE"));
            return Flow::Close;
        }
        let Command { tag, body } = command;
        match body {
            CommandBody::Capability => {
                out.enqueue_data(Data::Capability(self.capabilities()));
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "CAPABILITY completed"));
            }
            CommandBody::Noop | CommandBody::Check => {
                let refreshed = self.refresh(out).await;
                let done = status(Kind::Ok, Some(tag.clone()), None, "completed");
                out.enqueue_status(crate::commands::after_refresh(tag, refreshed, done));
            }
            CommandBody::Logout => {
                out.enqueue_status(Status::bye(None, "logging out").expect("valid BYE"));
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "LOGOUT completed"));
                return Flow::Close;
            }
            CommandBody::StartTLS => {
                if self.tls {
                    out.enqueue_status(status(Kind::Bad, Some(tag), None, "TLS is already active"));
                } else {
                    out.enqueue_status(status(
                        Kind::Ok,
                        Some(tag),
                        None,
                        "begin TLS negotiation now",
                    ));
                    return Flow::StartTls;
                }
            }
            CommandBody::Id { .. } => {
                out.enqueue_data(Data::Id {
                    parameters: Some(vec![
                        (
                            "name".try_into().expect("valid string"),
                            imap_next::imap_types::core::NString::try_from("Caduceus")
                                .expect("valid string"),
                        ),
                        (
                            "version".try_into().expect("valid string"),
                            imap_next::imap_types::core::NString::try_from(env!(
                                "CARGO_PKG_VERSION"
                            ))
                            .expect("valid string"),
                        ),
                    ]),
                });
                out.enqueue_status(status(Kind::Ok, Some(tag), None, "ID completed"));
            }
            // RFC 4978: once logged in (nothing but a login is read before).
            CommandBody::Compress { .. } if self.state.logged_in() => self.compress(out, tag),
            CommandBody::Login { username, password } => {
                let username = String::from_utf8_lossy(username.as_ref()).into_owned();
                let password = zeroize::Zeroizing::new(password.declassify().as_ref().to_vec());
                self.login_command(out, tag, &username, &password).await;
            }
            CommandBody::Authenticate { .. } => {
                // imap-next delivers AUTHENTICATE as its own event.
                out.enqueue_status(status(
                    Kind::Bad,
                    Some(tag),
                    None,
                    "unexpected AUTHENTICATE",
                ));
            }
            body => {
                let (login, selected) = match self.state.take() {
                    State::Authenticated(login) => (login, None),
                    State::Selected(login, selected) => (login, Some(*selected)),
                    State::NotAuthenticated => {
                        let text = if self.tls {
                            "log in first (AUTHENTICATE PLAIN with a device credential, or EXTERNAL)"
                        } else {
                            "STARTTLS first: nothing but CAPABILITY, NOOP and LOGOUT before TLS (MS-3)"
                        };
                        debug!(
                            session = self.id,
                            command = body.name(),
                            "refused before login"
                        );
                        out.enqueue_status(status(Kind::No, Some(tag), None, text));
                        return Flow::Continue;
                    }
                };
                let (flow, selected) = self.mail_command(out, tag, body, &login, selected).await;
                self.state = State::after(login, selected);
                return flow;
            }
        }
        Flow::Continue
    }
}
