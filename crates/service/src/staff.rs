//! The operator's staff (AC-1, AC-2): roles granted to personal accounts (by the
//! operator at the command line), the caller a staff member acts as in the admin
//! console, and what the auditor reads. No staff caller reaches message content:
//! [`Service::authorize`] lets only account holders and their delegates in.

use caduceus_audit::{Action, Counter, Detail, Entry, Fact, Id, Marker, Object};
use caduceus_core::Requirement;
use caduceus_core::{AccountKind, AccountState, Duty, Role, Scope};
use caduceus_store::{AccountId, StaffGrant};

use crate::Service;
use crate::actor::{Actor, Caller, Desk};
use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};

/// Most directory imports listed.
const IMPORTS: i64 = 100;

impl Service {
    /// Grants (`granted`) or revokes an operator-wide staff role of a personal
    /// account ([`Service::set_staff_grant`]).
    pub async fn set_staff_role(
        &self,
        caller: &Caller,
        account: AccountId,
        role: Role,
        granted: bool,
    ) -> Result<()> {
        self.set_staff_grant(caller, account, role, Scope::Operator, granted)
            .await
    }

    /// Grants (`granted`) or revokes a staff role of a personal account within
    /// `scope`, traced with the role and the scope (AC-1): at the command line, by an
    /// administrator (or the bootstrap operator making the first staff member), never
    /// to or from oneself — no one widens their own powers, so the auditor keeps
    /// checking the administrator. A role takes only the scopes it accepts
    /// ([`Role::accepts`]); granted again, it takes the new scope.
    pub async fn set_staff_grant(
        &self,
        caller: &Caller,
        account: AccountId,
        role: Role,
        scope: Scope,
        granted: bool,
    ) -> Result<()> {
        self.require_console(caller, Duty::GrantRoles).await?;
        if matches!(caller.actor, Actor::Staff { account: me, .. } if me == account) {
            self.trace_denied(caller, Object::of(account), Requirement::Ac1)
                .await?;
            return Err(ServiceError::Denied {
                requirement: Requirement::Ac1,
                reason: "no one grants or revokes their own staff roles".into(),
            });
        }
        role.accepts(&scope)
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        let holder = self.store.account(account).await?;
        if holder.kind != AccountKind::Professional {
            return Err(ServiceError::Invalid(
                "staff roles go to personal (professional) accounts: a person, named (AC-1)".into(),
            ));
        }
        let mut trace = caller.event(self.now_ms(), Action::StaffRole, Object::of(account));
        let mut detail = Detail::of(Requirement::Ac1).and(role);
        if !scope.is_operator() {
            detail = detail.and(scope.clone());
        }
        trace.detail = Some(detail.and(Fact::Granted(granted)));
        let at = granted.then(|| self.clock.now());
        let grant = StaffGrant {
            role: role.as_str().to_owned(),
            scope: scope.to_string(),
        };
        Ok(self
            .store
            .set_staff_role(account, &grant, at, &trace)
            .await?)
    }

    /// The staff roles an account holds.
    pub async fn staff_roles(&self, account: AccountId) -> Result<Vec<Role>> {
        Ok(self
            .staff_grants(account)
            .await?
            .into_iter()
            .map(|(role, _)| role)
            .collect())
    }

    /// The staff roles an account holds, each with where it applies (AC-1).
    pub async fn staff_grants(&self, account: AccountId) -> Result<Vec<(Role, Scope)>> {
        Ok(self
            .store
            .staff_roles(account)
            .await?
            .iter()
            .filter_map(|g| Some((Role::parse(&g.role)?, Scope::parse(&g.scope).ok()?)))
            .collect())
    }

    /// The caller a logged-in staff member acts as under `role`: refused unless the
    /// login was strong, the account active and the role granted (AC-1), and until the
    /// person accepted the terms of use in force (IN-1).
    pub async fn staff_caller(&self, login: &Authenticated, role: Role) -> Result<Caller> {
        self.staff_at(login, role, Desk::AdminConsole).await
    }

