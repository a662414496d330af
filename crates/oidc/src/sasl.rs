//! SASL mechanisms carrying an OAuth bearer token, as pure functions: parse
//! the client's initial response, build the error challenge.
//!
//! - **OAUTHBEARER** (RFC 7628): `n,a=<authzid>,^Ahost=<host>^Aport=<port>^Aauth=Bearer <token>^A^A`,
//!   after a GS2 header (RFC 5801) whose channel-binding flag must be `n` or
//!   `y`. On failure the server sends [`oauthbearer_error_challenge`]; the
//!   client answers with a single `^A` ([`is_oauthbearer_error_acknowledgement`])
//!   and the server then fails the exchange.
//! - **XOAUTH2** (Google): `user=<user>^Aauth=Bearer <token>^A^A`. On
//!   failure the server sends [`xoauth2_error_challenge`]; the client answers
//!   with an empty response and the server fails the exchange.
//!
//! `^A` is the byte 0x01. The functions take the message *after* base64
//! decoding, and return the JSON challenges *before* base64 encoding: the
//! protocol layer (IMAP `AUTHENTICATE`, SMTP `AUTH`) does the base64.
//!
//! The token is returned in a [`SecretString`], and no error message quotes
//! it.

use caduceus_core::SecretString;
use serde::Serialize;

/// The byte separating key/value pairs.
const KVSEP: char = '\u{1}';

/// What a mail client presented in an OAUTHBEARER or XOAUTH2 initial
/// response.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BearerCredentials {
    /// The identity the client asks to act as: OAUTHBEARER's `a=` authzid or
    /// XOAUTH2's `user=`. The caller must check that it designates the
    /// account the token's national identifier belongs to.
    pub authzid: Option<String>,
    /// The bearer token (`auth=Bearer <token>`).
    pub token: SecretString,
    /// OAUTHBEARER's `host=`, if sent.
    pub host: Option<String>,
    /// OAUTHBEARER's `port=`, if sent.
    pub port: Option<u16>,
}

