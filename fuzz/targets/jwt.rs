//! Bearer tokens read before verification (compact JWS header and claims).
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        if let Ok(token) = std::str::from_utf8(data) {
            caduceus_oidc::fuzzing::jwt(token);
        }
    });
}
