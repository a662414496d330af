//! What `caduceus serve` runs on a schedule, one node at a time when several share a
//! database (a lease per job in the store), once a day each: the trace purge past
//! retention (TR-2), the opening of announced patient mailboxes whose period ended
//! (ID-5), the inactivity warnings and deletions (RT-1); and every ten minutes
//! the incident detectors (TR-3).

use std::time::Duration;

use caduceus_core::Timestamp;

use crate::error::Result;
use crate::{Caller, Service};

/// How often the trace purge runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(24 * 3600);

impl Service {
    /// Runs, as `node`, the scheduled jobs that are due and that no other node holds;
    /// returns the names of those it ran. Meant to be called every few minutes.
    pub async fn run_scheduled(&self, node: &str) -> Result<Vec<&'static str>> {
        let mut ran = Vec::new();
        let now = self.clock.now();
        let until = Timestamp::from_millis(now.as_millis() + PURGE_EVERY.as_millis() as i64);
        if self
            .store
            .take_job_lease("trace-purge", node, now, until)
            .await?
        {
            let report = self.purge_traces(&Caller::system()).await?;
            tracing::info!(removed = report.removed, "scheduled trace purge (TR-2)");
            let expired = self.purge_expired().await?;
            tracing::info!(
                expired,
                "alerts, access records and failure counters past their time deleted"
            );
            let sessions = self.purge_web_state().await?;
            tracing::info!(
                sessions,
                "ended web sessions and old idempotency keys deleted"
            );
            ran.push("trace-purge");
        }
        let window =
            Timestamp::from_millis(now.as_millis() + crate::incidents::WINDOW.as_millis() as i64);
        if self
            .store
            .take_job_lease("incidents", node, now, window)
            .await?
        {
            let raised = self.run_incident_detectors().await?;
            if !raised.is_empty() {
                ran.push("incidents");
            }
        }
        if !(self.config.closure_grace.is_zero() && self.config.patient_retention.is_zero())
            && self
                .store
                .take_job_lease("closed-accounts", node, now, until)
                .await?
        {
            let deleted = self.delete_closed_accounts().await?;
            tracing::info!(
                deleted,
                "closed accounts deleted after the grace period (RT-2)"
            );
            ran.push("closed-accounts");
        }
        if self
            .store
            .take_job_lease("announcements", node, now, until)
            .await?
        {
            let opened = self.open_due_announcements().await?;
            tracing::info!(opened, "announced patient mailboxes opened (ID-5)");
            if opened > 0 {
                ran.push("announcements");
            }
        }
        if self.config.inactivity.is_some()
            && self
                .store
                .take_job_lease("inactivity", node, now, until)
                .await?
        {
            let report = self.run_inactivity().await?;
            tracing::info!(
                warned = report.warned,
                deleted = report.deleted,
                "scheduled inactivity run (RT-1)"
            );
            ran.push("inactivity");
        }
        Ok(ran)
    }
}
