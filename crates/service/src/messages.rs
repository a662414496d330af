//! Message use cases: local delivery through the policy, then what a mailbox owner
//! (or a delegate of an organisational mailbox) does with their mail.

use caduceus_audit::{Action, Detail, Event, Id, Marker, Object};
use caduceus_core::Requirement;
use caduceus_core::{DeliveryFacts, MailAddress, RecipientStatus, Refusal, check_delivery};
use caduceus_store::{
    AccountId, Delivered, Delivery, Mailbox, MailboxId, MessageId, MessageSummary, Outbound, Target,
};

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::antivirus::Verdict;
use crate::error::{Result, ServiceError};
use crate::ingest::{MessageMeta, MessageStructure};
use crate::patients::SubjectVerdict;

/// Proof that a caller may act on a mailbox owner's mail; only
/// [`Service::authorize`] makes one (AC-1, ID-3).
#[derive(Clone, Debug)]
pub struct MailboxAccess {
    owner: AccountId,
    caller: Caller,
    /// Set when a delegate acts for an organisational mailbox: traced as `acting_for`.
    acting_for: Option<AccountId>,
}

impl MailboxAccess {
    /// Whose mail this access opens.
    pub fn owner(&self) -> AccountId {
        self.owner
    }

    /// The mailbox acted for when the person is not its owner (a delegate, ID-3; a
    /// representative, ID-7): traced as `acting_for`.
    pub fn acting_for(&self) -> Option<AccountId> {
        self.acting_for
    }

    /// The person acting (the owner, or a delegate).
    pub(crate) fn person(&self) -> Option<AccountId> {
        match self.caller.actor {
            Actor::Account(id) => Some(id),
            _ => None,
        }
    }

    pub(crate) fn event(&self, at_ms: i64, action: Action, object: Object) -> Event {
        let mut event = self.caller.event(at_ms, action, object);
        event.acting_for = self.acting_for.map(Into::into);
        event
    }
}

/// A message opened for its reader. Its metadata is read from its sealed record on
/// first use: a client fetching whole bodies never pays for it.
#[derive(Clone)]
pub struct ReadMessage {
    /// Summary (uid, flags, size...).
    pub summary: MessageSummary,
    /// The raw RFC 5322 bytes.
    pub raw: Vec<u8>,
    /// The metadata record as unsealed ([`MessageMeta::to_sealable`]).
    record: Vec<u8>,
    meta: std::sync::OnceLock<MessageMeta>,
}

impl ReadMessage {
    /// A message opened from the store: its summary, raw bytes and unsealed
    /// metadata record.
    pub(crate) fn new(summary: MessageSummary, raw: Vec<u8>, record: Vec<u8>) -> Self {
        Self {
            summary,
            raw,
            record,
            meta: std::sync::OnceLock::new(),
        }
    }

    /// Metadata computed at ingest.
    pub fn meta(&self) -> &MessageMeta {
        self.meta
            .get_or_init(|| MessageMeta::from_sealable(&self.record))
    }

    /// The message parsed for display or search (mail-parser, nesting bounded: see
    /// [`crate::ingest::bounded`]); `None` when the bytes are not a message.
    pub fn parsed(&self) -> Option<mail_parser::Message<'_>> {
        crate::ingest::bounded::parse(&self.raw).ok().flatten()
    }

    /// The structure computed at ingest (ENVELOPE, BODYSTRUCTURE, where each part
    /// lies); for a message stored before structures were kept, computed now. When
    /// the rest of the metadata was not asked for, only the structure is read from
    /// the record (an IMAP listing needs nothing else).
    pub fn structure(&self) -> std::borrow::Cow<'_, MessageStructure> {
        let stored = match self.meta.get() {
            Some(meta) => meta.structure.as_ref().map(std::borrow::Cow::Borrowed),
            None => MessageMeta::structure_from_sealable(&self.record).map(std::borrow::Cow::Owned),
        };
        stored.unwrap_or_else(|| {
            std::borrow::Cow::Owned(
                MessageMeta::parse(&self.raw)
                    .ok()
                    .and_then(|meta| meta.structure)
                    .unwrap_or_else(|| MessageStructure::opaque(&self.raw)),
            )
        })
    }
}

