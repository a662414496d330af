//! One LDAP connection: requests read with `ldap3_proto`'s codec, answered in order,
//! TLS implicit or after StartTLS, then back to the same loop over the TLS stream.
//!
//! States: anonymous (before a bind, or after an anonymous one: the root DSE may be
//! read, nothing else), bound (searches).
//! A bind needs TLS (MS-3) and a device credential, checked by the service's one
//! login entry, `Service::sasl_login`, as for SMTP and IMAP (AU-2): failures counted
//! and traced there (AU-3, TR-1). The connection's opening and end are traced, and so
//! is the end of a bound session. The directory is read-only: writes are refused.

use std::net::SocketAddr;
use std::sync::Arc;

use caduceus_core::SecretString;
use caduceus_service::auth::{Authenticated, Protocol};
use caduceus_service::sasl::{SaslLogin, SaslRefusal};
use caduceus_service::{Service, ServiceError};
use futures::{SinkExt, StreamExt};
use ldap3_proto::proto::{
    LdapBindCred, LdapBindRequest, LdapBindResponse, LdapExtendedResponse, LdapMsg, LdapOp,
    LdapResult, LdapResultCode, LdapSearchRequest,
};
use ldap3_proto::{DisconnectionNotice, LdapCodec};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;
use tokio_util::codec::Framed;
use tracing::{debug, info};

use crate::LdapConfig;
use crate::entries::START_TLS;
use crate::names::{self, Names};
use crate::search;

/// What every session of a listener shares.
pub(crate) struct Shared {
    /// The listener's configuration.
    pub config: Arc<LdapConfig>,
    /// The use cases.
    pub service: Service,
    /// The TLS side, implicit or after StartTLS.
    pub acceptor: TlsAcceptor,
    /// The directory's names for the operator's domain.
    pub names: Names,
}

/// The state of one session.
struct Session {
    shared: Arc<Shared>,
    /// The client's address (`ip:port`), the source of traces.
    source: String,
    /// Session id, for logs.
    id: u64,
    /// TLS is up (implicit, or after StartTLS).
    tls: bool,
    /// The login of the last successful bind.
    login: Option<Authenticated>,
}

/// How a conversation over one stream ended.
enum End {
    /// The client left, or the session was ended.
    Closed,
    /// StartTLS was answered: the handshake comes next.
    StartTls,
}

/// What to do once a request is answered.
enum Next {
    Continue,
    Close,
    StartTls,
}

/// Runs session `id` with the client at `peer` until it leaves, a limit is hit or
/// `stop`.
pub(crate) async fn run(
    (tcp, peer): (TcpStream, SocketAddr),
    id: u64,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let _ = tcp.set_nodelay(true);
    let mut session = Session {
        shared,
        source: peer.to_string(),
        id,
        tls: false,
        login: None,
    };
    session.trace_connection(true).await;
    session.serve(tcp, &mut stop).await;
    session.end_login().await;
    session.trace_connection(false).await;
}

impl Session {
    async fn serve(&mut self, tcp: TcpStream, stop: &mut watch::Receiver<bool>) {
        let tcp = if self.shared.config.implicit_tls {
            tcp
        } else {
            let mut framed = self.framed(tcp);
            match self.converse(&mut framed, stop).await {
                End::Closed => return,
                End::StartTls => framed.into_parts().io,
            }
        };
        let shared = self.shared.clone();
        let handshake =
            caduceus_net::tls::accept(&shared.acceptor, tcp, shared.config.limits.handshake);
        let tls = tokio::select! {
            accepted = handshake => match accepted {
                Ok(tls) => tls,
                Err(error) => {
                    debug!(session = self.id, %error, "TLS handshake failed");
                    return;
                }
            },
            () = crate::listener::stopped(stop) => return,
        };
        self.tls = true;
        let mut framed = self.framed(tls);
        self.converse(&mut framed, stop).await;
    }

    fn framed<S: AsyncRead + AsyncWrite + Unpin>(&self, io: S) -> Framed<S, LdapCodec> {
        Framed::new(
            io,
            LdapCodec::new(Some(self.shared.config.limits.max_request), None),
        )
    }

