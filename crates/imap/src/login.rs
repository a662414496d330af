//! The logins of the not-authenticated state (RFC 9051 §6.2): LOGIN and
//! AUTHENTICATE, over TLS only, each ending in the authenticated state
//! ([`State::Authenticated`]) or in a refusal, after the delay AU-3 asks for. The
//! SASL exchange itself is [`crate::auth`]'s; the login is the service's.

use caduceus_service::auth::Authenticated;
use caduceus_service::sasl::SaslLogin;
use imap_next::imap_types::auth::AuthMechanism;
use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Code, CommandContinuationRequest, Status};
use tracing::info;

use crate::auth::{self, PendingAuth};
use crate::reply::{Kind, status};
use crate::session::Session;
use crate::state::{Login, State};
use crate::wire::Wire;

impl Session {
    /// LOGIN: the user name and a device credential (AU-2), over TLS only.
    pub(crate) async fn login_command(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        user: &str,
        secret: &[u8],
    ) {
        if !self.tls {
            out.enqueue_status(status(
                Kind::No,
                Some(tag),
                Some(crate::reply::code("PRIVACYREQUIRED")),
                "STARTTLS first: no credential is accepted in clear (MS-3)",
            ));
            return;
        }
        if self.state.logged_in() {
            out.enqueue_status(status(Kind::Bad, Some(tag), None, "already logged in"));
            return;
        }
        let result = match caduceus_core::sasl::login_text(secret) {
            Some(password) => {
                let password = caduceus_core::SecretString::new(password);
                let login = SaslLogin::Password {
                    authzid: "",
                    authcid: user,
                    password: &password,
                };
                self.service
                    .sasl_login(login, &self.source)
                    .await
                    .map_err(|refusal| auth::refused(refusal).0)
            }
            None => Err(auth::Refused::new("authentication failed")),
        };
        let answer = self.logged_in(tag, result).await;
        out.enqueue_status(answer);
    }

    pub(crate) async fn authenticate(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        mechanism: AuthMechanism<'static>,
        initial: Option<Vec<u8>>,
    ) {
        let refuse = |text: &str, tag: Tag<'static>| status(Kind::No, Some(tag), None, text);
        if !self.tls {
            out.authenticate_finish(refuse(
                "STARTTLS first: no authentication before TLS (MS-3)",
                tag,
            ));
            return;
        }
        if self.state.logged_in() {
            out.authenticate_finish(status(Kind::Bad, Some(tag), None, "already logged in"));
            return;
        }
        let bearer = self.service.accepts_bearer_tokens();
        let Some(mechanism) = auth::mechanism(&mechanism, bearer) else {
            out.authenticate_finish(refuse(
                "unsupported mechanism: use PLAIN or LOGIN with a device credential, or EXTERNAL",
                tag,
            ));
            return;
        };
        let pending = PendingAuth::new(tag, mechanism);
        match initial {
            Some(data) => self.authenticate_step(out, pending, &data).await,
            None => {
                let challenge = pending.first_challenge();
                out.authenticate_continue(CommandContinuationRequest::base64(challenge));
                self.pending_auth = Some(pending);
            }
        }
    }

    pub(crate) async fn authenticate_step(
        &mut self,
        out: &mut Wire,
        pending: PendingAuth,
        data: &[u8],
    ) {
        match pending.step(data) {
            auth::Step::Challenge(next, challenge) => {
                out.authenticate_continue(CommandContinuationRequest::base64(challenge));
                self.pending_auth = Some(next);
            }
            auth::Step::Bearer(tag, mechanism, message) => {
                let login = SaslLogin::Bearer {
                    kind: mechanism.bearer().expect("a bearer mechanism"),
                    message: &message,
                };
                match self.service.sasl_login(login, &self.source).await {
                    Ok(login) => {
                        let answer = self.logged_in(tag, Ok(login)).await;
                        out.authenticate_finish(answer);
                    }
                    Err(refusal) => match auth::refused(refusal) {
                        (refused, Some(json)) => {
                            out.authenticate_continue(CommandContinuationRequest::base64(
                                json.into_bytes(),
                            ));
                            self.pending_auth =
                                Some(PendingAuth::after_error_challenge(tag, mechanism, refused));
                        }
                        (refused, None) => {
                            let answer = self.logged_in(tag, Err(refused)).await;
                            out.authenticate_finish(answer);
                        }
                    },
                }
            }
            auth::Step::Refused(tag, refused) => {
                let answer = self.logged_in(tag, Err(refused)).await;
                out.authenticate_finish(answer);
            }
            auth::Step::Malformed(tag, text) => {
                out.authenticate_finish(status(Kind::Bad, Some(tag), None, text));
            }
            auth::Step::Password(tag, login) => {
                let login = SaslLogin::Password {
                    authzid: &login.authzid,
                    authcid: &login.authcid,
                    password: &login.password,
                };
                let result = self
                    .service
                    .sasl_login(login, &self.source)
                    .await
                    .map_err(|refusal| auth::refused(refusal).0);
                let answer = self.logged_in(tag, result).await;
                out.authenticate_finish(answer);
            }
            auth::Step::External(tag, authzid) => {
                let result = match &self.client_certificate {
                    Some(identity) => {
                        let login = SaslLogin::External {
                            national_id: identity.serial_number.as_deref(),
                            authzid: &authzid,
                        };
                        self.service
                            .sasl_login(login, &self.source)
                            .await
                            .map_err(|refusal| auth::refused(refusal).0)
                    }
                    None => Err(auth::Refused::new(
                        "EXTERNAL needs a client certificate presented in the TLS handshake (AU-1)",
                    )),
                };
                let answer = self.logged_in(tag, result).await;
                out.authenticate_finish(answer);
            }
        }
    }

    /// Turns a login's outcome into the tagged answer, after the delay AU-3 asks for.
    async fn logged_in(
        &mut self,
        tag: Tag<'static>,
        result: Result<Authenticated, auth::Refused>,
    ) -> Status<'static> {
        let auth = match result {
            Ok(auth) => auth,
            Err(refused) => {
                tokio::time::sleep(refused.delay).await;
                return status(
                    Kind::No,
                    Some(tag),
                    Some(crate::reply::code(refused.code)),
                    &refused.text,
                );
            }
        };
        let caller = auth.caller();
        let owner = auth.account().id;
        match self.service.authorize(&caller, owner).await {
            Ok(access) => {
                info!(session = self.id, account = %owner, "logged in");
                let now = std::time::Instant::now();
                self.state = State::Authenticated(Login {
                    auth,
                    access,
                    since: now,
                    checked: now,
                });
                status(
                    Kind::Ok,
                    Some(tag),
                    Some(Code::Capability(self.capabilities())),
                    "logged in",
                )
            }
            Err(error) => crate::reply::from_service(tag, &error),
        }
    }
}
