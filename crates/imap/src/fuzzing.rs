//! Entry points for the fuzz targets (`fuzz/`, built with the `fuzzing` feature only):
//! what a session does with a client's bytes before any command reaches the
//! service. Each panics only when a property the session relies on is broken.

use imap_next::State as _;
use imap_next::imap_types::response::Greeting;
use imap_next::server::{Error as ServerError, Event, Server};
use imap_next::{Interrupt, Io};

use crate::Limits;
use crate::extended::{Saved, parse};
use crate::session::options;
use crate::utf7;
use crate::wire::{Progress, Wire};

/// A client's bytes as a session reads them, before login (through the pre-login
/// gate: small literals, commands and lines) and after it: imap-next under the
/// session's options decodes every command, and each line imap-codec refuses is read
/// again by the extended commands' parser with a saved search result to substitute
/// for `$`.
pub fn session_input(input: &[u8]) {
    let limits = Limits {
        max_literal: 64 * 1024,
        max_command: 128 * 1024,
        ..Limits::default()
    };
    let saved = Saved {
        uids: Some("3:5,9".into()),
        seqs: Some("1:3".into()),
        email_ids: Vec::new(),
    };
    for logged_in in [false, true] {
        let greeting = Greeting::ok(None, "fuzz").expect("a valid greeting");
        let mut wire = Wire::new(Server::new(options(&limits), greeting));
        if logged_in {
            wire.open_gate();
        }
        wire.enqueue_input(input);
        for _ in 0..10_000 {
            match wire.next() {
                Ok(Progress::Event(Event::CommandReceived { command })) => drop(command),
                Ok(_) | Err(Interrupt::Io(Io::Output(_))) => {}
                Err(Interrupt::Io(Io::NeedMoreInput)) => break,
                Err(Interrupt::Error(ServerError::MalformedMessage { discarded_bytes })) => {
                    let _ = parse(discarded_bytes.declassify(), &saved);
                }
                Err(Interrupt::Error(_)) => break,
            }
        }
    }
}

/// A folder name in modified UTF-7 (RFC 3501 §5.1.3): decoded if valid, and then
/// encoding gives back the same bytes (one spelling per name).
pub fn folder_name(wire: &[u8]) {
    if let Some(name) = utf7::decode(wire) {
        assert_eq!(
            utf7::encode(&name).as_bytes(),
            wire,
            "one spelling per name"
        );
    }
}
