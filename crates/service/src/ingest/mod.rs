//! What is computed once when a message enters, and kept sealed with it (MS-4):
//! the header facts a listing needs, so listing never re-parses or unseals bodies.
//! The IMAP issue extends this with ENVELOPE and BODYSTRUCTURE ([`structure`]), so FETCH
//! never re-parses a body either.

pub mod bounded;
pub mod structure;
pub mod xdm;

use caduceus_core::health::{Protection, ins_header, sealed};
use mail_parser::{Address, Message, MessagePart, MimeHeaders, PartType};
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
    /// `References:` ids, oldest first (conversations, MS-6); empty in records
    /// written before it was kept.
    #[serde(default)]
    pub references: Vec<String>,
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
    /// The names its IHE XDM packages give those patients ("given family"), for the
    /// subject check (MS-11): read at submission, never stored.
    #[serde(skip)]
    pub patient_names: Vec<String>,
    /// Why the patient the message concerns could not be read from an IHE XDM
    /// attachment or an `X-MSS-INS` header, if it could not (MS-9).
    #[serde(default)]
    pub xdm_error: Option<String>,
    /// The message as a whole is S/MIME enveloped: the server cannot read its body
    /// (MS-3; what each rule does with it: [`caduceus_core::health::sealed`]).
    #[serde(default)]
    pub enveloped: bool,
    /// A part named as an IHE XDM package is enveloped: the patient it concerns
    /// cannot be read from it (MS-9).
    #[serde(default)]
    pub enveloped_xdm: bool,
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

/// The patients a message concerns (MS-9), and why one could not be read, gathered from
/// the message and every message it encapsulates at any depth and encoding
/// ([`bounded::parse_visiting`] visits each). One [`xdm::Reader`] bounds the
/// decompression of the whole message; a part is opened as a zip only when it looks
/// like one ([`xdm::candidate`]).
#[derive(Default)]
struct Concerned {
    /// INS, sorted, once each.
    patients: Vec<String>,
    /// The last reason a patient could not be read.
    error: Option<String>,
    /// A part named as an XDM package is enveloped (MS-9).
    enveloped_xdm: bool,
    /// The decompression budget of the message's XDM packages.
    reader: xdm::Reader,
}

impl Concerned {
    /// Reads the `X-MSS-INS` headers and the XDM packages of one message (not of the
    /// messages inside it: those are visited on their own).
    fn visit(&mut self, message: &Message<'_>) {
        for value in message.header_values(ins_header::HEADER) {
            match value.as_text().map(ins_header::parse_ins_header) {
                Some(Ok(found)) => self.add(&found),
                Some(Err(error)) => self.error = Some(error),
                None => self.error = Some(format!("the {} header is empty", ins_header::HEADER)),
            }
        }
        for part in &message.parts {
            if protection(part) == Protection::Enveloped
                && part.attachment_name().is_some_and(sealed::is_xdm_name)
            {
                self.enveloped_xdm = true;
            }
            if !matches!(part.body, PartType::Message(_) | PartType::Multipart(_))
                && !is_message(part)
            {
                self.read_zip(part);
            }
        }
    }

