//! Account use cases: registration, verification by a registration authority, the
//! life cycle, passwords, delegations (ID-1, ID-2, ID-3, ID-5, RT-2).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use caduceus_audit::{Action, Detail, Id, Marker, Object};
use caduceus_core::account::kept_after_closure;
use caduceus_core::{
    AccountKind, AccountState, AddressKind, Duty, Evidence, MailAddress, RegistryId, SecretString,
    check_password_strength,
};
use caduceus_core::{Requirement, contact};
use caduceus_store::{Account, AccountId, NewAccount, Verification};

use crate::Service;
use crate::actor::{Actor, Caller, Desk};
use crate::error::{Result, ServiceError};

/// A request to register an account (ID-1).
#[derive(Clone, Debug)]
pub struct Registration {
    /// The mailbox address; for patients it is derived from the INS when omitted.
    pub address: Option<MailAddress>,
    /// What the account is for.
    pub kind: AccountKind,
    /// The registry identity, already validated.
    pub identity: RegistryId,
    /// The name shown to correspondents.
    pub display_name: String,
}

/// Whether `caller` may act in `duty` wherever it applies: the bootstrap operator at
/// the command line, the system, and staff whose role holds it, unless the role's scope
/// limits it (AC-1): a use case that checks what its act covers lets a scoped role
/// through with [`Service::require_duty_over`] or [`Service::within_scope`].
pub(crate) fn holds_duty(caller: &Caller, duty: Duty) -> bool {
    match &caller.actor {
        Actor::Operator(_) | Actor::System => true,
        Actor::Staff { role, scope, .. } => role.may(duty) && !scope.limits(duty),
        Actor::Account(_) | Actor::Peer(_) => false,
    }
}

/// How an account is closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Closure {
    /// Its data kept as long as its kind's retention after closure says.
    Kept,
    /// A patient's data deleted at once, as the patient asked.
    Erased,
    /// Its data deleted at once (inactivity, RT-1).
    Now,
}

impl Service {
    /// Lets through what a registration authority does at a user's request, at the
    /// command line only: the system, the bootstrap operator, and a staff member at
    /// the `caduceus` command whose role holds `duty` (AC-1, AC-2). Staff in the admin
    /// console never: there they administer, and a user's own settings stay the
    /// user's. A refusal is traced (`access.denied`, TR-1).
    pub(crate) async fn require_console(&self, caller: &Caller, duty: Duty) -> Result<()> {
        match &caller.actor {
            Actor::Operator(_) | Actor::System => Ok(()),
            Actor::Staff {
                role,
                scope,
                desk: Desk::CommandLine,
                ..
            } if role.may(duty) && !scope.limits(duty) => Ok(()),
            Actor::Staff {
                role,
                scope,
                desk: Desk::CommandLine,
                ..
            } if role.may(duty) => self.refuse_limited(caller, duty, scope).await,
            Actor::Account(_) | Actor::Peer(_) | Actor::Staff { .. } => {
                let reason = "only the operator's staff at the command line does this".to_owned();
                let object = Object::of(Marker::OperatorDuty);
                self.refuse_duty(caller, object, reason).await
            }
        }
    }

    /// Lets through the bootstrap operator, the system, and staff whose
    /// role holds `duty` (AC-1); refuses everyone else, the refusal traced
    /// (`access.denied`, TR-1).
    pub(crate) async fn require_duty(&self, caller: &Caller, duty: Duty) -> Result<()> {
        if holds_duty(caller, duty) {
            return Ok(());
        }
        if let Actor::Staff { role, scope, .. } = &caller.actor
            && role.may(duty)
        {
            return self.refuse_limited(caller, duty, scope).await;
        }
        let reason = format!("{duty:?} is not among your duties");
        self.refuse_duty(caller, Object::of(Id::Duty(duty)), reason)
            .await
    }

