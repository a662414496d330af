//! A patient mailbox is announced before it opens (ID-5, AC-3). Seed 003 §7: « Vous
//! disposez d'un droit d'opposition à la création de Mon espace santé. A compter de
//! l'envoi du courrier électronique ou postal vous informant de la création de Mon
//! espace santé, vous disposez de six semaines pour exprimer votre opposition. Sans
//! opposition de votre part, « Mon espace santé » sera automatiquement créé. »
//!
//! The rules: a verified patient mailbox is announced (state
//! [`AccountState::Announced`](crate::AccountState::Announced)) with a date it opens,
//! [`DEFAULT_PERIOD`] later unless configured otherwise; until then it neither
//! receives nor logs in. It ends one of the ways [`AnnouncementEnd`] lists: opened
//! when the period ends, or sooner when the patient accepts (through the notice's link,
//! or in person at the registration authority's counter); or never created when the
//! patient objects (the link, or the registration authority on the patient's behalf),
//! the objection kept so that it is not announced again unless the patient comes to
//! accept it in person.

use std::time::Duration;

use crate::{Refusal, Requirement, Timestamp, clock::days};

/// The announcement period when the operator sets none: six weeks (seed 003 §7).
pub const DEFAULT_PERIOD: Duration = days(42);

crate::codes! {
    /// How an announcement ended (ID-5, AC-3), traced with it.
    AnnouncementEnd {
        /// The period ended without an objection: the mailbox opened.
        PeriodEnded => "period_ended",
        /// The patient accepted before the end, through the notice's link.
        AcceptedByLink => "accepted_by_link",
        /// The patient, present in person, accepted at the registration authority.
        AcceptedAtCounter => "accepted_at_counter",
        /// The patient objected through the notice's link: never created.
        ObjectedByLink => "objected_by_link",
        /// The registration authority recorded the patient's objection.
        ObjectedAtCounter => "objected_at_counter",
    }
}

impl AnnouncementEnd {
    /// Whether the mailbox opens (else the patient objected and it is never created).
    pub fn opens(self) -> bool {
        matches!(
            self,
            AnnouncementEnd::PeriodEnded
                | AnnouncementEnd::AcceptedByLink
                | AnnouncementEnd::AcceptedAtCounter
        )
    }
}

/// The date an announced mailbox opens: `announced` plus the period.
pub fn opens_at(announced: Timestamp, period: Duration) -> Timestamp {
    announced + period
}

/// Whether an announcement made so is due to open at `now`.
pub fn is_due(opens: Timestamp, now: Timestamp) -> bool {
    now >= opens
}

/// Whether a patient mailbox may be announced (ID-5, AC-3): not when the patient
/// already objected to its creation — unless the patient, present in person, accepts
/// it now, which lifts the objection.
pub fn check_may_announce(objected: bool, accepted_in_person: bool) -> Result<(), Refusal> {
    if objected && !accepted_in_person {
        return Err(Refusal {
            requirement: Requirement::Ac3,
            reason: "this patient objected to the creation of their mailbox (seed 003 §7); \
                     it is created only if the patient, present in person, accepts it"
                .into(),
        });
    }
    Ok(())
}

/// The refusal of mail to an announced mailbox (ID-5), at `RCPT TO`.
pub fn refuse_mail_while_announced(address: &str) -> Refusal {
    Refusal {
        requirement: Requirement::Id5,
        reason: format!(
            "recipient {address} is a patient mailbox announced to its patient and not open \
             yet (the patient has six weeks to object to its creation); it receives mail once \
             it opens"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id5_an_announcement_opens_after_six_weeks_by_default() {
        let announced = Timestamp::from_millis(1_000);
        let opens = opens_at(announced, DEFAULT_PERIOD);
        assert_eq!(opens.as_millis() - 1_000, 42 * 86_400_000);
        assert!(!is_due(opens, opens - Duration::from_millis(1)));
        assert!(is_due(opens, opens));
    }

    #[test]
    fn ac3_an_objection_holds_unless_accepted_in_person() {
        assert!(check_may_announce(false, false).is_ok());
        let refusal = check_may_announce(true, false).unwrap_err();
        assert_eq!(refusal.requirement, Requirement::Ac3);
        assert!(check_may_announce(true, true).is_ok());
        let opening: Vec<_> = AnnouncementEnd::ALL.iter().filter(|e| e.opens()).collect();
        assert_eq!(opening.len(), 3);
    }

    #[test]
    fn id5_mail_to_an_announced_mailbox_names_the_requirement() {
        let refusal = refuse_mail_while_announced("1@patient.example");
        assert_eq!(refusal.requirement, Requirement::Id5);
        assert!(
            refusal.reason.contains("not open yet"),
            "{}",
            refusal.reason
        );
    }
}
