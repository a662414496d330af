//! Who may write to whom (MS-8, MS-9, MS-10).

use crate::Refusal;
use crate::Requirement;

/// A party to an exchange, as the patient rules see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// A patient's mailbox (`<INS>@patient.<domain>`, here or at another operator).
    Patient,
    /// Anyone else: a professional, an organisational or application mailbox.
    Professional,
}

/// Where a patient stands with one professional (MS-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversation {
    /// The professional never wrote to this patient.
    None,
    /// The professional wrote: the patient may reply.
    Open,
    /// The professional ended the exchange (`X-MSS-MES: FIN` or `[FIN]`).
    Ended,
}

/// Whether `sender` may write to `recipient` (MS-8): professionals write to anyone;
/// a patient only to a professional who wrote to them first and has not ended the
/// exchange (`conversation` is that professional's standing with the patient), never
/// to another patient.
pub fn check_exchange(
    sender: Party,
    recipient: Party,
    conversation: Conversation,
) -> Result<(), Refusal> {
    let refuse = |reason: &str| {
        Err(Refusal {
            requirement: Requirement::Ms8,
            reason: reason.to_owned(),
        })
    };
    match (sender, recipient, conversation) {
        (Party::Professional, _, _) => Ok(()),
        (Party::Patient, Party::Patient, _) => {
            refuse("a patient cannot write to another patient through the secure health service")
        }
        (Party::Patient, Party::Professional, Conversation::Open) => Ok(()),
        (Party::Patient, Party::Professional, Conversation::None) => refuse(
            "a patient can only reply to a professional who wrote to them first; \
             ask your professional to write to you, or contact them another way",
        ),
        (Party::Patient, Party::Professional, Conversation::Ended) => refuse(
            "the professional ended this exchange; contact them another way \
             (phone, appointment) if you need to",
        ),
    }
}

/// Whether a message from a professional ends the exchange with the patient (MS-8):
/// an `X-MSS-MES: FIN` header, or `[FIN]` in the subject (any case).
pub fn ends_exchange(subject: Option<&str>, mss_mes: Option<&str>) -> bool {
    mss_mes.is_some_and(|v| v.trim().eq_ignore_ascii_case("FIN"))
        || subject.is_some_and(|s| s.to_ascii_uppercase().contains("[FIN]"))
}

/// A patient who blocked the sender receives nothing from them (MS-10).
pub fn check_not_blocked(blocked: bool) -> Result<(), Refusal> {
    if blocked {
        return Err(Refusal {
            requirement: Requirement::Ms10,
            reason: "the patient does not accept messages from you through this service; \
                     contact them another way"
                .into(),
        });
    }
    Ok(())
}

/// A message concerning a patient who objected is refused (MS-9).
pub fn check_no_opposition(opposed: bool) -> Result<(), Refusal> {
    if opposed {
        return Err(Refusal {
            requirement: Requirement::Ms9,
            reason: "the patient this message concerns has objected to exchanges about them \
                     through the secure health service; send it by another channel (postal mail)"
                .into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole decision table of MS-8.
    #[test]
    fn ms8_decision_table() {
        use Conversation::*;
        use Party::*;
        let cases = [
            (Professional, Professional, None, true),
            (Professional, Patient, None, true),
            (Professional, Patient, Ended, true),
            (Patient, Professional, None, false),
            (Patient, Professional, Open, true),
            (Patient, Professional, Ended, false),
            (Patient, Patient, None, false),
            (Patient, Patient, Open, false),
            (Patient, Patient, Ended, false),
        ];
        for (sender, recipient, conversation, allowed) in cases {
            let got = check_exchange(sender, recipient, conversation);
            assert_eq!(
                got.is_ok(),
                allowed,
                "{sender:?} → {recipient:?} ({conversation:?})"
            );
            if let Err(refusal) = got {
                assert_eq!(refusal.requirement, "MS-8");
            }
        }
        let first = check_exchange(Patient, Professional, None).unwrap_err();
        assert!(first.reason.contains("wrote to them first"));
        let ended = check_exchange(Patient, Professional, Ended).unwrap_err();
        assert!(ended.reason.contains("ended this exchange"));
    }

    #[test]
    fn ms8_fin_ends_the_exchange() {
        assert!(ends_exchange(Some("[FIN] Suivi"), None));
        assert!(ends_exchange(Some("re: suivi [fin]"), None));
        assert!(ends_exchange(None, Some(" FIN ")));
        assert!(ends_exchange(Some("Suivi"), Some("fin")));
        assert!(!ends_exchange(Some("Fin de traitement"), None));
        assert!(!ends_exchange(Some("Suivi"), Some("DEBUT")));
        assert!(!ends_exchange(None, None));
    }

    #[test]
    fn ms9_ms10_refusals_name_their_requirement_and_the_way_out() {
        assert_eq!(check_not_blocked(false), Ok(()));
        assert_eq!(check_no_opposition(false), Ok(()));
        let blocked = check_not_blocked(true).unwrap_err();
        assert_eq!(blocked.requirement, "MS-10");
        let opposed = check_no_opposition(true).unwrap_err();
        assert_eq!(opposed.requirement, "MS-9");
        assert!(opposed.reason.contains("postal mail"));
    }
}
