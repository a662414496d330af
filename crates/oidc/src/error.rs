//! What can go wrong, and whether it is the token's fault or the provider's.

use std::path::PathBuf;

/// Everything this crate can refuse or fail with.
///
/// No variant ever holds a token, a code, a nonce or the client secret. Claim
/// values that are not secrets (issuer, audience, national identifier) are
/// named, so that the message says what is wrong.
///
/// [`Error::is_rejection`] splits the variants in two: the credential was
/// examined and refused (answer "invalid token", count a failed login), or the
/// check could not be made (provider unreachable, misconfiguration: answer
/// "try again later", do not count it against the user).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The [`ProviderConfig`](crate::ProviderConfig) is unusable.
    #[error("invalid OpenID Connect configuration: {0}")]
    Config(String),

    /// The extra trust anchors could not be loaded.
    #[error("cannot use the CA bundle {path}: {reason}")]
    CaBundle {
        /// The configured `ca_bundle` path.
        path: PathBuf,
        /// Why it could not be used.
        reason: String,
    },

    /// An endpoint of the provider uses a scheme or host that the
    /// configuration does not allow (plain HTTP outside the loopback test
    /// exception).
    #[error("refusing the provider's {endpoint} endpoint {url}: {reason}")]
    InsecureEndpoint {
        /// Which endpoint: issuer, token, userinfo, jwks, introspection...
        endpoint: &'static str,
        /// The URL that was refused.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },

    /// `/.well-known/openid-configuration` could not be fetched or was wrong
    /// (unreachable, untrusted certificate, not JSON, issuer mismatch...).
    #[error("OpenID Connect discovery of {issuer} failed: {reason}")]
    Discovery {
        /// The configured issuer.
        issuer: String,
        /// What failed, with the underlying cause.
        reason: String,
    },

    /// The provider's key set (JWKS) could not be fetched.
    #[error("cannot fetch the provider's signing keys from {url}: {reason}")]
    Jwks {
        /// The `jwks_uri`.
        url: String,
        /// What failed.
        reason: String,
    },

    /// The `state` returned to the redirect URI is not the one this login
    /// sent: a forged, replayed or crossed callback.
    #[error(
        "the callback's `state` does not match the login in progress (forged, replayed or crossed callback)"
    )]
    StateMismatch,

    /// The token endpoint refused the authorization code (wrong PKCE
    /// verifier, code already used or expired, wrong redirect URI).
    #[error("the provider refused the authorization code: {0}")]
    CodeRefused(String),

    /// The token endpoint could not be used (unreachable, server error,
    /// unparsable answer, client authentication refused).
    #[error("the provider's token endpoint failed: {0}")]
    TokenEndpoint(String),

    /// The token response carries no ID token.
    #[error("the provider's token response has no ID token (was the `openid` scope granted?)")]
    MissingIdToken,

    /// The ID token's nonce is not the one this login sent.
    #[error("the ID token's nonce does not match the login in progress: {0}")]
    NonceMismatch(String),

    /// The token was issued by another provider.
    #[error("token issued by `{found}`, not by the configured provider `{expected}`")]
    WrongIssuer {
        /// The configured issuer.
        expected: String,
        /// The token's `iss`, or `(none)`.
        found: String,
    },

    /// The token is not meant for this service (its `aud` does not name us).
    #[error("token not intended for this service: {0}")]
    WrongAudience(String),

    /// The token has expired.
    #[error("token expired: {0}")]
    Expired(String),

    /// The token's `nbf` is in the future.
    #[error("token not valid yet: {0}")]
    NotYetValid(String),

    /// No key of the provider's key set matches the token's `kid` and
    /// algorithm, even after fetching the key set again.
    #[error(
        "token signed with key {kid:?}, which the provider's key set does not hold (even after refreshing it)"
    )]
    UnknownSigningKey {
        /// The token's `kid` header, if any.
        kid: Option<String>,
    },

    /// The token's signature algorithm is not accepted (`none`, HMAC, or an
    /// algorithm the provider does not announce).
    #[error("token signature algorithm refused: {0}")]
    DisallowedAlgorithm(String),

    /// The signature does not verify: the token was altered or forged.
    #[error("token signature is invalid: {0}")]
    BadSignature(String),

    /// The ID token's `at_hash` does not match the access token it came with.
    #[error("the ID token's at_hash does not match the access token issued with it")]
    AccessTokenHashMismatch,

    /// The authentication context (`acr`) is not one of the required ones.
    #[error("authentication context refused: {0}")]
    AuthContext(String),

    /// The token is malformed, of the wrong type or lacks a required claim.
    #[error("unusable token: {0}")]
    InvalidToken(String),

    /// Introspection says the access token is not active (revoked, expired,
    /// unknown, or not an access token).
    #[error("the provider reports the access token as inactive (revoked, expired or unknown)")]
    Inactive,

    /// The provider looked at the access token and refused it (HTTP 400,
    /// 401 or 403 at userinfo or introspection).
    #[error("the provider refused the access token at its {endpoint} endpoint: {reason}")]
    RefusedByProvider {
        /// `userinfo` or `introspection`.
        endpoint: &'static str,
        /// The provider's answer.
        reason: String,
    },

    /// The access token is not a JWT this crate can check itself, and the
    /// provider announces no introspection endpoint.
    #[error(
        "the access token is not an RFC 9068 JWT and the provider announces no introspection endpoint to check it"
    )]
    OpaqueTokenUnsupported,

    /// The introspection endpoint could not be used.
    #[error("token introspection failed: {0}")]
    Introspection(String),

    /// The userinfo endpoint could not be used.
    #[error("userinfo request failed: {0}")]
    UserInfo(String),

    /// The provider asserted no national identifier.
    #[error(
        "the provider asserted no `{claim}` claim (the national identifier), neither in the token nor at userinfo"
    )]
    MissingNationalId {
        /// The configured claim name.
        claim: String,
    },

    /// The national identifier asserted by the provider is not valid.
    #[error("the provider's `{claim}` claim {value} is not a valid national identifier: {reason}")]
    InvalidNationalId {
        /// The configured claim name.
        claim: String,
        /// The value, as JSON.
        value: String,
        /// Why it is not valid.
        reason: String,
    },
}

