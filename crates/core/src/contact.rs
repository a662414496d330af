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
}
