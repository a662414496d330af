//! The national mailbox file read against this operator's own mailboxes (ID-4; seed 004
//! §7.4: creating a mailbox registers it in the national directory). After the operator
//! sent its extract (`caduceus directory export`), the next national file should list
//! every active mailbox of its domain, no other, with the holders' liste rouge. What
//! differs is what the operator must act on.

use std::collections::BTreeMap;

use crate::MailAddress;

/// One of this operator's mailboxes, as the national file or the operator sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// The mailbox.
    pub address: MailAddress,
    /// Hidden from search (liste rouge).
    pub liste_rouge: bool,
}

/// What the national file and the operator's mailboxes disagree on, each list sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reconciliation {
    /// This operator's mailboxes in the national file.
    pub published: usize,
    /// Active here, absent from the national file: to export and send.
    pub unpublished: Vec<MailAddress>,
    /// In the national file under this operator's domain, not an active mailbox here
    /// (closed, suspended, never opened): the national directory still lists them.
    pub stale: Vec<MailAddress>,
    /// The holder chose the liste rouge, the national file still shows them.
    pub liste_rouge: Vec<MailAddress>,
}

impl Reconciliation {
    /// Whether the national file matches the operator's mailboxes.
    pub fn agrees(&self) -> bool {
        self.unpublished.is_empty() && self.stale.is_empty() && self.liste_rouge.is_empty()
    }
}

/// Compares the national file's entries of this operator (`national`) with its
/// active mailboxes (`local`, the holders' own liste rouge choice).
pub fn reconcile(national: &[Listed], local: &[Listed]) -> Reconciliation {
    let by_address = |listed: &[Listed]| -> BTreeMap<String, Listed> {
        listed
            .iter()
            .map(|l| (l.address.as_str().to_owned(), l.clone()))
            .collect()
    };
    let (national, local) = (by_address(national), by_address(local));
    let missing = |from: &BTreeMap<String, Listed>, of: &BTreeMap<String, Listed>| {
        from.iter()
            .filter(|(address, _)| !of.contains_key(*address))
            .map(|(_, l)| l.address.clone())
            .collect()
    };
    Reconciliation {
        published: national.len(),
        unpublished: missing(&local, &national),
        stale: missing(&national, &local),
        liste_rouge: local
            .iter()
            .filter(|(address, l)| {
                l.liste_rouge && national.get(*address).is_some_and(|n| !n.liste_rouge)
            })
            .map(|(_, l)| l.address.clone())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(local: &str, liste_rouge: bool) -> Listed {
        Listed {
            address: MailAddress::parse(&format!("{local}@caduceus.test")).unwrap(),
            liste_rouge,
        }
    }

    #[test]
    fn id4_the_national_file_is_read_against_the_operators_mailboxes() {
        let national = [
            listed("alice", false),
            listed("bruno", false),
            listed("gone", false),
            listed("hidden", true),
        ];
        let local = [
            listed("alice", false),
            listed("bruno", true),
            listed("hidden", false),
            listed("new", false),
        ];
        let found = reconcile(&national, &local);
        assert_eq!(found.published, 4);
        assert_eq!(found.unpublished, [listed("new", false).address]);
        assert_eq!(found.stale, [listed("gone", false).address]);
        // Bruno chose the liste rouge; the national file still shows him. A liste rouge
        // in the national file the holder did not choose here is the file's to keep.
        assert_eq!(found.liste_rouge, [listed("bruno", false).address]);
        assert!(!found.agrees());
        assert!(reconcile(&local[..1], &local[..1]).agrees());
    }
}