    /// Traces a refused duty (TR-1), and refuses it (AC-1).
    async fn refuse_duty(&self, caller: &Caller, object: Object, reason: String) -> Result<()> {
        self.trace_denied(caller, object, Requirement::Ac1).await?;
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1,
            reason,
        })
    }

    /// Registers an account in state `pending` (ID-1). The identity must fit the kind
    /// of account; a patient's address is `<INS>@patient.<domain>` (ID-5); other
    /// addresses must be in the operator's domain and not in the patient domain.
    ///
    /// A registration authority of one structure registers only that structure's
    /// holders (AC-1, [`crate::scope`]).
    pub async fn register(&self, caller: &Caller, registration: Registration) -> Result<Account> {
        let scope = self.require_scoped(caller, Duty::ManageAccounts).await?;
        let Registration {
            address,
            kind,
            identity,
            display_name,
        } = registration;
        if !kind.accepts(&identity) {
            return Err(ServiceError::Invalid(format!(
                "a {kind} account cannot be identified by a {} identifier",
                identity.registry()
            )));
        }
        let domain = &self.config.domain;
        let address = match (&identity, address) {
            (RegistryId::Patient(ins), given) => {
                let expected = MailAddress::patient(ins, domain)
                    .map_err(|e| ServiceError::Invalid(e.to_string()))?;
                if given.is_some_and(|a| a != expected) {
                    return Err(ServiceError::Invalid(
                        "a patient's address must be <INS>@patient.<domain> (ID-5)".into(),
                    ));
                }
                expected
            }
            (RegistryId::National(_), None) => {
                return Err(ServiceError::Invalid("an address is required".into()));
            }
            (RegistryId::National(_), Some(address)) => self.check_operator_address(address)?,
        };
        let object = Object::of(Id::Kind(kind));
        self.require_holder_within(caller, &scope, &identity, &address, object)
            .await?;
        let display_name = display_name.trim().to_owned();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            return Err(ServiceError::Invalid(
                "display name must have 1 to 200 characters".into(),
            ));
        }
        let at = self.clock.now();
        let new = NewAccount {
            address,
            kind,
            identity,
            display_name,
            at,
        };
        let trace = caller.event(
            at.as_millis(),
            Action::AccountCreate,
            Object::of(Id::Kind(kind)),
        );
        Ok(self.store.create_account(&new, &trace).await?)
    }

    /// `address` if it may name a professional's account: in the operator's domain,
    /// outside the patient domain (ID-5).
    pub(crate) fn check_operator_address(&self, address: MailAddress) -> Result<MailAddress> {
        let domain = &self.config.domain;
        let classified = address
            .classify(domain)
            .map_err(|e| ServiceError::Invalid(format!("address in the patient domain: {e}")))?;
        if matches!(classified, AddressKind::Patient(_)) {
            return Err(ServiceError::Invalid(
                "only patient accounts live in the patient domain (ID-5)".into(),
            ));
        }
        if address.domain() != domain {
            return Err(ServiceError::Invalid(format!(
                "address must be in the operator's domain {}",
                domain.as_str()
            )));
        }
        Ok(address)
    }

    /// Whether `contact` may be an account's out-of-band address: outside the
    /// operator's domains and the trust space (ID-2, 004 §7.1).
    pub(crate) fn check_out_of_band(&self, contact: &MailAddress) -> Result<()> {
        let listed = self.trust_list().lists_domain(contact.domain().as_str());
        Ok(contact::check_out_of_band(
            contact,
            &self.config.domain,
            listed,
        )?)
    }

    /// `account`'s out-of-band address, which an account needs to be opened (ID-2,
    /// 004 §7.1): recorded, and outside the trust space.
    pub(crate) async fn out_of_band_contact(&self, account: &Account) -> Result<MailAddress> {
        let contact = self.store.contact_email(account.id).await?;
        let contact = contact.ok_or_else(|| contact::missing_contact(&account.address))?;
        self.check_out_of_band(&contact)?;
        Ok(contact)
    }

    /// Whether `account`'s out-of-band address may become `contact` (ID-2, 004 §7.1):
    /// a new one must be outside the trust space; an active account's is replaced,
    /// never removed.
    pub(crate) async fn check_contact_change(
        &self,
        account: AccountId,
        contact: Option<&MailAddress>,
    ) -> Result<()> {
        if let Some(contact) = contact {
            return self.check_out_of_band(contact);
        }
        if self.store.account(account).await?.state == AccountState::Active {
            return Err(ServiceError::Refused(caduceus_core::Refusal {
                requirement: Requirement::Id2,
                reason: "an active account keeps a contact address outside MSSante (004 §7.1): \
                         give another one instead of removing it"
                    .into(),
            }));
        }
        Ok(())
    }

    /// The admin console's verification (ID-2): the verification recorded with its
    /// evidence and the staff member who made it (named by their own account), the
    /// holder's contact address when one is given, then the activation — refused
    /// without a contact address outside the trust space (004 §7.1); a patient's
    /// mailbox is announced instead (ID-5, [`Service::announce_patient`]).
    pub async fn verify_and_activate(
        &self,
        caller: &Caller,
        id: AccountId,
        evidence: Evidence,
        contact: Option<&MailAddress>,
    ) -> Result<()> {
        let verified_by = match &caller.actor {
            Actor::Staff { account, .. } => {
                let staff = self.store.account(*account).await?;
                format!("{} <{}>", staff.display_name, staff.address.as_str())
            }
            other => other.trace_id(),
        };
        self.verify_identity(caller, id, evidence, &verified_by)
            .await?;
        if let Some(contact) = contact {
            self.set_contact_email(caller, id, Some(contact)).await?;
        }
        let kind = self.store.account(id).await?.kind;
        if kind.opening() == AccountState::Announced {
            // A patient's mailbox is announced first (ID-5, seed 003 §7).
            return self.announce_patient(caller, id).await.map(|_| ());
        }
        self.set_state(caller, id, AccountState::Active).await
    }

    /// Records that a registration authority verified the person's identity and
    /// function on the given evidence (ID-2); the account may then exchange messages.
    pub async fn verify_identity(
        &self,
        caller: &Caller,
        id: AccountId,
        evidence: Evidence,
        verified_by: &str,
    ) -> Result<Account> {
        self.require_duty_over(caller, Duty::ManageAccounts, id)
            .await?;
        let verified_by = verified_by.trim();
        if verified_by.is_empty() {
            return Err(ServiceError::Invalid(
                "name the registration authority agent who verified (ID-2)".into(),
            ));
        }
        let account = self.store.account(id).await?;
        account
            .state
            .transition(AccountState::Verified)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let at = self.clock.now();
        let verification = Verification {
            verified_by: verified_by.to_owned(),
            evidence,
            at,
        };
        let mut trace = caller.event(at.as_millis(), Action::AccountVerify, Object::of(id));
        trace.detail = Some(Detail::of(evidence));
        Ok(self
            .store
            .record_verification(id, &verification, &trace)
            .await?)
    }

    /// Moves an account along its life cycle (activate, suspend); closing goes through
    /// [`Service::close_account`]. An account is activated only with an out-of-band
    /// contact address outside the trust space (ID-2, 004 §7.1): login codes (AU-1),
    /// notices (MS-7, TR-4) and inactivity warnings (RT-1) have somewhere to go.
    pub async fn set_state(&self, caller: &Caller, id: AccountId, to: AccountState) -> Result<()> {
        self.require_duty_over(caller, Duty::ManageAccounts, id)
            .await?;
        if to == AccountState::Closed || to == AccountState::Verified {
            return Err(ServiceError::Invalid(format!(
                "use the dedicated command to make an account {to}"
            )));
        }
        let account = self.store.account(id).await?;
        account
            .state
            .transition(to)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        if account.state == AccountState::Verified && to != account.kind.opening() {
            return Err(ServiceError::Refused(caduceus_core::Refusal {
                requirement: Requirement::Id5,
                reason: "a patient mailbox is announced to the patient first, who has six                          weeks to object (seed 003 §7): announce it, or open it at the                          counter if the patient, present, accepts"
                    .into(),
            }));
        }
        if account.state == AccountState::Announced {
            return Err(ServiceError::Invalid(
                "an announced mailbox opens at the end of its period, or when the patient                  accepts it"
                    .into(),
            ));
        }
        if to == AccountState::Active {
            self.out_of_band_contact(&account).await?;
        }
        let action = match to {
            AccountState::Active => Action::AccountActivate,
            _ => Action::AccountSuspend,
        };
        let at = self.clock.now();
        let trace = caller.event(at.as_millis(), action, Object::of(id));
        Ok(self.store.set_account_state(id, to, at, &trace).await?)
    }

    /// Closes an account; its data is deleted for good — keys destroyed, so no backup
    /// can restore its messages (RT-2, RT-3) — at once, or after the configured grace
    /// period by the daily job ([`Service::delete_closed_accounts`]). Traces keep only
    /// its id. Returns whether the data is already gone.
    pub async fn close_account(&self, caller: &Caller, id: AccountId) -> Result<bool> {
        self.close(caller, id, Closure::Kept).await
    }

    /// Closes a patient's account and deletes its data at once, as the patient asked
    /// (RT-2, seed 003 §4); a patient's account already closed and kept is deleted
    /// now. Returns whether the data was deleted (always, for a patient).
    pub async fn erase_account(&self, caller: &Caller, id: AccountId) -> Result<bool> {
        self.close(caller, id, Closure::Erased).await
    }

    /// Closes `id`, and deletes its data for good now when `closure` says so or its
    /// kind's retention after closure is none ([`kept_after_closure`]).
    pub(crate) async fn close(
        &self,
        caller: &Caller,
        id: AccountId,
        closure: Closure,
    ) -> Result<bool> {
        self.require_duty_over(caller, Duty::ManageAccounts, id)
            .await?;
        self.close_checked(caller, id, closure).await
    }

    /// Closes `id` as [`Service::close`] does, once the caller's right to was
    /// checked (the duty, or the holder's own right, AC-3).
    pub(crate) async fn close_checked(
        &self,
        caller: &Caller,
        id: AccountId,
        closure: Closure,
    ) -> Result<bool> {
        let account = self.store.account(id).await?;
        let erase = closure == Closure::Erased;
        let delete_now = closure == Closure::Now
            || kept_after_closure(
                account.kind,
                erase,
                self.config.patient_retention,
                self.config.closure_grace,
            )
            .is_zero();
        let at = self.clock.now();
        if account.state == AccountState::Closed && erase && delete_now {
            let delete = caller.event(at.as_millis(), Action::AccountDelete, Object::of(id));
            self.destroy_account(id, &delete).await?;
            return Ok(true);
        }
        account
            .state
            .transition(AccountState::Closed)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let close = caller.event(at.as_millis(), Action::AccountClose, Object::of(id));
        self.store
            .set_account_state(id, AccountState::Closed, at, &close)
            .await?;
        if !delete_now {
            return Ok(false);
        }
        let delete = caller.event(at.as_millis(), Action::AccountDelete, Object::of(id));
        self.destroy_account(id, &delete).await?;
        Ok(true)
    }

    /// Deletes `id` and everything of it for good (RT-2), traced with `trace`; the
    /// listing cache is emptied with it: nothing of its messages kept longer (RT-3).
    pub(crate) async fn destroy_account(
        &self,
        id: AccountId,
        trace: &caduceus_audit::Event,
    ) -> Result<()> {
        let destroyed = self.store.destroy_account(id, trace).await;
        self.listing_cache.clear();
        Ok(destroyed?)
    }

    /// Deletes for good the accounts closed longer than the grace period ago (RT-2);
    /// returns how many. Run daily by `serve`.
    pub async fn delete_closed_accounts(&self) -> Result<usize> {
        let now = self.clock.now();
        let mut deleted = 0;
        for account in self.store.accounts().await? {
            let kept = kept_after_closure(
                account.kind,
                false,
                self.config.patient_retention,
                self.config.closure_grace,
            );
            let cut = now.as_millis() - kept.as_millis() as i64;
            if account.state == AccountState::Closed && account.updated.as_millis() <= cut {
                let mut delete = Caller::system().event(
                    now.as_millis(),
                    Action::AccountDelete,
                    Object::of(account.id),
                );
                delete.detail = Some(Detail::of(Requirement::Rt2));
                self.destroy_account(account.id, &delete).await?;
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    /// Sets the web-login password after checking its strength (AU-1); only an
    /// Argon2id hash is stored.
    pub async fn set_password(
        &self,
        caller: &Caller,
        id: AccountId,
        password: &SecretString,
    ) -> Result<()> {
        let own = caller.actor == Actor::Account(id);
        if !own {
            self.require_console_over(caller, Duty::ManageAccounts, id)
                .await?;
        }
        check_password_strength(password.expose())
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let hash = Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map_err(|e| ServiceError::Invalid(format!("cannot hash password: {e}")))?
            .to_string();
        let trace = caller.event(self.now_ms(), Action::PasswordSet, Object::of(id));
        Ok(self.store.set_password_hash(id, &hash, &trace).await?)
    }

    /// Checks a web-login password against the stored hash (first factor of AU-1).
    pub async fn password_matches(&self, id: AccountId, password: &SecretString) -> Result<bool> {
        let Some(stored) = self.store.password_hash(id).await? else {
            return Ok(false);
        };
        let parsed = PasswordHash::new(&stored).map_err(|e| {
            ServiceError::Invalid(format!("stored password hash is unreadable: {e}"))
        })?;
        Ok(Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok())
    }

    /// Makes a person a delegate of an organisational mailbox (ID-3).
    pub async fn add_delegate(
        &self,
        caller: &Caller,
        organisation: AccountId,
        delegate: AccountId,
    ) -> Result<()> {
        self.require_duty_over(caller, Duty::ManageAccounts, organisation)
            .await?;
        self.require_duty_over(caller, Duty::ManageAccounts, delegate)
            .await?;
        let org = self.store.account(organisation).await?;
        let person = self.store.account(delegate).await?;
        if org.kind != AccountKind::Organisation {
            return Err(ServiceError::Invalid(format!(
                "{} is not an organisational mailbox",
                org.address.as_str()
            )));
        }
        if person.kind != AccountKind::Professional {
            return Err(ServiceError::Invalid(
                "a delegate must be a professional's personal account (ID-3)".into(),
            ));
        }
        let trace = caller.event(
            self.now_ms(),
            Action::AdminAction,
            Object::of(organisation).and(Id::Delegate(delegate.into())),
        );
        Ok(self
            .store
            .add_delegate(organisation, delegate, &trace)
            .await?)
    }

    /// Withdraws a delegate from an organisational mailbox (ID-3): from then on the
    /// person cannot open it.
    pub async fn remove_delegate(
        &self,
        caller: &Caller,
        organisation: AccountId,
        delegate: AccountId,
    ) -> Result<()> {
        self.require_duty_over(caller, Duty::ManageAccounts, organisation)
            .await?;
        let trace = caller.event(
            self.now_ms(),
            Action::AdminAction,
            Object::of(organisation).and(Id::Undelegate(delegate.into())),
        );
        Ok(self
            .store
            .remove_delegate(organisation, delegate, &trace)
            .await?)
    }

    /// One account by address.
    pub async fn account_by_address(&self, address: &MailAddress) -> Result<Option<Account>> {
        Ok(self.store.account_by_address(address).await?)
    }

    /// One account by id.
    pub async fn account(&self, id: AccountId) -> Result<Account> {
        Ok(self.store.account(id).await?)
    }

    /// Every account (for the operator; no message content is involved, AC-2).
    ///
    /// The reading is traced (`accounts:list`, ID-2), as every administration act.
    ///
    /// A registration authority of one structure sees that structure's accounts only
    /// (AC-1, [`crate::scope`]).
    pub async fn accounts(&self, caller: &Caller) -> Result<Vec<Account>> {
        self.require_scoped(caller, Duty::ManageAccounts).await?;
        let object = Object::of(Marker::AccountList);
        let (action, success) = (Action::AdminAction, caduceus_audit::Outcome::Success);
        self.trace_rule(caller, action, object, Requirement::Id2, success)
            .await?;
        let all = self.store.accounts().await?;
        self.within_scope(caller, Duty::ManageAccounts, all).await
    }

    /// The verifications recorded for an account (ID-2).
    pub async fn verifications(&self, caller: &Caller, id: AccountId) -> Result<Vec<Verification>> {
        self.require_duty_over(caller, Duty::ManageAccounts, id)
            .await?;
        Ok(self.store.verifications(id).await?)
    }
}
