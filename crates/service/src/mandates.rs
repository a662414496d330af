//! The mailboxes a person may act for besides their own: the organisational
//! mailboxes they are a delegate of (ID-3) and the mailboxes of the patients they
//! represent while the representation is in force (ID-7). A mail client shows them
//! beside the person's own (IMAP's shared namespace), the webmail in its switcher;
//! each opening goes through
//! [`Service::authorize`], so every access is traced with the person and
//! `acting_for`, and a withdrawn delegation or an ended capacity closes it at once.

use caduceus_core::MailAddress;
use caduceus_core::representation;
use caduceus_store::{Account, Delivered, MailboxId, MessageId};

use crate::error::{Result, ServiceError};
use crate::folders::Opening;
use crate::messages::MailboxAccess;
use crate::{Actor, Caller, Service};

/// Why a person may act for a mailbox that is not theirs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// A delegate of an organisational mailbox (ID-3).
    Delegate,
    /// A patient's legal representative, in force (ID-7).
    Representative,
}

/// A mailbox a person may act for besides their own.
#[derive(Clone, Debug)]
pub struct Mandate {
    /// The mailbox's account: its address is the name a mail client shows it under,
    /// its display name the one the webmail's switcher shows.
    pub account: Account,
    /// Why the person may act for it.
    pub basis: Basis,
}

impl Service {
    /// The mailboxes `caller` may act for now besides their own, by address: the
    /// organisations they are a delegate of (ID-3), the patients they represent
    /// (ID-7). Not traced: no mail is read; opening one is
    /// ([`Service::authorize_address`]).
    pub async fn mandates(&self, caller: &Caller) -> Result<Vec<Mandate>> {
        let Actor::Account(person) = caller.actor else {
            return Ok(Vec::new());
        };
        let now = self.clock.now();
        let delegated = self.store.delegated_to(person).await?;
        let represented = self.store.represented_by(person).await?;
        let represented = represented
            .into_iter()
            .filter(|r| representation::in_force(r.until, now))
            .map(|r| (r.patient, Basis::Representative));
        let mut mandates = Vec::new();
        for (owner, basis) in delegated
            .into_iter()
            .map(|owner| (owner, Basis::Delegate))
            .chain(represented)
        {
            let account = self.store.account(owner).await?;
            if account.state.can_exchange() {
                mandates.push(Mandate { account, basis });
            }
        }
        mandates.sort_by(|a, b| a.account.address.as_str().cmp(b.account.address.as_str()));
        Ok(mandates)
    }

    /// The mailbox at `address` opened for `caller`, checked as [`Service::authorize`]
    /// checks it (a refusal traced `access.denied`, AC-1): a mail client naming a
    /// shared mailbox by its address. An address of no account reads as not found.
    pub async fn authorize_address(&self, caller: &Caller, address: &str) -> Result<MailboxAccess> {
        let not_found = || ServiceError::NotFound("mailbox".into());
        let address = MailAddress::parse(address).map_err(|_| not_found())?;
        let account = self
            .store
            .account_by_address(&address)
            .await?
            .ok_or_else(not_found)?;
        self.authorize(caller, account.id).await
    }

    /// Files messages of `from`'s folder `folder` into `to`'s folder `target`, two
    /// mailboxes of different owners (a person's own and one they act for, ID-3,
    /// ID-7), each side checked with its own access: the messages are opened for the
    /// person (traced `message.read` on the source side) and stored in the target as
    /// an APPEND stores them (traced as a delivery there, with its `acting_for`);
    /// when `moving`, then expunged from the source (traced `message.delete`).
    /// Returns the copies, in the order of `ids`.
    pub async fn file_across(
        &self,
        from: &MailboxAccess,
        folder: MailboxId,
        ids: &[MessageId],
        to: &MailboxAccess,
        target: MailboxId,
        moving: bool,
    ) -> Result<Vec<Delivered>> {
        let opened = self.open_messages(from, folder, ids, Opening::Read).await?;
        let mut copies = Vec::with_capacity(opened.len());
        for message in &opened {
            let flags = message.summary.flags.clone();
            let internal = Some(message.summary.internal);
            copies.push(
                self.append(to, target, &message.raw, flags, internal)
                    .await?,
            );
        }
        if moving {
            self.expunge(from, folder, ids).await?;
        }
        Ok(copies)
    }
}
