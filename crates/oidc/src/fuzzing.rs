//! Entry points for the fuzz targets (`fuzz/`, built with the `fuzzing` feature only).

use crate::jwt::{audiences, peek, string_claim, time_claim};

/// A bearer token read as this crate reads one before verifying it: split and
/// decoded if it has a compact JWS's shape, then its routing claims.
pub fn jwt(token: &str) {
    if let Some(unverified) = peek(token) {
        let _ = unverified.header.is_access_token();
        let _ = string_claim(&unverified.payload, "iss");
        let _ = time_claim(&unverified.payload, "exp");
        let _ = audiences(&unverified.payload);
    }
}