/// Why a SASL message was refused. Never quotes the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// The message is not UTF-8.
    #[error("the SASL message is not UTF-8")]
    NotUtf8,
    /// The GS2 header of an OAUTHBEARER message is malformed.
    #[error("malformed GS2 header: {0}")]
    Gs2Header(&'static str),
    /// The client asked for channel binding (`p=`), which OAUTHBEARER does
    /// not support.
    #[error("channel binding (`p=...`) is not supported by OAUTHBEARER")]
    ChannelBinding,
    /// The authzid is empty or uses an escape other than `=2C` and `=3D`.
    #[error("the authorization identity is empty or badly escaped (only =2C and =3D are allowed)")]
    BadAuthzid,
    /// The message does not end with the `^A^A` terminator.
    #[error("the message does not end with the 0x01 0x01 terminator")]
    Unterminated,
    /// A key/value pair is malformed (the key, or `(empty)`, is named).
    #[error("malformed key/value pair `{0}`")]
    BadPair(String),
    /// A key appears twice.
    #[error("key `{0}` appears twice")]
    DuplicateKey(String),
    /// A required key is missing.
    #[error("no `{0}=` key")]
    Missing(&'static str),
    /// The `auth` value is not `Bearer <token>`.
    #[error("the auth value is not `Bearer <token>`")]
    NotBearer,
    /// The token has characters outside RFC 6750's `b64token`.
    #[error("the bearer token has characters outside RFC 6750's b64token")]
    BadToken,
    /// The `port` value is not a port number.
    #[error("port {0:?} is not a number from 0 to 65535")]
    BadPort(String),
}

/// Parses an OAUTHBEARER initial client response (RFC 7628 section 3.1).
///
/// ```
/// let message = b"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01";
/// let credentials = caduceus_oidc::parse_oauthbearer(message)?;
/// assert_eq!(credentials.authzid.as_deref(), Some("user@example.com"));
/// assert_eq!(credentials.port, Some(143));
/// # Ok::<(), caduceus_oidc::SaslError>(())
/// ```
pub fn parse_oauthbearer(message: &[u8]) -> Result<BearerCredentials, SaslError> {
    let text = std::str::from_utf8(message).map_err(|_| SaslError::NotUtf8)?;
    let (authzid, rest) = gs2_header(text)?;
    let rest = rest
        .strip_prefix(KVSEP)
        .ok_or(SaslError::Gs2Header("the header must be followed by 0x01"))?;
    let pairs = pairs(rest)?;
    let token = bearer_token(find(&pairs, "auth").ok_or(SaslError::Missing("auth"))?)?;
    let port = match find(&pairs, "port") {
        Some(port) => Some(
            port.parse::<u16>()
                .map_err(|_| SaslError::BadPort(port.to_owned()))?,
        ),
        None => None,
    };
    Ok(BearerCredentials {
        authzid,
        token,
        host: find(&pairs, "host").map(str::to_owned),
        port,
    })
}

/// Parses an XOAUTH2 initial client response (Google's
/// `user=<user>^Aauth=Bearer <token>^A^A`).
///
/// ```
/// let message = b"user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01";
/// let credentials = caduceus_oidc::parse_xoauth2(message)?;
/// assert_eq!(credentials.authzid.as_deref(), Some("someuser@example.com"));
/// # Ok::<(), caduceus_oidc::SaslError>(())
/// ```
pub fn parse_xoauth2(message: &[u8]) -> Result<BearerCredentials, SaslError> {
    let text = std::str::from_utf8(message).map_err(|_| SaslError::NotUtf8)?;
    let pairs = pairs(text)?;
    let user = find(&pairs, "user").ok_or(SaslError::Missing("user"))?;
    if user.is_empty() {
        return Err(SaslError::Missing("user"));
    }
    let token = bearer_token(find(&pairs, "auth").ok_or(SaslError::Missing("auth"))?)?;
    Ok(BearerCredentials {
        authzid: Some(user.to_owned()),
        token,
        host: None,
        port: None,
    })
}

/// Whether `message` is the client's answer to an OAUTHBEARER error
/// challenge (a single 0x01, RFC 7628 section 3.2.3), after which the server
/// fails the authentication.
pub fn is_oauthbearer_error_acknowledgement(message: &[u8]) -> bool {
    message == [0x01]
}

/// The RFC 7628 section 3.2.2 error challenge: a JSON object with `status`
/// (`invalid_token`, `invalid_request` or `insufficient_scope`), and
/// optionally the `scope` needed and the provider's `openid-configuration`
/// URL. Compact JSON in that field order, as the RFC's examples.
pub fn oauthbearer_error_challenge(
    status: &str,
    scope: Option<&str>,
    openid_configuration: Option<&str>,
) -> String {
    #[derive(Serialize)]
    struct Challenge<'a> {
        status: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        scope: Option<&'a str>,
        #[serde(
            rename = "openid-configuration",
            skip_serializing_if = "Option::is_none"
        )]
        openid_configuration: Option<&'a str>,
    }
    to_json(&Challenge {
        status,
        scope,
        openid_configuration,
    })
}

/// The XOAUTH2 error challenge: a JSON object with an HTTP-like `status`
/// (`"400"`, `"401"`), and optionally the `schemes` and `scope`, as in
/// Google's documentation.
pub fn xoauth2_error_challenge(status: &str, schemes: Option<&str>, scope: Option<&str>) -> String {
    #[derive(Serialize)]
    struct Challenge<'a> {
        status: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        schemes: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        scope: Option<&'a str>,
    }
    to_json(&Challenge {
        status,
        schemes,
        scope,
    })
}

