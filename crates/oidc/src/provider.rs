//! A discovered provider: its metadata, its signing keys (refreshed when a
//! token names a key we do not know), and the checks shared by the web login
//! and the bearer-token path.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use caduceus_core::{Clock, SystemClock, Timestamp};
use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod,
    CoreGenderClaim, CoreGrantType, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm, CoreJwsSigningAlgorithm,
    CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
};
use openidconnect::url::Url;
use openidconnect::{
    AccessToken, AdditionalClaims, AdditionalProviderMetadata, ClaimsVerificationError, ClientId,
    ClientSecret, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, JsonWebKeySet,
    ProviderMetadata, RedirectUrl, SignatureVerificationError, SubjectIdentifier, UserInfoClaims,
    UserInfoError,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::config::{ProviderConfig, check_endpoint};
use crate::error::{Error, Result, chain};
use crate::jwt::{Unverified, string_claim};
use crate::sasl;

/// Signature algorithms accepted on ID tokens and access tokens: asymmetric
/// ones only. HMAC (keyed with the client secret) and `none` are refused.
pub(crate) const ASYMMETRIC_ALGS: [CoreJwsSigningAlgorithm; 9] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// Discovery metadata this crate reads beyond OpenID Connect Discovery:
/// the RFC 8414 / RFC 7662 introspection endpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct ExtraMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    introspection_endpoint: Option<String>,
}

impl AdditionalProviderMetadata for ExtraMetadata {}

