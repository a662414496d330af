//! The identity a provider asserted, and how the national identifier is read
//! from its claims.

use caduceus_core::{NationalId, Timestamp};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Where the national identifier was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClaimSource {
    /// The verified ID token of a web login.
    IdToken,
    /// The verified JWT access token (RFC 9068) presented over SASL.
    AccessToken,
    /// The provider's introspection answer (RFC 7662) for an opaque token.
    Introspection,
    /// The provider's userinfo endpoint, called with the access token
    /// (Pro Santé Connect releases `SubjectNameID` there).
    UserInfo,
}

impl ClaimSource {
    /// A short lowercase name for logs and audit traces.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IdToken => "id_token",
            Self::AccessToken => "access_token",
            Self::Introspection => "introspection",
            Self::UserInfo => "userinfo",
        }
    }
}

/// A person authenticated by the OpenID provider.
///
/// The caller maps [`national_id`](Self::national_id) to a local account; the
/// `(issuer, subject)` pair is the provider's own stable identifier.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FederatedIdentity {
    /// The provider's issuer identifier (`iss`).
    pub issuer: String,
    /// The provider's subject identifier (`sub`).
    pub subject: String,
    /// The national identifier asserted by the provider, validated.
    pub national_id: NationalId,
    /// Where the national identifier was read.
    pub national_id_source: ClaimSource,
    /// When the presented token (ID token or access token) expires, if it
    /// says.
    pub expires_at: Option<Timestamp>,
    /// Every claim the provider asserted (token, then userinfo for the names
    /// the token lacks). Contains no token.
    pub claims: Map<String, Value>,
}

impl FederatedIdentity {
    /// The string claim `name`, e.g. `given_name` or `family_name`.
    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }
}

/// Reads and validates the national identifier in `claims[claim]`; `Ok(None)`
/// when the claim is absent.
pub(crate) fn national_id(claims: &Map<String, Value>, claim: &str) -> Result<Option<NationalId>> {
    let Some(value) = claims.get(claim) else {
        return Ok(None);
    };
    let invalid = |reason: String| Error::InvalidNationalId {
        claim: claim.to_owned(),
        value: value.to_string(),
        reason,
    };
    match value {
        Value::Null => Ok(None),
        Value::String(text) => NationalId::parse(text.trim())
            .map(Some)
            .map_err(|e| invalid(e.to_string())),
        _ => Err(invalid("not a string".to_owned())),
    }
}

/// Copies into `into` the claims of `from` that it does not have yet.
pub(crate) fn merge_missing(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (name, value) in from {
        into.entry(name).or_insert(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn au4_psc_subject_name_id_is_a_national_id() {
        let c = claims(json!({"sub": "f:1", "SubjectNameID": "810003090833"}));
        let id = national_id(&c, "SubjectNameID").unwrap().unwrap();
        assert_eq!(id.to_string(), "810003090833");
    }

    #[test]
    fn au4_absent_claim_is_none_and_bad_values_are_named() {
        let c = claims(json!({"a": null, "b": 810003090833u64, "c": "510003090833"}));
        assert!(national_id(&c, "missing").unwrap().is_none());
        assert!(national_id(&c, "a").unwrap().is_none());
        let err = national_id(&c, "b").unwrap_err();
        assert!(err.to_string().contains("not a string"), "{err}");
        let err = national_id(&c, "c").unwrap_err();
        assert!(matches!(err, Error::InvalidNationalId { .. }), "{err}");
        assert!(err.to_string().contains("510003090833"), "{err}");
    }

    #[test]
    fn merge_keeps_the_first_source() {
        let mut a = claims(json!({"sub": "x", "given_name": "A"}));
        merge_missing(
            &mut a,
            claims(json!({"given_name": "B", "SubjectNameID": "1"})),
        );
        assert_eq!(a["given_name"], "A");
        assert_eq!(a["SubjectNameID"], "1");
    }
}
