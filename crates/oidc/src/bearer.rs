//! Bearer access tokens presented over SASL OAUTHBEARER / XOAUTH2.
//!
//! Two kinds are accepted:
//!
//! - **RFC 9068 JWT access tokens** (`typ: at+jwt`) are checked here, without
//!   a request: signature against the provider's key set (fetched again when
//!   the `kid` is unknown), `iss`, `aud` containing
//!   [`access_token_audience`](crate::ProviderConfig::access_token_audience),
//!   `exp` and `nbf`.
//! - **Any other token** (opaque, or a JWT of another type such as an ID
//!   token) is sent to the provider's **RFC 7662 introspection** endpoint,
//!   with this client's credentials; the answer must say `active`, come from
//!   this issuer, name a subject, be a bearer access token, and carry our
//!   audience in `aud`. Introspection was chosen over "call userinfo and see"
//!   because userinfo accepts any access token of the provider, whatever the
//!   service it was issued for; introspection tells the audience.
//!
//! A token whose (unverified) `iss` names another issuer is refused before
//! any request. The national identifier is read from the token or the
//! introspection answer, else from userinfo called with the token.

use openidconnect::core::CoreIdToken;
use openidconnect::url::form_urlencoded;
use openidconnect::{ClientId, IdTokenVerifier, JsonWebTokenType, Nonce};
use reqwest::header::ACCEPT;
use serde_json::{Map, Value};

use crate::error::{Error, Result, chain};
use crate::identity::{ClaimSource, FederatedIdentity, merge_missing, national_id};
use crate::jwt::{self, Unverified, audiences, string_claim, time_claim};
use crate::provider::{Provider, from_epoch_secs};

impl Provider {
    /// Checks an access token presented by a mail client (the `auth=Bearer`
    /// value of OAUTHBEARER or XOAUTH2) and returns who it speaks for.
    ///
    /// See the [module documentation](crate::bearer) for what is checked. A
    /// token from another issuer, for another audience, expired, altered or
    /// revoked is refused with an error whose
    /// [`is_rejection`](Error::is_rejection) is `true`.
    pub async fn verify_access_token(&self, token: &str) -> Result<FederatedIdentity> {
        let token = token.trim();
        if token.is_empty() {
            return Err(Error::InvalidToken("the bearer token is empty".to_owned()));
        }
        let unverified = jwt::peek(token);
        if let Some(jwt) = &unverified
            && let Some(iss) = string_claim(&jwt.payload, "iss")
            && iss != self.issuer()
        {
            return Err(Error::WrongIssuer {
                expected: self.issuer().to_owned(),
                found: iss.to_owned(),
            });
        }
        match unverified {
            Some(jwt) if jwt.header.is_access_token() => self.verify_jwt(token, jwt).await,
            _ if self.supports_introspection() => self.introspect(token).await,
            Some(_) => Err(Error::InvalidToken(
                "a JWT that is not an RFC 9068 access token (typ at+jwt), such as an ID token, \
                 and the provider announces no introspection endpoint"
                    .to_owned(),
            )),
            None => Err(Error::OpaqueTokenUnsupported),
        }
    }

    /// [`Provider::verify_access_token`], then the names: when the token carries no
    /// `family_name`, the userinfo endpoint is asked for what the token lacks (Pro Santé
    /// Connect releases the names there). For a professional's own registration, which
    /// matches the names against the national register (ID-1); logins do without.
    pub async fn verify_access_token_with_names(&self, token: &str) -> Result<FederatedIdentity> {
        let mut identity = self.verify_access_token(token).await?;
        if identity.claim_str("family_name").is_none() {
            let userinfo = self.userinfo(token.trim(), &identity.subject).await?;
            merge_missing(&mut identity.claims, userinfo);
        }
        Ok(identity)
    }

    async fn verify_jwt(&self, token: &str, unverified: Unverified) -> Result<FederatedIdentity> {
        let parsed: CoreIdToken = token
            .parse()
            .map_err(|e| Error::InvalidToken(format!("not a readable JWT access token: {e}")))?;
        let audience = self.inner.config.access_token_audience.clone();
        let subject = self
            .with_keys(|keys| {
                let at_jwt = JsonWebTokenType::new("application/at+jwt".to_owned())
                    .normalize()
                    .map_err(|e| Error::InvalidToken(e.to_string()))?;
                let verifier = IdTokenVerifier::new_public_client(
                    ClientId::new(audience.clone()),
                    self.inner.issuer.clone(),
                    keys.clone(),
                )
                .set_allowed_algs(crate::provider::ASYMMETRIC_ALGS)
                .set_allowed_jose_types([at_jwt])
                // A token may name other resource servers besides us.
                .set_other_audience_verifier_fn(|_| true)
                .set_time_fn(self.verifier_time_fn());
                let claims = parsed
                    .claims(&verifier, |_: Option<&Nonce>| Ok::<(), String>(()))
                    .map_err(|e| self.claims_error(e, &unverified))?;
                Ok(claims.subject().as_str().to_owned())
            })
            .await?;
        self.check_not_before(&unverified.payload)?;
        self.identity(token, subject, unverified.payload, ClaimSource::AccessToken)
            .await
    }

