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
use serde::{Deserialize, Serialize};

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

/// Unfolds a raw header value (RFC 5322 §2.2.3: CRLF or LF followed by WSP → WSP).
fn unfold(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let fold = match bytes[i..] {
            [b'\r', b'\n', b' ' | b'\t', ..] => 2,
            [b'\n', b' ' | b'\t', ..] => 1,
            _ => 0,
        };
        if fold == 0 {
            out.push(bytes[i]);
            i += 1;
        } else {
            i += fold;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One lexeme of a structured header value (RFC 5322 §3.2): where it stands relative to
/// quoted strings and comments.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lexeme {
    /// A character outside quoted strings and comments.
    Top(char),
    /// A quote opening or closing a quoted string.
    Quote,
    /// A character of a quoted string, its quoted-pair resolved.
    Quoted(char),
    /// Part of a comment (parentheses included).
    Comment,
}

/// Splits a structured value into lexemes, each with its source range.
struct Scanner<'s> {
    s: &'s str,
    pos: usize,
    quoted: bool,
    comment: usize,
}

impl<'s> Scanner<'s> {
    fn new(s: &'s str) -> Self {
        Scanner {
            s,
            pos: 0,
            quoted: false,
            comment: 0,
        }
    }
}

impl Iterator for Scanner<'_> {
    /// Start, end (in the source) and lexeme.
    type Item = (usize, usize, Lexeme);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.pos;
        let mut chars = self.s[start..].chars();
        let c = chars.next()?;
        let mut end = start + c.len_utf8();
        // A quoted-pair (in a quoted string or a comment) takes the next character.
        let escaped = if c == '\\' && (self.quoted || self.comment > 0) {
            chars.next().inspect(|e| end += e.len_utf8())
        } else {
            None
        };
        let lexeme = if self.comment > 0 {
            match (c, escaped) {
                ('(', None) => self.comment += 1,
                (')', None) => self.comment -= 1,
                _ => {}
            }
            Lexeme::Comment
        } else if self.quoted {
            match (c, escaped) {
                ('"', None) => {
                    self.quoted = false;
                    Lexeme::Quote
                }
                (_, Some(e)) => Lexeme::Quoted(e),
                _ => Lexeme::Quoted(c),
            }
        } else {
            match c {
                '"' => {
                    self.quoted = true;
                    Lexeme::Quote
                }
                '(' => {
                    self.comment = 1;
                    Lexeme::Comment
                }
                _ => Lexeme::Top(c),
            }
        };
        self.pos = end;
        Some((start, end, lexeme))
    }
}

/// Replaces each comment (outside quoted strings) by a space.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_comment = false;
    for (start, end, lexeme) in Scanner::new(s) {
        if lexeme == Lexeme::Comment {
            if !in_comment {
                out.push(' ');
            }
            in_comment = true;
        } else {
            in_comment = false;
            out.push_str(&s[start..end]);
        }
    }
    out
}

/// Removes comments and whitespace outside quoted strings (for an addr-spec).
fn compact(s: &str) -> String {
    Scanner::new(s)
        .filter(|&(_, _, l)| match l {
            Lexeme::Comment => false,
            Lexeme::Top(c) => !c.is_whitespace(),
            Lexeme::Quote | Lexeme::Quoted(_) => true,
        })
        .map(|(start, end, _)| &s[start..end])
        .collect()
}

/// Splits at a top-level `sep`, respecting quoted strings and comments.
fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for (start, end, lexeme) in Scanner::new(s) {
        if lexeme == Lexeme::Top(sep) {
            pieces.push(&s[from..start]);
            from = end;
        }
    }
    pieces.push(&s[from..]);
    pieces
}

/// The first top-level `c`, if any.
fn find_top(s: &str, c: char) -> Option<usize> {
    Scanner::new(s)
        .find(|&(_, _, l)| l == Lexeme::Top(c))
        .map(|(start, _, _)| start)
}

/// A parameter value: the content of a quoted string, or the token as written.
fn unquote(s: &str) -> String {
    let s = s.trim();
    if !s.starts_with('"') {
        return s.to_owned();
    }
    Scanner::new(s)
        .skip(1)
        .take_while(|&(_, _, l)| l != Lexeme::Quote)
        .filter_map(|(_, _, l)| match l {
            Lexeme::Quoted(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// `value *(";" name "=" value)` (Content-Type, Content-Disposition), comments removed.
fn parse_parameterised(value: &str) -> Option<(String, Params)> {
    let value = strip_comments(value);
    let mut pieces = split_top(&value, ';').into_iter();
    let head = pieces.next()?.trim().to_owned();
    if head.is_empty() || head.contains('"') {
        return None;
    }
    let params = pieces
        .filter_map(|piece| {
            let (name, value) = piece.split_once('=')?;
            let name = name.trim();
            (!name.is_empty() && !name.contains('"')).then(|| (name.to_owned(), unquote(value)))
        })
        .collect();
    Some((head, params))
}

/// A non-empty RFC 2045 token: no whitespace, controls or tspecials.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(
                    c,
                    '(' | ')'
                        | '<'
                        | '>'
                        | '@'
                        | ','
                        | ';'
                        | ':'
                        | '\\'
                        | '"'
                        | '/'
                        | '['
                        | ']'
                        | '?'
                        | '='
                )
        })
}

/// A Content-Type: `type "/" subtype *(";" parameter)`; `None` when unreadable.
fn parse_media_type(value: &str) -> Option<MediaType> {
    let (head, params) = parse_parameterised(value)?;
    let (kind, subtype) = head.split_once('/')?;
    let (kind, subtype) = (kind.trim_end(), subtype.trim_start());
    if !is_token(kind) || !is_token(subtype) {
        return None;
    }
    Some(MediaType {
        kind: kind.to_owned(),
        subtype: subtype.to_owned(),
        params,
    })
}

