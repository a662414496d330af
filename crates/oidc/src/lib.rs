//! Federated login through an OpenID Connect provider in the style of Pro
//! Santé Connect (requirement AU-4), and the check of the provider's access
//! tokens presented over SASL OAUTHBEARER / XOAUTH2 on IMAP and SMTP.
//!
//! The provider asserts the person's national identifier (Pro Santé
//! Connect's `SubjectNameID`: "8" + RPPS number); this crate returns it
//! validated as a [`caduceus_core::NationalId`] in a [`FederatedIdentity`].
//! Mapping it to an account, sessions, the web routes and the SASL exchanges
//! belong to the callers.
//!
//! # Layout
//!
//! - [`config`]: [`ProviderConfig`], what the operator sets (issuer, client,
//!   the national identifier claim, the bearer audience, extra trust
//!   anchors, the loopback-HTTP test exception).
//! - [`provider`]: [`Provider`], discovered from
//!   `/.well-known/openid-configuration`; holds the provider's signing keys
//!   and fetches them again when a token names an unknown key.
//! - [`login`]: the web login, authorization code flow with PKCE:
//!   [`Provider::authorization_request`] gives the URL and a
//!   [`PendingLogin`]; [`Provider::exchange`] redeems the code and verifies
//!   the ID token.
//! - [`bearer`]: [`Provider::verify_access_token`], for the token of a SASL
//!   exchange: RFC 9068 JWT access tokens checked locally, other tokens by
//!   RFC 7662 introspection.
//! - [`sasl`]: pure parsers of the OAUTHBEARER and XOAUTH2 client messages
//!   ([`BearerCredentials`]) and builders of their error challenges.
//! - [`identity`]: [`FederatedIdentity`] and where its national identifier
//!   was read ([`ClaimSource`]).
//! - [`error`]: [`Error`], which says what is wrong and whether the
//!   credential was refused or could not be checked
//!   ([`Error::is_rejection`]).
//! - `jwt` (private): reading a token's header and claims before and after
//!   verification; `http` (private): the rustls HTTP client.
//!
//! Cryptography and protocol checks are `openidconnect`'s (discovery, PKCE,
//! ID token validation, userinfo); HTTP is `reqwest` on rustls with the
//! *ring* provider. Secrets (client secret, nonce, PKCE verifier, tokens)
//! travel in [`caduceus_core::SecretString`], whose `Debug` prints
//! `[redacted]`.
//!
//! # Example
//!
//! ```no_run
//! use caduceus_oidc::{Provider, ProviderConfig, parse_oauthbearer};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let mut config = ProviderConfig::new(
//!     "https://auth.esante.gouv.fr/auth/realms/esante-wallet",
//!     "caduceus-web",
//!     std::env::var("PSC_CLIENT_SECRET")?.into(),
//!     "https://mail.hopital.example/oidc/callback",
//!     "urn:caduceus:mail",
//! );
//! config.acr_values = vec!["eidas1".to_owned()];
//! let provider = Provider::discover(config).await?;
//!
//! // Web login: send the browser to `url`, keep `pending` in the session.
//! let (url, pending) = provider.authorization_request();
//! # let (code, state) = ("code", "state");
//! // ... on the redirect URI, with the `code` and `state` query parameters:
//! let person = provider.exchange(code, state, &pending).await?;
//! println!("{} logged in", person.national_id);
//!
//! // SASL OAUTHBEARER: the decoded initial response of the mail client.
//! # let message = b"n,,\x01auth=Bearer t\x01\x01";
//! let credentials = parse_oauthbearer(message)?;
//! match provider.verify_access_token(credentials.token.expose()).await {
//!     Ok(person) => println!("{} authenticated", person.national_id),
//!     Err(e) if e.is_rejection() => {
//!         let _challenge = provider.oauthbearer_error_challenge(); // base64, send, then fail
//!     }
//!     Err(_unavailable) => { /* temporary failure */ }
//! }
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod bearer;
pub mod config;
pub mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod http;
pub mod identity;
mod jwt;
pub mod login;
pub mod provider;
pub mod sasl;

pub use config::{PSC_NATIONAL_ID_CLAIM, PSC_SCOPE_ALL, ProviderConfig};
pub use error::{Error, Result};
pub use identity::{ClaimSource, FederatedIdentity};
pub use login::PendingLogin;
pub use openidconnect::url::Url;
pub use provider::Provider;
pub use sasl::{
    BearerCredentials, SaslError, is_oauthbearer_error_acknowledgement,
    oauthbearer_error_challenge, parse_oauthbearer, parse_xoauth2, xoauth2_error_challenge,
};
