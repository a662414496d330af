//! ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2, RFC 9051 §7.5.2), computed once when a
//! message enters and sealed with it, so an IMAP FETCH never re-parses a body.
//!
//! These are plain data types, independent of any IMAP crate; the IMAP server converts
//! them. Choices made here:
//! - **Structure from mail-parser, values from the raw bytes.** mail-parser decides where
//!   each MIME part's header and body start and end (its boundary handling and recovery
//!   of broken messages are kept, so this agrees with every other reading of the
//!   message). Every value (Date, Subject, addresses, Content-Type parameters, ...) is
//!   then read from the raw header at mail-parser's offsets: unfolded (CRLF + WSP →
//!   WSP), trimmed, never RFC 2047- or RFC 2231-decoded, as IMAP sends them. Bytes that
//!   are not UTF-8 are replaced (U+FFFD). An empty header counts as absent (NIL); of a
//!   repeated header, the first counts.
//! - **Addresses** are split by a small RFC 5322 parser of our own, because mail-parser
//!   gives decoded display names: the display name keeps its encoded words but loses the
//!   quoting of a quoted-string (IMAP quotes again); the local part is kept as written
//!   (a quoted local part keeps its quotes, so `mailbox@host` is a valid address again);
//!   an address without a domain gets an empty host, as `host: None` marks groups.
//! - **Media types keep their case as sent** (RFC 3501 allows either; so do parameter
//!   names). A missing or unreadable Content-Type is `text/plain; charset=us-ascii`
//!   (`message/rfc822` in a multipart/digest, RFC 2046 §5.1.5); a text/plain without a
//!   charset gets `charset=us-ascii`. A missing Content-Transfer-Encoding is `7BIT`.
//! - **Never fails.** A multipart that cannot be described (no boundary, no part, nested
//!   deeper than [`MAX_DEPTH`]) is a single text/plain part over its body; a
//!   message/rfc822 whose body is not an unencoded message (RFC 2046 §5.2.1 forbids
//!   base64 there) is application/octet-stream. So `message` is `Some` exactly when the
//!   type is message/rfc822 (or message/global, which only IMAP4rev2 describes as a
//!   message), and a multipart always has a part: the structure can always be sent as
//!   is.
//! - **Offsets**: every part carries the byte ranges of its MIME header (blank line
//!   included, as IMAP returns it) and of its body in the raw message. Ranges never leave
//!   their parent's body, siblings do not overlap, and `header.1 == body.0`. The top node
//!   of a message, or of an encapsulated one, covers all of it: header from its first
//!   byte, text to its last. [`MessageStructure::part`] resolves IMAP section numbers.
//! - **Not a message** (bytes mail-parser finds no header in, e.g. empty): an empty
//!   envelope and one text/plain part over all the bytes, so every record written from
//!   now on has a structure; `None` means a record sealed before this existed.

use mail_parser::{Encoding, Header, Message, MessagePart, PartType};

#[cfg(test)]
mod mime_tests;
#[cfg(test)]
mod tests;
mod values;

use serde::{Deserialize, Serialize};
use values::*;

/// How deep parts may nest (multiparts and encapsulated messages together); deeper
/// containers are described as single parts, which keeps the sealed JSON readable.
pub const MAX_DEPTH: usize = 16;

/// An IMAP ENVELOPE: raw header values of a message. Holds the subject and addresses:
/// never logged (TR-5), its `Debug` shows counts only.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// `Date:`, raw.
    pub date: Option<String>,
    /// `Subject:`, raw (encoded words kept).
    pub subject: Option<String>,
    /// `From:`.
    pub from: Vec<EnvelopeAddress>,
    /// `Sender:`, or `From:` when absent or empty (RFC 3501).
    pub sender: Vec<EnvelopeAddress>,
    /// `Reply-To:`, or `From:` when absent or empty (RFC 3501).
    pub reply_to: Vec<EnvelopeAddress>,
    /// `To:`.
    pub to: Vec<EnvelopeAddress>,
    /// `Cc:`.
    pub cc: Vec<EnvelopeAddress>,
    /// `Bcc:`.
    pub bcc: Vec<EnvelopeAddress>,
    /// `In-Reply-To:`, raw (angle brackets kept).
    pub in_reply_to: Option<String>,
    /// `Message-ID:`, raw (angle brackets kept).
    pub message_id: Option<String>,
}

