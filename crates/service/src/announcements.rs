//! Patient mailboxes announced before they open (ID-5, AC-3; seed 003 §7: « vous
//! disposez de six semaines pour exprimer votre opposition »). The registration
//! authority announces a verified patient mailbox: a notice goes to the patient's
//! out-of-band address with a one-time link (random token, SHA-256 stored) to a page
//! that needs no login, where the patient objects or accepts at once. Until then the
//! mailbox neither receives mail (refused at `RCPT` naming ID-5) nor logs in. The
//! periodic job opens it when the period ends ([`Service::open_due_announcements`]).
//! An objection — through the link, or recorded by the registration authority on the
//! patient's behalf — ends it for good: the account and everything keyed by it are
//! deleted at once, and only the SHA-256 of the INS is kept with the date, so that it is
//! not announced again unless the patient, present in person, accepts a mailbox
//! ([`Service::open_at_counter`]). Every step is traced.

use caduceus_audit::{Action, Detail, Event, Fact, Object};
use caduceus_core::announcement::{self, AnnouncementEnd};
use caduceus_core::{AccountState, Duty, Requirement, SecretString};
use caduceus_store::{Account, AccountId, Announcement};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Result, ServiceError};
use crate::notify::Notice;
use crate::{Caller, Service};

/// What the patient answers through the notice's link (ID-5, AC-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The patient objects: the mailbox is never created.
    Object,
    /// The patient accepts: the mailbox opens now.
    Accept,
}

/// The digest kept of an objecting patient's INS (AC-3, ID-6).
fn ins_digest(account: &Account) -> Result<[u8; 32]> {
    let ins = account.address.patient_ins().ok_or_else(|| {
        ServiceError::Invalid("a patient mailbox is named by its INS (ID-5)".into())
    })?;
    Ok(Sha256::digest(ins.expose().as_bytes()).into())
}

fn detail(end: AnnouncementEnd) -> Detail {
    let requirement = if end.opens() {
        Requirement::Id5
    } else {
        Requirement::Ac3
    };
    Detail::of(requirement).and(Fact::AnnouncementEnd(end))
}

impl Service {
    /// Announces the verified patient mailbox `id` (ID-5, seed 003 §7): the notice with
    /// its link goes to the patient's out-of-band address, then the mailbox is
    /// `announced` until the configured period ends. Refused for another kind of
    /// account, without an out-of-band address, if the notice cannot be sent (nothing
    /// is recorded then), or if the patient objected before (AC-3).
    pub async fn announce_patient(&self, caller: &Caller, id: AccountId) -> Result<Announcement> {
        self.require_duty(caller, Duty::ManageAccounts).await?;
        let account = self.store.account(id).await?;
        if account.kind.opening() != AccountState::Announced {
            return Err(ServiceError::Invalid(format!(
                "only a patient mailbox is announced; activate this {} account",
                account.kind
            )));
        }
        account
            .state
            .transition(AccountState::Announced)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let digest = ins_digest(&account)?;
        let objected = self.store.announcement_objected(&digest).await?;
        announcement::check_may_announce(objected, false)?;
        let contact = self.out_of_band_contact(&account).await?;
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let token: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let announced = self.clock.now();
        let made = Announcement {
            account: id,
            announced,
            opens: announcement::opens_at(announced, self.config.patient_announcement),
        };
        let notice = Notice::PatientAnnouncement {
            to: contact,
            opens: made.opens,
            token: SecretString::new(token.clone()),
        };
        self.notifier.send(notice).await.map_err(|reason| {
            ServiceError::Unavailable(format!(
                "the announcement could not be sent to the patient ({reason}); nothing was \
                 recorded"
            ))
        })?;
        let mut trace = caller.event(
            announced.as_millis(),
            Action::AccountAnnounce,
            Object::of(id),
        );
        trace.detail = Some(Detail::of(Requirement::Id5));
        let hash = Sha256::digest(token.as_bytes());
        self.store.announce(&made, &hash, &trace).await?;
        Ok(made)
    }

    /// The patient's answer through the notice's link (ID-5, AC-3): no login, the
    /// token is the patient's; traced as the patient's account from `source`. An
    /// unknown or used token is refused as not found.
    pub async fn answer_announcement(
        &self,
        token: &str,
        answer: Answer,
        source: &str,
    ) -> Result<()> {
        let hash = Sha256::digest(token.trim().as_bytes());
        let found = self.store.announcement_by_token(&hash).await?;
        let made = found.ok_or_else(|| ServiceError::NotFound("this link is not valid".into()))?;
        let caller = Caller::account(made.account, source);
        match answer {
            Answer::Object => {
                self.end_with_objection(&caller, made.account, AnnouncementEnd::ObjectedByLink)
                    .await
            }
            Answer::Accept => {
                self.open_announced(&caller, made.account, AnnouncementEnd::AcceptedByLink)
                    .await
            }
        }
    }

    /// The registration authority records the patient's objection (AC-3, seed 003
    /// §7: « auprès du support »): the announced mailbox is never created.
    pub async fn object_for_patient(&self, caller: &Caller, id: AccountId) -> Result<()> {
        self.require_duty(caller, Duty::ManageAccounts).await?;
        self.end_with_objection(caller, id, AnnouncementEnd::ObjectedAtCounter)
            .await
    }

