//! The HTTP client that talks to the provider: rustls on the ring provider,
//! Mozilla roots plus the configured CA bundle, bounded time, no redirects.

use std::time::Duration;

use reqwest::{Certificate, Client, redirect};

use crate::config::ProviderConfig;
use crate::error::{Error, Result, chain};

/// Builds the client used for discovery, JWKS, token, userinfo and
/// introspection requests.
///
/// Redirects are not followed (the provider's endpoints are announced by
/// discovery, and following them would let a compromised endpoint point us at
/// internal addresses). HTTPS only, unless the loopback test exception is on,
/// in which case each endpoint is still checked by
/// [`check_endpoint`](crate::config::check_endpoint).
pub(crate) fn client(config: &ProviderConfig) -> Result<Client> {
    let timeout = Duration::from_secs(config.http_timeout_secs.max(1));
    let mut builder = Client::builder()
        .use_rustls_tls()
        .redirect(redirect::Policy::none())
        .timeout(timeout)
        .connect_timeout(timeout)
        .https_only(!config.allow_http_loopback)
        .user_agent(concat!("caduceus-oidc/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = &config.ca_bundle {
        let ca_error = |reason: String| Error::CaBundle {
            path: path.clone(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
        let certs = Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(chain(&e)))?;
        if certs.is_empty() {
            return Err(ca_error("no PEM certificate in the file".to_owned()));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot build the HTTP client: {}", chain(&e))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use caduceus_core::SecretString;

    #[test]
    fn au4_unreadable_or_empty_ca_bundle_is_named() {
        let mut config = ProviderConfig::new(
            "https://auth.example",
            "caduceus",
            SecretString::new("s".to_owned()),
            "https://mail.example/cb",
            "urn:caduceus:mail",
        );
        config.ca_bundle = Some("/nonexistent/ca.pem".into());
        let err = client(&config).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        config.ca_bundle = Some(empty);
        let err = client(&config).unwrap_err();
        assert!(matches!(err, Error::CaBundle { .. }), "{err}");
    }
}