impl std::fmt::Debug for ReadMessage {
    /// Never prints content (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadMessage")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// The header a relayed message whose subject identifies a patient gets (MS-11).
const SUBJECT_WARNING: &str = "X-Caduceus-Subject-Warning: MS-11 the subject identifies a patient; do not forward it as is\r\n";

impl Service {
    /// Checks that `caller` may use `owner`'s mailboxes: the owner themself, or a
    /// delegate of an organisational mailbox (ID-3). Administrators never reach
    /// message content (AC-2).
    pub async fn authorize(&self, caller: &Caller, owner: AccountId) -> Result<MailboxAccess> {
        let denied = || ServiceError::Denied {
            requirement: Requirement::Ac1,
            reason: "this mailbox is not yours and you are not its delegate".into(),
        };
        let Actor::Account(person) = caller.actor else {
            self.trace_denied(caller, Object::of(owner), Requirement::Ac2)
                .await?;
            return Err(ServiceError::Denied {
                requirement: Requirement::Ac2,
                reason: "administrators never reach message content".into(),
            });
        };
        self.require_terms(caller).await?;
        if person == owner {
            return Ok(MailboxAccess {
                owner,
                caller: caller.clone(),
                acting_for: None,
            });
        }
        // A delegate of an organisation's mailbox (ID-3), a representative of a
        // patient's (ID-7).
        let delegate = self.store.delegates(owner).await?.contains(&person);
        if delegate || self.represents(person, owner).await? {
            return Ok(MailboxAccess {
                owner,
                caller: caller.clone(),
                acting_for: Some(owner),
            });
        }
        self.trace_denied(caller, Object::of(owner), Requirement::Ac1)
            .await?;
        Err(denied())
    }

    /// Traces a refused access (`access.denied`, AC-1): who, to what, which rule.
    pub(crate) async fn trace_denied(
        &self,
        caller: &Caller,
        object: Object,
        requirement: Requirement,
    ) -> Result<()> {
        let refused = caduceus_audit::Outcome::Refused;
        self.trace_rule(caller, Action::AccessDenied, object, requirement, refused)
            .await
    }

    /// Traces `action` by `caller` on `object` with `outcome`, its detail the
    /// requirement it answers to (TR-1): a refusal, or an administrative reading
    /// (`admin.action`) — the security alerts (TR-3), a patient's access log (TR-4)
    /// or opposition (MS-9) asked by the operator — naming who read.
    pub(crate) async fn trace_rule(
        &self,
        caller: &Caller,
        action: Action,
        object: Object,
        requirement: Requirement,
        outcome: caduceus_audit::Outcome,
    ) -> Result<()> {
        let mut event = caller.event(self.now_ms(), action, object);
        event.outcome = outcome;
        event.detail = Some(Detail::of(requirement));
        Ok(self.store.append_traces(&[event]).await?)
    }

    /// Delivers a message to local mailboxes: looks up every recipient, asks the
    /// policy (MS-2, MS-12, size), has the message scanned when a scanner is
    /// configured (MS-13: infected → refused, scanner unreachable →
    /// [`ServiceError::Unavailable`]), computes the metadata once, then stores one
    /// sealed copy per recipient with a trace each, in one transaction.
    pub async fn deliver_local(
        &self,
        caller: &Caller,
        recipients: &[MailAddress],
        raw: &[u8],
    ) -> Result<Vec<Delivered>> {
        self.deliver_with(caller, None, None, recipients, raw, None)
            .await
    }

    /// [`Service::deliver_local`] on behalf of an organisational mailbox
    /// (`acting_for`), which the traces name beside the person (ID-3), queueing
    /// `outbound`'s recipients in the same transaction.
    /// Delivers a message a peer operator relayed from `from` (the envelope sender;
    /// none for a bounce) to local mailboxes, through the same policy as
    /// [`Service::deliver_local`] plus the patient rules on the sender (MS-8, MS-10).
    pub async fn deliver_relayed(
        &self,
        caller: &Caller,
        from: Option<&MailAddress>,
        recipients: &[MailAddress],
        raw: &[u8],
    ) -> Result<Vec<Delivered>> {
        self.deliver_with(caller, None, from, recipients, raw, None)
            .await
    }

    pub(crate) async fn deliver_with(
        &self,
        caller: &Caller,
        acting_for: Option<AccountId>,
        from: Option<&MailAddress>,
        recipients: &[MailAddress],
        raw: &[u8],
        outbound: Option<Outbound>,
    ) -> Result<Vec<Delivered>> {
        let started = std::time::Instant::now();
        let result = self
            .deliver_checked(caller, acting_for, from, recipients, raw, outbound)
            .await;
        crate::metrics::delivery(caller, &result, started.elapsed());
        result
    }

