//! Message policy as pure functions: each rule looks at facts gathered by the service
//! layer and either lets the message through or returns a [`Refusal`] naming the
//! requirement and telling the sender what to do.

use crate::{Requirement, Timestamp};
use std::fmt;
use std::time::Duration;

/// A refusal: which requirement refused, and a reason a sender can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The requirement id, e.g. `MS-2`.
    pub requirement: Requirement,
    /// What happened and what to do, in plain language (no message content).
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reason, self.requirement)
    }
}

impl std::error::Error for Refusal {}

/// What the service knows about one recipient when it asks the policy (MS-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientStatus {
    /// A local mailbox whose owner may receive.
    Verified,
    /// A local mailbox not (yet, or no longer) allowed to exchange messages.
    NotVerified,
    /// A patient mailbox announced and not open yet (ID-5).
    Announced,
    /// No such mailbox here.
    Unknown,
    /// At another operator of the trust space: relayed there (MS-5 checked the domain).
    TrustSpace,
}

impl RecipientStatus {
    /// What a local mailbox in `state` is as a recipient (MS-2, ID-5); `None`: no
    /// mailbox.
    pub fn of_local(state: Option<crate::AccountState>) -> RecipientStatus {
        match state {
            Some(state) if state.can_exchange() => RecipientStatus::Verified,
            Some(crate::AccountState::Announced) => RecipientStatus::Announced,
            Some(_) => RecipientStatus::NotVerified,
            None => RecipientStatus::Unknown,
        }
    }
}

/// The facts about a message that the delivery rules look at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryFacts<'a> {
    /// Each recipient address with what the service found for it.
    pub recipients: &'a [(&'a str, RecipientStatus)],
    /// Size of the raw message in bytes.
    pub size: usize,
    /// The configured size limit in bytes.
    pub max_size: usize,
    /// The configured limit on recipients per message (MS-12).
    pub max_recipients: usize,
}

/// Decides whether a message may be delivered: size, number of recipients (MS-12),
/// and every recipient a verified mailbox of the trust space (MS-2).
pub fn check_delivery(facts: &DeliveryFacts<'_>) -> Result<(), Refusal> {
    if facts.size > facts.max_size {
        return Err(Refusal {
            requirement: Requirement::Ms1,
            reason: format!(
                "message is {} bytes, over the {} byte limit; send large files by another channel",
                facts.size, facts.max_size
            ),
        });
    }
    if facts.recipients.is_empty() {
        return Err(Refusal {
            requirement: Requirement::Ms2,
            reason: "message has no recipient".into(),
        });
    }
    if facts.recipients.len() > facts.max_recipients {
        return Err(Refusal {
            requirement: Requirement::Ms12,
            reason: format!(
                "{} recipients, over the limit of {}; write to fewer people or use a health alert list",
                facts.recipients.len(),
                facts.max_recipients
            ),
        });
    }
    for (address, status) in facts.recipients {
        check_recipient(address, *status)?;
    }
    Ok(())
}

/// Decides whether one more recipient may be named when `already` are (MS-12); front
/// ends ask it at `RCPT TO` time, before the recipient is looked up.
pub fn check_recipient_count(already: usize, max_recipients: usize) -> Result<(), Refusal> {
    if already >= max_recipients {
        return Err(Refusal {
            requirement: Requirement::Ms12,
            reason: format!(
                "at most {max_recipients} recipients per message; send the rest in another message"
            ),
        });
    }
    Ok(())
}

/// Decides whether one recipient can receive (MS-2): a verified mailbox of the trust
/// space. Front ends ask it at `RCPT TO` time, before any content is sent.
pub fn check_recipient(address: &str, status: RecipientStatus) -> Result<(), Refusal> {
    match status {
        RecipientStatus::Verified | RecipientStatus::TrustSpace => Ok(()),
        RecipientStatus::NotVerified => Err(Refusal {
            requirement: Requirement::Ms2,
            reason: format!(
                "recipient {address} is not a verified mailbox yet; check the address in the directory"
            ),
        }),
        RecipientStatus::Announced => {
            Err(crate::announcement::refuse_mail_while_announced(address))
        }
        RecipientStatus::Unknown => Err(Refusal {
            requirement: Requirement::Ms2,
            reason: format!(
                "recipient {address} is not a mailbox of the health trust space; check the address in the directory"
            ),
        }),
    }
}

/// What the imported national directory says of a recipient at another operator of the
/// trust space (MS-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirectoryStanding {
    /// Listed; or a patient's mailbox, which the directory never lists (ID-4) and
    /// whose address carries its own check (the INS key).
    Listed,
    /// Not listed in the directory imported at this time.
    Unlisted {
        /// When the directory was last imported.
        imported: Timestamp,
    },
    /// No directory was ever imported: there is nothing to check against.
    NoDirectory,
}

/// Why a remote recipient the directory does not list was let through anyway; the
/// service logs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unchecked {
    /// No directory was ever imported.
    NoDirectory,
    /// The directory is older than the configured grace, by this many days.
    StaleDirectory {
        /// The directory's age, in whole days.
        age_days: u64,
    },
}