/// The provider's discovery document.
pub(crate) type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// The `openidconnect` client built from discovery: authorization endpoint
/// set, token and userinfo endpoints as announced.
pub(crate) type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Claims beyond the standard ones (such as `SubjectNameID`), kept as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct OtherClaims {
    #[serde(flatten)]
    claims: Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

/// One OpenID Connect provider, discovered and ready to check logins and
/// tokens. Cheap to clone (shared state), `Send + Sync`: build it once at
/// start-up and hand clones to the web, IMAP and SMTP front ends.
#[derive(Clone)]
pub struct Provider {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: ProviderConfig,
    pub issuer: IssuerUrl,
    pub metadata: Metadata,
    pub redirect_uri: RedirectUrl,
    pub introspection_endpoint: Option<Url>,
    pub id_token_algs: Vec<CoreJwsSigningAlgorithm>,
    pub http: reqwest::Client,
    pub keys: KeyCache,
    pub clock: Arc<dyn Clock>,
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.inner.config.issuer)
            .field("client_id", &self.inner.config.client_id)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// Fetches the provider's `/.well-known/openid-configuration` and key set
    /// (JWKS), checks that the announced issuer is the configured one and that
    /// every endpoint is `https` (or loopback `http` when allowed).
    ///
    /// Reads time from the system clock; see [`discover_with_clock`](Self::discover_with_clock).
    pub async fn discover(config: ProviderConfig) -> Result<Self> {
        Self::discover_with_clock(config, Arc::new(SystemClock)).await
    }

    /// [`discover`](Self::discover), with the clock used to check `exp` and
    /// `nbf` (tests move it to see tokens expire).
    pub async fn discover_with_clock(
        config: ProviderConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        config.validate()?;
        let http = crate::http::client(&config)?;
        let issuer = IssuerUrl::new(config.issuer.clone())
            .map_err(|e| Error::Config(format!("issuer {:?}: {e}", config.issuer)))?;
        let discovery_error = |reason: String| Error::Discovery {
            issuer: config.issuer.clone(),
            reason,
        };
        let metadata = Metadata::discover_async(issuer.clone(), &http)
            .await
            .map_err(|e| discovery_error(chain(&e)))?;

        let allow_http = config.allow_http_loopback;
        check_endpoint(
            "authorization",
            metadata.authorization_endpoint().url(),
            allow_http,
        )?;
        let token_endpoint = metadata.token_endpoint().ok_or_else(|| {
            discovery_error("the provider announces no token endpoint".to_owned())
        })?;
        check_endpoint("token", token_endpoint.url(), allow_http)?;
        check_endpoint("jwks", metadata.jwks_uri().url(), allow_http)?;
        if let Some(userinfo) = metadata.userinfo_endpoint() {
            check_endpoint("userinfo", userinfo.url(), allow_http)?;
        }
        let introspection_endpoint = match &metadata.additional_metadata().introspection_endpoint {
            Some(url) => {
                let url = Url::parse(url)
                    .map_err(|e| discovery_error(format!("introspection_endpoint {url:?}: {e}")))?;
                check_endpoint("introspection", &url, allow_http)?;
                Some(url)
            }
            None => None,
        };

        let id_token_algs: Vec<_> = metadata
            .id_token_signing_alg_values_supported()
            .iter()
            .filter(|alg| ASYMMETRIC_ALGS.contains(alg))
            .cloned()
            .collect();
        if id_token_algs.is_empty() {
            return Err(discovery_error(
                "the provider announces no asymmetric ID token signature algorithm \
                 (RS256, PS256, ES256, EdDSA...)"
                    .to_owned(),
            ));
        }
        let redirect_uri = RedirectUrl::new(config.redirect_uri.clone())
            .map_err(|e| Error::Config(format!("redirect_uri {:?}: {e}", config.redirect_uri)))?;
        let keys = KeyCache::new(
            metadata.jwks().clone(),
            Duration::from_secs(config.jwks_refresh_cooldown_secs),
        );
        tracing::debug!(
            issuer = %config.issuer,
            keys = metadata.jwks().keys().len(),
            introspection = introspection_endpoint.is_some(),
            "OpenID provider discovered"
        );
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                issuer,
                metadata,
                redirect_uri,
                introspection_endpoint,
                id_token_algs,
                http,
                keys,
                clock,
            }),
        })
    }

    /// The configuration this provider was discovered with.
    pub fn config(&self) -> &ProviderConfig {
        &self.inner.config
    }

    /// The issuer identifier.
    pub fn issuer(&self) -> &str {
        self.inner.issuer.as_str()
    }

    /// The discovery document's URL, for the RFC 7628 `openid-configuration`
    /// field of a SASL error challenge.
    pub fn openid_configuration_url(&self) -> String {
        format!(
            "{}/.well-known/openid-configuration",
            self.issuer().trim_end_matches('/')
        )
    }

    /// Whether the provider announces an introspection endpoint (needed to
    /// accept opaque access tokens).
    pub fn supports_introspection(&self) -> bool {
        self.inner.introspection_endpoint.is_some()
    }

    /// The RFC 7628 error challenge (JSON, to be base64-encoded by the
    /// protocol layer) to send when an OAUTHBEARER token is refused: status
    /// `invalid_token`, the configured scopes, and this provider's discovery
    /// URL so that the client can fetch a new token.
    pub fn oauthbearer_error_challenge(&self) -> String {
        let scope = self.inner.config.scopes.join(" ");
        sasl::oauthbearer_error_challenge(
            "invalid_token",
            (!scope.is_empty()).then_some(scope.as_str()),
            Some(&self.openid_configuration_url()),
        )
    }

    /// An `openidconnect` client over the current metadata and keys.
    pub(crate) fn client(&self) -> OidcClient {
        let inner = &self.inner;
        let metadata = inner
            .metadata
            .clone()
            .set_jwks((*inner.keys.current()).clone());
        CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(inner.config.client_id.clone()),
            Some(ClientSecret::new(
                inner.config.client_secret.expose().clone(),
            )),
        )
        .set_redirect_uri(inner.redirect_uri.clone())
    }

    /// The current time, from the injected clock.
    pub(crate) fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// A function giving "now minus the tolerated skew", for `openidconnect`'s
    /// `exp` check (which has no leeway of its own).
    pub(crate) fn verifier_time_fn(&self) -> impl Fn() -> DateTime<Utc> + Send + Sync + 'static {
        let clock = Arc::clone(&self.inner.clock);
        let skew = self.inner.config.clock_skew();
        move || to_chrono(clock.now().saturating_sub(skew))
    }

    /// Runs `verify` with the current key set; if it fails because no key
    /// matches the token's `kid`, fetches the key set again (at most once per
    /// cooldown) and retries once.
    pub(crate) async fn with_keys<T>(
        &self,
        verify: impl Fn(&CoreJsonWebKeySet) -> Result<T>,
    ) -> Result<T> {
        let keys = self.inner.keys.current();
        match verify(&keys) {
            Err(Error::UnknownSigningKey { kid }) => {
                match self.inner.keys.refresh(&keys, || self.fetch_keys()).await? {
                    Some(fresh) => verify(&fresh),
                    None => Err(Error::UnknownSigningKey { kid }),
                }
            }
            other => other,
        }
    }

    async fn fetch_keys(&self) -> Result<CoreJsonWebKeySet> {
        let url = self.inner.metadata.jwks_uri();
        tracing::info!(jwks_uri = %url.url(), "token signed by an unknown key: fetching the provider's key set again");
        JsonWebKeySet::fetch_async(url, &self.inner.http)
            .await
            .map_err(|e| Error::Jwks {
                url: url.url().to_string(),
                reason: chain(&e),
            })
    }

    /// Translates `openidconnect`'s verdict on `token` into an [`Error`] that
    /// names the claim at fault.
    pub(crate) fn claims_error(&self, error: ClaimsVerificationError, token: &Unverified) -> Error {
        match error {
            ClaimsVerificationError::InvalidIssuer(_) => Error::WrongIssuer {
                expected: self.issuer().to_owned(),
                found: string_claim(&token.payload, "iss")
                    .unwrap_or("(none)")
                    .to_owned(),
            },
            ClaimsVerificationError::InvalidAudience(reason) => Error::WrongAudience(reason),
            ClaimsVerificationError::Expired(reason) => Error::Expired(reason),
            ClaimsVerificationError::InvalidNonce(reason) => Error::NonceMismatch(reason),
            ClaimsVerificationError::InvalidAuthContext(reason) => Error::AuthContext(reason),
            ClaimsVerificationError::SignatureVerification(e) => signature_error(e, token),
            other => Error::InvalidToken(other.to_string()),
        }
    }

    /// Calls the userinfo endpoint with `access_token`, requiring the answer
    /// to be about `subject`, and returns every claim it asserts.
    pub(crate) async fn userinfo(
        &self,
        access_token: &str,
        subject: &str,
    ) -> Result<Map<String, Value>> {
        let client = self.client();
        let request = client
            .user_info(
                AccessToken::new(access_token.to_owned()),
                Some(SubjectIdentifier::new(subject.to_owned())),
            )
            .map_err(|_| Error::UserInfo("the provider announces no userinfo endpoint".to_owned()))?
            // A signed userinfo answer is addressed to the client the token
            // was issued to, which is not us for a mail client's token.
            .require_audience_match(false);
        let claims: UserInfoClaims<OtherClaims, CoreGenderClaim> = request
            .request_async(&self.inner.http)
            .await
            .map_err(userinfo_error)?;
        match serde_json::to_value(&claims) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) | Err(_) => Err(Error::UserInfo(
                "the userinfo answer is not a JSON object".to_owned(),
            )),
        }
    }
}

