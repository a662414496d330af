//! IMAP logins (RFC 9051 §6.2): LOGIN and AUTHENTICATE PLAIN / LOGIN with a device
//! credential (AU-2), AUTHENTICATE EXTERNAL with the TLS client certificate (AU-1),
//! AUTHENTICATE OAUTHBEARER / XOAUTH2 with an OpenID provider's access token when one
//! is configured (AU-4) — the same credentials as SMTP submission; the web password is
//! never accepted. This module runs the SASL exchange and says how a refusal reads;
//! the login itself, with its rules, is the service's one entry, `Service::sasl_login`.
//! Failures read alike whatever went wrong (AU-3). Nothing of a credential is logged.

use std::time::Duration;

use caduceus_core::sasl::{PlainResponse, login_text};
pub(crate) use caduceus_service::sasl::Mechanism;
use caduceus_service::sasl::SaslRefusal;
use imap_next::imap_types::auth::AuthMechanism;
use imap_next::imap_types::core::Tag;

/// The mechanism a client asked for, if offered (the bearer ones only when `bearer`:
/// a provider is configured).
pub fn mechanism(mechanism: &AuthMechanism<'_>, bearer: bool) -> Option<Mechanism> {
    match mechanism {
        AuthMechanism::Plain => Some(Mechanism::Plain),
        AuthMechanism::Login => Some(Mechanism::Login),
        AuthMechanism::OAuthBearer if bearer => Some(Mechanism::OAuthBearer),
        AuthMechanism::XOAuth2 if bearer => Some(Mechanism::XOAuth2),
        other if other.as_ref().eq_ignore_ascii_case("EXTERNAL") => Some(Mechanism::External),
        _ => None,
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
}

/// How a refused login reads (RFC 5530 response codes); for a refused token, the
/// error challenge (JSON) to send first (RFC 7628 §3.2.2; the same for XOAUTH2).
pub(crate) fn refused(refusal: SaslRefusal) -> (Refused, Option<String>) {
    let failed = |delay| Refused {
        delay,
        ..Refused::new("authentication failed")
    };
    let unavailable = |text: &str| Refused {
        code: "UNAVAILABLE",
        ..Refused::new(text)
    };
    match refusal {
        SaslRefusal::Failed { delay } => (failed(delay), None),
        SaslRefusal::ForeignAuthzid { delay } => (
            Refused {
                delay,
                ..Refused::new(
                    "authentication failed: the authorization identity must be empty or your own address",
                )
            },
            None,
        ),
        SaslRefusal::NoNationalId => (
            Refused::new("authentication failed: the certificate carries no national identifier"),
            None,
        ),
        SaslRefusal::Malformed(text) => (Refused::new(&text), None),
        SaslRefusal::TokenRejected { challenge, delay } => (failed(delay), Some(challenge)),
        SaslRefusal::Throttled => (
            unavailable("too many failed attempts; try again later (AU-3)"),
            None,
        ),
        SaslRefusal::Locked(text) => (Refused::new(&text), None),
        SaslRefusal::Unavailable => (
            unavailable("temporary authentication failure; try again later"),
            None,
        ),
        SaslRefusal::StorageFull => (
            unavailable("the server's storage is full; try again later"),
            None,
        ),
    }
}
