//! FETCH: which items need the message opened, and each item's value from the
//! summary (UID, flags, size, dates, MODSEQ), the structure computed at ingest
//! (ENVELOPE, BODYSTRUCTURE) or the raw bytes (sections).

use std::num::{NonZeroU32, NonZeroU64};

use caduceus_core::Timestamp;
use std::borrow::Cow;

use caduceus_service::folders::Opening;
use caduceus_service::ingest::{BodyStructure, MessageStructure};
use caduceus_service::model::MessageSummary;
use imap_next::imap_types::core::{AString, IString, Literal, LiteralMode, NString, NString8};
use imap_next::imap_types::datetime::DateTime;
use imap_next::imap_types::extensions::binary::Literal8;
use imap_next::imap_types::fetch::{MessageDataItem, MessageDataItemName, Part, Section};
use imap_next::imap_types::flag::{Flag, FlagFetch};

/// A message's structure, computed on first use: a FETCH of whole bodies never
/// reads the metadata.
pub(crate) type Structure<'s> = std::cell::LazyCell<
    Cow<'s, MessageStructure>,
    Box<dyn FnOnce() -> Cow<'s, MessageStructure> + 's>,
>;

/// How fetching `items` opens the messages: their bodies (any body section, `.PEEK`
/// or not: each a traced read, TR-1), only their header facts (ENVELOPE,
/// BODYSTRUCTURE: traced too), or not at all (UID, FLAGS, sizes, dates, MODSEQ come
/// from the summary).
pub(crate) fn opening(items: &[MessageDataItemName<'_>]) -> Option<Opening> {
    let body = |item: &MessageDataItemName<'_>| {
        matches!(
            item,
            MessageDataItemName::BodyExt { .. }
                | MessageDataItemName::Binary { .. }
                | MessageDataItemName::BinarySize { .. }
                | MessageDataItemName::Rfc822
                | MessageDataItemName::Rfc822Header
                | MessageDataItemName::Rfc822Text
        )
    };
    let metadata = |item: &MessageDataItemName<'_>| {
        matches!(
            item,
            MessageDataItemName::Envelope
                | MessageDataItemName::BodyStructure
                | MessageDataItemName::Body
        )
    };
    // Whole messages and nothing drawn from their structure: the bodies alone.
    let whole = |item: &MessageDataItemName<'_>| match item {
        MessageDataItemName::BodyExt { section, .. } => section.is_none(),
        MessageDataItemName::Binary { section, .. }
        | MessageDataItemName::BinarySize { section } => section.is_empty(),
        MessageDataItemName::Rfc822 => true,
        _ => !body(item) && !metadata(item),
    };
    if items.iter().any(body) && items.iter().all(whole) {
        Some(Opening::ReadWhole)
    } else if items.iter().any(body) {
        Some(Opening::Read)
    } else if items.iter().any(metadata) {
        Some(Opening::Headers)
    } else {
        None
    }
}

/// Whether fetching `items` reads a body and so sets `\Seen` (RFC 9051 §6.4.5):
/// `BODY[…]` without `.PEEK`, `BINARY[…]` without `.PEEK`, `RFC822`, `RFC822.TEXT`.
pub(crate) fn reads_body(items: &[MessageDataItemName<'_>]) -> bool {
    items.iter().any(|item| match item {
        MessageDataItemName::BodyExt { peek, .. } | MessageDataItemName::Binary { peek, .. } => {
            !peek
        }
        MessageDataItemName::Rfc822 | MessageDataItemName::Rfc822Text => true,
        _ => false,
    })
}

/// The flags of a summary, as IMAP flags (stored spellings that are not valid flags
/// are left out rather than sent broken), with `\Recent` when the message is recent
/// in the session.
pub(crate) fn flags(summary: &MessageSummary, recent: bool) -> Vec<FlagFetch<'static>> {
    let mut flags: Vec<FlagFetch<'static>> = summary
        .flags
        .iter()
        .filter_map(|f| Flag::try_from(f.as_str()).ok())
        .map(imap_next::imap_types::IntoStatic::into_static)
        .map(FlagFetch::Flag)
        .collect();
    if recent {
        flags.push(FlagFetch::Recent);
    }
    flags
}

