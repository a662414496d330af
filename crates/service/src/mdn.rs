//! Automatic disposition notifications (RFC 8098; MS-16): a message delivered here
//! that asks for one (`Disposition-Notification-To`) gets an MDN from each local
//! recipient, `processed`, sent to the address asked — delivered here, or queued for
//! its operator when it is in the trust space. Automatic messages (reports,
//! `Auto-Submitted`) never get one, so notifications cannot loop. Only the sender is
//! answered (RFC 8098 §2.1): an address asked that is not the envelope sender (or,
//! without one, the `From:` address) gets nothing, so a message cannot make a
//! patient's mailbox write to someone else, nor reveal its address (MS-8, TR-5).
//! Each leaves signed with the operator's certificate when a signer is configured
//! ([`crate::proof`]).

use std::future::Future;
use std::pin::Pin;

use caduceus_core::{MailAddress, Mdn};
use caduceus_store::Account;

use crate::Service;
use crate::automatic::Automatic;
use crate::ingest::MessageMeta;

impl Service {
    /// Sends the MDNs `meta` asks for, from each of `recipients`, in the background:
    /// the original delivery never waits for them, nor fails with them.
    pub(crate) fn send_mdns(
        &self,
        meta: &MessageMeta,
        from: Option<&MailAddress>,
        recipients: Vec<Account>,
    ) {
        let Some(to) = meta
            .disposition_notification_to
            .as_deref()
            .filter(|_| !meta.automatic)
            .and_then(|a| MailAddress::parse(a).ok())
        else {
            return;
        };
        let sender = from.cloned().or_else(|| {
            meta.from
                .first()
                .and_then(|a| a.address.as_deref())
                .and_then(|a| MailAddress::parse(a).ok())
        });
        if sender.as_ref() != Some(&to) {
            tracing::info!("MDN asked for another address than the sender's: not sent (MS-8)");
            return;
        }
        let original = meta.message_id.clone();
        let service = self.clone();
        let task: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
            for recipient in recipients {
                if let Err(error) = service.send_mdn(&recipient, &to, original.as_deref()).await {
                    tracing::warn!(account = %recipient.id, %error, "MDN not sent (MS-16)");
                }
            }
        });
        tokio::spawn(task);
    }

    async fn send_mdn(
        &self,
        recipient: &Account,
        to: &MailAddress,
        original: Option<&str>,
    ) -> crate::error::Result<()> {
        let domain = self.config.domain.as_str();
        let now = self.clock.now();
        let message_id = format!("mdn.{}.{}@{domain}", recipient.id.0, now.as_millis());
        let date = now.rfc5322();
        let reporting_ua = format!("mail.{domain}");
        let mdn = Mdn {
            reporting_ua: &reporting_ua,
            recipient: recipient.address.as_str(),
            to: to.as_str(),
            original_message_id: original,
            date: &date,
            message_id: &message_id,
        }
        .to_message();
        let mdn = self.signed_report(mdn, &message_id);
        let automatic = Automatic {
            owner: recipient.id,
            from: None,
            null_return_path: true,
            to,
            raw: &mdn,
        };
        self.send_automatic(automatic).await?;
        Ok(())
    }
}
