//! The one path every automatic message takes — a disposition notification (MS-16,
//! [`crate::mdn`]), a forwarded copy (MS-17, [`crate::forwarding`]), an out-of-office
//! reply (MS-6, [`crate::absence`]): delivered here when its recipient is local,
//! queued for its operator when that operator is in the trust space (MS-5), never
//! sent elsewhere. Either way it goes through the whole delivery policy
//! ([`Service::deliver_with`]: MS-2, MS-8, MS-10, MS-12, MS-13), as the system.

use caduceus_core::MailAddress;
use caduceus_store::{AccountId, Outbound};

use crate::error::Result;
use crate::{Caller, Service};

/// An automatic message to send.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Automatic<'a> {
    /// The account it is sent for (the owner of a queued copy).
    pub owner: AccountId,
    /// The sender the delivery rules see; `None` for a report (MDN).
    pub from: Option<&'a MailAddress>,
    /// Whether a queued copy leaves with the null envelope sender (a report; an
    /// automatic reply, RFC 3834 §3.3), else with `from`.
    pub null_return_path: bool,
    /// Its one recipient.
    pub to: &'a MailAddress,
    /// The message.
    pub raw: &'a [u8],
}

impl Service {
    /// Sends `message`: delivered here, or queued for a trust-space operator; `false`
    /// (nothing sent) for a recipient outside the trust space (MS-5). A refusal of
    /// the delivery policy is its error (traced by the delivery).
    pub(crate) async fn send_automatic(&self, message: Automatic<'_>) -> Result<bool> {
        let caller = Caller::system();
        let to = std::slice::from_ref(message.to);
        if self.is_local(message.to) {
            self.deliver_with(&caller, None, message.from, to, message.raw, None)
                .await?;
            return Ok(true);
        }
        if !self.trust_list().lists_domain(message.to.domain().as_str()) {
            return Ok(false);
        }
        let return_path = match message.from {
            Some(from) if !message.null_return_path => from.as_str().to_owned(),
            _ => String::new(),
        };
        let outbound = Outbound {
            queue_ref: caduceus_store::new_queue_ref(),
            owner: message.owner,
            return_path,
            recipients: to.to_vec(),
            notify_success: false,
            expires: self.config.retry.expiry(self.clock.now()),
        };
        self.deliver_with(
            &caller,
            None,
            message.from,
            &[],
            message.raw,
            Some(outbound),
        )
        .await?;
        Ok(true)
    }
}
