//! Sending rates (MS-13: no spam): how many messages one sender may send in a window.
//!
//! A [`RateLimit`] of `count` messages `per` window lets a sender send `count` at once,
//! then one every `per / count`: the generic cell rate algorithm, whose whole state per
//! sender is one [`Timestamp`] (the theoretical time the next message is due). It
//! allows a burst of the full window's quota and never drifts, without a list of past
//! sends.

use std::time::Duration;

use crate::Timestamp;

/// At most `count` messages per `per` window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Messages allowed per window (at least 1).
    pub count: u32,
    /// The window.
    pub per: Duration,
}

impl RateLimit {
    /// `count` messages per hour; `None` when `count` is 0 (no limit).
    pub fn per_hour(count: u32) -> Option<RateLimit> {
        (count > 0).then_some(RateLimit {
            count,
            per: Duration::from_secs(3600),
        })
    }

    /// Takes one message for a sender whose state is `due` (`None` for a sender not
    /// seen yet) at `now`. Returns the sender's new state, or how long to wait before
    /// the next message is allowed (the state is then unchanged).
    ///
    /// ```
    /// use std::time::Duration;
    /// use caduceus_core::{RateLimit, Timestamp};
    /// let limit = RateLimit { count: 2, per: Duration::from_secs(60) };
    /// let now = Timestamp::from_millis(1_000_000);
    /// let due = limit.take(None, now).unwrap();
    /// let due = limit.take(Some(due), now).unwrap();
    /// assert_eq!(limit.take(Some(due), now), Err(Duration::from_secs(30)));
    /// ```
    pub fn take(&self, due: Option<Timestamp>, now: Timestamp) -> Result<Timestamp, Duration> {
        let interval = self.per / self.count.max(1);
        let start = due.map_or(now, |due| due.max(now));
        let next = start.saturating_add(interval);
        let ahead = next.duration_since(now);
        if ahead > self.per {
            Err(ahead - self.per)
        } else {
            Ok(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn t(seconds: u64) -> Timestamp {
        Timestamp::from_millis(1_700_000_000_000).saturating_add(Duration::from_secs(seconds))
    }

    /// Sends at `now` until refused; returns how many passed and the wait asked.
    fn burst(limit: &RateLimit, due: &mut Option<Timestamp>, now: Timestamp) -> (u32, Duration) {
        let mut sent = 0;
        loop {
            match limit.take(*due, now) {
                Ok(next) => {
                    *due = Some(next);
                    sent += 1;
                }
                Err(wait) => return (sent, wait),
            }
        }
    }

    #[test]
    fn ms13_a_new_sender_may_send_the_whole_quota_at_once_then_waits_one_interval() {
        let limit = RateLimit {
            count: 6,
            per: MINUTE,
        };
        let mut due = None;
        assert_eq!(burst(&limit, &mut due, t(0)), (6, Duration::from_secs(10)));
    }

    #[test]
    fn ms13_the_quota_comes_back_one_message_per_interval() {
        let limit = RateLimit {
            count: 6,
            per: MINUTE,
        };
        let mut due = None;
        burst(&limit, &mut due, t(0));
        assert_eq!(burst(&limit, &mut due, t(9)).0, 0);
        assert_eq!(burst(&limit, &mut due, t(10)).0, 1);
        assert_eq!(burst(&limit, &mut due, t(35)), (2, Duration::from_secs(5)));
        // After a whole quiet window, the whole quota again, never more.
        assert_eq!(burst(&limit, &mut due, t(1000)).0, 6);
    }

    #[test]
    fn ms13_a_steady_sender_at_the_rate_is_never_refused() {
        let limit = RateLimit {
            count: 60,
            per: MINUTE,
        };
        let mut due = None;
        for second in 0..600 {
            due = Some(
                limit
                    .take(due, t(second))
                    .expect("one per second is the rate"),
            );
        }
    }

    #[test]
    fn ms13_a_refusal_leaves_the_state_unchanged() {
        let limit = RateLimit {
            count: 1,
            per: MINUTE,
        };
        let due = limit.take(None, t(0)).unwrap();
        assert_eq!(limit.take(Some(due), t(1)), Err(Duration::from_secs(59)));
        assert_eq!(limit.take(Some(due), t(59)), Err(Duration::from_secs(1)));
        assert!(limit.take(Some(due), t(60)).is_ok());
    }

    #[test]
    fn ms13_zero_per_hour_means_no_limit() {
        assert_eq!(RateLimit::per_hour(0), None);
        assert_eq!(
            RateLimit::per_hour(500),
            Some(RateLimit {
                count: 500,
                per: Duration::from_secs(3600)
            })
        );
    }
}
