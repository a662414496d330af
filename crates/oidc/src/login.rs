//! The web login: authorization code flow with PKCE (S256), state and nonce,
//! and the checks on the ID token that comes back.

use std::fmt;

use caduceus_core::SecretString;
use openidconnect::core::{CoreAuthenticationFlow, CoreIdToken, CoreJwsSigningAlgorithm};
use openidconnect::url::Url;
use openidconnect::{
    AccessTokenHash, AuthenticationContextClass, AuthorizationCode, ClientId, CsrfToken,
    IdTokenVerifier, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RequestTokenError, Scope, TokenResponse,
};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result, chain};
use crate::identity::{ClaimSource, FederatedIdentity, merge_missing, national_id};
use crate::jwt::{self, time_claim};
use crate::provider::{Provider, from_epoch_secs};

/// What the web front end keeps between sending the browser to the provider
/// and receiving it back on the redirect URI (in the server-side session,
/// or an encrypted cookie bound to the browser).
///
/// `Debug` shows the state, never the nonce or the PKCE verifier. Each
/// pending login is good for one [`Provider::exchange`].
#[derive(Clone)]
pub struct PendingLogin {
    state: String,
    nonce: SecretString,
    pkce_verifier: SecretString,
}

impl PendingLogin {
    /// Rebuilds a pending login from the parts it was stored as.
    pub fn new(state: String, nonce: SecretString, pkce_verifier: SecretString) -> Self {
        Self {
            state,
            nonce,
            pkce_verifier,
        }
    }

    /// The `state` sent to the provider; the callback must return it.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The `nonce` sent to the provider; the ID token must carry it.
    pub fn nonce(&self) -> &SecretString {
        &self.nonce
    }

    /// The PKCE code verifier, sent with the code to the token endpoint.
    pub fn pkce_verifier(&self) -> &SecretString {
        &self.pkce_verifier
    }
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("state", &self.state)
            .field("nonce", &self.nonce)
            .field("pkce_verifier", &self.pkce_verifier)
            .finish()
    }
}

impl Provider {
    /// Starts a web login: the URL to send the browser to (authorization
    /// code flow, PKCE S256, fresh random `state` and `nonce`, the configured
    /// scopes and `acr_values`), and what to keep until the callback.
    pub fn authorization_request(&self) -> (Url, PendingLogin) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.client();
        let config = &self.inner.config;
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scopes(
                config
                    .scopes
                    .iter()
                    .filter(|scope| scope.as_str() != "openid")
                    .map(|scope| Scope::new(scope.clone())),
            )
            .set_pkce_challenge(challenge);
        for acr in &config.acr_values {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        let (url, state, nonce) = request.url();
        let pending = PendingLogin::new(
            state.secret().clone(),
            SecretString::new(nonce.secret().clone()),
            SecretString::new(verifier.secret().clone()),
        );
        (url, pending)
    }

    /// Finishes a web login: checks that the callback's `state` is the
    /// pending login's, redeems `code` with the PKCE verifier, verifies the ID
    /// token (signature against the provider's keys, issuer, audience,
    /// expiry, nonce, `at_hash`, `acr`), and reads the national identifier
    /// from the ID token or, when it is not there (as with Pro Santé
    /// Connect), from the userinfo endpoint.
    pub async fn exchange(
        &self,
        code: &str,
        state: &str,
        pending: &PendingLogin,
    ) -> Result<FederatedIdentity> {
        // Compare digests so that the comparison time says nothing about the
        // expected state.
        if Sha256::digest(state.as_bytes()) != Sha256::digest(pending.state.as_bytes()) {
            return Err(Error::StateMismatch);
        }
        let client = self.client();
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| Error::TokenEndpoint(chain(&e)))?
            .set_pkce_verifier(PkceCodeVerifier::new(
                pending.pkce_verifier.expose().clone(),
            ))
            .request_async(&self.inner.http)
            .await
            .map_err(token_error)?;
        let id_token = response.id_token().ok_or(Error::MissingIdToken)?;
        let access_token = response.access_token().secret();
        let raw = id_token.to_string();
        let unverified = jwt::peek(&raw)
            .ok_or_else(|| Error::InvalidToken("the ID token is not a signed JWT".to_owned()))?;
        let nonce = Nonce::new(pending.nonce.expose().clone());