fn signature_error(error: SignatureVerificationError, token: &Unverified) -> Error {
    match error {
        SignatureVerificationError::NoMatchingKey => Error::UnknownSigningKey {
            kid: token.header.kid.clone(),
        },
        SignatureVerificationError::DisallowedAlg(reason)
        | SignatureVerificationError::UnsupportedAlg(reason) => Error::DisallowedAlgorithm(reason),
        SignatureVerificationError::NoSignature => {
            Error::DisallowedAlgorithm("the token is not signed".to_owned())
        }
        other => Error::BadSignature(other.to_string()),
    }
}

fn userinfo_error<RE: std::error::Error + 'static>(error: UserInfoError<RE>) -> Error {
    match error {
        UserInfoError::Response(status, _, reason)
            if status.as_u16() == 401 || status.as_u16() == 403 =>
        {
            Error::RefusedByProvider {
                endpoint: "userinfo",
                reason: format!("HTTP {status}: {reason}"),
            }
        }
        UserInfoError::ClaimsVerification(e) => {
            Error::InvalidToken(format!("userinfo answer refused: {e}"))
        }
        other => Error::UserInfo(chain(&other)),
    }
}

/// Converts a [`Timestamp`] for `openidconnect`.
pub(crate) fn to_chrono(t: Timestamp) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.as_millis()).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Converts seconds since the epoch (a JWT `exp`) to a [`Timestamp`].
pub(crate) fn from_epoch_secs(secs: i64) -> Timestamp {
    Timestamp::from_millis(secs.saturating_mul(1000))
}

