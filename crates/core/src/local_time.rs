//! Times as people read them (MS-6): an instant in one of the time zones of France
//! (Europe/Paris, the overseas departments and territories) or UTC, with its calendar
//! fields. Pure: the zone's rules are written here, so no time zone database is read
//! (Europe/Paris follows the EU rule since 1996: summer time, UTC+2, from the last
//! Sunday of March to the last Sunday of October at 01:00 UTC; the overseas zones
//! keep one offset all year).

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, UtcOffset, Weekday};

use crate::Timestamp;

/// A time zone a user may choose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Zone {
    /// Metropolitan France (Europe/Paris): UTC+1, UTC+2 in summer.
    #[default]
    Paris,
    /// Guadeloupe (America/Guadeloupe): UTC−4.
    Guadeloupe,
    /// Martinique (America/Martinique): UTC−4.
    Martinique,
    /// French Guiana (America/Cayenne): UTC−3.
    Guyane,
    /// La Réunion (Indian/Reunion): UTC+4.
    Reunion,
    /// Mayotte (Indian/Mayotte): UTC+3.
    Mayotte,
    /// New Caledonia (Pacific/Noumea): UTC+11.
    Noumea,
    /// French Polynesia, Tahiti (Pacific/Tahiti): UTC−10.
    Tahiti,
    /// Coordinated Universal Time.
    Utc,
}

/// An instant in a zone: the calendar fields a page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    /// The year.
    pub year: i32,
    /// The month, 1 to 12.
    pub month: u8,
    /// The day of the month, 1 to 31.
    pub day: u8,
    /// The day of the week, 0 for Monday to 6 for Sunday.
    pub weekday: u8,
    /// The hour, 0 to 23.
    pub hour: u8,
    /// The minute, 0 to 59.
    pub minute: u8,
}

impl LocalTime {
    /// Whether both fall on the same calendar day.
    pub fn same_day(&self, other: &LocalTime) -> bool {
        (self.year, self.month, self.day) == (other.year, other.month, other.day)
    }
}

impl Zone {
    /// Every zone, in the order a settings page offers them.
    pub const ALL: [Zone; 9] = [
        Zone::Paris,
        Zone::Guadeloupe,
        Zone::Martinique,
        Zone::Guyane,
        Zone::Reunion,
        Zone::Mayotte,
        Zone::Noumea,
        Zone::Tahiti,
        Zone::Utc,
    ];

    /// Its IANA name (`Europe/Paris`…).
    pub fn name(self) -> &'static str {
        match self {
            Zone::Paris => "Europe/Paris",
            Zone::Guadeloupe => "America/Guadeloupe",
            Zone::Martinique => "America/Martinique",
            Zone::Guyane => "America/Cayenne",
            Zone::Reunion => "Indian/Reunion",
            Zone::Mayotte => "Indian/Mayotte",
            Zone::Noumea => "Pacific/Noumea",
            Zone::Tahiti => "Pacific/Tahiti",
            Zone::Utc => "UTC",
        }
    }

    /// The zone of IANA name `name`, if offered.
    pub fn parse(name: &str) -> Option<Zone> {
        Zone::ALL.into_iter().find(|z| z.name() == name)
    }

    /// Its offset from UTC at `at`, in seconds.
    pub fn offset_at(self, at: Timestamp) -> i32 {
        const HOUR: i32 = 3600;
        match self {
            Zone::Paris if paris_summer(at) => 2 * HOUR,
            Zone::Paris => HOUR,
            Zone::Guadeloupe | Zone::Martinique => -4 * HOUR,
            Zone::Guyane => -3 * HOUR,
            Zone::Reunion => 4 * HOUR,
            Zone::Mayotte => 3 * HOUR,
            Zone::Noumea => 11 * HOUR,
            Zone::Tahiti => -10 * HOUR,
            Zone::Utc => 0,
        }
    }

    /// `at` in this zone.
    pub fn local(self, at: Timestamp) -> LocalTime {
        let utc = utc(at);
        let offset = UtcOffset::from_whole_seconds(self.offset_at(at)).unwrap_or(UtcOffset::UTC);
        let here = utc.to_offset(offset);
        LocalTime {
            year: here.year(),
            month: u8::from(here.month()),
            day: here.day(),
            weekday: here.weekday().number_days_from_monday(),
            hour: here.hour(),
            minute: here.minute(),
        }
    }
}

/// The instant of an RFC 3339 date (a message's `Date:` as computed at ingest), if
/// it parses.
pub fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let parsed = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let millis = parsed.unix_timestamp_nanos() / 1_000_000;
    i64::try_from(millis).ok().map(Timestamp::from_millis)
}

fn utc(at: Timestamp) -> OffsetDateTime {
    let nanos = i128::from(at.as_millis()) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Whether Paris is on summer time at `at` (the EU rule).
fn paris_summer(at: Timestamp) -> bool {
    let now = utc(at);
    let switch = |month| {
        let last = last_sunday(now.year(), month);
        last.with_hms(1, 0, 0).map(|t| t.assume_utc())
    };
    match (switch(Month::March), switch(Month::October)) {
        (Ok(start), Ok(end)) => now >= start && now < end,
        _ => false,
    }
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: Month) -> Date {
    let mut day = Date::from_calendar_date(year, month, month.length(year)).unwrap_or(Date::MIN);
    while day.weekday() != Weekday::Sunday {
        day = day.previous_day().unwrap_or(Date::MIN);
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        parse_rfc3339(text).unwrap()
    }

    #[test]
    fn ms6_paris_changes_to_summer_time_on_the_last_sundays_of_march_and_october() {
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        let hour = |text| Zone::Paris.local(at(text)).hour;
        assert_eq!(hour("2026-03-29T00:59:00Z"), 1);
        assert_eq!(hour("2026-03-29T01:00:00Z"), 3);
        assert_eq!(hour("2026-10-25T00:59:00Z"), 2);
        assert_eq!(hour("2026-10-25T01:00:00Z"), 2);
        assert_eq!(hour("2026-12-04T18:53:01Z"), 19);
        assert_eq!(hour("2026-07-14T10:00:00Z"), 12);
    }

    #[test]
    fn ms6_a_date_header_reads_in_the_chosen_zone() {
        let sent = at("2026-12-04T18:53:01+00:00");
        let paris = Zone::Paris.local(sent);
        assert_eq!((paris.year, paris.month, paris.day), (2026, 12, 4));
        assert_eq!((paris.hour, paris.minute, paris.weekday), (19, 53, 4));
        let noumea = Zone::Noumea.local(sent);
        assert_eq!((noumea.day, noumea.hour), (5, 5));
        assert!(!paris.same_day(&noumea));
        assert_eq!(at("2026-12-04T19:53:01+01:00"), sent);
        assert_eq!(parse_rfc3339("Fri, 04 Dec 2026"), None);
        for zone in Zone::ALL {
            assert_eq!(Zone::parse(zone.name()), Some(zone));
        }
    }
}
