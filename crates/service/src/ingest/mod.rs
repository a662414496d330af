//! What is computed once when a message enters, and kept sealed with it (MS-4):
//! the header facts a listing needs, so listing never re-parses or unseals bodies.
//! The IMAP issue extends this with ENVELOPE and BODYSTRUCTURE ([`structure`]), so FETCH
//! never re-parses a body either.

pub mod bounded;
pub mod structure;
pub mod xdm;

use caduceus_core::health::ins_header;
use mail_parser::{Address, MimeHeaders};
use serde::{Deserialize, Serialize};

pub use bounded::{MAX_NESTING, NestedTooDeep};
pub use structure::{BodyStructure, Envelope, EnvelopeAddress, MessageStructure};

/// One address of a header: display name and mailbox.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaAddress {
    /// Display name, if any.
    pub name: Option<String>,
    /// The mailbox address, if any.
    pub address: Option<String>,
}

/// Header facts of a message. Holds the subject: it is only ever stored sealed and
/// must never be logged or traced (TR-5).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageMeta {
    /// `Subject:`, decoded.
    pub subject: Option<String>,
    /// `From:`.
    pub from: Vec<MetaAddress>,
    /// `To:`.
    pub to: Vec<MetaAddress>,
    /// `Cc:`.
    pub cc: Vec<MetaAddress>,
    /// `Date:` as RFC 3339, when it parses.
    pub date: Option<String>,
    /// `Message-ID:` without angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To:` ids.
    pub in_reply_to: Vec<String>,
    /// Number of attachments.
    pub attachments: usize,
    /// Whether the bytes parsed as a message at all.
    pub parsed: bool,
    /// ENVELOPE, BODYSTRUCTURE and part offsets for IMAP. `None` only in records
    /// written before it existed (the IMAP server then parses the body); bytes that are
    /// not a message get an empty envelope and one text/plain part.
    #[serde(default)]
    pub structure: Option<MessageStructure>,
    /// The MSSanté `X-MSS-MES` header (`FIN` ends an exchange with a patient, MS-8).
    #[serde(default)]
    pub mss_mes: Option<String>,
    /// The INS of the patients its IHE XDM attachments and `X-MSS-INS` headers are
    /// about (MS-9). Patient identity: only ever stored sealed, never logged or traced.
    #[serde(default)]
    pub patients: Vec<String>,
    /// Why the patient the message concerns could not be read from an IHE XDM
    /// attachment or an `X-MSS-INS` header, if it could not (MS-9).
    #[serde(default)]
    pub xdm_error: Option<String>,
    /// Where the sender asks a disposition notification to go
    /// (`Disposition-Notification-To`, RFC 8098).
    #[serde(default)]
    pub disposition_notification_to: Option<String>,
    /// An automatic message (`Auto-Submitted` other than `no`, or a report): never
    /// answered with a notification.
    #[serde(default)]
    pub automatic: bool,
}

impl std::fmt::Debug for MessageMeta {
    /// Prints counts only, never the subject or addresses (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageMeta")
            .field("attachments", &self.attachments)
            .field("parsed", &self.parsed)
            .field("structure", &self.structure.as_ref().map(|s| &s.body))
            .finish_non_exhaustive()
    }
}

fn addresses(address: Option<&Address<'_>>) -> Vec<MetaAddress> {
    address
        .map(|a| {
            a.iter()
                .map(|addr| MetaAddress {
                    name: addr.name().map(str::to_owned),
                    address: addr.address().map(str::to_owned),
                })
                .collect()
        })
        .unwrap_or_default()
}