impl std::fmt::Debug for Envelope {
    /// Counts only, never the subject or addresses (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope")
            .field("from", &self.from.len())
            .field("to", &self.to.len())
            .field("cc", &self.cc.len())
            .field("bcc", &self.bcc.len())
            .finish_non_exhaustive()
    }
}

/// One address of an ENVELOPE. A group start has `mailbox` = the group name and no
/// host; a group end has neither (RFC 3501 §7.4.2).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeAddress {
    /// Display name, raw: encoded words kept, quoted-string quoting removed.
    pub name: Option<String>,
    /// Source route (`@a,@b`), obsolete but kept when sent.
    pub adl: Option<String>,
    /// Local part as written, or the group name of a group start.
    pub mailbox: Option<String>,
    /// Domain; empty when the address has none, `None` only for group markers.
    pub host: Option<String>,
}

impl std::fmt::Debug for EnvelopeAddress {
    /// Nothing personal: only whether it is a group marker (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvelopeAddress")
            .field("group_marker", &self.host.is_none())
            .finish_non_exhaustive()
    }
}

/// A parameter list (`name`, `value`), names as sent, values unquoted but not decoded
/// (RFC 2231 `name*` parameters are kept as sent).
pub type Params = Vec<(String, String)>;

/// An IMAP BODYSTRUCTURE node, with the byte ranges of the part in the raw message.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BodyStructure {
    /// A non-multipart part (text, binary, or an encapsulated message).
    Single {
        /// Media type as sent (`text`, `Application`, ...).
        media_type: String,
        /// Media subtype as sent.
        media_subtype: String,
        /// Content-Type parameters.
        params: Params,
        /// `Content-ID:`, raw (angle brackets kept).
        id: Option<String>,
        /// `Content-Description:`, raw.
        description: Option<String>,
        /// `Content-Transfer-Encoding:` as sent, `7BIT` when absent.
        encoding: String,
        /// Octets of the body as stored (still transfer-encoded).
        size: u32,
        /// Lines of the body as stored, for text/* and encapsulated messages: line
        /// feeds, plus one for a last line without one.
        lines: Option<u32>,
        /// `Content-MD5:`, raw.
        md5: Option<String>,
        /// `Content-Disposition:` value and parameters.
        disposition: Option<(String, Params)>,
        /// `Content-Language:` tags.
        language: Vec<String>,
        /// `Content-Location:`, raw.
        location: Option<String>,
        /// For message/rfc822 (and message/global): the encapsulated message's envelope
        /// and structure; its top node's ranges are the encapsulated header and body.
        message: Option<Box<(Envelope, BodyStructure)>>,
        /// Start and end offsets of this part's MIME header (the message header at the
        /// top), blank line included.
        header: (u32, u32),
        /// Start and end offsets of this part's body.
        body: (u32, u32),
    },
    /// A multipart: its parts (at least one), subtype and extension data.
    Multi {
        /// The parts, in order; never empty.
        parts: Vec<BodyStructure>,
        /// Multipart subtype as sent (`mixed`, `Alternative`, ...).
        subtype: String,
        /// Content-Type parameters (boundary included).
        params: Params,
        /// `Content-Disposition:` value and parameters.
        disposition: Option<(String, Params)>,
        /// `Content-Language:` tags.
        language: Vec<String>,
        /// `Content-Location:`, raw.
        location: Option<String>,
        /// Start and end offsets of this part's MIME header, blank line included.
        header: (u32, u32),
        /// Start and end offsets of this part's body (preamble to epilogue).
        body: (u32, u32),
    },
}

