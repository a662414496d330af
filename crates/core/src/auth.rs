//! Pure authentication rules: the brute-force gate (AU-3), the shape of device
//! credentials (AU-2) and one-time codes (AU-1).
//!
//! The service layer keeps a [`FailureState`] per account and per source address,
//! asks [`LockoutPolicy::gate`] before checking a secret, and records the outcome
//! with [`LockoutPolicy::after_failure`] or resets it after a success.

use std::fmt;
use std::time::Duration;

use crate::clock::Timestamp;

/// Failed attempts against one subject (an account or a source address).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FailureState {
    /// Consecutive failures not yet forgiven.
    pub failures: u32,
    /// When the last failure happened.
    pub last_failure: Option<Timestamp>,
    /// Until when the subject is locked, if it is.
    pub locked_until: Option<Timestamp>,
}

/// What the gate says about a new attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// Check the credential.
    Open,
    /// Too soon after the last failure: refuse without checking, retry after `until`.
    Wait {
        /// When the next attempt will be considered.
        until: Timestamp,
    },
    /// Locked out until `until` (AU-3).
    Locked {
        /// When the lock ends.
        until: Timestamp,
    },
}

/// What recording a failure led to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailureOutcome {
    /// The new state to store.
    pub state: FailureState,
    /// Whether this failure locked the subject (raise an alert, TR-3).
    pub locked_now: bool,
    /// How long the front end should wait before answering (progressive delay).
    pub delay: Duration,
}

/// Progressive delay and temporary lockout (AU-3), per subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failures allowed before any delay applies.
    pub free_failures: u32,
    /// The first delay; each further failure doubles it.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Failures that lock the subject.
    pub lock_after: u32,
    /// How long a lock lasts.
    pub lock_for: Duration,
    /// A failure older than this is forgiven: the count starts again.
    pub forget_after: Duration,
}

impl LockoutPolicy {
    /// The per-account default: 3 free failures, delays 1 s doubling up to 30 s,
    /// locked for 15 minutes after 10 failures, forgotten after an hour.
    pub const ACCOUNT: LockoutPolicy = LockoutPolicy {
        free_failures: 3,
        base_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(30),
        lock_after: 10,
        lock_for: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(3600),
    };

    /// The per-source-address default: more room (a clinic behind one address), the
    /// same shape: locked for 15 minutes after 50 failures.
    pub const SOURCE: LockoutPolicy = LockoutPolicy {
        free_failures: 10,
        base_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(30),
        lock_after: 50,
        lock_for: Duration::from_secs(15 * 60),
        forget_after: Duration::from_secs(3600),
    };

    /// The delay owed after `failures` consecutive failures.
    pub fn delay(&self, failures: u32) -> Duration {
        if failures <= self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_failures - 1).min(31);
        self.base_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// The state with failures older than [`LockoutPolicy::forget_after`] forgiven
    /// and an expired lock lifted.
    pub fn current(&self, state: FailureState, now: Timestamp) -> FailureState {
        let forgotten = state
            .last_failure
            .is_none_or(|last| elapsed(last, now) >= self.forget_after);
        let locked = state.locked_until.filter(|until| now < *until);
        if forgotten && locked.is_none() {
            FailureState::default()
        } else {
            FailureState {
                locked_until: locked,
                ..state
            }
        }
    }

    /// Whether an attempt at `now` may be checked at all.
    pub fn gate(&self, state: FailureState, now: Timestamp) -> Gate {
        let state = self.current(state, now);
        if let Some(until) = state.locked_until {
            return Gate::Locked { until };
        }
        match state.last_failure {
            Some(last) => {
                let until = add(last, self.delay(state.failures));
                if now < until {
                    Gate::Wait { until }
                } else {
                    Gate::Open
                }
            }
            None => Gate::Open,
        }
    }

    /// Records a failure at `now`.
    pub fn after_failure(&self, state: FailureState, now: Timestamp) -> FailureOutcome {
        let state = self.current(state, now);
        let failures = state.failures.saturating_add(1);
        let locks = failures >= self.lock_after && state.locked_until.is_none();
        let locked_until = if locks {
            Some(add(now, self.lock_for))
        } else {
            state.locked_until
        };
        FailureOutcome {
            state: FailureState {
                failures: if locks { 0 } else { failures },
                last_failure: Some(now),
                locked_until,
            },
            locked_now: locks,
            delay: self.delay(failures),
        }
    }
}