impl MessageMeta {
    /// Parses the header facts and the IMAP structure of a raw RFC 5322 message.
    /// Bytes that do not parse give an empty record with `parsed: false` (and an
    /// opaque structure); they are still stored as received. Fails only for a message
    /// nested deeper than [`MAX_NESTING`], which is refused whole (MS-13).
    pub fn parse(raw: &[u8]) -> Result<MessageMeta, NestedTooDeep> {
        let Some(message) = bounded::parse(raw)? else {
            return Ok(MessageMeta {
                structure: Some(MessageStructure::opaque(raw)),
                ..MessageMeta::default()
            });
        };
        let mut patients = Vec::new();
        let mut xdm_error = None;
        for part in message.attachments() {
            if part.attachment_name().is_some_and(xdm::is_xdm) {
                match xdm::patients_in_xdm(part.contents()) {
                    Ok(found) => patients.extend(found.iter().map(|i| i.expose().to_owned())),
                    Err(error) => xdm_error = Some(error.to_string()),
                }
            }
        }
        for value in message.header_values(ins_header::HEADER) {
            match value.as_text().map(ins_header::parse_ins_header) {
                Some(Ok(found)) => patients.extend(found.iter().map(|i| i.expose().to_owned())),
                Some(Err(error)) => xdm_error = Some(error),
                None => xdm_error = Some(format!("the {} header is empty", ins_header::HEADER)),
            }
        }
        patients.sort_unstable();
        patients.dedup();
        let in_reply_to = match message.in_reply_to() {
            mail_parser::HeaderValue::Text(id) => vec![id.to_string()],
            mail_parser::HeaderValue::TextList(ids) => ids.iter().map(|s| s.to_string()).collect(),
            _ => Vec::new(),
        };
        Ok(MessageMeta {
            subject: message.subject().map(str::to_owned),
            from: addresses(message.from()),
            to: addresses(message.to()),
            cc: addresses(message.cc()),
            date: message.date().map(|d| d.to_rfc3339()),
            message_id: message.message_id().map(str::to_owned),
            in_reply_to,
            attachments: message.attachment_count(),
            parsed: true,
            structure: Some(MessageStructure::of(&message, raw)),
            mss_mes: message
                .header("X-MSS-MES")
                .and_then(|v| v.as_text())
                .map(|v| v.trim().to_owned()),
            patients,
            xdm_error,
            disposition_notification_to: message
                .header("Disposition-Notification-To")
                .and_then(|v| match v {
                    mail_parser::HeaderValue::Address(a) => a.first().and_then(|a| a.address()),
                    mail_parser::HeaderValue::Text(t) => Some(t.as_ref()),
                    _ => None,
                })
                .map(|a| a.trim().trim_matches(['<', '>']).to_owned()),
            automatic: message
                .header("Auto-Submitted")
                .and_then(|v| v.as_text())
                .is_some_and(|v| !v.trim().eq_ignore_ascii_case("no"))
                || message.content_type().is_some_and(|c| {
                    c.ctype().eq_ignore_ascii_case("multipart")
                        && c.subtype()
                            .is_some_and(|s| s.eq_ignore_ascii_case("report"))
                }),
        })
    }

    /// The bytes stored (sealed) beside the body.
    pub fn to_sealable(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("metadata always serialises")
    }

    /// Reads back what [`MessageMeta::to_sealable`] wrote; an unreadable record (from
    /// an older format) gives an empty one rather than failing the read.
    pub fn from_sealable(bytes: &[u8]) -> MessageMeta {
        serde_json::from_slice(bytes).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_facts_are_parsed_once() {
        let raw = b"From: Dr Alice <alice@caduceus.test>\r\nTo: bob@caduceus.test, carol@caduceus.test\r\n\
Subject: =?utf-8?q?R=C3=A9sultat?=\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <m1@caduceus.test>\r\n\
In-Reply-To: <m0@caduceus.test>\r\n\r\nbody\r\n";
        let meta = MessageMeta::parse(raw).unwrap();
        assert!(meta.parsed);
        assert_eq!(meta.subject.as_deref(), Some("Résultat"));
        assert_eq!(meta.from[0].name.as_deref(), Some("Dr Alice"));
        assert_eq!(meta.to.len(), 2);
        assert_eq!(meta.message_id.as_deref(), Some("m1@caduceus.test"));
        assert_eq!(meta.in_reply_to, ["m0@caduceus.test"]);
        assert!(meta.date.unwrap().starts_with("2026-11-23T10:00:00"));
        assert_eq!(
            MessageMeta::from_sealable(&meta_bytes(raw))
                .subject
                .as_deref(),
            Some("Résultat")
        );
    }

    fn meta_bytes(raw: &[u8]) -> Vec<u8> {
        MessageMeta::parse(raw).unwrap().to_sealable()
    }

    #[test]
    fn tr5_debug_never_shows_the_subject() {
        let meta = MessageMeta::parse(b"Subject: Mme Zorglub\r\n\r\nx").unwrap();
        assert!(!format!("{meta:?}").contains("Zorglub"));
    }
}
