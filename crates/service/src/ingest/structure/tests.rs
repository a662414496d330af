//! ENVELOPE, addresses and part offsets; the helpers the MIME tests share.

use super::*;
use crate::ingest::MessageMeta;

/// A message written with `\n` line ends, sent with CRLF as on the wire.
pub(super) fn crlf(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

pub(super) fn structure(raw: &[u8]) -> MessageStructure {
    let meta = MessageMeta::parse(raw).unwrap();
    let structure = meta.structure.expect("every new record has a structure");
    check_ranges(raw, &structure);
    structure
}

pub(super) fn slice(raw: &[u8], (start, end): (u32, u32)) -> &str {
    std::str::from_utf8(&raw[start as usize..end as usize]).unwrap()
}

pub(super) fn addr(name: Option<&str>, mailbox: &str, host: &str) -> EnvelopeAddress {
    EnvelopeAddress {
        name: name.map(str::to_owned),
        adl: None,
        mailbox: Some(mailbox.into()),
        host: Some(host.into()),
    }
}

pub(super) fn group_start(name: &str) -> EnvelopeAddress {
    EnvelopeAddress {
        mailbox: Some(name.into()),
        ..EnvelopeAddress::default()
    }
}

pub(super) fn params(list: &[(&str, &str)]) -> Params {
    list.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The invariants the IMAP server relies on: ranges inside their parent's body and
/// ordered, siblings in order, sizes and lines counted on the very bytes, multiparts
/// never empty, `message` exactly for message/rfc822|global, depth capped.
pub(super) fn check_ranges(raw: &[u8], structure: &MessageStructure) {
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

pub(super) fn check_node(raw: &[u8], node: &BodyStructure, (lo, hi): (u32, u32), depth: usize) {
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

pub(super) const LAB_RESULTS: &str = "From: Dr Alice <alice@caduceus.test>
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
