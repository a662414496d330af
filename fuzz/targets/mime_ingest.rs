//! MIME ingestion: the metadata computed once at delivery (structure, attachments,
//! XDM packages, X-MSS-INS), as for any message a client or a peer sends.
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let _ = caduceus_service::ingest::MessageMeta::parse(data);
    });
}
