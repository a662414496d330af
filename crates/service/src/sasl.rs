//! One way in for mail clients (AU-1, AU-2, AU-3, AU-4): the SASL logins SMTP AUTH and
//! IMAP AUTHENTICATE/LOGIN offer — PLAIN and LOGIN with a device credential, EXTERNAL
//! with the TLS client certificate, OAUTHBEARER and XOAUTH2 with the OpenID provider's
//! access token — checked here once, with their rules: the authorization identity is
//! empty or the account's own address (a delegate opens an organisational mailbox under
//! their own login, ID-3); a user name that is not an address is a counted, traced
//! failure like a wrong secret (AU-3, TR-1). Each front end only decodes the SASL
//! exchange and renders a [`SaslRefusal`] in its protocol's words.

use std::time::Duration;

use caduceus_core::{MailAddress, NationalId, SecretString};

use crate::Service;
use crate::auth::{Authenticated, Credentials, Miss};
use crate::error::ServiceError;

/// What a mail client presented.
pub enum SaslLogin<'a> {
    /// PLAIN (RFC 4616) or LOGIN: who to act as (empty: oneself), the address, the
    /// device credential.
    Password {
        /// The authorization identity.
        authzid: &'a str,
        /// The user name: the account's address.
        authcid: &'a str,
        /// The device credential.
        password: &'a SecretString,
    },
    /// EXTERNAL: the national identifier of the TLS client certificate, if it carries
    /// one, and the authorization identity the client sent.
    External {
        /// The certificate's serial number attribute, as read from it.
        national_id: Option<&'a str>,
        /// The client's message (an address, or empty).
        authzid: &'a [u8],
    },
    /// OAUTHBEARER (RFC 7628) or XOAUTH2: the client's whole message.
    Bearer {
        /// Which of the two.
        kind: BearerKind,
        /// The decoded SASL message.
        message: &'a [u8],
    },
}

/// The SASL mechanisms mail clients are offered (after TLS), whatever the protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mechanism {
    /// `PLAIN` (RFC 4616): authzid, address and device credential in one message.
    Plain,
    /// `LOGIN`: address, then device credential.
    Login,
    /// `EXTERNAL`: the client certificate of the TLS session.
    External,
    /// `OAUTHBEARER` (RFC 7628): an access token, optionally with the address.
    OAuthBearer,
    /// `XOAUTH2`: the address and an access token.
    XOAuth2,
}

impl Mechanism {
    /// The bearer-token kind, for OAUTHBEARER and XOAUTH2.
    pub fn bearer(self) -> Option<BearerKind> {
        match self {
            Mechanism::OAuthBearer => Some(BearerKind::OAuthBearer),
            Mechanism::XOAuth2 => Some(BearerKind::XOAuth2),
            _ => None,
        }
    }
}

/// The two bearer-token mechanisms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BearerKind {
    /// OAUTHBEARER (RFC 7628).
    OAuthBearer,
    /// XOAUTH2 (Google's, as Thunderbird sends it).
    XOAuth2,
}

/// Why a SASL login was refused; each front end says it in its own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaslRefusal {
    /// Unknown address, wrong credential, revoked device, inactive account, a user name
    /// that is no address: the same answer whatever the reason (AU-3), after `delay`.
    Failed {
        /// The progressive delay owed before answering.
        delay: Duration,
    },
    /// The authorization identity names another address.
    ForeignAuthzid {
        /// The delay owed before answering.
        delay: Duration,
    },
    /// The client certificate carries no national identifier.
    NoNationalId,
    /// The message does not have the mechanism's form.
    Malformed(String),
    /// The provider refused the token: send `challenge` (JSON, RFC 7628 §3.2.2 or
    /// XOAUTH2's), then fail after `delay`.
    TokenRejected {
        /// The error challenge's JSON.
        challenge: String,
        /// The delay owed before the final answer.
        delay: Duration,
    },
    /// Too many recent failures: nothing was checked; try later.
    Throttled,
    /// Locked after repeated failures (AU-3); the words to show.
    Locked(String),
    /// Something the login needs (storage, the provider) is unavailable; try later.
    Unavailable,
    /// The server's storage is full (the login's trace could not be written); try
    /// later.
    StorageFull,
}

