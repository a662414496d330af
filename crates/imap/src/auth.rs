//! IMAP logins (RFC 9051 §6.2): LOGIN and AUTHENTICATE PLAIN / LOGIN with a device
//! credential (AU-2), AUTHENTICATE EXTERNAL with the TLS client certificate (AU-1),
//! AUTHENTICATE OAUTHBEARER / XOAUTH2 with an OpenID provider's access token when one
//! is configured (AU-4) — the same credentials as SMTP submission; the web password is
//! never accepted.
//! Failures read alike whatever went wrong (AU-3). Nothing of a credential is logged.

use std::time::Duration;

use caduceus_core::sasl::{PlainResponse, login_text};
use caduceus_core::{MailAddress, NationalId};
use caduceus_pki::CertIdentity;
use caduceus_service::auth::{Authenticated, Credentials};
use caduceus_service::{Service, ServiceError};
use imap_next::imap_types::auth::AuthMechanism;
use imap_next::imap_types::core::Tag;

/// The mechanisms offered after TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mechanism {
    Plain,
    Login,
    External,
    OAuthBearer,
    XOAuth2,
}

impl Mechanism {
    /// The mechanism a client asked for, if offered (the bearer ones only when
    /// `bearer`: a provider is configured).
    pub fn from_imap(mechanism: &AuthMechanism<'_>, bearer: bool) -> Option<Mechanism> {
        match mechanism {
            AuthMechanism::Plain => Some(Mechanism::Plain),
            AuthMechanism::Login => Some(Mechanism::Login),
            AuthMechanism::OAuthBearer if bearer => Some(Mechanism::OAuthBearer),
            AuthMechanism::XOAuth2 if bearer => Some(Mechanism::XOAuth2),
            other if other.as_ref().eq_ignore_ascii_case("EXTERNAL") => Some(Mechanism::External),
            _ => None,
        }
    }
}

/// An AUTHENTICATE exchange waiting for the client's next response.
pub(crate) struct PendingAuth {
    pub tag: Tag<'static>,
    mechanism: Mechanism,
    /// LOGIN: the user name, once given.
    user: Option<String>,
    /// OAUTHBEARER / XOAUTH2: the refusal to send once the client has answered the
    /// error challenge (RFC 7628 §3.2.3).
    refused: Option<Refused>,
}