/// An instant as an IMAP date-time (UTC).
pub(crate) fn date_time(at: Timestamp) -> DateTime {
    let utc = chrono::DateTime::from_timestamp_millis(at.as_millis())
        .unwrap_or_default()
        .fixed_offset();
    // Whole seconds: the wire has no fraction, and validation wants none.
    let utc = chrono::DateTime::from_timestamp(utc.timestamp(), 0)
        .unwrap_or_default()
        .fixed_offset();
    DateTime::try_from(utc).unwrap_or_else(|_| DateTime::unvalidated(utc))
}

/// One item's value from the summary alone; `None` for items that need content.
pub(crate) fn summary_item(
    name: &MessageDataItemName<'_>,
    summary: &MessageSummary,
    uid: NonZeroU32,
    recent: bool,
) -> Option<MessageDataItem<'static>> {
    Some(match name {
        MessageDataItemName::Uid => MessageDataItem::Uid(uid),
        MessageDataItemName::Flags => MessageDataItem::Flags(flags(summary, recent)),
        MessageDataItemName::InternalDate => {
            MessageDataItem::InternalDate(date_time(summary.internal))
        }
        MessageDataItemName::Rfc822Size => {
            MessageDataItem::Rfc822Size(u32::try_from(summary.size).unwrap_or(u32::MAX))
        }
        MessageDataItemName::ModSeq => MessageDataItem::ModSeq(
            NonZeroU64::new(summary.modseq.max(1) as u64).expect("max(1) is not zero"),
        ),
        _ => return None,
    })
}

/// `data` from the partial's origin, at most its length long.
fn clip(data: Vec<u8>, partial: Option<(u32, NonZeroU32)>) -> Vec<u8> {
    match partial {
        Some((start, length)) => {
            let start = (start as usize).min(data.len());
            let end = start.saturating_add(length.get() as usize).min(data.len());
            data[start..end].to_vec()
        }
        None => data,
    }
}

/// A partial `BINARY[n]<o.l>` as its own FETCH response, with the origin
/// RFC 3516 §4.3 asks for (`BINARY[n]<o>`), which imap-types cannot write;
/// `None` for any other item. `uid`: the UID to name, for UID FETCH.
pub(crate) fn partial_binary(
    seq: u32,
    uid: Option<u32>,
    name: &MessageDataItemName<'_>,
    raw: &[u8],
    structure: &Structure<'_>,
) -> Option<Result<Vec<u8>, UnknownCte>> {
    let MessageDataItemName::Binary {
        section,
        partial: Some((origin, length)),
        ..
    } = name
    else {
        return None;
    };
    let decoded = match binary(raw, structure, section) {
        Ok(decoded) => decoded,
        Err(unknown) => return Some(Err(unknown)),
    };
    let section: Vec<String> = section.iter().map(NonZeroU32::to_string).collect();
    let mut line = format!("* {seq} FETCH (");
    if let Some(uid) = uid {
        line.push_str(&format!("UID {uid} "));
    }
    line.push_str(&format!("BINARY[{}]<{origin}> ", section.join(".")));
    let mut line = line.into_bytes();
    match decoded {
        Some(decoded) => {
            let data = clip(decoded, Some((*origin, *length)));
            line.extend_from_slice(format!("~{{{}}}\r\n", data.len()).as_bytes());
            line.extend_from_slice(&data);
        }
        None => line.extend_from_slice(b"NIL"),
    }
    line.extend_from_slice(b")\r\n");
    Some(Ok(line))
}

/// A part whose content transfer encoding the server cannot undo (BINARY, RFC 3516
/// `UNKNOWN-CTE`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct UnknownCte;

