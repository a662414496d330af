//! Nothing large is read before login (AU-3): until the session is authenticated,
//! what the client sends passes a gate before imap-next sees it. A literal may hold
//! at most [`LITERAL`] bytes, a command [`COMMAND`] bytes and a line [`LINE`] bytes;
//! a larger literal is refused by imap-next itself, before it is sent (its header
//! is handed on with a length no server accepts: a tagged `BAD`, RFC 9051 §7.1,
//! and the command is dropped), a non-synchronizing one's bytes are dropped as they
//! come (RFC 7888 §4), a line too long is dropped up to its end and refused. After
//! login everything passes, under the listener's own limits (an APPENDed message);
//! once the client enabled UTF8=ACCEPT (RFC 6855), lines are followed again, to
//! hand APPEND's `UTF8 (~{n}…)` message to imap-codec as the plain literal `{n}`.
//!
//! 40 clients each announcing a 26 MB `LOGIN` literal took 1.08 GB before the gate
//! (docs/reliability.md, "Listeners").

use std::collections::VecDeque;

use imap_next::imap_types::secret::Secret;
use imap_next::server::Error;

/// The largest literal before login: a user name, a password, an ID value.
pub(crate) const LITERAL: u32 = 8 * 1024;
/// The largest command before login, its literals included.
pub(crate) const COMMAND: usize = 64 * 1024;
/// The longest line before login (an AUTHENTICATE response with an access token).
pub(crate) const LINE: usize = 64 * 1024;

/// What is kept of a line over [`LINE`] after login with UTF8=ACCEPT: its end, to
/// find a literal's header there.
const TAIL: usize = 1024;

/// The header a refused literal is handed on with: longer than any literal the
/// listener takes, so that imap-next answers `BAD` and drops the command.
const REFUSED_HEADER: &[u8] = b"{4294967295}";

/// The gate of one connection's input before login.
#[derive(Debug, Default)]
pub(crate) struct Gate {
    /// Logged in: everything passes.
    open: bool,
    /// The line being read (up to its LF).
    line: Vec<u8>,
    /// Dropping the rest of a line too long.
    overflowed: bool,
    /// Bytes of an accepted literal still to hand on.
    passing: u32,
    /// Bytes of a refused non-synchronizing literal still to drop.
    dropping: u64,
    /// Bytes of the current command handed on.
    command: usize,
    /// Refusals to report, in order.
    refused: VecDeque<Error>,
    /// UTF8=ACCEPT was enabled: APPEND's UTF8 data extension is rewritten.
    utf8: bool,
    /// The literal passing is a `UTF8 (~{n}` one: its closing `)` is dropped.
    utf8_closing: bool,
}

impl Gate {
    /// Lets everything through from now on (the session logged in); a line begun
    /// is handed on.
    pub(crate) fn open(&mut self, forward: &mut impl FnMut(&[u8])) {
        if !self.open {
            self.open = true;
            if !self.line.is_empty() && !self.overflowed {
                forward(&self.line);
            }
            self.line = Vec::new();
        }
    }

    /// UTF8=ACCEPT was enabled (RFC 6855 §3): from the next line on, an APPEND's
    /// `UTF8 (~{n}<message>)` is handed on as `{n}<message>` (§4).
    pub(crate) fn accept_utf8(&mut self) {
        self.utf8 = true;
    }

    /// After login with UTF8=ACCEPT: lines and literals followed, nothing
    /// bounded, APPEND's UTF8 data extension written as a plain literal.
    fn feed_utf8(&mut self, mut bytes: &[u8], forward: &mut impl FnMut(&[u8])) {
        while !bytes.is_empty() {
            if self.passing > 0 {
                let n = bytes.len().min(self.passing as usize);
                forward(&bytes[..n]);
                self.passing -= n as u32;
                bytes = &bytes[n..];
                continue;
            }
            if std::mem::take(&mut self.utf8_closing) && bytes[0] == b')' {
                bytes = &bytes[1..];
                continue;
            }
            let (part, end) = match bytes.iter().position(|b| *b == b'\n') {
                Some(at) => (&bytes[..=at], true),
                None => (bytes, false),
            };
            bytes = &bytes[part.len()..];
            self.line.extend_from_slice(part);
            if self.line.len() > LINE {
                // A long line is not held: handed on but for its end, where a
                // literal's header would be (never an APPEND's UTF8 data).
                let keep = self.line.len() - TAIL;
                forward(&self.line[..keep]);
                self.line.drain(..keep);
                self.overflowed = true;
            }
            if !end {
                continue;
            }
            let mut line = std::mem::take(&mut self.line);
            let whole = !std::mem::take(&mut self.overflowed);
            if let Some(header) = literal_header(&line) {
                const DATA: &[u8] = b"UTF8 (";
                let before = &line[..header.start];
                if whole
                    && before.len() >= DATA.len()
                    && before[before.len() - DATA.len()..].eq_ignore_ascii_case(DATA)
                {
                    let plus = if header.non_sync { "+" } else { "" };
                    line.truncate(before.len() - DATA.len());
                    line.extend_from_slice(format!("{{{}{plus}}}\r\n", header.length).as_bytes());
                    self.utf8_closing = true;
                }
                self.passing = header.length;
            }
            forward(&line);
        }
    }

