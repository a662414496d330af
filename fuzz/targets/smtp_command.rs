//! SMTP command lines as a session reads them (smtp-proto, MAIL parameters).
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| caduceus_smtp::fuzzing::command_line(data));
}
