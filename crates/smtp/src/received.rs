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
        rfc5322_date(secs)
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

/// A UTC date in RFC 5322 form, e.g. `Thu, 01 Jan 1970 00:00:00 +0000`.
fn rfc5322_date(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{}, {day:02} {} {year} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Year, month (1-12), day (1-31) of a count of days since 1970-01-01 (proleptic
/// Gregorian; H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn dates_are_rfc5322() {
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(
            rfc5322_date(1_709_210_096),
            "Thu, 29 Feb 2024 12:34:56 +0000"
        );
        assert_eq!(
            rfc5322_date(4_102_444_799),
            "Thu, 31 Dec 2099 23:59:59 +0000"
        );
    }

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
