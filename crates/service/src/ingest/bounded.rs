//! The one way a message is parsed: mail-parser, with its nesting bounded.
//!
//! mail-parser reads nested `message/rfc822` parts without recursion, but it returns
//! them as a tree (a part holds its encapsulated [`Message`], which holds its parts...)
//! and everything that walks or drops that tree recurses. A 2.4 MB message of 50,000
//! encapsulated messages overflowed the stack and aborted the whole server: on drop
//! when the parts were sent as they are, inside mail-parser (its `into_owned`) when
//! they sat in a base64 part. The second is mended in our patched copy of the crate
//! (`vendor/mail-parser/CADUCEUS.md`: an encoded part nesting deeper than 64 stays
//! binary); for the first, the depth of what was parsed is measured **iteratively**,
//! and a tree deeper than [`MAX_NESTING`] is taken apart iteratively and refused
//! ([`NestedTooDeep`]): no caller ever holds a tree deep enough to hurt.

use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

/// How many messages may be encapsulated in each other (a forwarded message inside a
/// forwarded message...). Real mail nests a handful; 32 leaves room for long
/// forwarding chains and is far below what overflows a 2 MiB stack.
pub const MAX_NESTING: usize = 32;

/// A message that nests more than [`MAX_NESTING`] messages in each other: refused
/// whole, never partly stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestedTooDeep;

impl std::fmt::Display for NestedTooDeep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the message encapsulates more than {MAX_NESTING} messages in each other \
             (message/rfc822 inside message/rfc822); it was not accepted: send the \
             innermost document itself"
        )
    }
}

impl std::error::Error for NestedTooDeep {}

impl From<NestedTooDeep> for caduceus_core::Refusal {
    /// Refused like a dangerous attachment: it cannot be analysed (MS-13).
    fn from(too_deep: NestedTooDeep) -> Self {
        caduceus_core::Refusal {
            requirement: caduceus_core::Requirement::Ms13,
            reason: too_deep.to_string(),
        }
    }
}

/// Parses `raw`. `Ok(None)` for bytes that are not a message (or that make
/// mail-parser panic, as some broken quoted-printable does in builds with overflow
/// checks); `Err` for a message nested deeper than [`MAX_NESTING`].
pub fn parse(raw: &[u8]) -> Result<Option<Message<'_>>, NestedTooDeep> {
    parse_visiting(raw, |_| {})
}

/// [`parse`], calling `visit` on the message and on every message encapsulated in it, at
/// any depth and encoding ([`each_message`]), in the same pass that checks them: what
/// ingest reads of every forwarded message costs no second parse.
pub(crate) fn parse_visiting<'x>(
    raw: &'x [u8],
    visit: impl FnMut(&Message<'_>),
) -> Result<Option<Message<'x>>, NestedTooDeep> {
    let Some(message) = parse_unchecked(raw) else {
        return Ok(None);
    };
    let checked = if message.nesting_exceeds(MAX_NESTING) {
        Err(NestedTooDeep)
    } else {
        each_message(&message, visit)
    };
    if let Err(too_deep) = checked {
        message.dismantle();
        return Err(too_deep);
    }
    Ok(Some(message))
}

/// mail-parser, a panic taken as "not a message".
fn parse_unchecked(raw: &[u8]) -> Option<Message<'_>> {
    std::panic::catch_unwind(|| MessageParser::default().parse(raw))
        .ok()
        .flatten()
}

/// How many encoded message parts kept as binary are opened again before the message
/// is refused as too complex to analyse.
const MAX_REOPENED: usize = 8;

