//! The DATA reader: end of data, dot-stuffing round trip, bare CR/LF and NUL, the cap.
fn main() {
    afl::fuzz_nohook!(|data: &[u8]| caduceus_smtp::fuzzing::data(data));
}