/// One item's value from the message: sections from its raw bytes, located with
/// the structure computed at ingest; ENVELOPE and BODYSTRUCTURE from that
/// structure. `None` for items not served.
pub(crate) fn content_item<'r>(
    name: &MessageDataItemName<'_>,
    raw: &'r [u8],
    structure: &Structure<'_>,
) -> Result<Option<MessageDataItem<'r>>, UnknownCte> {
    Ok(Some(match name {
        MessageDataItemName::Binary {
            section, partial, ..
        } => {
            let Some(decoded) = binary(raw, structure, section)? else {
                return Ok(Some(MessageDataItem::Binary {
                    section: section.clone(),
                    value: NString8::NString(NString(None)),
                }));
            };
            MessageDataItem::Binary {
                section: section.clone(),
                value: NString8::Literal8(Literal8 {
                    data: clip(decoded, *partial).into(),
                    mode: LiteralMode::Sync,
                }),
            }
        }
        MessageDataItemName::BinarySize { section } => MessageDataItem::BinarySize {
            section: section.clone(),
            size: binary(raw, structure, section)?.map_or(0, |d| d.len() as u32),
        },
        MessageDataItemName::BodyExt {
            section, partial, ..
        } => {
            let data = match section_bytes(raw, structure, section.as_ref()) {
                Some(bytes) => {
                    let (origin, bytes) = match partial {
                        Some((start, length)) => {
                            let start_at = (*start as usize).min(bytes.len());
                            let end = start_at
                                .saturating_add(length.get() as usize)
                                .min(bytes.len());
                            (Some(*start), Cow::Owned(bytes[start_at..end].to_vec()))
                        }
                        None => (None, bytes),
                    };
                    return Ok(Some(MessageDataItem::BodyExt {
                        section: section.clone().map(|s| to_static_section(&s)),
                        origin,
                        data: nstring(bytes),
                    }));
                }
                // A part that does not exist reads as NIL.
                None => NString(None),
            };
            MessageDataItem::BodyExt {
                section: section.clone().map(|s| to_static_section(&s)),
                origin: None,
                data,
            }
        }
        MessageDataItemName::Envelope => {
            MessageDataItem::Envelope(crate::structure::envelope(&structure.envelope))
        }
        MessageDataItemName::BodyStructure => {
            MessageDataItem::BodyStructure(crate::structure::body_structure(&structure.body, true))
        }
        MessageDataItemName::Body => {
            MessageDataItem::Body(crate::structure::body_structure(&structure.body, false))
        }
        MessageDataItemName::Rfc822 => MessageDataItem::Rfc822(nstring(Cow::Borrowed(raw))),
        MessageDataItemName::Rfc822Header => MessageDataItem::Rfc822Header(nstring(Cow::Borrowed(
            range(raw, structure.body.header()).unwrap_or_default(),
        ))),
        MessageDataItemName::Rfc822Text => MessageDataItem::Rfc822Text(nstring(Cow::Borrowed(
            range(raw, structure.body.body()).unwrap_or_default(),
        ))),
        _ => return Ok(None),
    }))
}

/// The content of a section with its transfer encoding undone (RFC 3516): the whole
/// message for `[]`, a part's body decoded from base64 or quoted-printable (7bit,
/// 8bit and binary as they are); `None` when the part does not exist.
fn binary(
    raw: &[u8],
    structure: &Structure<'_>,
    section: &[NonZeroU32],
) -> Result<Option<Vec<u8>>, UnknownCte> {
    if section.is_empty() {
        return Ok(Some(raw.to_vec()));
    }
    let numbers: Vec<u32> = section.iter().map(|n| n.get()).collect();
    let Some(part) = structure.part(&numbers) else {
        return Ok(None);
    };
    let Some(body) = range(raw, part.body()) else {
        return Ok(None);
    };
    let encoding = match part {
        BodyStructure::Single { encoding, .. } => encoding.to_ascii_lowercase(),
        BodyStructure::Multi { .. } => "7bit".to_owned(),
    };
    match encoding.as_str() {
        "7bit" | "8bit" | "binary" => Ok(Some(body.to_vec())),
        "base64" => mail_parser::decoders::base64::base64_decode(body)
            .map(Some)
            .ok_or(UnknownCte),
        "quoted-printable" => {
            mail_parser::decoders::quoted_printable::quoted_printable_decode(body)
                .map(Some)
                .ok_or(UnknownCte)
        }
        _ => Err(UnknownCte),
    }
}

