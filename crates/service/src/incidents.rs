//! Incident detection over the trace (TR-3), run on a schedule: the detectors of
//! `caduceus_core::incidents` over the last window of traces (and, for reading volume,
//! the last day against the month before). Each incident is raised once a day per
//! kind and subject, as an alert for the operator, traced, and sent to the security
//! contact when one is configured.

use std::time::Duration;

use caduceus_audit::{Action, Counter, Detail, Fact, Id, Marker, Object, Outcome, Who};
use caduceus_core::incidents::{self, Incident, TraceFact};
use caduceus_core::{Requirement, Timestamp};

use crate::error::Result;
use crate::notify::Notice;
use crate::{Caller, Service};

/// The window of traces each run looks at (the job runs this often).
pub const WINDOW: Duration = Duration::from_secs(600);

const DAY_MS: i64 = 86_400_000;

impl Service {
    /// Runs the detectors over the last [`WINDOW`] and raises what they find, once a
    /// day per kind and subject. Returns the incidents raised.
    pub async fn run_incident_detectors(&self) -> Result<Vec<Incident>> {
        let now = self.clock.now();
        let t = &self.config.incident_thresholds;
        let from = Timestamp::from_millis(now.as_millis() - WINDOW.as_millis() as i64);
        let entries = self.store.trace_entries_between(from, now).await?;
        let facts: Vec<TraceFact<'_>> = entries
            .iter()
            .map(|e| TraceFact {
                at_ms: e.at_ms,
                actor: &e.actor,
                action: &e.action,
                object: &e.object,
                source: e.source.as_deref(),
            })
            .collect();
        let mut found = incidents::brute_force(&facts, t);
        found.extend(incidents::credential_stuffing(&facts, t));
        found.extend(incidents::admin_off_hours(&facts, t));
        found.extend(incidents::fan_out(&facts, t));
        found.extend(incidents::refused_accesses(&facts, t));
        let day_ago = Timestamp::from_millis(now.as_millis() - DAY_MS);
        let month_ago = Timestamp::from_millis(now.as_millis() - 31 * DAY_MS);
        let today = self
            .store
            .trace_counts_by_actor("message.read", day_ago, now)
            .await?;
        let baseline: Vec<(String, f64)> = self
            .store
            .trace_counts_by_actor("message.read", month_ago, day_ago)
            .await?
            .into_iter()
            .map(|(actor, n)| (actor, n as f64 / 30.0))
            .collect();
        found.extend(incidents::unusual_volume(&today, &baseline, t));
        found.extend(self.overdue_breaches(now).await?);

        let recent: Vec<(String, String)> = self
            .store
            .alerts()
            .await?
            .into_iter()
            .filter(|a| a.at.as_millis() > now.as_millis() - DAY_MS)
            .map(|a| (a.kind, a.subject))
            .collect();
        let mut raised = Vec::new();
        for incident in found {
            let key = (incident.kind.as_str().to_owned(), incident.subject.clone());
            if recent.contains(&key) {
                continue;
            }
            let mut trace = Caller::system().event(
                now.as_millis(),
                Action::IncidentRaise,
                Object::of(subject_id(&incident.subject)),
            );
            trace.detail = Some(
                Detail::of(Requirement::Tr3)
                    .and(incident.kind)
                    .and(Fact::Count(Counter::from(incident.kind), incident.count)),
            );
            self.store
                .raise_alert(
                    now,
                    incident.kind.as_str(),
                    &incident.subject,
                    &incident.detail(),
                    &trace,
                )
                .await?;
            tracing::warn!(kind = incident.kind.as_str(), subject = %incident.subject, "incident raised (TR-3)");
            if let Some(to) = &self.config.security_contact {
                let notice = Notice::Incident {
                    to: to.clone(),
                    kind: incident.kind.as_str(),
                };
                if let Err(reason) = self.notifier.send(notice).await {
                    tracing::warn!(%reason, "incident notice not sent (TR-3)");
                }
            }
            raised.push(incident);
        }
        Ok(raised)
    }

    /// Security alerts raised so far (TR-3), for operators; the reading traced (TR-1).
    pub async fn alerts(&self, caller: &Caller) -> Result<Vec<caduceus_store::Alert>> {
        self.require_duty(caller, caduceus_core::Duty::SeeAlerts)
            .await?;
        let object = Object::of(Marker::AlertRead);
        self.trace_rule(
            caller,
            Action::AdminAction,
            object,
            Requirement::Tr3,
            Outcome::Success,
        )
        .await?;
        Ok(self.store.alerts().await?)
    }
}

/// An incident's subject, read back from the trace text the detectors saw (an actor,
/// or `ip:<address>`), as a typed id; anything else is not written (TR-5).
fn subject_id(subject: &str) -> Id {
    if let Some(breach) = subject.strip_prefix("breach:").and_then(|n| n.parse().ok()) {
        return Id::Breach(breach);
    }
    let ip = subject
        .strip_prefix("ip:")
        .and_then(|ip| ip.trim_start_matches("https:").parse().ok());
    match (ip, Who::parse(subject)) {
        (Some(ip), _) => Id::Ip(ip),
        (None, Some(who)) => Id::Actor(who),
        (None, None) => Id::Marker(Marker::UnreadableSubject),
    }
}
