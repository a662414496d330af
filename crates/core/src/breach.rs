//! The personal-data breach register's rules (TR-6; seed 002 "réagir face à une
//! violation des données", seed 004 §5.1: the operator, processor for its users,
//! notifies the controller of any breach "dans les meilleurs délais"; GDPR art. 33 sets
//! 72 hours from awareness for the notification to the authority, art. 34 requires
//! informing the people concerned when the risk to them is high).
//!
//! A breach is opened (detected at a time, of a nature), assessed (its risk, the
//! accounts and messages concerned), notified (to the controller and the authority,
//! and the people concerned informed when the risk is high), then closed. One judged
//! unlikely to result in a risk is closed without notification, its assessment kept.

use std::time::Duration;

use crate::{Refusal, Requirement, Timestamp};

/// The delay for notifying a breach, from its detection (GDPR art. 33).
pub const NOTIFY_WITHIN: Duration = Duration::from_secs(72 * 3600);

crate::codes! {
    /// What the breach did to the data (the three kinds of the CNIL's register).
    Nature {
        /// Data disclosed to or reached by someone who should not have.
        Confidentiality => "confidentiality",
        /// Data altered.
        Integrity => "integrity",
        /// Data lost or made unavailable.
        Availability => "availability",
    }
}

crate::codes! {
    /// The risk to the people concerned, as assessed.
    Risk {
        /// Unlikely to result in a risk: recorded, not notified (GDPR art. 33 §1).
        Unlikely => "unlikely",
        /// A risk: notified to the controller and the authority.
        Risk => "risk",
        /// A high risk: notified, and the people concerned informed (GDPR art. 34).
        High => "high",
    }
}

crate::codes! {
    /// Where a breach stands.
    BreachState {
        /// Recorded, not assessed yet.
        Open => "open",
        /// Its risk and the data concerned assessed.
        Assessed => "assessed",
        /// Notified to the controller and the authority.
        Notified => "notified",
        /// Closed.
        Closed => "closed",
    }
}

/// A step of a breach's life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Assess (or assess again, before notification).
    Assess(Risk),
    /// Record the notification.
    Notify,
    /// Close.
    Close,
}

/// The state a breach in `state`, assessed `risk` (if it was), moves to by `step`; a
/// step out of order is refused naming TR-6 and what to do.
pub fn next(state: BreachState, risk: Option<Risk>, step: Step) -> Result<BreachState, Refusal> {
    use BreachState::*;
    let refuse = |reason: &str| {
        Err(Refusal {
            requirement: Requirement::Tr6,
            reason: reason.to_owned(),
        })
    };
    match (state, step) {
        (Open | Assessed, Step::Assess(_)) => Ok(Assessed),
        (Assessed, Step::Notify) if risk == Some(Risk::Unlikely) => {
            refuse("a breach assessed unlikely to result in a risk is not notified: close it")
        }
        (Assessed, Step::Notify) => Ok(Notified),
        (Open, Step::Notify | Step::Close) => refuse("assess the breach first"),
        (Assessed, Step::Close) if risk == Some(Risk::Unlikely) => Ok(Closed),
        (Assessed, Step::Close) => refuse("notify the breach before closing it"),
        (Notified, Step::Close) => Ok(Closed),
        (Notified, _) => refuse("the breach is notified: only closing it remains"),
        (Closed, _) => refuse("the breach is closed"),
    }
}

/// When a breach detected at `detected` must be notified by.
pub fn deadline(detected: Timestamp) -> Timestamp {
    detected.saturating_add(NOTIFY_WITHIN)
}

/// Whether a breach is late at `now`: past its deadline, not notified, and not
/// assessed unlikely to result in a risk.
pub fn overdue(
    state: BreachState,
    risk: Option<Risk>,
    detected: Timestamp,
    now: Timestamp,
) -> bool {
    matches!(state, BreachState::Open | BreachState::Assessed)
        && risk != Some(Risk::Unlikely)
        && now > deadline(detected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tr6_a_breach_is_assessed_then_notified_then_closed() {
        use BreachState::*;
        let high = Some(Risk::High);
        assert_eq!(next(Open, None, Step::Assess(Risk::High)), Ok(Assessed));
        assert_eq!(next(Assessed, high, Step::Assess(Risk::Risk)), Ok(Assessed));
        assert_eq!(next(Assessed, high, Step::Notify), Ok(Notified));
        assert_eq!(next(Notified, high, Step::Close), Ok(Closed));
        for (state, step) in [
            (Open, Step::Notify),
            (Open, Step::Close),
            (Assessed, Step::Close),
            (Notified, Step::Assess(Risk::Unlikely)),
            (Closed, Step::Close),
        ] {
            let refused = next(state, high, step).unwrap_err();
            assert_eq!(refused.requirement, "TR-6", "{state} {step:?}");
        }
        let unlikely = Some(Risk::Unlikely);
        assert_eq!(next(Assessed, unlikely, Step::Close), Ok(Closed));
        assert!(next(Assessed, unlikely, Step::Notify).is_err());
    }

    #[test]
    fn tr6_a_breach_is_late_72_hours_after_its_detection() {
        let detected = Timestamp::from_millis(1_000_000);
        let hour = Duration::from_secs(3600);
        let at = |hours: u32| detected.saturating_add(hour * hours);
        assert!(!overdue(BreachState::Open, None, detected, at(72)));
        assert!(overdue(BreachState::Open, None, detected, at(73)));
        assert!(overdue(
            BreachState::Assessed,
            Some(Risk::High),
            detected,
            at(73)
        ));
        assert!(!overdue(
            BreachState::Assessed,
            Some(Risk::Unlikely),
            detected,
            at(73)
        ));
        assert!(!overdue(
            BreachState::Notified,
            Some(Risk::High),
            detected,
            at(100)
        ));
        assert_eq!(Risk::parse("high"), Some(Risk::High));
        assert_eq!(Nature::parse("integrity"), Some(Nature::Integrity));
    }
}
