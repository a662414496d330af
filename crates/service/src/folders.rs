//! What mail clients do with a mailbox owner's folders, in batches: look at a
//! folder's state without opening it, read or peek at many messages at once (one
//! trace commit for all, TR-1), change many messages' flags, expunge, append.
//! Every call checks that the messages are in the owner's folders (AC-1, ID-3).

use caduceus_audit::{Action, Object};
use caduceus_core::Requirement;
use caduceus_core::{FlagChange, Timestamp};
use caduceus_store::{
    Delivered, Delivery, FlagsOutcome, Mailbox, MailboxId, MessageId, MessageSummary, StoreError,
    Target, Unseal,
};

use crate::Service;
use crate::antivirus::Verdict;
use crate::error::{Result, ServiceError};
use crate::ingest::MessageMeta;
use crate::messages::{MailboxAccess, ReadMessage};

/// How messages are opened for a person. Every opening reveals content, so each is
/// traced with that person, one trace per message, all in one commit with the reads
/// (TR-1), and recorded in the access log of the patients concerned (TR-4). Whether
/// IMAP sets `\Seen` is the client's business, not the trace's: `BODY.PEEK[]` is a
/// read like `BODY[]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opening {
    /// Bodies (IMAP `BODY[…]`, `BODY.PEEK[…]`, `BINARY`, `RFC822*`; an export): traced
    /// `message.read`.
    Read,
    /// Whole messages only (IMAP `BODY[]`, `BODY.PEEK[]`, `BINARY[]`, `RFC822`): the
    /// bodies alone are unsealed, not the metadata (a [`ReadMessage::structure`] asked
    /// all the same is computed from the bytes); traced `message.read`, as a read.
    ReadWhole,
    /// The header facts computed at ingest only (ENVELOPE, BODYSTRUCTURE, a listing with
    /// subjects): [`ReadMessage::raw`] is empty; traced `message.headers`.
    Headers,
    /// Bodies searched (IMAP SEARCH on text or headers): traced `message.search`.
    Search,
    /// The header facts searched or sorted on (IMAP SORT by subject or sender):
    /// [`ReadMessage::raw`] is empty; traced `message.search`.
    SearchHeaders,
}

impl Opening {
    /// The action traced for each message opened.
    fn action(self) -> Action {
        match self {
            Opening::Read | Opening::ReadWhole => Action::MessageRead,
            Opening::Headers => Action::MessageHeaders,
            Opening::Search | Opening::SearchHeaders => Action::MessageSearch,
        }
    }

    /// How much is unsealed.
    fn unseal(self) -> Unseal {
        match self {
            Opening::Read | Opening::Search => Unseal::Whole,
            Opening::ReadWhole => Unseal::BodyOnly,
            Opening::Headers | Opening::SearchHeaders => Unseal::MetaOnly,
        }
    }
}

/// What changed in a folder after a MODSEQ ([`Service::folder_changes`]).
#[derive(Clone, Debug)]
pub struct FolderChanges {
    /// The folder now (its UIDNEXT and HIGHESTMODSEQ).
    pub mailbox: Mailbox,
    /// The messages changed or added since, by UID.
    pub changed: Vec<MessageSummary>,
    /// The UIDs removed since (expunged or moved out), ascending.
    pub vanished: Vec<i64>,
}

/// How many times a batch is tried again when another session expunged some of
/// its messages between the look and the act.
const RACE_RETRIES: usize = 3;

impl Service {
    /// The owner's folder `name`, if it exists; not traced (no content is read).
    pub async fn find_folder(&self, access: &MailboxAccess, name: &str) -> Result<Option<Mailbox>> {
        Ok(self.store.mailbox(access.owner(), name).await?)
    }

    /// A folder's counters and its messages' summaries (UIDs, flags, sizes), for a
    /// client refreshing its view or asking STATUS; not traced (no content is read).
    pub async fn folder_state(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
    ) -> Result<(Mailbox, Vec<MessageSummary>)> {
        let mailbox = self.owned_folder(access, folder).await?;
        let messages = self.store.messages(folder).await?;
        Ok((mailbox, messages))
    }

    /// What changed in the owner's `folder` after `modseq`, for a client refreshing
    /// its view without reading every summary again; not traced (no content is
    /// read). The folder is read first: whatever its counters say happened is in
    /// the changes (which may hold later ones too).
    pub async fn folder_changes(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        modseq: i64,
    ) -> Result<FolderChanges> {
        let mailbox = self.owned_folder(access, folder).await?;
        let changed = self.store.messages_changed_since(folder, modseq).await?;
        let vanished = self.store.expunged_since(folder, modseq).await?;
        Ok(FolderChanges {
            mailbox,
            changed,
            vanished,
        })
    }

