//! Submission: a logged-in user sends a message, from their own address or from an
//! organisational mailbox they are a delegate of (ID-3); recipients are checked one by
//! one as they are named (MS-2), before any content is accepted.

use caduceus_core::Requirement;
use caduceus_core::{
    MailAddress, RecipientStatus, Refusal, check_recipient, check_recipient_count,
};
use caduceus_store::{AccountId, Delivered, Outbound};

use caduceus_audit::{Action, Detail, Marker, Object, Outcome};

use crate::Service;
use crate::actor::Caller;
use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};

/// Which recipients a front end may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipientScope {
    /// Only this operator's mailboxes (the operator relay: we never relay onward).
    Local,
    /// This operator's mailboxes and domains of the trust space (submission): mail
    /// to the latter is queued for their operators (MS-5).
    TrustSpace,
}

/// What became of a submitted message.
#[derive(Clone, Debug)]
pub struct Submitted {
    /// The copies stored in local mailboxes.
    pub delivered: Vec<Delivered>,
    /// The queue reference of the recipients at other operators, if any; their
    /// delivery state is asked with [`Service::delivery_status`].
    pub queue_ref: Option<String>,
}

/// Who a submission is sent as: the person, or the organisational mailbox they act for.
#[derive(Clone, Debug)]
pub struct Sender {
    login: Authenticated,
    acting_for: Option<AccountId>,
}

impl Sender {
    /// The person sending as themselves (a health alert, MS-15): no sending rate.
    pub(crate) fn of(login: Authenticated) -> Sender {
        Sender {
            login,
            acting_for: None,
        }
    }

    /// The logged-in person.
    pub fn login(&self) -> &Authenticated {
        &self.login
    }

    /// The organisational mailbox sent from, if any.
    pub fn acting_for(&self) -> Option<AccountId> {
        self.acting_for
    }
}

impl Service {
    /// Checks the envelope sender (`MAIL FROM`): the user's own address, or an
    /// organisational mailbox they are a delegate of (ID-3). Anything else is refused.
    /// Each call counts one message against the mailbox's sending rate (MS-13); every
    /// path to [`Service::submit`] goes through here.
    pub async fn sender(&self, login: &Authenticated, from: &MailAddress) -> Result<Sender> {
        // A session opened before a revocation or a suspension sends nothing more.
        self.still_valid(login).await?;
        self.require_terms(&login.caller()).await?;
        let sender = match self.authorised_sender(login, from).await {
            Ok(sender) => sender,
            Err(refused) => {
                // Sending as someone else is refused and traced (ID-3, TR-1).
                self.trace_refused(&login.caller(), Detail::of(Requirement::Id3))
                    .await?;
                return Err(refused);
            }
        };
        let mailbox = sender.acting_for.unwrap_or(login.account().id);
        self.take_rate(
            &login.caller(),
            sender.acting_for,
            &format!("account:{mailbox}"),
            self.config.account_rate,
            from.as_str(),
        )
        .await?;
        Ok(sender)
    }

    /// Whether `login` may send as `from` (ID-3).
    async fn authorised_sender(&self, login: &Authenticated, from: &MailAddress) -> Result<Sender> {
        if from == &login.account().address {
            return Ok(Sender {
                login: login.clone(),
                acting_for: None,
            });
        }
        if let Some(org) = self.store.account_by_address(from).await? {
            // A delegate sends as the organisation (ID-3), a representative as the
            // patient (ID-7).
            let person = login.account().id;
            let delegate = self.store.delegates(org.id).await?.contains(&person);
            let speaks = delegate || self.represents(person, org.id).await?;
            if speaks && org.state.can_exchange() {
                return Ok(Sender {
                    login: login.clone(),
                    acting_for: Some(org.id),
                });
            }
        }
        Err(ServiceError::Refused(Refusal {
            requirement: Requirement::Id3,
            reason: format!(
                "you may send as {} or as an organisational mailbox you are a delegate of, not as {}",
                login.account().address.as_str(),
                from.as_str()
            ),
        }))
    }

