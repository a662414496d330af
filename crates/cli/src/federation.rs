//! `[oidc]`: the OpenID provider whose access tokens mail clients present over SASL
//! OAUTHBEARER / XOAUTH2 (AU-4), and through which the webmail logs people in
//! (authorization code flow with PKCE), adapted to the service's [`TokenVerifier`].
//!
//! The provider is discovered on first use, not at start, so that `caduceus serve`
//! starts while the provider is down; until it answers, token logins get a
//! temporary failure and every other login works.

use async_trait::async_trait;
use caduceus_core::SecretString;
use caduceus_oidc::{FederatedIdentity, PendingLogin, Provider, ProviderConfig};
use caduceus_service::federation::{Asserted, TokenError, TokenVerifier};
use tokio::sync::OnceCell;

/// Verifies access tokens with a provider discovered on first use.
pub struct OidcVerifier {
    config: ProviderConfig,
    provider: OnceCell<Provider>,
}

impl OidcVerifier {
    /// A verifier for the provider `config` describes.
    pub fn new(config: ProviderConfig) -> Self {
        Self {
            config,
            provider: OnceCell::new(),
        }
    }

    async fn provider(&self) -> Result<&Provider, TokenError> {
        self.provider
            .get_or_try_init(|| Provider::discover(self.config.clone()))
            .await
            .map_err(|e| TokenError::Unavailable(format!("OpenID discovery: {e}")))
    }
}

#[async_trait]
impl TokenVerifier for OidcVerifier {
    async fn verify(&self, token: &SecretString) -> Result<Asserted, TokenError> {
        let provider = self.provider().await?;
        answer(provider.verify_access_token(token.expose()).await)
    }

    async fn verify_with_names(&self, token: &SecretString) -> Result<Asserted, TokenError> {
        let provider = self.provider().await?;
        answer(
            provider
                .verify_access_token_with_names(token.expose())
                .await,
        )
    }

    fn oauthbearer_challenge(&self) -> String {
        match self.provider.get() {
            Some(provider) => provider.oauthbearer_error_challenge(),
            None => caduceus_oidc::oauthbearer_error_challenge("invalid_token", None, None),
        }
    }

    async fn start_web_login(&self) -> Result<(String, SecretString), TokenError> {
        let provider = self.provider().await?;
        let (url, pending) = provider.authorization_request();
        // What the browser keeps until the callback: state, nonce and PKCE verifier,
        // each hex-encoded (cookie-safe), joined by dots.
        let kept = [
            pending.state(),
            pending.nonce().expose(),
            pending.pkce_verifier().expose(),
        ]
        .map(|part| hex::encode(part.as_bytes()))
        .join(".");
        Ok((url.to_string(), SecretString::new(kept)))
    }

    async fn finish_web_login(
        &self,
        code: &str,
        state: &str,
        pending: &SecretString,
    ) -> Result<Asserted, TokenError> {
        let parts: Vec<String> = pending
            .expose()
            .split('.')
            .filter_map(|part| hex::decode(part).ok())
            .filter_map(|bytes| String::from_utf8(bytes).ok())
            .collect();
        let [kept_state, nonce, verifier] = parts.as_slice() else {
            return Err(TokenError::Rejected("the login cookie is malformed".into()));
        };
        let pending = PendingLogin::new(
            kept_state.clone(),
            SecretString::new(nonce.clone()),
            SecretString::new(verifier.clone()),
        );
        let provider = self.provider().await?;
        answer(provider.exchange(code, state, &pending).await)
    }
}

/// The provider's verdict on a token: who it asserts, a rejection (a failed login), or
/// the provider unreachable.
fn answer(verdict: caduceus_oidc::Result<FederatedIdentity>) -> Result<Asserted, TokenError> {
    match verdict {
        Ok(identity) => Ok(asserted(&identity)),
        Err(e) if e.is_rejection() => Err(TokenError::Rejected(e.to_string())),
        Err(e) => Err(TokenError::Unavailable(e.to_string())),
    }
}

/// What the provider asserted: the identifier and the standard name claims (ID-1).
fn asserted(identity: &FederatedIdentity) -> Asserted {
    let claim = |name: &str| identity.claim_str(name).map(str::to_owned);
    Asserted {
        national_id: identity.national_id.clone(),
        family_name: claim("family_name"),
        given_name: claim("given_name"),
    }
}
