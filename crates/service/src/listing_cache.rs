//! The listing cache (issue 20 item 4, MS-18): what a mail client's listing needs of
//! a message's content, kept in memory once opened, so a folder listed again is not
//! opened again, message by message.
//!
//! A listing (IMAP `FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE …)`) needs of each
//! message its structure ([`MessageStructure`]: ENVELOPE, BODYSTRUCTURE), derived at
//! ingest from the message's bytes only, never from who reads it. Once a message was
//! opened and integrity-checked under its own key (MS-4), its structure is kept here,
//! keyed by the *content's identity*: the sealed body's id (`blob_id`), never the
//! row's [`MessageId`] alone (SQLite may give a deleted row's id to another message,
//! and an entry must never be served for another content). Copies of one delivery
//! share a body, so they share an entry. With an entry, a front end keeps what it
//! rendered of the structure ([`Listed::rendered`]: the IMAP front end's encoding of
//! ENVELOPE and BODYSTRUCTURE), so a warm listing neither opens nor encodes them
//! again. The cache is bounded in bytes (each entry weighed by twice its sealed
//! record's size, an upper bound of its structure and its rendering), the least used
//! out (`quick_cache`'s CLOCK-Pro); nothing of it is stored at rest.
//!
//! Every listing still goes through [`Service::list_messages_still_there`], as the
//! uncached path does: the accessor's right on the folder checked (AC-1), the rows
//! still in the folder read (a message another session or node expunged is answered
//! as gone whatever the cache holds, RFC 2180 §4.1), one `message.headers` trace per
//! message answered (TR-1) and the patients' access logs written (TR-4) by the same
//! code ([`Service::trace_opened`]). Only the opening of a message already here is
//! skipped.
//!
//! RT-3: an entry holds a message's envelope (subject, addresses) and structure, in
//! memory only. The node that expunges a message or deletes a message evicts its
//! entry once the deletion is done (a listing that opened it meanwhile does not put
//! it back); deleting a folder or an account (at the holder's request, after the
//! closure grace, for inactivity) empties the cache. What another node deleted stays
//! here until newer entries push it out or the process stops, and is never served: a
//! listing answers only the rows still present.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use caduceus_store::{MailboxId, MessageId, PresentMessage, Unseal};

use crate::Service;
use crate::error::Result;
use crate::folders::Opening;
use crate::ingest::MessageStructure;
use crate::messages::{MailboxAccess, ReadMessage};

/// The cache's bound when the operator sets none: 64 MiB.
pub const DEFAULT_BYTES: u64 = 64 * 1024 * 1024;

/// What an entry weighs beyond twice its sealed record (the structure, and what a
/// front end rendered of it: about as much again): the allocations' own cost.
const ENTRY_OVERHEAD: u64 = 256;

/// The structures of the contents listed lately, by content id; shared by the
/// clones of one [`Service`].
pub struct ListingCache {
    /// `None` when the operator disabled the cache (a bound of 0).
    entries: Option<quick_cache::sync::Cache<String, Entry, ByWeight>>,
    /// How many evictions were made: a listing that opened messages while one was
    /// made does not keep what it opened (the message may be the one deleted).
    evictions: AtomicU64,
}

/// One content's structure and what it weighs.
#[derive(Clone)]
struct Entry {
    content: Arc<Content>,
    weight: u64,
}

/// What is kept of one content: its structure, and what a front end rendered of it
/// once (an IMAP session's encoding of ENVELOPE and BODYSTRUCTURE, issue 20 item 4),
/// derived from the structure only.
struct Content {
    structure: MessageStructure,
    rendered: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
}

impl Content {
    fn new(structure: MessageStructure) -> Arc<Self> {
        Arc::new(Self {
            structure,
            rendered: std::sync::OnceLock::new(),
        })
    }
}

/// Weighs an entry by its content id and the weight it was given when put in.
#[derive(Clone)]
struct ByWeight;

impl quick_cache::Weighter<String, Entry> for ByWeight {
    fn weight(&self, key: &String, entry: &Entry) -> u64 {
        key.len() as u64 + entry.weight
    }
}

impl ListingCache {
    /// A cache holding at most `bytes` (estimated); 0 keeps nothing.
    pub fn new(bytes: u64) -> Self {
        let entries = (bytes > 0).then(|| {
            let estimated = usize::try_from(bytes / 2048).unwrap_or(usize::MAX).max(16);
            quick_cache::sync::Cache::with_weighter(estimated, bytes, ByWeight)
        });
        Self {
            entries,
            evictions: AtomicU64::new(0),
        }
    }

