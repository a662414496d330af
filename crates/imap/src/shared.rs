//! The shared namespace (RFC 2342 §5): the mailboxes a login may act for besides
//! its own — the organisational mailboxes its person is a delegate of (ID-3), the
//! patients' they represent (ID-7) — each under `Shared/<address>/`, e.g.
//! `Shared/secretariat@org.example/INBOX`. `Shared` and `Shared/<address>` are
//! containers (`\Noselect`), never folders.
//!
//! A name is resolved here to a [`Place`]: whose mailbox, with the access the
//! service gave for it ([`caduceus_service::Service::authorize`], never built
//! here), and the folder's name in that mailbox. Resolution asks the service each
//! time, so a withdrawn delegation is refused at the next command (AC-1).

use caduceus_service::mandates::Mandate;
use caduceus_service::messages::MailboxAccess;

/// The shared namespace's top level.
pub(crate) const PREFIX: &str = "Shared";

/// What a folder name a client gives names.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Name<'a> {
    /// A folder of the login's own mailbox.
    Own(&'a str),
    /// `Shared` or `Shared/<address>`: a container, no folder.
    Container,
    /// The folder `folder` of the mailbox at `address`.
    Shared {
        /// The mailbox's address.
        address: &'a str,
        /// The folder's name in that mailbox.
        folder: &'a str,
    },
}

/// Reads a (decoded) folder name: in the shared namespace or the login's own.
pub(crate) fn parse(name: &str) -> Name<'_> {
    let delimiter = caduceus_core::folder::DELIMITER;
    let Some(rest) = name.strip_prefix(PREFIX) else {
        return Name::Own(name);
    };
    if rest.is_empty() {
        return Name::Container;
    }
    let Some(rest) = rest.strip_prefix(delimiter) else {
        return Name::Own(name);
    };
    match rest.split_once(delimiter) {
        None => Name::Container,
        Some((_, "")) => Name::Container,
        Some((address, folder)) => Name::Shared { address, folder },
    }
}

/// The prefix of the folders of the mailbox at `address`: `Shared/<address>/`.
pub(crate) fn prefix(address: &str) -> String {
    let delimiter = caduceus_core::folder::DELIMITER;
    format!("{PREFIX}{delimiter}{address}{delimiter}")
}

/// The containers a login with `mandates` sees: `Shared`, then
/// `Shared/<address>` for each mailbox it may act for (none without any).
pub(crate) fn containers(mandates: &[Mandate]) -> Vec<String> {
    let mut names = Vec::new();
    if !mandates.is_empty() {
        names.push(PREFIX.to_owned());
    }
    for mandate in mandates {
        let prefix = prefix(mandate.account.address.as_str());
        names.push(
            prefix
                .trim_end_matches(caduceus_core::folder::DELIMITER)
                .to_owned(),
        );
    }
    names
}

/// A folder name resolved: whose mailbox, and which folder in it.
#[derive(Clone)]
pub(crate) struct Place {
    /// The access to the mailbox: the login's own, or the one the service gave
    /// for a shared mailbox (its traces carry `acting_for`).
    pub access: MailboxAccess,
    /// The folder's name in that mailbox.
    pub name: String,
    /// What the client sees before `name`: empty for the login's own mailbox,
    /// `Shared/<address>/` for a shared one.
    pub prefix: String,
}

impl Place {
    /// Whether this is a mailbox the person acts for (ID-3, ID-7), not their own.
    pub fn is_shared(&self) -> bool {
        self.access.acting_for().is_some()
    }

    /// The name the client sees for the folder `name` of this mailbox.
    pub fn shown(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

/// `folder` with a first level of INBOX in any case written `INBOX`, as the
/// login's own INBOX is (RFC 9051 §5.1).
pub(crate) fn inbox_named(folder: &str) -> String {
    let delimiter = caduceus_core::folder::DELIMITER;
    let (first, rest) = match folder.split_once(delimiter) {
        Some((first, rest)) => (first, Some(rest)),
        None => (folder, None),
    };
    match (first.eq_ignore_ascii_case("INBOX"), rest) {
        (true, None) => "INBOX".to_owned(),
        (true, Some(rest)) => format!("INBOX{delimiter}{rest}"),
        (false, _) => folder.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id3_names_under_shared_are_a_mailbox_and_a_folder_or_a_container() {
        assert_eq!(parse("INBOX"), Name::Own("INBOX"));
        assert_eq!(parse("Sharedness"), Name::Own("Sharedness"));
        assert_eq!(parse("Shared"), Name::Container);
        assert_eq!(parse("Shared/sec@org.example"), Name::Container);
        assert_eq!(parse("Shared/sec@org.example/"), Name::Container);
        assert_eq!(
            parse("Shared/sec@org.example/INBOX/2026"),
            Name::Shared {
                address: "sec@org.example",
                folder: "INBOX/2026"
            }
        );
        assert_eq!(prefix("sec@org.example"), "Shared/sec@org.example/");
        assert_eq!(inbox_named("inbox"), "INBOX");
        assert_eq!(inbox_named("Inbox/a"), "INBOX/a");
        assert_eq!(inbox_named("Sent"), "Sent");
    }
}
