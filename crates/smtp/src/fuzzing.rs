//! Entry points for the fuzz targets (`fuzz/`, built with the `fuzzing` feature only):
//! what the listeners do with a client's bytes, without a socket. Each panics only
//! when a property the session relies on is broken.

use smtp_proto::Request;

use crate::auth::{decode, login_text, plain};
use crate::data::{Body, stuffed};
use crate::dialogue::{mail_parameters_supported, parse_error};

/// A command line as a session reads it: parsed by `smtp-proto`, MAIL's parameters
/// checked, a syntax error turned into its reply.
pub fn command_line(line: &[u8]) {
    match Request::parse(&mut line.iter()) {
        Ok(Request::Mail { from }) => {
            let _ = mail_parameters_supported(&from.into_owned());
        }
        Ok(request) => drop(request.into_owned()),
        Err(error) => drop(parse_error(error)),
    }
}

/// A message body through the DATA reader, its first byte choosing where the bytes
/// are cut in two reads. Properties: the end of data is found exactly where the
/// stuffed copy ends (no smuggling); a message with only CRLF line ends and no NUL
/// reads back as sent (with a CRLF added when it lacked a final one); any other is
/// refused; and raw input read as a body is never kept beyond the cap.
pub fn data(input: &[u8]) {
    let Some((&cut, message)) = input.split_first() else {
        return;
    };
    let wire = stuffed(message);
    let at = wire.len() * usize::from(cut) / 255;
    let mut body = Body::new(usize::MAX);
    let end = match body.feed(&wire[..at]) {
        Some(n) => Some(n),
        None => body.feed(&wire[at..]).map(|n| at + n),
    };
    assert_eq!(
        end,
        Some(wire.len()),
        "the end of data is where stuffing put it"
    );
    let clean = !message.contains(&0) && crlf_only(message);
    match body.finish() {
        Ok(read) if clean => {
            let mut expected = message.to_vec();
            if !expected.is_empty() && !expected.ends_with(b"\r\n") {
                expected.extend_from_slice(b"\r\n");
            }
            assert_eq!(read, expected, "a clean message reads back as sent");
        }
        Ok(_) => panic!("a message with a bare CR, LF or a NUL was accepted"),
        Err(_) => assert!(!clean, "a clean message was refused"),
    }
    let cap = usize::from(cut) * 16;
    let mut raw = Body::new(cap);
    let _ = raw.feed(message);
    if raw.size() <= cap {
        let _ = raw.finish();
    } else {
        assert!(raw.finish().is_err(), "a body over the cap is refused");
    }
}

/// A SASL client response as SMTP AUTH reads it (RFC 4954 §4): `*`, `=` or base64,
/// then PLAIN's three parts (RFC 4616) and LOGIN's text. Returns the decoded bytes, for
/// the token mechanisms' parsers.
pub fn sasl_response(response: &str) -> Option<Vec<u8>> {
    let bytes = decode(response).ok()?;
    let _ = plain(&bytes);
    let _ = login_text(&bytes);
    Some(bytes.to_vec())
}

/// Whether every CR in `bytes` is followed by LF and every LF preceded by CR.
fn crlf_only(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().all(|(i, &b)| match b {
        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && bytes[i - 1] == b'\r',
        _ => true,
    })
}
