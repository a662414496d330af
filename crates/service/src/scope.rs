//! Staff roles limited to a scope (AC-1, AC-2; seed 000 art. 4: administrators act
//! "dans la limite de leurs missions"): a registration authority of one structure
//! manages only that structure's accounts; an alert sender of one region broadcasts
//! only inside it ([`caduceus_core::Scope`]).
//!
//! How an account belongs to a structure:
//! - an organisational account, by its own FINESS or SIRET identifier;
//! - a person of a structure's local registry, by that structure (the identifier's
//!   first part, `1750048886/INF0042`);
//! - a professional, by the structure of their mailbox's directory entry (FINESS or
//!   SIRET, as the national directory writes it);
//! - a patient, or anyone no structure is known for: none, so a scoped registration
//!   authority is refused, the reason said; an operator-wide one handles it.
//!
//! A scoped registration authority registers only holders of its structure (an
//! organisation by its identifier, a professional whose address the directory places
//! there).
//!
//! A refusal is traced `access.denied` on the account, naming AC-1 and the scope
//! (`AC-1 scope:structure-1750048886`), never a name (TR-5).

use caduceus_audit::{Action, Detail, Object, Outcome};
use caduceus_core::{
    Duty, MailAddress, NationalId, RegistryId, Requirement, Scope, StructureId, StructureRef,
};
use caduceus_store::{Account, AccountId};

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::error::{Result, ServiceError};

impl Service {
    /// The structures `account` belongs to (see the module's rules); empty when none
    /// is known.
    pub async fn structures_of(&self, account: &Account) -> Result<Vec<StructureId>> {
        self.structures_of_holder(&account.identity, &account.address)
            .await
    }

    /// The structures the holder of `identity` at `address` belongs to.
    async fn structures_of_holder(
        &self,
        identity: &RegistryId,
        address: &MailAddress,
    ) -> Result<Vec<StructureId>> {
        let own = match identity {
            RegistryId::National(NationalId::Finess(f)) => Some(StructureId::Finess(f.clone())),
            RegistryId::National(NationalId::Siret(s)) => Some(StructureId::Siret(s.clone())),
            RegistryId::National(NationalId::Local { structure, .. }) => Some(structure.clone()),
            RegistryId::National(NationalId::Rpps(_) | NationalId::Adeli(_)) => None,
            RegistryId::Patient(_) => return Ok(Vec::new()),
        };
        if let Some(own) = own {
            return Ok(vec![own]);
        }
        let entry = self.directory_entry(address).await?;
        let structure = entry.and_then(|e| match e.parts().structure.clone() {
            Some(StructureRef::Finess(f)) => Some(StructureId::Finess(f)),
            Some(StructureRef::Siret(s)) => Some(StructureId::Siret(s)),
            Some(StructureRef::Other { .. }) | None => None,
        });
        Ok(structure.into_iter().collect())
    }

    /// The scope a staff caller's act must stay within for `duty`, once the duty is
    /// checked: the bootstrap operator and the system act operator-wide; a staff
    /// member whose role holds `duty` under any scope is let through with that scope;
    /// anyone else is refused as [`Service::require_duty`] refuses.
    pub(crate) async fn require_scoped(&self, caller: &Caller, duty: Duty) -> Result<Scope> {
        match &caller.actor {
            Actor::Staff { role, scope, .. } if role.may(duty) && scope.limits(duty) => {
                Ok(scope.clone())
            }
            _ => self
                .require_duty(caller, duty)
                .await
                .map(|()| Scope::Operator),
        }
    }

    /// Whether `account` lies within `scope` for the duty it limits.
    pub(crate) async fn covers(&self, scope: &Scope, account: &Account) -> Result<bool> {
        Ok(match scope {
            Scope::Operator | Scope::Region(_) => true,
            Scope::Structure(structure) => self.structures_of(account).await?.contains(structure),
        })
    }

    /// [`Service::require_duty`] for an act on `account`: a caller whose role is
    /// limited to a structure is let through only for an account of that structure
    /// (AC-1); refused otherwise, with the reason, traced with the scope.
    pub(crate) async fn require_duty_over(
        &self,
        caller: &Caller,
        duty: Duty,
        account: AccountId,
    ) -> Result<()> {
        let scope = self.require_scoped(caller, duty).await?;
        self.require_within(caller, &scope, account).await
    }

