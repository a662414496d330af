//! Dates as the user reads them (MS-6): a message's own `Date:` (else its arrival), in
//! the user's time zone (the `tz` cookie, set on the settings page; Europe/Paris by
//! default) and language — the time alone for today ("14:05"), the day otherwise
//! ("4 déc.", "4 déc. 2025"), in full on the message page ("vendredi 4 décembre 2026
//! à 19:53").

use axum::http::HeaderMap;
use caduceus_core::Timestamp;
use caduceus_core::local_time::{Zone, parse_rfc3339};

use super::i18n::Texts;

/// The cookie holding the user's time zone (an IANA name).
pub const ZONE_COOKIE: &str = "tz";

/// The user's time zone: the cookie's, else Europe/Paris.
pub fn zone_of(headers: &HeaderMap) -> Zone {
    super::cookie(headers, ZONE_COOKIE)
        .and_then(|name| Zone::parse(&name))
        .unwrap_or_default()
}

/// When a message was written: its `Date:` (RFC 3339, as computed at ingest) when it
/// parses, else its arrival.
pub fn written(date: Option<&str>, arrival: Timestamp) -> Timestamp {
    date.and_then(parse_rfc3339).unwrap_or(arrival)
}

/// The date of a list's row: the time for today, else the day (and the year when it
/// is not this one's).
pub fn short(t: &Texts, zone: Zone, at: Timestamp, now: Timestamp) -> String {
    let (here, today) = (zone.local(at), zone.local(now));
    if here.same_day(&today) {
        return format!("{:02}:{:02}", here.hour, here.minute);
    }
    let day = format!(
        "{} {}",
        here.day,
        t.months_short[usize::from(here.month) - 1]
    );
    if here.year == today.year {
        day
    } else {
        format!("{day} {}", here.year)
    }
}

/// The date in full: weekday, day, month, year and time.
pub fn full(t: &Texts, zone: Zone, at: Timestamp) -> String {
    let here = zone.local(at);
    format!(
        "{} {} {} {} {} {:02}:{:02}",
        t.weekdays[usize::from(here.weekday)],
        here.day,
        t.months[usize::from(here.month) - 1],
        here.year,
        t.at,
        here.hour,
        here.minute
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webmail::i18n::{EN, FR};

    #[test]
    fn ms6_dates_read_in_the_users_zone_and_language() {
        let sent = parse_rfc3339("2026-12-04T18:53:01+00:00").unwrap();
        let same_evening = parse_rfc3339("2026-12-04T22:00:00Z").unwrap();
        let next_week = parse_rfc3339("2026-12-11T09:00:00Z").unwrap();
        let next_year = parse_rfc3339("2027-01-05T09:00:00Z").unwrap();
        assert_eq!(short(&FR, Zone::Paris, sent, same_evening), "19:53");
        assert_eq!(short(&FR, Zone::Paris, sent, next_week), "4 déc.");
        assert_eq!(short(&EN, Zone::Paris, sent, next_year), "4 Dec 2026");
        // In Nouméa it was already the 5th, at 05:53, and "now" is the 5th too.
        assert_eq!(short(&FR, Zone::Noumea, sent, same_evening), "05:53");
        assert_eq!(short(&FR, Zone::Noumea, sent, next_week), "5 déc.");
        assert_eq!(
            full(&FR, Zone::Paris, sent),
            "vendredi 4 décembre 2026 à 19:53"
        );
        assert_eq!(
            full(&EN, Zone::Utc, sent),
            "Friday 4 December 2026 at 18:53"
        );
        let arrival = Timestamp::from_millis(0);
        assert_eq!(written(Some("2026-12-04T18:53:01+00:00"), arrival), sent);
        assert_eq!(written(Some("not a date"), arrival), arrival);
        assert_eq!(written(None, arrival), arrival);
    }
}
