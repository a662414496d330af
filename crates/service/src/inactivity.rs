//! Inactivity (RT-1): a mailbox whose owner has not logged in for the configured
//! period (at most 365 days) is deleted; before that the owner is warned at their
//! ordinary address 60, 30 and 7 days ahead, each warning with a link whose token
//! records an objection that keeps the mailbox for another period. An organisational
//! mailbox follows its delegates' activity. Warnings, objections and deletions are
//! traced.
//!
//! "No deletion without a delivered warning" (RT-1): a warning counts once a channel
//! took it (the mail relay or the SMS gateway accepted it); one that reached no one
//! (no contact address, a channel down, the server off at the time) is traced
//! `delivered:no` and tried again at the next run. A mailbox is deleted only once its
//! deadline has passed **and** a warning was delivered at least 7 days before; until
//! then the deadline moves, and an alert (TR-3) tells the operator the owner could not
//! be reached.

use std::time::Duration;

use caduceus_audit::{Action, Channel, Counter, Detail, Fact, Object};
use caduceus_core::{AccountKind, AccountState, Requirement, SecretString, Timestamp};
use caduceus_store::Account;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Result, ServiceError};
use crate::notify::Notice;
use crate::{Caller, Service};

/// Days before the deletion at which the owner is warned.
pub const WARNING_DAYS: [i64; 3] = [60, 30, 7];

/// How long before a deletion the owner must have been warned, at the least.
const LAST_NOTICE_DAYS: i64 = 7;

const DAY_MS: i64 = 86_400_000;

/// What one inactivity run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InactivityReport {
    /// Warnings delivered (a channel took them).
    pub warned: usize,
    /// Warnings that reached no one (no address, a channel down): tried again later.
    pub undelivered: usize,
    /// Mailboxes past their deadline kept because no warning was delivered 7 days
    /// before (an alert is raised for each).
    pub postponed: usize,
    /// Mailboxes deleted.
    pub deleted: usize,
}

impl Service {
    /// Warns and deletes as the schedule says, at the clock's now (RT-1).
    pub async fn run_inactivity(&self) -> Result<InactivityReport> {
        let Some(period) = self.config.inactivity else {
            return Ok(InactivityReport::default());
        };
        let period = period.min(Duration::from_secs(365 * 24 * 3600)).as_millis() as i64;
        let now = self.clock.now().as_millis();
        let mut report = InactivityReport::default();
        for account in self.store.accounts().await? {
            if !matches!(
                account.state,
                AccountState::Active | AccountState::Verified | AccountState::Suspended
            ) {
                continue;
            }
            let last = self.last_active(&account).await?;
            let deadline = last + period;
            // Warnings delivered since the last activity.
            let delivered: Vec<(i64, i64)> = self
                .store
                .inactivity_warnings(account.id)
                .await?
                .into_iter()
                .map(|(stage, at)| (stage, at.as_millis()))
                .filter(|(_, at)| *at > last)
                .collect();
            if now >= deadline
                && delivered
                    .iter()
                    .any(|(_, at)| now - at >= LAST_NOTICE_DAYS * DAY_MS)
            {
                // RT-1: deleted at the deadline, whatever the closure grace (RT-2).
                let now = crate::accounts::Closure::Now;
                self.close(&Caller::system(), account.id, now).await?;
                tracing::info!(account = %account.id, "mailbox deleted after inactivity (RT-1)");
                report.deleted += 1;
                continue;
            }
            // The most urgent warning due, unless one as urgent was delivered.
            let due = WARNING_DAYS
                .iter()
                .rev()
                .copied()
                .find(|days| now >= deadline - days * DAY_MS);
            if let Some(stage) = due
                && !delivered.iter().any(|(s, _)| *s <= stage)
            {
                if self.warn_inactive(&account, stage, deadline).await? {
                    report.warned += 1;
                } else {
                    report.undelivered += 1;
                }
            }
            if now >= deadline {
                self.postpone(&account).await?;
                report.postponed += 1;
            }
        }
        Ok(report)
    }