impl std::fmt::Debug for BodyStructure {
    /// Types, sizes and ranges only: never parameters, names or descriptions, which
    /// may carry file names (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyStructure::Single {
                media_type,
                media_subtype,
                encoding,
                size,
                lines,
                message,
                header,
                body,
                ..
            } => f
                .debug_struct("Single")
                .field("type", &format_args!("{media_type}/{media_subtype}"))
                .field("encoding", encoding)
                .field("size", size)
                .field("lines", lines)
                .field("header", header)
                .field("body", body)
                .field("message", &message.as_ref().map(|m| &m.1))
                .finish_non_exhaustive(),
            BodyStructure::Multi {
                parts,
                subtype,
                header,
                body,
                ..
            } => f
                .debug_struct("Multi")
                .field("subtype", subtype)
                .field("header", header)
                .field("body", body)
                .field("parts", parts)
                .finish_non_exhaustive(),
        }
    }
}

impl BodyStructure {
    /// Start and end offsets of this part's MIME header (`BODY[n.MIME]`, or the message
    /// header at the top).
    pub fn header(&self) -> (u32, u32) {
        match self {
            BodyStructure::Single { header, .. } | BodyStructure::Multi { header, .. } => *header,
        }
    }

    /// Start and end offsets of this part's body (`BODY[n]`, or `BODY[TEXT]` at the top).
    pub fn body(&self) -> (u32, u32) {
        match self {
            BodyStructure::Single { body, .. } | BodyStructure::Multi { body, .. } => *body,
        }
    }

    /// The structure of the message a message/rfc822 part encapsulates.
    pub fn message(&self) -> Option<&(Envelope, BodyStructure)> {
        match self {
            BodyStructure::Single {
                message: Some(m), ..
            } => Some(m),
            _ => None,
        }
    }
}

/// What IMAP FETCH needs of a message without reading its body: ENVELOPE,
/// BODYSTRUCTURE, and where each part lies in the raw bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageStructure {
    /// The message's ENVELOPE.
    pub envelope: Envelope,
    /// The message's BODYSTRUCTURE; its ranges are the message header and text.
    pub body: BodyStructure,
}

impl MessageStructure {
    /// Where the message header ends (blank line included): `BODY[HEADER]` is
    /// `..header_end`, `BODY[TEXT]` is `header_end..`.
    pub fn header_end(&self) -> u32 {
        self.body.header().1
    }

    /// The part an IMAP section number names (`[1, 2]` for `BODY[1.2]`, RFC 3501
    /// §6.4.5): the parts of a multipart count from 1; the parts of a message/rfc822
    /// part are those of the message it encapsulates; a message whose body is not
    /// multipart has that body as its only part, 1. Its [`BodyStructure::header`]
    /// answers `n.MIME`; for a message/rfc822 part, the top node of
    /// [`BodyStructure::message`] answers `n.HEADER` and `n.TEXT`. An empty section
    /// names no part.
    pub fn part(&self, section: &[u32]) -> Option<&BodyStructure> {
        let mut part: Option<&BodyStructure> = None;
        for &n in section {
            let index = usize::try_from(n.checked_sub(1)?).ok()?;
            // The body whose parts `n` counts.
            let body = match part {
                None => &self.body,
                Some(multi @ BodyStructure::Multi { .. }) => multi,
                Some(single) => &single.message()?.1,
            };
            part = Some(match body {
                BodyStructure::Multi { parts, .. } => parts.get(index)?,
                single if index == 0 => single,
                _ => return None,
            });
        }
        part
    }

    /// Reads the structure of a message mail-parser parsed from `raw`.
    pub(crate) fn of(message: &Message<'_>, raw: &[u8]) -> MessageStructure {
        let Some(root) = message.parts.first() else {
            return MessageStructure::opaque(raw);
        };
        let builder = Builder { raw };
        let len = clamp_len(raw.len());
        MessageStructure {
            envelope: builder.envelope(root),
            body: builder.node(message, 0, (0, len), 0, false),
        }
    }

    /// The structure of bytes that are not a message: no envelope, one text/plain body.
    pub(crate) fn opaque(raw: &[u8]) -> MessageStructure {
        let len = clamp_len(raw.len());
        MessageStructure {
            envelope: Envelope::default(),
            body: BodyStructure::Single {
                media_type: "text".into(),
                media_subtype: "plain".into(),
                params: us_ascii(),
                id: None,
                description: None,
                encoding: "7BIT".into(),
                size: len,
                lines: Some(count_lines(&raw[..len as usize])),
                md5: None,
                disposition: None,
                language: Vec::new(),
                location: None,
                message: None,
                header: (0, 0),
                body: (0, len),
            },
        }
    }
}

