//! Logins with an OpenID provider (AU-4): the access token a mail client presents
//! over SASL OAUTHBEARER or XOAUTH2 (SMTP, IMAP) or an API client as a bearer token,
//! and the webmail's login through the provider (authorization code flow).
//!
//! Checking the token (signature, issuer, audience, expiry) is the provider
//! adapter's work ([`TokenVerifier`]); the service counts a refused token as a failed
//! login behind the same brute-force gate as every other, traces it, and maps the
//! national identifier the provider asserts to the account registered under it.

use std::sync::Arc;

use async_trait::async_trait;
use caduceus_core::{MailAddress, NationalId, SecretString};

use crate::Service;
use crate::auth::{Authenticated, Factor, Miss};
use crate::error::{Result, ServiceError};

/// Why a token gave no identity.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The token is invalid, expired, for another audience, from another issuer…: a
    /// failed login. The text is for logs; it never quotes the token.
    #[error("token refused: {0}")]
    Rejected(String),
    /// The provider could not be asked (network, its keys): try again later.
    #[error("identity provider unavailable: {0}")]
    Unavailable(String),
}

/// What a provider (or a card's certificate) asserted about the person: the national
/// identifier, and the names when it released them (Pro Santé Connect does, a CPS
/// certificate carries them), which self-registration matches against the register
/// (ID-1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Asserted {
    /// The national identifier (`SubjectNameID`).
    pub national_id: NationalId,
    /// `family_name`, when released.
    pub family_name: Option<String>,
    /// `given_name`, when released.
    pub given_name: Option<String>,
}

impl Asserted {
    /// An identity asserted without names.
    pub fn id_only(national_id: NationalId) -> Asserted {
        Asserted {
            national_id,
            family_name: None,
            given_name: None,
        }
    }
}

/// Verifies access tokens against the configured OpenID provider.
#[async_trait]
pub trait TokenVerifier: Send + Sync {
    /// What the provider asserts for `token`.
    async fn verify(&self, token: &SecretString) -> std::result::Result<Asserted, TokenError>;

    /// [`TokenVerifier::verify`] with the person's names, asked of the provider when
    /// the token lacks them (self-registration, ID-1). By default, what the token says.
    async fn verify_with_names(
        &self,
        token: &SecretString,
    ) -> std::result::Result<Asserted, TokenError> {
        self.verify(token).await
    }

    /// The error challenge an OAUTHBEARER client is sent after a refusal (RFC 7628
    /// §3.2.2, JSON before base64), pointing it at the provider.
    fn oauthbearer_challenge(&self) -> String;

    /// Starts a web login at the provider (authorization code flow with PKCE): the
    /// URL to send the browser to, and what to keep until the callback (opaque, secret).
    async fn start_web_login(&self) -> std::result::Result<(String, SecretString), TokenError>;

    /// Finishes a web login: the callback's `code` and `state` against what
    /// [`TokenVerifier::start_web_login`] kept; what the provider asserted.
    async fn finish_web_login(
        &self,
        code: &str,
        state: &str,
        pending: &SecretString,
    ) -> std::result::Result<Asserted, TokenError>;
}

impl Service {
    /// Whether bearer-token logins are possible (a provider was configured); front
    /// ends offer OAUTHBEARER and XOAUTH2 only then.
    pub fn accepts_bearer_tokens(&self) -> bool {
        self.token_verifier.is_some()
    }

    /// The provider's OAUTHBEARER error challenge, when one is configured.
    pub fn oauthbearer_challenge(&self) -> Option<String> {
        self.token_verifier
            .as_ref()
            .map(|verifier| verifier.oauthbearer_challenge())
    }

    /// Starts a web login at the OpenID provider (AU-4): where to send the browser,
    /// and what the browser keeps until it comes back (secret, opaque).
    pub async fn start_web_login(&self) -> Result<(String, SecretString)> {
        let verifier = self.verifier()?;
        verifier
            .start_web_login()
            .await
            .map_err(|e| ServiceError::Unavailable(e.to_string()))
    }

    /// Finishes a web login (AU-4): the provider redeems the code, the ID token is
    /// verified, and the national identifier it asserts must belong to an active
    /// account. A refused callback counts as a failure from `source`, traced.
    pub async fn finish_web_login(
        &self,
        code: &str,
        state: &str,
        pending: &SecretString,
        source: &str,
    ) -> Result<Authenticated> {
        let verifier = self.verifier()?;
        let _attempt = self.pass_gate(None, source).await?;
        match verifier.finish_web_login(code, state, pending).await {
            Ok(asserted) => {
                self.login_identity_gated(&asserted.national_id, None, source, Factor::Federated)
                    .await
            }
            Err(TokenError::Rejected(reason)) => {
                tracing::info!(%reason, "OpenID web login refused");
                Err(self.fail(None, source, Miss::BadToken).await)
            }
            Err(TokenError::Unavailable(reason)) => Err(ServiceError::Unavailable(reason)),
        }
    }

    fn verifier(&self) -> Result<&Arc<dyn TokenVerifier>> {
        self.token_verifier
            .as_ref()
            .ok_or_else(|| ServiceError::Unavailable("no OpenID provider is configured".to_owned()))
    }

    /// Logs in with an access token (AU-4): the provider must accept it, and the
    /// national identifier it asserts must belong to an active professional account
    /// (the one `authzid` names, when given). A refused token counts as a failure
    /// from `source` and is traced; an unreachable provider is
    /// [`ServiceError::Unavailable`] and counts as nothing.
    pub async fn login_bearer(
        &self,
        token: &SecretString,
        authzid: Option<&MailAddress>,
        source: &str,
    ) -> Result<Authenticated> {
        let verifier = self.verifier()?;
        let _attempt = self.pass_gate(None, source).await?;
        let asserted = self
            .token_answer(verifier.verify(token).await, source)
            .await?;
        self.login_identity_gated(&asserted.national_id, authzid, source, Factor::Federated)
            .await
    }

    /// What the provider asserts for `token`, names included, behind the brute-force
    /// gate: a refused token counts as a failure from `source`, traced (AU-3, AU-4).
    pub(crate) async fn assert_token(
        &self,
        token: &SecretString,
        source: &str,
    ) -> Result<Asserted> {
        let verifier = self.verifier()?;
        let _attempt = self.pass_gate(None, source).await?;
        self.token_answer(verifier.verify(token).await, source)
            .await
    }

    /// The provider's answer on a token: a refusal is a failed login from `source`,
    /// an unreachable provider [`ServiceError::Unavailable`].
    async fn token_answer(
        &self,
        answer: std::result::Result<Asserted, TokenError>,
        source: &str,
    ) -> Result<Asserted> {
        match answer {
            Ok(asserted) => Ok(asserted),
            Err(TokenError::Rejected(reason)) => {
                tracing::info!(%reason, "bearer token refused");
                Err(self.fail(None, source, Miss::BadToken).await)
            }
            Err(TokenError::Unavailable(reason)) => Err(ServiceError::Unavailable(reason)),
        }
    }
}
