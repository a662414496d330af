//! The personal-data breach register (TR-6), kept by the security officer (or the
//! operator at the command line): a breach is recorded, assessed, notified (the people
//! concerned informed at their out-of-band address when the risk is high), closed —
//! each step by `caduceus_core::breach`'s rules, traced (`breach.record`, the state it
//! moved to) — and the register is exported for the authority. A breach not notified
//! 72 hours after its detection raises an alert (`Service::overdue_breaches`, run with
//! the incident detectors).

use caduceus_audit::{Action, Detail, Id, Marker, Object};
use caduceus_core::breach::{self, BreachState, Nature, Risk, Step};
use caduceus_core::incidents::{Incident, IncidentKind};
use caduceus_core::{Duty, Requirement, Timestamp};
use caduceus_store::{AccountId, Breach, MessageId};

use crate::error::{Result, ServiceError};
use crate::notify::Notice;
use crate::{Caller, Service};

/// What an assessment finds: the risk, and the data concerned (ids only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// The risk to the people concerned.
    pub risk: Risk,
    /// The accounts whose data it concerns.
    pub accounts: Vec<AccountId>,
    /// The message copies it concerns.
    pub messages: Vec<MessageId>,
}

impl Service {
    /// Records a breach of `nature` the operator became aware of at `detected` (TR-6).
    /// Returns its number.
    pub async fn record_breach(
        &self,
        caller: &Caller,
        nature: Nature,
        detected: Timestamp,
    ) -> Result<i64> {
        self.require_duty(caller, Duty::HandleBreaches).await?;
        let now = self.clock.now();
        if detected > now {
            return Err(ServiceError::Invalid(
                "a breach cannot be detected in the future".to_owned(),
            ));
        }
        let breach = Breach {
            id: 0,
            nature,
            detected,
            opened: now,
            state: BreachState::Open,
            risk: None,
            accounts: Vec::new(),
            messages: Vec::new(),
            notified: None,
            users_informed: false,
            closed: None,
        };
        let mut trace = caller.event(
            now.as_millis(),
            Action::BreachRecord,
            Object::of(Id::Breach(0)),
        );
        trace.detail = Some(
            Detail::of(Requirement::Tr6)
                .and(BreachState::Open)
                .and(nature),
        );
        Ok(self.store.record_breach(&breach, &trace).await?)
    }

    /// Assesses breach `id` (again, until it is notified): its risk and the data it
    /// concerns.
    pub async fn assess_breach(
        &self,
        caller: &Caller,
        id: i64,
        assessment: Assessment,
    ) -> Result<()> {
        let mut breach = self.breach_for(caller, id).await?;
        breach.state = self.step(&breach, Step::Assess(assessment.risk))?;
        breach.risk = Some(assessment.risk);
        breach.accounts = assessment.accounts;
        breach.messages = assessment.messages;
        self.write_breach(caller, &breach).await
    }

    /// Records that breach `id` was notified to the controller and the authority; when
    /// its risk is high, informs each account concerned at its out-of-band address
    /// (a fixed text; GDPR art. 34). Returns how many were informed.
    pub async fn notify_breach(&self, caller: &Caller, id: i64) -> Result<usize> {
        let mut breach = self.breach_for(caller, id).await?;
        breach.state = self.step(&breach, Step::Notify)?;
        breach.notified = Some(self.clock.now());
        let mut informed = 0;
        if breach.risk == Some(Risk::High) {
            for account in &breach.accounts {
                let Some(to) = self.store.contact_email(*account).await? else {
                    continue;
                };
                match self.notifier.send(Notice::Breach { to }).await {
                    Ok(()) => informed += 1,
                    Err(reason) => tracing::warn!(%reason, "breach notice not sent (TR-6)"),
                }
            }
            breach.users_informed = informed > 0;
        }
        self.write_breach(caller, &breach).await?;
        Ok(informed)
    }

    /// Closes breach `id`: notified, or assessed unlikely to result in a risk.
    pub async fn close_breach(&self, caller: &Caller, id: i64) -> Result<()> {
        let mut breach = self.breach_for(caller, id).await?;
        breach.state = self.step(&breach, Step::Close)?;
        breach.closed = Some(self.clock.now());
        self.write_breach(caller, &breach).await
    }

    /// The register, newest first, for the security officer or the operator; the
    /// reading traced.
    pub async fn breaches(&self, caller: &Caller) -> Result<Vec<Breach>> {
        self.require_duty(caller, Duty::HandleBreaches).await?;
        let object = Object::of(Marker::BreachRegister);
        let (action, success) = (Action::AdminAction, caduceus_audit::Outcome::Success);
        self.trace_rule(caller, action, object, Requirement::Tr6, success)
            .await?;
        Ok(self.store.breaches().await?)
    }

    /// The breaches not notified 72 hours after their detection (and not assessed
    /// unlikely to result in a risk), as incidents to raise (TR-3, TR-6).
    pub(crate) async fn overdue_breaches(&self, now: Timestamp) -> Result<Vec<Incident>> {
        let breaches = self.store.breaches().await?;
        Ok(breaches
            .into_iter()
            .filter(|b| breach::overdue(b.state, b.risk, b.detected, now))
            .map(|b| Incident {
                kind: IncidentKind::BreachOverdue,
                subject: format!("breach:{}", b.id),
                count: now.duration_since(breach::deadline(b.detected)).as_secs() / 3600,
            })
            .collect())
    }

    async fn breach_for(&self, caller: &Caller, id: i64) -> Result<Breach> {
        self.require_duty(caller, Duty::HandleBreaches).await?;
        Ok(self.store.breach(id).await?)
    }

    fn step(&self, breach: &Breach, step: Step) -> Result<BreachState> {
        breach::next(breach.state, breach.risk, step).map_err(ServiceError::Refused)
    }

    async fn write_breach(&self, caller: &Caller, breach: &Breach) -> Result<()> {
        let object = Object::of(Id::Breach(breach.id));
        let mut trace = caller.event(self.now_ms(), Action::BreachRecord, object);
        let mut detail = Detail::of(Requirement::Tr6).and(breach.state);
        if let Some(risk) = breach.risk {
            detail = detail.and(risk);
        }
        trace.detail = Some(detail);
        Ok(self.store.update_breach(breach, &trace).await?)
    }
}