/// Decides whether a recipient at another operator of the trust space may be named
/// (MS-2, seed 000 art.7-1: identities guaranteed "en vérifiant leur appartenance à un
/// référentiel"): listed in the imported national directory, or refused at `RCPT` —
/// a typo is told now rather than days later as a bounce. When the directory is older
/// than `grace` (the operator's choice; `None`: never), or was never imported, an
/// unlisted recipient is let through [`Unchecked`].
pub fn check_remote_recipient(
    address: &str,
    standing: DirectoryStanding,
    now: Timestamp,
    grace: Option<Duration>,
) -> Result<Option<Unchecked>, Refusal> {
    match standing {
        DirectoryStanding::Listed => Ok(None),
        DirectoryStanding::NoDirectory => Ok(Some(Unchecked::NoDirectory)),
        DirectoryStanding::Unlisted { imported } => {
            let age = now.duration_since(imported);
            if grace.is_some_and(|grace| age > grace) {
                let age_days = age.as_secs() / 86_400;
                return Ok(Some(Unchecked::StaleDirectory { age_days }));
            }
            Err(Refusal {
                requirement: Requirement::Ms2,
                reason: format!(
                    "recipient {address} is not in the national directory of health mailboxes \
                     (imported {}); check the address in the directory",
                    imported.rfc5322()
                ),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RecipientStatus::*;
    use super::*;

    fn facts<'a>(recipients: &'a [(&'a str, RecipientStatus)], size: usize) -> DeliveryFacts<'a> {
        DeliveryFacts {
            recipients,
            size,
            max_size: 1000,
            max_recipients: 2,
        }
    }

    #[test]
    fn ms2_verified_recipients_pass() {
        assert_eq!(check_delivery(&facts(&[("a@x.fr", Verified)], 10)), Ok(()));
        assert_eq!(
            check_delivery(&facts(&[("a@x.fr", Verified), ("b@x.fr", Verified)], 1000)),
            Ok(())
        );
    }

    #[test]
    fn ms2_unknown_or_unverified_recipient_is_refused_by_name() {
        let err =
            check_delivery(&facts(&[("a@x.fr", Verified), ("b@x.fr", Unknown)], 10)).unwrap_err();
        assert_eq!(err.requirement, "MS-2");
        assert!(err.reason.contains("b@x.fr") && err.reason.contains("trust space"));
        let err = check_delivery(&facts(&[("c@x.fr", NotVerified)], 10)).unwrap_err();
        assert_eq!(err.requirement, "MS-2");
        assert!(err.reason.contains("not a verified mailbox"));
        let err = check_delivery(&facts(&[], 10)).unwrap_err();
        assert_eq!(err.requirement, "MS-2");
    }

    #[test]
    fn ms12_too_many_recipients_is_refused() {
        let many = [
            ("a@x.fr", Verified),
            ("b@x.fr", Verified),
            ("c@x.fr", Verified),
        ];
        let err = check_delivery(&facts(&many, 10)).unwrap_err();
        assert_eq!(err.requirement, "MS-12");
        assert!(err.reason.contains("3 recipients") && err.reason.contains("limit of 2"));
    }

    #[test]
    fn oversized_message_is_refused_before_recipients_are_looked_at() {
        let err = check_delivery(&facts(&[("a@x.fr", Unknown)], 1001)).unwrap_err();
        assert!(err.reason.contains("1001 bytes"));
        assert!(err.to_string().ends_with(')'));
    }

    #[test]
    fn ms12_recipients_are_counted_as_they_are_named() {
        assert_eq!(check_recipient_count(0, 2), Ok(()));
        assert_eq!(check_recipient_count(1, 2), Ok(()));
        let refusal = check_recipient_count(2, 2).unwrap_err();
        assert_eq!(refusal.requirement, "MS-12");
        assert!(refusal.reason.contains("at most 2"), "{}", refusal.reason);
    }

    #[test]
    fn ms2_a_remote_recipient_must_be_in_the_directory_unless_it_is_stale() {
        const DAY: i64 = 86_400_000;
        let imported = Timestamp::from_millis(100 * DAY);
        let unlisted = DirectoryStanding::Unlisted { imported };
        let at = |days: i64| Timestamp::from_millis(100 * DAY + days * DAY);
        let week = Some(Duration::from_secs(7 * 86_400));
        let check =
            |standing, now, grace| check_remote_recipient("dr.x@autre.test", standing, now, grace);
        assert_eq!(check(DirectoryStanding::Listed, at(400), None), Ok(None));
        let refused = check(unlisted, at(1), week).unwrap_err();
        assert_eq!(refused.requirement, "MS-2");
        assert!(
            refused.reason.contains("dr.x@autre.test")
                && refused.reason.contains("national directory")
        );
        assert!(
            check(unlisted, at(400), None).is_err(),
            "no grace: always refused"
        );
        assert_eq!(
            check(unlisted, at(8), week),
            Ok(Some(Unchecked::StaleDirectory { age_days: 8 }))
        );
        assert_eq!(
            check(DirectoryStanding::NoDirectory, at(0), None),
            Ok(Some(Unchecked::NoDirectory))
        );
    }
}
