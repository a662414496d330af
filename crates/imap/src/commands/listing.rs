//! LIST and LSUB (RFC 3501 §6.3.8, §6.3.9) and LIST's RFC 5258 options: which names a
//! listing gives, from the account's folders and the names it subscribed to, and
//! with which attributes and CHILDINFO.

use std::collections::BTreeSet;

use super::*;
use crate::commands::folders::status_items;

/// Which kind of listing a LIST-like command asks for.
#[derive(Clone, Copy)]
pub(crate) enum Listing<'a> {
    List,
    Lsub,
    /// LIST with RFC 5258 options.
    Extended(&'a ListOptions),
}

/// A LIST or LSUB command's arguments.
pub(super) struct ListArgs<'a> {
    /// The reference name, prefixed to each pattern.
    pub reference: &'a ImapMailbox<'static>,
    /// The mailbox patterns, any of which a name may match.
    pub patterns: &'a [ListMailbox<'static>],
    /// LIST, LSUB, or LIST with options.
    pub listing: Listing<'a>,
}

/// One name a listing gives.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Entry<'a> {
    /// The name as stored (UTF-8).
    pub name: String,
    /// The folder of that name, when one exists.
    pub folder: Option<&'a Mailbox>,
    /// Its attributes, without the backslash, in the order sent.
    pub attributes: Vec<&'static str>,
    /// `("CHILDINFO" ("SUBSCRIBED"))`: a subscribed name below it is not listed
    /// itself (RFC 5258 §3.5).
    pub childinfo: bool,
}

/// The names `listing` gives of an account holding `folders` and subscribed to
/// `subscribed`, `matches` saying whether a name matches the command's patterns.
///
/// - LIST: the folders, and the names above a folder the patterns leave out
///   (`%`), `\Noselect` (`\NonExistent` under RFC 5258) when no folder has them
///   (RFC 3501 §6.3.8); with RFC 5258's SUBSCRIBED selection, the subscribed names
///   instead, `\NonExistent` when no folder has them, and with RECURSIVEMATCH the
///   names above a subscribed one the patterns leave out, with CHILDINFO.
/// - LSUB: the subscribed names, `\Noselect` when no folder has them, and the
///   names above a subscribed one the patterns leave out (`%`), `\Noselect`
///   (RFC 3501 §6.3.9).
pub(super) fn entries<'a>(
    folders: &'a [Mailbox],
    subscribed: &BTreeSet<String>,
    matches: impl Fn(&str) -> bool,
    listing: Listing<'_>,
) -> Vec<Entry<'a>> {
    let folder = |name: &str| folders.iter().find(|f| f.name == name);
    let below = |parent: &str, name: &str| {
        name.len() > parent.len()
            && name.starts_with(parent)
            && name[parent.len()..].starts_with(DELIMITER)
    };
    let children = |name: &str| {
        if folders.iter().any(|f| below(name, &f.name)) {
            "HasChildren"
        } else {
            "HasNoChildren"
        }
    };
    // A subscribed name below `name` that the patterns leave out.
    let hidden_below = |name: &str| subscribed.iter().any(|s| below(name, s) && !matches(s));
    let options = match listing {
        Listing::Extended(options) => Some(options),
        _ => None,
    };
    let mut entries = Vec::new();
    if let Some(options) = options.filter(|o| o.subscribed) {
        for name in with_parents(subscribed, options.recursive) {
            let found = folder(&name);
            let is_subscribed = subscribed.contains(&name);
            if !matches(&name)
                || (options.special_use && found.is_none_or(|f| f.special_use.is_none()))
            {
                continue;
            }
            let childinfo = options.recursive
                && if is_subscribed {
                    subscribed.iter().any(|s| below(&name, s))
                } else {
                    hidden_below(&name)
                };
            if !is_subscribed && !childinfo {
                continue;
            }
            let mut attributes = Vec::new();
            match found {
                Some(_) => attributes.push(children(&name)),
                None => attributes.push("NonExistent"),
            }
            if is_subscribed {
                attributes.push("Subscribed");
            }
            entries.push(Entry {
                name,
                folder: found,
                attributes,
                childinfo,
            });
        }
        return entries;
    }
    if let Listing::Lsub = listing {
        for name in with_parents(subscribed, true) {
            let is_subscribed = subscribed.contains(&name);
            if !matches(&name) || (!is_subscribed && !hidden_below(&name)) {
                continue;
            }
            let found = folder(&name).filter(|_| is_subscribed);
            let attributes = if found.is_some() {
                vec![]
            } else {
                vec!["Noselect"]
            };
            entries.push(Entry {
                name,
                folder: found,
                attributes,
                childinfo: false,
            });
        }
        return entries;
    }
    let return_subscribed = options.is_some_and(|o| o.return_subscribed);
    for found in folders {
        if !matches(&found.name)
            || (options.is_some_and(|o| o.special_use) && found.special_use.is_none())
        {
            continue;
        }
        let mut attributes = vec![children(&found.name)];
        if return_subscribed && subscribed.contains(&found.name) {
            attributes.push("Subscribed");
        }
        entries.push(Entry {
            name: found.name.clone(),
            folder: Some(found),
            attributes,
            childinfo: false,
        });
    }
    if options.is_some_and(|o| o.special_use) {
        return entries;
    }
    let names: BTreeSet<String> = folders.iter().map(|f| f.name.clone()).collect();
    for name in with_parents(&names, true).difference(&names) {
        let left_out = folders
            .iter()
            .any(|f| below(name, &f.name) && !matches(&f.name));
        if !matches(name) || !left_out {
            continue;
        }
        let missing = if options.is_some() {
            "NonExistent"
        } else {
            "Noselect"
        };
        let mut attributes = vec![missing, "HasChildren"];
        if return_subscribed && subscribed.contains(name) {
            attributes.push("Subscribed");
        }
        entries.push(Entry {
            name: name.clone(),
            folder: None,
            attributes,
            childinfo: false,
        });
    }
    entries
}

