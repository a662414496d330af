//! Storage quotas: what an account holds, all folders together, against
//! `ServiceConfig::mailbox_quota`. Mail that would take an account over it is
//! refused for now (the sender's server retries), not lost.

use caduceus_store::AccountId;

use crate::Service;
use crate::error::{Result, ServiceError};
use crate::messages::MailboxAccess;

/// An account's storage and its quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    /// Bytes of all its messages (as received).
    pub bytes: u64,
    /// Number of messages.
    pub messages: u64,
    /// The quota in bytes, if there is one.
    pub limit: Option<u64>,
}

impl Service {
    /// The storage of the mailbox owner and its quota; not traced (no content).
    pub async fn usage(&self, access: &MailboxAccess) -> Result<Usage> {
        let (bytes, messages) = self.store.account_usage(access.owner()).await?;
        Ok(Usage {
            bytes,
            messages,
            limit: self.config.mailbox_quota,
        })
    }

    /// Refuses `adding` more bytes for `account` when they would take it over its
    /// quota.
    pub(crate) async fn check_quota(&self, account: AccountId, adding: usize) -> Result<()> {
        let Some(limit) = self.config.mailbox_quota else {
            return Ok(());
        };
        let (bytes, _) = self.store.account_usage(account).await?;
        if bytes.saturating_add(adding as u64) > limit {
            return Err(ServiceError::OverQuota(format!(
                "the mailbox holds {} of its {} MiB; nothing was stored, try again later",
                bytes.div_ceil(1024 * 1024),
                limit / (1024 * 1024)
            )));
        }
        Ok(())
    }
}
