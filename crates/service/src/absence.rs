//! Out-of-office replies (RFC 3834) and the signature (MS-6, issue 22 item 12): any
//! account holder, professional or patient, sets them for their own account only
//! (AC-1); both are kept sealed ([`caduceus_store::AbsenceStore`], MS-4). When a
//! message is delivered to a holder whose absence is active, one reply goes to its
//! envelope sender — unless [`caduceus_core::absence::must_reply`] says no (null
//! sender, automatic, bulk or list mail, a robot, the holder, outside the audience)
//! or that sender already got one in the period (RFC 3834 §2) — through the path of
//! every automatic message ([`crate::automatic`]: the delivery rules, MS-8 included,
//! apply; a refusal is logged and traced, never bounced). Traces name the account
//! and the action (`absence.replied`), never the sender, the subject or the text
//! (TR-5).

use std::future::Future;
use std::pin::Pin;

use caduceus_audit::{Action, Detail, Fact, Object, Outcome, Setting};
use caduceus_core::absence::{
    Absence, Incoming, Language, check_signature, must_reply, reply_subject,
};
use caduceus_core::local_time::Zone;
use caduceus_core::{MailAddress, Requirement};
use caduceus_store::{Account, AccountId};
use mail_builder::headers::text::Text;

use crate::automatic::Automatic;
use crate::compose::{new_message_id, written};
use crate::error::{Result, ServiceError};
use crate::ingest::MessageMeta;
use crate::{Caller, Service};

impl Service {
    /// `account`'s out-of-office setting, or the defaults in `language` and `zone`
    /// when they never set one; the holder only (AC-1, [`Service::require_holder`]).
    pub async fn absence(
        &self,
        caller: &Caller,
        account: AccountId,
        language: Language,
        zone: Zone,
    ) -> Result<Absence> {
        self.require_holder(caller, account).await?;
        let kept = self.store.absence(account).await?;
        Ok(kept.unwrap_or_else(|| Absence::defaults(language, zone)))
    }

    /// Keeps `account`'s out-of-office setting, refused in plain words when it cannot
    /// be sent ([`Absence::check`]); the holder only (AC-1). Traced with whether it is
    /// on, never its words (TR-5). Senders already answered are answered again.
    pub async fn set_absence(
        &self,
        caller: &Caller,
        account: AccountId,
        absence: &Absence,
    ) -> Result<()> {
        self.require_holder(caller, account).await?;
        absence
            .check()
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let mut trace = caller.event(self.now_ms(), Action::AbsenceSet, Object::of(account));
        trace.detail =
            Some(Detail::of(Requirement::Ms6).and(Fact::Switch(Setting::Absence, absence.on)));
        Ok(self.store.set_absence(account, absence, &trace).await?)
    }

    /// `account`'s signature (empty: none); the holder only (AC-1).
    pub async fn mail_signature(&self, caller: &Caller, account: AccountId) -> Result<String> {
        self.require_holder(caller, account).await?;
        Ok(self.store.signature(account).await?)
    }

    /// Keeps `account`'s signature as [`check_signature`] makes it (returned), refused
    /// when too long; the holder only (AC-1). Traced without its text (TR-5).
    pub async fn set_mail_signature(
        &self,
        caller: &Caller,
        account: AccountId,
        text: &str,
    ) -> Result<String> {
        self.require_holder(caller, account).await?;
        let signature = check_signature(text).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let mut trace = caller.event(self.now_ms(), Action::SignatureSet, Object::of(account));
        trace.detail = Some(
            Detail::of(Requirement::Ms6)
                .and(Fact::Switch(Setting::Signature, !signature.is_empty())),
        );
        self.store
            .set_signature(account, &signature, &trace)
            .await?;
        Ok(signature)
    }

