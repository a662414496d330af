//! SASL client responses: base64, PLAIN, LOGIN, OAUTHBEARER and XOAUTH2.
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Some(bytes) = caduceus_smtp::fuzzing::sasl_response(text) {
            let _ = caduceus_oidc::parse_oauthbearer(&bytes);
            let _ = caduceus_oidc::parse_xoauth2(&bytes);
        }
    });
}
