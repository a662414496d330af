//! The session's output, in the order the session gives it.
//!
//! imap-next drives the exchanges it must (greeting, literal continuations,
//! AUTHENTICATE, IDLE); every other response is encoded here, with imap-codec's
//! encoder, or written here when imap-codec has no type for it (ESEARCH, RFC 4731;
//! LIST's extended data, RFC 5258). Encoded responses wait until what was handed
//! to imap-next has been sent, and leave together: one write, not one per line.
//!
//! Ordering holds because imap-next reports a received command only once its own
//! queue is empty, and the session hands imap-next a response only on receiving
//! something (a command, an AUTHENTICATE step, IDLE), never with encoded responses
//! still waiting.

use imap_codec::ResponseCodec;
use imap_codec::encode::{Encoded, Encoder, Fragment};
use imap_next::imap_types::response::{CommandContinuationRequest, Data, Response, Status};
use imap_next::server::{Error, Event, Server};
use imap_next::{Interrupt, Io, State};

use crate::compress::Deflate;
use crate::preauth::Gate;

/// Bytes handed to the stream at once: under rustls's 64 KiB send buffer, which
/// imap-next's stream fills in one call before writing it out.
const CHUNK: usize = 32 * 1024;

/// The protocol state of one connection and the responses waiting to be written.
pub(crate) struct Wire {
    server: Server,
    codec: ResponseCodec,
    /// Encoded responses; those before `sent` were handed to the stream.
    pending: Vec<u8>,
    sent: usize,
    /// Responses handed to imap-next and not yet sent.
    in_flight: usize,
    /// Bytes of ours were just handed to the stream: report it once.
    wrote: bool,
    /// What the client sends before login passes it (AU-3).
    gate: Gate,
    /// COMPRESS=DEFLATE is on (RFC 4978).
    deflate: Option<Deflate>,
}

/// What driving the stream produced.
pub(crate) enum Progress {
    /// Something imap-next reports: a command received, a response sent…
    Event(Event),
    /// Encoded responses were handed to the stream.
    Written,
}

impl Wire {
    /// Output for the protocol state `server`.
    pub(crate) fn new(server: Server) -> Self {
        Self {
            server,
            codec: ResponseCodec::default(),
            pending: Vec::new(),
            sent: 0,
            in_flight: 0,
            wrote: false,
            gate: Gate::default(),
            deflate: None,
        }
    }

    /// Queues an untagged data response.
    pub(crate) fn enqueue_data(&mut self, data: Data<'_>) {
        let encoded = self.codec.encode(&Response::Data(data));
        self.push_encoded(encoded);
    }

    /// Queues a status response (tagged, untagged or BYE).
    pub(crate) fn enqueue_status(&mut self, status: Status<'_>) {
        let encoded = self.codec.encode(&Response::Status(status));
        self.push_encoded(encoded);
    }

    /// Queues a response the caller wrote, ending with CRLF.
    pub(crate) fn enqueue_line(&mut self, line: &[u8]) {
        debug_assert!(line.ends_with(b"\r\n"), "a response line ends with CRLF");
        self.push(line);
    }

    /// Appends an encoded response piece by piece: a literal is copied once, into
    /// what waits.
    fn push_encoded(&mut self, encoded: Encoded) {
        for fragment in encoded {
            match fragment {
                Fragment::Line { data } | Fragment::Literal { data, .. } => self.push(&data),
            }
        }
    }

    /// Appends to what waits, first dropping what was already handed over: a FETCH
    /// answered batch by batch keeps only what is not yet written.
    fn push(&mut self, bytes: &[u8]) {
        if self.sent > 0 {
            self.pending.drain(..self.sent);
            self.sent = 0;
        }
        self.pending.extend_from_slice(bytes);
    }

    /// The data response `data` as it goes on the wire, without its CRLF: for a
    /// caller that appends what imap-codec cannot encode.
    pub(crate) fn encode_without_crlf(&self, data: Data<'_>) -> Vec<u8> {
        let mut bytes = self.codec.encode(&Response::Data(data)).dump();
        bytes.truncate(bytes.len().saturating_sub(2));
        bytes
    }

    /// Gives back the room a large answer took once it is all handed over: an idle
    /// session keeps no more than a chunk's.
    pub(crate) fn release_room(&mut self) {
        if self.pending.is_empty() {
            self.pending.shrink_to(CHUNK);
        }
    }