fn elapsed(from: Timestamp, to: Timestamp) -> Duration {
    Duration::from_millis(u64::try_from(to.as_millis() - from.as_millis()).unwrap_or(0))
}

fn add(at: Timestamp, duration: Duration) -> Timestamp {
    Timestamp::from_millis(at.as_millis().saturating_add(duration.as_millis() as i64))
}

/// Characters of a device secret: lowercase base32 without padding, easy to type.
const DEVICE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Length of a device secret: 26 base32 characters, 130 bits.
pub const DEVICE_SECRET_LEN: usize = 26;

/// The parts of a device credential `cdv-<device id>-<secret>` (AU-2), as typed into a
/// mail client's password field. Its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceCredential<'a> {
    /// The device's id, to find its hash without scanning.
    pub device: i64,
    /// The random secret.
    pub secret: &'a str,
}

impl fmt::Debug for DeviceCredential<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DeviceCredential {{ device: {}, secret: <redacted> }}",
            self.device
        )
    }
}

impl<'a> DeviceCredential<'a> {
    /// Splits a typed credential, or `None` if it cannot be one (a web password,
    /// for instance: those are never accepted by mail protocols).
    pub fn parse(text: &'a str) -> Option<Self> {
        let rest = text.strip_prefix("cdv-")?;
        let (device, secret) = rest.split_once('-')?;
        let device: i64 = device.parse().ok().filter(|d| *d > 0)?;
        let well_formed = secret.len() == DEVICE_SECRET_LEN
            && secret.bytes().all(|b| DEVICE_ALPHABET.contains(&b));
        well_formed.then_some(DeviceCredential { device, secret })
    }

    /// The credential text for a device id and secret.
    pub fn format(device: i64, secret: &str) -> String {
        format!("cdv-{device}-{secret}")
    }

    /// A secret from random bytes (at least [`DEVICE_SECRET_LEN`] of them): the
    /// caller supplies the randomness.
    pub fn secret_from(random: &[u8]) -> String {
        assert!(random.len() >= DEVICE_SECRET_LEN, "not enough random bytes");
        random[..DEVICE_SECRET_LEN]
            .iter()
            .map(|b| DEVICE_ALPHABET[usize::from(b % 32)] as char)
            .collect()
    }
}

/// Number of digits of an emailed one-time code.
pub const LOGIN_CODE_DIGITS: usize = 6;

/// A short one-time code (AU-1): six decimal digits, sent by e-mail or SMS for a login
/// or to confirm a new contact. Made only from random bytes or from what the user typed,
/// checked once here; never printed (`Debug` says `[redacted]`, TR-5) and zeroed on
/// drop. Its 10^6 values are too few for a plain hash at rest: the store keeps it only
/// as a keyed hash (AU-1, MS-4), which is why the store takes this type and never a
/// hash the caller computed.
#[derive(Clone, Debug)]
pub struct OneTimeCode(crate::SecretString);

impl OneTimeCode {
    /// A code from random bytes (the caller supplies the randomness).
    pub fn from_random(random: [u8; 4]) -> Self {
        let digits = format!("{:06}", u32::from_le_bytes(random) % 1_000_000);
        Self(crate::SecretString::new(digits))
    }

    /// The code `typed` if it looks like one: [`LOGIN_CODE_DIGITS`] digits once spaces
    /// are removed.
    pub fn parse(typed: &str) -> Option<Self> {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        (digits.len() == LOGIN_CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| Self(crate::SecretString::new(digits)))
    }

    /// The digits, to send them or to hash them. Keep the borrow short and out of logs.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// The code as the secret a notice carries to its holder.
    pub fn into_secret(self) -> crate::SecretString {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: LockoutPolicy = LockoutPolicy::ACCOUNT;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(1_000_000_000 + secs * 1000)
    }

    /// Fails `n` times, each attempt as soon as the gate allows, from t=0.
    fn fail(n: u32) -> (FailureState, Timestamp) {
        let mut state = FailureState::default();
        let mut now = at(0);
        for _ in 0..n {
            if let Gate::Wait { until } = P.gate(state, now) {
                now = until;
            }
            state = P.after_failure(state, now).state;
        }
        (state, now)
    }

    #[test]
    fn au3_delay_grows_from_the_fourth_failure_and_is_capped() {
        let delays: Vec<u64> = (0..=12).map(|n| P.delay(n).as_secs()).collect();
        assert_eq!(delays, [0, 0, 0, 0, 1, 2, 4, 8, 16, 30, 30, 30, 30]);
        assert_eq!(P.delay(u32::MAX), P.max_delay);
    }