    /// A receiver that changes whenever the owner's `folder` does (delivery, flags,
    /// expunge; on PostgreSQL, on any node): what an IMAP IDLE waits on.
    pub async fn watch_folder(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
    ) -> Result<tokio::sync::watch::Receiver<u64>> {
        self.owned_folder(access, folder).await?;
        Ok(self.store.watch_mailbox(folder))
    }

    /// The UIDs expunged from the owner's `folder` after `modseq` (IMAP QRESYNC).
    pub async fn expunged_since(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        modseq: i64,
    ) -> Result<Vec<i64>> {
        self.owned_folder(access, folder).await?;
        Ok(self.store.expunged_since(folder, modseq).await?)
    }

    /// Claims the owner's messages of `folder` up to UID `up_to` as `\Recent` for
    /// one IMAP session that selected it read-write (RFC 3501 §2.3.2): returns the
    /// UID above which they are recent to that session, and to no other. Not traced
    /// (no content is read).
    pub async fn claim_recent(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        up_to: i64,
    ) -> Result<i64> {
        self.owned_folder(access, folder).await?;
        Ok(self.store.claim_recent(folder, up_to).await?)
    }

    /// The UID above which the owner's messages of `folder` are still `\Recent` to
    /// the next session selecting it (what STATUS RECENT and EXAMINE report).
    pub async fn recent_claimed(&self, access: &MailboxAccess, folder: MailboxId) -> Result<i64> {
        self.owned_folder(access, folder).await?;
        Ok(self.store.recent_claimed(folder).await?)
    }

    /// `read`, run beside the check that `folder` is one the person of `access` may
    /// open (AC-1): one round trip less on the way, and its result is given only once
    /// the check passed (the check's refusal first).
    pub(crate) async fn beside_folder_check<T, E>(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        read: impl std::future::Future<Output = std::result::Result<T, E>>,
    ) -> Result<T>
    where
        ServiceError: From<E>,
    {
        let (owned, read) = tokio::join!(self.owned_folder(access, folder), read);
        owned?;
        Ok(read?)
    }

    pub(crate) async fn owned_folder(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
    ) -> Result<Mailbox> {
        self.store
            .mailboxes(access.owner())
            .await?
            .into_iter()
            .find(|m| m.id == folder)
            .ok_or_else(|| ServiceError::NotFound(format!("folder {folder}")))
    }