    /// Reads `part` as an XDM package if it looks like a zip.
    fn read_zip(&mut self, part: &MessagePart<'_>) {
        let content_type = part
            .content_type()
            .map(|c| (c.ctype(), c.subtype().unwrap_or_default()));
        let Some(candidate) = xdm::candidate(part.attachment_name(), content_type, part.contents())
        else {
            return;
        };
        match self.reader.patients(part.contents(), candidate) {
            Ok(Some(found)) => self.add(&found),
            Ok(None) => {}
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    fn add(&mut self, found: &[caduceus_core::Ins]) {
        self.patients
            .extend(found.iter().map(|i| i.expose().to_owned()));
    }
}

/// The S/MIME protection of `part` (MS-3), from its `Content-Type`.
fn protection(part: &MessagePart<'_>) -> Protection {
    part.content_type().map_or(Protection::Clear, |c| {
        Protection::of(
            c.ctype(),
            c.subtype().unwrap_or_default(),
            c.attribute("smime-type"),
            part.attachment_name(),
        )
    })
}

/// Whether a part is typed as an encapsulated message (`message/rfc822`, `message/global`).
fn is_message(part: &MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|c| {
        c.ctype().eq_ignore_ascii_case("message")
            && c.subtype().is_some_and(|s| {
                s.eq_ignore_ascii_case("rfc822") || s.eq_ignore_ascii_case("global")
            })
    })
}

impl MessageMeta {
    /// Parses the header facts and the IMAP structure of a raw RFC 5322 message.
    /// Bytes that do not parse give an empty record with `parsed: false` (and an
    /// opaque structure); they are still stored as received. Fails only for a message
    /// nested deeper than [`MAX_NESTING`], which is refused whole (MS-13).
    pub fn parse(raw: &[u8]) -> Result<MessageMeta, NestedTooDeep> {
        let mut concerned = Concerned::default();
        let Some(message) = bounded::parse_visiting(raw, |m| concerned.visit(m))? else {
            return Ok(MessageMeta {
                structure: Some(MessageStructure::opaque(raw)),
                ..MessageMeta::default()
            });
        };
        let Concerned {
            mut patients,
            error: xdm_error,
            enveloped_xdm,
            reader,
        } = concerned;
        let patient_names = reader.into_names();
        patients.sort_unstable();
        patients.dedup();
        let ids = |value: &mail_parser::HeaderValue<'_>| match value {
            mail_parser::HeaderValue::Text(id) => vec![id.to_string()],
            mail_parser::HeaderValue::TextList(ids) => ids.iter().map(|s| s.to_string()).collect(),
            _ => Vec::new(),
        };
        let in_reply_to = ids(message.in_reply_to());
        let references = ids(message.references());
        Ok(MessageMeta {
            subject: message.subject().map(str::to_owned),
            from: addresses(message.from()),
            to: addresses(message.to()),
            cc: addresses(message.cc()),
            date: message.date().map(|d| d.to_rfc3339()),
            message_id: message.message_id().map(str::to_owned),
            in_reply_to,
            references,
            attachments: message.attachment_count(),
            parsed: true,
            structure: Some(MessageStructure::of(&message, raw)),
            mss_mes: message
                .header("X-MSS-MES")
                .and_then(|v| v.as_text())
                .map(|v| v.trim().to_owned()),
            patients,
            patient_names,
            xdm_error,
            enveloped: message
                .parts
                .first()
                .is_some_and(|root| protection(root) == Protection::Enveloped),
            enveloped_xdm,
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

    /// Only the structure of what [`MessageMeta::to_sealable`] wrote: the other
    /// fields are skipped, not built (an IMAP listing of a folder reads this for
    /// every message). `None` for a record without one, or unreadable.
    pub fn structure_from_sealable(bytes: &[u8]) -> Option<MessageStructure> {
        #[derive(Deserialize)]
        struct StructureOnly {
            #[serde(default)]
            structure: Option<MessageStructure>,
        }
        serde_json::from_slice::<StructureOnly>(bytes)
            .ok()
            .and_then(|record| record.structure)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_facts_are_parsed_once() {
        let raw = b"From: Dr Alice <alice@caduceus.test>\r\nTo: bob@caduceus.test, carol@caduceus.test\r\n\
Subject: =?utf-8?q?R=C3=A9sultat?=\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <m1@caduceus.test>\r\n\
In-Reply-To: <m0@caduceus.test>\r\nReferences: <r0@caduceus.test> <m0@caduceus.test>\r\n\r\nbody\r\n";
        let meta = MessageMeta::parse(raw).unwrap();
        assert!(meta.parsed);
        assert_eq!(meta.subject.as_deref(), Some("Résultat"));
        assert_eq!(meta.from[0].name.as_deref(), Some("Dr Alice"));
        assert_eq!(meta.to.len(), 2);
        assert_eq!(meta.message_id.as_deref(), Some("m1@caduceus.test"));
        assert_eq!(meta.in_reply_to, ["m0@caduceus.test"]);
        assert_eq!(meta.references, ["r0@caduceus.test", "m0@caduceus.test"]);
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
    fn ms18_a_listing_reads_the_structure_alone_as_the_whole_record_has_it() {
        let raw = b"From: \"Dr, Alice\" <alice@caduceus.test>\r\nTo: undisclosed:;\r\n\
Subject: =?utf-8?q?R=C3=A9sultat?=\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n\
--b\r\nContent-Type: application/pdf; name=r.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n--b--\r\n";
        let record = meta_bytes(raw);
        let whole = MessageMeta::from_sealable(&record).structure;
        assert!(whole.is_some());
        assert_eq!(MessageMeta::structure_from_sealable(&record), whole);
        // A record of another format, or without a structure: none, as before.
        assert_eq!(MessageMeta::structure_from_sealable(b"not json"), None);
        assert_eq!(
            MessageMeta::structure_from_sealable(b"{\"parsed\":false}"),
            None
        );
    }

    #[test]
    fn tr5_debug_never_shows_the_subject() {
        let meta = MessageMeta::parse(b"Subject: Mme Zorglub\r\n\r\nx").unwrap();
        assert!(!format!("{meta:?}").contains("Zorglub"));
    }

    use super::xdm::tests::{metadata, xdm_zip};

    const OPPOSED: &str = "295109912611193";
    const OTHER: &str = "184127645108946";

    fn package(ins: &str) -> Vec<u8> {
        let xml = metadata(&[&format!("{ins}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO")]);
        xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", xml.as_bytes()),
            ("IHE_XDM/SUBSET01/DOC0001.PDF", b"%PDF-1.4"),
        ])
    }

    /// Base64 in lines of 76 characters.
    fn base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for (i, chunk) in bytes.chunks(3).enumerate() {
            let n =
                chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
            for k in 0..4 {
                out.push(if k <= chunk.len() {
                    char::from(ALPHABET[(n >> (18 - 6 * k)) as usize & 63])
                } else {
                    '='
                });
            }
            if i % 19 == 18 {
                out.push_str("\r\n");
            }
        }
        out
    }

    /// A message with `headers`, a text part and, when given, an attachment with
    /// `attachment_headers` and `contents` (base64-encoded).
    fn mail(headers: &str, attachment: Option<(&str, &[u8])>) -> Vec<u8> {
        let mut raw = format!(
            "From: a@caduceus.test\r\nTo: b@caduceus.test\r\nSubject: Avis\r\n{headers}\
Content-Type: multipart/mixed; boundary=\"b{}\"\r\n\r\n--b{0}\r\n\
Content-Type: text/plain\r\n\r\nCi-joint.\r\n",
            headers.len()
        );
        if let Some((attachment_headers, contents)) = attachment {
            raw.push_str(&format!(
                "--b{}\r\n{attachment_headers}Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                headers.len(),
                base64(contents)
            ));
        }
        raw.push_str(&format!("--b{}--\r\n", headers.len()));
        raw.into_bytes()
    }

    /// `inner` forwarded in a `message/rfc822` part, base64-encoded or not.
    fn forward(inner: &[u8], encoded: bool) -> Vec<u8> {
        let mut raw = b"From: c@caduceus.test\r\nTo: d@caduceus.test\r\nSubject: Fwd\r\n\
Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n--fwd\r\nContent-Type: text/plain\r\n\r\nVoir.\r\n\
--fwd\r\nContent-Type: message/rfc822\r\n"
            .to_vec();
        if encoded {
            raw.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
            raw.extend_from_slice(base64(inner).as_bytes());
        } else {
            raw.extend_from_slice(b"\r\n");
            raw.extend_from_slice(inner);
        }
        raw.extend_from_slice(b"\r\n--fwd--\r\n");
        raw
    }

    fn concerned(raw: &[u8]) -> (Vec<String>, Option<String>) {
        let meta = MessageMeta::parse(raw).unwrap();
        (meta.patients, meta.xdm_error)
    }

    #[test]
    fn ms9_every_submission_set_of_an_attached_package_is_read() {
        let cx = |ins: &str| format!("{ins}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO");
        let (first, second) = (metadata(&[&cx(OTHER)]), metadata(&[&cx(OPPOSED)]));
        let package = xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", first.as_bytes()),
            ("IHE_XDM/SUBSET02/METADATA.XML", second.as_bytes()),
        ]);
        let raw = mail(
            "",
            Some((
                "Content-Type: application/zip; name=\"IHE_XDM.zip\"\r\n",
                &package,
            )),
        );
        assert_eq!(
            concerned(&raw),
            (vec![OTHER.to_owned(), OPPOSED.to_owned()], None)
        );
    }

