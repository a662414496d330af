//! The holder's rights over their own account (AC-3, ID-4, RT-2, RT-4): their
//! directory choices (liste rouge, phone shown; [`Service::set_directory_preferences`]),
//! a request to correct their identity data, addressed to the registration authority,
//! the export of the account's own data (identity, devices, passkeys and paired phones,
//! contacts, own traces), and
//! closing the account. Each is the holder's alone — or, for a patient, a
//! representative's in force (ID-7) — or the operator's; anyone else is refused and
//! traced (AC-1, TR-1). Each is traced.

use caduceus_audit::{Action, Detail, Entry, Object};
use caduceus_core::{AccountKind, Duty, Requirement};
use caduceus_store::{
    Account, AccountId, CorrectionRequest, Device, DirectoryPreferences, Passkey,
};

use crate::accounts::Closure;
use crate::auth::Contacts;
use crate::error::{Result, ServiceError};
use crate::{Caller, Service};

/// The longest correction request, in characters.
pub const CORRECTION_MAX_CHARS: usize = 2000;

/// The most traces an account's export carries (its newest).
pub const EXPORTED_TRACES: i64 = 10_000;

/// Everything the account holds about its holder but their messages (which the mail
/// export carries, RT-4): the data of an access request (AC-3).
#[derive(Debug)]
pub struct AccountData {
    /// The account: address, kind, state, registry identity, name, dates.
    pub account: Account,
    /// Its device credentials (never the secrets).
    pub devices: Vec<Device>,
    /// Its passkeys and paired phones (AU-1, MS-18): names and dates, never the keys.
    pub passkeys: Vec<Passkey>,
    /// Where its notices go.
    pub contacts: Contacts,
    /// Its directory choices (ID-4).
    pub directory: DirectoryPreferences,
    /// Its requests to correct its identity data.
    pub corrections: Vec<CorrectionRequest>,
    /// The traces of what the holder did, newest first (at most [`EXPORTED_TRACES`]).
    pub traces: Vec<Entry>,
}

impl Service {
    /// Lets through the holder of `account` (or a representative in force of a
    /// patient's, ID-7) and the operator; refuses and traces anyone else (AC-1).
    pub(crate) async fn require_holder(&self, caller: &Caller, account: AccountId) -> Result<()> {
        if !self.speaks_for(caller, account).await? {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
        }
        Ok(())
    }

    /// Records the holder's request to correct their identity data (AC-3): their
    /// words, for the registration authority, who sees it with the accounts
    /// ([`Service::pending_corrections`]). Traced without the words (TR-5).
    pub async fn request_correction(
        &self,
        caller: &Caller,
        account: AccountId,
        what: &str,
    ) -> Result<CorrectionRequest> {
        self.require_holder(caller, account).await?;
        let what = what.trim();
        if what.is_empty() || what.chars().count() > CORRECTION_MAX_CHARS {
            return Err(ServiceError::Invalid(format!(
                "say what to correct, in at most {CORRECTION_MAX_CHARS} characters (AC-3)"
            )));
        }
        let at = self.clock.now();
        let mut trace = caller.event(
            at.as_millis(),
            Action::CorrectionRequest,
            Object::of(account),
        );
        trace.detail = Some(Detail::of(Requirement::Ac3));
        Ok(self
            .store
            .request_correction(account, what, at, &trace)
            .await?)
    }

    /// The holder's own correction requests, oldest first (AC-3).
    pub async fn correction_requests(
        &self,
        caller: &Caller,
        account: AccountId,
    ) -> Result<Vec<CorrectionRequest>> {
        self.require_holder(caller, account).await?;
        Ok(self.store.correction_requests(Some(account)).await?)
    }

    /// Every account's correction requests, for the registration authority (AC-3,
    /// under the duty of managing accounts, AC-1).
    /// A registration authority of one structure sees its accounts' requests only.
    pub async fn pending_corrections(&self, caller: &Caller) -> Result<Vec<CorrectionRequest>> {
        let all = self.store.correction_requests(None).await?;
        self.keep_within(caller, Duty::ManageAccounts, all, |r| r.account)
            .await
    }

    /// The account's own data (AC-3, RT-4): identity, devices, contacts, directory
    /// choices, correction requests and the holder's own traces; the export traced.
    pub async fn account_data(&self, caller: &Caller, account: AccountId) -> Result<AccountData> {
        self.require_holder(caller, account).await?;
        let holder = self.store.account(account).await?;
        let data = AccountData {
            devices: self.store.devices(account).await?,
            passkeys: self.store.passkeys(account).await?,
            contacts: Contacts {
                email: self.store.contact_email(account).await?,
                phone: self.store.contact_phone(account).await?,
                new_mail: self.store.new_mail_notice(account).await?,
            },
            directory: self
                .store
                .directory_preferences(holder.address.as_str())
                .await?,
            corrections: self.store.correction_requests(Some(account)).await?,
            traces: self
                .store
                .trace_entries_by_actor(&account.to_string(), EXPORTED_TRACES)
                .await?,
            account: holder,
        };
        let mut trace = caller.event(self.now_ms(), Action::AccountExport, Object::of(account));
        trace.detail = Some(Detail::of(Requirement::Ac3));
        self.store.append_traces(&[trace]).await?;
        Ok(data)
    }

    /// Closes the holder's own account (AC-3, RT-2), as the operator's closure does
    /// ([`Service::close_account`]): its data deleted for good after the grace
    /// period, a patient's after the patient retention. Returns whether the data is
    /// already gone.
    pub async fn close_own_account(&self, caller: &Caller, account: AccountId) -> Result<bool> {
        self.require_holder(caller, account).await?;
        self.close_checked(caller, account, Closure::Kept).await
    }

    /// Closes a patient's own account and deletes its data at once, as the patient asks
    /// when closing (RT-2, RT-3; seed 003 §4: « Vous pouvez demander la suppression de
    /// toutes vos données … lors de la clôture »), instead of the patient retention.
    /// Refused for anyone else's account, whose data goes as the closure grace says.
    /// Returns whether the data is gone (always).
    pub async fn erase_own_account(&self, caller: &Caller, account: AccountId) -> Result<bool> {
        self.require_holder(caller, account).await?;
        if self.store.account(account).await?.kind != AccountKind::Patient {
            return Err(ServiceError::Invalid(
                "only a patient's data is kept after closure and can be erased at once; close \
                 the account: its data goes as the closure grace says (RT-2)"
                    .into(),
            ));
        }
        self.close_checked(caller, account, Closure::Erased).await
    }
}