    /// [`Service::deliver_with`] without the figures.
    async fn deliver_checked(
        &self,
        caller: &Caller,
        acting_for: Option<AccountId>,
        from: Option<&MailAddress>,
        recipients: &[MailAddress],
        raw: &[u8],
        outbound: Option<Outbound>,
    ) -> Result<Vec<Delivered>> {
        let event = |action: Action, object: Object| {
            let mut event = caller.event(self.now_ms(), action, object);
            event.acting_for = acting_for.map(Into::into);
            event
        };
        let remote = outbound.as_ref().map_or(&[][..], |o| &o.recipients[..]);
        let mut found = Vec::with_capacity(recipients.len());
        let mut statuses = Vec::with_capacity(recipients.len() + remote.len());
        for address in remote {
            statuses.push((address.as_str(), RecipientStatus::TrustSpace));
        }
        for address in recipients {
            let account = self.store.account_by_address(address).await?;
            let status = RecipientStatus::of_local(account.as_ref().map(|a| a.state));
            statuses.push((address.as_str(), status));
            found.push(account);
        }
        let facts = DeliveryFacts {
            recipients: &statuses,
            size: raw.len(),
            max_size: self.config.max_message_size,
            max_recipients: self.config.max_recipients,
        };
        let refuse = async |refusal: Refusal| -> ServiceError {
            let mut event = event(Action::MessageRefuse, Object::of(Marker::NoMessage));
            event.outcome = caduceus_audit::Outcome::Refused;
            event.detail = Some(Detail::of(refusal.requirement));
            match self.store.append_traces(&[event]).await {
                Ok(()) => refusal.into(),
                Err(e) => e.into(),
            }
        };
        if let Err(refusal) = check_delivery(&facts) {
            return Err(refuse(refusal).await);
        }
        let mut meta = match MessageMeta::parse(raw) {
            Ok(meta) => meta,
            Err(too_deep) => return Err(refuse(too_deep.into()).await),
        };
        let Some(receipts) = self
            .relay_receipts(caller, &meta, recipients, &mut found)
            .await?
        else {
            // The whole message was stored before: the peer gets its 250 again.
            return Ok(Vec::new());
        };
        let all: Vec<MailAddress> = recipients.iter().chain(remote).cloned().collect();
        let everyone: Vec<&MailAddress> = all.iter().collect();
        let relayed = matches!(caller.actor, Actor::Peer(_));
        // What a person submits names them (or their organisation) as its author (MS-2),
        // and a person blocked by a patient stays blocked behind an organisation (MS-10).
        let mut person = None;
        if let Actor::Account(id) = caller.actor {
            person = match self.check_header_senders(id, &meta).await {
                Ok(address) => Some(address),
                Err(ServiceError::Refused(refusal)) => return Err(refuse(refusal).await),
                Err(other) => return Err(other),
            };
        }
        // What a person submits loses its Bcc: field (RFC 5322 §3.6.3): every copy is
        // the same bytes, and blind recipients stay blind to the others.
        let blinded;
        let raw = match caduceus_core::without_header(raw, "Bcc").filter(|_| person.is_some()) {
            Some(stripped) => {
                blinded = stripped;
                meta = MessageMeta::parse(&blinded)?;
                &blinded[..]
            }
            None => raw,
        };
        let flagged;
        let raw = match self
            .check_patient_rules(from, person.as_ref(), &everyone, &found, &meta, relayed)
            .await
        {
            Ok(SubjectVerdict::Clean) => raw,
            Ok(SubjectVerdict::Flag) => {
                flagged = [SUBJECT_WARNING.as_bytes(), raw].concat();
                meta = MessageMeta::parse(&flagged)?;
                &flagged[..]
            }
            Err(ServiceError::Refused(refusal)) => return Err(refuse(refusal).await),
            Err(other) => return Err(other),
        };
        // The patients it concerns, stated for the receiving software (X-MSS-INS) on
        // what is submitted here; relayed mail is stored as its operator sent it.
        let stated;
        let raw = match self.ins_header_for(relayed, from, &all, &meta, raw) {
            Some(line) => {
                stated = [line.as_bytes(), raw].concat();
                meta = MessageMeta::parse(&stated)?;
                &stated[..]
            }
            None => raw,
        };
        // MS-13: scanned before anything is sealed or stored; never accepted unscanned.
        if let Some(scanner) = &self.scanner {
            match scanner.scan(raw).await {
                Ok(Verdict::Clean) => {}
                Ok(Verdict::Infected { signature }) => {
                    let mut event = event(Action::MessageRefuse, Object::of(Marker::NoMessage));
                    event.outcome = caduceus_audit::Outcome::Refused;
                    // The requirement only: a signature name is not an identifier (TR-5).
                    event.detail = Some(Detail::of(Requirement::Ms13));
                    self.store.append_traces(&[event]).await?;
                    tracing::info!(%signature, "message refused: a virus was found (MS-13)");
                    return Err(Refusal {
                        requirement: Requirement::Ms13,
                        reason: format!(
                            "a virus was found ({signature}); the message was not accepted: \
                             clean the attachment and send again"
                        ),
                    }
                    .into());
                }
                Err(e) => {
                    tracing::warn!(error = %e, "antivirus scan failed; message not accepted (MS-13)");
                    return Err(ServiceError::Unavailable(format!(
                        "antivirus unavailable ({e}); nothing was accepted, try again later"
                    )));
                }
            }
        }
        for account in found.iter().flatten() {
            self.check_quota(account.id, raw.len()).await?;
        }
        let sealable = meta.to_sealable();
        let mut targets = Vec::with_capacity(found.len());
        let mut traces = Vec::with_capacity(found.len());
        let mut enveloped = Vec::new();
        let mut enveloped_traces = Vec::new();
        let found_accounts = found.clone();
        for account in found.into_iter().flatten() {
            let inbox = self
                .store
                .mailbox(account.id, "INBOX")
                .await?
                .ok_or_else(|| ServiceError::NotFound(format!("INBOX of {}", account.id)))?;
            let target = Target {
                account: account.id,
                mailbox: inbox.id,
                flags: Vec::new(),
            };
            let trace = event(Action::MessageDeliver, Object::of(account.id).and(inbox.id));
            // MS-3: a holder who asked for it gets a copy only their key opens.
            match self.enveloped_copy(&account, &target, raw, &meta).await? {
                Some(copy) => {
                    let mut trace = trace;
                    trace.detail = Some(Detail::of(Requirement::Ms3));
                    enveloped.push(copy);
                    enveloped_traces.push(trace);
                }
                None => {
                    targets.push(target);
                    traces.push(trace);
                }
            }
        }
        traces.append(&mut enveloped_traces);
        // One trace per queued recipient, naming its domain only (a patient's address
        // at another operator holds an INS, never written in traces).
        for address in remote {
            traces.push(event(
                Action::MessageSubmit,
                Object::of(Id::Domain(address.domain().clone())),
            ));
        }
        let accounts: Vec<AccountId> = targets
            .iter()
            .chain(enveloped.iter().map(|copy| &copy.target))
            .map(|t| t.account)
            .collect();
        let delivery = Delivery {
            raw,
            meta: &sealable,
            internal: self.clock.now(),
            targets,
            outbound,
            enveloped,
            receipts,
        };
        let delivered = self.store.deliver(&delivery, &traces).await?;
        self.record_exchanges(from, &everyone, &meta).await?;
        self.link_patients(from, &found_accounts, &meta, &delivered)
            .await?;
        let recipients: Vec<caduceus_store::Account> =
            found_accounts.into_iter().flatten().collect();
        if !caduceus_core::forwarding::was_forwarded(caduceus_core::header_section(raw)) {
            self.forward_copies(raw, recipients.clone());
            self.reply_absent(&meta, from, raw, recipients.clone());
        }
        self.send_mdns(&meta, from, recipients);
        self.announce_new_mail(&accounts).await;
        Ok(delivered)
    }

