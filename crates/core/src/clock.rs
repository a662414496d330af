//! Injected time: a [`Timestamp`] and the [`Clock`] that gives the current
//! one.
//!
//! Code that depends on time (retention in RT-1, certificate and session
//! expiry, lockouts, trace timestamps) takes a `Clock` instead of reading
//! the system time, so tests move time with a [`ManualClock`] rather than
//! sleeping.

use std::fmt;
use std::ops::{Add, Sub};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A point in time: milliseconds since the Unix epoch, UTC.
///
/// Arithmetic with [`Duration`] saturates at the ends of the `i64` range
/// instead of overflowing. Serde writes the plain number of milliseconds.
/// `Display` writes RFC 3339 in UTC, e.g. `2024-03-01T12:00:00.25Z`.
///
/// ```
/// use caduceus_core::{days, Timestamp};
/// let t = Timestamp::from_millis(1_700_000_000_000);
/// assert_eq!(t.to_string(), "2023-11-14T22:13:20Z");
/// assert_eq!((t + days(365)).duration_since(t), days(365));
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// 1970-01-01T00:00:00Z.
    pub const UNIX_EPOCH: Self = Self(0);

    /// The timestamp `millis` milliseconds after the Unix epoch (before it
    /// when negative).
    pub const fn from_millis(millis: i64) -> Self {
        Self(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// `self + duration`, saturating at the latest representable time.
    pub fn saturating_add(self, duration: Duration) -> Self {
        Self(self.0.saturating_add(millis_of(duration)))
    }

    /// `self - duration`, saturating at the earliest representable time.
    pub fn saturating_sub(self, duration: Duration) -> Self {
        Self(self.0.saturating_sub(millis_of(duration)))
    }

    /// The UTC date in RFC 5322 form, e.g. `Thu, 01 Jan 1970 00:00:00 +0000` (for
    /// `Date:` and `Received:` headers).
    pub fn rfc5322(self) -> String {
        rfc5322_date(self.0.div_euclid(1000))
    }

    /// The time elapsed from `earlier` to `self`, or zero when `earlier` is
    /// not earlier.
    pub fn duration_since(self, earlier: Self) -> Duration {
        let millis = i128::from(self.0) - i128::from(earlier.0);
        Duration::from_millis(u64::try_from(millis.max(0)).unwrap_or(u64::MAX))
    }
}

/// Saturating, as [`Timestamp::saturating_add`].
impl Add<Duration> for Timestamp {
    type Output = Self;

    fn add(self, duration: Duration) -> Self {
        self.saturating_add(duration)
    }
}

/// Saturating, as [`Timestamp::saturating_sub`].
impl Sub<Duration> for Timestamp {
    type Output = Self;

    fn sub(self, duration: Duration) -> Self {
        self.saturating_sub(duration)
    }
}

/// RFC 3339 in UTC with as many fractional digits as needed. A timestamp
/// outside years 0000 to 9999, which RFC 3339 cannot write, prints as
/// `unix:<millis>ms`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = i128::from(self.0) * 1_000_000;
        let formatted = OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok());
        match formatted {
            Some(text) => f.write_str(&text),
            None => write!(f, "unix:{}ms", self.0),
        }
    }
}

/// `n` days of 86 400 seconds, saturating for absurdly large `n`.
pub const fn days(n: u64) -> Duration {
    Duration::from_secs(n.saturating_mul(86_400))
}

/// Milliseconds in `duration`, saturating at `i64::MAX`.
fn millis_of(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => Timestamp::UNIX_EPOCH.saturating_add(after),
            Err(before) => Timestamp::UNIX_EPOCH.saturating_sub(before.duration()),
        }
    }
}

/// A clock that moves only when told to, for tests.
///
/// Clones share the same time: hand one to the code under test and keep
/// one to [`set`](ManualClock::set) or [`advance`](ManualClock::advance) it.
///
/// ```
/// use caduceus_core::{days, Clock, ManualClock, Timestamp};
/// let clock = ManualClock::new(Timestamp::UNIX_EPOCH);
/// let seen_by_service = clock.clone();
/// clock.advance(days(1));
/// assert_eq!(seen_by_service.now(), Timestamp::from_millis(86_400_000));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    /// Milliseconds since the epoch, shared by every clone.
    now: Arc<AtomicI64>,
}

