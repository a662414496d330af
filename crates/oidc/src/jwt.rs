//! Reading a compact JWS *without* verifying it: its header, to route a token
//! and find its key, and its payload, to report claims once the signature has
//! been verified elsewhere.
//!
//! Nothing read here is trusted until `openidconnect`'s verifier has accepted
//! the same token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The JOSE header fields this crate looks at.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub(crate) struct Header {
    /// Signature algorithm.
    pub alg: Option<String>,
    /// Media type of the whole token, `at+jwt` for RFC 9068 access tokens.
    pub typ: Option<String>,
    /// Key id.
    pub kid: Option<String>,
}

impl Header {
    /// Whether `typ` says "RFC 9068 access token" (`at+jwt`, or with the
    /// optional `application/` prefix, case-insensitively).
    pub fn is_access_token(&self) -> bool {
        self.typ.as_deref().is_some_and(|typ| {
            let typ = typ.to_ascii_lowercase();
            typ == "at+jwt" || typ == "application/at+jwt"
        })
    }
}

/// A compact JWS split into its parts, not verified.
#[derive(Debug)]
pub(crate) struct Unverified {
    /// The decoded header.
    pub header: Header,
    /// The decoded payload, when it is a JSON object.
    pub payload: Map<String, Value>,
}

/// Splits and decodes `token` if it has the shape of a compact JWS
/// (`header.payload.signature`, base64url, JSON header with `alg`); `None`
/// otherwise (an opaque token).
pub(crate) fn peek(token: &str) -> Option<Unverified> {
    let mut parts = token.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    header.alg.as_ref()?;
    let payload: Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    Some(Unverified { header, payload })
}

/// The string claim `name` of a payload, if present.
pub(crate) fn string_claim<'a>(claims: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    claims.get(name).and_then(Value::as_str)
}

/// The numeric claim `name` (seconds since the epoch) of a payload.
pub(crate) fn time_claim(claims: &Map<String, Value>, name: &str) -> Option<i64> {
    match claims.get(name)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        _ => None,
    }
}

/// The audiences of a payload: `aud` as a string or an array of strings.
pub(crate) fn audiences(claims: &Map<String, Value>) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => many
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn peeks_at_a_compact_jws() {
        let token = format!(
            "{}.{}.c2ln",
            b64(r#"{"alg":"RS256","typ":"at+jwt","kid":"k1"}"#),
            b64(r#"{"iss":"https://op","aud":["a","b"],"exp":1700000000}"#)
        );
        let jwt = peek(&token).unwrap();
        assert!(jwt.header.is_access_token());
        assert_eq!(jwt.header.kid.as_deref(), Some("k1"));
        assert_eq!(string_claim(&jwt.payload, "iss"), Some("https://op"));
        assert_eq!(audiences(&jwt.payload), ["a", "b"]);
        assert_eq!(time_claim(&jwt.payload, "exp"), Some(1_700_000_000));
    }

    #[test]
    fn opaque_tokens_are_not_jws() {
        assert!(peek("2YotnFZFEjr1zCsicMWpAA").is_none());
        assert!(peek("a.b.c").is_none());
        assert!(peek("a.b.c.d.e").is_none());
        let no_alg = format!("{}.{}.x", b64(r#"{"typ":"JWT"}"#), b64("{}"));
        assert!(peek(&no_alg).is_none());
    }

    #[test]
    fn id_tokens_are_not_access_tokens() {
        assert!(!Header::default().is_access_token());
        let jwt = Header {
            typ: Some("JWT".into()),
            ..Header::default()
        };
        assert!(!jwt.is_access_token());
        let at = Header {
            typ: Some("application/AT+JWT".into()),
            ..Header::default()
        };
        assert!(at.is_access_token());
    }
}