    /// The receipts of a message relayed by a peer operator, one per local recipient
    /// still to receive it (MS-16, [`caduceus_core::relay_receipt`]): a recipient whose
    /// receipt is already recorded — the peer sends again a message it did not learn
    /// we stored — is taken out of `found` and gets no second copy; `None` when every
    /// recipient has it. No receipts for mail submitted here or without a `Message-ID`.
    async fn relay_receipts(
        &self,
        caller: &Caller,
        meta: &MessageMeta,
        recipients: &[MailAddress],
        found: &mut [Option<caduceus_store::Account>],
    ) -> Result<Option<Vec<[u8; 32]>>> {
        let (Actor::Peer(peer), Some(id)) = (&caller.actor, meta.message_id.as_deref()) else {
            return Ok(Some(Vec::new()));
        };
        let receipts: Vec<[u8; 32]> = recipients
            .iter()
            .map(|to| caduceus_core::relay_receipt(peer, id, to))
            .collect();
        let held = self.store.relay_receipts_held(&receipts).await?;
        if held.len() == receipts.len() && !held.is_empty() {
            tracing::info!("relayed message already stored; not stored again (MS-16)");
            return Ok(None);
        }
        if !held.is_empty() {
            tracing::info!(
                copies = held.len(),
                "relayed message already stored for these recipients; not stored again (MS-16)"
            );
        }
        let mut kept = Vec::with_capacity(receipts.len());
        for (slot, receipt) in found.iter_mut().zip(receipts) {
            if held.contains(&receipt) {
                *slot = None;
            } else if slot.is_some() {
                kept.push(receipt);
            }
        }
        Ok(Some(kept))
    }

