//! New-mail notices (MS-7): when a mailbox receives mail, its owner may be told at
//! their ordinary address, with a fixed text that names no sender, subject or
//! content. One notice per quiet period, however many messages arrive in it.

use caduceus_audit::{Action, Detail, Fact, Object, Setting};
use caduceus_core::{MailAddress, Requirement};
use caduceus_store::AccountId;

use crate::error::Result;
use crate::notify::Notice;
use crate::{Actor, Caller, Service};

/// An account's new-mail notice setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMailNotice {
    /// The owner asked for notices.
    pub enabled: bool,
    /// Their out-of-band address; notices go nowhere without one.
    pub to: Option<MailAddress>,
}

impl Service {
    /// Turns new-mail notices on or off for `account` (its owner, or the operator);
    /// traced. They go to the out-of-band address set with
    /// [`Service::set_contact_email`].
    pub async fn set_new_mail_notice(
        &self,
        caller: &Caller,
        account: AccountId,
        enabled: bool,
    ) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
        }
        let mut trace = caller.event(self.now_ms(), Action::NoticeSet, Object::of(account));
        trace.detail =
            Some(Detail::of(Requirement::Ms7).and(Fact::Switch(Setting::NewMail, enabled)));
        Ok(self
            .store
            .set_new_mail_notice(account, enabled, &trace)
            .await?)
    }

    /// Whether `account` gets new-mail notices, and where (its owner, or the operator).
    pub async fn new_mail_notice(
        &self,
        caller: &Caller,
        account: AccountId,
    ) -> Result<NewMailNotice> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
        }
        Ok(NewMailNotice {
            enabled: self.store.new_mail_notice(account).await?,
            to: self.store.contact_email(account).await?,
        })
    }

    /// After mail was delivered to `accounts`: claims a notice for each that asked
    /// for one and was not told within the quiet period, then sends them in the
    /// background, so the sender's answer never waits on the ordinary mail relay.
    pub(crate) async fn announce_new_mail(&self, accounts: &[AccountId]) {
        let now = self.clock.now();
        let quiet_since = caduceus_core::Timestamp::from_millis(
            now.as_millis() - self.config.new_mail_quiet.as_millis() as i64,
        );
        for &account in accounts {
            let to = match self
                .store
                .claim_new_mail_notice(account, now, quiet_since)
                .await
            {
                Ok(Some(to)) => to,
                Ok(None) => continue,
                Err(e) => {
                    // The mail itself is delivered; only the courtesy notice is lost.
                    tracing::warn!(%account, error = %e, "new-mail notice not claimed (MS-7)");
                    continue;
                }
            };
            let notifier = self.notifier.clone();
            tokio::spawn(async move {
                if let Err(reason) = notifier.send(Notice::NewMail { to }).await {
                    tracing::warn!(%account, %reason, "new-mail notice not sent (MS-7)");
                }
            });
        }
    }
}
