//! A message enveloped at rest to its recipient's certificate (MS-3, MS-4, issue 19):
//! the form a copy takes for a recipient who asked that the server keep nothing of
//! their mail it could read.
//!
//! As S/MIME leaves it (RFC 8551 §3.1, §3.3), the header fields that route, list and
//! thread a message stay outside (`From`, `To`, `Subject`, `Date`, `Message-ID`,
//! `X-MSS-INS`, the trace fields…); the content — its `Content-*` fields and its body
//! — becomes the inner MIME entity, which is encrypted to the recipient
//! (CMS authenticated-enveloped-data, done by whoever holds the cryptography: see the
//! service's `at_rest` module). The stored message is then
//! `application/pkcs7-mime; smime-type=authEnveloped-data`, base64, as a mail client that
//! received it encrypted would have it; the recipient's key opens it.

/// A message split for enveloping: what stays outside, what is encrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// The header fields that stay in clear (each with its line end), without the
    /// `Content-*` fields and `MIME-Version`.
    pub outer: Vec<u8>,
    /// The inner MIME entity: the `Content-*` fields, an empty line, the body.
    pub entity: Vec<u8>,
}

/// The header fields of a part that describe its content (RFC 2045 §9).
fn is_content_field(line: &[u8]) -> bool {
    let name_end = line.iter().position(|&b| b == b':');
    name_end.is_some_and(|end| {
        let name = &line[..end];
        name.len() > 8 && name[..8].eq_ignore_ascii_case(b"content-")
    })
}

/// Where a header field goes when a message is split.
enum Goes {
    Outer,
    Inner,
    /// `MIME-Version`, written afresh outside.
    Dropped,
}

fn is_mime_version(line: &[u8]) -> bool {
    line.len() > 13 && line[..13].eq_ignore_ascii_case(b"mime-version:")
}

/// Splits `raw` (an RFC 5322 message) into what stays outside and the entity to
/// encrypt. A message without a header/body separator is all header.
pub fn split(raw: &[u8]) -> Split {
    let headers = crate::header_section(raw);
    let body = raw.get(headers.len()..).unwrap_or_default();
    let mut outer = Vec::with_capacity(headers.len());
    let mut entity = Vec::with_capacity(raw.len() - headers.len() + 128);
    // Where the current field (and its continuation lines) goes.
    let mut goes = Goes::Outer;
    for line in headers.split_inclusive(|&b| b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            goes = if is_mime_version(line) {
                Goes::Dropped
            } else if is_content_field(line) {
                Goes::Inner
            } else {
                Goes::Outer
            };
        }
        match goes {
            Goes::Outer => outer.extend_from_slice(line),
            Goes::Inner => entity.extend_from_slice(line),
            Goes::Dropped => {}
        }
    }
    // The empty line that ends the header section, then the body.
    let body = body.strip_prefix(b"\r\n").unwrap_or(body);
    entity.extend_from_slice(b"\r\n");
    entity.extend_from_slice(body);
    Split { outer, entity }
}

/// The stored message: `outer`'s fields, the S/MIME content fields, and `der` (the
/// CMS authenticated-enveloped-data of the entity, RFC 8551 §3.4) in base64 lines of 76 characters.
pub fn assemble(outer: &[u8], der: &[u8]) -> Vec<u8> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(der);
    let mut message = Vec::with_capacity(outer.len() + encoded.len() * 78 / 76 + 256);
    message.extend_from_slice(outer);
    message.extend_from_slice(
        b"MIME-Version: 1.0\r\n\
          Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data; name=\"smime.p7m\"\r\n\
          Content-Disposition: attachment; filename=\"smime.p7m\"\r\n\
          Content-Transfer-Encoding: base64\r\n\r\n",
    );
    for line in encoded.as_bytes().chunks(76) {
        message.extend_from_slice(line);
        message.extend_from_slice(b"\r\n");
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &[u8] = b"Received: from a\r\n\tby b\r\n\
From: Alice <alice@caduceus.test>\r\n\
To: bruno@caduceus.test\r\n\
Subject: CR consultation\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed;\r\n boundary=\"b1\"\r\n\
X-MSS-INS: 1 84 12 76 451 089 46\r\n\
content-transfer-encoding: 7bit\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain\r\n\
\r\n\
Compte rendu\r\n\
--b1--\r\n";

    #[test]
    fn ms3_routing_fields_stay_outside_content_goes_in() {
        let split = split(MESSAGE);
        assert_eq!(
            split.outer,
            b"Received: from a\r\n\tby b\r\n\
From: Alice <alice@caduceus.test>\r\n\
To: bruno@caduceus.test\r\n\
Subject: CR consultation\r\n\
X-MSS-INS: 1 84 12 76 451 089 46\r\n"
                .to_vec()
        );
        assert_eq!(
            split.entity,
            b"Content-Type: multipart/mixed;\r\n boundary=\"b1\"\r\n\
content-transfer-encoding: 7bit\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain\r\n\
\r\n\
Compte rendu\r\n\
--b1--\r\n"
                .to_vec()
        );
    }

    #[test]
    fn ms3_a_message_without_content_fields_is_a_default_text_entity() {
        let split = split(b"From: a@b.test\r\nSubject: x\r\n\r\nBody\r\n");
        assert_eq!(split.outer, b"From: a@b.test\r\nSubject: x\r\n".to_vec());
        assert_eq!(split.entity, b"\r\nBody\r\n".to_vec());
        let split = super::split(b"From: a@b.test\r\n");
        assert_eq!(split.outer, b"From: a@b.test\r\n".to_vec());
        assert_eq!(split.entity, b"\r\n".to_vec());
    }

    #[test]
    fn ms3_the_assembled_message_is_smime_enveloped_data_in_base64_lines() {
        let der = vec![0x30u8; 200];
        let message = assemble(b"From: a@b.test\r\n", &der);
        let text = String::from_utf8(message).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("From: a@b.test\r\nMIME-Version: 1.0\r\n"));
        assert!(head.contains("smime-type=authEnveloped-data"));
        let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert!(lines.iter().all(|l| l.len() <= 76));
        use base64::Engine as _;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(lines.concat())
            .unwrap();
        assert_eq!(decoded, der);
    }
}