impl Error {
    /// `true` when the credential (code, ID token, access token) or the
    /// identity it asserts was examined and refused; `false` when it could not
    /// be checked (configuration, network, provider failure).
    ///
    /// A SASL server answers a rejection with the RFC 7628 `invalid_token`
    /// challenge and counts a failed login; otherwise it answers with a
    /// temporary failure (IMAP `NO [UNAVAILABLE]`, SMTP `454 4.7.0`).
    pub fn is_rejection(&self) -> bool {
        !matches!(
            self,
            Self::Config(_)
                | Self::CaBundle { .. }
                | Self::InsecureEndpoint { .. }
                | Self::Discovery { .. }
                | Self::Jwks { .. }
                | Self::TokenEndpoint(_)
                | Self::OpaqueTokenUnsupported
                | Self::Introspection(_)
                | Self::UserInfo(_)
        )
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The full chain of an error's causes, `: `-separated, for messages that
/// must say *why* a request failed (reqwest hides the cause in `source()`).
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_and_failures_are_told_apart() {
        assert!(Error::StateMismatch.is_rejection());
        assert!(Error::Expired("at 12:00".into()).is_rejection());
        assert!(Error::Inactive.is_rejection());
        assert!(!Error::UserInfo("connection refused".into()).is_rejection());
        assert!(!Error::OpaqueTokenUnsupported.is_rejection());
    }

    #[test]
    fn messages_say_what_is_wrong() {
        let e = Error::WrongIssuer {
            expected: "https://a.example".into(),
            found: "https://b.example".into(),
        };
        assert_eq!(
            e.to_string(),
            "token issued by `https://b.example`, not by the configured provider `https://a.example`"
        );
    }
}
