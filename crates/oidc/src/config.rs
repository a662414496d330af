//! What the operator configures: which provider, which client, which claim
//! carries the national identifier, and whom to trust for TLS.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use caduceus_core::SecretString;
use openidconnect::url::{Host, Url};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The claim Pro Santé Connect uses for the national identifier of a health
/// professional ("8" + RPPS number, or "0" + ADELI number).
pub const PSC_NATIONAL_ID_CLAIM: &str = "SubjectNameID";

/// Pro Santé Connect's scope releasing the professional's identity claims.
pub const PSC_SCOPE_ALL: &str = "scope_all";

/// How to reach and trust one OpenID Connect provider, and what to ask of it.
///
/// Deserializable from the server configuration; every field but the first
/// five has a default. `Debug` never prints the client secret.
///
/// ```
/// use caduceus_oidc::ProviderConfig;
/// let config = ProviderConfig::new(
///     "https://auth.esante.gouv.fr/auth/realms/esante-wallet",
///     "caduceus-web",
///     "s3cret".to_owned().into(),
///     "https://mail.hopital.example/oidc/callback",
///     "urn:caduceus:mail",
/// );
/// assert_eq!(config.national_id_claim, "SubjectNameID");
/// assert!(!format!("{config:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// The issuer identifier, exactly as the provider writes it in `iss`
    /// (discovery appends `/.well-known/openid-configuration`).
    pub issuer: String,
    /// This relying party's client identifier at the provider.
    pub client_id: String,
    /// This relying party's client secret (sent with HTTP Basic
    /// authentication to the token and introspection endpoints).
    pub client_secret: SecretString,
    /// Where the provider sends the browser back after login; must be
    /// registered at the provider.
    pub redirect_uri: String,
    /// The audience that bearer tokens presented over SASL must carry in
    /// `aud`: the resource indicator (RFC 8707) of the mail service, e.g.
    /// `urn:caduceus:mail`. Tokens for any other audience are refused.
    pub access_token_audience: String,
    /// The claim carrying the national identifier; `SubjectNameID` (Pro Santé
    /// Connect) by default.
    #[serde(default = "default_national_id_claim")]
    pub national_id_claim: String,
    /// Scopes asked for at login, besides `openid` (always sent). Default
    /// `["scope_all"]`, as Pro Santé Connect.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Authentication context classes to ask for (`acr_values`) and to
    /// require in the ID token's `acr`; empty (the default) asks for nothing
    /// and accepts any. Pro Santé Connect uses `["eidas1"]`.
    #[serde(default)]
    pub acr_values: Vec<String>,
    /// Extra trust anchors (PEM file, one or more certificates) for the
    /// provider's TLS, added to the Mozilla roots. Tests use a dev CA.
    #[serde(default)]
    pub ca_bundle: Option<PathBuf>,
    /// Accept plain `http` endpoints when they are on a loopback address
    /// (`127.0.0.0/8`, `::1`, `localhost`). For tests only: a real provider
    /// is always reached over `https`. Default `false`.
    #[serde(default)]
    pub allow_http_loopback: bool,
    /// Tolerated clock difference with the provider when checking `exp` and
    /// `nbf`, in seconds. Default 30.
    #[serde(default = "default_clock_skew_secs")]
    pub clock_skew_secs: u64,
    /// Minimum time between two fetches of the provider's key set triggered
    /// by an unknown `kid`, in seconds, so that a stream of forged tokens
    /// cannot make us hammer the provider. The first such fetch is never
    /// delayed. Default 60.
    #[serde(default = "default_jwks_refresh_cooldown_secs")]
    pub jwks_refresh_cooldown_secs: u64,
    /// Timeout of each request to the provider, in seconds. Default 10.
    #[serde(default = "default_http_timeout_secs")]
    pub http_timeout_secs: u64,
}

fn default_national_id_claim() -> String {
    PSC_NATIONAL_ID_CLAIM.to_owned()
}

fn default_scopes() -> Vec<String> {
    vec![PSC_SCOPE_ALL.to_owned()]
}

fn default_clock_skew_secs() -> u64 {
    30
}

fn default_jwks_refresh_cooldown_secs() -> u64 {
    60
}

fn default_http_timeout_secs() -> u64 {
    10
}