/// `names`, and with `parents` every name above one of them, in order.
fn with_parents(names: &BTreeSet<String>, parents: bool) -> BTreeSet<String> {
    let mut all = names.clone();
    if parents {
        for name in names {
            let mut end = 0;
            while let Some(at) = name[end..].find(DELIMITER) {
                all.insert(name[..end + at].to_owned());
                end += at + 1;
            }
        }
    }
    all
}

impl Session {
    /// LIST, LSUB, and LIST with RFC 5258 options: the names matching any of
    /// `patterns` (see [`entries`]), each with its attributes, extended data and,
    /// when asked, STATUS (RFC 5819).
    pub(super) async fn list(
        &mut self,
        out: &mut Wire,
        tag: Tag<'static>,
        login: &Login,
        selected: Option<&Selected>,
        args: ListArgs<'_>,
    ) {
        let ListArgs {
            reference,
            patterns,
            listing,
        } = args;
        let reference = match reference {
            ImapMailbox::Inbox => "INBOX".to_owned(),
            ImapMailbox::Other(o) => String::from_utf8_lossy(o.as_ref()).into_owned(),
        };
        let patterns: Vec<String> = patterns
            .iter()
            .map(|pattern| {
                let bytes: &[u8] = match pattern {
                    ListMailbox::Token(t) => t.as_ref(),
                    ListMailbox::String(s) => s.as_ref(),
                };
                format!("{reference}{}", String::from_utf8_lossy(bytes))
            })
            .collect();
        let delimiter = QuotedChar::try_from(DELIMITER).expect("valid delimiter");
        if patterns.iter().all(String::is_empty) {
            // RFC 9051 §6.3.9: the delimiter and the root.
            out.enqueue_data(Data::List {
                items: vec![FlagNameAttribute::Noselect],
                delimiter: Some(delimiter),
                mailbox: ImapMailbox::try_from("").expect("empty name"),
            });
            out.enqueue_status(status(Kind::Ok, Some(tag), None, "LIST completed"));
            return;
        }
        let read = async {
            let subscribed = self.service.subscriptions(&login.access).await?;
            let visible = self.visible_folders(login).await?;
            Ok::<_, caduceus_service::ServiceError>((visible, subscribed))
        };
        let (visible, subscribed) = match read.await {
            Ok(read) => read,
            Err(error) => {
                out.enqueue_status(from_service(tag, &error));
                return;
            }
        };
        let subscribed: BTreeSet<String> = subscribed.into_iter().collect();
        // The client's form: UTF-8 under IMAP4rev2 or UTF8=ACCEPT, modified UTF-7
        // before.
        let wire = |name: &str| {
            if self.utf8_names() {
                name.to_owned()
            } else {
                utf7::encode(name)
            }
        };
        let matches = |name: &str| {
            let name = wire(name);
            patterns
                .iter()
                .any(|p| wildcard_match(p.as_bytes(), name.as_bytes()))
        };
        let options = match listing {
            Listing::Extended(options) => Some(options),
            _ => None,
        };
        let mut listed = BTreeSet::new();
        for entry in entries(&visible.folders, &subscribed, matches, listing) {
            listed.insert(entry.name.clone());
            let (old_name, name) = (utf7::encode(&entry.name), wire(&entry.name));
            let Ok(mailbox) = ImapMailbox::try_from(name.clone()) else {
                continue;
            };
            let mut items: Vec<FlagNameAttribute> = entry
                .attributes
                .iter()
                .map(|a| FlagNameAttribute::from(Atom::try_from(*a).expect("valid attribute")))
                .collect();
            if let Some(atom) = entry
                .folder
                .and_then(|f| f.special_use.as_deref())
                .and_then(|s| s.strip_prefix('\\'))
                .and_then(|s| Atom::try_from(s.to_owned()).ok())
            {
                items.push(FlagNameAttribute::from(atom));
            }
            let mut extended = Vec::new();
            if entry.childinfo {
                extended.push("\"CHILDINFO\" (\"SUBSCRIBED\")".to_owned());
            }
            if self.rev2 && old_name != name {
                extended.push(format!("\"OLDNAME\" ({})", quoted(&old_name)));
            }
            let data = match listing {
                Listing::Lsub => Data::Lsub {
                    items,
                    delimiter: Some(delimiter),
                    mailbox: mailbox.clone(),
                },
                _ => Data::List {
                    items,
                    delimiter: Some(delimiter),
                    mailbox: mailbox.clone(),
                },
            };
            if extended.is_empty() {
                out.enqueue_data(data);
            } else {
                let mut line = out.encode_without_crlf(data);
                line.extend_from_slice(format!(" ({})\r\n", extended.join(" ")).as_bytes());
                out.enqueue_line(&line);
            }
            if let (Some(true), Some(_)) = (options.map(|o| o.myrights), entry.folder) {
                // RFC 8440: the login's rights, after the folder's LIST.
                let line = format!("* MYRIGHTS {} {}\r\n", quoted(&name), super::acl::RIGHTS);
                out.enqueue_line(line.as_bytes());
            }
            let access = entry.folder.and_then(|folder| visible.access_of(folder));
            if let (Some(options), Some(folder), Some(access)) = (
                options.filter(|o| !o.status.is_empty()),
                entry.folder,
                access,
            ) {
                let read = async {
                    let (folder, messages) = self.service.folder_state(access, folder.id).await?;
                    let recent = self
                        .recent_count(access, selected, &folder, &messages, &options.status)
                        .await?;
                    let items = status_items(&folder, &messages, recent, &options.status);
                    Ok::<_, caduceus_service::ServiceError>((folder, items))
                };
                match read.await {
                    Ok((folder, items)) => {
                        let limit = self.service.config().max_message_size;
                        let extras = options.status_extras;
                        crate::extras::enqueue_status(out, mailbox, items, extras, &folder, limit);
                    }
                    Err(error) => {
                        out.enqueue_status(from_service(tag, &error));
                        return;
                    }
                }
            }
        }
        // The shared namespace's containers (ID-3, ID-7): `\Noselect` names, in a
        // LIST of the folders (not of subscriptions or special uses).
        let folders_listed = match listing {
            Listing::List => true,
            Listing::Lsub => false,
            Listing::Extended(options) => !options.subscribed && !options.special_use,
        };
        for name in visible.containers.iter().filter(|_| folders_listed) {
            if listed.contains(name) || !matches(name) {
                continue;
            }
            let Ok(mailbox) = ImapMailbox::try_from(wire(name)) else {
                continue;
            };
            let attribute = |a: &str| {
                FlagNameAttribute::from(Atom::try_from(a.to_owned()).expect("valid attribute"))
            };
            out.enqueue_data(Data::List {
                items: vec![attribute("Noselect"), attribute("HasChildren")],
                delimiter: Some(delimiter),
                mailbox,
            });
        }
        out.enqueue_status(status(Kind::Ok, Some(tag), None, "LIST completed"));
    }
}