    /// Checks the `From:` and `Sender:` headers of what `person` submits (MS-2, ID-3,
    /// ID-7): each address must be theirs, an organisational mailbox they are a
    /// delegate of or a patient's they represent, so mail cannot be shown as another
    /// doctor's or an organisation's one does not belong to. A message without these headers passes (the envelope is checked).
    /// Returns the person's own address.
    pub(crate) async fn check_header_senders(
        &self,
        person: AccountId,
        meta: &crate::ingest::MessageMeta,
    ) -> Result<MailAddress> {
        let own = self.store.account(person).await?.address;
        let from = meta.from.iter().filter_map(|a| a.address.clone());
        let sender = meta
            .structure
            .as_ref()
            .map(|s| s.envelope.sender.clone())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|a| Some(format!("{}@{}", a.mailbox?, a.host?)));
        for written in from.chain(sender) {
            let allowed = match MailAddress::parse(written.trim()) {
                Ok(address) if address == own => true,
                Ok(address) => match self.store.account_by_address(&address).await? {
                    // An organisation's delegate (ID-3), a patient's representative
                    // (ID-7): as the envelope allows ([`Service::sender`]).
                    Some(org) => {
                        org.state.can_exchange()
                            && (self.store.delegates(org.id).await?.contains(&person)
                                || self.represents(person, org.id).await?)
                    }
                    None => false,
                },
                Err(_) => false,
            };
            if !allowed {
                return Err(ServiceError::Refused(Refusal {
                    requirement: Requirement::Ms2,
                    reason: format!(
                        "the From and Sender headers must name {} or an organisational mailbox \
                         you are a delegate of; correct them and send again",
                        own.as_str()
                    ),
                }));
            }
        }
        Ok(own)
    }

    /// Checks one recipient as it is named (`RCPT TO`) after `already` others, before
    /// any content: their number (MS-12), then a verified local mailbox (MS-2), or —
    /// in the [`RecipientScope::TrustSpace`] scope — a domain of the trust space (MS-5).
    pub async fn check_recipient(
        &self,
        address: &MailAddress,
        already: usize,
        scope: RecipientScope,
    ) -> Result<()> {
        let checked = self.recipient_allowed(address, already, scope).await;
        if let Err(error) = &checked {
            crate::metrics::refused("recipient", error);
        }
        checked
    }

    /// [`Service::check_recipient`] without counting a refusal: what a form asks
    /// while the message is being written, before anything is sent.
    pub async fn recipient_allowed(
        &self,
        address: &MailAddress,
        already: usize,
        scope: RecipientScope,
    ) -> Result<()> {
        check_recipient_count(already, self.config.max_recipients)
            .map_err(ServiceError::Refused)?;
        if !self.is_local(address) {
            let domain = address.domain().as_str();
            return match scope {
                RecipientScope::TrustSpace if self.trust_list().lists_domain(domain) => {
                    self.check_remote_recipient(address).await
                }
                RecipientScope::TrustSpace => Err(ServiceError::Refused(Refusal {
                    requirement: Requirement::Ms5,
                    reason: format!(
                        "{domain} is outside the MSSante trust space: secure health mail can only \
                         go to operators on the trust list; use another channel for this recipient"
                    ),
                })),
                RecipientScope::Local => Err(ServiceError::Refused(Refusal {
                    requirement: Requirement::Ms5,
                    reason: format!(
                        "this operator does not relay mail for {domain}; send it to that domain's operator"
                    ),
                })),
            };
        }
        let found = self.store.account_by_address(address).await?;
        let status = RecipientStatus::of_local(found.map(|a| a.state));
        check_recipient(address.as_str(), status).map_err(ServiceError::Refused)
    }

    /// Records a refusal a front end decided on its own (a peer operator outside the
    /// trust list, MS-5): the trace names the caller and the requirement, nothing else.
    pub async fn trace_refusal(&self, caller: &Caller, refusal: &Refusal) -> Result<()> {
        self.trace_refused(caller, Detail::of(refusal.requirement))
            .await
    }

    /// Traces a refused message (`message.refuse`) with `detail`, never content.
    pub(crate) async fn trace_refused(&self, caller: &Caller, detail: Detail) -> Result<()> {
        let mut event = caller.event(
            self.now_ms(),
            Action::MessageRefuse,
            Object::of(Marker::NoMessage),
        );
        event.outcome = Outcome::Refused;
        event.detail = Some(detail);
        Ok(self.store.append_traces(&[event]).await?)
    }

    /// Accepts a submitted message for its recipients: the whole policy again, then
    /// sealed, stored in local mailboxes, queued for other operators and traced in one
    /// transaction (durable when this returns, MS-4); the traces name the person and
    /// the organisational mailbox acted for. `notify_success` asks for a notification
    /// when the other operators accept it (MS-16).
    pub async fn submit(
        &self,
        sender: &Sender,
        recipients: &[MailAddress],
        raw: &[u8],
        notify_success: bool,
    ) -> Result<Submitted> {
        let (local, remote): (Vec<MailAddress>, Vec<MailAddress>) =
            recipients.iter().cloned().partition(|r| self.is_local(r));
        for address in &remote {
            self.check_recipient(address, 0, RecipientScope::TrustSpace)
                .await?;
        }
        let owner = sender.acting_for.unwrap_or(sender.login.account().id);
        // The login's own address is known; an organisation's is read (one statement
        // fewer per message sent as oneself, issue 21).
        let return_path = match sender.acting_for {
            None => sender.login.account().address.clone(),
            Some(organisation) => self.store.account(organisation).await?.address,
        };
        let outbound = (!remote.is_empty()).then(|| Outbound {
            queue_ref: caduceus_store::new_queue_ref(),
            owner,
            return_path: return_path.as_str().to_owned(),
            recipients: remote,
            notify_success,
            expires: self.config.retry.expiry(self.clock.now()),
        });
        let queue_ref = outbound.as_ref().map(|o| o.queue_ref.clone());
        let delivered = self
            .deliver_with(
                &sender.login.caller(),
                sender.acting_for,
                Some(&return_path),
                &local,
                raw,
                outbound,
            )
            .await?;
        Ok(Submitted {
            delivered,
            queue_ref,
        })
    }

    /// Whether `address` is one of this operator's (its domain, or its patient domain).
    pub fn is_local(&self, address: &MailAddress) -> bool {
        address.is_at(&self.config.domain)
    }
}