    /// Bytes of encoded responses not yet handed to the stream.
    pub(crate) fn waiting(&self) -> usize {
        self.pending.len() - self.sent
    }

    /// Whether every response given has been handed to the stream.
    pub(crate) fn is_flushed(&self) -> bool {
        self.pending.is_empty() && self.in_flight == 0 && !self.wrote
    }

    /// The next AUTHENTICATE challenge (imap-next's exchange).
    pub(crate) fn authenticate_continue(&mut self, challenge: CommandContinuationRequest<'static>) {
        let handed = self.server.authenticate_continue(challenge).is_ok();
        self.count(handed);
    }

    /// The AUTHENTICATE exchange's final answer.
    pub(crate) fn authenticate_finish(&mut self, answer: Status<'static>) {
        let handed = self.server.authenticate_finish(answer).is_ok();
        self.count(handed);
    }

    /// Accepts IDLE with its continuation request.
    pub(crate) fn idle_accept(&mut self, continuation: CommandContinuationRequest<'static>) {
        let handed = self.server.idle_accept(continuation).is_ok();
        self.count(handed);
    }

    /// Refuses IDLE with `answer`.
    pub(crate) fn idle_reject(&mut self, answer: Status<'static>) {
        let handed = self.server.idle_reject(answer).is_ok();
        self.count(handed);
    }

    /// The session logged in: the client's input passes unbounded by the gate, under
    /// the listener's limits alone.
    pub(crate) fn open_gate(&mut self) {
        let server = &mut self.server;
        self.gate.open(&mut |bytes| server.enqueue_input(bytes));
    }

    /// UTF8=ACCEPT was enabled: APPEND's UTF8 data extension is read (RFC 6855 §4).
    pub(crate) fn accept_utf8(&mut self) {
        self.gate.accept_utf8();
    }

    /// Starts DEFLATE both ways (RFC 4978): what the client sends from now on, and
    /// what is written after the responses queued so far.
    pub(crate) fn start_compression(&mut self) {
        self.deflate = Some(Deflate::new(self.waiting()));
    }

    /// Whether DEFLATE is on.
    pub(crate) fn compressing(&self) -> bool {
        self.deflate.is_some()
    }

    /// Whether DEFLATE is on and the client's stream was not DEFLATE.
    pub(crate) fn compression_broken(&self) -> bool {
        self.deflate.as_ref().is_some_and(Deflate::broken)
    }

    fn count(&mut self, handed: bool) {
        debug_assert!(
            self.pending.is_empty(),
            "imap-next would send before what is waiting"
        );
        if handed {
            self.in_flight += 1;
        }
    }
}

impl State for Wire {
    type Event = Progress;
    type Error = Error;

    fn enqueue_input(&mut self, bytes: &[u8]) {
        let (server, gate) = (&mut self.server, &mut self.gate);
        let mut pass = |bytes: &[u8]| gate.feed(bytes, &mut |bytes| server.enqueue_input(bytes));
        match &mut self.deflate {
            Some(deflate) => deflate.inflate(bytes, &mut pass),
            None => pass(bytes),
        }
    }

    fn next(&mut self) -> Result<Progress, Interrupt<Error>> {
        if self.deflate.as_mut().is_some_and(Deflate::newly_broken) {
            return Err(Interrupt::Error(Error::MalformedMessage {
                discarded_bytes: imap_next::imap_types::secret::Secret::new(Box::new([])),
            }));
        }
        match self.next_plain() {
            Err(Interrupt::Io(Io::Output(bytes))) => {
                let bytes = match &mut self.deflate {
                    Some(deflate) => deflate.deflate(bytes),
                    None => bytes,
                };
                Err(Interrupt::Io(Io::Output(bytes)))
            }
            other => other,
        }
    }
}

