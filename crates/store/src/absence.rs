//! Out-of-office settings, signatures and the senders answered, as kept (MS-6, RFC
//! 3834; issue 22 item 12): the [`AbsenceStore`] part of the [`Store`](crate::Store).
//!
//! The setting and the signature are personal content: sealed with the account key
//! (like the TOTP secret), so a copy of the database shows neither; only whether the
//! absence is on is in clear, for the delivery path. A sender answered is kept as an
//! HMAC-SHA256 of their address under the account key, for one period: a copy of the
//! database cannot tell whom a holder answered, even against a list of addresses.

use async_trait::async_trait;
use caduceus_audit::Event;
use caduceus_core::absence::Absence;
use caduceus_core::{MailAddress, Timestamp};

use crate::error::Result;
use crate::model::AccountId;

/// The out-of-office and signature storage.
#[async_trait]
pub trait AbsenceStore {
    /// The holder's out-of-office setting, if they ever set one.
    async fn absence(&self, account: AccountId) -> Result<Option<Absence>>;
    /// The holder's setting when it is on (days not checked): what a delivery reads.
    async fn absence_on(&self, account: AccountId) -> Result<Option<Absence>>;
    /// Keeps `absence`, sealed, and forgets the senders already answered (a new
    /// absence answers them again), with its trace.
    async fn set_absence(&self, account: AccountId, absence: &Absence, trace: &Event)
    -> Result<()>;
    /// The holder's signature; empty when none.
    async fn signature(&self, account: AccountId) -> Result<String>;
    /// Keeps `signature` (empty: none), sealed, with its trace.
    async fn set_signature(&self, account: AccountId, signature: &str, trace: &Event)
    -> Result<()>;
    /// Records that `sender` gets a reply at `now`, unless they got
    /// one less than `caduceus_core::absence::REPLY_PERIOD` ago (then nothing is
    /// written): whether the reply is due (RFC 3834 §2). The service traces the reply
    /// once it is sent or refused (`absence.replied`), not this record.
    async fn claim_absence_reply(
        &self,
        account: AccountId,
        sender: &MailAddress,
        now: Timestamp,
    ) -> Result<bool>;
    /// Gives back the claim of [`AbsenceStore::claim_absence_reply`] when the reply
    /// could not be sent (the antivirus or the database unavailable): the sender's next
    /// message is answered, instead of none for the period (RFC 3834 §2).
    async fn release_absence_reply(&self, account: AccountId, sender: &MailAddress) -> Result<()>;
}
