//! The mailboxes a person acts for besides their own (ID-3, ID-7): the organisational
//! mailboxes they are a delegate of, the patients they represent now. A front end
//! offers these to choose from; opening one is still [`Service::authorize`]'s to
//! allow, at each request, so that a withdrawn delegation or a representation that
//! ended is refused at once.

use caduceus_core::representation::{self, Capacity};
use caduceus_store::Account;

use crate::error::Result;
use crate::{Actor, Caller, Service};

/// Why a person may act for a mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// A delegate of an organisational mailbox (ID-3).
    Delegate,
    /// A patient's representative, in this capacity (ID-7).
    Representative(Capacity),
}

/// A mailbox a person may act for.
#[derive(Clone, Debug)]
pub struct ActedFor {
    /// The mailbox's account (an organisation's, or a patient's).
    pub account: Account,
    /// Why the person may act for it.
    pub standing: Standing,
}

impl Service {
    /// The mailboxes `caller` may act for besides their own (ID-3, ID-7):
    /// organisations they are a delegate of, then patients they represent now
    /// (representations past their end left out). Nobody but a person has any.
    /// Listing them reveals no one's mail: opening one goes through
    /// [`Service::authorize`].
    pub async fn acted_for(&self, caller: &Caller) -> Result<Vec<ActedFor>> {
        let Actor::Account(person) = caller.actor else {
            return Ok(Vec::new());
        };
        let mut found = Vec::new();
        for organisation in self.store.delegations(person).await? {
            found.push(ActedFor {
                account: self.store.account(organisation).await?,
                standing: Standing::Delegate,
            });
        }
        let now = self.clock.now();
        for r in self.store.represented_by(person).await? {
            if representation::in_force(r.until, now) {
                found.push(ActedFor {
                    account: self.store.account(r.patient).await?,
                    standing: Standing::Representative(r.capacity),
                });
            }
        }
        Ok(found)
    }
}