impl ProviderConfig {
    /// A configuration with the given provider, client and bearer audience,
    /// and the defaults for everything else.
    pub fn new(
        issuer: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: SecretString,
        redirect_uri: impl Into<String>,
        access_token_audience: impl Into<String>,
    ) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret,
            redirect_uri: redirect_uri.into(),
            access_token_audience: access_token_audience.into(),
            national_id_claim: default_national_id_claim(),
            scopes: default_scopes(),
            acr_values: Vec::new(),
            ca_bundle: None,
            allow_http_loopback: false,
            clock_skew_secs: default_clock_skew_secs(),
            jwks_refresh_cooldown_secs: default_jwks_refresh_cooldown_secs(),
            http_timeout_secs: default_http_timeout_secs(),
        }
    }

    /// [`clock_skew_secs`](Self::clock_skew_secs) as a duration.
    pub fn clock_skew(&self) -> Duration {
        Duration::from_secs(self.clock_skew_secs)
    }

    /// Checks what can be checked without the network, and returns the
    /// issuer URL.
    pub(crate) fn validate(&self) -> Result<Url> {
        let issuer = Url::parse(&self.issuer)
            .map_err(|e| Error::Config(format!("issuer {:?} is not a URL: {e}", self.issuer)))?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err(Error::Config(format!(
                "issuer {:?} must have no query or fragment",
                self.issuer
            )));
        }
        check_endpoint("issuer", &issuer, self.allow_http_loopback)?;
        let redirect = Url::parse(&self.redirect_uri).map_err(|e| {
            Error::Config(format!(
                "redirect_uri {:?} is not a URL: {e}",
                self.redirect_uri
            ))
        })?;
        check_endpoint("redirect", &redirect, self.allow_http_loopback)?;
        for (name, value) in [
            ("client_id", &self.client_id),
            ("access_token_audience", &self.access_token_audience),
            ("national_id_claim", &self.national_id_claim),
        ] {
            if value.trim().is_empty() {
                return Err(Error::Config(format!("{name} is empty")));
            }
        }
        if self.client_secret.expose().is_empty() {
            return Err(Error::Config("client_secret is empty".to_owned()));
        }
        if self.access_token_audience == self.client_id {
            return Err(Error::Config(
                "access_token_audience must differ from client_id: ID tokens are addressed to \
                 the client id and must not pass as access tokens"
                    .to_owned(),
            ));
        }
        Ok(issuer)
    }
}

/// Refuses an endpoint that is not `https`, unless it is plain `http` on a
/// loopback address and `allow_http_loopback` is set.
pub(crate) fn check_endpoint(
    endpoint: &'static str,
    url: &Url,
    allow_http_loopback: bool,
) -> Result<()> {
    let refuse = |reason| {
        Err(Error::InsecureEndpoint {
            endpoint,
            url: url.to_string(),
            reason,
        })
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if allow_http_loopback && is_loopback(url) => Ok(()),
        "http" if allow_http_loopback => {
            refuse("plain http is allowed only on a loopback address (127.0.0.0/8, ::1, localhost)")
        }
        "http" => refuse("plain http; the provider must be reached over https"),
        _ => refuse("unsupported scheme; expected https"),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(issuer: &str) -> ProviderConfig {
        ProviderConfig::new(
            issuer,
            "caduceus",
            SecretString::new("secret".to_owned()),
            "https://mail.example/oidc/callback",
            "urn:caduceus:mail",
        )
    }

    #[test]
    fn au4_https_issuer_is_accepted() {
        let url = config("https://auth.esante.gouv.fr/auth/realms/esante-wallet")
            .validate()
            .unwrap();
        assert_eq!(url.host_str(), Some("auth.esante.gouv.fr"));
    }

    #[test]
    fn au4_plain_http_issuer_is_refused_without_the_loopback_exception() {
        let err = config("http://127.0.0.1:8080").validate().unwrap_err();
        assert!(
            matches!(
                err,
                Error::InsecureEndpoint {
                    endpoint: "issuer",
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains("https"), "{err}");
    }

    #[test]
    fn au4_loopback_exception_covers_loopback_only() {
        let mut c = config("http://127.0.0.1:8080");
        c.allow_http_loopback = true;
        c.validate().unwrap();
        c.issuer = "http://[::1]:8080".into();
        c.validate().unwrap();
        c.issuer = "http://localhost:8080".into();
        c.validate().unwrap();
        c.issuer = "http://auth.example:8080".into();
        let err = c.validate().unwrap_err();
        assert!(err.to_string().contains("loopback"), "{err}");
    }

    #[test]
    fn au4_config_mistakes_are_named() {
        let mut c = config("https://auth.example");
        c.access_token_audience = "caduceus".into();
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("access_token_audience")
        );
        let c = config("not a url");
        assert!(c.validate().unwrap_err().to_string().contains("issuer"));
        let mut c = config("https://auth.example");
        c.client_secret = SecretString::new(String::new());
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("client_secret")
        );
    }

    #[test]
    fn au4_config_deserializes_with_psc_defaults_and_redacts_the_secret() {
        let c: ProviderConfig = serde_json::from_value(serde_json::json!({
            "issuer": "https://auth.example",
            "client_id": "caduceus",
            "client_secret": "hunter2-very-secret",
            "redirect_uri": "https://mail.example/cb",
            "access_token_audience": "urn:caduceus:mail",
        }))
        .unwrap();
        assert_eq!(c.national_id_claim, "SubjectNameID");
        assert_eq!(c.scopes, ["scope_all"]);
        assert!(!c.allow_http_loopback);
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
