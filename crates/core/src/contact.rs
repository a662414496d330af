//! The out-of-band contact address (ID-2, AU-1, RT-1, MS-7; 004 §7.1): an ordinary
//! e-mail address, outside the MSSanté trust space, where login codes, new-mail notices,
//! first-access notices and inactivity warnings go. Mailiz's terms require it before a
//! mailbox is handed over ("l'Utilisateur doit obligatoirement renseigner une adresse
//! mail non MSSanté"); an address inside the trust space would send the warning that a
//! mailbox is about to be deleted into a mailbox of the same kind.

use crate::{Domain, MailAddress, Refusal, Requirement};

/// The national domain of the MSSanté trust space: every address at it or under it
/// (`*.mssante.fr`, `patient.mssante.fr`) is a secure health mailbox.
pub const NATIONAL_TRUST_DOMAIN: &str = "mssante.fr";

/// Checks that `contact` can be an account's out-of-band address (ID-2, 004 §7.1): not
/// in the operator's domain `operator` nor under it (its patient domain included), not
/// under [`NATIONAL_TRUST_DOMAIN`], and not in a domain the trust list names
/// (`trust_listed`, the caller's look-up).
pub fn check_out_of_band(
    contact: &MailAddress,
    operator: &Domain,
    trust_listed: bool,
) -> Result<(), Refusal> {
    let domain = contact.domain().as_str();
    let under = |parent: &str| {
        domain == parent
            || domain
                .strip_suffix(parent)
                .is_some_and(|rest| rest.ends_with('.'))
    };
    if under(operator.as_str()) || under(NATIONAL_TRUST_DOMAIN) || trust_listed {
        return Err(Refusal {
            requirement: Requirement::Id2,
            reason: format!(
                "{domain} is inside the MSSante trust space: the contact address must be an \
                 ordinary e-mail address outside it (004 §7.1), where login codes and notices \
                 reach the holder"
            ),
        });
    }
    Ok(())
}

/// The refusal to activate an account that has no out-of-band address (ID-2, 004 §7.1).
pub fn missing_contact(account: &MailAddress) -> Refusal {
    Refusal {
        requirement: Requirement::Id2,
        reason: format!(
            "{} has no contact address: record the holder's ordinary (non-MSSante) e-mail \
             address first (caduceus account contact {} <address>), then activate; login \
             codes, notices and inactivity warnings go there (004 §7.1)",
            account.as_str(),
            account.as_str()
        ),
    }
}

/// How long a code confirming a new contact address or phone number stays valid
/// (AU-1, MS-7, RT-1): 15 minutes.
pub const CONFIRM_CODE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// How many codes may be typed for one pending change before it is dropped (AU-1).
pub const CONFIRM_TRIES: u32 = 5;

/// A channel notices reach the holder through, whose change the holder confirms with
/// a code sent to the new value (AU-1, MS-7, RT-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactChannel {
    /// The out-of-band e-mail address.
    Email,
    /// The mobile phone number, for SMS.
    Phone,
}

impl ContactChannel {
    /// Both channels.
    pub const ALL: [ContactChannel; 2] = [ContactChannel::Email, ContactChannel::Phone];

    /// The channel's name as kept (`email`, `phone`).
    pub fn as_str(self) -> &'static str {
        match self {
            ContactChannel::Email => "email",
            ContactChannel::Phone => "phone",
        }
    }

    /// The channel named `name` ([`ContactChannel::as_str`]).
    pub fn parse(name: &str) -> Option<ContactChannel> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A new contact value waiting for its code (AU-1, MS-7, RT-1): the address or the
/// number, never a mix of both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContactValue {
    /// A new out-of-band e-mail address.
    Email(MailAddress),
    /// A new phone number.
    Phone(crate::PhoneNumber),
}

