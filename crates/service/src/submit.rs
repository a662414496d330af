//! Submission: a logged-in user sends a message, from their own address or from an
//! organisational mailbox they are a delegate of (ID-3); recipients are checked one by
//! one as they are named (MS-2), before any content is accepted.

use caduceus_core::{
    MailAddress, RecipientStatus, Refusal, check_recipient, check_recipient_count,
};
use caduceus_store::{AccountId, Delivered};

use caduceus_audit::{Action, Outcome};

use crate::Service;
use crate::actor::Caller;
use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};

/// Who a submission is sent as: the person, or the organisational mailbox they act for.
#[derive(Clone, Debug)]
pub struct Sender {
    login: Authenticated,
    acting_for: Option<AccountId>,
}

impl Sender {
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
    pub async fn sender(&self, login: &Authenticated, from: &MailAddress) -> Result<Sender> {
        if from == &login.account().address {
            return Ok(Sender {
                login: login.clone(),
                acting_for: None,
            });
        }
        if let Some(org) = self.store.account_by_address(from).await? {
            let delegates = self.store.delegates(org.id).await?;
            if delegates.contains(&login.account().id) && org.state.can_exchange() {
                return Ok(Sender {
                    login: login.clone(),
                    acting_for: Some(org.id),
                });
            }
        }
        Err(ServiceError::Refused(Refusal {
            requirement: "ID-3",
            reason: format!(
                "you may send as {} or as an organisational mailbox you are a delegate of, not as {}",
                login.account().address.as_str(),
                from.as_str()
            ),
        }))
    }

    /// Checks one recipient as it is named (`RCPT TO`) after `already` others, before
    /// any content: their number (MS-12), then a verified mailbox (MS-2).
    pub async fn check_recipient(&self, address: &MailAddress, already: usize) -> Result<()> {
        check_recipient_count(already, self.config.max_recipients)
            .map_err(ServiceError::Refused)?;
        let status = match self.store.account_by_address(address).await? {
            Some(account) if account.state.can_exchange() => RecipientStatus::Verified,
            Some(_) => RecipientStatus::NotVerified,
            None => RecipientStatus::Unknown,
        };
        check_recipient(address.as_str(), status).map_err(ServiceError::Refused)
    }

    /// Records a refusal a front end decided on its own (a peer operator outside the
    /// trust list, MS-5): the trace names the caller and the requirement, nothing else.
    pub async fn trace_refusal(&self, caller: &Caller, refusal: &Refusal) -> Result<()> {
        let mut event = caller.event(self.now_ms(), Action::MessageRefuse, "msg:none".into());
        event.outcome = Outcome::Refused;
        event.detail = Some(refusal.requirement.to_owned());
        Ok(self.store.append_traces(&[event]).await?)
    }

    /// Accepts a submitted message for its recipients: the whole policy again, then
    /// sealed, stored and traced in one transaction (durable when this returns); the
    /// traces name the person and the organisational mailbox acted for.
    pub async fn submit(
        &self,
        sender: &Sender,
        recipients: &[MailAddress],
        raw: &[u8],
    ) -> Result<Vec<Delivered>> {
        self.deliver_as(&sender.login.caller(), sender.acting_for, recipients, raw)
            .await
    }
}