/// The bytes between two offsets, if they lie within `raw`.
fn range(raw: &[u8], (start, end): (u32, u32)) -> Option<&[u8]> {
    raw.get(start as usize..end as usize)
}

fn to_static_section(section: &Section<'_>) -> Section<'static> {
    use imap_next::imap_types::IntoStatic;
    section.clone().into_static()
}

/// Bytes as a literal, borrowed when they can be sent as they are (NUL bytes, which
/// a literal may not carry, become spaces: BINARY is the way to get them).
fn nstring(bytes: Cow<'_, [u8]>) -> NString<'_> {
    let bytes = if bytes.contains(&0) {
        Cow::Owned(
            bytes
                .iter()
                .map(|&b| if b == 0 { b' ' } else { b })
                .collect(),
        )
    } else {
        bytes
    };
    // A literal may carry any byte but NUL, and none is left: the scan above is the
    // only one (`Literal::try_from` would look at every byte again).
    NString(Some(IString::Literal(Literal::unvalidated(bytes))))
}

/// Splits a message into its header (with the blank line ending it) and its body.
pub(crate) fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    for (i, window) in raw.windows(4).enumerate() {
        if window == b"\r\n\r\n" {
            return raw.split_at(i + 4);
        }
    }
    for (i, window) in raw.windows(2).enumerate() {
        if window == b"\n\n" {
            return raw.split_at(i + 2);
        }
    }
    (raw, &[])
}

/// The bytes a section names (RFC 9051 §6.4.5), located with the structure; `None`
/// when the part does not exist.
fn section_bytes<'r>(
    raw: &'r [u8],
    structure: &Structure<'_>,
    section: Option<&Section<'_>>,
) -> Option<Cow<'r, [u8]>> {
    let part = |p: &Part| {
        let numbers: Vec<u32> = p.0.as_ref().iter().map(|n| n.get()).collect();
        structure.part(&numbers)
    };
    // The header and text of the message a section's part number names: the message
    // itself without one, an encapsulated message/rfc822 with one.
    let message = |p: Option<&Part>| match p {
        None => Some(&structure.body),
        Some(p) => part(p).and_then(|node| node.message()).map(|m| &m.1),
    };
    let borrowed = |r| range(raw, r).map(Cow::Borrowed);
    match section {
        None => Some(Cow::Borrowed(raw)),
        Some(Section::Header(p)) => borrowed(message(p.as_ref())?.header()),
        Some(Section::Text(p)) => borrowed(message(p.as_ref())?.body()),
        Some(Section::HeaderFields(p, names)) => Some(Cow::Owned(header_fields(
            range(raw, message(p.as_ref())?.header())?,
            names.as_ref(),
            true,
        ))),
        Some(Section::HeaderFieldsNot(p, names)) => Some(Cow::Owned(header_fields(
            range(raw, message(p.as_ref())?.header())?,
            names.as_ref(),
            false,
        ))),
        Some(Section::Part(p)) => borrowed(part(p)?.body()),
        Some(Section::Mime(p)) => borrowed(part(p)?.header()),
    }
}