    /// The folders of the mailbox owner.
    pub async fn mailboxes(&self, access: &MailboxAccess) -> Result<Vec<Mailbox>> {
        Ok(self.store.mailboxes(access.owner).await?)
    }

    async fn folder(&self, access: &MailboxAccess, name: &str) -> Result<Mailbox> {
        self.store
            .mailbox(access.owner, name)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("folder {name:?}")))
    }

    /// Opens a folder: its messages by UID; traced (TR-1).
    pub async fn open_folder(
        &self,
        access: &MailboxAccess,
        name: &str,
    ) -> Result<(Mailbox, Vec<MessageSummary>)> {
        let folder = self.folder(access, name).await?;
        let messages = self.store.messages(folder.id).await?;
        let event = access.event(self.now_ms(), Action::MailboxOpen, Object::of(folder.id));
        self.store.append_traces(&[event]).await?;
        Ok((folder, messages))
    }

    /// Finds a message and checks it is in one of the owner's folders.
    async fn owned_message(&self, access: &MailboxAccess, id: MessageId) -> Result<MessageSummary> {
        let not_found = || ServiceError::NotFound(format!("message {id}"));
        let summary = match self.store.message(id).await {
            Ok(summary) => summary,
            Err(caduceus_store::StoreError::NotFound { .. }) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let owned: Vec<MailboxId> = self
            .store
            .mailboxes(access.owner)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        if !owned.contains(&summary.mailbox) {
            // Same answer as a missing message: reveals nothing of other mailboxes; but
            // the attempt on someone else's message is traced (AC-1).
            self.trace_denied(&access.caller, Object::of(id), Requirement::Ac1)
                .await?;
            return Err(not_found());
        }
        Ok(summary)
    }

    /// A message's summary (folder, flags, size), without opening it: not a read.
    pub async fn message_summary(
        &self,
        access: &MailboxAccess,
        id: MessageId,
    ) -> Result<MessageSummary> {
        self.owned_message(access, id).await
    }

    /// Reads a message body; traced as a read (TR-1).
    pub async fn read_message(&self, access: &MailboxAccess, id: MessageId) -> Result<ReadMessage> {
        self.owned_message(access, id).await?;
        let event = access.event(self.now_ms(), Action::MessageRead, Object::of(id));
        let opened = self.store.open_message(id, &event).await?;
        self.record_reads(access.person(), Action::MessageRead, &[id])
            .await;
        Ok(ReadMessage::new(opened.summary, opened.raw, opened.meta))
    }

    /// Replaces a message's flags; traced (TR-1).
    pub async fn set_flags(
        &self,
        access: &MailboxAccess,
        id: MessageId,
        flags: &[String],
    ) -> Result<MessageSummary> {
        check_flags(flags)?;
        self.owned_message(access, id).await?;
        let event = access.event(self.now_ms(), Action::MessageFlag, Object::of(id));
        Ok(self.store.set_flags(id, flags, &event).await?)
    }

    /// Deletes a message immediately and for good: its key is destroyed, its listing
    /// cache entry forgotten (RT-3).
    pub async fn delete_message(&self, access: &MailboxAccess, id: MessageId) -> Result<()> {
        let summary = self.owned_message(access, id).await?;
        let event = access.event(self.now_ms(), Action::MessageDelete, Object::of(id));
        let listed = self.listed_contents(summary.mailbox, &[id]).await?;
        let deleted = self.store.delete_message(id, &event).await;
        // Nothing of a deleted message kept longer (RT-3).
        self.forget_listed(&listed);
        Ok(deleted?)
    }
}

/// Refuses a flag that is neither a system flag nor a keyword.
pub(crate) fn check_flags(flags: &[String]) -> Result<()> {
    match flags.iter().find(|f| !caduceus_core::is_valid_flag(f)) {
        Some(bad) => Err(ServiceError::Invalid(format!(
            "{bad:?} is not a flag: use \\Seen, \\Answered, \\Flagged, \\Deleted, \\Draft or a keyword of visible ASCII"
        ))),
        None => Ok(()),
    }
}
