//! MIME structure: defaults, digests, media types, malformed input, nesting, and
//! properties over arbitrary input.

use super::tests::*;
use super::*;
use crate::ingest::MessageMeta;
use proptest::prelude::*;

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
        b"Content-Type: multipart/mixed; boundary=\xff\r\n\r\n--\xff\r\n\r\nx\r\n--\xff--".to_vec(),
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
