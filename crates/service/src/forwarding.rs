//! Automatic forwarding (MS-17): a mailbox's owner (or a delegate of an organisation's
//! mailbox) may have its mail also sent to one other mailbox of the trust space. The
//! rule is checked when set and again at each use (the trust list may have changed);
//! a forwarded copy is never forwarded again. Forwarding runs after the delivery, in
//! the background: the original is never held up nor refused because of it.

use std::future::Future;
use std::pin::Pin;

use caduceus_audit::{Action, Detail, Fact, Object, Outcome, Setting};
use caduceus_core::forwarding::{FORWARDED_HEADER, ForwardingFacts, check_forwarding};
use caduceus_core::{AccountKind, MailAddress, RecipientStatus, Refusal, Requirement};
use caduceus_store::Account;

use crate::automatic::Automatic;
use crate::error::{Result, ServiceError};
use crate::messages::MailboxAccess;
use crate::{Caller, Service};

impl Service {
    /// Sets (`Some`) or removes the forwarding rule of `access`'s mailbox (MS-17);
    /// refused, saying why, for a target outside the trust space, a patient, the
    /// mailbox itself, or an unknown local mailbox. Traced.
    pub async fn set_forwarding(
        &self,
        access: &MailboxAccess,
        target: Option<&MailAddress>,
    ) -> Result<()> {
        let owner = self.store.account(access.owner()).await?;
        if let Some(target) = target {
            self.forwarding_allowed(&owner, target).await?;
        }
        let mut trace = access.event(self.now_ms(), Action::ForwardingSet, Object::of(owner.id));
        trace.detail = Some(
            Detail::of(Requirement::Ms17).and(Fact::Switch(Setting::Forwarding, target.is_some())),
        );
        let rule = target.map(|t| (t.as_str(), self.clock.now()));
        Ok(self.store.set_forwarding(owner.id, rule, &trace).await?)
    }

    /// Where `access`'s mailbox forwards its mail, if anywhere (MS-17).
    pub async fn forwarding(&self, access: &MailboxAccess) -> Result<Option<MailAddress>> {
        let target = self.store.forwarding(access.owner()).await?;
        Ok(target.and_then(|t| MailAddress::parse(&t).ok()))
    }

    /// The rule's check (MS-17), then, for a local target, a mailbox that can
    /// receive (MS-2).
    async fn forwarding_allowed(&self, owner: &Account, target: &MailAddress) -> Result<()> {
        let facts = ForwardingFacts {
            owner: &owner.address,
            owner_is_patient: owner.kind == AccountKind::Patient,
            target,
            target_is_local: self.is_local(target),
            target_in_trust_list: self.trust_list().lists_domain(target.domain().as_str()),
        };
        check_forwarding(&facts).map_err(ServiceError::Refused)?;
        if facts.target_is_local {
            let found = self.store.account_by_address(target).await?;
            let status = RecipientStatus::of_local(found.map(|a| a.state));
            caduceus_core::check_recipient(target.as_str(), status)
                .map_err(ServiceError::Refused)?;
        }
        Ok(())
    }

    /// Forwards `raw`, just delivered to `recipients`, for those whose mailbox has a
    /// rule, in the background (MS-17).
    pub(crate) fn forward_copies(&self, raw: &[u8], recipients: Vec<Account>) {
        if recipients.is_empty() {
            return;
        }
        let service = self.clone();
        let raw = raw.to_vec();
        let task: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
            for owner in recipients {
                if let Err(error) = service.forward_one(&owner, &raw).await {
                    tracing::warn!(account = %owner.id, %error, "message not forwarded (MS-17)");
                }
            }
        });
        tokio::spawn(task);
    }

    async fn forward_one(&self, owner: &Account, raw: &[u8]) -> Result<()> {
        let Some(target) = self.store.forwarding(owner.id).await? else {
            return Ok(());
        };
        let mut trace =
            Caller::system().event(self.now_ms(), Action::MessageForward, Object::of(owner.id));
        let target =
            MailAddress::parse(&target).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        if let Err(error) = self.forwarding_allowed(owner, &target).await {
            trace.outcome = Outcome::Refused;
            trace.detail = Some(match &error {
                ServiceError::Refused(Refusal { requirement, .. }) => Detail::of(*requirement),
                _ => Detail::of(Requirement::Ms17),
            });
            self.store.append_traces(&[trace]).await?;
            return Err(error);
        }
        let copy = [
            format!("{FORWARDED_HEADER}: {}\r\n", owner.id).as_bytes(),
            raw,
        ]
        .concat();
        trace.detail = Some(match self.is_local(&target) {
            true => Detail::of(Requirement::Ms17).and(Fact::LocalTarget),
            false => Detail::of(Requirement::Ms17).and(target.domain().clone()),
        });
        let automatic = Automatic {
            owner: owner.id,
            from: Some(&owner.address),
            null_return_path: false,
            to: &target,
            raw: &copy,
        };
        self.send_automatic(automatic).await?;
        Ok(self.store.append_traces(&[trace]).await?)
    }
}