    #[test]
    fn ms9_the_patients_of_every_forwarded_message_are_read() {
        let xdm_attachment = "Content-Type: application/zip; name=\"IHE_XDM.zip\"\r\n";
        let with_header = mail(&format!("X-MSS-INS: {OPPOSED}\r\n"), None);
        let with_package = mail("", Some((xdm_attachment, &package(OPPOSED))));
        for inner in [&with_header, &with_package] {
            assert_eq!(concerned(inner), (vec![OPPOSED.to_owned()], None));
            // Forwarded once, twice, encoded or not, mixed.
            for raw in [
                forward(inner, false),
                forward(inner, true),
                forward(&forward(inner, false), true),
                forward(&forward(&forward(inner, true), false), true),
            ] {
                assert_eq!(concerned(&raw), (vec![OPPOSED.to_owned()], None));
            }
        }
        // Patients of the forwarding message and of the forwarded one together.
        let outer = String::from_utf8(forward(&with_package, true)).unwrap();
        let outer = format!("X-MSS-INS: {OTHER}\r\n{outer}");
        assert_eq!(
            concerned(outer.as_bytes()).0,
            [OTHER.to_owned(), OPPOSED.to_owned()]
        );
    }

    #[test]
    fn ms9_messages_encoded_deeper_than_mail_parser_reads_are_opened_again() {
        // mail-parser parses three levels of encoded messages; the fourth and fifth
        // stay bytes, parsed again here.
        let mut raw = mail(&format!("X-MSS-INS: {OPPOSED}\r\n"), None);
        for _ in 0..5 {
            raw = forward(&raw, true);
        }
        let tree = bounded::parse(&raw).unwrap().unwrap();
        assert!(
            !tree.nesting_exceeds(4),
            "mail-parser stops before the last"
        );
        assert_eq!(concerned(&raw), (vec![OPPOSED.to_owned()], None));
    }