    /// The next refusal to report, if any.
    pub(crate) fn refusal(&mut self) -> Option<Error> {
        self.refused.pop_front()
    }

    /// Takes `bytes` from the client, handing on to `forward` what may pass.
    pub(crate) fn feed(&mut self, mut bytes: &[u8], forward: &mut impl FnMut(&[u8])) {
        if self.open {
            if self.utf8 {
                self.feed_utf8(bytes, forward);
            } else {
                forward(bytes);
            }
            return;
        }
        while !bytes.is_empty() {
            if self.dropping > 0 {
                let n = bytes
                    .len()
                    .min(usize::try_from(self.dropping).unwrap_or(usize::MAX));
                self.dropping -= n as u64;
                bytes = &bytes[n..];
                continue;
            }
            if self.passing > 0 {
                let n = bytes.len().min(self.passing as usize);
                forward(&bytes[..n]);
                self.passing -= n as u32;
                self.command += n;
                bytes = &bytes[n..];
                continue;
            }
            let (part, end) = match bytes.iter().position(|b| *b == b'\n') {
                Some(at) => (&bytes[..=at], true),
                None => (bytes, false),
            };
            bytes = &bytes[part.len()..];
            if !self.overflowed {
                self.line.extend_from_slice(part);
                if self.line.len() > LINE {
                    self.overflowed = true;
                }
            }
            if end {
                self.line_ended(forward);
            }
        }
    }

    /// A whole line is in `self.line` (or was dropped as too long).
    fn line_ended(&mut self, forward: &mut impl FnMut(&[u8])) {
        let mut line = std::mem::take(&mut self.line);
        if self.overflowed {
            self.overflowed = false;
            self.command = 0;
            line.truncate(64);
            self.refused.push_back(Error::CommandTooLong {
                discarded_bytes: Secret::new(line.into_boxed_slice()),
            });
            return;
        }
        match literal_header(&line) {
            None => {
                forward(&line);
                self.command = 0;
            }
            Some(header) => {
                let whole = self.command + line.len() + header.length as usize;
                if header.length <= LITERAL && whole <= COMMAND {
                    forward(&line);
                    self.command += line.len();
                    self.passing = header.length;
                } else {
                    // Handed on as a literal no server takes: imap-next answers BAD
                    // with the tag and drops the command, before any byte of it.
                    line.truncate(header.start);
                    line.extend_from_slice(REFUSED_HEADER);
                    line.extend_from_slice(b"\r\n");
                    forward(&line);
                    self.command = 0;
                    if header.non_sync {
                        self.dropping = u64::from(header.length);
                    }
                }
            }
        }
    }
}

/// A literal announced at the end of a line.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    /// Where the header (`{`, or `~` of a `~{n}` literal8) starts in the line.
    start: usize,
    /// The announced length.
    length: u32,
    /// `{n+}`: the bytes follow without waiting for a continuation (RFC 7888).
    non_sync: bool,
}

/// The literal header `{n}` / `{n+}` / `~{n}` ending `line` (before its CRLF),
/// outside a quoted string; a length past `u32` counts as `u32::MAX`.
fn literal_header(line: &[u8]) -> Option<Header> {
    let body = line.strip_suffix(b"\n")?;
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    let inner = body.strip_suffix(b"}")?;
    let open = inner.iter().rposition(|b| *b == b'{')?;
    let (digits, non_sync) = match inner[open + 1..].strip_suffix(b"+") {
        Some(digits) => (digits, true),
        None => (&inner[open + 1..], false),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) || in_quotes(&body[..open]) {
        return None;
    }
    let length = digits.iter().fold(0u64, |n, d| {
        (n * 10 + u64::from(d - b'0')).min(u64::from(u32::MAX))
    });
    let start = if open > 0 && body[open - 1] == b'~' {
        open - 1
    } else {
        open
    };
    Some(Header {
        start,
        length: u32::try_from(length).unwrap_or(u32::MAX),
        non_sync,
    })
}