    /// Reads and answers requests until the client leaves, StartTLS, or a stop.
    async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        framed: &mut Framed<S, LdapCodec>,
        stop: &mut watch::Receiver<bool>,
    ) -> End {
        let idle = self.shared.config.limits.idle_timeout;
        loop {
            let read = tokio::select! {
                () = crate::listener::stopped(stop) => {
                    let notice = DisconnectionNotice::gen_response(
                        LdapResultCode::Unavailable,
                        "server shutting down",
                    );
                    let _ = framed.send(notice).await;
                    return End::Closed;
                }
                read = tokio::time::timeout(idle, framed.next()) => read,
            };
            let request = match read {
                Ok(Some(Ok(request))) => request,
                Ok(None) => return End::Closed,
                Ok(Some(Err(error))) => {
                    debug!(session = self.id, %error, "unreadable request");
                    let notice = DisconnectionNotice::gen_response(
                        LdapResultCode::ProtocolError,
                        "unreadable or oversized request",
                    );
                    let _ = framed.send(notice).await;
                    return End::Closed;
                }
                Err(_elapsed) => {
                    let notice = DisconnectionNotice::gen_response(
                        LdapResultCode::Unavailable,
                        "idle for too long",
                    );
                    let _ = framed.send(notice).await;
                    return End::Closed;
                }
            };
            let (replies, next) = self.answer(request).await;
            for reply in replies {
                if framed.feed(reply).await.is_err() {
                    return End::Closed;
                }
            }
            if framed.flush().await.is_err() {
                return End::Closed;
            }
            match next {
                Next::Continue => {}
                Next::Close => return End::Closed,
                Next::StartTls => return End::StartTls,
            }
        }
    }

    /// The replies to one request, and what comes after.
    async fn answer(&mut self, request: LdapMsg) -> (Vec<LdapMsg>, Next) {
        let id = request.msgid;
        let reply = |op| vec![LdapMsg::new(id, op)];
        let read_only = || {
            result(
                LdapResultCode::UnwillingToPerform,
                "the directory is read-only: it is imported from the national registers (ID-4)",
            )
        };
        match request.op {
            LdapOp::BindRequest(bind) => {
                let res = self.bind(bind).await;
                (
                    reply(LdapOp::BindResponse(LdapBindResponse {
                        res,
                        saslcreds: None,
                    })),
                    Next::Continue,
                )
            }
            LdapOp::SearchRequest(search) => (self.search(id, &search).await, Next::Continue),
            LdapOp::ExtendedRequest(extended) if extended.name == START_TLS => {
                if self.tls {
                    let res = result(LdapResultCode::OperationsError, "TLS is already on");
                    return (reply(extended_response(res)), Next::Continue);
                }
                let res = result(LdapResultCode::Success, "start TLS");
                (reply(extended_response(res)), Next::StartTls)
            }
            LdapOp::ExtendedRequest(_) => {
                let res = result(
                    LdapResultCode::ProtocolError,
                    "unsupported extended operation: only StartTLS is offered",
                );
                (reply(extended_response(res)), Next::Continue)
            }
            LdapOp::UnbindRequest => (Vec::new(), Next::Close),
            LdapOp::AbandonRequest(_) => (Vec::new(), Next::Continue),
            LdapOp::AddRequest(_) => (reply(LdapOp::AddResponse(read_only())), Next::Continue),
            LdapOp::ModifyRequest(_) => {
                (reply(LdapOp::ModifyResponse(read_only())), Next::Continue)
            }
            LdapOp::DelRequest(_) => (reply(LdapOp::DelResponse(read_only())), Next::Continue),
            LdapOp::ModifyDNRequest(_) => {
                (reply(LdapOp::ModifyDNResponse(read_only())), Next::Continue)
            }
            LdapOp::CompareRequest(_) => {
                (reply(LdapOp::CompareResult(read_only())), Next::Continue)
            }
            _ => (
                vec![DisconnectionNotice::gen_response(
                    LdapResultCode::ProtocolError,
                    "not a request",
                )],
                Next::Close,
            ),
        }
    }

    /// A simple bind with an address (or a DN holding it) and a device credential.
    async fn bind(&mut self, bind: LdapBindRequest) -> LdapResult {
        // A bind starts over: whatever it gives, the previous login is over.
        self.end_login().await;
        if bind.version != 3 {
            return result(LdapResultCode::ProtocolError, "LDAP version 3 only");
        }
        let LdapBindCred::Simple(secret) = bind.cred else {
            return result(
                LdapResultCode::AuthMethodNotSupported,
                "use a simple bind with your address and a device credential (AU-2)",
            );
        };
        let secret = SecretString::new(secret);
        if bind.dn.trim().is_empty() && secret.expose().is_empty() {
            // Anonymous (RFC 4513 §5.1.1): it logs no one in; the root DSE is all an
            // anonymous client reads.
            return result(
                LdapResultCode::Success,
                "anonymous: only the root DSE is readable; bind with your address and a device credential to search (AU-2)",
            );
        }
        if !self.tls {
            return result(
                LdapResultCode::ConfidentialityRequired,
                "StartTLS first: no credential is accepted in clear (MS-3)",
            );
        }
        let user = names::bind_user(&bind.dn);
        let login = SaslLogin::Password {
            authzid: "",
            authcid: &user,
            password: &secret,
        };
        match self.shared.service.sasl_login(login, &self.source).await {
            Ok(auth) => {
                info!(session = self.id, account = %auth.account().id, "LDAP bind");
                self.login = Some(auth);
                result(LdapResultCode::Success, "")
            }
            Err(refusal) => refused(refusal).await,
        }
    }

    /// A search: the root DSE for anyone, the directory for a bound client whose
    /// login still holds.
    async fn search(&mut self, id: i32, request: &LdapSearchRequest) -> Vec<LdapMsg> {
        let done = |res| vec![LdapMsg::new(id, LdapOp::SearchResultDone(res))];
        let root = search::is_root_dse(&self.shared.names, request);
        // A revoked device or a suspended account ends the login; the service
        // traced its end.
        if !root
            && let Some(login) = &self.login
            && self.shared.service.still_valid(login).await.is_err()
        {
            self.login = None;
        }
        let caller = self.login.as_ref().map(Authenticated::caller);
        if caller.is_none() && !root {
            return done(result(
                LdapResultCode::InsufficentAccessRights,
                "bind first, with your address and a device credential (AU-2)",
            ));
        }
        let found = search::run(
            &self.shared.service,
            caller.as_ref(),
            &self.shared.names,
            request,
        )
        .await;
        let found = match found {
            Ok(found) => found,
            Err(error) => return done(service_error(&error)),
        };
        let mut replies: Vec<LdapMsg> = found
            .entries
            .into_iter()
            .map(|entry| {
                let entry = search::select(entry, &request.attrs, request.typesonly);
                LdapMsg::new(id, LdapOp::SearchResultEntry(entry))
            })
            .collect();
        let message = match found.code {
            LdapResultCode::SizeLimitExceeded => "more entries match: narrow the search",
            LdapResultCode::NoSuchObject => "no such entry",
            _ => "",
        };
        let mut res = result(found.code, message);
        res.matcheddn = found.matched;
        replies.extend(done(res));
        replies
    }

    /// Ends a login (a new bind, the connection's end): traced by the service.
    async fn end_login(&mut self) {
        if let Some(login) = self.login.take()
            && let Err(error) = self.shared.service.logout(&login).await
        {
            tracing::warn!(session = self.id, %error, "LDAP session end not traced");
        }
    }

    /// Traces the connection's opening or closing (AU-3).
    async fn trace_connection(&self, opened: bool) {
        let traced = self
            .shared
            .service
            .trace_connection(Protocol::Ldap, &self.source, opened)
            .await;
        if let Err(error) = traced {
            tracing::warn!(session = self.id, %error, "LDAP connection not traced");
        }
    }
}

