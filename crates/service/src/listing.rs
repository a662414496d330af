//! A page of messages (MS-6): one folder, or a search across every folder of the
//! mailbox, sorted by date, sender or subject in either direction, with no cap on
//! how far one pages. The webmail's list is this use case.
//!
//! What is opened, and traced (TR-1): sorting by date (arrival, kept in the clear)
//! without a search opens only the page's messages (`message.headers`). Sorting by
//! sender or subject, or searching, needs the header facts sealed at ingest, so every
//! message in scope is opened for that (`message.search`, as an IMAP SORT or SEARCH
//! is), then the page's are shown (`message.headers`). The search compares folded
//! text (`caduceus_core::directory::fold`: no case, no accents, so "hemoglobine" finds
//! "Hémoglobine") in the subject and the sender and recipients' names and addresses;
//! not in bodies, which are sealed at rest: searching them would open and parse every
//! body of the mailbox on each search (IMAP `SEARCH BODY` does, on request).

use std::cmp::Ordering;

use caduceus_core::directory::fold;
use caduceus_store::{Mailbox, MessageId, MessageSummary};

use crate::Service;
use crate::error::Result;
use crate::folders::Opening;
use crate::ingest::{MessageMeta, MetaAddress};
use crate::messages::{MailboxAccess, ReadMessage};

/// The most messages a page holds.
pub const MAX_PER_PAGE: usize = 200;

/// What the messages are sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Their arrival (the order of the folder).
    #[default]
    Date,
    /// The sender's name, else address (`From:`).
    Sender,
    /// The subject.
    Subject,
}

/// Which way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Direction {
    /// Oldest, or A, first.
    Ascending,
    /// Newest, or Z, first.
    #[default]
    Descending,
}

impl SortKey {
    /// Every key, in the order a page offers them.
    pub const ALL: [SortKey; 3] = [SortKey::Date, SortKey::Sender, SortKey::Subject];

    /// Its name in a URL (`date`, `sender`, `subject`).
    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Date => "date",
            SortKey::Sender => "sender",
            SortKey::Subject => "subject",
        }
    }

    /// The key named `name` in a URL.
    pub fn parse(name: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl Direction {
    /// Its name in a URL (`asc`, `desc`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ascending => "asc",
            Direction::Descending => "desc",
        }
    }

    /// The direction named `name` in a URL.
    pub fn parse(name: &str) -> Option<Direction> {
        [Direction::Ascending, Direction::Descending]
            .into_iter()
            .find(|d| d.as_str() == name)
    }

    /// The other way.
    pub fn reversed(self) -> Direction {
        match self {
            Direction::Ascending => Direction::Descending,
            Direction::Descending => Direction::Ascending,
        }
    }
}

/// Where the messages are looked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One folder, by name.
    Folder(String),
    /// Every folder of the mailbox (a search).
    AllFolders,
}

/// Which page of which messages, in which order.
#[derive(Clone, Debug)]
pub struct Listing {
    /// The folder, or all of them.
    pub scope: Scope,
    /// Words the subject or a correspondent must hold (folded); empty: all.
    pub search: String,
    /// The order.
    pub sort: SortKey,
    /// Which way.
    pub direction: Direction,
    /// The page, from 1 (past the last: the last).
    pub page: usize,
    /// Messages per page, 1 to [`MAX_PER_PAGE`].
    pub per_page: usize,
}

/// A message of the page, with its folder.
pub struct Listed {
    /// The folder holding it.
    pub folder: Mailbox,
    /// Its summary and header facts.
    pub message: ReadMessage,
}

/// One page of messages.
pub struct MessagePage {
    /// The messages of the page, in order.
    pub messages: Vec<Listed>,
    /// How many messages the scope and search hold in all.
    pub total: usize,
    /// The page shown, from 1.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
}

/// A message in scope, before the page is cut.
struct Candidate {
    folder: usize,
    summary: MessageSummary,
    /// The folded sort key, when sorting on a sealed fact.
    key: String,
}

/// Whether the folded `needle` ([`fold`]) is in the header facts a list shows: the
/// subject, the sender's and recipients' names and addresses, themselves folded —
/// the search of the webmail and of the API's folder listing (MS-6).
pub fn matches(meta: &MessageMeta, needle: &str) -> bool {
    let subject = meta.subject.as_deref().map(fold).unwrap_or_default();
    subject.contains(needle)
        || [&meta.from, &meta.to, &meta.cc]
            .into_iter()
            .flatten()
            .any(|a| fold(&address_text(a)).contains(needle))
}