    /// What is kept of the content of `message`, if anything.
    fn get(&self, message: &PresentMessage) -> Option<Arc<Content>> {
        let entries = self.entries.as_ref()?;
        entries.get(&message.blob_id).map(|entry| entry.content)
    }

    /// Where evictions are: read before opening what is put in afterwards.
    fn mark(&self) -> u64 {
        self.evictions.load(Ordering::SeqCst)
    }

    /// Keeps `content` for the content id `blob_id`, weighing `weight` bytes, unless
    /// an eviction was made since `mark` (what was opened may be what was deleted).
    fn put(&self, blob_id: &str, content: Arc<Content>, weight: u64, mark: u64) {
        let Some(entries) = &self.entries else {
            return;
        };
        if self.mark() == mark {
            entries.insert(blob_id.to_owned(), Entry { content, weight });
        }
    }

    /// Whether anything is kept at all (an eviction need not look for content ids
    /// otherwise).
    fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// Forgets the contents `blob_ids` (their messages were deleted, RT-3).
    fn evict<'a>(&self, blob_ids: impl IntoIterator<Item = &'a str>) {
        let Some(entries) = &self.entries else {
            return;
        };
        self.evictions.fetch_add(1, Ordering::SeqCst);
        for blob_id in blob_ids {
            entries.remove(blob_id);
        }
    }

    /// Forgets everything (a folder or an account deleted, RT-3).
    pub(crate) fn clear(&self) {
        if let Some(entries) = &self.entries {
            self.evictions.fetch_add(1, Ordering::SeqCst);
            entries.clear();
        }
    }

    /// How many contents are kept, and their weight in bytes.
    pub fn usage(&self) -> (usize, u64) {
        self.entries
            .as_ref()
            .map_or((0, 0), |entries| (entries.len(), entries.weight()))
    }
}

impl std::fmt::Debug for ListingCache {
    /// Never prints content (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (count, weight) = self.usage();
        f.debug_struct("ListingCache")
            .field("entries", &count)
            .field("weight", &weight)
            .finish_non_exhaustive()
    }
}

/// A message as a listing answers it: its row and its structure.
#[derive(Clone)]
pub struct Listed {
    /// The row.
    pub id: MessageId,
    content: Arc<Content>,
}

impl Listed {
    /// The structure computed at ingest (ENVELOPE, BODYSTRUCTURE).
    pub fn structure(&self) -> &MessageStructure {
        &self.content.structure
    }

    /// What a front end renders of the structure (its encoding of the listing's
    /// items), made by `render` the first time this content is asked for and kept
    /// with its cache entry, so the next listings copy it. Derived from the
    /// structure alone, so it is the same for every reader. One front end, one type
    /// `T`: `None` when another type was rendered first.
    pub fn rendered<T: Send + Sync + 'static>(
        &self,
        render: impl FnOnce(&MessageStructure) -> T,
    ) -> Option<&T> {
        self.content
            .rendered
            .get_or_init(|| Box::new(render(&self.content.structure)))
            .downcast_ref()
    }
}