fn result(code: LdapResultCode, message: &str) -> LdapResult {
    LdapResult {
        code,
        matcheddn: String::new(),
        message: message.to_owned(),
        referral: Vec::new(),
    }
}

fn extended_response(res: LdapResult) -> LdapOp {
    LdapOp::ExtendedResponse(LdapExtendedResponse {
        res,
        name: Some(START_TLS.to_owned()),
        value: None,
    })
}

/// A refused bind, after the delay the gate asks for (AU-3): the same answer for an
/// unknown address, a wrong or revoked credential, an inactive account.
async fn refused(refusal: SaslRefusal) -> LdapResult {
    match refusal {
        SaslRefusal::Failed { delay }
        | SaslRefusal::ForeignAuthzid { delay }
        | SaslRefusal::TokenRejected { delay, .. } => {
            tokio::time::sleep(delay).await;
            result(LdapResultCode::InvalidCredentials, "authentication failed")
        }
        SaslRefusal::Locked(text) => result(LdapResultCode::InvalidCredentials, &text),
        SaslRefusal::NoNationalId | SaslRefusal::Malformed(_) => {
            result(LdapResultCode::InvalidCredentials, "authentication failed")
        }
        SaslRefusal::Throttled => result(
            LdapResultCode::Busy,
            "too many failed attempts; try again later (AU-3)",
        ),
        SaslRefusal::Unavailable => result(
            LdapResultCode::Unavailable,
            "temporary authentication failure; try again later",
        ),
        SaslRefusal::StorageFull => result(
            LdapResultCode::Unavailable,
            "the server's storage is full; try again later",
        ),
    }
}

/// A service failure as a search's result.
fn service_error(error: &ServiceError) -> LdapResult {
    match error {
        ServiceError::Denied { .. } => result(
            LdapResultCode::InsufficentAccessRights,
            "not allowed (AC-1)",
        ),
        other => {
            tracing::error!(error = %other, "LDAP search failed");
            result(
                LdapResultCode::Unavailable,
                "the directory is unavailable; try again later",
            )
        }
    }
}