    #[test]
    fn ms9_an_unreadable_patient_in_a_forwarded_message_is_an_error() {
        let bad_header = mail("X-MSS-INS: 295109912611194\r\n", None);
        let bad_package = mail(
            "",
            Some((
                "Content-Type: application/zip; name=\"IHE_XDM.zip\"\r\n",
                b"not a zip",
            )),
        );
        for inner in [bad_header, bad_package] {
            let (_, error) = concerned(&forward(&forward(&inner, true), false));
            assert!(error.is_some(), "{}", String::from_utf8_lossy(&inner));
        }
    }

    #[test]
    fn ms9_a_zip_of_another_name_holding_xdm_metadata_is_read() {
        let package = package(OPPOSED);
        for attachment_headers in [
            "Content-Type: application/octet-stream; name=\"dossier.zip\"\r\n",
            "Content-Type: application/octet-stream\r\n\
Content-Disposition: attachment; filename=\"DOSSIER.ZIP\"\r\n",
            "Content-Type: application/zip\r\n",
            "Content-Type: application/x-zip-compressed; name=\"dossier.bin\"\r\n",
            // Only the signature says it is a zip.
            "Content-Type: application/octet-stream; name=\"dossier.dat\"\r\n",
            "Content-Type: image/png\r\n",
        ] {
            let raw = mail("", Some((attachment_headers, &package)));
            assert_eq!(
                concerned(&raw),
                (vec![OPPOSED.to_owned()], None),
                "{attachment_headers}"
            );
        }
        // A real IHE_XDM.zip that is unreadable is still an error.
        let raw = mail(
            "",
            Some((
                "Content-Type: application/zip; name=\"IHE_XDM.zip\"\r\n",
                &xdm_zip(&[("a.pdf", b"%PDF")]),
            )),
        );
        assert!(concerned(&raw).1.is_some());
    }

    #[test]
    fn ms9_ordinary_mail_and_zips_without_xdm_concern_no_patient() {
        let plain_zip = xdm_zip(&[("rapport.pdf", b"%PDF-1.4")]);
        for raw in [
            mail("", None),
            mail(
                "",
                Some((
                    "Content-Type: application/zip; name=\"photos.zip\"\r\n",
                    &plain_zip,
                )),
            ),
            mail(
                "",
                Some((
                    "Content-Type: application/zip; name=\"x.zip\"\r\n",
                    b"not a zip",
                )),
            ),
            mail(
                "",
                Some((
                    "Content-Type: application/pdf; name=\"cr.pdf\"\r\n",
                    b"%PDF-1.4",
                )),
            ),
            forward(&mail("", None), true),
        ] {
            assert_eq!(concerned(&raw), (Vec::<String>::new(), None));
        }
    }
}
