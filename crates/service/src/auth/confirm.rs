//! A new contact address or phone number confirmed before it is used (AU-1, MS-7,
//! RT-1): when the account's own user gives one, a code is sent to it and the old
//! value stays in use until the code is typed; the former address is told once it is
//! replaced. Who manages accounts still sets a contact directly
//! ([`Service::set_contact_email`], ID-2: verified in person).

use caduceus_audit::{Action, Channel, Detail, Object, Outcome, Reason};
use caduceus_core::contact::{
    CONFIRM_CODE_LIFETIME, CodeRefusal, ContactChannel, ContactValue, check_confirmation,
};
use caduceus_core::{OneTimeCode, Requirement, Timestamp};
use caduceus_store::{AccountId, NewContactConfirmation};
use rand::RngCore;

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::error::{Result, ServiceError};
use crate::notify::Notice;

/// A contact change waiting for its code, as its owner sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingContact {
    /// The new address or number, as the owner typed it.
    pub value: ContactValue,
    /// When its code stops being accepted.
    pub expires: Timestamp,
}

/// The trace detail of a contact change on `channel` (AU-1): the channel, never the
/// value (TR-5).
fn channel_detail(channel: ContactChannel) -> Detail {
    Detail::of(Requirement::Au1).and(match channel {
        ContactChannel::Email => Channel::Email,
        ContactChannel::Phone => Channel::Sms,
    })
}

impl Service {
    /// Keeps `value` as `account`'s pending contact change and sends it a fresh code
    /// from the OS RNG (AU-1, MS-7, RT-1), replacing the channel's previous change;
    /// traced `contact.confirm_sent` with the channel only. The value already in use
    /// needs no code: nothing is done. The caller is the account's own user (checked
    /// by [`Service::set_contact_email`] and [`Service::set_contact_phone`]).
    pub(crate) async fn request_contact_change(
        &self,
        caller: &Caller,
        account: AccountId,
        value: ContactValue,
    ) -> Result<()> {
        if self.contact_value(account, value.channel()).await? == Some(value.clone()) {
            return Ok(());
        }
        let mut random = [0u8; 4];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let code = OneTimeCode::from_random(random);
        let valid_minutes = (CONFIRM_CODE_LIFETIME.as_secs() / 60) as u32;
        let (sent, channel) = (code.clone().into_secret(), value.channel());
        let notice = match &value {
            ContactValue::Email(to) => Notice::ContactCode {
                to: to.clone(),
                code: sent,
                valid_minutes,
            },
            ContactValue::Phone(to) => Notice::ContactCodeSms {
                to: to.clone(),
                code: sent,
                valid_minutes,
            },
        };
        self.notifier.send(notice).await.map_err(|reason| {
            ServiceError::Unavailable(format!("sending the confirmation code: {reason}"))
        })?;
        // The store keeps the code as a keyed hash only (AU-1, MS-4).
        let new = NewContactConfirmation {
            account,
            value: &value,
            code: &code,
            expires: self.clock.now().saturating_add(CONFIRM_CODE_LIFETIME),
        };
        let mut trace = caller.event(
            self.now_ms(),
            Action::ContactConfirmSent,
            Object::of(account),
        );
        trace.detail = Some(channel_detail(channel));
        Ok(self.store.put_contact_confirmation(&new, &trace).await?)
    }

    /// The contact changes of `account` waiting for their code: its own user only.
    pub async fn pending_contacts(
        &self,
        caller: &Caller,
        account: AccountId,
    ) -> Result<Vec<PendingContact>> {
        self.require_own_contact(caller, account).await?;
        let now = self.clock.now();
        let pending = self.store.contact_confirmations(account).await?;
        Ok(pending
            .into_iter()
            .filter(|p| p.expires > now)
            .map(|p| PendingContact {
                value: p.value,
                expires: p.expires,
            })
            .collect())
    }