    async fn introspect(&self, token: &str) -> Result<FederatedIdentity> {
        let Some(url) = self.inner.introspection_endpoint.clone() else {
            return Err(Error::OpaqueTokenUnsupported);
        };
        let config = &self.inner.config;
        // RFC 6749 section 2.3.1: form-encode the credentials before Basic.
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let response = self
            .inner
            .http
            .post(url)
            .basic_auth(
                encode(&config.client_id),
                Some(encode(config.client_secret.expose())),
            )
            .header(ACCEPT, "application/json")
            .form(&[("token", token), ("token_type_hint", "access_token")])
            .send()
            .await
            .map_err(|e| Error::Introspection(chain(&e)))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| Error::Introspection(chain(&e)))?;
        match status.as_u16() {
            200 => {}
            400 => {
                return Err(Error::RefusedByProvider {
                    endpoint: "introspection",
                    reason: oauth_error_text(&body),
                });
            }
            401 | 403 => {
                return Err(Error::Introspection(format!(
                    "the provider refused this client's credentials (HTTP {status}): {}",
                    oauth_error_text(&body)
                )));
            }
            _ => {
                return Err(Error::Introspection(format!(
                    "HTTP {status}: {}",
                    oauth_error_text(&body)
                )));
            }
        }
        let answer: Map<String, Value> = serde_json::from_slice(&body)
            .map_err(|e| Error::Introspection(format!("the answer is not a JSON object: {e}")))?;
        if answer.get("active") != Some(&Value::Bool(true)) {
            return Err(Error::Inactive);
        }
        if let Some(iss) = string_claim(&answer, "iss")
            && iss != self.issuer()
        {
            return Err(Error::WrongIssuer {
                expected: self.issuer().to_owned(),
                found: iss.to_owned(),
            });
        }
        if let Some(kind) = string_claim(&answer, "token_type")
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(Error::InvalidToken(format!(
                "token_type `{kind}` is not a bearer access token"
            )));
        }
        if let Some(exp) = time_claim(&answer, "exp") {
            let now = self.now().saturating_sub(config.clock_skew());
            if from_epoch_secs(exp) <= now {
                return Err(Error::Expired(format!(
                    "the access token expired at {}",
                    from_epoch_secs(exp)
                )));
            }
        }
        self.check_not_before(&answer)?;
        let expected = &config.access_token_audience;
        let found = audiences(&answer);
        if !found.iter().any(|aud| aud == expected) {
            return Err(Error::WrongAudience(if found.is_empty() {
                format!("the token names no audience; `{expected}` is required")
            } else {
                format!("audiences {found:?} do not include `{expected}`")
            }));
        }
        let subject = string_claim(&answer, "sub")
            .ok_or_else(|| {
                Error::InvalidToken("the introspection answer names no subject".to_owned())
            })?
            .to_owned();
        self.identity(token, subject, answer, ClaimSource::Introspection)
            .await
    }

    /// Refuses claims whose `nbf` is later than now plus the tolerated skew.
    fn check_not_before(&self, claims: &Map<String, Value>) -> Result<()> {
        if let Some(nbf) = time_claim(claims, "nbf") {
            let now = self.now().saturating_add(self.inner.config.clock_skew());
            if from_epoch_secs(nbf) > now {
                return Err(Error::NotYetValid(format!(
                    "nbf is {}",
                    from_epoch_secs(nbf)
                )));
            }
        }
        Ok(())
    }

    /// When `acr_values` is configured, the token (or the introspection answer) must
    /// carry one of them in `acr` (RFC 9068 §2.2.1): a token from a weaker login
    /// does not pass for an e-CPS one (AU-4, AU-5).
    fn check_acr(&self, claims: &Map<String, Value>) -> Result<()> {
        let wanted = &self.inner.config.acr_values;
        if wanted.is_empty() {
            return Ok(());
        }
        match string_claim(claims, "acr") {
            Some(acr) if wanted.iter().any(|w| w == acr) => Ok(()),
            Some(acr) => Err(Error::AuthContext(format!(
                "acr `{acr}` is not one of {wanted:?}"
            ))),
            None => Err(Error::AuthContext(format!(
                "the access token carries no acr; one of {wanted:?} is required"
            ))),
        }
    }

    /// Builds the identity from verified claims, asking userinfo for the
    /// national identifier when the claims lack it.
    async fn identity(
        &self,
        token: &str,
        subject: String,
        mut claims: Map<String, Value>,
        source: ClaimSource,
    ) -> Result<FederatedIdentity> {
        self.check_acr(&claims)?;
        let claim = &self.inner.config.national_id_claim;
        let expires_at = time_claim(&claims, "exp").map(from_epoch_secs);
        let (national_id, source) = match national_id(&claims, claim)? {
            Some(id) => (id, source),
            None => {
                let userinfo = self.userinfo(token, &subject).await?;
                merge_missing(&mut claims, userinfo);
                let id = national_id(&claims, claim)?.ok_or_else(|| Error::MissingNationalId {
                    claim: claim.clone(),
                })?;
                (id, ClaimSource::UserInfo)
            }
        };
        Ok(FederatedIdentity {
            issuer: self.issuer().to_owned(),
            subject,
            national_id,
            national_id_source: source,
            expires_at,
            claims,
        })
    }
}

/// A short text for an OAuth error answer: `error: error_description`, or
/// the start of the body.
fn oauth_error_text(body: &[u8]) -> String {
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body)
        && let Some(error) = string_claim(&map, "error")
    {
        return match string_claim(&map, "error_description") {
            Some(description) => format!("{error}: {description}"),
            None => error.to_owned(),
        };
    }
    let text = String::from_utf8_lossy(body);
    text.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_errors_are_summarised() {
        assert_eq!(
            oauth_error_text(br#"{"error":"invalid_request","error_description":"no"}"#),
            "invalid_request: no"
        );
        assert_eq!(oauth_error_text(b"plain"), "plain");
    }
}
