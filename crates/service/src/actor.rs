//! Who acts, and how they appear in traces (TR-1, ID-3).

use caduceus_audit::{Action, Event, Outcome};
use caduceus_core::Role;
use caduceus_store::AccountId;

/// The physical person (or the system) behind an action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A user authenticated as this account.
    Account(AccountId),
    /// An operator working from the command line, named for the trace.
    Operator(String),
    /// A scheduled job or the server itself.
    System,
    /// Another operator of the trust space relaying mail, named by its domain (MS-5).
    /// It may deliver, nothing else.
    Peer(String),
    /// A member of the operator's staff acting in the admin console under one of
    /// their roles (AC-1): the person (their account) and the role, both traced. Never
    /// reaches message content (AC-2).
    Staff {
        /// The person's own account.
        account: AccountId,
        /// The role acted under.
        role: Role,
    },
}

impl Actor {
    /// The actor as written in traces: `acct:N`, `op:<name>`, `op:<role>:acct:N` (staff),
    /// `peer:<domain>` or `system`.
    pub fn trace_id(&self) -> String {
        match self {
            Actor::Account(id) => id.to_string(),
            Actor::Operator(name) => format!("op:{name}"),
            Actor::System => "system".into(),
            Actor::Peer(domain) => format!("peer:{domain}"),
            Actor::Staff { account, role } => format!("op:{role}:{account}"),
        }
    }
}

/// An actor and the connection they act from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// Who.
    pub actor: Actor,
    /// From where: `ip:port`, or `cli`.
    pub source: String,
}

impl Caller {
    /// An operator at the command line.
    pub fn operator(name: &str) -> Self {
        Caller {
            actor: Actor::Operator(name.to_owned()),
            source: "cli".into(),
        }
    }

    /// The server itself (scheduled jobs, local delivery).
    pub fn system() -> Self {
        Caller {
            actor: Actor::System,
            source: "local".into(),
        }
    }

    /// A peer operator relaying from `source`, authenticated by its certificate and
    /// the trust list (MS-5).
    pub fn peer(domain: &str, source: impl Into<String>) -> Self {
        Caller {
            actor: Actor::Peer(domain.to_owned()),
            source: source.into(),
        }
    }

    /// A user connected from `source`.
    pub fn account(id: AccountId, source: impl Into<String>) -> Self {
        Caller {
            actor: Actor::Account(id),
            source: source.into(),
        }
    }

    /// A trace event for an action by this caller; `object` holds ids only (TR-5).
    pub(crate) fn event(&self, at_ms: i64, action: Action, object: String) -> Event {
        Event {
            at_ms,
            actor: self.actor.trace_id(),
            acting_for: None,
            action,
            object,
            source: Some(self.source.clone()),
            outcome: Outcome::Success,
            detail: None,
        }
    }
}