impl From<ServiceError> for SaslRefusal {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::AuthFailed { delay } => SaslRefusal::Failed { delay },
            ServiceError::Throttled { .. } => SaslRefusal::Throttled,
            locked @ ServiceError::Locked { .. } => SaslRefusal::Locked(locked.to_string()),
            ServiceError::Store(store) if store.is_storage_full() => SaslRefusal::StorageFull,
            ServiceError::Store(_) | ServiceError::Unavailable(_) => SaslRefusal::Unavailable,
            _ => SaslRefusal::Failed {
                delay: Duration::ZERO,
            },
        }
    }
}

impl Service {
    /// Logs a mail client in (see the module documentation).
    pub async fn sasl_login(
        &self,
        login: SaslLogin<'_>,
        source: &str,
    ) -> Result<Authenticated, SaslRefusal> {
        match login {
            SaslLogin::Password {
                authzid,
                authcid,
                password,
            } => self.sasl_password(authzid, authcid, password, source).await,
            SaslLogin::External {
                national_id,
                authzid,
            } => self.sasl_external(national_id, authzid, source).await,
            SaslLogin::Bearer { kind, message } => self.sasl_bearer(kind, message, source).await,
        }
    }

    async fn sasl_password(
        &self,
        authzid: &str,
        authcid: &str,
        password: &SecretString,
        source: &str,
    ) -> Result<Authenticated, SaslRefusal> {
        let Ok(address) = MailAddress::parse(authcid.trim()) else {
            return Err(self.counted_miss(source, Miss::Malformed).await);
        };
        if !authzid.trim().is_empty()
            && MailAddress::parse(authzid.trim()).ok() != Some(address.clone())
        {
            return match self.counted_miss(source, Miss::ForeignAuthzid).await {
                SaslRefusal::Failed { delay } => Err(SaslRefusal::ForeignAuthzid { delay }),
                other => Err(other),
            };
        }
        let credentials = Credentials::Device {
            credential: password,
        };
        Ok(self.login(&address, credentials, source).await?)
    }

    async fn sasl_external(
        &self,
        national_id: Option<&str>,
        authzid: &[u8],
        source: &str,
    ) -> Result<Authenticated, SaslRefusal> {
        let Some(national_id) = national_id.and_then(|id| NationalId::parse(id).ok()) else {
            return Err(SaslRefusal::NoNationalId);
        };
        let authzid = match std::str::from_utf8(authzid).map(str::trim) {
            Ok("") => None,
            Ok(text) => match MailAddress::parse(text) {
                Ok(address) => Some(address),
                Err(_) => return Err(self.counted_miss(source, Miss::Malformed).await),
            },
            Err(_) => return Err(SaslRefusal::Malformed("malformed EXTERNAL message".into())),
        };
        Ok(self
            .login_certificate(&national_id, authzid.as_ref(), source)
            .await?)
    }

    async fn sasl_bearer(
        &self,
        kind: BearerKind,
        message: &[u8],
        source: &str,
    ) -> Result<Authenticated, SaslRefusal> {
        let parsed = match kind {
            BearerKind::XOAuth2 => caduceus_oidc::parse_xoauth2(message),
            BearerKind::OAuthBearer => caduceus_oidc::parse_oauthbearer(message),
        };
        let credentials =
            parsed.map_err(|e| SaslRefusal::Malformed(format!("malformed SASL message: {e}")))?;
        let authzid = match credentials.authzid.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => match MailAddress::parse(text) {
                Ok(address) => Some(address),
                Err(_) => return Err(self.counted_miss(source, Miss::Malformed).await),
            },
        };
        match self
            .login_bearer(&credentials.token, authzid.as_ref(), source)
            .await
        {
            Ok(login) => Ok(login),
            Err(ServiceError::AuthFailed { delay }) => Err(SaslRefusal::TokenRejected {
                challenge: match kind {
                    BearerKind::XOAuth2 => {
                        caduceus_oidc::xoauth2_error_challenge("401", Some("bearer"), None)
                    }
                    BearerKind::OAuthBearer => self.oauthbearer_challenge().unwrap_or_else(|| {
                        caduceus_oidc::oauthbearer_error_challenge("invalid_token", None, None)
                    }),
                },
                delay,
            }),
            Err(error) => Err(error.into()),
        }
    }

    /// A login refused before any account is named: counted against the source at the
    /// gate and traced, like any failure (AU-3, TR-1).
    async fn counted_miss(&self, source: &str, miss: Miss) -> SaslRefusal {
        if let Err(refused) = self.pass_gate(None, source).await {
            return refused.into();
        }
        self.fail(None, source, miss).await.into()
    }
}