/// An address list (RFC 5322 §3.4) with groups, read from an unfolded raw value.
fn parse_addresses(value: &str) -> Vec<EnvelopeAddress> {
    let mut out = Vec::new();
    let mut in_group = false;
    let mut in_angle = false;
    let mut from = 0;
    for (start, end, lexeme) in Scanner::new(value) {
        match lexeme {
            Lexeme::Top('<') => in_angle = true,
            Lexeme::Top('>') => in_angle = false,
            Lexeme::Top(',') if !in_angle => {
                out.extend(parse_mailbox(&value[from..start]));
                from = end;
            }
            Lexeme::Top(':') if !in_angle && !in_group => {
                out.push(EnvelopeAddress {
                    name: None,
                    adl: None,
                    mailbox: Some(phrase(&value[from..start])),
                    host: None,
                });
                in_group = true;
                from = end;
            }
            Lexeme::Top(';') if !in_angle && in_group => {
                out.extend(parse_mailbox(&value[from..start]));
                out.push(EnvelopeAddress::default());
                in_group = false;
                from = end;
            }
            _ => {}
        }
    }
    out.extend(parse_mailbox(&value[from..]));
    if in_group {
        out.push(EnvelopeAddress::default());
    }
    out
}

/// A display name or group name: quoted strings unquoted; comments, encoded words and
/// inner whitespace as written; trimmed.
fn phrase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (start, end, lexeme) in Scanner::new(s) {
        match lexeme {
            Lexeme::Quote => {}
            Lexeme::Top(c) | Lexeme::Quoted(c) => out.push(c),
            Lexeme::Comment => out.push_str(&s[start..end]),
        }
    }
    out.trim().to_owned()
}

/// The text of a value's comments, without their outer parentheses.
fn comment_text(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for (start, end, lexeme) in Scanner::new(s) {
        if lexeme != Lexeme::Comment {
            continue;
        }
        let text = &s[start..end];
        match text {
            "(" => {
                depth += 1;
                if depth == 1 {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    continue;
                }
            }
            ")" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    continue;
                }
            }
            _ => {}
        }
        out.push_str(text);
    }
    out.trim().to_owned()
}