    /// [`Service::staff_caller`] at `desk`.
    pub(crate) async fn staff_at(
        &self,
        login: &Authenticated,
        role: Role,
        desk: Desk,
    ) -> Result<Caller> {
        let account = login.account();
        let denied = || ServiceError::Denied {
            requirement: Requirement::Ac1,
            reason: format!("the {role} role is not yours"),
        };
        let grant = self
            .staff_grants(account.id)
            .await?
            .into_iter()
            .find(|(held, _)| *held == role);
        let held = login.is_strong() && account.state == AccountState::Active;
        let Some((_, scope)) = grant.filter(|_| held) else {
            // A refused role is traced (AC-1, TR-1).
            let object = Object::of(Id::Role(role));
            self.trace_denied(&login.caller(), object, Requirement::Ac1)
                .await?;
            return Err(denied());
        };
        self.require_terms(&login.caller()).await?;
        Ok(Caller {
            actor: Actor::Staff {
                account: account.id,
                role,
                scope,
                desk,
            },
            source: login.source().to_owned(),
        })
    }

    /// The caller `login` acts as for `duty` in the admin console: under the least
    /// powerful of their roles that holds it (a registration authority verifies as
    /// such, even if also an administrator). Anyone else is refused, and traced (AC-1).
    pub async fn staff_for(&self, login: &Authenticated, duty: Duty) -> Result<Caller> {
        self.staff_for_at(login, duty, Desk::AdminConsole).await
    }

    /// [`Service::staff_for`] at `desk`.
    pub(crate) async fn staff_for_at(
        &self,
        login: &Authenticated,
        duty: Duty,
        desk: Desk,
    ) -> Result<Caller> {
        let held = self.staff_roles(login.account().id).await?;
        let role = [
            Role::RegistrationAuthority,
            Role::SecurityOfficer,
            Role::AlertSender,
            Role::Auditor,
            Role::Administrator,
        ]
        .into_iter()
        .find(|r| held.contains(r) && r.may(duty));
        let Some(role) = role else {
            self.trace_denied(
                &login.caller(),
                Object::of(Id::Duty(duty)),
                Requirement::Ac1,
            )
            .await?;
            return Err(ServiceError::Denied {
                requirement: Requirement::Ac1,
                reason: "this page is for the operator's staff".into(),
            });
        };
        self.staff_at(login, role, desk).await
    }

    /// The trace entries of the last `days` days, newest first, at most `limit`, for
    /// the auditor (TR-1): ids and codes only, never content (TR-5), and personal items
    /// named `personal` (MS-14). The reading is itself traced.
    pub async fn recent_traces(
        &self,
        caller: &Caller,
        days: u64,
        limit: usize,
    ) -> Result<Vec<Entry>> {
        self.require_duty(caller, Duty::ReadTraces).await?;
        let now = self.clock.now();
        let from = now.saturating_sub(std::time::Duration::from_secs(days * 86_400));
        let entries = self
            .store
            .latest_trace_entries(from, None, limit as i64)
            .await?;
        let mut read = caller.event(
            self.now_ms(),
            Action::AdminAction,
            Object::of(Marker::TraceRead),
        );
        read.detail = Some(Detail::of(Requirement::Tr1).and(Fact::Count(Counter::Days, days)));
        self.store.append_traces(&[read]).await?;
        self.without_personal(entries).await
    }

    /// The latest directory imports of the last year (100 at most), newest first: when,
    /// by whom, and the counts (added, changed, removed, invalid) — for the
    /// administrator (ID-4).
    pub async fn directory_imports(&self, caller: &Caller) -> Result<Vec<Entry>> {
        self.require_duty(caller, Duty::ImportDirectory).await?;
        let object = Object::of(Marker::StatusRead);
        let (action, success) = (Action::AdminAction, caduceus_audit::Outcome::Success);
        self.trace_rule(caller, action, object, Requirement::Id4, success)
            .await?;
        let now = self.clock.now();
        let from = now.saturating_sub(std::time::Duration::from_secs(365 * 86_400));
        Ok(self
            .store
            .latest_trace_entries(from, Some(Action::DirectoryImport.as_str()), IMPORTS)
            .await?)
    }
}
