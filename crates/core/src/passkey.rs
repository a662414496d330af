//! Passkeys and phone pairing, the pure rules (AU-1, MS-18, seed 004 §7.2): what a
//! passkey is registered as ([`PasskeyKind`]), what a ceremony under way will do
//! ([`CeremonyKind`]), how long a WebAuthn ceremony and a pairing token live, when a
//! pairing token may still be used ([`check_pairing`]), and the names people give
//! their devices ([`check_device_name`]).
//!
//! A passkey is checked with user verification (a PIN or a biometric on the device
//! that holds the key): the key and that check are two factors, so a passkey login
//! is as strong as a card login (AU-1, AU-5).

use std::time::Duration;

use crate::clock::Timestamp;
use crate::policy::Refusal;
use crate::requirement::Requirement;

/// How long a registration or login ceremony (its challenge) waits for the browser's
/// answer, kept in the store meanwhile (every node may finish it).
pub const CEREMONY_LIFETIME: Duration = Duration::from_secs(5 * 60);

crate::codes! {
    /// What a WebAuthn ceremony under way will do with the browser's answer: stored
    /// as its code beside the ceremony's state (AU-1, MS-18).
    CeremonyKind {
        /// Register a passkey: from the settings after a strong login, or by a phone
        /// holding a pairing token (MS-18).
        Registration => "registration",
        /// Log in with whichever passkey the browser chooses.
        Login => "login",
        /// The second factor of a password login: one of the account's passkeys.
        SecondFactor => "second-factor",
    }
}

/// How long a pairing token shown in the QR code may be used (MS-18).
pub const PAIRING_LIFETIME: Duration = Duration::from_secs(10 * 60);

crate::codes! {
    /// Where a passkey was registered: stored as its code.
    PasskeyKind {
        /// From the webmail's settings, by a logged-in user (AU-1).
        Passkey => "passkey",
        /// By a phone that opened a pairing link made on the desktop (MS-18).
        Phone => "phone",
    }
}

/// Why a pairing token cannot be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PairingRefusal {
    /// No such token (mistyped, or its account closed).
    Unknown,
    /// It was used already: a token pairs one phone.
    Used,
    /// Its lifetime ([`PAIRING_LIFETIME`]) is over.
    Expired,
}

impl From<PairingRefusal> for Refusal {
    fn from(why: PairingRefusal) -> Self {
        let reason = match why {
            PairingRefusal::Unknown => {
                "this pairing link is not valid: on your computer, open Settings, \
                 then \"Pair a phone\" to show a new code"
            }
            PairingRefusal::Used => {
                "this pairing link was already used: each code pairs one phone once; \
                 on your computer, open Settings, then \"Pair a phone\" for a new code"
            }
            PairingRefusal::Expired => {
                "this pairing link expired (it is valid 10 minutes): on your computer, \
                 open Settings, then \"Pair a phone\" for a new code"
            }
        };
        Refusal {
            requirement: Requirement::Ms18,
            reason: reason.into(),
        }
    }
}

/// Whether a pairing token that expires at `expires` and was used at `used` (if it
/// was) may pair a phone at `now` (MS-18: single use, [`PAIRING_LIFETIME`]).
pub fn check_pairing(
    expires: Timestamp,
    used: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), PairingRefusal> {
    if used.is_some() {
        Err(PairingRefusal::Used)
    } else if now >= expires {
        Err(PairingRefusal::Expired)
    } else {
        Ok(())
    }
}

/// A device's or passkey's name as its owner typed it, trimmed: 1 to 80 printable
/// characters ("Thunderbird at the practice", "Phone").
pub fn check_device_name(name: &str) -> Option<&str> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= 80 && !name.chars().any(char::is_control))
        .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms18_a_pairing_token_is_single_use_and_short_lived() {
        let made = Timestamp::from_millis(1_000_000);
        let expires =
            Timestamp::from_millis(made.as_millis() + PAIRING_LIFETIME.as_millis() as i64);
        assert_eq!(check_pairing(expires, None, made), Ok(()));
        assert_eq!(
            check_pairing(expires, Some(made), made),
            Err(PairingRefusal::Used)
        );
        assert_eq!(
            check_pairing(expires, None, expires),
            Err(PairingRefusal::Expired)
        );
        let refusal = Refusal::from(PairingRefusal::Used);
        assert_eq!(refusal.requirement, Requirement::Ms18);
        assert!(refusal.reason.contains("already used"));
    }

    #[test]
    fn au1_device_names_are_short_and_printable() {
        assert_eq!(check_device_name("  Téléphone "), Some("Téléphone"));
        assert_eq!(check_device_name(""), None);
        assert_eq!(check_device_name("a\u{7}b"), None);
        assert_eq!(check_device_name(&"x".repeat(81)), None);
        assert_eq!(PasskeyKind::parse("phone"), Some(PasskeyKind::Phone));
    }
}
