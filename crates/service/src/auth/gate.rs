//! The brute-force gate (AU-3): every attempt is let through or refused by the settled
//! failures of its account and source ([`LockoutPolicy::gate`]: delay, lock), and by
//! the attempts of the same subjects still being checked on this node.
//!
//! A failure is counted when the credential proved wrong, in one locked
//! read-and-write per subject. Attempts still being checked are held apart, in
//! memory ([`InFlight`]): together with the settled failures they may not reach the
//! lock's count, so parallel guesses cannot outrun the counter (at most
//! `lock_after` guesses are checked before the lock, per node), while a mail client
//! opening several connections at once with the right credential is never mistaken
//! for an attacker (a success counts nothing).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use caduceus_audit::{Action, Detail, Outcome, Reason, Who};
use caduceus_core::{FailureState, Gate, Timestamp};
use caduceus_store::AccountId;

use super::{GateSubject, gate_subjects};
use crate::Service;
use crate::error::{Result, ServiceError};

/// The attempts being checked on this node, per subject key.
#[derive(Debug, Default)]
pub(crate) struct InFlight(Mutex<HashMap<String, u32>>);

impl InFlight {
    /// Holds one more attempt against `key` if fewer than `room` are held.
    fn hold(&self, key: &str, room: u32) -> bool {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let count = held.entry(key.to_owned()).or_default();
        if *count >= room {
            return false;
        }
        *count += 1;
        true
    }

    fn release(&self, key: &str) {
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = held.get_mut(key) {
            *count -= 1;
            if *count == 0 {
                held.remove(key);
            }
        }
    }
}

/// An attempt let through the gate, held against its subjects until it is dropped
/// (when its credential has been checked, whatever the outcome).
#[derive(Debug)]
pub(crate) struct Attempt {
    /// The account's settled failures, as the gate read them (forgiven on success).
    pub(crate) failures: FailureState,
    held: Vec<String>,
    in_flight: Arc<InFlight>,
}

impl Drop for Attempt {
    fn drop(&mut self) {
        for key in &self.held {
            self.in_flight.release(key);
        }
    }
}

impl Service {
    /// Lets the attempt through, or refuses it (traced) when the account or the source
    /// is delayed or locked, or when the attempts already being checked would reach
    /// the lock's count with the settled failures (AU-3). The attempt is held until
    /// the returned [`Attempt`] is dropped.
    pub(crate) async fn pass_gate(
        &self,
        account: Option<AccountId>,
        source: &str,
    ) -> Result<Attempt> {
        let now = self.clock.now();
        let actor = account.map_or(Who::System, Who::from);
        let account_key = account.map(|id| id.to_string());
        let mut attempt = Attempt {
            failures: FailureState::default(),
            held: Vec::new(),
            in_flight: self.in_flight.clone(),
        };
        for subject in gate_subjects(account, source) {
            let policy = subject.policy;
            let state = policy.current(self.store.failure_state(&subject.key).await?, now);
            if account_key.as_ref() == Some(&subject.key) {
                attempt.failures = state;
            }
            let refused = match policy.gate(state, now) {
                Gate::Locked { until } => Some((until, true)),
                Gate::Wait { until } => Some((until, false)),
                Gate::Open => {
                    let room = policy.lock_after.saturating_sub(state.failures);
                    if self.in_flight.hold(&subject.key, room) {
                        attempt.held.push(subject.key.clone());
                        None
                    } else {
                        let until = now.saturating_add(policy.base_delay);
                        Some((until, false))
                    }
                }
            };
            if let Some((until, locked)) = refused {
                return Err(self
                    .refuse_at_gate(&actor, subject, source, until, locked)
                    .await);
            }
        }
        Ok(attempt)
    }

    /// Traces an attempt the gate refused and says why (AU-3).
    async fn refuse_at_gate(
        &self,
        actor: &Who,
        subject: GateSubject,
        source: &str,
        until: Timestamp,
        locked: bool,
    ) -> ServiceError {
        crate::metrics::login(if locked { "locked" } else { "throttled" });
        let reason = if locked {
            Reason::Locked
        } else {
            Reason::Throttled
        };
        let event = self.auth_event(
            actor.clone(),
            Action::AuthFailure,
            subject.object,
            source,
            Outcome::Refused,
            Detail::of(reason),
        );
        if let Err(error) = self.store.append_traces(&[event]).await {
            return error.into();
        }
        if locked {
            ServiceError::Locked { until }
        } else {
            ServiceError::Throttled { until }
        }
    }

    /// Counts a failed attempt against its source and account, in one locked
    /// read-and-write each; locks and alerts when the count reaches the threshold
    /// (TR-3). Returns the delay owed before answering.
    pub(crate) async fn count_failure(
        &self,
        account: Option<AccountId>,
        source: &str,
        actor: &Who,
    ) -> Result<Duration> {
        let now = self.clock.now();
        let mut delay = Duration::ZERO;
        for subject in gate_subjects(account, source) {
            let policy = subject.policy;
            let count = move |state: FailureState| policy.after_failure(state, now).state;
            let (before, after) = self
                .store
                .update_failure_state(&subject.key, &count)
                .await?;
            let outcome = policy.after_failure(before, now);
            if outcome.locked_now {
                self.raise_lockout(actor, &subject, source, now).await?;
            }
            delay = delay.max(outcome.delay).max(policy.delay(after.failures));
        }
        Ok(delay)
    }
}
