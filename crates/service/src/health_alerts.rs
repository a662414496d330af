//! Health alerts (MS-15): a person holding the alert sender's role broadcasts a
//! message to the directory's professionals of a profession and/or a department.
//! The broadcast is recorded and traced at once, a copy kept in the sender's Sent;
//! delivery then runs in the background in batches of at most the recipient limit
//! (MS-12) with a pause between them, local copies stored and other operators'
//! recipients queued (MS-16), and the report says how many were reached. An alert
//! sender whose role is limited to a region broadcasts only to a department of it
//! (AC-1).

use caduceus_core::Requirement;
use std::time::Duration;

use caduceus_audit::{Action, Detail, Id, Object};
use caduceus_core::alert::Audience;
use caduceus_core::{Duty, MailAddress, Refusal, Role, Scope};
use caduceus_store::{Broadcast, BroadcastProgress};

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};
use crate::submit::Sender;

/// The pause between two batches: the throttle that keeps a broadcast from taking
/// over the service (with the default 50 recipients a batch, 200 a second).
pub const BATCH_PAUSE: Duration = Duration::from_millis(250);

/// A running broadcast whose report has not moved for this long was cut short (its
/// node stopped): it is reported `interrupted`, with the counts it reached.
const STALLED: Duration = Duration::from_secs(600);

/// Most reports listed.
const REPORTS: i64 = 100;

/// A health alert as its sender writes it (MS-15).
#[derive(Clone, Debug, Default)]
pub struct Alert {
    /// The profession code of the audience (`10` physicians…), or blank.
    pub profession: String,
    /// The department of the audience (`75`, `2A`, `974`…), or blank.
    pub department: String,
    /// The subject.
    pub subject: String,
    /// The text.
    pub text: String,
}

impl Service {
    /// Starts broadcasting `alert` to its audience, as `login`'s person acting under
    /// the alert sender's role (MS-15): written here from the sender's address to
    /// itself, a read copy kept in their Sent. Returns the report as it starts;
    /// [`Service::broadcasts`] follows it.
    pub async fn broadcast_alert(&self, login: &Authenticated, alert: &Alert) -> Result<Broadcast> {
        let caller = self.staff_caller(login, Role::AlertSender).await?;
        let audience =
            Audience::new(Some(&alert.profession), Some(&alert.department)).map_err(|error| {
                ServiceError::Refused(Refusal {
                    requirement: Requirement::Ms15,
                    reason: error.to_string(),
                })
            })?;
        self.require_region(&caller, &audience).await?;
        let raw = self.alert_message(login, audience.codes(), &alert.subject, &alert.text)?;
        if raw.len() > self.config.max_message_size {
            return Err(ServiceError::Refused(Refusal {
                requirement: Requirement::Ms1,
                reason: format!(
                    "the alert is larger than the {} bytes this service accepts",
                    self.config.max_message_size
                ),
            }));
        }
        let members = self
            .store
            .alert_audience(audience.profession(), &audience.postal_prefixes())
            .await?;
        let sender = login.account();
        // The store names the broadcast it creates as the object.
        let mut trace = caller.event(self.now_ms(), Action::AlertBroadcast, Object::default());
        trace.detail = Some(Detail::of(Requirement::Ms15).and(audience.clone()));
        let id = self
            .store
            .create_broadcast(
                sender.id,
                &audience.codes(),
                members.len(),
                self.clock.now(),
                &trace,
            )
            .await?;
        let sender = Sender::of(login.clone());
        self.keep_sent_copy(login, &sender, &raw).await?;
        let mut progress = BroadcastProgress {
            state: "running".into(),
            ..BroadcastProgress::default()
        };
        let started = self
            .store
            .broadcasts(REPORTS)
            .await?
            .into_iter()
            .find(|b| b.id == id)
            .ok_or_else(|| ServiceError::NotFound(format!("broadcast {id}")))?;
        let service = self.clone();
        tokio::spawn(async move {
            service
                .run_broadcast(id, &sender, &members, &raw, &mut progress)
                .await;
        });
        Ok(started)
    }