fn to_json(value: &impl Serialize) -> String {
    // Serializing a struct of strings cannot fail.
    serde_json::to_string(value).unwrap_or_else(|_| r#"{"status":"invalid_request"}"#.to_owned())
}

/// Splits the RFC 5801 GS2 header off an OAUTHBEARER message: returns the
/// decoded authzid and what follows the header's last comma.
fn gs2_header(text: &str) -> Result<(Option<String>, &str), SaslError> {
    let (flag, rest) = text.split_once(',').ok_or(SaslError::Gs2Header(
        "no comma after the channel-binding flag",
    ))?;
    match flag {
        "n" | "y" => {}
        "F" => {
            return Err(SaslError::Gs2Header(
                "the non-standard `F` flag is not supported",
            ));
        }
        _ if flag.starts_with("p=") => return Err(SaslError::ChannelBinding),
        _ => {
            return Err(SaslError::Gs2Header(
                "the channel-binding flag must be `n` or `y`",
            ));
        }
    }
    let (authzid, rest) = rest.split_once(',').ok_or(SaslError::Gs2Header(
        "no comma after the authorization identity",
    ))?;
    let authzid = match authzid {
        "" => None,
        _ => Some(saslname(authzid.strip_prefix("a=").ok_or(
            SaslError::Gs2Header("the authorization identity must start with `a=`"),
        )?)?),
    };
    Ok((authzid, rest))
}

/// Decodes an RFC 5801 `saslname`: `=2C` is `,` and `=3D` is `=`.
fn saslname(escaped: &str) -> Result<String, SaslError> {
    if escaped.is_empty() {
        return Err(SaslError::BadAuthzid);
    }
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(at) = rest.find('=') {
        out.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 3).ok_or(SaslError::BadAuthzid)?;
        out.push(match code {
            "2C" | "2c" => ',',
            "3D" | "3d" => '=',
            _ => return Err(SaslError::BadAuthzid),
        });
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Parses `key=value^A...key=value^A^A` (the final `^A` included).
fn pairs(text: &str) -> Result<Vec<(&str, &str)>, SaslError> {
    let body = text.strip_suffix(KVSEP).ok_or(SaslError::Unterminated)?;
    if body.is_empty() {
        return Ok(Vec::new());
    }
    let body = body.strip_suffix(KVSEP).ok_or(SaslError::Unterminated)?;
    let mut out: Vec<(&str, &str)> = Vec::new();
    for pair in body.split(KVSEP) {
        let (key, value) = pair.split_once('=').ok_or_else(|| {
            SaslError::BadPair(if pair.is_empty() { "(empty)" } else { "(no =)" }.to_owned())
        })?;
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(SaslError::BadPair(if key.is_empty() {
                "(empty key)".to_owned()
            } else {
                key.chars().take(32).collect()
            }));
        }
        if value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\r' | '\n'))
        {
            return Err(SaslError::BadPair(key.to_owned()));
        }
        if out.iter().any(|(k, _)| *k == key) {
            return Err(SaslError::DuplicateKey(key.to_owned()));
        }
        out.push((key, value));
    }
    Ok(out)
}

fn find<'a>(pairs: &[(&str, &'a str)], key: &str) -> Option<&'a str> {
    pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Reads `Bearer <b64token>` (scheme case-insensitive, RFC 6750 section 2.1).
