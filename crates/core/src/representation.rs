//! A patient's representatives (ID-7; seed 003 §6: the parents of a minor and legal
//! representatives reach the patient's space): someone registered by a registration
//! authority, on evidence of the capacity, who logs in as themself and acts for the
//! patient — reads and replies, records or withdraws the opposition, blocks — every
//! action traced with the person and `acting_for`. A parent's representation ends when
//! the child comes of age; a guardian's when the court's decision says.

use crate::{Refusal, Requirement, Timestamp};

crate::codes! {
    /// In which capacity someone represents a patient.
    Capacity {
        /// A parent (holder of parental authority) of a minor patient.
        Parent => "parent",
        /// A legal guardian (tutelle) of an adult patient.
        Guardian => "guardian",
    }
}

crate::codes! {
    /// What the registration authority saw of the capacity.
    CapacityEvidence {
        /// The family record book (livret de famille).
        FamilyRecord => "family_record",
        /// A birth certificate naming the parent.
        BirthCertificate => "birth_certificate",
        /// The court's decision (jugement de tutelle).
        CourtDecision => "court_decision",
    }
}

/// Checks a registration at `now`: a parent's ends at the child's majority (`until`,
/// their eighteenth birthday), which must be ahead; a guardian's, if it ends, too.
pub fn check_registration(
    capacity: Capacity,
    until: Option<Timestamp>,
    now: Timestamp,
) -> Result<(), Refusal> {
    let refuse = |reason: &str| {
        Err(Refusal {
            requirement: Requirement::Id7,
            reason: reason.to_owned(),
        })
    };
    match (capacity, until) {
        (Capacity::Parent, None) => {
            refuse("a parent represents a minor: give the date the child comes of age")
        }
        (_, Some(until)) if until <= now => refuse("this representation has already ended"),
        _ => Ok(()),
    }
}

/// Whether a representation that ends at `until` (none: until withdrawn) is in force
/// at `now`.
pub fn in_force(until: Option<Timestamp>, now: Timestamp) -> bool {
    until.is_none_or(|until| now < until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id7_a_parents_representation_ends_when_the_child_comes_of_age() {
        let now = Timestamp::from_millis(1_000_000);
        let majority = Timestamp::from_millis(2_000_000);
        assert_eq!(
            check_registration(Capacity::Parent, Some(majority), now),
            Ok(())
        );
        let refused = check_registration(Capacity::Parent, None, now).unwrap_err();
        assert_eq!(refused.requirement, "ID-7");
        assert!(check_registration(Capacity::Guardian, Some(now), now).is_err());
        assert_eq!(check_registration(Capacity::Guardian, None, now), Ok(()));
        assert!(in_force(Some(majority), now));
        assert!(!in_force(Some(majority), majority));
        assert!(in_force(None, majority));
        assert_eq!(Capacity::parse("guardian"), Some(Capacity::Guardian));
    }
}