/// Whether `bytes` end inside a quoted string.
fn in_quotes(bytes: &[u8]) -> bool {
    let (mut quoted, mut escaped) = (false, false);
    for b in bytes {
        match (quoted, escaped, b) {
            (true, false, b'\\') => escaped = true,
            (true, true, _) => escaped = false,
            (_, _, b'"') => quoted = !quoted,
            _ => {}
        }
    }
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What passes the gate for `input`, fed in pieces of `chunk` bytes.
    fn passed(gate: &mut Gate, input: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in input.chunks(chunk) {
            gate.feed(piece, &mut |bytes| out.extend_from_slice(bytes));
        }
        out
    }

    #[test]
    fn rfc6855_utf8_append_data_is_handed_on_as_a_plain_literal_in_any_pieces() {
        let input: &[u8] =
            b"a APPEND INBOX UTF8 (~{4}\r\n\xc3\xa9)x)\r\nb APPEND INBOX utf8 (~{3+}\r\n{3})\r\nc NOOP\r\n";
        let expected: &[u8] =
            b"a APPEND INBOX {4}\r\n\xc3\xa9)x\r\nb APPEND INBOX {3+}\r\n{3}\r\nc NOOP\r\n";
        for chunk in [1, 3, 7, input.len()] {
            let mut gate = Gate::default();
            gate.open(&mut |_| {});
            gate.accept_utf8();
            assert_eq!(
                passed(&mut gate, input, chunk),
                expected,
                "pieces of {chunk}"
            );
        }
        // A long line is handed on as it comes, its literal still followed.
        let long = [
            b"a APPEND INBOX (".as_slice(),
            &b"x ".repeat(LINE),
            b") {4}\r\nUTF8 (~{1}\r\n)",
        ]
        .concat();
        let mut gate = Gate::default();
        gate.open(&mut |_| {});
        gate.accept_utf8();
        assert_eq!(passed(&mut gate, &long, 4096), long);
        // Not enabled: everything passes as it came.
        let mut gate = Gate::default();
        gate.open(&mut |_| {});
        assert_eq!(passed(&mut gate, input, 4), input);
    }

    #[test]
    fn au3_small_literals_and_lines_pass_unchanged_in_any_pieces() {
        let input = b"a1 LOGIN {5}\r\nalice {6+}\r\nsecret\r\na2 ID (\"x {3}\" \"y\")\r\n";
        for chunk in [1, 2, 7, input.len()] {
            let mut gate = Gate::default();
            assert_eq!(passed(&mut gate, input, chunk), input);
            assert!(gate.refusal().is_none());
        }
    }

    #[test]
    fn au3_a_large_literal_before_login_is_refused_before_it_is_sent() {
        let mut gate = Gate::default();
        let out = passed(&mut gate, b"a1 LOGIN alice {26000000}\r\n", 5);
        assert_eq!(out, b"a1 LOGIN alice {4294967295}\r\n");
        // Non-synchronizing: its bytes are dropped as they come, what follows passes.
        let mut gate = Gate::default();
        let mut input = b"a1 LOGIN alice {9000+}\r\n".to_vec();
        input.extend(vec![b'x'; 9000]);
        input.extend(b"\r\na2 NOOP\r\n");
        let out = passed(&mut gate, &input, 1000);
        assert_eq!(out, b"a1 LOGIN alice {4294967295}\r\n\r\na2 NOOP\r\n");
    }

    #[test]
    fn au3_many_small_literals_make_a_command_too_large() {
        let mut gate = Gate::default();
        let mut input = Vec::new();
        for _ in 0..9 {
            input.extend(b"{8000+}\r\n");
            input.extend(vec![b'x'; 8000]);
        }
        let out = passed(&mut gate, &[b"a1 ID (".as_slice(), &input].concat(), 4096);
        assert!(out.len() < COMMAND, "{} bytes passed", out.len());
        assert!(out.ends_with(b"{4294967295}\r\n"));
    }

    #[test]
    fn au3_a_line_too_long_is_dropped_and_refused_with_its_tag() {
        let mut gate = Gate::default();
        let mut input = b"a7 LOGIN ".to_vec();
        input.extend(vec![b'x'; LINE + 10]);
        input.extend(b"\r\na8 NOOP\r\n");
        let out = passed(&mut gate, &input, 4096);
        assert_eq!(out, b"a8 NOOP\r\n");
        let Some(Error::CommandTooLong { discarded_bytes }) = gate.refusal() else {
            panic!("refused as too long");
        };
        assert!(discarded_bytes.declassify().starts_with(b"a7 "));
    }

    #[test]
    fn after_login_everything_passes_and_a_begun_line_is_handed_on() {
        let mut gate = Gate::default();
        let mut out = Vec::new();
        gate.feed(b"a2 SEL", &mut |bytes| out.extend_from_slice(bytes));
        gate.open(&mut |bytes| out.extend_from_slice(bytes));
        gate.feed(b"ECT INBOX {26000000}\r\n", &mut |bytes| {
            out.extend_from_slice(bytes)
        });
        assert_eq!(out, b"a2 SELECT INBOX {26000000}\r\n");
    }
}