impl ContactValue {
    /// The channel it replaces the value of.
    pub fn channel(&self) -> ContactChannel {
        match self {
            ContactValue::Email(_) => ContactChannel::Email,
            ContactValue::Phone(_) => ContactChannel::Phone,
        }
    }

    /// The value as text (the address, or the number in E.164).
    pub fn as_str(&self) -> &str {
        match self {
            ContactValue::Email(address) => address.as_str(),
            ContactValue::Phone(phone) => phone.as_str(),
        }
    }

    /// Reads a value kept as text for `channel`.
    pub fn parse(channel: ContactChannel, text: &str) -> Option<ContactValue> {
        match channel {
            ContactChannel::Email => MailAddress::parse(text).ok().map(ContactValue::Email),
            ContactChannel::Phone => crate::PhoneNumber::parse(text)
                .ok()
                .map(ContactValue::Phone),
        }
    }

    /// The value as a page or a notice may show it without telling it (MS-7, TR-5):
    /// the address's first letter and its domain's last label (`a***@e***.org`), the
    /// number's last two digits (`+33******78`).
    pub fn masked(&self) -> String {
        match self {
            ContactValue::Email(address) => {
                let first = address.local_part().chars().next().unwrap_or('*');
                let domain = address.domain().as_str();
                let (name, top) = domain.rsplit_once('.').unwrap_or((domain, ""));
                let name_first = name.chars().next().unwrap_or('*');
                format!("{first}***@{name_first}***.{top}")
            }
            ContactValue::Phone(phone) => {
                let text = phone.as_str();
                let keep = text.len().saturating_sub(2);
                let head: String = text.chars().take(3).collect();
                format!(
                    "{head}{}{}",
                    "*".repeat(keep.saturating_sub(3)),
                    &text[keep..]
                )
            }
        }
    }
}

/// Why a typed code did not confirm a pending change (AU-1, AU-3): a typed verdict,
/// so what the holder is told (tries left included) is decided here once, and front
/// ends only put it in their words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeRefusal {
    /// Past [`CONFIRM_CODE_LIFETIME`]: the change is dropped.
    Expired,
    /// A wrong code with `tries_left` more allowed (at least one): the change waits.
    Wrong {
        /// How many more codes may be typed before the change is dropped.
        tries_left: u32,
    },
    /// A wrong code, the last of [`CONFIRM_TRIES`]: the change is dropped.
    Exhausted,
}

impl CodeRefusal {
    /// Whether the pending change is dropped (it is kept only for a wrong code with
    /// tries left).
    pub fn drops_the_change(self) -> bool {
        !matches!(self, CodeRefusal::Wrong { .. })
    }
}

impl std::fmt::Display for CodeRefusal {
    /// What the holder is told, in English (the API's detail), and what to do.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodeRefusal::Expired => f.write_str(
                "the code has expired: give the new address or number again for a new code",
            ),
            CodeRefusal::Wrong { tries_left: 1 } => f.write_str(
                "wrong code: 1 try left; check the code that was sent and type it again",
            ),
            CodeRefusal::Wrong { tries_left } => write!(
                f,
                "wrong code: {tries_left} tries left; check the code that was sent and type \
                 it again"
            ),
            CodeRefusal::Exhausted => write!(
                f,
                "too many wrong codes ({CONFIRM_TRIES}): the change is dropped; give the new \
                 address or number again"
            ),
        }
    }
}