/// One mailbox: `[phrase] "<" [route ":"] addr-spec ">"`, or a bare addr-spec whose
/// comment (if any) stands for the display name.
fn parse_mailbox(s: &str) -> Option<EnvelopeAddress> {
    let (name, spec) = match find_top(s, '<') {
        Some(open) => {
            let rest = &s[open + 1..];
            let close = find_top(rest, '>').unwrap_or(rest.len());
            (phrase(&s[..open]), &rest[..close])
        }
        None => (comment_text(s), s),
    };
    let name = Some(name).filter(|n| !n.is_empty());
    let spec = compact(spec);
    let (adl, spec) = match spec
        .starts_with('@')
        .then(|| find_top(&spec, ':'))
        .flatten()
    {
        Some(colon) => (Some(spec[..colon].to_owned()), spec[colon + 1..].to_owned()),
        None => (None, spec),
    };
    let at = Scanner::new(&spec)
        .filter(|&(_, _, l)| l == Lexeme::Top('@'))
        .last()
        .map(|(start, _, _)| start);
    let (mailbox, host) = match at {
        Some(at) => (spec[..at].to_owned(), spec[at + 1..].to_owned()),
        None => (spec, String::new()),
    };
    if mailbox.is_empty() && host.is_empty() && name.is_none() {
        return None;
    }
    Some(EnvelopeAddress {
        name,
        adl,
        mailbox: Some(mailbox),
        host: Some(host),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::MessageMeta;
    use proptest::prelude::*;

    /// A message written with `\n` line ends, sent with CRLF as on the wire.
    fn crlf(text: &str) -> Vec<u8> {
        text.replace('\n', "\r\n").into_bytes()
    }

    fn structure(raw: &[u8]) -> MessageStructure {
        let meta = MessageMeta::parse(raw).unwrap();
        let structure = meta.structure.expect("every new record has a structure");
        check_ranges(raw, &structure);
        structure
    }

    fn slice(raw: &[u8], (start, end): (u32, u32)) -> &str {
        std::str::from_utf8(&raw[start as usize..end as usize]).unwrap()
    }

    fn addr(name: Option<&str>, mailbox: &str, host: &str) -> EnvelopeAddress {
        EnvelopeAddress {
            name: name.map(str::to_owned),
            adl: None,
            mailbox: Some(mailbox.into()),
            host: Some(host.into()),
        }
    }

    fn group_start(name: &str) -> EnvelopeAddress {
        EnvelopeAddress {
            mailbox: Some(name.into()),
            ..EnvelopeAddress::default()
        }
    }

    fn params(list: &[(&str, &str)]) -> Params {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The invariants the IMAP server relies on: ranges inside their parent's body and
    /// ordered, siblings in order, sizes and lines counted on the very bytes, multiparts
    /// never empty, `message` exactly for message/rfc822|global, depth capped.
    fn check_ranges(raw: &[u8], structure: &MessageStructure) {
        let len = u32::try_from(raw.len()).unwrap();
        assert_eq!(
            structure.body.header().0,
            0,
            "the message header starts the message"
        );
        assert_eq!(structure.body.body().1, len, "the text ends the message");
        assert_eq!(structure.header_end(), structure.body.body().0);
        check_node(raw, &structure.body, (0, len), 0);
    }

    fn check_node(raw: &[u8], node: &BodyStructure, (lo, hi): (u32, u32), depth: usize) {
        assert!(depth < MAX_DEPTH, "nesting capped");
        let (header, body) = (node.header(), node.body());
        assert!(lo <= header.0, "{node:?} starts before {lo}");
        assert!(header.0 <= header.1);
        assert_eq!(header.1, body.0, "the body follows the header");
        assert!(body.0 <= body.1);
        assert!(body.1 <= hi, "{node:?} ends after {hi}");
        match node {
            BodyStructure::Multi { parts, .. } => {
                assert!(!parts.is_empty(), "a multipart has a part");
                let mut next = body.0;
                for part in parts {
                    check_node(raw, part, (next, body.1), depth + 1);
                    next = part.body().1;
                }
            }
            BodyStructure::Single {
                media_type,
                media_subtype,
                size,
                lines,
                message,
                ..
            } => {
                let bytes = &raw[body.0 as usize..body.1 as usize];
                assert_eq!(*size as usize, bytes.len());
                let is_message = media_type.eq_ignore_ascii_case("message")
                    && ["rfc822", "global"]
                        .iter()
                        .any(|s| media_subtype.eq_ignore_ascii_case(s));
                assert_eq!(message.is_some(), is_message, "{node:?}");
                assert!(!media_type.eq_ignore_ascii_case("multipart"));
                let counted = media_type.eq_ignore_ascii_case("text") || is_message;
                assert_eq!(lines.is_some(), counted, "{node:?}");
                if let Some(lines) = lines {
                    assert_eq!(*lines, count_lines(bytes));
                }
                if let Some(inner) = message {
                    assert_eq!(inner.1.header().0, body.0, "the message starts the body");
                    assert_eq!(inner.1.body().1, body.1, "the message ends the body");
                    check_node(raw, &inner.1, body, depth + 1);
                }
            }
        }
    }

    const LAB_RESULTS: &str = "From: Dr Alice <alice@caduceus.test>
To: bob@caduceus.test
Subject: Lab results
Date: Mon, 23 Nov 2026 10:00:00 +0100
Message-ID: <m1@caduceus.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=\"b1\"

This is a multi-part message.
--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

R=C3=A9sultats ci-joints.
Cordialement
--b1
Content-Type: application/pdf; name=\"results.pdf\"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename=\"results.pdf\"
Content-Description: Lab report

JVBERi0xLjQK
JSVFT0YK
--b1--
";

    #[test]
    fn envelope_keeps_raw_encoded_words() {
        let raw = crlf(
            "From: =?utf-8?q?Dr_Al=C3=AFce?= <alice@caduceus.test>
To: \"Bob, =?utf-8?q?Cl=C3=A9ment?=\" <bob@caduceus.test>
Subject: =?utf-8?q?R=C3=A9sultat?=
 =?utf-8?q?_d=27analyse?=
Date: Mon, 23 Nov 2026
 10:00:00 +0100
Message-ID: <m1@caduceus.test>
In-Reply-To: <m0@caduceus.test>
 <m00@caduceus.test>

body
",
        );
        let envelope = structure(&raw).envelope;
        assert_eq!(
            envelope.subject.as_deref(),
            Some("=?utf-8?q?R=C3=A9sultat?= =?utf-8?q?_d=27analyse?="),
            "unfolded, not decoded"
        );
        assert_eq!(
            envelope.date.as_deref(),
            Some("Mon, 23 Nov 2026 10:00:00 +0100")
        );
        assert_eq!(envelope.message_id.as_deref(), Some("<m1@caduceus.test>"));
        assert_eq!(
            envelope.in_reply_to.as_deref(),
            Some("<m0@caduceus.test> <m00@caduceus.test>")
        );
        assert_eq!(
            envelope.from,
            [addr(
                Some("=?utf-8?q?Dr_Al=C3=AFce?="),
                "alice",
                "caduceus.test"
            )]
        );
        assert_eq!(
            envelope.to,
            [addr(
                Some("Bob, =?utf-8?q?Cl=C3=A9ment?="),
                "bob",
                "caduceus.test"
            )],
            "a comma inside a quoted display name does not split; the quotes go"
        );
        assert!(envelope.cc.is_empty() && envelope.bcc.is_empty());
    }

    #[test]
    fn rfc3501_sender_and_reply_to_default_to_from() {
        let from = [addr(Some("Dr Alice"), "alice", "caduceus.test")];
        let absent = structure(&crlf("From: Dr Alice <alice@caduceus.test>\n\nx")).envelope;
        assert_eq!(absent.sender, from);
        assert_eq!(absent.reply_to, from);

        let empty = structure(&crlf(
            "From: Dr Alice <alice@caduceus.test>\nSender:\nReply-To:  \n\nx",
        ))
        .envelope;
        assert_eq!(empty.sender, from, "present but empty counts as absent");
        assert_eq!(empty.reply_to, from);

        let given = structure(&crlf(
            "From: Dr Alice <alice@caduceus.test>\nSender: sec@caduceus.test\n\
             Reply-To: Cabinet <cabinet@caduceus.test>\n\nx",
        ))
        .envelope;
        assert_eq!(given.sender, [addr(None, "sec", "caduceus.test")]);
        assert_eq!(
            given.reply_to,
            [addr(Some("Cabinet"), "cabinet", "caduceus.test")]
        );

        let nothing = structure(&crlf("Subject: x\n\ny")).envelope;
        assert!(nothing.from.is_empty() && nothing.sender.is_empty());
        assert!(nothing.reply_to.is_empty());
    }

    #[test]
    fn multipart_mixed_with_pdf_has_two_parts_with_offsets() {
        let raw = crlf(LAB_RESULTS);
        let s = structure(&raw);
        let BodyStructure::Multi {
            parts,
            subtype,
            params: top_params,
            header,
            body,
            ..
        } = &s.body
        else {
            panic!("multipart expected: {:?}", s.body)
        };
        assert_eq!(subtype, "mixed");
        assert_eq!(top_params, &params(&[("boundary", "b1")]));
        assert!(slice(&raw, *header).starts_with("From: Dr Alice"));
        assert!(slice(&raw, *header).ends_with("boundary=\"b1\"\r\n\r\n"));
        assert!(slice(&raw, *body).starts_with("This is a multi-part message.\r\n--b1\r\n"));
        assert!(slice(&raw, *body).ends_with("--b1--\r\n"));
        assert_eq!(parts.len(), 2);

        let BodyStructure::Single {
            media_type,
            media_subtype,
            params: text_params,
            encoding,
            size,
            lines,
            disposition,
            header,
            body,
            ..
        } = &parts[0]
        else {
            panic!("single expected")
        };
        assert_eq!(
            (media_type.as_str(), media_subtype.as_str()),
            ("text", "plain")
        );
        assert_eq!(text_params, &params(&[("charset", "utf-8")]));
        assert_eq!(encoding, "quoted-printable");
        assert_eq!(
            slice(&raw, *header),
            "Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        );
        assert_eq!(
            slice(&raw, *body),
            "R=C3=A9sultats ci-joints.\r\nCordialement",
            "the CRLF before the boundary belongs to the boundary"
        );
        assert_eq!(*size, 39);
        assert_eq!(*lines, Some(2));
        assert_eq!(*disposition, None);

        let BodyStructure::Single {
            media_type,
            media_subtype,
            params: pdf_params,
            encoding,
            description,
            size,
            lines,
            disposition,
            message,
            header,
            body,
            ..
        } = &parts[1]
        else {
            panic!("single expected")
        };
        assert_eq!(
            (media_type.as_str(), media_subtype.as_str()),
            ("application", "pdf")
        );
        assert_eq!(pdf_params, &params(&[("name", "results.pdf")]));
        assert_eq!(encoding, "base64");
        assert_eq!(description.as_deref(), Some("Lab report"));
        assert_eq!(
            disposition,
            &Some((
                "attachment".to_owned(),
                params(&[("filename", "results.pdf")])
            ))
        );
        assert!(slice(&raw, *header).starts_with("Content-Type: application/pdf"));
        assert!(slice(&raw, *header).ends_with("Lab report\r\n\r\n"));
        assert_eq!(slice(&raw, *body), "JVBERi0xLjQK\r\nJSVFT0YK");
        assert_eq!(*size, 22);
        assert_eq!(*lines, None, "no line count for a non-text part");
        assert!(message.is_none());

        assert_eq!(s.part(&[2]), Some(&parts[1]));
        assert_eq!(s.part(&[3]), None);
        assert_eq!(s.part(&[1, 1]), None, "a text part has no subparts");
    }

    #[test]
    fn nested_message_rfc822() {
        let raw = crlf(
            "From: a@caduceus.test
Subject: Fwd: results
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: text/plain

See below.
--outer
Content-Type: message/rfc822
Content-Description: forwarded

From: \"Lab\" <lab@caduceus.test>
To: Team: b@caduceus.test;
Subject: =?utf-8?q?R=C3=A9sultat?=
Message-ID: <inner@caduceus.test>
Content-Type: multipart/alternative; boundary=\"inner\"

--inner
Content-Type: text/plain; charset=us-ascii

plain
--inner
Content-Type: text/html; charset=utf-8

<p>html</p>
--inner--

--outer--
",
        );
        let s = structure(&raw);
        let forwarded = s.part(&[2]).expect("part 2");
        let BodyStructure::Single {
            media_type,
            media_subtype,
            description,
            size,
            lines,
            header,
            body,
            ..
        } = forwarded
        else {
            panic!("single expected")
        };
        assert_eq!(
            (media_type.as_str(), media_subtype.as_str()),
            ("message", "rfc822")
        );
        assert_eq!(description.as_deref(), Some("forwarded"));
        assert_eq!(
            slice(&raw, *header),
            "Content-Type: message/rfc822\r\nContent-Description: forwarded\r\n\r\n",
            "BODY[2.MIME]"
        );
        let message = slice(&raw, *body);
        assert!(
            message.starts_with("From: \"Lab\""),
            "BODY[2] is the whole message"
        );
        assert!(message.ends_with("--inner--\r\n"));
        assert_eq!(*size as usize, message.len());
        assert_eq!(*lines, Some(15));

        let (envelope, inner) = forwarded.message().expect("encapsulated message");
        assert_eq!(
            envelope.subject.as_deref(),
            Some("=?utf-8?q?R=C3=A9sultat?=")
        );
        assert_eq!(envelope.from, [addr(Some("Lab"), "lab", "caduceus.test")]);
        assert_eq!(envelope.sender, envelope.from);
        assert_eq!(
            envelope.to,
            [
                group_start("Team"),
                addr(None, "b", "caduceus.test"),
                EnvelopeAddress::default()
            ]
        );
        assert_eq!(
            envelope.message_id.as_deref(),
            Some("<inner@caduceus.test>")
        );
        assert!(
            slice(&raw, inner.header()).ends_with("boundary=\"inner\"\r\n\r\n"),
            "BODY[2.HEADER]"
        );
        assert!(
            slice(&raw, inner.body()).starts_with("--inner\r\n"),
            "BODY[2.TEXT]"
        );
        let BodyStructure::Multi { parts, subtype, .. } = inner else {
            panic!("multipart/alternative expected")
        };
        assert_eq!(subtype, "alternative");
        assert_eq!(parts.len(), 2);
        assert_eq!(s.part(&[2, 1]), Some(&parts[0]));
        assert_eq!(slice(&raw, parts[0].body()), "plain", "BODY[2.1]");
        assert_eq!(slice(&raw, parts[1].body()), "<p>html</p>", "BODY[2.2]");
        assert_eq!(
            slice(&raw, s.part(&[2, 2]).unwrap().header()),
            "Content-Type: text/html; charset=utf-8\r\n\r\n",
            "BODY[2.2.MIME]"
        );
        assert_eq!(s.part(&[2, 3]), None);
    }

    #[test]
    fn imap_section_numbers_name_parts() {
        // A non-multipart message: its body is part 1 (RFC 3501 §6.4.5).
        let raw = crlf("Subject: x\n\nhello\n");
        let s = structure(&raw);
        assert_eq!(s.part(&[1]), Some(&s.body));
        assert_eq!(s.part(&[2]), None);
        assert_eq!(s.part(&[0]), None);
        assert_eq!(s.part(&[]), None);
        assert_eq!(slice(&raw, (0, s.header_end())), "Subject: x\r\n\r\n");
        assert_eq!(slice(&raw, s.body.body()), "hello\r\n");

        // An encapsulated non-multipart message: its body is part n.1.
        let raw = crlf("Content-Type: message/rfc822\n\nSubject: in\n\ninner body\n");
        let s = structure(&raw);
        let (_, inner) = s.body.message().expect("message/rfc822 at the top");
        assert_eq!(
            s.part(&[1]),
            Some(&s.body),
            "BODY[1] is the encapsulated message"
        );
        assert_eq!(s.part(&[1, 1]), Some(inner));
        assert_eq!(slice(&raw, inner.body()), "inner body\r\n");
        assert_eq!(s.part(&[1, 1, 1]), None);
    }

    #[test]
    fn group_addresses() {
        let raw = crlf(
            "From: a@caduceus.test
To: Care team: \"Dr B\" <b@caduceus.test>, c@caduceus.test;, d@caduceus.test
Cc: undisclosed-recipients:;
Bcc: \"Quoted group\": e@caduceus.test

x",
        );
        let envelope = structure(&raw).envelope;
        assert_eq!(
            envelope.to,
            [
                group_start("Care team"),
                addr(Some("Dr B"), "b", "caduceus.test"),
                addr(None, "c", "caduceus.test"),
                EnvelopeAddress::default(),
                addr(None, "d", "caduceus.test"),
            ]
        );
        assert_eq!(
            envelope.cc,
            [
                group_start("undisclosed-recipients"),
                EnvelopeAddress::default()
            ]
        );
        assert_eq!(
            envelope.bcc,
            [
                group_start("Quoted group"),
                addr(None, "e", "caduceus.test"),
                EnvelopeAddress::default()
            ],
            "an unterminated group is closed"
        );
    }

    #[test]
    fn address_forms() {
        let parsed = parse_addresses(
            "\"john doe\"@caduceus.test (John Doe), <@relay.test,@r2.test:x@caduceus.test>, \
             root, Alice (work) <alice @ caduceus.test>, \"Esc \\\"q\\\"\" <q@caduceus.test>, \
             <>, ,",
        );
        assert_eq!(
            parsed,
            [
                addr(Some("John Doe"), "\"john doe\"", "caduceus.test"),
                EnvelopeAddress {
                    adl: Some("@relay.test,@r2.test".into()),
                    ..addr(None, "x", "caduceus.test")
                },
                addr(None, "root", ""),
                addr(Some("Alice (work)"), "alice", "caduceus.test"),
                addr(Some("Esc \"q\""), "q", "caduceus.test"),
            ]
        );
        assert!(parse_addresses("").is_empty());
        assert!(parse_addresses("  ,  ").is_empty());
    }

    #[test]
    fn missing_content_type_defaults_to_text_plain_us_ascii() {
        let raw = crlf("From: a@caduceus.test\n\nline one\nline two\n");
        let s = structure(&raw);
        let BodyStructure::Single {
            media_type,
            media_subtype,
            params: p,
            encoding,
            size,
            lines,
            ..
        } = &s.body
        else {
            panic!("single expected")
        };
        assert_eq!(
            (media_type.as_str(), media_subtype.as_str()),
            ("text", "plain")
        );
        assert_eq!(p, &params(&[("charset", "us-ascii")]));
        assert_eq!(encoding, "7BIT", "missing Content-Transfer-Encoding");
        assert_eq!(*size, 20);
        assert_eq!(*lines, Some(2));

        // text/plain without a charset gets the RFC 2046 default; other types do not.
        let s = structure(&crlf("Content-Type: text/plain; format=flowed\n\nx"));
        let BodyStructure::Single { params: p, .. } = &s.body else {
            panic!()
        };
        assert_eq!(p, &params(&[("format", "flowed"), ("charset", "us-ascii")]));
        let s = structure(&crlf("Content-Type: text/html\n\nx"));
        let BodyStructure::Single { params: p, .. } = &s.body else {
            panic!()
        };
        assert!(p.is_empty());

        // An unreadable Content-Type is as if absent (RFC 2045 §5.2).
        for value in [
            "garbage",
            "text/",
            "/plain",
            "te xt/plain",
            "\"text/plain\"",
            "",
        ] {
            let s = structure(&crlf(&format!("Content-Type: {value}\n\nx")));
            let BodyStructure::Single {
                media_type,
                media_subtype,
                params: p,
                ..
            } = &s.body
            else {
                panic!()
            };
            assert_eq!(
                (media_type.as_str(), media_subtype.as_str()),
                ("text", "plain")
            );
            assert_eq!(p, &params(&[("charset", "us-ascii")]), "{value}");
        }
    }

    #[test]
    fn digest_parts_default_to_message_rfc822() {
        let raw = crlf(
            "Content-Type: multipart/digest; boundary=d

--d

Subject: first

one
--d
Content-Type: text/plain

not a message
--d--
",
        );
        let s = structure(&raw);
        let first = s.part(&[1]).unwrap();
        let BodyStructure::Single {
            media_type,
            media_subtype,
            params: p,
            ..
        } = first
        else {
            panic!()
        };
        assert_eq!(
            (media_type.as_str(), media_subtype.as_str()),
            ("message", "rfc822")
        );
        assert!(p.is_empty());
        let (envelope, _) = first.message().unwrap();
        assert_eq!(envelope.subject.as_deref(), Some("first"));
        assert!(s.part(&[2]).unwrap().message().is_none());
    }

    #[test]
    fn media_types_and_parameters_keep_case_and_raw_values() {
        let raw = crlf(
            "Content-Type: Multipart/Mixed; Boundary=\"B\" (comment); X-Extra=\"a;b\"

--B
Content-Type: TEXT/Plain; CharSet=ISO-8859-1
Content-Transfer-Encoding: 8Bit (really)
Content-ID: <part1@caduceus.test>
Content-Language: fr, en (comment)
Content-Location: http://caduceus.test/
 a.txt
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==

caf\u{e9}
--B
Content-Type: application/octet-stream;
 name*0=\"long\";
 name*1*=utf-8''%C3%A9.bin
Content-Disposition: ATTACHMENT; filename*=utf-8''r%C3%A9sultat.pdf; size=12

AAAA
--B--
",
        );
        let s = structure(&raw);
        let BodyStructure::Multi {
            subtype,
            params: p,
            parts,
            ..
        } = &s.body
        else {
            panic!()
        };
        assert_eq!(subtype, "Mixed");
        assert_eq!(p, &params(&[("Boundary", "B"), ("X-Extra", "a;b")]));
        let BodyStructure::Single {
            media_type,
            media_subtype,
            params: p,
            encoding,
            id,
            language,
            location,
            md5,
            lines,
            ..
        } = &parts[0]
        else {
            panic!()
        };
        assert_eq!(
            (media_type.as_str(), media_subtype.as_str()),
            ("TEXT", "Plain")
        );
        assert_eq!(p, &params(&[("CharSet", "ISO-8859-1")]), "no charset added");
        assert_eq!(encoding, "8Bit");
        assert_eq!(id.as_deref(), Some("<part1@caduceus.test>"));
        assert_eq!(language, &["fr", "en"]);
        assert_eq!(location.as_deref(), Some("http://caduceus.test/ a.txt"));
        assert_eq!(md5.as_deref(), Some("Q2hlY2sgSW50ZWdyaXR5IQ=="));
        assert_eq!(*lines, Some(1), "upper-case TEXT still counts lines");
        let BodyStructure::Single {
            params: p,
            disposition,
            ..
        } = &parts[1]
        else {
            panic!()
        };
        assert_eq!(
            p,
            &params(&[("name*0", "long"), ("name*1*", "utf-8''%C3%A9.bin")]),
            "RFC 2231 parameters as sent, for the client to decode"
        );
        assert_eq!(
            disposition,
            &Some((
                "ATTACHMENT".to_owned(),
                params(&[("filename*", "utf-8''r%C3%A9sultat.pdf"), ("size", "12")])
            ))
        );
    }

    #[test]
    fn malformed_mime_falls_back() {
        let text_plain = |node: &BodyStructure| {
            let BodyStructure::Single {
                media_type,
                media_subtype,
                params: p,
                message,
                ..
            } = node
            else {
                panic!("single expected: {node:?}")
            };
            assert_eq!(
                (media_type.as_str(), media_subtype.as_str()),
                ("text", "plain")
            );
            assert_eq!(p, &params(&[("charset", "us-ascii")]));
            assert!(message.is_none());
        };

        // A multipart without a boundary: one text/plain part over the body.
        let raw = crlf("Content-Type: multipart/mixed\n\n--x\n\nhello\n--x--\n");
        let s = structure(&raw);
        text_plain(&s.body);
        assert_eq!(slice(&raw, s.body.body()), "--x\r\n\r\nhello\r\n--x--\r\n");

        // A multipart whose boundary never appears, and one with no part at all.
        for text in [
            "Content-Type: multipart/mixed; boundary=nope\n\nhello\n",
            "Content-Type: multipart/mixed; boundary=q\n\n--q--\n",
        ] {
            let s = structure(&crlf(text));
            text_plain(&s.body);
        }

        // A part that is never closed keeps what is there.
        let raw = crlf(
            "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: text/plain\n\nunterminated",
        );
        let s = structure(&raw);
        assert_eq!(slice(&raw, s.part(&[1]).unwrap().body()), "unterminated");

        // message/rfc822 sent base64 (RFC 2046 §5.2.1 forbids it): an opaque attachment,
        // since its decoded offsets are not in the raw message.
        let raw = crlf(
            "Content-Type: multipart/mixed; boundary=q

--q
Content-Type: message/rfc822; x=y
Content-Transfer-Encoding: base64

U3ViamVjdDogeA0KDQp5DQo=
--q--
",
        );
        let s = structure(&raw);
        let BodyStructure::Single {
            media_type,
            media_subtype,
            params: p,
            encoding,
            message,
            lines,
            ..
        } = s.part(&[1]).unwrap()
        else {
            panic!()
        };
        assert_eq!(
            (media_type.as_str(), media_subtype.as_str()),
            ("application", "octet-stream")
        );
        assert_eq!(p, &params(&[("x", "y")]));
        assert_eq!(encoding, "base64");
        assert!(message.is_none() && lines.is_none());

        // An empty message/rfc822 part.
        let s = structure(&crlf(
            "Content-Type: multipart/mixed; boundary=q\n\n--q\nContent-Type: message/rfc822\n\n--q--\n",
        ));
        assert!(s.part(&[1]).is_some());

        // Headers without a body, a lone header line, LF line ends, NUL bytes, 8-bit.
        for raw in [
            b"Subject: x\r\n".to_vec(),
            b"Subject: x".to_vec(),
            b"Subject: x\n\nbody\nmore\n".to_vec(),
            b"\r\n\r\nbody".to_vec(),
            b"\0\0\0".to_vec(),
            b"Subject: caf\xe9\r\nFrom: \xff <a@b>\r\n\r\n\xfe".to_vec(),
            b"Content-Type: multipart/mixed; boundary=\xff\r\n\r\n--\xff\r\n\r\nx\r\n--\xff--"
                .to_vec(),
        ] {
            let meta = MessageMeta::parse(&raw).unwrap();
            check_ranges(&raw, meta.structure.as_ref().unwrap());
        }
        let raw = b"Subject: x\r\n";
        let s = structure(raw);
        assert_eq!(s.header_end(), 12);
        assert_eq!(s.body.body(), (12, 12));
    }

    #[test]
    fn encapsulated_message_text_runs_to_the_end_of_its_part() {
        // mail-parser ends the inner multipart at its close delimiter; BODY[1.TEXT]
        // still covers the inner message's epilogue (found by the proptest below).
        let raw = crlf(
            "Content-Type: message/rfc822\n\n\
             Content-Type: multipart/alternative; boundary=\"b\"\n\n--b\n\n--b--\n",
        );
        let s = structure(&raw);
        let (_, inner) = s.body.message().unwrap();
        assert!(slice(&raw, inner.body()).ends_with("--b--\r\n"));
        assert_eq!(inner.body().1, s.body.body().1);
    }

    #[test]
    fn mail_parser_panics_never_fail_ingest() {
        // A soft line break right before a boundary underflows in mail-parser 0.11.9's
        // quoted-printable decoder when overflow checks are on (found by the proptest).
        let raw = crlf(
            "Content-Type: multipart/mixed; boundary=a\n\n--a\n\
             Content-Transfer-Encoding: quoted-printable\n\n=C3=\n--a\n",
        );
        let meta = MessageMeta::parse(&raw).unwrap();
        check_ranges(&raw, meta.structure.as_ref().unwrap());
    }

    #[test]
    fn lines_and_sizes_match_the_raw_bytes() {
        assert_eq!(count_lines(b""), 0);
        assert_eq!(count_lines(b"one"), 1);
        assert_eq!(count_lines(b"one\r\n"), 1);
        assert_eq!(count_lines(b"one\r\ntwo"), 2);
        assert_eq!(count_lines(b"one\ntwo\n\n"), 3);

        // check_ranges (called by structure) compares every part's size and line count
        // to the bytes its range covers; here they are also spelled out.
        let raw = crlf(LAB_RESULTS);
        let s = structure(&raw);
        let BodyStructure::Single { size, lines, .. } = s.part(&[1]).unwrap() else {
            panic!()
        };
        assert_eq!((*size, *lines), (39, Some(2)));

        let raw = b"Subject: lf only\n\nline 1\nline 2\nlast".to_vec();
        let s = structure(&raw);
        let BodyStructure::Single { size, lines, .. } = &s.body else {
            panic!()
        };
        assert_eq!((*size, *lines), (18, Some(3)));
        assert_eq!(s.header_end(), 18);
    }

    #[test]
    fn offsets_slice_back_to_exactly_the_parts_header_and_body() {
        let raw = crlf(LAB_RESULTS);
        let s = structure(&raw);
        let text = std::str::from_utf8(&raw).unwrap();
        let top_header_end = text.find("\r\n\r\n").unwrap() + 4;
        assert_eq!(s.header_end() as usize, top_header_end, "BODY[HEADER]");
        assert_eq!(
            slice(&raw, s.body.body()),
            &text[top_header_end..],
            "BODY[TEXT]"
        );

        let pdf = s.part(&[2]).unwrap();
        let mime = "Content-Type: application/pdf; name=\"results.pdf\"\r\n\
                    Content-Transfer-Encoding: base64\r\n\
                    Content-Disposition: attachment; filename=\"results.pdf\"\r\n\
                    Content-Description: Lab report\r\n\r\n";
        let at = text.find(mime).unwrap();
        assert_eq!(
            pdf.header(),
            (at as u32, (at + mime.len()) as u32),
            "BODY[2.MIME]"
        );
        assert_eq!(
            slice(&raw, pdf.body()),
            "JVBERi0xLjQK\r\nJSVFT0YK",
            "BODY[2]"
        );
        let text_part = s.part(&[1]).unwrap();
        assert_eq!(
            &text[text_part.header().0 as usize..text_part.body().1 as usize + 8],
            "Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n\
             R=C3=A9sultats ci-joints.\r\nCordialement\r\n--b1\r\n",
            "header and body are contiguous and stop before the delimiter"
        );
    }

    #[test]
    fn not_a_message_gets_an_opaque_structure() {
        let meta = MessageMeta::parse(b"").unwrap();
        assert!(!meta.parsed);
        let s = meta.structure.expect("opaque structure");
        assert_eq!(s.envelope, Envelope::default());
        assert_eq!(s.body.header(), (0, 0));
        assert_eq!(s.body.body(), (0, 0));
        assert_eq!(MessageStructure::opaque(b"ab\ncd").body.body(), (0, 5));
        check_ranges(b"ab\ncd", &MessageStructure::opaque(b"ab\ncd"));
    }

    #[test]
    fn records_sealed_before_the_structure_still_read() {
        let old = br#"{"subject":"Old","from":[],"to":[],"cc":[],"date":null,"message_id":null,"in_reply_to":[],"attachments":0,"parsed":true}"#;
        let meta = MessageMeta::from_sealable(old);
        assert_eq!(meta.subject.as_deref(), Some("Old"));
        assert!(meta.parsed);
        assert_eq!(meta.structure, None, "the IMAP server then parses the body");
    }

    #[test]
    fn structure_round_trips_through_the_sealed_record() {
        let raw = crlf(LAB_RESULTS);
        let meta = MessageMeta::parse(&raw).unwrap();
        assert!(meta.structure.is_some());
        assert_eq!(MessageMeta::from_sealable(&meta.to_sealable()), meta);
    }

    #[test]
    fn deep_nesting_is_capped_and_still_seals() {
        // 30 encapsulated messages: under the bound at which a message is refused
        // (MS-13, `bounded::MAX_NESTING`), over the structure's depth cap.
        let mut messages = String::from("Subject: core\n\ncore\n");
        for _ in 0..30 {
            messages = format!("Content-Type: message/rfc822\n\n{messages}");
        }
        let mut multiparts = String::from("core\n");
        for level in (0..60).rev() {
            multiparts = format!(
                "Content-Type: multipart/mixed; boundary=b{level}\n\n--b{level}\n\
                 {multiparts}\n--b{level}--\n"
            );
        }
        for text in [messages, multiparts] {
            let raw = crlf(&text);
            let meta = MessageMeta::parse(&raw).unwrap();
            check_ranges(&raw, meta.structure.as_ref().unwrap());
            let back = MessageMeta::from_sealable(&meta.to_sealable());
            assert_eq!(
                back, meta,
                "the sealed JSON stays within serde_json's depth"
            );
        }
    }

    #[test]
    fn tr5_debug_never_shows_subject_addresses_or_file_names() {
        let raw = crlf(&LAB_RESULTS.replace("Lab results", "Mme Zorglub"));
        let meta = MessageMeta::parse(&raw).unwrap();
        let s = meta.structure.as_ref().unwrap();
        for shown in [
            format!("{meta:?}"),
            format!("{s:?}"),
            format!("{:?}", s.envelope),
            format!("{:?}", s.envelope.from),
        ] {
            for secret in ["Zorglub", "alice", "Alice", "results.pdf", "Lab report"] {
                assert!(!shown.contains(secret), "{secret} in {shown}");
            }
        }
    }

    /// Pieces of MIME that, strung together at random, make broken and odd messages.
    const PIECES: &[&str] = &[
        "Content-Type: multipart/mixed; boundary=a\r\n",
        "Content-Type: multipart/alternative; boundary=\"b\"\r\n",
        "Content-Type: multipart/digest; boundary=a\r\n",
        "Content-Type: message/rfc822\r\n",
        "Content-Type: text/plain; charset=utf-8\r\n",
        "Content-Type: application/pdf; name=\"x.pdf\"\r\n",
        "Content-Transfer-Encoding: base64\r\n",
        "Content-Transfer-Encoding: quoted-printable\r\n",
        "Content-Disposition: attachment; filename*=utf-8''%C3%A9\r\n",
        "From: \"A, B\" <a@b.c>, G: d@e;, (c) f@g\r\n",
        "Sender:\r\n",
        "Subject: =?utf-8?q?x?=\r\n \r\n",
        "\r\n",
        "\n",
        "--a\r\n",
        "--a--\r\n",
        "--b\r\n",
        "--b--\r\n",
        "body line\r\n",
        "U3ViamVjdDogeA0KDQp5DQo=\r\n",
        "=C3=\r\n",
        "\"(<>@,;:\\",
    ];

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_and_ranges_hold(raw in proptest::collection::vec(any::<u8>(), 0..600)) {
            let meta = MessageMeta::parse(&raw).unwrap();
            check_ranges(&raw, meta.structure.as_ref().unwrap());
            prop_assert_eq!(MessageMeta::from_sealable(&meta.to_sealable()), meta);
        }

        #[test]
        fn arbitrary_mime_never_panics_and_ranges_hold(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
        ) {
            let raw = pieces.concat().into_bytes();
            let meta = MessageMeta::parse(&raw).unwrap();
            check_ranges(&raw, meta.structure.as_ref().unwrap());
            prop_assert_eq!(MessageMeta::from_sealable(&meta.to_sealable()), meta);
        }

        #[test]
        fn arbitrary_header_values_never_panic(value in "\\PC{0,80}") {
            let _ = parse_addresses(&value);
            let _ = parse_media_type(&value);
            let _ = parse_parameterised(&value);
            let _ = strip_comments(&value);
        }
    }
}
