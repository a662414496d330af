//! Automatic forwarding (MS-17): a professional or an organisation may have its mail
//! forwarded to one other mailbox of the trust space, never outside it, never to a
//! patient, never to itself. A forwarded copy carries [`FORWARDED_HEADER`] and is never
//! forwarded again, so that two rules pointing at each other cannot loop.

use crate::MailAddress;
use crate::Requirement;
use crate::policy::Refusal;

/// The header a forwarded copy carries (its value: the forwarding account's id).
pub const FORWARDED_HEADER: &str = "X-Caduceus-Forwarded";

/// What the forwarding rule is checked against, when set and at each use.
#[derive(Clone, Copy, Debug)]
pub struct ForwardingFacts<'a> {
    /// The mailbox whose mail is forwarded.
    pub owner: &'a MailAddress,
    /// Whether that mailbox is a patient's.
    pub owner_is_patient: bool,
    /// Where the mail goes.
    pub target: &'a MailAddress,
    /// Whether the target is one of this operator's mailboxes.
    pub target_is_local: bool,
    /// Whether the target's domain is on the MSSanté trust list.
    pub target_in_trust_list: bool,
}

/// Whether a forwarding rule may send `facts.owner`'s mail to `facts.target` (MS-17).
pub fn check_forwarding(facts: &ForwardingFacts<'_>) -> Result<(), Refusal> {
    let refuse = |requirement, reason: String| {
        Err(Refusal {
            requirement,
            reason,
        })
    };
    if facts.owner_is_patient {
        return refuse(
            Requirement::Ms8,
            "a patient's mailbox does not forward: patients exchange with the professionals \
             who write to them"
                .into(),
        );
    }
    if facts
        .target
        .as_str()
        .eq_ignore_ascii_case(facts.owner.as_str())
    {
        return refuse(
            Requirement::Ms17,
            "a mailbox cannot forward to itself".into(),
        );
    }
    if facts.target.patient_ins().is_some() {
        return refuse(
            Requirement::Ms17,
            "mail cannot be forwarded to a patient's mailbox: write to the patient instead".into(),
        );
    }
    if !facts.target_is_local && !facts.target_in_trust_list {
        return refuse(
            Requirement::Ms17,
            format!(
                "{} is outside the MSSante trust space: health mail is never forwarded \
                 automatically out of it",
                facts.target.domain().as_str()
            ),
        );
    }
    Ok(())
}

/// Whether the message whose header section is `headers` is already a forwarded copy.
pub fn was_forwarded(headers: &[u8]) -> bool {
    crate::has_header(headers, FORWARDED_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> MailAddress {
        MailAddress::parse(s).unwrap()
    }

    fn facts<'a>(owner: &'a MailAddress, target: &'a MailAddress) -> ForwardingFacts<'a> {
        ForwardingFacts {
            owner,
            owner_is_patient: false,
            target,
            target_is_local: true,
            target_in_trust_list: false,
        }
    }

    #[test]
    fn ms17_forwarding_stays_inside_the_trust_space() {
        let owner = addr("alice@caduceus.test");
        let colleague = addr("bob@caduceus.test");
        let peer = addr("claire@autre-operateur.test");
        let outside = addr("alice@gmail.test");
        assert!(check_forwarding(&facts(&owner, &colleague)).is_ok());
        let to_peer = ForwardingFacts {
            target_is_local: false,
            target_in_trust_list: true,
            ..facts(&owner, &peer)
        };
        assert!(check_forwarding(&to_peer).is_ok());
        let to_outside = ForwardingFacts {
            target_is_local: false,
            ..facts(&owner, &outside)
        };
        let refusal = check_forwarding(&to_outside).unwrap_err();
        assert_eq!(refusal.requirement, "MS-17");
        assert!(refusal.reason.contains("gmail.test"), "{}", refusal.reason);
    }

    #[test]
    fn ms17_no_forwarding_to_oneself_or_to_a_patient() {
        let owner = addr("alice@caduceus.test");
        let same = addr("ALICE@caduceus.test");
        assert_eq!(
            check_forwarding(&facts(&owner, &same))
                .unwrap_err()
                .requirement,
            "MS-17"
        );
        let patient = addr("295109912611193@patient.caduceus.test");
        assert_eq!(
            check_forwarding(&facts(&owner, &patient))
                .unwrap_err()
                .requirement,
            "MS-17"
        );
    }

    #[test]
    fn ms8_a_patient_mailbox_does_not_forward() {
        let owner = addr("295109912611193@patient.caduceus.test");
        let target = addr("bob@caduceus.test");
        let patient = ForwardingFacts {
            owner_is_patient: true,
            ..facts(&owner, &target)
        };
        assert_eq!(check_forwarding(&patient).unwrap_err().requirement, "MS-8");
    }

    #[test]
    fn ms17_a_forwarded_copy_is_recognised() {
        assert!(was_forwarded(
            b"From: a@b.test\r\nX-Caduceus-Forwarded: acct:4\r\n"
        ));
        assert!(was_forwarded(b"x-caduceus-forwarded: acct:4\r\n"));
        assert!(!was_forwarded(
            b"From: a@b.test\r\nSubject: X-Caduceus-Forwarded: no\r\n"
        ));
        assert!(!was_forwarded(b"X-Caduceus-Forwarded-By: acct:4\r\n"));
        assert!(!was_forwarded(b""));
    }
}
