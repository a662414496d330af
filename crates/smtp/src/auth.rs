//! SMTP AUTH (RFC 4954): the SASL mechanisms offered — PLAIN (RFC 4616) and LOGIN with
//! a device credential (AU-2), EXTERNAL with the TLS client certificate (AU-1),
//! OAUTHBEARER (RFC 7628) and XOAUTH2 with the OpenID provider's access token (AU-4,
//! when one is configured) — their messages, the logins they lead to, and how a
//! failed login reads.
//!
//! The web password is never accepted here: the service only takes a device
//! credential (`cdv-…`) from a mail client. Nothing of a credential is logged.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use caduceus_core::sasl::PlainResponse;
use caduceus_core::{MailAddress, NationalId, SecretString};
use caduceus_pki::CertIdentity;
use caduceus_service::auth::{Authenticated, Credentials};
use caduceus_service::{Service, ServiceError};
use zeroize::Zeroizing;

use crate::reply::Reply;

/// The mechanisms offered after TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mechanism {
    /// `PLAIN`: authzid, address and device credential in one message.
    Plain,
    /// `LOGIN`: address, then device credential.
    Login,
    /// `EXTERNAL`: the client certificate of the TLS session.
    External,
    /// `OAUTHBEARER` (RFC 7628): an access token, optionally with the address.
    OAuthBearer,
    /// `XOAUTH2`: the address and an access token.
    XOAuth2,
}

impl Mechanism {
    /// The mechanism `smtp-proto` parsed, if it is one offered.
    pub(crate) fn from_proto(mechanism: u64) -> Option<Self> {
        match mechanism {
            smtp_proto::AUTH_PLAIN => Some(Mechanism::Plain),
            smtp_proto::AUTH_LOGIN => Some(Mechanism::Login),
            smtp_proto::AUTH_EXTERNAL => Some(Mechanism::External),
            smtp_proto::AUTH_OAUTHBEARER => Some(Mechanism::OAuthBearer),
            smtp_proto::AUTH_XOAUTH2 => Some(Mechanism::XOAuth2),
            _ => None,
        }
    }
}

/// Why a SASL exchange stopped before any credential was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SaslError {
    /// The client sent `*`.
    #[error("authentication cancelled")]
    Cancelled,
    /// The response is not base64.
    #[error("invalid base64 in the authentication exchange")]
    Base64,
    /// The decoded message does not have the mechanism's form.
    #[error("malformed {0} message")]
    Malformed(&'static str),
}

impl SaslError {
    /// `501 5.7.0` for a cancel, `501 5.5.2` for a malformed response.
    pub(crate) fn reply(self) -> Reply {
        match self {
            SaslError::Cancelled => Reply::new(501, "5.7.0", self.to_string()),
            _ => Reply::new(501, "5.5.2", self.to_string()),
        }
    }
}

/// The challenges of LOGIN: `Username:` and `Password:`, in base64.
pub(crate) const LOGIN_USERNAME: &str = "VXNlcm5hbWU6";
/// See [`LOGIN_USERNAME`].
pub(crate) const LOGIN_PASSWORD: &str = "UGFzc3dvcmQ6";

/// Decodes one client response (RFC 4954 §4): `*` cancels, `=` (an initial response)
/// is empty, anything else is base64. The result is wiped when dropped.
pub(crate) fn decode(response: &str) -> Result<Zeroizing<Vec<u8>>, SaslError> {
    let response = response.trim();
    match response {
        "*" => Err(SaslError::Cancelled),
        "=" => Ok(Zeroizing::new(Vec::new())),
        _ => BASE64
            .decode(response)
            .map(Zeroizing::new)
            .map_err(|_| SaslError::Base64),
    }
}

/// A password login's parts.
pub(crate) struct PasswordLogin {
    /// Who the client asks to act as; empty for oneself.
    pub(crate) authzid: String,
    /// The address logging in.
    pub(crate) authcid: String,
    /// The device credential.
    pub(crate) password: SecretString,
}

/// Splits a PLAIN message `authzid NUL authcid NUL passwd` (RFC 4616 §2).
pub(crate) fn plain(message: &[u8]) -> Result<PasswordLogin, SaslError> {
    let plain = PlainResponse::parse(message).ok_or(SaslError::Malformed("PLAIN"))?;
    Ok(PasswordLogin {
        authzid: plain.authzid,
        authcid: plain.authcid,
        password: plain.password,
    })
}

/// The text of a LOGIN response (a user name or a password).
pub(crate) fn login_text(message: &[u8]) -> Result<String, SaslError> {
    caduceus_core::sasl::login_text(message).ok_or(SaslError::Malformed("LOGIN"))
}

/// How a refused login reads, and how long to wait before saying so (AU-3).
pub(crate) fn refused(error: &ServiceError) -> (Reply, Duration) {
    match error {
        ServiceError::AuthFailed { delay } => (failed(), *delay),
        ServiceError::Throttled { .. } => (
            Reply::new(454, "4.7.0", "too many failed attempts; try again later"),
            Duration::ZERO,
        ),
        ServiceError::Locked { .. } => {
            (Reply::new(535, "5.7.8", error.to_string()), Duration::ZERO)
        }
        ServiceError::Store(_) | ServiceError::Unavailable(_) => (
            Reply::new(
                454,
                "4.7.0",
                "temporary authentication failure; try again later",
            ),
            Duration::ZERO,
        ),
        _ => (failed(), Duration::ZERO),
    }
}

/// `535 5.7.8`: the same words whatever went wrong (AU-3).
pub(crate) fn failed() -> Reply {
    Reply::new(535, "5.7.8", "authentication failed")
}