        let subject = self
            .with_keys(|keys| {
                let verifier = self.id_token_verifier(keys);
                let claims = id_token
                    .claims(&verifier, &nonce)
                    .map_err(|e| self.claims_error(e, &unverified))?;
                if let Some(expected) = claims.access_token_hash() {
                    check_at_hash(id_token, &verifier, access_token, expected)?;
                }
                Ok(claims.subject().as_str().to_owned())
            })
            .await?;

        let mut claims = unverified.payload;
        let expires_at = time_claim(&claims, "exp").map(from_epoch_secs);
        let claim = &self.inner.config.national_id_claim;
        let (national_id, source) = match national_id(&claims, claim)? {
            Some(id) => (id, ClaimSource::IdToken),
            None => {
                let userinfo = self.userinfo(access_token, &subject).await?;
                merge_missing(&mut claims, userinfo);
                let id = national_id(&claims, claim)?.ok_or_else(|| Error::MissingNationalId {
                    claim: claim.clone(),
                })?;
                (id, ClaimSource::UserInfo)
            }
        };
        strip_login_artifacts(&mut claims);
        Ok(FederatedIdentity {
            issuer: self.issuer().to_owned(),
            subject,
            national_id,
            national_id_source: source,
            expires_at,
            claims,
        })
    }

    /// The ID token verifier: this client as audience, asymmetric algorithms
    /// announced by the provider, the injected clock, the configured `acr`.
    fn id_token_verifier<'a>(
        &self,
        keys: &openidconnect::core::CoreJsonWebKeySet,
    ) -> IdTokenVerifier<'a, openidconnect::core::CoreJsonWebKey> {
        let acr_values = self.inner.config.acr_values.clone();
        IdTokenVerifier::new_public_client(
            ClientId::new(self.inner.config.client_id.clone()),
            self.inner.issuer.clone(),
            keys.clone(),
        )
        .set_allowed_algs(self.inner.id_token_algs.iter().cloned())
        .set_time_fn(self.verifier_time_fn())
        .set_auth_context_verifier_fn(move |acr| {
            if acr_values.is_empty() {
                return Ok(());
            }
            match acr {
                Some(acr) if acr_values.iter().any(|want| want == acr.as_str()) => Ok(()),
                Some(acr) => Err(format!(
                    "acr `{}` is not one of {acr_values:?}",
                    acr.as_str()
                )),
                None => Err(format!("no acr claim; one of {acr_values:?} is required")),
            }
        })
    }
}

/// Checks the ID token's `at_hash` against the access token it came with.
fn check_at_hash(
    id_token: &CoreIdToken,
    verifier: &IdTokenVerifier<'_, openidconnect::core::CoreJsonWebKey>,
    access_token: &str,
    expected: &AccessTokenHash,
) -> Result<()> {
    let alg: &CoreJwsSigningAlgorithm = id_token
        .signing_alg()
        .map_err(|e| Error::BadSignature(e.to_string()))?;
    let key = id_token
        .signing_key(verifier)
        .map_err(|e| Error::BadSignature(e.to_string()))?;
    let actual = AccessTokenHash::from_token(
        &openidconnect::AccessToken::new(access_token.to_owned()),
        alg,
        key,
    )
    .map_err(|e| Error::InvalidToken(format!("cannot compute at_hash: {e}")))?;
    if &actual == expected {
        Ok(())
    } else {
        Err(Error::AccessTokenHashMismatch)
    }
}

/// Drops the claims that only served this login's checks.
fn strip_login_artifacts(claims: &mut Map<String, Value>) {
    for name in ["nonce", "at_hash", "c_hash"] {
        claims.remove(name);
    }
}

/// Sorts the token endpoint's failures: an OAuth error answer means the code
/// was refused; anything else means the endpoint could not be used.
fn token_error<RE, T>(error: RequestTokenError<RE, T>) -> Error
where
    RE: std::error::Error + 'static,
    T: openidconnect::ErrorResponse + 'static,
{
    match error {
        RequestTokenError::ServerResponse(response) => Error::CodeRefused(response.to_string()),
        other => Error::TokenEndpoint(chain(&other)),
    }
}