/// A correspondent's name and address as one text.
fn address_text(address: &MetaAddress) -> String {
    let name = address.name.as_deref().unwrap_or("");
    let at = address.address.as_deref().unwrap_or("");
    format!("{name} {at}")
}

/// The folded sort key of a message: its sender's name (else address) or subject.
fn sort_key(meta: &MessageMeta, sort: SortKey) -> String {
    match sort {
        SortKey::Date => String::new(),
        SortKey::Subject => fold(meta.subject.as_deref().unwrap_or("")),
        SortKey::Sender => meta
            .from
            .first()
            .map(|a| fold(a.name.as_deref().or(a.address.as_deref()).unwrap_or("")))
            .unwrap_or_default(),
    }
}

impl Service {
    /// A page of messages of `access`'s mailbox (MS-6): the scope's messages matching
    /// the search, sorted, cut into pages; see the module's notes for what is opened
    /// and traced.
    pub async fn list_messages(
        &self,
        access: &MailboxAccess,
        listing: &Listing,
    ) -> Result<MessagePage> {
        let folders = match &listing.scope {
            Scope::Folder(name) => vec![self.open_folder(access, name).await?],
            Scope::AllFolders => {
                let mut all = Vec::new();
                for mailbox in self.mailboxes(access).await? {
                    all.push(self.folder_state(access, mailbox.id).await?);
                }
                all
            }
        };
        let needle = fold(&listing.search);
        let sealed = !needle.is_empty() || listing.sort != SortKey::Date;
        let mut candidates = Vec::new();
        for (index, (mailbox, summaries)) in folders.iter().enumerate() {
            if !sealed {
                candidates.extend(summaries.iter().map(|s| Candidate {
                    folder: index,
                    summary: s.clone(),
                    key: String::new(),
                }));
                continue;
            }
            let ids: Vec<MessageId> = summaries.iter().map(|s| s.id).collect();
            let opened = self
                .open_messages(access, mailbox.id, &ids, Opening::SearchHeaders)
                .await?;
            candidates.extend(
                opened
                    .into_iter()
                    .filter(|m| needle.is_empty() || matches(m.meta(), &needle))
                    .map(|m| Candidate {
                        folder: index,
                        key: sort_key(m.meta(), listing.sort),
                        summary: m.summary,
                    }),
            );
        }
        let by_arrival = |a: &Candidate, b: &Candidate| {
            (a.summary.internal, a.summary.uid).cmp(&(b.summary.internal, b.summary.uid))
        };
        candidates.sort_by(|a, b| match a.key.cmp(&b.key) {
            Ordering::Equal => by_arrival(a, b),
            other => other,
        });
        if listing.direction == Direction::Descending {
            candidates.reverse();
        }
        let per_page = listing.per_page.clamp(1, MAX_PER_PAGE);
        let total = candidates.len();
        let pages = total.div_ceil(per_page).max(1);
        let page = listing.page.clamp(1, pages);
        let shown: Vec<&Candidate> = candidates
            .iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        // The page's messages shown, each folder in one opening, back in order.
        let mut messages: Vec<Option<Listed>> = shown.iter().map(|_| None).collect();
        for (index, (mailbox, _)) in folders.iter().enumerate() {
            let slots: Vec<usize> = (0..shown.len())
                .filter(|&i| shown[i].folder == index)
                .collect();
            if slots.is_empty() {
                continue;
            }
            let ids: Vec<MessageId> = slots.iter().map(|&i| shown[i].summary.id).collect();
            let opened = self
                .open_messages(access, mailbox.id, &ids, Opening::Headers)
                .await?;
            for (slot, message) in slots.into_iter().zip(opened) {
                messages[slot] = Some(Listed {
                    folder: mailbox.clone(),
                    message,
                });
            }
        }
        Ok(MessagePage {
            messages: messages.into_iter().flatten().collect(),
            total,
            page,
            pages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms6_sort_keys_and_directions_round_trip_through_urls() {
        for key in SortKey::ALL {
            assert_eq!(SortKey::parse(key.as_str()), Some(key));
        }
        for direction in [Direction::Ascending, Direction::Descending] {
            assert_eq!(Direction::parse(direction.as_str()), Some(direction));
            assert_eq!(direction.reversed().reversed(), direction);
        }
        assert_eq!(SortKey::parse("size"), None);
    }
}