impl std::fmt::Debug for Listed {
    /// Never prints content (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listed")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// The structures of those of `ids` still in the owner's `folder`, for a mail
    /// client's listing (ENVELOPE, BODYSTRUCTURE): `None` for a message gone
    /// meanwhile (RFC 2180 §4.1). Checked (AC-1) and traced (TR-1, TR-4) as
    /// [`Service::open_messages_still_there`] with [`Opening::Headers`]; the messages
    /// whose content is in the listing cache are not opened again, the others are
    /// opened (metadata only) and put in it.
    pub async fn list_messages_still_there(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<Vec<Option<Listed>>> {
        let cache = &self.listing_cache;
        let mark = cache.mark();
        let present = self
            .beside_folder_check(access, folder, self.store.messages_present(folder, ids))
            .await?;
        let mut listed: Vec<Option<Listed>> = present
            .iter()
            .map(|row| {
                let row = row.as_ref()?;
                let content = cache.get(row)?;
                Some(Listed {
                    id: row.id,
                    content,
                })
            })
            .collect();
        let misses: Vec<(usize, &PresentMessage)> = present
            .iter()
            .enumerate()
            .filter(|(at, _)| listed[*at].is_none())
            .filter_map(|(at, row)| Some((at, row.as_ref()?)))
            .collect();
        if !misses.is_empty() {
            let miss_ids: Vec<MessageId> = misses.iter().map(|(_, row)| row.id).collect();
            let opened = self
                .open_present(folder, &miss_ids, Unseal::MetaOnly)
                .await?;
            for ((at, row), opened) in misses.into_iter().zip(opened) {
                // Gone since the look, or another message under a row id SQLite
                // reused (its UID differs): answered as gone.
                let Some(opened) = opened.filter(|m| m.summary.uid == row.uid) else {
                    continue;
                };
                let weight = 2 * opened.meta.len() as u64 + ENTRY_OVERHEAD;
                let message = ReadMessage::new(opened.summary, opened.raw, opened.meta);
                let content = Content::new(message.structure().into_owned());
                cache.put(&row.blob_id, content.clone(), weight, mark);
                listed[at] = Some(Listed {
                    id: row.id,
                    content,
                });
            }
        }
        let read: Vec<MessageId> = listed.iter().flatten().map(|m| m.id).collect();
        self.trace_opened(access, Opening::Headers, &read).await?;
        Ok(listed)
    }

    /// The content ids of those of `ids` in `folder`, read before they are deleted
    /// so that their listing cache entries go with them (RT-3); none when the cache
    /// is disabled.
    pub(crate) async fn listed_contents(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<Vec<String>> {
        if !self.listing_cache.enabled() {
            return Ok(Vec::new());
        }
        let present = self.store.messages_present(folder, ids).await?;
        Ok(present.into_iter().flatten().map(|m| m.blob_id).collect())
    }

    /// Forgets the listing cache entries of contents deleted (RT-3).
    pub(crate) fn forget_listed(&self, blob_ids: &[String]) {
        self.listing_cache
            .evict(blob_ids.iter().map(String::as_str));
    }

    /// The listing cache's use: contents kept and their weight in bytes.
    pub fn listing_cache_usage(&self) -> (usize, u64) {
        self.listing_cache.usage()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::MessageMeta;

    fn structure(subject: &str) -> Arc<Content> {
        let raw = format!("From: a@caduceus.test\r\nSubject: {subject}\r\n\r\nbody\r\n");
        Content::new(
            MessageMeta::parse(raw.as_bytes())
                .unwrap()
                .structure
                .unwrap(),
        )
    }

    fn row(id: i64, blob_id: &str) -> PresentMessage {
        PresentMessage {
            id: MessageId(id),
            uid: 1,
            blob_id: blob_id.to_owned(),
        }
    }

    #[test]
    fn ms18_two_contents_under_one_message_id_never_share_an_entry() {
        let cache = ListingCache::new(DEFAULT_BYTES);
        let first = row(7, "blob-a");
        cache.put(&first.blob_id, structure("first"), 100, cache.mark());
        // The same row id, given by SQLite to another message after a deletion.
        let reused = row(7, "blob-b");
        assert!(cache.get(&reused).is_none());
        cache.put(&reused.blob_id, structure("second"), 100, cache.mark());
        let envelope =
            |message: &PresentMessage| cache.get(message).unwrap().structure.envelope.clone();
        assert_eq!(envelope(&first), structure("first").structure.envelope);
        assert_eq!(envelope(&reused), structure("second").structure.envelope);
    }

    #[test]
    fn ms18_a_rendering_is_made_once_per_content_and_kept_with_it() {
        let listed = Listed {
            id: MessageId(1),
            content: structure("s"),
        };
        let again = listed.clone();
        assert_eq!(
            listed.rendered(|s| s.header_end()),
            Some(&again.structure().header_end())
        );
        let made = again.rendered(|_| 0u32);
        assert_eq!(
            made,
            Some(&listed.structure().header_end()),
            "made once, kept"
        );
        assert_eq!(listed.rendered(|_| "another type"), None);
    }

    #[test]
    fn rt3_an_evicted_content_is_gone_and_not_put_back_by_a_listing_begun_before() {
        let cache = ListingCache::new(DEFAULT_BYTES);
        let message = row(1, "blob-a");
        let before = cache.mark();
        cache.put(&message.blob_id, structure("s"), 100, before);
        cache.evict(["blob-a"]);
        assert!(cache.get(&message).is_none());
        // A listing that opened the message before the deletion keeps nothing.
        cache.put(&message.blob_id, structure("s"), 100, before);
        assert!(cache.get(&message).is_none());
    }

    #[test]
    fn ms18_the_cache_stays_within_its_bound_and_zero_keeps_nothing() {
        let cache = ListingCache::new(64 * 1024);
        for n in 0..1000 {
            cache.put(&format!("blob-{n}"), structure("s"), 1024, cache.mark());
        }
        let (count, weight) = cache.usage();
        assert!(weight <= 64 * 1024, "{weight}");
        assert!(count > 0 && count < 1000, "{count}");
        let off = ListingCache::new(0);
        off.put("blob-a", structure("s"), 100, off.mark());
        assert!(off.get(&row(1, "blob-a")).is_none());
        assert_eq!(off.usage(), (0, 0));
    }
}