/// The folders a LIST shows a login ([`Session::visible_folders`]).
struct Visible {
    /// Its own folders, then those of each mailbox it acts for, named as the
    /// client sees them (`Shared/<address>/<folder>`).
    folders: Vec<Mailbox>,
    /// The access of each mailbox, by its owner: the login's own first.
    accesses: Vec<MailboxAccess>,
    /// The shared namespace's containers (`Shared`, `Shared/<address>`).
    containers: Vec<String>,
}

impl Visible {
    /// The access to the mailbox `folder` is in.
    fn access_of(&self, folder: &Mailbox) -> Option<&MailboxAccess> {
        self.accesses.iter().find(|a| a.owner() == folder.account)
    }
}

impl Session {
    /// The folders a LIST shows `login`: its own (but those its own namespace
    /// hides under `Shared`), then those of each mailbox it acts for (ID-3, ID-7),
    /// each with the access the service gives for it.
    async fn visible_folders(
        &self,
        login: &Login,
    ) -> Result<Visible, caduceus_service::ServiceError> {
        let mut folders: Vec<Mailbox> = self
            .service
            .mailboxes(&login.access)
            .await?
            .into_iter()
            .filter(|f| matches!(crate::shared::parse(&f.name), crate::shared::Name::Own(_)))
            .collect();
        let mut accesses = vec![login.access.clone()];
        let caller = login.auth.caller();
        let mandates = self.service.mandates(&caller).await?;
        for mandate in &mandates {
            let access = self.service.authorize(&caller, mandate.account.id).await?;
            let prefix = crate::shared::prefix(mandate.account.address.as_str());
            for mut folder in self.service.mailboxes(&access).await? {
                folder.name = format!("{prefix}{}", folder.name);
                folders.push(folder);
            }
            accesses.push(access);
        }
        Ok(Visible {
            folders,
            accesses,
            containers: crate::shared::containers(&mandates),
        })
    }
}