fn bearer_token(auth: &str) -> Result<SecretString, SaslError> {
    let (scheme, token) = auth.split_once(' ').ok_or(SaslError::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(SaslError::NotBearer);
    }
    let token = token.trim_start_matches(' ');
    let body = token.trim_end_matches('=');
    let b64token = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b));
    if !b64token {
        return Err(SaslError::BadToken);
    }
    Ok(SecretString::new(token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;

    /// RFC 7628 section 4.1, the IMAP example's client response, as sent.
    const RFC7628_IMAP: &str = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB";
    /// RFC 7628 section 4.3, the server's error challenge, as sent.
    const RFC7628_ERROR: &str = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0=";
    /// Google's XOAUTH2 documentation, the initial client response, as sent.
    const GOOGLE_XOAUTH2: &str = "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==";
    /// Google's XOAUTH2 documentation, the error challenge, decoded.
    const GOOGLE_ERROR: &str =
        r#"{"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"}"#;

    #[test]
    fn au4_oauthbearer_rfc7628_imap_example() {
        let message = STANDARD.decode(RFC7628_IMAP).unwrap();
        let c = parse_oauthbearer(&message).unwrap();
        assert_eq!(c.authzid.as_deref(), Some("user@example.com"));
        assert_eq!(c.host.as_deref(), Some("server.example.com"));
        assert_eq!(c.port, Some(143));
        assert_eq!(
            c.token.expose(),
            "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg=="
        );
    }

    #[test]
    fn au4_oauthbearer_rfc7628_smtp_example_and_minimal_forms() {
        let c = parse_oauthbearer(
            b"n,a=user@example.com,\x01host=server.example.com\x01port=587\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
        )
        .unwrap();
        assert_eq!(c.port, Some(587));
        // No authzid, no host or port, scheme in another case.
        let c = parse_oauthbearer(b"n,,\x01auth=bearer abc.def-ghi\x01\x01").unwrap();
        assert_eq!(c.authzid, None);
        assert_eq!((c.host, c.port), (None, None));
        assert_eq!(c.token.expose(), "abc.def-ghi");
        // `y`: the client supports channel binding but thinks we do not.
        assert!(parse_oauthbearer(b"y,,\x01auth=Bearer t\x01\x01").is_ok());
    }

    #[test]
    fn au4_oauthbearer_authzid_escapes() {
        let c = parse_oauthbearer(b"n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01").unwrap();
        assert_eq!(c.authzid.as_deref(), Some("a,b=c"));
        for bad in [
            &b"n,a=a=2,\x01auth=Bearer t\x01\x01"[..],
            b"n,a=a=41,\x01auth=Bearer t\x01\x01",
            b"n,a=,\x01auth=Bearer t\x01\x01",
        ] {
            assert_eq!(parse_oauthbearer(bad).unwrap_err(), SaslError::BadAuthzid);
        }
    }

    #[test]
    fn au4_oauthbearer_malformed_messages_are_refused() {
        let cases: [(&[u8], SaslError); 9] = [
            (
                b"p=tls-unique,,\x01auth=Bearer t\x01\x01",
                SaslError::ChannelBinding,
            ),
            (
                b"x,,\x01auth=Bearer t\x01\x01",
                SaslError::Gs2Header("the channel-binding flag must be `n` or `y`"),
            ),
            (
                b"n,user,\x01auth=Bearer t\x01\x01",
                SaslError::Gs2Header("the authorization identity must start with `a=`"),
            ),
            (b"n,,\x01auth=Bearer t\x01", SaslError::Unterminated),
            (b"n,,\x01host=h\x01\x01", SaslError::Missing("auth")),
            (b"n,,\x01auth=Basic dXNlcjpw\x01\x01", SaslError::NotBearer),
            (b"n,,\x01auth=Bearer a b\x01\x01", SaslError::BadToken),
            (
                b"n,,\x01port=99999\x01auth=Bearer t\x01\x01",
                SaslError::BadPort("99999".into()),
            ),
            (
                b"n,,\x01auth=Bearer t\x01auth=Bearer u\x01\x01",
                SaslError::DuplicateKey("auth".into()),
            ),
        ];
        for (message, expected) in cases {
            assert_eq!(
                parse_oauthbearer(message).unwrap_err(),
                expected,
                "{}",
                String::from_utf8_lossy(message)
            );
        }
        assert_eq!(
            parse_oauthbearer(b"n,,\xff").unwrap_err(),
            SaslError::NotUtf8
        );
    }

    #[test]
    fn au4_oauthbearer_rfc7628_error_challenge() {
        let json = oauthbearer_error_challenge(
            "invalid_token",
            Some("example_scope"),
            Some("https://example.com/.well-known/openid-configuration"),
        );
        assert_eq!(STANDARD.encode(&json), RFC7628_ERROR);
        assert_eq!(
            oauthbearer_error_challenge("invalid_request", None, None),
            r#"{"status":"invalid_request"}"#
        );
        assert!(is_oauthbearer_error_acknowledgement(b"\x01"));
        assert!(!is_oauthbearer_error_acknowledgement(b""));
    }

    #[test]
    fn au4_xoauth2_google_example() {
        let message = STANDARD.decode(GOOGLE_XOAUTH2).unwrap();
        let c = parse_xoauth2(&message).unwrap();
        assert_eq!(c.authzid.as_deref(), Some("someuser@example.com"));
        assert_eq!(
            c.token.expose(),
            "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg"
        );
        assert_eq!(
            xoauth2_error_challenge("401", Some("bearer mac"), Some("https://mail.google.com/")),
            GOOGLE_ERROR
        );
    }

    #[test]
    fn au4_xoauth2_malformed_messages_are_refused() {
        assert_eq!(
            parse_xoauth2(b"auth=Bearer t\x01\x01").unwrap_err(),
            SaslError::Missing("user")
        );
        assert_eq!(
            parse_xoauth2(b"user=a@b\x01\x01").unwrap_err(),
            SaslError::Missing("auth")
        );
        assert_eq!(
            parse_xoauth2(b"user=a@b\x01auth=Bearer t").unwrap_err(),
            SaslError::Unterminated
        );
        assert_eq!(
            parse_xoauth2(b"user=a@b\x01\x01auth=Bearer t\x01\x01").unwrap_err(),
            SaslError::BadPair("(empty)".into())
        );
    }

    #[test]
    fn au4_tokens_never_appear_in_debug_or_errors() {
        let c = parse_xoauth2(b"user=a@b\x01auth=Bearer sekr3t-token\x01\x01").unwrap();
        assert!(!format!("{c:?}").contains("sekr3t"));
        let err = parse_oauthbearer(b"n,,\x01auth=Bearer sekr3t token\x01\x01").unwrap_err();
        assert!(!err.to_string().contains("sekr3t"));
        let err = parse_xoauth2(b"user=a\x01auth=Bearer sekr3t\x02\x01\x01").unwrap_err();
        assert!(!err.to_string().contains("sekr3t"), "{err}");
    }
}
