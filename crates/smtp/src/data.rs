//! The message content after `DATA`: undoes dot-stuffing (RFC 5321 §4.5.2), finds the
//! end (`CRLF . CRLF` only, so a bare LF cannot end a message early — no SMTP
//! smuggling), keeps at most a fixed number of bytes and notes what makes the content
//! unacceptable (bare CR or LF, NUL); and the other way, for the relay to a peer,
//! stuffs a message and ends it ([`stuffed`]) so that the peer stores exactly the
//! bytes we hold (MS-3: S/MIME crosses byte for byte).

/// Decodes a dot-stuffed message fed in pieces, as it arrives.
#[derive(Debug)]
pub(crate) struct Body {
    /// The message so far, without stuffing, up to `cap` bytes.
    content: Vec<u8>,
    cap: usize,
    /// Bytes of content seen, kept or not.
    seen: usize,
    /// At the start of a line (after CRLF, or at the very start).
    line_start: bool,
    /// The previous byte was the dot that starts a line (removed).
    after_dot: bool,
    /// The previous byte was a CR, not yet written.
    cr: bool,
    /// A CR not followed by LF, or an LF not preceded by CR, was seen.
    bare_newline: bool,
    /// A NUL byte was seen.
    nul: bool,
}

/// What was wrong with a message, once its end was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Defect {
    /// More than the cap.
    TooBig,
    /// A bare CR or LF: lines must end with CRLF.
    BareNewline,
    /// A NUL byte (not allowed without BINARYMIME, which is not offered).
    Nul,
}

impl Body {
    /// An empty body keeping at most `cap` bytes.
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            content: Vec::new(),
            cap,
            seen: 0,
            line_start: true,
            after_dot: false,
            cr: false,
            bare_newline: false,
            nul: false,
        }
    }

    /// Feeds received bytes. Returns `Some(n)` when the end of the message was found
    /// after `n` bytes of `input` (what follows is the next command), `None` when all
    /// of `input` was message content.
    pub(crate) fn feed(&mut self, input: &[u8]) -> Option<usize> {
        for (i, &byte) in input.iter().enumerate() {
            if self.cr {
                self.cr = false;
                if byte == b'\n' {
                    if self.after_dot {
                        return Some(i + 1);
                    }
                    self.push(b"\r\n");
                    self.line_start = true;
                    continue;
                }
                self.bare_newline = true;
                self.push(b"\r");
                self.line_start = false;
                self.after_dot = false;
            }
            match byte {
                b'.' if self.line_start => {
                    self.line_start = false;
                    self.after_dot = true;
                }
                b'\r' => self.cr = true,
                _ => {
                    // An LF here has no CR before it: it neither ends a line nor lets
                    // a following dot end the message.
                    self.bare_newline |= byte == b'\n';
                    self.nul |= byte == 0;
                    self.line_start = false;
                    self.after_dot = false;
                    self.push(&[byte]);
                }
            }
        }
        None
    }

    fn push(&mut self, bytes: &[u8]) {
        self.seen = self.seen.saturating_add(bytes.len());
        if self.seen <= self.cap {
            self.content.extend_from_slice(bytes);
        }
    }

    /// Bytes of content received (kept or not).
    pub(crate) fn size(&self) -> usize {
        self.seen
    }

    /// The message, or what makes it unacceptable.
    pub(crate) fn finish(self) -> Result<Vec<u8>, Defect> {
        if self.seen > self.cap {
            Err(Defect::TooBig)
        } else if self.bare_newline {
            Err(Defect::BareNewline)
        } else if self.nul {
            Err(Defect::Nul)
        } else {
            Ok(self.content)
        }
    }
}

/// What follows `DATA` for `message`: a dot that starts a line doubled, then the
/// end of data. A message that ends with CRLF gets only `.CRLF` after it (its CRLF
/// is the one before the dot), so the peer's copy has no line added; one that does
/// not gets `CRLF.CRLF` (RFC 5321 §4.1.1.4, §4.5.2).
pub(crate) fn stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 5);
    let mut line_start = true;
    for &byte in message {
        if byte == b'.' && line_start {
            out.push(b'.');
        }
        out.push(byte);
        line_start = byte == b'\n' && out.ends_with(b"\r\n");
    }
    if !message.is_empty() && !message.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `input` one split at a time, at every split point, and checks the result.
    fn decode(input: &[u8], cap: usize) -> (Result<Vec<u8>, Defect>, usize) {
        let mut results = Vec::new();
        for split in 0..=input.len() {
            let mut body = Body::new(cap);
            let (a, b) = input.split_at(split);
            let end = match body.feed(a) {
                Some(n) => n,
                None => a.len() + body.feed(b).expect("no end found"),
            };
            results.push((body.finish(), end));
        }
        let first = results[0].clone();
        assert!(results.iter().all(|r| *r == first), "{results:?}");
        first
    }

    #[test]
    fn unstuffs_and_stops_at_the_dot_line() {
        let (body, end) = decode(b"Hi\r\n..dot\r\n.\r\nQUIT\r\n", 100);
        assert_eq!(body.unwrap(), b"Hi\r\n.dot\r\n");
        assert_eq!(end, 14);
        assert_eq!(decode(b".\r\n", 100).0.unwrap(), b"");
        assert_eq!(decode(b"\r\n.\r\n", 100).0.unwrap(), b"\r\n");
    }

    #[test]
    fn a_bare_lf_never_ends_the_message() {
        // "\n.\r\n" and "\r\n.\n" are the smuggling forms: neither ends the message.
        let (body, end) = decode(b"a\n.\r\nMAIL FROM:<x@y>\r\n\r\n.\r\n", 100);
        assert_eq!(body, Err(Defect::BareNewline));
        assert_eq!(end, 27);
        let (body, _) = decode(b"a\r\n.\nb\r\n.\r\n", 100);
        assert_eq!(body, Err(Defect::BareNewline));
        let (body, _) = decode(b"a\rb\r\n.\r\n", 100);
        assert_eq!(body, Err(Defect::BareNewline));
    }

    #[test]
    fn nul_and_size_are_defects() {
        assert_eq!(decode(b"a\0b\r\n.\r\n", 100).0, Err(Defect::Nul));
        assert_eq!(decode(b"0123456789\r\n.\r\n", 12).0.unwrap().len(), 12);
        let (body, end) = decode(b"0123456789\r\n.\r\n", 11);
        assert_eq!(body, Err(Defect::TooBig));
        assert_eq!(end, 15);
    }

    #[test]
    fn ms3_stuffing_then_decoding_gives_the_message_back_byte_for_byte() {
        for message in [
            &b"A: b\r\n\r\nbody\r\n\r\n"[..],
            b".starts with a dot\r\n.\r\n..\r\nend\r\n",
            b"..\r\n",
        ] {
            let wire = stuffed(message);
            let (body, end) = decode(&wire, 1000);
            assert_eq!(body.unwrap(), message, "{wire:?}");
            assert_eq!(end, wire.len());
        }
        // A message ending with CRLF gains no empty line on the way (mail-send's
        // write_message added one: S/MIME messages arrived altered).
        assert_eq!(stuffed(b"A: b\r\n\r\nx\r\n"), b"A: b\r\n\r\nx\r\n.\r\n");
        assert_eq!(stuffed(b".x\r\n"), b"..x\r\n.\r\n");
        // One without gets the CRLF the end of data needs.
        assert_eq!(stuffed(b"A: b\r\n\r\n."), b"A: b\r\n\r\n..\r\n.\r\n");
    }
}
