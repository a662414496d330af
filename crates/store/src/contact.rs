//! Contact changes waiting for their code (AU-1, MS-7, RT-1): the
//! [`ContactConfirmationStore`] part of the [`Store`](crate::Store), its records
//! ([`NewContactConfirmation`], [`ContactConfirmation`]).
//!
//! When a holder gives a new out-of-band address or phone number, it is kept here,
//! sealed with their account key, with the code sent to it as an HMAC-SHA256 under the
//! same key (AU-1, MS-4: six digits under a plain hash would be read back from a copy
//! of the database); the old value stays in use until the code is typed. One pending
//! change per account and channel: a new one replaces it.

use async_trait::async_trait;
use caduceus_audit::Event;
use caduceus_core::contact::{ContactChannel, ContactValue};
use caduceus_core::{OneTimeCode, Timestamp};

use crate::error::Result;
use crate::model::AccountId;

/// A contact change to keep until its code is typed.
#[derive(Clone, Copy, Debug)]
pub struct NewContactConfirmation<'a> {
    /// Whose contact it changes.
    pub account: AccountId,
    /// The new address or number (kept sealed).
    pub value: &'a ContactValue,
    /// The code sent to it, kept as a keyed hash bound to the account, the channel
    /// and the value (never in clear, never as a plain hash).
    pub code: &'a OneTimeCode,
    /// When the code stops being accepted.
    pub expires: Timestamp,
}

/// A pending contact change, as kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactConfirmation {
    /// The new address or number.
    pub value: ContactValue,
    /// When the code stops being accepted.
    pub expires: Timestamp,
    /// The codes typed for it so far.
    pub tries: u32,
}

/// The contact-confirmation operations of the store. Mutating calls that change what
/// the holder sees take their trace events and commit them with the change (TR-1).
#[async_trait]
pub trait ContactConfirmationStore: Send + Sync {
    /// Keeps a pending change, replacing the one of its channel, with its trace.
    async fn put_contact_confirmation(
        &self,
        new: &NewContactConfirmation<'_>,
        trace: &Event,
    ) -> Result<()>;
    /// The pending changes of `account`, e-mail first.
    async fn contact_confirmations(&self, account: AccountId) -> Result<Vec<ContactConfirmation>>;
    /// The channel of `account`'s pending change `code` was sent for, if any (AU-1):
    /// the typed code checked against each kept hash in constant time.
    async fn contact_code_channel(
        &self,
        account: AccountId,
        code: &OneTimeCode,
    ) -> Result<Option<ContactChannel>>;
    /// Counts one code typed for the pending change of `channel` and returns it with
    /// the new count, in one statement (two tries typed together count twice); `None`
    /// when there is none.
    async fn count_contact_try(
        &self,
        account: AccountId,
        channel: ContactChannel,
    ) -> Result<Option<ContactConfirmation>>;
    /// Makes the pending change of `channel` the account's contact and removes it, in
    /// one transaction with `trace`; false (nothing written) when it is gone already.
    async fn confirm_contact(
        &self,
        account: AccountId,
        channel: ContactChannel,
        trace: &Event,
    ) -> Result<bool>;
    /// Drops the pending change of `channel` (wrong codes, expiry) with its trace.
    async fn drop_contact_confirmation(
        &self,
        account: AccountId,
        channel: ContactChannel,
        trace: &Event,
    ) -> Result<()>;
}
