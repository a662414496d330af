//! Sending rates (MS-13): each mailbox sending through submission, and each peer
//! operator relaying to us, gets at most its configured number of messages per hour.
//! A message over the rate is refused for now (a temporary failure: the client or the
//! peer's queue tries again later) and traced. The count is kept by each node in
//! memory: nodes sharing a database each allow the full rate.

use std::collections::HashMap;
use std::sync::Mutex;

use caduceus_audit::{Action, Detail, Marker, Object, Outcome, Reason};
use caduceus_core::{RateLimit, Requirement, Timestamp};
use caduceus_store::AccountId;

use crate::error::Result;
use crate::{Caller, Service, ServiceError};

/// Entries kept before those that no longer hold anything back are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// Each sender's state under its [`RateLimit`] (when its next message is due).
#[derive(Debug, Default)]
pub(crate) struct Rates(Mutex<HashMap<String, Timestamp>>);

impl Rates {
    /// Takes one message for `key` at `now`, or says how long it must wait.
    fn take(
        &self,
        key: &str,
        limit: &RateLimit,
        now: Timestamp,
    ) -> Result<(), std::time::Duration> {
        let mut due = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if due.len() > PRUNE_ABOVE {
            due.retain(|_, next| *next > now);
        }
        let next = limit.take(due.get(key).copied(), now)?;
        due.insert(key.to_owned(), next);
        Ok(())
    }
}

impl Service {
    /// Counts one message from `caller` (for the organisational mailbox `acting_for`)
    /// against `limit` (`None`: no limit), under the name `key` (`account:<id>`,
    /// `peer:<domain>`); over the rate, traces the refusal and answers
    /// [`ServiceError::RateLimited`] naming `who`.
    pub(crate) async fn take_rate(
        &self,
        caller: &Caller,
        acting_for: Option<AccountId>,
        key: &str,
        limit: Option<RateLimit>,
        who: &str,
    ) -> Result<()> {
        let Some(limit) = limit else {
            return Ok(());
        };
        let Err(retry_after) = self.rates.take(key, &limit, self.clock.now()) else {
            return Ok(());
        };
        let mut event = caller.event(
            self.now_ms(),
            Action::MessageRefuse,
            Object::of(Marker::NoMessage),
        );
        event.acting_for = acting_for.map(Into::into);
        event.outcome = Outcome::Refused;
        event.detail = Some(Detail::of(Requirement::Ms13).and(Reason::Rate));
        if let Err(error) = self.store.append_traces(&[event]).await {
            tracing::warn!(%error, "a rate refusal could not be traced");
        }
        Err(ServiceError::RateLimited {
            reason: format!(
                "{who} may send at most {} messages per {} minutes",
                limit.count,
                limit.per.as_secs() / 60
            ),
            retry_after,
        })
    }
}
