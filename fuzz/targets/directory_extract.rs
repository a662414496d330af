//! National directory extracts, both formats, line by line.
use caduceus_core::directory::extract::read_extract;
use caduceus_core::directory::mailbox::MailboxHeader;
use caduceus_core::directory::person::PersonActivityHeader;

fn main() {
    afl::fuzz_nohook!(|data: &[u8]| {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        if let Ok(records) = read_extract::<MailboxHeader>(text) {
            records.for_each(drop);
        }
        if let Ok(records) = read_extract::<PersonActivityHeader>(text) {
            records.for_each(drop);
        }
    });
}
