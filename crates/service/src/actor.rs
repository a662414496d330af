//! Who acts, and how they appear in traces (TR-1, ID-3).

use caduceus_audit::{Action, Event, Object, OperatorName, Who};
use caduceus_core::{Domain, Role, Scope};
use caduceus_store::AccountId;

/// The physical person (or the system) behind an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A user authenticated as this account.
    Account(AccountId),
    /// An operator working from the command line, named for the trace by a login,
    /// never a free-form name (TR-5).
    Operator(OperatorName),
    /// A scheduled job or the server itself.
    System,
    /// Another operator of the trust space relaying mail, named by its domain (MS-5).
    /// It may deliver, nothing else.
    Peer(String),
    /// A member of the operator's staff acting under one of their roles (AC-1), in
    /// the admin console or at the command line: the person (their account) and the
    /// role, both traced (AC-2, TR-1). Never reaches message content (AC-2).
    Staff {
        /// The person's own account.
        account: AccountId,
        /// The role acted under.
        role: Role,
        /// Where the role applies (AC-1): operator-wide, one structure, one region.
        scope: Scope,
        /// Where they act from.
        desk: Desk,
    },
}

/// Where a staff member acts from: what they may do there differs (AC-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Desk {
    /// The web admin console: administration only, within the role's duties.
    AdminConsole,
    /// The `caduceus` command on the server, after a console login
    /// ([`crate::Service::console_login`]): the role's duties, plus, for a role that
    /// manages accounts, what a registration authority does at a user's request
    /// (second factors, devices, a patient's opposition and blocks).
    CommandLine,
}

impl Actor {
    /// The actor as traced (TR-1, TR-5). A peer named by anything but a domain (the
    /// common name of an unlisted certificate) is traced as `peer:unidentified`.
    pub fn who(&self) -> Who {
        match self {
            Actor::Account(id) => Who::from(*id),
            Actor::Operator(name) => Who::Operator(name.clone()),
            Actor::System => Who::System,
            Actor::Peer(domain) => Domain::parse(domain).map_or(Who::UnidentifiedPeer, Who::Peer),
            Actor::Staff {
                account,
                role,
                scope,
                ..
            } => Who::Staff {
                account: (*account).into(),
                role: *role,
                scope: scope.clone(),
            },
        }
    }

    /// The actor as written in traces: `acct:N`, `op:<name>`, `op:<role>:acct:N` (staff;
    /// `op:<role>@<scope>:acct:N` under a scoped role),
    /// `peer:<domain>` or `system`.
    pub fn trace_id(&self) -> String {
        self.who().to_string()
    }
}

/// An actor and the connection they act from: the proof of who acts that every use
/// case asks for. Its fields are the service's own; a front end gets one only from the
/// service — a login ([`crate::auth::Authenticated::caller`]), a staff role
/// ([`crate::Service::staff_for`]), an admitted peer ([`crate::Service::admit_peer`]) —
/// so no network front end can act as someone else, the system or an operator (AC-1,
/// ID-3). The operator's console (the `caduceus` command) names its operator with
/// [`crate::Service::console_caller`]: a staff member's console session, or the
/// bootstrap operator while no one holds a staff role yet;
/// `crates/service/tests/boundaries.rs` checks that no network front end calls it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Who.
    pub(crate) actor: Actor,
    /// From where: `ip:port`, or `cli`.
    pub(crate) source: String,
}

impl Caller {
    /// Who acts.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// The bootstrap operator at the command line (the `caduceus` console, which
    /// holds the keys and the database), named for the trace: made by
    /// [`crate::Service::console_caller`] only while no staff member exists, and for
    /// the demo seed and the benchmarks on their own scratch data.
    pub(crate) fn operator(name: OperatorName) -> Self {
        Caller {
            actor: Actor::Operator(name),
            source: "cli".into(),
        }
    }

    /// The server itself (scheduled jobs, local delivery).
    pub(crate) fn system() -> Self {
        Caller {
            actor: Actor::System,
            source: "local".into(),
        }
    }

    /// A peer operator relaying from `source`, authenticated by its certificate and
    /// the trust list (MS-5): made by [`crate::Service::admit_peer`] only.
    pub(crate) fn peer(domain: &str, source: impl Into<String>) -> Self {
        Caller {
            actor: Actor::Peer(domain.to_owned()),
            source: source.into(),
        }
    }

    /// The peer operator's domain, for a peer.
    pub fn peer_domain(&self) -> Option<&str> {
        match &self.actor {
            Actor::Peer(domain) => Some(domain),
            _ => None,
        }
    }

    /// A user connected from `source`: made by a login only.
    pub(crate) fn account(id: AccountId, source: impl Into<String>) -> Self {
        Caller {
            actor: Actor::Account(id),
            source: source.into(),
        }
    }

    /// A trace event for an action by this caller on `object`, typed ids (TR-5).
    pub(crate) fn event(&self, at_ms: i64, action: Action, object: Object) -> Event {
        let mut event = Event::new(at_ms, self.actor.who(), action, object);
        event.source = Some(self.source.clone());
        event
    }
}

/// Callers for tests, which have no front end to log in through (the `testing`
/// feature, enabled only in the workspace's dev-dependencies: a release build has no
/// such door).
#[cfg(feature = "testing")]
pub mod testing {
    use super::{Actor, Caller};
    use caduceus_core::{Role, Scope};
    use caduceus_store::AccountId;

    /// The account `id` acting from `source`, as if logged in.
    pub fn account(id: AccountId, source: impl Into<String>) -> Caller {
        Caller::account(id, source)
    }

    /// The server itself.
    pub fn system() -> Caller {
        Caller::system()
    }

    /// A peer operator of `domain`, as if admitted by the trust list.
    pub fn peer(domain: &str, source: &str) -> Caller {
        Caller::peer(domain, source)
    }

    /// The person of account `id` acting under staff `role` in the admin console, as
    /// if the role were checked.
    pub fn staff(id: AccountId, role: Role) -> Caller {
        scoped_staff(id, role, Scope::Operator)
    }

    /// [`staff`] under a role limited to `scope`, as if the grant were checked.
    pub fn scoped_staff(id: AccountId, role: Role, scope: Scope) -> Caller {
        Caller {
            actor: Actor::Staff {
                account: id,
                role,
                scope,
                desk: super::Desk::AdminConsole,
            },
            source: "test".into(),
        }
    }

    /// The bootstrap operator `name` at the command line.
    pub fn operator(name: &str) -> Caller {
        Caller::operator(name.parse().expect("an operator login"))
    }
}
