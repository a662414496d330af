//! A client's bytes through imap-next and the extended commands' parser.
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| caduceus_imap::fuzzing::session_input(data));
}