/// Visits `top` and every message encapsulated in it, without recursion: mail-parser's
/// tree, then each `message/*` part it kept as binary (our patch does so past 64 levels;
/// deeper than three encodings and broken encodings too) parsed again on its own. More
/// than [`MAX_REOPENED`] such parts, or one nesting past [`MAX_NESTING`], is
/// [`NestedTooDeep`].
fn each_message(
    top: &Message<'_>,
    mut visit: impl FnMut(&Message<'_>),
) -> Result<(), NestedTooDeep> {
    let mut kept_as_bytes = Vec::new();
    visit_tree(top, &mut visit, &mut kept_as_bytes);
    let mut reopened = 0;
    while let Some(bytes) = kept_as_bytes.pop() {
        reopened += 1;
        if reopened > MAX_REOPENED {
            return Err(NestedTooDeep);
        }
        let Some(inner) = parse_unchecked(&bytes) else {
            continue;
        };
        if inner.nesting_exceeds(MAX_NESTING) {
            inner.dismantle();
            return Err(NestedTooDeep);
        }
        visit_tree(&inner, &mut visit, &mut kept_as_bytes);
    }
    Ok(())
}

/// Visits `top` and the messages mail-parser parsed inside it; adds to `kept_as_bytes`
/// the decoded bytes of the `message/*` parts it kept as binary.
fn visit_tree(
    top: &Message<'_>,
    visit: &mut impl FnMut(&Message<'_>),
    kept_as_bytes: &mut Vec<Vec<u8>>,
) {
    let mut messages = vec![top];
    while let Some(message) = messages.pop() {
        visit(message);
        for part in &message.parts {
            match &part.body {
                PartType::Message(inner) => messages.push(inner),
                PartType::Binary(bytes)
                    if part
                        .content_type()
                        .is_some_and(|t| t.ctype().eq_ignore_ascii_case("message")) =>
                {
                    kept_as_bytes.push(bytes.to_vec())
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `depth` messages encapsulated in each other, unencoded.
    fn nested_message(depth: usize) -> Vec<u8> {
        let mut raw = b"From: a@caduceus.test\r\nSubject: nest\r\n".to_vec();
        raw.extend(b"Content-Type: message/rfc822\r\n\r\n".repeat(depth));
        raw.extend_from_slice(b"Subject: inner\r\n\r\nend\r\n");
        raw
    }

    #[test]
    fn ms13_nesting_past_the_bound_is_refused_without_recursion() {
        // Deep enough to overflow any stack if walked or dropped recursively: run on a
        // thread with a small stack to prove nothing here recurses per level.
        let deep = nested_message(60_000);
        let refused = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&deep).map(|m| m.is_some()))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(refused, Err(NestedTooDeep));
    }

    #[test]
    fn ms13_nesting_inside_a_base64_part_is_refused_too() {
        let inner = nested_message(60_000);
        let mut raw = b"Subject: fwd\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            .to_vec();
        raw.extend(base64_lines(&inner));
        raw.extend_from_slice(b"\r\n--b--\r\n");
        let refused = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&raw).map(|m| m.is_some()))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(refused, Err(NestedTooDeep));
    }

    /// Base64 in lines of 76 characters.
    fn base64_lines(bytes: &[u8]) -> Vec<u8> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = Vec::new();
        for (i, chunk) in bytes.chunks(3).enumerate() {
            let n =
                chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
            for k in 0..4 {
                out.push(if k <= chunk.len() {
                    ALPHABET[(n >> (18 - 6 * k)) as usize & 63]
                } else {
                    b'='
                });
            }
            if i % 19 == 18 {
                out.extend_from_slice(b"\r\n");
            }
        }
        out
    }

    /// Found by `scripts/fuzz.sh mime_ingest`: a `message/rfc822` part inside a
    /// multipart with a broken part makes mail-parser panic ("Invalid part ID, could
    /// not find multipart"); the guard takes it as "not a message" (kept as received,
    /// opaque), never a crash of the session.
    #[test]
    fn ms13_a_message_mail_parser_panics_on_is_taken_as_unparsed() {
        let raw = include_bytes!("testdata/mail-parser-invalid-part-id.eml");
        let parsed = parse(raw);
        assert!(matches!(parsed, Ok(None)), "{parsed:?}");
        let meta = crate::ingest::MessageMeta::parse(raw).unwrap();
        assert!(!meta.parsed);
    }

    #[test]
    fn nesting_up_to_the_bound_parses() {
        let raw = nested_message(MAX_NESTING);
        let message = parse(&raw).unwrap().unwrap();
        assert!(message.nesting_exceeds(MAX_NESTING - 1));
        assert!(!message.nesting_exceeds(MAX_NESTING));
        assert_eq!(parse(&nested_message(MAX_NESTING + 1)), Err(NestedTooDeep));
        assert!(parse(b"").unwrap().is_none());
    }
}