/// Logs in with an address and a device credential (PLAIN, LOGIN). An authorization
/// identity other than the address itself is refused.
pub(crate) async fn password_login(
    service: &Service,
    login: PasswordLogin,
    source: &str,
) -> Result<Authenticated, (Reply, Duration)> {
    let Ok(address) = MailAddress::parse(login.authcid.trim()) else {
        return Err((failed(), Duration::ZERO));
    };
    if !login.authzid.is_empty()
        && MailAddress::parse(login.authzid.trim()).ok() != Some(address.clone())
    {
        return Err((
            Reply::new(
                535,
                "5.7.8",
                "authentication failed: the authorization identity must be empty or your own address",
            ),
            Duration::ZERO,
        ));
    }
    let credentials = Credentials::Device {
        credential: &login.password,
    };
    service
        .login(&address, credentials, source)
        .await
        .map_err(|e| refused(&e))
}

/// Logs in with the TLS client certificate (EXTERNAL): its national identifier names
/// the account; `authzid`, if any, must be that account's address.
pub(crate) async fn certificate_login(
    service: &Service,
    identity: &CertIdentity,
    authzid: &[u8],
    source: &str,
) -> Result<Authenticated, (Reply, Duration)> {
    let Some(national_id) = identity
        .serial_number
        .as_deref()
        .and_then(|id| NationalId::parse(id).ok())
    else {
        return Err((
            Reply::new(
                535,
                "5.7.8",
                "authentication failed: the certificate carries no national identifier",
            ),
            Duration::ZERO,
        ));
    };
    let authzid = match std::str::from_utf8(authzid).map(str::trim) {
        Ok("") => None,
        Ok(text) => match MailAddress::parse(text) {
            Ok(address) => Some(address),
            Err(_) => return Err((failed(), Duration::ZERO)),
        },
        Err(_) => return Err((SaslError::Malformed("EXTERNAL").reply(), Duration::ZERO)),
    };
    service
        .login_certificate(&national_id, authzid.as_ref(), source)
        .await
        .map_err(|e| refused(&e))
}

/// A refused bearer token: the error challenge to send first (RFC 7628 §3.2.2; the
/// same for XOAUTH2), then the final reply after the client's dummy response.
pub(crate) struct BearerRefusal {
    /// The `334` challenge (base64 of a JSON status), when the token itself was refused.
    pub(crate) challenge: Option<String>,
    /// The final reply, and how long to wait before it.
    pub(crate) reply: (Reply, Duration),
}

/// Logs in with an OAUTHBEARER or XOAUTH2 message: the provider checks the token and
/// the national identifier it asserts names the account; the address the client
/// gives (`a=`, `user=`), if any, must be that account's.
pub(crate) async fn bearer_login(
    service: &Service,
    mechanism: Mechanism,
    message: &[u8],
    source: &str,
) -> Result<Authenticated, BearerRefusal> {
    let plain = |reply: (Reply, Duration)| BearerRefusal {
        challenge: None,
        reply,
    };
    let parsed = match mechanism {
        Mechanism::XOAuth2 => caduceus_oidc::parse_xoauth2(message),
        _ => caduceus_oidc::parse_oauthbearer(message),
    };
    let credentials = parsed.map_err(|e| {
        plain((
            Reply::new(501, "5.5.2", format!("malformed SASL message: {e}")),
            Duration::ZERO,
        ))
    })?;
    let authzid = match credentials.authzid.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match MailAddress::parse(text) {
            Ok(address) => Some(address),
            Err(_) => return Err(plain((failed(), Duration::ZERO))),
        },
    };
    match service
        .login_bearer(&credentials.token, authzid.as_ref(), source)
        .await
    {
        Ok(login) => Ok(login),
        Err(error @ ServiceError::AuthFailed { .. }) => {
            let json = match mechanism {
                Mechanism::XOAuth2 => {
                    caduceus_oidc::xoauth2_error_challenge("401", Some("bearer"), None)
                }
                _ => service.oauthbearer_challenge().unwrap_or_else(|| {
                    caduceus_oidc::oauthbearer_error_challenge("invalid_token", None, None)
                }),
            };
            Err(BearerRefusal {
                challenge: Some(BASE64.encode(json)),
                reply: refused(&error),
            })
        }
        Err(error) => Err(plain(refused(&error))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_decode_cancel_and_empty() {
        assert_eq!(decode("*"), Err(SaslError::Cancelled));
        assert_eq!(decode("=").unwrap().as_slice(), b"");
        assert_eq!(decode("YWJj").unwrap().as_slice(), b"abc");
        assert_eq!(decode("not base64!"), Err(SaslError::Base64));
    }

    #[test]
    fn plain_has_three_parts() {
        let login = plain(b"\0alice@x.fr\0cdv-1-abc").unwrap();
        assert_eq!(login.authzid, "");
        assert_eq!(login.authcid, "alice@x.fr");
        assert_eq!(login.password.expose(), "cdv-1-abc");
        assert!(plain(b"alice@x.fr\0cdv").is_err());
        assert!(plain(b"\0\0cdv").is_err());
        assert!(plain(b"\0a\0b\0c").is_err());
        assert!(plain(&[0, 0xff, 0, b'x']).is_err());
    }

    #[test]
    fn only_the_offered_mechanisms_are_known() {
        assert_eq!(
            Mechanism::from_proto(smtp_proto::AUTH_PLAIN),
            Some(Mechanism::Plain)
        );
        assert_eq!(Mechanism::from_proto(smtp_proto::AUTH_CRAM_MD5), None);
        assert_eq!(Mechanism::from_proto(0), None);
    }
}