/// `text` as an IMAP quoted string.
pub(super) fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// LIST wildcard matching (RFC 9051 §6.3.9): `*` matches anything, `%` anything
/// but the hierarchy delimiter; INBOX matches case-insensitively.
pub(crate) fn wildcard_match(pattern: &[u8], name: &[u8]) -> bool {
    if name.eq_ignore_ascii_case(b"INBOX") && pattern.eq_ignore_ascii_case(b"INBOX") {
        return true;
    }
    match pattern.split_first() {
        None => name.is_empty(),
        Some((b'*', rest)) => (0..=name.len()).any(|i| wildcard_match(rest, &name[i..])),
        Some((b'%', rest)) => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != DELIMITER as u8)
            .any(|i| wildcard_match(rest, &name[i..])),
        Some((c, rest)) => name.first() == Some(c) && wildcard_match(rest, &name[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caduceus_service::model::{AccountId, MailboxId};

    #[test]
    fn list_wildcards() {
        assert!(wildcard_match(b"*", b"INBOX"));
        assert!(wildcard_match(b"%", b"Sent"));
        assert!(!wildcard_match(b"%", b"Archive/2026"));
        assert!(wildcard_match(b"Archive/%", b"Archive/2026"));
        assert!(wildcard_match(b"*26", b"Archive/2026"));
        assert!(wildcard_match(b"inbox", b"INBOX"));
        assert!(!wildcard_match(b"Sen", b"Sent"));
        assert!(wildcard_match(b"S%t", b"Sent"));
    }

    /// RFC 5258 §5, example 9: foo2/bar1, foo2/bar2, baz2/bar2, baz2/bar22,
    /// baz2/bar222, eps2, eps2/mamba and qux2/bar2 subscribed; `"*2"`.
    #[test]
    fn rfc5258_recursivematch_reports_parents_of_subscribed_names_left_out() {
        let folders: Vec<Mailbox> = ["foo2", "foo2/bar1", "foo2/bar2", "baz2", "baz2/bar2"]
            .iter()
            .chain(&[
                "baz2/bar22",
                "baz2/bar222",
                "eps2",
                "eps2/mamba",
                "qux2/bar2",
            ])
            .enumerate()
            .map(|(i, name)| Mailbox {
                id: MailboxId(i as i64),
                account: AccountId(1),
                name: (*name).to_owned(),
                special_use: None,
                uidvalidity: 1,
                uidnext: 1,
                highest_modseq: 1,
            })
            .collect();
        let subscribed: BTreeSet<String> = folders[1..]
            .iter()
            .map(|f| f.name.clone())
            .filter(|n| n != "baz2")
            .collect();
        let options = ListOptions {
            subscribed: true,
            recursive: true,
            ..ListOptions::default()
        };
        let matches = |name: &str| wildcard_match(b"*2", name.as_bytes());
        let listed: Vec<(String, Vec<&str>, bool)> =
            entries(&folders, &subscribed, matches, Listing::Extended(&options))
                .into_iter()
                .map(|e| (e.name, e.attributes, e.childinfo))
                .collect();
        let entry = |name: &str, attributes: &[&'static str], childinfo| {
            (name.to_owned(), attributes.to_vec(), childinfo)
        };
        assert_eq!(
            listed,
            [
                entry("baz2/bar2", &["HasNoChildren", "Subscribed"], false),
                entry("baz2/bar22", &["HasNoChildren", "Subscribed"], false),
                entry("baz2/bar222", &["HasNoChildren", "Subscribed"], false),
                entry("eps2", &["HasChildren", "Subscribed"], true),
                entry("foo2", &["HasChildren"], true),
                entry("foo2/bar2", &["HasNoChildren", "Subscribed"], false),
                entry("qux2/bar2", &["HasNoChildren", "Subscribed"], false),
            ]
        );
    }
}