/// Judges a typed code (AU-1, AU-3), in this order, so an expired change is never
/// confirmed whatever was typed: `expired` whether its lifetime is over, `matches`
/// whether it is the pending change's, `tries` how many were typed with this one
/// (even the right code is refused past [`CONFIRM_TRIES`]: typed together with the
/// last wrong one, it came after it). `Ok` confirms the change.
pub fn check_confirmation(matches: bool, expired: bool, tries: u32) -> Result<(), CodeRefusal> {
    match (expired, matches) {
        (true, _) => Err(CodeRefusal::Expired),
        (false, true) if tries <= CONFIRM_TRIES => Ok(()),
        (false, false) if tries < CONFIRM_TRIES => Err(CodeRefusal::Wrong {
            tries_left: CONFIRM_TRIES - tries,
        }),
        (false, _) => Err(CodeRefusal::Exhausted),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(contact: &str, listed: bool) -> Result<(), Refusal> {
        let operator = Domain::parse("caduceus.test").unwrap();
        check_out_of_band(&MailAddress::parse(contact).unwrap(), &operator, listed)
    }

    #[test]
    fn id2_contact_outside_the_trust_space_is_accepted() {
        assert_eq!(check("alice@example.org", false), Ok(()));
        // A domain merely ending with the same letters is not under it.
        assert_eq!(check("alice@notcaduceus.test", false), Ok(()));
        assert_eq!(check("alice@monmssante.fr", false), Ok(()));
    }

    #[test]
    fn id2_contact_inside_the_trust_space_is_refused() {
        for inside in [
            "alice@caduceus.test",
            "alice@CADUCEUS.test",
            "123@patient.caduceus.test",
            "alice@medecin.mssante.fr",
            "alice@mssante.fr",
        ] {
            let refusal = check(inside, false).unwrap_err();
            assert_eq!(refusal.requirement, Requirement::Id2, "{inside}");
            assert!(refusal.reason.contains("outside"), "{inside}");
        }
        assert!(check("alice@other-operator.test", true).is_err());
    }

    #[test]
    fn id2_missing_contact_names_what_to_do() {
        let refusal = missing_contact(&MailAddress::parse("alice@caduceus.test").unwrap());
        assert_eq!(refusal.requirement, Requirement::Id2);
        assert!(
            refusal
                .reason
                .contains("caduceus account contact alice@caduceus.test")
        );
    }
    #[test]
    fn au1_a_confirmation_is_expired_before_anything_else_and_dropped_at_the_fifth_miss() {
        assert_eq!(check_confirmation(true, true, 1), Err(CodeRefusal::Expired));
        assert_eq!(check_confirmation(true, false, 5), Ok(()));
        assert_eq!(
            check_confirmation(true, false, 6),
            Err(CodeRefusal::Exhausted)
        );
        assert_eq!(
            check_confirmation(false, false, CONFIRM_TRIES),
            Err(CodeRefusal::Exhausted)
        );
        assert!(CodeRefusal::Expired.drops_the_change());
        assert!(CodeRefusal::Exhausted.drops_the_change());
    }

    #[test]
    fn au1_au3_a_wrong_code_tells_the_tries_left() {
        let told: Vec<_> = (1..CONFIRM_TRIES)
            .map(|tries| check_confirmation(false, false, tries))
            .collect();
        assert_eq!(
            told,
            [4, 3, 2, 1].map(|tries_left| Err(CodeRefusal::Wrong { tries_left }))
        );
        let wrong = CodeRefusal::Wrong { tries_left: 4 };
        assert!(!wrong.drops_the_change());
        assert!(wrong.to_string().contains("4 tries left"), "{wrong}");
        let last = CodeRefusal::Wrong { tries_left: 1 }.to_string();
        assert!(last.contains("1 try left"), "{last}");
    }

    #[test]
    fn ms7_a_masked_contact_tells_neither_the_address_nor_the_number() {
        let email = ContactValue::Email(MailAddress::parse("alice.martin@example.org").unwrap());
        assert_eq!(email.masked(), "a***@e***.org");
        let phone = ContactValue::Phone(crate::PhoneNumber::parse("06 12 34 56 78").unwrap());
        assert_eq!(phone.masked(), "+33*******78");
        for value in [email, phone] {
            assert_eq!(
                ContactValue::parse(value.channel(), value.as_str()),
                Some(value.clone())
            );
            assert_eq!(
                ContactChannel::parse(value.channel().as_str()),
                Some(value.channel())
            );
        }
    }
}
