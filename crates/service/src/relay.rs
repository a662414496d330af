//! Relaying queued mail to other operators (MS-16): the relay worker claims due
//! recipients, opens their message, reports what the peer answered; this module
//! decides what that means (delivered, retry with back-off, failed, expired), traces
//! it, and sends the sender a delivery status notification (RFC 3464) on failure,
//! on expiry, and on success when asked. Senders ask where their message stands.

use std::time::Duration;

use caduceus_audit::{Action, Detail, Event, Id, Object, Outcome, QueueRef, RelayStatus, Who};
use caduceus_core::{Dsn, DsnAction, MailAddress, header_section};
use caduceus_store::AttemptResult;
/// The queue's view of a recipient, as the relay worker and senders see it.
pub use caduceus_store::{OutboundItem, OutboundState};

use crate::Service;
use crate::actor::Caller;
use crate::error::{Result, ServiceError};

/// What the peer operator answered to one relay attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayOutcome {
    /// 2xx after the message data: accepted.
    Accepted(String),
    /// 5xx: refused for good.
    Refused(String),
    /// 4xx, no route, no connection, a TLS failure, a timeout: try again later.
    Deferred(String),
}

impl Service {
    /// Claims up to `limit` recipients due now for relay node `node`, for `lease`.
    pub async fn claim_outbound(
        &self,
        node: &str,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<OutboundItem>> {
        Ok(self
            .store
            .claim_outbound(node, self.clock.now(), lease, limit)
            .await?)
    }

    /// The message of a claimed recipient, to relay.
    pub async fn open_outbound(&self, item: &OutboundItem) -> Result<Vec<u8>> {
        Ok(self.store.open_outbound(item.id).await?)
    }

    /// Records what became of an attempt for `item` (claimed by `node`): delivered,
    /// failed, retried after the back-off, or expired past the queue's lifetime. A
    /// notification the sender is owed is delivered to their mailbox *before* the
    /// recipient is settled, so a crash in between repeats it rather than loses it.
    /// Returns the state the recipient is left in.
    pub async fn settle_outbound(
        &self,
        node: &str,
        item: &OutboundItem,
        outcome: RelayOutcome,
    ) -> Result<OutboundState> {
        let now = self.clock.now();
        let attempts = u32::try_from(item.attempts + 1).unwrap_or(u32::MAX);
        let result = match outcome {
            RelayOutcome::Accepted(reply) => AttemptResult::Delivered(reply),
            RelayOutcome::Refused(reply) => AttemptResult::Failed(reply),
            RelayOutcome::Deferred(reply) => {
                match self.config.retry.next_attempt(attempts, now, item.expires) {
                    Some(next) => AttemptResult::Retry { next, reply },
                    None => AttemptResult::Expired(reply),
                }
            }
        };
        let notice = match &result {
            AttemptResult::Delivered(_) if item.notify_success => Some(DsnAction::Delivered),
            AttemptResult::Failed(_) => Some(DsnAction::Failed),
            AttemptResult::Expired(_) => Some(DsnAction::Expired),
            _ => None,
        };
        if let Some(action) = notice {
            self.notify_sender(item, action, result.reply()).await?;
        }
        let state = result.state();
        let mut object = Object::of(Id::Domain(item.recipient.domain().clone()));
        // Queue references are the store's 32 hex digits; nothing else is written.
        if let Some(queue) = QueueRef::parse(&item.queue_ref) {
            object.push(Id::Queue(queue));
        }
        let mut trace = Event::new(now.as_millis(), Who::System, Action::MessageRelay, object);
        trace.source = Some(format!("node:{node}"));
        if state != OutboundState::Delivered {
            trace.outcome = Outcome::Failure;
        }
        trace.detail = Some(Detail::of(match &result {
            AttemptResult::Retry { .. } => RelayStatus::Retry,
            _ => RelayStatus::from(state),
        }));
        if !self
            .store
            .finish_outbound(item.id, node, &result, &trace)
            .await?
        {
            tracing::warn!(
                item = item.id,
                "relay result dropped: the claim was lost (lease expired)"
            );
        }
        Ok(state)
    }

    /// Delivers a delivery status notification to the sender's mailbox.
    async fn notify_sender(
        &self,
        item: &OutboundItem,
        action: DsnAction,
        reply: &str,
    ) -> Result<()> {
        let original = match self.store.open_outbound(item.id).await {
            Ok(raw) => header_section(&raw).to_vec(),
            Err(error) => {
                tracing::warn!(%error, "the queued copy could not be opened for the notification");
                Vec::new()
            }
        };
        let domain = self.config.domain.as_str();
        let from = format!("mailer-daemon@{domain}");
        let message_id = self.notification_id(item);
        let date = self.clock.now().rfc5322();
        let reporting_mta = format!("mail.{domain}");
        let dsn = Dsn {
            reporting_mta: &reporting_mta,
            from: &from,
            to: &item.return_path,
            recipient: item.recipient.as_str(),
            action,
            reply,
            date: &date,
            message_id: &message_id,
            original_headers: &original,
        }
        .to_message();
        let dsn = self.signed_report(dsn, &message_id);
        let to = MailAddress::parse(&item.return_path)
            .map_err(|e| ServiceError::NotFound(format!("return path: {e}")))?;
        self.deliver_local(&Caller::system(), std::slice::from_ref(&to), &dsn)
            .await?;
        Ok(())
    }

    /// Where each recipient at other operators of the message `queue_ref` stands
    /// (MS-16): only its sender (or a delegate of the organisational mailbox it was
    /// sent from) may ask (AC-1).
    pub async fn delivery_status(
        &self,
        caller: &Caller,
        queue_ref: &str,
    ) -> Result<Vec<OutboundItem>> {
        Ok(self.queued(caller, queue_ref).await?.0)
    }

    /// The recipients of `queue_ref` and the sending mailbox opened for `caller`, its
    /// sender or a delegate of that mailbox (AC-1); the access traced (TR-1).
    async fn queued(
        &self,
        caller: &Caller,
        queue_ref: &str,
    ) -> Result<(Vec<OutboundItem>, crate::messages::MailboxAccess)> {
        let items = self.store.outbound_status(queue_ref).await?;
        let Some(first) = items.first() else {
            return Err(ServiceError::NotFound(format!(
                "queued message {queue_ref}"
            )));
        };
        let access = self.authorize(caller, first.owner).await?;
        // TR-1: the status shown is an access of its own, whatever follows.
        let mut object = Object::of(Id::Account(first.owner.into()));
        if let Some(queue) = QueueRef::parse(queue_ref) {
            object.push(Id::Queue(queue));
        }
        let event = access.event(self.now_ms(), Action::DeliveryStatus, object);
        self.store.append_traces(&[event]).await?;
        Ok((items, access))
    }

    /// [`Service::delivery_status`] with, for each recipient, the signed notification
    /// already written about it (MS-16, seed 004 §8: the sender's proof): found by its
    /// Message-ID in the folders of the mailbox it was sent from (wherever its owner
    /// filed it; one deleted is gone) and opened as a read (traced). Only its sender
    /// or a delegate of that mailbox may ask (AC-1).
    pub async fn delivery_receipts(
        &self,
        caller: &Caller,
        queue_ref: &str,
    ) -> Result<Vec<(OutboundItem, Option<Vec<u8>>)>> {
        let (items, access) = self.queued(caller, queue_ref).await?;
        let wanted: std::collections::HashMap<String, usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| item.state != caduceus_store::OutboundState::Queued)
            .map(|(index, item)| (self.notification_id(item), index))
            .collect();
        let mut receipts = vec![None; items.len()];
        if !wanted.is_empty() {
            for mailbox in self.mailboxes(&access).await? {
                let (_, summaries) = self.folder_state(&access, mailbox.id).await?;
                let ids: Vec<_> = summaries.iter().map(|s| s.id).collect();
                let opening = crate::folders::Opening::SearchHeaders;
                for message in self
                    .open_messages(&access, mailbox.id, &ids, opening)
                    .await?
                {
                    let id = message.meta().message_id.as_deref();
                    if let Some(&index) = id.and_then(|m| wanted.get(m)) {
                        let read = self.read_message(&access, message.summary.id).await?;
                        receipts[index] = Some(read.raw);
                    }
                }
            }
        }
        Ok(items.into_iter().zip(receipts).collect())
    }

    /// The Message-ID of the notification about `item` (without its angle brackets).
    fn notification_id(&self, item: &OutboundItem) -> String {
        let domain = self.config.domain.as_str();
        format!("dsn.{}.{}@{domain}", item.queue_ref, item.id)
    }

    /// How many recipients wait in the outbound queue.
    pub async fn outbound_depth(&self) -> Result<i64> {
        Ok(self.store.outbound_depth().await?)
    }
}