    /// The holder, present in person at the registration authority, has their
    /// verified mailbox opened now (ID-2): anyone's is activated; a patient's —
    /// verified or announced — is accepted by the patient at the counter (ID-5, AC-3),
    /// which lifts an earlier objection of theirs. It needs an out-of-band address, as
    /// any activation (ID-2, 004 §7.1).
    pub async fn open_in_person(&self, caller: &Caller, id: AccountId) -> Result<()> {
        self.require_duty(caller, Duty::ManageAccounts).await?;
        let account = self.store.account(id).await?;
        if account.kind.opening() != AccountState::Announced {
            return self.set_state(caller, id, AccountState::Active).await;
        }
        let digest = ins_digest(&account)?;
        self.open_announced(caller, id, AnnouncementEnd::AcceptedAtCounter)
            .await?;
        Ok(self.store.lift_announcement_objection(&digest).await?)
    }

    /// The announced patient mailboxes, soonest opening first, each with when it was
    /// announced and when it opens (ID-5), for staff who manage accounts (AC-1; a
    /// registration authority of one structure has none: patients belong to no
    /// structure). The reading is traced.
    pub async fn announced_mailboxes(
        &self,
        caller: &Caller,
    ) -> Result<Vec<(Account, Announcement)>> {
        self.require_scoped(caller, Duty::ManageAccounts).await?;
        let object = Object::of(caduceus_audit::Marker::AnnouncementList);
        let (action, success) = (Action::AdminAction, caduceus_audit::Outcome::Success);
        self.trace_rule(caller, action, object, Requirement::Id5, success)
            .await?;
        let mut all = self
            .store
            .announcements_due(caduceus_core::Timestamp::from_millis(i64::MAX))
            .await?;
        all.sort_by_key(|a| a.opens);
        let all = self
            .keep_within(caller, Duty::ManageAccounts, all, |a| a.account)
            .await?;
        let mut listed = Vec::with_capacity(all.len());
        for announcement in all {
            listed.push((
                self.store.account(announcement.account).await?,
                announcement,
            ));
        }
        Ok(listed)
    }

    /// Opens the announced mailboxes whose period ended at the clock's now (ID-5);
    /// returns how many. Run by the periodic job.
    pub async fn open_due_announcements(&self) -> Result<usize> {
        let due = self.store.announcements_due(self.clock.now()).await?;
        let now = self.clock.now();
        let mut opened = 0;
        for made in due.iter().filter(|a| announcement::is_due(a.opens, now)) {
            let end = AnnouncementEnd::PeriodEnded;
            self.open_announced(&Caller::system(), made.account, end)
                .await?;
            tracing::info!(account = %made.account, "announced patient mailbox opened (ID-5)");
            opened += 1;
        }
        Ok(opened)
    }

    /// Opens `id` (announced, or verified for an acceptance at the counter): active,
    /// traced with how the announcement ended. An early acceptance is traced apart.
    async fn open_announced(
        &self,
        caller: &Caller,
        id: AccountId,
        end: AnnouncementEnd,
    ) -> Result<()> {
        let account = self.store.account(id).await?;
        let from_verified = account.state == AccountState::Verified;
        if !(account.state == AccountState::Announced
            || from_verified && end == AnnouncementEnd::AcceptedAtCounter)
        {
            return Err(ServiceError::Invalid(format!(
                "this mailbox is {}, not announced",
                account.state
            )));
        }
        self.out_of_band_contact(&account).await?;
        let at = self.clock.now();
        let mut traces: Vec<Event> = Vec::new();
        if end != AnnouncementEnd::PeriodEnded {
            let mut accepted = caller.event(
                at.as_millis(),
                Action::AnnouncementAcceptance,
                Object::of(id),
            );
            accepted.detail = Some(detail(end));
            traces.push(accepted);
        }
        let mut activated = caller.event(at.as_millis(), Action::AccountActivate, Object::of(id));
        activated.detail = Some(detail(end));
        traces.push(activated);
        Ok(self
            .store
            .end_announcement(id, AccountState::Active, at, None, &traces)
            .await?)
    }

    /// Ends the announcement of `id` by the patient's objection (AC-3): closed, the
    /// INS digest kept, then the account's data deleted at once (RT-2, ID-6).
    async fn end_with_objection(
        &self,
        caller: &Caller,
        id: AccountId,
        end: AnnouncementEnd,
    ) -> Result<()> {
        let account = self.store.account(id).await?;
        if account.state != AccountState::Announced {
            return Err(ServiceError::Invalid(format!(
                "this mailbox is {}: only an announced mailbox is objected to",
                account.state
            )));
        }
        let digest = ins_digest(&account)?;
        let at = self.clock.now();
        let mut objected = caller.event(
            at.as_millis(),
            Action::AnnouncementObjection,
            Object::of(id),
        );
        objected.detail = Some(detail(end));
        let closed = caller.event(at.as_millis(), Action::AccountClose, Object::of(id));
        self.store
            .end_announcement(
                id,
                AccountState::Closed,
                at,
                Some(&digest),
                &[objected, closed],
            )
            .await?;
        let mut deleted = caller.event(at.as_millis(), Action::AccountDelete, Object::of(id));
        deleted.detail = Some(Detail::of(Requirement::Ac3));
        self.destroy_account(id, &deleted).await?;
        tracing::info!(account = %id, "announced patient mailbox objected to: never created (AC-3)");
        Ok(())
    }
}
