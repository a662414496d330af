//! ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2) from the structure computed once at
//! ingest and sealed with the message, so FETCH never re-parses a body; and the
//! byte ranges of body sections (`BODY[1.2]`, `BODY[2.MIME]`, `BODY[3.HEADER]`).

use caduceus_service::ingest::{BodyStructure as Node, Envelope as Env, EnvelopeAddress};
use imap_next::imap_types::body::{
    BasicFields, Body, BodyStructure, Disposition, Language, Location, MultiPartExtensionData,
    SinglePartExtensionData, SpecificFields,
};
use imap_next::imap_types::core::{IString, NString, Vec1};
use imap_next::imap_types::envelope::{Address, Envelope};

/// A string as an IMAP string (quoted when it can be, a literal otherwise; a NUL,
/// which neither may carry, becomes a space).
fn istring(text: &str) -> IString<'static> {
    let clean = if text.contains('\0') {
        text.replace('\0', " ")
    } else {
        text.to_owned()
    };
    IString::try_from(clean).unwrap_or_else(|_| IString::try_from("").expect("empty string"))
}

fn nstring(text: Option<&str>) -> NString<'static> {
    NString(text.map(istring))
}

fn params(list: &[(String, String)]) -> Vec<(IString<'static>, IString<'static>)> {
    list.iter().map(|(k, v)| (istring(k), istring(v))).collect()
}

fn address(a: &EnvelopeAddress) -> Address<'static> {
    Address {
        name: nstring(a.name.as_deref()),
        adl: nstring(a.adl.as_deref()),
        mailbox: nstring(a.mailbox.as_deref()),
        host: nstring(a.host.as_deref()),
    }
}

/// The ENVELOPE of a message.
pub(crate) fn envelope(e: &Env) -> Envelope<'static> {
    let list = |l: &[EnvelopeAddress]| l.iter().map(address).collect();
    Envelope {
        date: nstring(e.date.as_deref()),
        subject: nstring(e.subject.as_deref()),
        from: list(&e.from),
        sender: list(&e.sender),
        reply_to: list(&e.reply_to),
        to: list(&e.to),
        cc: list(&e.cc),
        bcc: list(&e.bcc),
        in_reply_to: nstring(e.in_reply_to.as_deref()),
        message_id: nstring(e.message_id.as_deref()),
    }
}

/// The BODYSTRUCTURE of a part, with extension data when `extended` (BODY gives
/// none).
pub(crate) fn body_structure(node: &Node, extended: bool) -> BodyStructure<'static> {
    let disposition_tail = |disposition: &Option<(String, Vec<(String, String)>)>,
                            language: &[String],
                            location: &Option<String>| Disposition {
        disposition: disposition
            .as_ref()
            .map(|(value, list)| (istring(value), params(list))),
        tail: Some(Language {
            language: language.iter().map(|l| istring(l)).collect(),
            tail: Some(Location {
                location: nstring(location.as_deref()),
                extensions: vec![],
            }),
        }),
    };
    match node {
        Node::Single {
            media_type,
            media_subtype,
            params: list,
            id,
            description,
            encoding,
            size,
            lines,
            md5,
            disposition,
            language,
            location,
            message,
            ..
        } => {
            let basic = BasicFields {
                parameter_list: params(list),
                id: nstring(id.as_deref()),
                description: nstring(description.as_deref()),
                content_transfer_encoding: istring(encoding),
                size: *size,
            };
            let specific = match (message, media_type.eq_ignore_ascii_case("text")) {
                (Some(inner), _) => SpecificFields::Message {
                    envelope: Box::new(envelope(&inner.0)),
                    body_structure: Box::new(body_structure(&inner.1, extended)),
                    number_of_lines: lines.unwrap_or(0),
                },
                (None, true) => SpecificFields::Text {
                    subtype: istring(media_subtype),
                    number_of_lines: lines.unwrap_or(0),
                },
                (None, false) => SpecificFields::Basic {
                    r#type: istring(media_type),
                    subtype: istring(media_subtype),
                },
            };
            BodyStructure::Single {
                body: Body { basic, specific },
                extension_data: extended.then(|| SinglePartExtensionData {
                    md5: nstring(md5.as_deref()),
                    tail: Some(disposition_tail(disposition, language, location)),
                }),
            }
        }
        Node::Multi {
            parts,
            subtype,
            params: list,
            disposition,
            language,
            location,
            ..
        } => {
            let bodies: Vec<BodyStructure<'static>> =
                parts.iter().map(|p| body_structure(p, extended)).collect();
            BodyStructure::Multi {
                // Ingest never leaves a multipart without parts; an empty text part
                // keeps the response valid if a record ever did.
                bodies: Vec1::try_from(bodies).unwrap_or_else(|_| Vec1::from(empty_text())),
                subtype: istring(subtype),
                extension_data: extended.then(|| MultiPartExtensionData {
                    parameter_list: params(list),
                    tail: Some(disposition_tail(disposition, language, location)),
                }),
            }
        }
    }
}

/// An empty text/plain part.
fn empty_text() -> BodyStructure<'static> {
    BodyStructure::Single {
        body: Body {
            basic: BasicFields {
                parameter_list: vec![],
                id: NString(None),
                description: NString(None),
                content_transfer_encoding: istring("7BIT"),
                size: 0,
            },
            specific: SpecificFields::Text {
                subtype: istring("plain"),
                number_of_lines: 0,
            },
        },
        extension_data: None,
    }
}
