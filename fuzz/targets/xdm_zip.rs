//! The patients named in an XDM package (IHE XDM ZIP with METADATA.XML).
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let _ = caduceus_service::ingest::xdm::patients_in_xdm(data);
    });
}