    /// RT-1: the deadline passed, but no warning was delivered 7 days before: the
    /// mailbox is kept and the operator alerted (TR-3).
    async fn postpone(&self, account: &Account) -> Result<()> {
        let mut trace =
            Caller::system().event(self.now_ms(), Action::IncidentRaise, Object::of(account.id));
        trace.detail = Some(Detail::of(Requirement::Rt1).and(Fact::InactivityUnwarned));
        tracing::warn!(account = %account.id, "inactive mailbox kept: no warning delivered 7 days before (RT-1)");
        Ok(self
            .store
            .raise_alert(
                self.clock.now(),
                "inactivity.unwarned",
                &account.id.to_string(),
                "RT-1 postponed:yes",
                &trace,
            )
            .await?)
    }

    /// The last activity of `account`: its last login, else its creation; for an
    /// organisational mailbox, the latest of its delegates' too.
    async fn last_active(&self, account: &Account) -> Result<i64> {
        let own = self
            .store
            .last_activity(account.id)
            .await?
            .unwrap_or(account.created)
            .as_millis();
        if account.kind != AccountKind::Organisation {
            return Ok(own);
        }
        let mut latest = own;
        for delegate in self.store.delegates(account.id).await? {
            if let Some(at) = self.store.last_activity(delegate).await? {
                latest = latest.max(at.as_millis());
            }
        }
        Ok(latest)
    }

    /// Sends the `stage` warning through every channel the owner gave; whether one took
    /// it. Only a delivered warning is recorded (with its objection token); every
    /// attempt is traced.
    async fn warn_inactive(&self, account: &Account, stage: i64, deadline: i64) -> Result<bool> {
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let token: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let hash = Sha256::digest(token.as_bytes());
        let to = self.store.contact_email(account.id).await?;
        let phone = self.store.contact_phone(account.id).await?;
        let channels = match (&to, &phone) {
            (Some(_), Some(_)) => &[Channel::Email, Channel::Sms][..],
            (Some(_), None) => &[Channel::Email],
            (None, Some(_)) => &[Channel::Sms],
            (None, None) => &[Channel::None],
        };
        let days_left = ((deadline - self.now_ms()) / DAY_MS).max(0) as u32;
        let mut notices = Vec::new();
        if let Some(to) = to {
            notices.push(Notice::InactivityWarning {
                to,
                days_left,
                token: SecretString::new(token.clone()),
            });
        }
        if let Some(to) = phone {
            notices.push(Notice::InactivitySms {
                to,
                days_left,
                token: SecretString::new(token),
            });
        }
        let mut delivered = false;
        for notice in notices {
            match self.notifier.send(notice).await {
                Ok(()) => delivered = true,
                Err(reason) => {
                    tracing::warn!(account = %account.id, %reason, "inactivity warning not sent (RT-1)")
                }
            }
        }
        let mut trace = Caller::system().event(
            self.now_ms(),
            Action::InactivityWarning,
            Object::of(account.id),
        );
        let detail =
            Detail::of(Requirement::Rt1).and(Fact::Count(Counter::Stage, stage.unsigned_abs()));
        let detail = channels
            .iter()
            .fold(detail, |detail, &channel| detail.and(channel));
        trace.detail = Some(detail.and(Fact::Delivered(delivered)));
        if delivered {
            self.store
                .record_inactivity_warning(account.id, stage, self.clock.now(), &hash, &trace)
                .await?;
        } else {
            self.store.append_traces(&[trace]).await?;
        }
        Ok(delivered)
    }

    /// Records the owner's objection carried by a warning's link: the mailbox is kept
    /// for another full period (RT-1). Traced; an unknown token is refused.
    pub async fn object_to_deletion(&self, token: &str, source: &str) -> Result<()> {
        let hash = Sha256::digest(token.trim().as_bytes());
        let account = self
            .store
            .account_by_objection(&hash)
            .await?
            .ok_or_else(|| ServiceError::NotFound("this link is not valid".into()))?;
        self.store.touch_activity(account, self.clock.now()).await?;
        let mut trace = Caller::system().event(
            self.now_ms(),
            Action::InactivityObjection,
            Object::of(account),
        );
        trace.source = Some(source.to_owned());
        trace.detail = Some(Detail::of(Requirement::Rt1));
        Ok(self.store.append_traces(&[trace]).await?)
    }
}

/// The instant `days` days after `at` (tests and docs).
pub fn days_after(at: Timestamp, days: i64) -> Timestamp {
    Timestamp::from_millis(at.as_millis() + days * DAY_MS)
}
