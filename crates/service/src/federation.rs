//! Logins with an OpenID provider's access token (AU-4): what a mail client presents
//! over SASL OAUTHBEARER or XOAUTH2 (SMTP, IMAP) or an API client as a bearer token.
//!
//! Checking the token (signature, issuer, audience, expiry) is the provider
//! adapter's work ([`TokenVerifier`]); the service counts a refused token as a failed
//! login behind the same brute-force gate as every other, traces it, and maps the
//! national identifier the provider asserts to the account registered under it.

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

/// Verifies access tokens against the configured OpenID provider.
#[async_trait]
pub trait TokenVerifier: Send + Sync {
    /// The national identifier the provider asserts for `token`.
    async fn verify(&self, token: &SecretString) -> std::result::Result<NationalId, TokenError>;

    /// The error challenge an OAUTHBEARER client is sent after a refusal (RFC 7628
    /// §3.2.2, JSON before base64), pointing it at the provider.
    fn oauthbearer_challenge(&self) -> String;
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
        let Some(verifier) = &self.token_verifier else {
            return Err(ServiceError::Unavailable(
                "no OpenID provider is configured".to_owned(),
            ));
        };
        self.pass_gate(None, source).await?;
        match verifier.verify(token).await {
            Ok(national_id) => {
                self.login_identity_gated(&national_id, authzid, source, Factor::Federated)
                    .await
            }
            Err(TokenError::Rejected(reason)) => {
                tracing::info!(%reason, "bearer token refused");
                Err(self.fail(None, source, Miss::BadToken).await)
            }
            Err(TokenError::Unavailable(reason)) => Err(ServiceError::Unavailable(reason)),
        }
    }
}
