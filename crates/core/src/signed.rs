//! S/MIME `multipart/signed` (RFC 8551 §3.5.3) around a message the service writes,
//! for the proof a sender can show (MS-16, seed 004 §8): its header fields stay on
//! top, its content (`Content-Type` and body) becomes the signed part, and the
//! detached CMS signature over exactly those bytes the second part. Pure: the
//! signature is computed by whoever holds the operator's key.

use base64::Engine;

/// The two halves of a message the service wrote: its header fields but the MIME
/// ones, and its content as a MIME entity (the `Content-*` fields, the empty line,
/// the body), without the CRLF that ends it.
fn split(message: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let head_end = message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(message.len(), |i| i + 2);
    let (head, body) = message.split_at(head_end);
    let (mut outer, mut entity) = (Vec::new(), Vec::new());
    let mut in_content = false;
    for line in head.split_inclusive(|&b| b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            let name = line.split(|&b| b == b':').next().unwrap_or_default();
            in_content = name.len() > 8 && name[..8].eq_ignore_ascii_case(b"content-");
            if name.eq_ignore_ascii_case(b"mime-version") {
                continue;
            }
        }
        if in_content {
            entity.extend_from_slice(line);
        } else if !(continuation && outer.is_empty()) {
            outer.extend_from_slice(line);
        }
    }
    entity.extend_from_slice(body);
    if entity.ends_with(b"\r\n") {
        entity.truncate(entity.len() - 2);
    }
    (outer, entity)
}

/// `message` (CRLF lines, written by the service) as `multipart/signed`: `sign`
/// gets the exact bytes of the signed part and returns the detached DER CMS
/// `SignedData` over them (or its error, returned); `boundary` must not occur in the
/// message.
pub fn multipart_signed<E>(
    message: &[u8],
    boundary: &str,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, E>,
) -> Result<Vec<u8>, E> {
    let (outer, entity) = split(message);
    let signature = sign(&entity)?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(signature);
    let mut out = outer;
    out.extend_from_slice(
        format!(
            "MIME-Version: 1.0\r\n\
             Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n\
             \tmicalg=sha-256; boundary=\"{boundary}\"\r\n\
             \r\n\
             This is an S/MIME signed message.\r\n\
             --{boundary}\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(&entity);
    out.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\n\
             Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-Disposition: attachment; filename=\"smime.p7s\"\r\n\
             \r\n"
        )
        .as_bytes(),
    );
    for line in encoded.as_bytes().chunks(76) {
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms16_the_signed_part_is_the_content_and_the_header_fields_stay_on_top() {
        let message = b"From: <mailer-daemon@caduceus.test>\r\nSubject: Relaye\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\
\tboundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nOK\r\n--r--\r\n";
        let mut signed_part = Vec::new();
        let out = multipart_signed(message, "s", |part| {
            signed_part = part.to_vec();
            Ok::<_, ()>(b"sig".to_vec())
        })
        .unwrap();
        assert_eq!(
            signed_part,
            b"Content-Type: multipart/report; report-type=delivery-status;\r\n\
\tboundary=\"r\"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nOK\r\n--r--"
        );
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with(
            "From: <mailer-daemon@caduceus.test>\r\nSubject: Relaye\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/signed;"
        ));
        // The signed bytes stand between the first delimiter and the CRLF of the next.
        let signed = String::from_utf8(signed_part).unwrap();
        assert!(out.contains(&format!("\r\n--s\r\n{signed}\r\n--s\r\n")));
        assert!(out.contains("\r\n\r\nc2ln\r\n--s--\r\n"));
        assert_eq!(out.matches("MIME-Version").count(), 1);
    }
}