impl ManualClock {
    /// A clock stopped at `start`.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Arc::new(AtomicI64::new(start.as_millis())),
        }
    }

    /// Moves the clock to `to`, forwards or backwards.
    pub fn set(&self, to: Timestamp) {
        self.now.store(to.as_millis(), Ordering::SeqCst);
    }

    /// Moves the clock forward by `by`, saturating.
    pub fn advance(&self, by: Duration) {
        let by = millis_of(by);
        // The closure always returns `Some`, so the update cannot fail.
        let _ = self
            .now
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |now| {
                Some(now.saturating_add(by))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.now.load(Ordering::SeqCst))
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
    #[test]
    fn dates_are_rfc5322() {
        assert_eq!(super::rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(
            super::rfc5322_date(1_709_210_096),
            "Thu, 29 Feb 2024 12:34:56 +0000"
        );
        assert_eq!(
            super::rfc5322_date(4_102_444_799),
            "Thu, 31 Dec 2099 23:59:59 +0000"
        );
    }

    use super::*;

    #[test]
    fn displays_rfc3339_utc() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (1_700_000_000_000, "2023-11-14T22:13:20Z"),
            (1_700_000_000_250, "2023-11-14T22:13:20.25Z"),
            (1_700_000_000_001, "2023-11-14T22:13:20.001Z"),
            (-1_000, "1969-12-31T23:59:59Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (253_402_300_800_000, "unix:253402300800000ms"),
            (i64::MIN, "unix:-9223372036854775808ms"),
        ];
        for (millis, text) in cases {
            assert_eq!(Timestamp::from_millis(millis).to_string(), text, "{millis}");
        }
    }

    #[test]
    fn arithmetic_saturates() {
        let t = Timestamp::from_millis(1_000);
        assert_eq!((t + Duration::from_millis(500)).as_millis(), 1_500);
        assert_eq!((t - Duration::from_secs(2)).as_millis(), -1_000);
        assert_eq!(t.saturating_add(days(1)).as_millis(), 86_401_000);
        assert_eq!(
            Timestamp::from_millis(i64::MAX - 1) + Duration::from_millis(5),
            Timestamp::from_millis(i64::MAX)
        );
        assert_eq!(
            Timestamp::from_millis(i64::MIN + 1) - Duration::MAX,
            Timestamp::from_millis(i64::MIN)
        );
        assert_eq!(t + Duration::MAX, Timestamp::from_millis(i64::MAX));
    }

    #[test]
    fn duration_since_is_zero_for_a_later_time() {
        let early = Timestamp::from_millis(-5);
        let late = Timestamp::from_millis(10);
        assert_eq!(late.duration_since(early), Duration::from_millis(15));
        assert_eq!(early.duration_since(late), Duration::ZERO);
        assert_eq!(
            Timestamp::from_millis(i64::MAX).duration_since(Timestamp::from_millis(i64::MIN)),
            Duration::from_millis(u64::MAX)
        );
    }

    #[test]
    fn days_counts_whole_days() {
        assert_eq!(days(0), Duration::ZERO);
        assert_eq!(days(2), Duration::from_secs(172_800));
        assert_eq!(days(u64::MAX), Duration::from_secs(u64::MAX));
    }

    #[test]
    fn orders_by_time() {
        let mut stamps = [3, -1, 2].map(Timestamp::from_millis);
        stamps.sort();
        assert_eq!(stamps, [-1, 2, 3].map(Timestamp::from_millis));
    }

    #[test]
    fn serializes_as_milliseconds() {
        let t = Timestamp::from_millis(1_700_000_000_250);
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "1700000000250");
        assert_eq!(serde_json::from_str::<Timestamp>(&json).unwrap(), t);
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::from_millis(1_000));
        let shared = clock.clone();
        assert_eq!(shared.now(), Timestamp::from_millis(1_000));
        clock.advance(Duration::from_millis(250));
        assert_eq!(shared.now(), Timestamp::from_millis(1_250));
        clock.set(Timestamp::from_millis(10));
        assert_eq!(shared.now(), Timestamp::from_millis(10));
        clock.advance(Duration::MAX);
        assert_eq!(shared.now(), Timestamp::from_millis(i64::MAX));
        assert_eq!(ManualClock::default().now(), Timestamp::UNIX_EPOCH);
    }

    #[test]
    fn clocks_work_behind_a_trait_object() {
        let manual = ManualClock::new(Timestamp::from_millis(42));
        let clocks: Vec<Arc<dyn Clock>> = vec![Arc::new(SystemClock), Arc::new(manual)];
        // 2020-01-01T00:00:00Z: the system clock is later than that.
        assert!(clocks[0].now() > Timestamp::from_millis(1_577_836_800_000));
        assert_eq!(clocks[1].now(), Timestamp::from_millis(42));
    }
}