/// The header fields named in `names` (`keep`) or all others (`!keep`), each with
/// its continuation lines, followed by the blank line (RFC 9051 §6.4.5).
pub(crate) fn header_fields(header: &[u8], names: &[AString<'_>], keep: bool) -> Vec<u8> {
    let wanted: Vec<Vec<u8>> = names
        .iter()
        .map(|n| n.as_ref().to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    let mut including = false;
    for line in header.split_inclusive(|&b| b == b'\n') {
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        if !line.starts_with(b" ") && !line.starts_with(b"\t") {
            let name = line
                .split(|&b| b == b':')
                .next()
                .unwrap_or_default()
                .trim_ascii()
                .to_ascii_lowercase();
            including = wanted.contains(&name) == keep;
        }
        if including {
            out.extend_from_slice(line);
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &[u8] =
        b"From: a@x.test\r\nSubject: hello\r\n world\r\nTo: b@x.test\r\n\r\nBody\r\n";

    #[test]
    fn header_and_text_split_at_the_blank_line() {
        let (h, b) = split(RAW);
        assert!(h.ends_with(b"b@x.test\r\n\r\n"));
        assert_eq!(b, b"Body\r\n");
        assert_eq!(split(b"No body"), (&b"No body"[..], &b""[..]));
    }

    #[test]
    fn header_fields_keep_continuations_and_end_with_a_blank_line() {
        let names = [AString::try_from("SUBJECT").unwrap()];
        let (h, _) = split(RAW);
        assert_eq!(
            header_fields(h, &names, true),
            b"Subject: hello\r\n world\r\n\r\n"
        );
        assert_eq!(
            header_fields(h, &names, false),
            b"From: a@x.test\r\nTo: b@x.test\r\n\r\n"
        );
    }

    #[test]
    fn partial_fetch_is_clipped_to_the_section() {
        let name = MessageDataItemName::BodyExt {
            section: Some(Section::Text(None)),
            partial: Some((2, NonZeroU32::new(100).unwrap())),
            peek: true,
        };
        let structure: Structure = std::cell::LazyCell::new(Box::new(|| {
            Cow::Owned(
                caduceus_service::ingest::MessageMeta::parse(RAW)
                    .unwrap()
                    .structure
                    .unwrap(),
            )
        }));
        let Ok(Some(MessageDataItem::BodyExt { origin, data, .. })) =
            content_item(&name, RAW, &structure)
        else {
            panic!("a body item")
        };
        assert_eq!(origin, Some(2));
        assert_eq!(data.0.unwrap().as_ref(), b"dy\r\n");
    }

    #[test]
    fn a_body_is_sent_as_it_is_and_nul_bytes_become_spaces() {
        let clean = nstring(Cow::Borrowed(b"a\r\nb".as_slice()));
        assert_eq!(clean.0.unwrap().as_ref(), b"a\r\nb");
        let with_nul = nstring(Cow::Borrowed(b"a\0b\0".as_slice()));
        assert_eq!(with_nul.0.unwrap().as_ref(), b"a b ");
        let owned = nstring(Cow::Owned(b"x\0".to_vec()));
        assert_eq!(owned.0.unwrap().as_ref(), b"x ");
    }

    #[test]
    fn only_unpeeked_body_reads_set_seen() {
        let peek = MessageDataItemName::BodyExt {
            section: None,
            partial: None,
            peek: true,
        };
        let read = MessageDataItemName::BodyExt {
            section: None,
            partial: None,
            peek: false,
        };
        assert!(!reads_body(&[peek.clone(), MessageDataItemName::Flags]));
        assert!(reads_body(&[read]));
        assert!(reads_body(&[MessageDataItemName::Rfc822]));
        assert!(!reads_body(&[MessageDataItemName::Rfc822Header]));
        assert_eq!(
            opening(std::slice::from_ref(&peek)),
            Some(Opening::ReadWhole),
            "a peek is a read (TR-1), of the whole message"
        );
        // The metadata is unsealed only when an item is drawn from the structure.
        let header = MessageDataItemName::BodyExt {
            section: Some(Section::Header(None)),
            partial: None,
            peek: true,
        };
        assert_eq!(
            opening(&[MessageDataItemName::Rfc822, MessageDataItemName::Flags]),
            Some(Opening::ReadWhole)
        );
        assert_eq!(opening(&[peek.clone(), header]), Some(Opening::Read));
        assert_eq!(
            opening(&[peek, MessageDataItemName::Envelope]),
            Some(Opening::Read)
        );
        assert_eq!(
            opening(&[MessageDataItemName::Rfc822Header]),
            Some(Opening::Read)
        );
        assert_eq!(
            opening(&[MessageDataItemName::Flags, MessageDataItemName::Envelope]),
            Some(Opening::Headers)
        );
        assert_eq!(
            opening(&[MessageDataItemName::Uid, MessageDataItemName::Flags]),
            None
        );
    }
}
