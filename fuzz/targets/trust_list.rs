//! The MSSanté trust list (ListeBlancheMSSante XML).
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        if let Ok(xml) = std::str::from_utf8(data) {
            let _ = caduceus_smtp::TrustList::parse(xml);
        }
    });
}