    /// [`Service::require_console`] for an act on `account`, limited as
    /// [`Service::require_duty_over`] is.
    pub(crate) async fn require_console_over(
        &self,
        caller: &Caller,
        duty: Duty,
        account: AccountId,
    ) -> Result<()> {
        let scope = match &caller.actor {
            Actor::Staff {
                role,
                scope,
                desk: crate::actor::Desk::CommandLine,
                ..
            } if role.may(duty) && scope.limits(duty) => scope.clone(),
            _ => {
                self.require_console(caller, duty).await?;
                Scope::Operator
            }
        };
        self.require_within(caller, &scope, account).await
    }

    /// Refuses, traced, an act on `account` outside `scope` (AC-1).
    async fn require_within(
        &self,
        caller: &Caller,
        scope: &Scope,
        account: AccountId,
    ) -> Result<()> {
        if scope.is_operator() {
            return Ok(());
        }
        let held = self.store.account(account).await?;
        self.require_holder_within(
            caller,
            scope,
            &held.identity,
            &held.address,
            Object::of(account),
        )
        .await
    }

    /// Refuses, traced on `object`, an act for the holder of `identity` at `address`
    /// outside `scope` (AC-1): registering them, or acting on their account.
    pub(crate) async fn require_holder_within(
        &self,
        caller: &Caller,
        scope: &Scope,
        identity: &RegistryId,
        address: &MailAddress,
        object: Object,
    ) -> Result<()> {
        let Scope::Structure(structure) = scope else {
            return Ok(());
        };
        let structures = self.structures_of_holder(identity, address).await?;
        if structures.contains(structure) {
            return Ok(());
        }
        let reason = if structures.is_empty() {
            format!(
                "no structure is known for this account (an organisation's own FINESS or \
                 SIRET, a professional's directory entry): your role is limited to {scope}, \
                 an operator-wide registration authority handles it"
            )
        } else {
            format!("this account is outside your role's scope, {scope}")
        };
        self.refuse_out_of_scope(caller, object, scope).await?;
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1,
            reason,
        })
    }

    /// Refuses, traced with the scope, what a use case that cannot tell what its act
    /// covers asks of a caller whose `scope` limits `duty` (AC-1): the safe default.
    pub(crate) async fn refuse_limited(
        &self,
        caller: &Caller,
        duty: Duty,
        scope: &Scope,
    ) -> Result<()> {
        let object = Object::of(caduceus_audit::Id::Duty(duty));
        self.refuse_out_of_scope(caller, object, scope).await?;
        Err(ServiceError::Denied {
            requirement: Requirement::Ac1,
            reason: format!(
                "your role is limited to {scope}: this is done by an operator-wide holder \
                 of the role"
            ),
        })
    }

    /// Traces a refusal for a scope (`access.denied`, `AC-1 scope:<scope>`, TR-1).
    pub(crate) async fn refuse_out_of_scope(
        &self,
        caller: &Caller,
        object: Object,
        scope: &Scope,
    ) -> Result<()> {
        let mut event = caller.event(self.now_ms(), Action::AccessDenied, object);
        event.outcome = Outcome::Refused;
        event.detail = Some(Detail::of(Requirement::Ac1).and(scope.clone()));
        Ok(self.store.append_traces(&[event]).await?)
    }

    /// The accounts of `all` within the caller's scope for `duty` (all of them for an
    /// operator-wide caller), the duty checked.
    pub(crate) async fn within_scope(
        &self,
        caller: &Caller,
        duty: Duty,
        all: Vec<Account>,
    ) -> Result<Vec<Account>> {
        let scope = self.require_scoped(caller, duty).await?;
        let mut kept = Vec::with_capacity(all.len());
        for account in all {
            if self.covers(&scope, &account).await? {
                kept.push(account);
            }
        }
        Ok(kept)
    }

    /// The items of `all` whose account (`account_of`) lies within the caller's scope
    /// for `duty`, the duty checked: the queues a scoped registration authority reads.
    pub(crate) async fn keep_within<T>(
        &self,
        caller: &Caller,
        duty: Duty,
        all: Vec<T>,
        account_of: impl Fn(&T) -> AccountId,
    ) -> Result<Vec<T>> {
        let scope = self.require_scoped(caller, duty).await?;
        let mut kept = Vec::with_capacity(all.len());
        for item in all {
            let account = self.store.account(account_of(&item)).await?;
            if self.covers(&scope, &account).await? {
                kept.push(item);
            }
        }
        Ok(kept)
    }
}