    /// Checks that every message is in `folder`, one of the owner's folders.
    async fn in_folder(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<()> {
        let inside = self.still_in_folder(access, folder, ids).await?;
        if let Some(id) = ids.iter().find(|id| !inside.contains(id)) {
            // The same answer as a missing message: reveals nothing of others.
            return Err(ServiceError::NotFound(format!("message {id}")));
        }
        Ok(())
    }

    /// Those of `ids` still in the owner's `folder`, in their order. A message
    /// another session expunged or moved away meanwhile is simply gone (RFC 2180
    /// §4): what is left may be acted on, and nothing outside the folder ever is.
    async fn still_in_folder(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<Vec<MessageId>> {
        self.owned_folder(access, folder).await?;
        let found = self.store.message_summaries(ids).await?;
        let inside: std::collections::HashSet<MessageId> = found
            .into_iter()
            .filter(|m| m.mailbox == folder)
            .map(|m| m.id)
            .collect();
        Ok(ids
            .iter()
            .copied()
            .filter(|id| inside.contains(id))
            .collect())
    }

    /// [`Service::open_messages`] for a mail client whose view of `folder` may be
    /// behind another session's expunge: a message gone meanwhile reads as `None`
    /// (RFC 2180 §4.1), the others are opened and traced as usual (TR-1, TR-4). The
    /// store opens only messages still in `folder` (AC-1), in the one read that
    /// finds them: no look beforehand. A message whose key is destroyed is read
    /// again a few times (an expunge in progress removes its row next), then answered
    /// as deleted for good (RT-3).
    pub async fn open_messages_still_there(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        ids: &[MessageId],
        opening: Opening,
    ) -> Result<Vec<Option<ReadMessage>>> {
        let opened = self
            .beside_folder_check(
                access,
                folder,
                self.open_present(folder, ids, opening.unseal()),
            )
            .await?;
        let read: Vec<MessageId> = opened.iter().flatten().map(|m| m.summary.id).collect();
        self.trace_opened(access, opening, &read).await?;
        Ok(opened
            .into_iter()
            .map(|opened| opened.map(|m| ReadMessage::new(m.summary, m.raw, m.meta)))
            .collect())
    }

    /// Opens those of `ids` still in `folder` (`None` for one gone, RFC 2180 §4.1);
    /// a key destroyed by an expunge in progress is read again a few times, one
    /// destroyed for good stays an error (RT-3). Not traced: see
    /// [`Service::trace_opened`].
    pub(crate) async fn open_present(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
        unseal: Unseal,
    ) -> Result<Vec<Option<caduceus_store::OpenedMessage>>> {
        let mut attempt = 0;
        loop {
            match self.store.open_messages_present(folder, ids, unseal).await {
                // An expunge destroys the key, then the row: read again once it is
                // done. A key destroyed for good (RT-3) stays an error.
                Err(StoreError::ContentDestroyed(_)) if attempt < RACE_RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                done => return Ok(done?),
            }
        }
    }

    /// Traces each of `read`, opened as `opening` for the person of `access`, one
    /// entry each, before anything is shown (TR-1), and records them in the access
    /// logs of the patients they concern (TR-4).
    pub(crate) async fn trace_opened(
        &self,
        access: &MailboxAccess,
        opening: Opening,
        read: &[MessageId],
    ) -> Result<()> {
        let action = opening.action();
        let now = self.now_ms();
        let traces: Vec<_> = read
            .iter()
            .map(|id| access.event(now, action, Object::of(*id)))
            .collect();
        self.store.append_traces(&traces).await?;
        self.record_reads(access.person(), action, read).await;
        Ok(())
    }

    /// Opens messages of `folder` for the person of `access`: each opening traced
    /// with them, all in one commit with the reads (TR-1), and recorded for the
    /// patients the messages concern (TR-4).
    pub async fn open_messages(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        ids: &[MessageId],
        opening: Opening,
    ) -> Result<Vec<ReadMessage>> {
        // The store opens only messages of `folder`: that is the check that every
        // one is in it (AC-1), made in the same query that reads them.
        self.owned_folder(access, folder).await?;
        let now = self.now_ms();
        let action = opening.action();
        let traces: Vec<_> = ids
            .iter()
            .map(|id| access.event(now, action, Object::of(*id)))
            .collect();
        let opened = self
            .open_batch(folder, ids, opening.unseal(), &traces)
            .await?;
        self.record_reads(access.person(), action, ids).await;
        Ok(opened)
    }

    async fn open_batch(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
        unseal: Unseal,
        traces: &[caduceus_audit::Event],
    ) -> Result<Vec<ReadMessage>> {
        let opened = match self.store.open_messages(folder, ids, unseal, traces).await {
            // The same answer as a missing message: reveals nothing of others.
            Err(StoreError::NotFound {
                what: "message",
                id,
            }) => {
                return Err(ServiceError::NotFound(format!("message {id}")));
            }
            other => other?,
        };
        Ok(opened
            .into_iter()
            .map(|opened| ReadMessage::new(opened.summary, opened.raw, opened.meta))
            .collect())
    }

    /// Changes the flags of messages of `folder`, each to its flags as they are when
    /// written, all in one commit; each change that changed something traced (TR-1);
    /// with `unchanged_since`, messages changed after it are left alone (RFC 7162).
    /// Messages expunged meanwhile by another session are left out (RFC 2180 §4.2).
    pub async fn set_flags_in(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        changes: &[(MessageId, FlagChange)],
        unchanged_since: Option<i64>,
    ) -> Result<FlagsOutcome> {
        for (_, change) in changes {
            crate::messages::check_flags(change.flags())?;
        }
        let ids: Vec<MessageId> = changes.iter().map(|(id, _)| *id).collect();
        let mut attempt = 0;
        loop {
            let present = self.still_in_folder(access, folder, &ids).await?;
            let changes: Vec<(MessageId, FlagChange)> = changes
                .iter()
                .filter(|(id, _)| present.contains(id))
                .cloned()
                .collect();
            let now = self.now_ms();
            let traces: Vec<_> = present
                .iter()
                .map(|id| access.event(now, Action::MessageFlag, Object::of(*id)))
                .collect();
            match self
                .store
                .set_flags_many(&changes, unchanged_since, &traces)
                .await
            {
                // Expunged between the look and the write: look again.
                Err(StoreError::NotFound { .. }) if attempt < RACE_RETRIES => attempt += 1,
                done => return Ok(done?),
            }
        }
    }

    /// Deletes messages of `folder` for good (IMAP EXPUNGE): their keys are destroyed
    /// and their listing cache entries (envelope and structure, held in memory only)
    /// forgotten once the deletion is done (RT-3), each deletion traced. Messages another session expunged meanwhile are
    /// already gone, which is no failure (RFC 2180 §4.3).
    pub async fn expunge(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<()> {
        let mut attempt = 0;
        loop {
            self.owned_folder(access, folder).await?;
            // The rows still there, with their content ids: what their listing
            // cache entries are kept under.
            let rows: Vec<_> = (self.store.messages_present(folder, ids).await?)
                .into_iter()
                .flatten()
                .collect();
            let present: Vec<MessageId> = rows.iter().map(|row| row.id).collect();
            let listed: Vec<String> = rows.into_iter().map(|row| row.blob_id).collect();
            let now = self.now_ms();
            let traces: Vec<_> = present
                .iter()
                .map(|id| access.event(now, Action::MessageDelete, Object::of(*id)))
                .collect();
            match self.store.delete_messages(&present, &traces).await {
                // Expunged between the look and the deletion: look again.
                Err(StoreError::NotFound { .. }) if attempt < RACE_RETRIES => attempt += 1,
                done => {
                    // Nothing of a deleted message kept longer (RT-3).
                    self.forget_listed(&listed);
                    return Ok(done?);
                }
            }
        }
    }

    /// Stores a message the owner puts in one of their folders themself (IMAP
    /// APPEND: a draft, a copy of sent mail), sealed like delivered mail, scanned
    /// (MS-13) and bounded by the size limit; traced as a delivery to that folder.
    pub async fn append(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
        raw: &[u8],
        flags: Vec<String>,
        internal: Option<Timestamp>,
    ) -> Result<Delivered> {
        self.owned_folder(access, folder).await?;
        if raw.len() > self.config.max_message_size {
            return Err(ServiceError::Refused(caduceus_core::Refusal {
                requirement: Requirement::Ms1,
                reason: format!(
                    "the message is {} bytes, over the limit of {} bytes",
                    raw.len(),
                    self.config.max_message_size
                ),
            }));
        }
        if let Some(scanner) = &self.scanner {
            match scanner.scan(raw).await {
                Ok(Verdict::Clean) => {}
                Ok(Verdict::Infected { signature }) => {
                    return Err(ServiceError::Refused(caduceus_core::Refusal {
                        requirement: Requirement::Ms13,
                        reason: format!(
                            "a virus was found ({signature}); the message was not stored"
                        ),
                    }));
                }
                Err(e) => {
                    return Err(ServiceError::Unavailable(format!(
                        "antivirus unavailable ({e}); nothing was stored, try again later"
                    )));
                }
            }
        }
        self.check_quota(access.owner(), raw.len()).await?;
        let meta = MessageMeta::parse(raw)?.to_sealable();
        let trace = access.event(
            self.now_ms(),
            Action::MessageDeliver,
            Object::of(access.owner()).and(folder),
        );
        let delivery = Delivery {
            raw,
            meta: &meta,
            internal: internal.unwrap_or_else(|| self.clock.now()),
            targets: vec![Target {
                account: access.owner(),
                mailbox: folder,
                flags,
            }],
            outbound: None,
            enveloped: Vec::new(),
            receipts: Vec::new(),
        };
        let mut delivered = self.store.deliver(&delivery, &[trace]).await?;
        Ok(delivered.remove(0))
    }

    /// Makes a folder for the owner (MS-6), and the folders above it that are missing
    /// (RFC 9051 §6.3.4); each traced.
    pub async fn create_folder(&self, access: &MailboxAccess, name: &str) -> Result<Mailbox> {
        check_name(name)?;
        self.create_superiors(access, name).await?;
        self.create_one(access, name).await
    }

    /// Makes the missing folders above `name` (RFC 9051 §6.3.4, §6.3.6).
    async fn create_superiors(&self, access: &MailboxAccess, name: &str) -> Result<()> {
        for superior in caduceus_core::folder::superiors(name) {
            if self.find_folder(access, superior).await?.is_none() {
                self.create_one(access, superior).await?;
            }
        }
        Ok(())
    }

    /// Makes one folder, traced.
    async fn create_one(&self, access: &MailboxAccess, name: &str) -> Result<Mailbox> {
        let trace = access.event(
            self.now_ms(),
            Action::MailboxCreate,
            Object::of(access.owner()),
        );
        Ok(self
            .store
            .create_mailbox(access.owner(), name, self.clock.now(), &trace)
            .await?)
    }

    /// Renames one of the owner's folders and its subfolders, and makes the missing
    /// folders above the new name (RFC 9051 §6.3.6); INBOX cannot be renamed. Traced.
    pub async fn rename_folder(&self, access: &MailboxAccess, from: &str, to: &str) -> Result<()> {
        check_name(to)?;
        if from.eq_ignore_ascii_case("INBOX") {
            return Err(ServiceError::Invalid("INBOX cannot be renamed".into()));
        }
        let folder = self
            .find_folder(access, from)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("folder {}", access.owner())))?;
        let trace = access.event(self.now_ms(), Action::MailboxRename, Object::of(folder.id));
        self.store
            .rename_mailbox(access.owner(), from, to, &trace)
            .await?;
        // The levels above the new name, when missing, as CREATE makes them: after the
        // rename, so a folder renamed below itself (`a` → `a/b`) frees its own name.
        self.create_superiors(access, to).await
    }

    /// Deletes one of the owner's folders and its messages for good (RT-3); INBOX
    /// cannot be deleted. Traced.
    pub async fn delete_folder(&self, access: &MailboxAccess, name: &str) -> Result<()> {
        if name.eq_ignore_ascii_case("INBOX") {
            return Err(ServiceError::Invalid("INBOX cannot be deleted".into()));
        }
        let folder = self
            .find_folder(access, name)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("folder {}", access.owner())))?;
        let trace = access.event(self.now_ms(), Action::MailboxDelete, Object::of(folder.id));
        let deleted = self.store.delete_mailbox(folder.id, &trace).await;
        // Nothing of a deleted message kept longer (RT-3).
        self.listing_cache.clear();
        Ok(deleted?)
    }

    /// The folder names the owner subscribed to (IMAP LSUB, LIST (SUBSCRIBED)),
    /// whether or not such folders exist (RFC 3501 §6.3.9).
    pub async fn subscriptions(&self, access: &MailboxAccess) -> Result<Vec<String>> {
        Ok(self.store.subscriptions(access.owner()).await?)
    }

    /// Subscribes the owner to a folder name, or unsubscribes them: which folders a
    /// mail client shows, nothing else. A name no folder could have is refused; a
    /// name no folder has yet is kept (RFC 3501 §6.3.6). Not traced: no data is
    /// read or changed, only the client's view.
    pub async fn set_subscribed(
        &self,
        access: &MailboxAccess,
        name: &str,
        subscribed: bool,
    ) -> Result<()> {
        let name = subscription_name(name)?;
        Ok(self
            .store
            .set_subscribed(access.owner(), name, subscribed)
            .await?)
    }

    /// Copies messages of `from` into `to`, both the owner's; each copy traced.
    /// Returns the copies, in the order of `ids`.
    pub async fn copy_messages(
        &self,
        access: &MailboxAccess,
        from: MailboxId,
        ids: &[MessageId],
        to: MailboxId,
    ) -> Result<Vec<Delivered>> {
        self.in_folder(access, from, ids).await?;
        self.owned_folder(access, to).await?;
        let now = self.now_ms();
        let traces: Vec<_> = ids
            .iter()
            .map(|id| access.event(now, Action::MessageCopy, Object::of(*id).and(to)))
            .collect();
        Ok(self
            .store
            .copy_messages(ids, access.owner(), to, self.clock.now(), &traces)
            .await?)
    }

    /// Moves messages of `from` into `to`, both the owner's; each move traced.
    /// Returns the moved messages with their new UIDs, in the order of `ids`.
    pub async fn move_messages(
        &self,
        access: &MailboxAccess,
        from: MailboxId,
        ids: &[MessageId],
        to: MailboxId,
    ) -> Result<Vec<Delivered>> {
        self.in_folder(access, from, ids).await?;
        self.owned_folder(access, to).await?;
        let now = self.now_ms();
        let traces: Vec<_> = ids
            .iter()
            .map(|id| access.event(now, Action::MessageMove, Object::of(*id).and(to)))
            .collect();
        Ok(self
            .store
            .move_messages(ids, access.owner(), to, &traces)
            .await?)
    }
}

/// The name a subscription is kept under: `INBOX` in any case is INBOX; any other
/// name must be one a folder could have (MS-6).
fn subscription_name(name: &str) -> Result<&str> {
    if name.eq_ignore_ascii_case("INBOX") {
        return Ok("INBOX");
    }
    check_name(name)?;
    Ok(name)
}

/// A folder name the user may give, or why not (MS-6).
fn check_name(name: &str) -> Result<()> {
    caduceus_core::check_folder_name(name).map_err(|e| ServiceError::Invalid(e.to_string()))
}