    /// Refuses, traced with the scope, an audience outside the caller's region
    /// (AC-1, MS-15): an alert sender of one region names a department inside it; an
    /// alert without a department would reach the whole country.
    async fn require_region(&self, caller: &Caller, audience: &Audience) -> Result<()> {
        let Actor::Staff {
            scope: scope @ Scope::Region(region),
            ..
        } = caller.actor()
        else {
            return Ok(());
        };
        let reason = match audience.department() {
            Some(department) if region.contains(department) => return Ok(()),
            Some(department) => {
                format!("department {department} is outside your role's scope, {scope} (MS-15)")
            }
            None => {
                format!("your role is limited to {scope}: name a department of your region (MS-15)")
            }
        };
        self.refuse_out_of_scope(caller, Object::of(Id::Duty(Duty::SendHealthAlerts)), scope)
            .await?;
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1,
            reason,
        })
    }

    /// The broadcasts' reports, newest first: counts and codes, no content. For the
    /// alert senders, and the security officer, administrator and auditor (AC-1). One
    /// still `running` whose report has not moved for ten minutes reads `interrupted`.
    pub async fn broadcasts(&self, caller: &Caller) -> Result<Vec<Broadcast>> {
        let sender = matches!(caller.actor(), Actor::Staff { role, .. }
            if role.may(caduceus_core::Duty::SendHealthAlerts));
        if !sender && !crate::accounts::holds_duty(caller, caduceus_core::Duty::SendHealthAlerts) {
            self.require_duty(caller, caduceus_core::Duty::SeeAlerts)
                .await?;
        }
        let stale_before = self.now_ms() - STALLED.as_millis() as i64;
        let mut reports = self.store.broadcasts(REPORTS).await?;
        for report in &mut reports {
            if report.progress.state == "running" && report.updated.as_millis() < stale_before {
                report.progress.state = "interrupted".into();
            }
        }
        Ok(reports)
    }

    /// Whether a directory member can get the alert: an active mailbox here, or a
    /// domain of the trust space (MS-5).
    async fn reachable(&self, address: &MailAddress) -> Result<bool> {
        if !self.is_local(address) {
            return Ok(self.trust_list().lists_domain(address.domain().as_str()));
        }
        Ok(self
            .store
            .account_by_address(address)
            .await?
            .is_some_and(|a| a.state.can_exchange()))
    }

    /// Delivers the batches, recording the progress after each: each batch's members
    /// are checked as it comes (an active mailbox here, or a domain of the trust
    /// space; the others counted unreachable), so that a broadcast to a whole
    /// profession starts at once. A batch refused (a mailbox closed meanwhile) counts
    /// as unreachable; anything else stops the broadcast, the report saying how far
    /// it went.
    async fn run_broadcast(
        &self,
        id: i64,
        sender: &Sender,
        members: &[String],
        raw: &[u8],
        progress: &mut BroadcastProgress,
    ) {
        let mut delivered_batches = 0;
        'batches: for batch in members.chunks(self.config.max_recipients.max(1)) {
            let mut reachable = Vec::with_capacity(batch.len());
            for member in batch {
                let Ok(address) = MailAddress::parse(member) else {
                    progress.unreachable += 1;
                    continue;
                };
                match self.reachable(&address).await {
                    Ok(true) => reachable.push(address),
                    Ok(false) => progress.unreachable += 1,
                    Err(error) => {
                        tracing::warn!(%error, broadcast = id, "health alert broadcast stopped");
                        progress.state = "stopped".into();
                        break 'batches;
                    }
                }
            }
            if !reachable.is_empty() {
                if delivered_batches > 0 {
                    tokio::time::sleep(BATCH_PAUSE).await;
                }
                delivered_batches += 1;
                match self.submit(sender, &reachable, raw, false).await {
                    Ok(submitted) => {
                        progress.delivered += submitted.delivered.len();
                        progress.queued += reachable.len() - submitted.delivered.len();
                    }
                    Err(ServiceError::Refused(_)) => progress.unreachable += reachable.len(),
                    Err(error) => {
                        tracing::warn!(%error, broadcast = id, "health alert broadcast stopped");
                        progress.state = "stopped".into();
                        break 'batches;
                    }
                }
            }
            if let Err(error) = self
                .store
                .update_broadcast(id, progress, self.clock.now())
                .await
            {
                tracing::warn!(%error, broadcast = id, "broadcast report not updated");
            }
        }
        if progress.state == "running" {
            progress.state = "done".into();
        }
        if let Err(error) = self
            .store
            .update_broadcast(id, progress, self.clock.now())
            .await
        {
            tracing::warn!(%error, broadcast = id, "broadcast report not updated");
        }
    }
}
