//! COMPRESS=DEFLATE (RFC 4978): once a client asked for it and was answered OK,
//! both directions are raw DEFLATE (RFC 1951) inside TLS, the server's output
//! flushed (sync flush) at the end of each piece it hands to the stream, so that
//! a client never waits for bytes held in the compressor.
//!
//! The layer sits in [`crate::wire::Wire`], between the stream (TLS) and the
//! protocol state: what the client sends is inflated before anything reads it
//! (the pre-login gate, imap-next), what the session writes is deflated after
//! everything wrote it.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use imap_next::imap_types::core::Tag;
use tracing::info;

use crate::reply::{Kind, code, status};
use crate::session::Session;
use crate::wire::Wire;

/// Inflated bytes handed on at once: a small input that inflates to much (a
/// "zip bomb") is handed on in pieces, never held whole.
const PIECE: usize = 64 * 1024;

/// The two DEFLATE streams of one connection.
pub(crate) struct Deflate {
    inflate: Decompress,
    deflate: Compress,
    /// Bytes of output still to write as they are: the tagged OK to COMPRESS and
    /// what was queued before it (RFC 4978 §3: compression starts after its CRLF).
    plain_left: usize,
    /// The client's stream could not be inflated: nothing more is read from it.
    broken: bool,
    /// That was reported to the session (which ends it).
    reported: bool,
}

impl Deflate {
    /// Compression that starts after the next `plain_left` bytes of output.
    pub(crate) fn new(plain_left: usize) -> Self {
        Self {
            inflate: Decompress::new(false),
            deflate: Compress::new(Compression::default(), false),
            plain_left,
            broken: false,
            reported: false,
        }
    }

    /// Whether the client's stream turned out not to be DEFLATE.
    pub(crate) fn broken(&self) -> bool {
        self.broken
    }

    /// True once, when the client's stream turned out not to be DEFLATE.
    pub(crate) fn newly_broken(&mut self) -> bool {
        self.broken && !std::mem::replace(&mut self.reported, true)
    }

    /// Inflates what the client sent, handing it on to `forward` in pieces of at
    /// most [`PIECE`] bytes. A stream that is not DEFLATE is dropped from then on
    /// (and the session ended: [`Deflate::newly_broken`]).
    pub(crate) fn inflate(&mut self, mut input: &[u8], forward: &mut impl FnMut(&[u8])) {
        let mut out = Vec::with_capacity(PIECE);
        while !self.broken {
            out.clear();
            let before = self.inflate.total_in();
            if self
                .inflate
                .decompress_vec(input, &mut out, FlushDecompress::Sync)
                .is_err()
            {
                info!("compressed input is not DEFLATE: ignored from now on");
                self.broken = true;
                return;
            }
            let used = usize::try_from(self.inflate.total_in() - before).unwrap_or(input.len());
            input = &input[used.min(input.len())..];
            if !out.is_empty() {
                forward(&out);
            }
            // Done once the input is used and the output had room to spare.
            if input.is_empty() && out.len() < out.capacity() {
                return;
            }
        }
    }

    /// `plain` as it goes on the wire: as it is while the bytes before compression
    /// last, then deflated and sync-flushed.
    pub(crate) fn deflate(&mut self, plain: Vec<u8>) -> Vec<u8> {
        let as_is = plain.len().min(self.plain_left);
        self.plain_left -= as_is;
        if as_is == plain.len() {
            return plain;
        }
        let mut out = plain[..as_is].to_vec();
        let mut input = &plain[as_is..];
        out.reserve(input.len() / 2 + 64);
        loop {
            if out.capacity() - out.len() < 64 {
                out.reserve(out.capacity().max(1024));
            }
            let before = self.deflate.total_in();
            self.deflate
                .compress_vec(input, &mut out, FlushCompress::Sync)
                .expect("DEFLATE of bytes in memory does not fail");
            let used = usize::try_from(self.deflate.total_in() - before).unwrap_or(input.len());
            input = &input[used.min(input.len())..];
            if input.is_empty() && out.len() < out.capacity() {
                return out;
            }
        }
    }
}

impl Session {
    /// COMPRESS DEFLATE (RFC 4978 §3): once per session, over TLS only (MS-3:
    /// nothing is read before TLS anyway); the tagged OK is the last byte
    /// written as it is.
    pub(crate) fn compress(&mut self, out: &mut Wire, tag: Tag<'static>) {
        if !self.tls {
            out.enqueue_status(status(
                Kind::No,
                Some(tag),
                None,
                "compression only inside TLS: STARTTLS first",
            ));
        } else if out.compressing() {
            out.enqueue_status(status(
                Kind::No,
                Some(tag),
                Some(code("COMPRESSIONACTIVE")),
                "DEFLATE is already active",
            ));
        } else {
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "DEFLATE active"));
            out.start_compression();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4978_what_is_deflated_inflates_back_after_the_plain_part() {
        let mut server = Deflate::new(5);
        let mut client = Deflate::new(0);
        let sent = server.deflate(b"a OK hello\r\n".to_vec());
        assert_eq!(&sent[..5], b"a OK ");
        let mut got = Vec::new();
        client.inflate(&sent[5..], &mut |b| got.extend_from_slice(b));
        assert_eq!(got, b"hello\r\n");
        // A large output in several pieces, each flushed: each inflates whole.
        let big = vec![b'x'; 300 * 1024];
        let sent = server.deflate(big.clone());
        assert!(sent.len() < big.len() / 10);
        let mut got = Vec::new();
        client.inflate(&sent, &mut |b| {
            assert!(b.len() <= PIECE);
            got.extend_from_slice(b)
        });
        assert_eq!(got, big);
    }

    #[test]
    fn rfc4978_input_that_is_not_deflate_is_dropped() {
        let mut server = Deflate::new(0);
        let mut got = Vec::new();
        server.inflate(&[0xff; 64], &mut |b| got.extend_from_slice(b));
        server.inflate(b"a NOOP\r\n", &mut |b| got.extend_from_slice(b));
        assert!(got.is_empty(), "{got:?}");
    }
}