fn clamp_len(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn us_ascii() -> Params {
    vec![("charset".into(), "us-ascii".into())]
}

/// Lines of a body: line feeds, plus one for a last line without one.
fn count_lines(bytes: &[u8]) -> u32 {
    let feeds = bytes.iter().filter(|&&b| b == b'\n').count();
    let partial = usize::from(bytes.last().is_some_and(|&b| b != b'\n'));
    clamp_len(feeds + partial)
}

/// A Content-Type read from the raw header.
struct MediaType {
    kind: String,
    subtype: String,
    params: Params,
}

impl MediaType {
    fn is(&self, kind: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind)
    }

    fn is_message(&self) -> bool {
        self.is("message")
            && (self.subtype.eq_ignore_ascii_case("rfc822")
                || self.subtype.eq_ignore_ascii_case("global"))
    }

    fn default_for(in_digest: bool) -> MediaType {
        if in_digest {
            MediaType {
                kind: "message".into(),
                subtype: "rfc822".into(),
                params: Vec::new(),
            }
        } else {
            MediaType {
                kind: "text".into(),
                subtype: "plain".into(),
                params: us_ascii(),
            }
        }
    }
}

struct Builder<'r> {
    raw: &'r [u8],
}

impl Builder<'_> {
    /// The unfolded, trimmed raw value of the first header `name` of a part; `None`
    /// when absent or empty.
    fn value(&self, part: &MessagePart<'_>, name: &str) -> Option<String> {
        let header = part
            .headers
            .iter()
            .find(|h| h.name.as_str().eq_ignore_ascii_case(name))?;
        self.raw_value(header)
    }

    fn raw_value(&self, header: &Header<'_>) -> Option<String> {
        let bytes = self
            .raw
            .get(header.offset_start as usize..header.offset_end as usize)?;
        let value = unfold(bytes);
        let value = value.trim_matches(|c: char| c.is_ascii_whitespace());
        (!value.is_empty()).then(|| value.to_owned())
    }

    fn addresses(&self, part: &MessagePart<'_>, name: &str) -> Vec<EnvelopeAddress> {
        self.value(part, name)
            .map(|v| parse_addresses(&v))
            .unwrap_or_default()
    }

    fn envelope(&self, part: &MessagePart<'_>) -> Envelope {
        let from = self.addresses(part, "From");
        let or_from = |list: Vec<EnvelopeAddress>| {
            if list.is_empty() { from.clone() } else { list }
        };
        Envelope {
            date: self.value(part, "Date"),
            subject: self.value(part, "Subject"),
            sender: or_from(self.addresses(part, "Sender")),
            reply_to: or_from(self.addresses(part, "Reply-To")),
            to: self.addresses(part, "To"),
            cc: self.addresses(part, "Cc"),
            bcc: self.addresses(part, "Bcc"),
            in_reply_to: self.value(part, "In-Reply-To"),
            message_id: self.value(part, "Message-ID"),
            from,
        }
    }

    fn disposition(&self, part: &MessagePart<'_>) -> Option<(String, Params)> {
        let value = self.value(part, "Content-Disposition")?;
        let (kind, params) = parse_parameterised(&value)?;
        is_token(&kind).then_some((kind, params))
    }

    fn language(&self, part: &MessagePart<'_>) -> Vec<String> {
        self.value(part, "Content-Language")
            .map(|v| {
                strip_comments(&v)
                    .split(|c: char| c == ',' || c.is_ascii_whitespace())
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Describes part `index` of `message`, keeping its ranges within `bounds`. The top
    /// part of a message (`index` 0) fills `bounds`: its header starts them and its body
    /// (the message text, epilogue included) runs to their end.
    fn node(
        &self,
        message: &Message<'_>,
        index: usize,
        bounds: (u32, u32),
        depth: usize,
        in_digest: bool,
    ) -> BodyStructure {
        let (lo, hi) = bounds;
        let Some(part) = message.parts.get(index) else {
            return empty_text(lo);
        };
        let top = index == 0;
        let header_start = if top {
            lo
        } else {
            part.offset_header.clamp(lo, hi)
        };
        let body_start = part.offset_body.clamp(header_start, hi);
        let body_end = if top {
            hi
        } else {
            part.offset_end.clamp(body_start, hi)
        };
        let header = (header_start, body_start);
        let body = (body_start, body_end);

        let media = self
            .value(part, "Content-Type")
            .and_then(|v| parse_media_type(&v))
            .unwrap_or_else(|| MediaType::default_for(in_digest));
        let disposition = self.disposition(part);
        let language = self.language(part);
        let location = self.value(part, "Content-Location");
        let nested = depth + 1 < MAX_DEPTH;

        // mail-parser lists a multipart's parts after it; anything else is ignored, so
        // the walk cannot loop.
        let children: Vec<usize> = match &part.body {
            PartType::Multipart(ids) => ids
                .iter()
                .map(|&id| id as usize)
                .filter(|&id| id > index)
                .collect(),
            _ => Vec::new(),
        };
        if nested && !children.is_empty() && media.is("multipart") {
            let digest = media.subtype.eq_ignore_ascii_case("digest");
            let mut next = body.0;
            let parts = children
                .into_iter()
                .map(|id| {
                    let child = self.node(message, id, (next, body.1), depth + 1, digest);
                    next = child.body().1;
                    child
                })
                .collect();
            return BodyStructure::Multi {
                parts,
                subtype: media.subtype,
                params: media.params,
                disposition,
                language,
                location,
                header,
                body,
            };
        }

        let inline_message = match &part.body {
            // An unencoded message is parsed in place: its offsets are in `raw`. An
            // encoded one was decoded first, and its offsets are not.
            PartType::Message(inner)
                if nested
                    && media.is_message()
                    && part.encoding == Encoding::None
                    && inner.raw_message.len() == self.raw.len()
                    && !inner.parts.is_empty() =>
            {
                Some(inner)
            }
            _ => None,
        };
        let message = inline_message.map(|inner| {
            let envelope = self.envelope(&inner.parts[0]);
            Box::new((envelope, self.node(inner, 0, body, depth + 1, false)))
        });

        let (media_type, media_subtype, params) = if media.is("multipart") {
            ("text".into(), "plain".into(), us_ascii())
        } else if media.is_message() && message.is_none() {
            ("application".into(), "octet-stream".into(), media.params)
        } else {
            let text_plain = media.is("text") && media.subtype.eq_ignore_ascii_case("plain");
            let mut params = media.params;
            if text_plain
                && !params
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("charset"))
            {
                params.extend(us_ascii());
            }
            (media.kind, media.subtype, params)
        };
        let bytes = &self.raw[body.0 as usize..body.1 as usize];
        let lines = (message.is_some() || media_type.eq_ignore_ascii_case("text"))
            .then(|| count_lines(bytes));
        BodyStructure::Single {
            media_type,
            media_subtype,
            params,
            id: self.value(part, "Content-ID"),
            description: self.value(part, "Content-Description"),
            encoding: self
                .value(part, "Content-Transfer-Encoding")
                .map(|v| strip_comments(&v).trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "7BIT".into()),
            size: body.1 - body.0,
            lines,
            md5: self.value(part, "Content-MD5"),
            disposition,
            language,
            location,
            message,
            header,
            body,
        }
    }
}

/// An empty text/plain part at `at` (for a part mail-parser names but does not hold).
fn empty_text(at: u32) -> BodyStructure {
    BodyStructure::Single {
        media_type: "text".into(),
        media_subtype: "plain".into(),
        params: us_ascii(),
        id: None,
        description: None,
        encoding: "7BIT".into(),
        size: 0,
        lines: Some(0),
        md5: None,
        disposition: None,
        language: Vec::new(),
        location: None,
        message: None,
        header: (at, at),
        body: (at, at),
    }
}
