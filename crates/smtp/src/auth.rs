//! SMTP AUTH (RFC 4954): the SASL mechanisms offered — PLAIN (RFC 4616) and LOGIN with
//! a device credential (AU-2), EXTERNAL with the TLS client certificate (AU-1),
//! OAUTHBEARER (RFC 7628) and XOAUTH2 with the OpenID provider's access token (AU-4,
//! when one is configured) — their messages, and how a refused login reads. The login
//! itself, with its rules, is the service's one entry, `Service::sasl_login`.
//!
//! The web password is never accepted here: the service only takes a device
//! credential (`cdv-…`) from a mail client. Nothing of a credential is logged.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use caduceus_core::sasl::PlainResponse;
pub(crate) use caduceus_service::sasl::Mechanism;
use caduceus_service::sasl::SaslRefusal;
use zeroize::Zeroizing;

use crate::reply::Reply;

/// The mechanism `smtp-proto` parsed, if it is one offered after TLS.
pub(crate) fn mechanism(proto: u64) -> Option<Mechanism> {
    match proto {
        smtp_proto::AUTH_PLAIN => Some(Mechanism::Plain),
        smtp_proto::AUTH_LOGIN => Some(Mechanism::Login),
        smtp_proto::AUTH_EXTERNAL => Some(Mechanism::External),
        smtp_proto::AUTH_OAUTHBEARER => Some(Mechanism::OAuthBearer),
        smtp_proto::AUTH_XOAUTH2 => Some(Mechanism::XOAuth2),
        _ => None,
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

/// The parts of a PLAIN message `authzid NUL authcid NUL passwd` (RFC 4616 §2).
pub(crate) fn plain(message: &[u8]) -> Result<PlainResponse, SaslError> {
    PlainResponse::parse(message).ok_or(SaslError::Malformed("PLAIN"))
}

/// The text of a LOGIN response (a user name or a password).
pub(crate) fn login_text(message: &[u8]) -> Result<String, SaslError> {
    caduceus_core::sasl::login_text(message).ok_or(SaslError::Malformed("LOGIN"))
}

/// `535 5.7.8`: the same words whatever went wrong (AU-3).
fn failed() -> Reply {
    Reply::new(535, "5.7.8", "authentication failed")
}

/// How a refused login reads (RFC 4954 §6), and how long to wait before saying so;
/// for a refused token, the error challenge (base64) to send first.
pub(crate) fn refused(refusal: SaslRefusal) -> (Reply, Duration, Option<String>) {
    let now = |reply| (reply, Duration::ZERO, None);
    match refusal {
        SaslRefusal::Failed { delay } => (failed(), delay, None),
        SaslRefusal::ForeignAuthzid { delay } => (
            Reply::new(
                535,
                "5.7.8",
                "authentication failed: the authorization identity must be empty or your own address",
            ),
            delay,
            None,
        ),
        SaslRefusal::NoNationalId => now(Reply::new(
            535,
            "5.7.8",
            "authentication failed: the certificate carries no national identifier",
        )),
        SaslRefusal::Malformed(text) => now(Reply::new(501, "5.5.2", text)),
        SaslRefusal::TokenRejected { challenge, delay } => {
            (failed(), delay, Some(BASE64.encode(challenge)))
        }
        SaslRefusal::Throttled => now(Reply::new(
            454,
            "4.7.0",
            "too many failed attempts; try again later",
        )),
        SaslRefusal::Locked(text) => now(Reply::new(535, "5.7.8", text)),
        SaslRefusal::Unavailable => now(Reply::new(
            454,
            "4.7.0",
            "temporary authentication failure; try again later",
        )),
        // RFC 3463 4.3.1 "mail system full", under AUTH's temporary failure (RFC 4954).
        SaslRefusal::StorageFull => now(Reply::new(
            454,
            "4.3.1",
            "insufficient system storage; try again later",
        )),
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
        assert_eq!(mechanism(smtp_proto::AUTH_PLAIN), Some(Mechanism::Plain));
        assert_eq!(mechanism(smtp_proto::AUTH_CRAM_MD5), None);
        assert_eq!(mechanism(0), None);
    }
}