    /// Confirms the pending contact change whose code is `code` (AU-1, MS-7, RT-1):
    /// its new value replaces the old (`contact.confirmed`), and a replaced e-mail
    /// address is told, the new one masked. Only the account's own user may; a wrong
    /// code counts a try on each change waiting (`contact.confirm_failed`), the fifth
    /// drops it, as does an expired code (AU-3). Returns the channel confirmed; a
    /// refusal is [`ServiceError::CodeRefused`], with the tries left for a wrong code.
    pub async fn confirm_contact(
        &self,
        caller: &Caller,
        account: AccountId,
        code: &str,
    ) -> Result<ContactChannel> {
        self.require_own_contact(caller, account).await?;
        // The store checks the typed code against the keyed hashes it keeps (AU-1, MS-4).
        let matching = match OneTimeCode::parse(code) {
            Some(code) => self.store.contact_code_channel(account, &code).await?,
            None => None,
        };
        // A code that matches nothing counts a try on every change waiting.
        let channels: Vec<ContactChannel> = match matching {
            Some(channel) => vec![channel],
            None => self
                .store
                .contact_confirmations(account)
                .await?
                .iter()
                .map(|p| p.value.channel())
                .collect(),
        };
        if channels.is_empty() {
            return Err(ServiceError::NotFound(
                "contact change waiting for a code".into(),
            ));
        }
        let mut refusal = None;
        for channel in channels {
            // The try is counted before it is judged: tries typed together count each.
            let Some(counted) = self.store.count_contact_try(account, channel).await? else {
                continue;
            };
            let expired = counted.expires <= self.clock.now();
            match check_confirmation(matching.is_some(), expired, counted.tries) {
                Ok(()) => {
                    return self
                        .apply_contact_change(caller, account, counted.value)
                        .await;
                }
                Err(refused) => {
                    self.refuse_contact_try(caller, account, channel, refused)
                        .await?;
                    refusal = Some(refused);
                }
            }
        }
        Err(refusal
            .map(ServiceError::CodeRefused)
            .unwrap_or_else(|| ServiceError::NotFound("contact change waiting for a code".into())))
    }

    /// Makes `value` the account's contact, traced, and tells the address it replaces
    /// (a new number: the contact address).
    async fn apply_contact_change(
        &self,
        caller: &Caller,
        account: AccountId,
        value: ContactValue,
    ) -> Result<ContactChannel> {
        let channel = value.channel();
        let current = self.contact_value(account, channel).await?;
        let replaces = current.as_ref() != Some(&value);
        // Whom to tell: the address an e-mail change replaces; the contact address, of
        // a new SMS number (a number added where there was none is told too).
        let told = match current {
            Some(ContactValue::Email(former)) => Some(former),
            _ if channel == ContactChannel::Phone => self.store.contact_email(account).await?,
            _ => None,
        }
        .filter(|_| replaces);
        let mut trace = caller.event(self.now_ms(), Action::ContactConfirmed, Object::of(account));
        trace.detail = Some(channel_detail(channel));
        if !self.store.confirm_contact(account, channel, &trace).await? {
            return Err(ServiceError::NotFound(
                "contact change waiting for a code".into(),
            ));
        }
        if let Some(to) = told {
            let notice = Notice::ContactReplaced {
                to,
                channel,
                masked: value.masked(),
            };
            if let Err(reason) = self.notifier.send(notice).await {
                tracing::warn!(%account, %reason, "replaced-address notice not sent (AU-1)");
            }
        }
        Ok(channel)
    }

    /// Traces a wrong or late code for the change of `channel`, and drops the change
    /// when `refused` says so (AU-1, AU-3).
    async fn refuse_contact_try(
        &self,
        caller: &Caller,
        account: AccountId,
        channel: ContactChannel,
        refused: CodeRefusal,
    ) -> Result<()> {
        let reason = match refused {
            CodeRefusal::Expired => Reason::ExpiredCode,
            CodeRefusal::Exhausted => Reason::TriesExhausted,
            CodeRefusal::Wrong { .. } => Reason::WrongCode,
        };
        let mut trace = caller.event(
            self.now_ms(),
            Action::ContactConfirmFailed,
            Object::of(account),
        );
        trace.outcome = Outcome::Failure;
        trace.detail = Some(channel_detail(channel).and(reason));
        if refused.drops_the_change() {
            self.store
                .drop_contact_confirmation(account, channel, &trace)
                .await?;
        } else {
            self.store.append_traces(&[trace]).await?;
        }
        Ok(())
    }

    /// The contact `account` uses now on `channel`, if any.
    async fn contact_value(
        &self,
        account: AccountId,
        channel: ContactChannel,
    ) -> Result<Option<ContactValue>> {
        Ok(match channel {
            ContactChannel::Email => self
                .store
                .contact_email(account)
                .await?
                .map(ContactValue::Email),
            ContactChannel::Phone => self
                .store
                .contact_phone(account)
                .await?
                .map(ContactValue::Phone),
        })
    }

    /// Refuses anyone but the account's own user a pending contact change (AC-1,
    /// AU-1): not a delegate, a representative nor staff. The refusal is traced.
    async fn require_own_contact(&self, caller: &Caller, account: AccountId) -> Result<()> {
        if caller.actor == Actor::Account(account) {
            return Ok(());
        }
        self.trace_denied(caller, Object::of(account), Requirement::Ac1)
            .await?;
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1,
            reason: "only the account's own user confirms a change of its contact".into(),
        })
    }
}