impl Wire {
    /// The next step of the protocol state, before compression.
    fn next_plain(&mut self) -> Result<Progress, Interrupt<Error>> {
        if self.wrote {
            self.wrote = false;
            return Ok(Progress::Written);
        }
        if self.in_flight == 0 && !self.pending.is_empty() {
            let end = self.pending.len().min(self.sent + CHUNK);
            let chunk = self.pending[self.sent..end].to_vec();
            self.sent = end;
            if self.sent == self.pending.len() {
                // The room stays for the next batch of a FETCH under way: giving it
                // back and taking it again at each batch cost a large FETCH page
                // faults and unmappings (docs/benchmarks.md, session 19).
                self.pending.clear();
                self.sent = 0;
            }
            self.wrote = true;
            return Err(Interrupt::Io(Io::Output(chunk)));
        }
        if let Some(refused) = self.gate.refusal() {
            return Err(Interrupt::Error(refused));
        }
        let event = match self.server.next() {
            Err(Interrupt::Io(Io::Output(bytes))) => {
                return Err(Interrupt::Io(Io::Output(too_big(bytes))));
            }
            other => other?,
        };
        if matches!(event, Event::ResponseSent { .. }) {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        Ok(Progress::Event(event))
    }
}

/// The start of the text imap-next answers a literal over the size limit with
/// (set in the session's options): the refusal [`too_big`] recognises.
pub(crate) const LITERAL_REFUSED: &str = "literal over the size limit";

/// imap-next's refusal of a synchronizing literal over the size limit, written
/// before any byte of it is sent (`tag BAD text`), turned into the answer RFC 7889
/// and RFC 9051 §7.1 give an APPEND over APPENDLIMIT: `tag NO [TOOBIG] text`
/// (MS-1). imap-next has no response code for it; any other output is unchanged.
fn too_big(bytes: Vec<u8>) -> Vec<u8> {
    let refused = format!(" BAD {LITERAL_REFUSED}");
    let Some(at) = bytes
        .windows(refused.len())
        .position(|w| w == refused.as_bytes())
    else {
        return bytes;
    };
    let tag_only = bytes[..at]
        .iter()
        .all(|b| !matches!(b, b' ' | b'\r' | b'\n'));
    if !tag_only || bytes[at + refused.len()..].contains(&b'[') {
        return bytes;
    }
    [&bytes[..at], b" NO [TOOBIG] ", &bytes[at + " BAD ".len()..]].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use imap_next::imap_types::response::Greeting;
    use imap_next::server::Options;

    /// A wire whose greeting was written.
    fn greeted() -> Wire {
        let greeting = Greeting::ok(None, "hi").unwrap();
        let mut wire = Wire::new(Server::new(Options::default(), greeting));
        while !matches!(wire.next(), Err(Interrupt::Io(Io::NeedMoreInput))) {}
        wire
    }

    /// Drives the wire as the stream does; returns what it wrote.
    fn written(wire: &mut Wire) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            match wire.next() {
                Err(Interrupt::Io(Io::Output(bytes))) => {
                    assert!(bytes.len() <= CHUNK, "handed over in chunks");
                    out.extend_from_slice(&bytes);
                }
                Ok(Progress::Written) => {}
                _ => return out,
            }
        }
    }

    #[test]
    fn rfc7889_a_literal_refused_as_too_long_is_answered_no_toobig() {
        let refused = format!("A7 BAD {LITERAL_REFUSED} of 10 bytes\r\n");
        assert_eq!(
            too_big(refused.into_bytes()),
            format!("A7 NO [TOOBIG] {LITERAL_REFUSED} of 10 bytes\r\n").into_bytes()
        );
        let other = b"* OK literal over the size limit\r\n".to_vec();
        assert_eq!(too_big(other.clone()), other);
    }

    #[test]
    fn output_leaves_in_order_and_the_room_it_took_is_given_back() {
        let mut wire = greeted();
        let big = format!("* OK {}\r\n", "x".repeat(300 * 1024));
        wire.enqueue_line(big.as_bytes());
        let mut sent = written(&mut wire);
        // More queued after part was written keeps its place behind it.
        wire.enqueue_line(b"* OK one\r\n");
        wire.enqueue_line(b"* OK two\r\n");
        sent.extend(written(&mut wire));
        assert_eq!(sent, [big.as_bytes(), b"* OK one\r\n* OK two\r\n"].concat());
        assert!(wire.is_flushed());
        assert!(wire.pending.capacity() > CHUNK, "kept while answering");
        wire.release_room();
        assert!(
            wire.pending.capacity() <= CHUNK,
            "an idle session keeps {} bytes",
            wire.pending.capacity()
        );
    }
}