/// The provider's key set, shared by every check, and the rate limit on
/// fetching it again.
pub(crate) struct KeyCache {
    keys: RwLock<Arc<CoreJsonWebKeySet>>,
    /// When the last refresh happened; held while refreshing so that
    /// concurrent misses make one request.
    last_refresh: tokio::sync::Mutex<Option<Instant>>,
    cooldown: Duration,
}

impl KeyCache {
    fn new(keys: CoreJsonWebKeySet, cooldown: Duration) -> Self {
        Self {
            keys: RwLock::new(Arc::new(keys)),
            last_refresh: tokio::sync::Mutex::new(None),
            cooldown,
        }
    }

    pub(crate) fn current(&self) -> Arc<CoreJsonWebKeySet> {
        Arc::clone(&self.keys.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Fetches the key set again after `seen` lacked a key. Returns the new
    /// set, the set another task fetched meanwhile, or `None` when the last
    /// refresh is more recent than the cooldown.
    async fn refresh<F, Fut>(
        &self,
        seen: &Arc<CoreJsonWebKeySet>,
        fetch: F,
    ) -> Result<Option<Arc<CoreJsonWebKeySet>>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<CoreJsonWebKeySet>>,
    {
        let mut last = self.last_refresh.lock().await;
        let current = self.current();
        if !Arc::ptr_eq(&current, seen) {
            return Ok(Some(current));
        }
        if last.is_some_and(|at| at.elapsed() < self.cooldown) {
            return Ok(None);
        }
        let fresh = Arc::new(fetch().await?);
        *last = Some(Instant::now());
        *self.keys.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&fresh);
        Ok(Some(fresh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn empty() -> CoreJsonWebKeySet {
        JsonWebKeySet::new(Vec::new())
    }

    #[tokio::test]
    async fn au4_key_set_refresh_is_rate_limited() {
        let cache = KeyCache::new(empty(), Duration::from_secs(3600));
        let fetches = AtomicUsize::new(0);
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            Ok(empty())
        };
        let first = cache.current();
        let fresh = cache.refresh(&first, fetch).await.unwrap();
        assert!(fresh.is_some(), "the first miss refreshes at once");
        let seen = cache.current();
        assert!(cache.refresh(&seen, fetch).await.unwrap().is_none());
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "the second miss waits");
        // A task that saw the old set gets the new one without a fetch.
        assert!(cache.refresh(&first, fetch).await.unwrap().is_some());
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
    }

    /// The front ends spawn these futures on a multi-threaded runtime.
    #[test]
    fn au4_provider_and_its_futures_are_send_and_sync() {
        fn send<T: Send>(_: &T) {}
        fn send_sync<T: Send + Sync + Clone>() {}
        send_sync::<Provider>();
        fn futures(provider: &Provider, pending: &crate::PendingLogin, config: ProviderConfig) {
            send(&provider.verify_access_token("token"));
            send(&provider.exchange("code", "state", pending));
            send(&Provider::discover(config));
        }
        let _ = futures;
    }

    #[tokio::test]
    async fn au4_key_set_refresh_without_cooldown_always_fetches() {
        let cache = KeyCache::new(empty(), Duration::ZERO);
        for _ in 0..2 {
            let seen = cache.current();
            assert!(
                cache
                    .refresh(&seen, || async { Ok(empty()) })
                    .await
                    .unwrap()
                    .is_some()
            );
        }
    }
}
