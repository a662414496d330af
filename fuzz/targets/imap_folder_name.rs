//! Folder names in modified UTF-7: decoded, and encoded back to the same bytes.
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| caduceus_imap::fuzzing::folder_name(data));
}
