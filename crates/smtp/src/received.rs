//! The `Received:` trace header put on top of each accepted message (RFC 5321
//! §4.4, with RFC 3848's `ESMTPSA`). It names the client's EHLO, this server and the
//! session; not the client's IP address, which stays in the operator's traces only.

use std::time::{SystemTime, UNIX_EPOCH};

/// Room kept in the size limit for the header: the EHLO name is cut to fit.
pub(crate) const RESERVED: usize = 512;

/// Longest EHLO name copied into the header.
const MAX_HELO: usize = 64;

/// The header, CRLF-terminated; `protocol` is `ESMTPSA` (submission, authenticated)
/// or `ESMTPS` (relay between operators, TLS).
pub(crate) fn header(
    helo: &str,
    hostname: &str,
    protocol: &str,
    session: u64,
    now: SystemTime,
) -> String {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    format!(
        "Received: from {} by {} with {} id {session:016x};\r\n\t{}\r\n",
        token(helo, MAX_HELO),
        token(hostname, 255),
        token(protocol, 16),
        caduceus_core::Timestamp::from_millis(secs.saturating_mul(1000)).rfc5322()
    )
}

/// A header-safe token: letters, digits and `.-:[]_`, at most `max` of them.
fn token(text: &str, max: usize) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || ".-:[]_".contains(*c))
        .take(max)
        .collect();
    if kept.is_empty() {
        "unknown".to_owned()
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_header_is_safe_and_fits_its_room() {
        let now = UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        let header = header("evil\r\nBcc: x@y", "mail.caduceus.test", "ESMTPSA", 7, now);
        assert_eq!(
            header,
            "Received: from evilBcc:xy by mail.caduceus.test with ESMTPSA id 0000000000000007;\r\n\tThu, 29 Feb 2024 12:34:56 +0000\r\n"
        );
        let long = "x".repeat(300);
        assert!(super::header(&long, &long, "ESMTPSA", u64::MAX, now).len() <= RESERVED);
    }
}