    #[test]
    fn au3_first_failures_are_free() {
        let (state, now) = fail(3);
        assert_eq!(state.failures, 3);
        assert_eq!(P.gate(state, now), Gate::Open);
    }

    #[test]
    fn au3_an_attempt_too_soon_waits() {
        let (state, now) = fail(5);
        assert_eq!(
            P.gate(state, now),
            Gate::Wait {
                until: add(now, Duration::from_secs(2))
            }
        );
        assert_eq!(P.gate(state, add(now, Duration::from_secs(2))), Gate::Open);
    }

    #[test]
    fn au3_tenth_failure_locks_for_fifteen_minutes() {
        let (state, now) = fail(9);
        let outcome = P.after_failure(state, add(now, Duration::from_secs(60)));
        assert!(outcome.locked_now);
        let locked_at = add(now, Duration::from_secs(60));
        let until = add(locked_at, P.lock_for);
        assert_eq!(P.gate(outcome.state, locked_at), Gate::Locked { until });
        assert_eq!(
            P.gate(outcome.state, Timestamp::from_millis(until.as_millis() - 1)),
            Gate::Locked { until }
        );
        // A failure while locked keeps the lock and does not re-raise the alert.
        let again = P.after_failure(outcome.state, add(locked_at, Duration::from_secs(5)));
        assert!(!again.locked_now);
        assert_eq!(again.state.locked_until, Some(until));
        // After the lock, attempts are open again.
        assert_eq!(P.gate(outcome.state, until), Gate::Open);
    }

    #[test]
    fn au3_failures_are_forgotten_after_an_hour() {
        let (state, now) = fail(8);
        let later = add(now, P.forget_after);
        assert_eq!(P.current(state, later), FailureState::default());
        assert_eq!(P.gate(state, later), Gate::Open);
        assert_eq!(P.after_failure(state, later).state.failures, 1);
    }

    #[test]
    fn au3_source_policy_allows_more_before_locking() {
        let s = LockoutPolicy::SOURCE;
        let mut state = FailureState::default();
        let mut locked = 0;
        for i in 0..50 {
            let outcome = s.after_failure(state, at(i * 40));
            locked += u32::from(outcome.locked_now);
            state = outcome.state;
        }
        assert_eq!(locked, 1);
        assert!(matches!(s.gate(state, at(50 * 40)), Gate::Locked { .. }));
    }

    #[test]
    fn au2_device_credentials_round_trip() {
        let secret = DeviceCredential::secret_from(&[7u8; 32]);
        assert_eq!(secret.len(), DEVICE_SECRET_LEN);
        let text = DeviceCredential::format(42, &secret);
        let parsed = DeviceCredential::parse(&text).unwrap();
        assert_eq!(parsed.device, 42);
        assert_eq!(parsed.secret, secret);
        assert!(!format!("{parsed:?}").contains(&secret));
    }

    #[test]
    fn au2_passwords_are_not_device_credentials() {
        let secret = DeviceCredential::secret_from(&[1u8; 26]);
        for text in [
            "Correct-Horse-42!".to_owned(),
            format!("cdv-0-{secret}"),
            format!("cdv--1-{secret}"),
            format!("cdv-x-{secret}"),
            format!("cdv-3-{}", &secret[1..]),
            format!("cdv-3-{}A", &secret[1..]),
            format!("dev-3-{secret}"),
            "cdv-3".to_owned(),
        ] {
            assert!(DeviceCredential::parse(&text).is_none(), "{text}");
        }
    }

    #[test]
    fn au1_login_codes_have_six_digits() {
        assert_eq!(OneTimeCode::from_random([0, 0, 0, 0]).expose(), "000000");
        assert_eq!(
            OneTimeCode::from_random([255, 255, 255, 255])
                .expose()
                .len(),
            6
        );
        let typed = OneTimeCode::parse(" 123 456 ").unwrap();
        assert_eq!(typed.expose(), "123456");
        assert!(OneTimeCode::parse("12345").is_none());
        assert!(OneTimeCode::parse("12345a").is_none());
    }

    #[test]
    fn au1_tr5_a_one_time_code_never_prints() {
        let code = OneTimeCode::parse("123456").unwrap();
        assert!(!format!("{code:?}").contains("123456"));
    }
}