/// What a client response leads to.
pub(crate) enum Step {
    /// Another challenge to send.
    Challenge(PendingAuth, Vec<u8>),
    /// The response does not fit the mechanism.
    Malformed(Tag<'static>, &'static str),
    /// An address and a device credential to check.
    Password(Tag<'static>, PlainResponse),
    /// An OAUTHBEARER or XOAUTH2 message to check.
    Bearer(Tag<'static>, Mechanism, Vec<u8>),
    /// The end of a refused bearer exchange.
    Refused(Tag<'static>, Refused),
    /// EXTERNAL, with its authorization identity (empty for the certificate's own).
    External(Tag<'static>, Vec<u8>),
}

impl PendingAuth {
    pub fn new(tag: Tag<'static>, mechanism: Mechanism) -> Self {
        Self {
            tag,
            mechanism,
            user: None,
            refused: None,
        }
    }

    /// A bearer exchange waiting for the client's answer to the error challenge.
    pub fn after_error_challenge(
        tag: Tag<'static>,
        mechanism: Mechanism,
        refused: Refused,
    ) -> Self {
        Self {
            tag,
            mechanism,
            user: None,
            refused: Some(refused),
        }
    }

    /// The first challenge: empty, except LOGIN's "Username:".
    pub fn first_challenge(&self) -> Vec<u8> {
        match self.mechanism {
            Mechanism::Login => b"Username:".to_vec(),
            _ => Vec::new(),
        }
    }

    /// Takes the client's (decoded) response.
    pub fn step(self, data: &[u8]) -> Step {
        if let Some(refused) = self.refused {
            return Step::Refused(self.tag, refused);
        }
        match self.mechanism {
            Mechanism::OAuthBearer | Mechanism::XOAuth2 => {
                Step::Bearer(self.tag, self.mechanism, data.to_vec())
            }
            Mechanism::Plain => match PlainResponse::parse(data) {
                Some(plain) => Step::Password(self.tag, plain),
                None => Step::Malformed(self.tag, "malformed PLAIN response (RFC 4616)"),
            },
            Mechanism::External => Step::External(self.tag, data.to_vec()),
            Mechanism::Login => match (login_text(data), self.user) {
                (Some(user), None) => Step::Challenge(
                    PendingAuth {
                        tag: self.tag,
                        mechanism: Mechanism::Login,
                        user: Some(user),
                        refused: None,
                    },
                    b"Password:".to_vec(),
                ),
                (Some(password), Some(user)) => Step::Password(
                    self.tag,
                    PlainResponse {
                        authzid: String::new(),
                        authcid: user,
                        password: caduceus_core::SecretString::new(password),
                    },
                ),
                (None, _) => Step::Malformed(self.tag, "malformed LOGIN response"),
            },
        }
    }
}

/// A refused login: the response code, the text, how long to wait first (AU-3).
pub(crate) struct Refused {
    pub code: &'static str,
    pub text: String,
    pub delay: Duration,
}

impl Refused {
    /// A refusal with an explanation and no delay.
    pub fn new(text: &str) -> Self {
        Self {
            code: "AUTHENTICATIONFAILED",
            text: text.to_owned(),
            delay: Duration::ZERO,
        }
    }

    fn from_service(error: &ServiceError) -> Self {
        match error {
            ServiceError::AuthFailed { delay } => Refused {
                delay: *delay,
                ..Refused::new("authentication failed")
            },
            ServiceError::Throttled { .. } => Refused {
                code: "UNAVAILABLE",
                ..Refused::new("too many failed attempts; try again later (AU-3)")
            },
            ServiceError::Locked { .. } => Refused::new(&error.to_string()),
            ServiceError::Store(_) | ServiceError::Unavailable(_) => Refused {
                code: "UNAVAILABLE",
                ..Refused::new("temporary authentication failure; try again later")
            },
            _ => Refused::new("authentication failed"),
        }
    }
}

/// A refused bearer login: the error challenge to send first (RFC 7628 §3.2.2; the
/// same for XOAUTH2), then the refusal.
pub(crate) struct BearerRefusal {
    /// The JSON of the error challenge, when the token itself was refused.
    pub challenge: Option<String>,
    pub refused: Refused,
}

/// Logs in with an OAUTHBEARER or XOAUTH2 message: the provider checks the token and
/// the national identifier it asserts names the account; the address the client
/// gives (`a=`, `user=`), if any, must be that account's.
pub(crate) async fn bearer_login(
    service: &Service,
    mechanism: Mechanism,
    message: &[u8],
    source: &str,
) -> Result<Authenticated, BearerRefusal> {
    let plain = |refused| BearerRefusal {
        challenge: None,
        refused,
    };
    let parsed = match mechanism {
        Mechanism::XOAuth2 => caduceus_oidc::parse_xoauth2(message),
        _ => caduceus_oidc::parse_oauthbearer(message),
    };
    let credentials =
        parsed.map_err(|e| plain(Refused::new(&format!("malformed SASL message: {e}"))))?;
    let authzid = match credentials.authzid.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match MailAddress::parse(text) {
            Ok(address) => Some(address),
            Err(_) => return Err(plain(Refused::new("authentication failed"))),
        },
    };
    match service
        .login_bearer(&credentials.token, authzid.as_ref(), source)
        .await
    {
        Ok(login) => Ok(login),
        Err(error @ ServiceError::AuthFailed { .. }) => Err(BearerRefusal {
            challenge: Some(match mechanism {
                Mechanism::XOAuth2 => {
                    caduceus_oidc::xoauth2_error_challenge("401", Some("bearer"), None)
                }
                _ => service.oauthbearer_challenge().unwrap_or_else(|| {
                    caduceus_oidc::oauthbearer_error_challenge("invalid_token", None, None)
                }),
            }),
            refused: Refused::from_service(&error),
        }),
        Err(error) => Err(plain(Refused::from_service(&error))),
    }
}

/// LOGIN's user name and password.
pub(crate) async fn password_login(
    service: &Service,
    user: &str,
    secret: &[u8],
    source: &str,
) -> Result<Authenticated, Refused> {
    let Some(password) = login_text(secret) else {
        return Err(Refused::new("authentication failed"));
    };
    let login = PlainResponse {
        authzid: String::new(),
        authcid: user.to_owned(),
        password: caduceus_core::SecretString::new(password),
    };
    sasl_password_login(service, login, source).await
}

/// Checks an address and a device credential; an authorization identity other than
/// the address itself is refused (a delegate opens an organisational mailbox under
/// their own login, ID-3).
pub(crate) async fn sasl_password_login(
    service: &Service,
    login: PlainResponse,
    source: &str,
) -> Result<Authenticated, Refused> {
    let Ok(address) = MailAddress::parse(login.authcid.trim()) else {
        return Err(Refused::new("authentication failed"));
    };
    if !login.authzid.is_empty()
        && MailAddress::parse(login.authzid.trim()).ok() != Some(address.clone())
    {
        return Err(Refused::new(
            "authentication failed: the authorization identity must be empty or your own address",
        ));
    }
    let credentials = Credentials::Device {
        credential: &login.password,
    };
    service
        .login(&address, credentials, source)
        .await
        .map_err(|e| Refused::from_service(&e))
}

/// Logs in with the TLS client certificate: its national identifier names the
/// account; `authzid`, if any, must be that account's address.
pub(crate) async fn certificate_login(
    service: &Service,
    identity: &CertIdentity,
    authzid: &[u8],
    source: &str,
) -> Result<Authenticated, Refused> {
    let Some(national_id) = identity
        .serial_number
        .as_deref()
        .and_then(|id| NationalId::parse(id).ok())
    else {
        return Err(Refused::new(
            "authentication failed: the certificate carries no national identifier",
        ));
    };
    let authzid = match std::str::from_utf8(authzid).map(str::trim) {
        Ok("") => None,
        Ok(text) => match MailAddress::parse(text) {
            Ok(address) => Some(address),
            Err(_) => return Err(Refused::new("authentication failed")),
        },
        Err(_) => return Err(Refused::new("malformed EXTERNAL response")),
    };
    service
        .login_certificate(&national_id, authzid.as_ref(), source)
        .await
        .map_err(|e| Refused::from_service(&e))
}