    /// Answers `raw` (envelope sender `from`), just delivered to `recipients`, for
    /// those whose absence is on, in the background (RFC 3834, MS-6): the delivery
    /// never waits for the replies, nor fails with them.
    pub(crate) fn reply_absent(
        &self,
        meta: &MessageMeta,
        from: Option<&MailAddress>,
        raw: &[u8],
        recipients: Vec<Account>,
    ) {
        if recipients.is_empty() {
            return;
        }
        let service = self.clone();
        let (meta, from, raw) = (meta.clone(), from.cloned(), raw.to_vec());
        let task: Pin<Box<dyn Future<Output = ()> + Send>> = Box::pin(async move {
            for holder in recipients {
                let incoming = Incoming {
                    sender: from.as_ref(),
                    raw: &raw,
                };
                if let Err(error) = service.reply_one(&holder, &incoming, &meta).await {
                    tracing::warn!(account = %holder.id, %error, "out-of-office reply not sent (MS-6)");
                }
            }
        });
        tokio::spawn(task);
    }

    /// Answers one delivery to `holder`, when their absence is on: one
    /// `absence.replied` trace each time, a success once the reply is sent, refused
    /// when it is not due (RFC 3834 §2: the rules, or the period) or was refused
    /// (the trust space, MS-5; the delivery rules), a failure when it could not be
    /// sent (the scanner unavailable…) — never a bounce.
    async fn reply_one(
        &self,
        holder: &Account,
        incoming: &Incoming<'_>,
        meta: &MessageMeta,
    ) -> Result<()> {
        let Some(absence) = self.store.absence_on(holder.id).await? else {
            return Ok(());
        };
        let now = self.clock.now();
        let mut trace =
            Caller::system().event(self.now_ms(), Action::AbsenceReplied, Object::of(holder.id));
        trace.detail = Some(Detail::of(Requirement::Ms6));
        trace.outcome = Outcome::Refused;
        let due = match (
            must_reply(&absence, &holder.address, now, incoming),
            incoming.sender,
        ) {
            (Ok(()), Some(sender)) => {
                let claimed = self
                    .store
                    .claim_absence_reply(holder.id, sender, now)
                    .await?;
                claimed.then_some(sender)
            }
            (skip, _) => {
                tracing::debug!(account = %holder.id, ?skip, "no out-of-office reply (RFC 3834)");
                None
            }
        };
        if let Some(sender) = due {
            let reply = self.absence_reply(holder, sender, &absence, meta)?;
            let automatic = Automatic {
                owner: holder.id,
                from: Some(&holder.address),
                null_return_path: true,
                to: sender,
                raw: &reply,
            };
            match self.send_automatic(automatic).await {
                Ok(true) => trace.outcome = Outcome::Success,
                Ok(false) => trace.detail = Some(Detail::of(Requirement::Ms5)),
                // The rule only: a refusal's words may quote the subject (TR-5).
                Err(ServiceError::Refused(refusal)) => {
                    let requirement = refusal.requirement;
                    tracing::info!(account = %holder.id, %requirement, "out-of-office reply refused; not bounced");
                    trace.detail = Some(Detail::of(requirement));
                }
                Err(error) => {
                    // Not sent (the scanner or the database unavailable): the sender's
                    // next message is answered (RFC 3834 §2 counts replies sent).
                    self.store.release_absence_reply(holder.id, sender).await?;
                    trace.outcome = Outcome::Failure;
                    self.store.append_traces(&[trace]).await?;
                    return Err(error);
                }
            }
        }
        Ok(self.store.append_traces(&[trace]).await?)
    }

    /// The reply (RFC 3834 §3): from the holder to the sender, `Auto-Submitted:
    /// auto-replied`, answering the original (`In-Reply-To`, `References`), its subject
    /// [`reply_subject`], its text the holder's.
    fn absence_reply(
        &self,
        holder: &Account,
        sender: &MailAddress,
        absence: &Absence,
        meta: &MessageMeta,
    ) -> Result<Vec<u8>> {
        let subject = reply_subject(absence, meta.subject.as_deref());
        let mut builder = self
            .letterhead(&holder.display_name, &holder.address, &subject)
            .to(sender.as_str().to_owned())
            .message_id(new_message_id(self.config.domain.as_str()))
            .header("Auto-Submitted", Text::new("auto-replied"))
            .text_body(absence.text.replace('\n', "\r\n"));
        if let Some(parent) = meta.message_id.clone() {
            let mut references = meta.references.clone();
            references.push(parent.clone());
            builder = builder.in_reply_to(parent).references(references);
        }
        written(builder)
    }
}
