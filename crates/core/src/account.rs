//! Accounts: their kinds and the life-cycle states they move through (ID-2, ID-3, RT-2).

use std::fmt;
use std::str::FromStr;

use crate::{IdentError, Ins, NationalId, Registry};

/// What an account is for (ID-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountKind {
    /// A health professional's personal mailbox.
    Professional,
    /// A structure's mailbox (a department, a secretariat) used by named delegates.
    Organisation,
    /// An automaton of a structure (certificate authentication only).
    Applicative,
    /// A patient's mailbox, `<INS>@patient.<domain>` (ID-5).
    Patient,
}

/// How long a closed account's data is kept before it is deleted for good (RT-2; seed
/// 003 §4: once a patient's space is closed, its data are kept ten years unless the
/// patient asks for their deletion): a patient's `patients` long, or not at all when
/// they asked for deletion; anyone else's `others` (the closure grace).
pub fn kept_after_closure(
    kind: AccountKind,
    erase_asked: bool,
    patients: std::time::Duration,
    others: std::time::Duration,
) -> std::time::Duration {
    match kind {
        AccountKind::Patient if erase_asked => std::time::Duration::ZERO,
        AccountKind::Patient => patients,
        _ => others,
    }
}

/// Where an account stands in its life cycle (ID-2).
///
/// `Pending → Verified → Active ⇄ Suspended`, and any state `→ Closed`; a patient's
/// mailbox goes `Verified → Announced → Active` (ID-5, seed 003 §7), and an objection
/// ends an announcement by `Announced → Closed`, its data deleted at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountState {
    /// Created, identity not yet verified by a registration authority.
    Pending,
    /// Identity and function verified (ID-2); may exchange messages.
    Verified,
    /// A patient mailbox announced to its patient, not open yet: it opens at the end
    /// of the announcement period (or sooner if the patient accepts) unless the patient
    /// objects (ID-5, AC-3, seed 003 §7). It neither receives mail nor logs in.
    Announced,
    /// In use.
    Active,
    /// Temporarily barred (by an administrator or a security officer).
    Suspended,
    /// Closed; its data is deleted (RT-2).
    Closed,
}

/// A life-cycle transition that the rules do not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an account cannot go from {from} to {to}")]
pub struct TransitionError {
    /// The current state.
    pub from: AccountState,
    /// The requested state.
    pub to: AccountState,
}

/// An unknown kind or state name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?}; expected one of: {expected}")]
pub struct UnknownName {
    /// "account kind" or "account state".
    pub what: &'static str,
    /// The rejected text.
    pub value: String,
    /// The accepted names.
    pub expected: &'static str,
}

impl AccountKind {
    /// Every kind, in a stable order.
    pub const ALL: [AccountKind; 4] = [
        AccountKind::Professional,
        AccountKind::Organisation,
        AccountKind::Applicative,
        AccountKind::Patient,
    ];

    /// The stable lowercase name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::Professional => "professional",
            AccountKind::Organisation => "organisation",
            AccountKind::Applicative => "applicative",
            AccountKind::Patient => "patient",
        }
    }
}

impl AccountState {
    /// Every state, in life-cycle order.
    pub const ALL: [AccountState; 6] = [
        AccountState::Pending,
        AccountState::Verified,
        AccountState::Announced,
        AccountState::Active,
        AccountState::Suspended,
        AccountState::Closed,
    ];

    /// The stable lowercase name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Pending => "pending",
            AccountState::Verified => "verified",
            AccountState::Announced => "announced",
            AccountState::Active => "active",
            AccountState::Suspended => "suspended",
            AccountState::Closed => "closed",
        }
    }

    /// Whether an account in this state may send or receive messages (ID-2, MS-2):
    /// only once its identity was verified, and not while suspended or closed.
    pub fn can_exchange(self) -> bool {
        matches!(self, AccountState::Verified | AccountState::Active)
    }

    /// Checks a life-cycle transition (ID-2): verification only from pending,
    /// activation only once verified (or to lift a suspension), an announcement only
    /// of a verified account, which then opens (ID-5), suspension only of a usable
    /// account, closure from anywhere but closed. Which kinds are announced is
    /// [`AccountKind::opening`]'s rule.
    pub fn transition(self, to: AccountState) -> Result<AccountState, TransitionError> {
        use AccountState::*;
        let allowed = match (self, to) {
            (Pending, Verified) => true,
            (Verified | Suspended | Announced, Active) => true,
            (Verified, Announced) => true,
            (Verified | Active, Suspended) => true,
            (from, Closed) => from != Closed,
            _ => false,
        };
        if allowed {
            Ok(to)
        } else {
            Err(TransitionError { from: self, to })
        }
    }
}

macro_rules! named {
    ($ty:ident, $what:literal, $expected:literal) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = UnknownName;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                $ty::ALL
                    .into_iter()
                    .find(|v| v.as_str() == value)
                    .ok_or_else(|| UnknownName {
                        what: $what,
                        value: value.to_owned(),
                        expected: $expected,
                    })
            }
        }
    };
}

named!(
    AccountKind,
    "account kind",
    "professional, organisation, applicative, patient"
);
named!(
    AccountState,
    "account state",
    "pending, verified, announced, active, suspended, closed"
);

#[cfg(test)]
mod tests {
    use super::AccountState::*;
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in AccountKind::ALL {
            assert_eq!(kind.as_str().parse::<AccountKind>().unwrap(), kind);
        }
        for state in AccountState::ALL {
            assert_eq!(state.as_str().parse::<AccountState>().unwrap(), state);
        }
        let err = "doctor".parse::<AccountKind>().unwrap_err().to_string();
        assert!(err.contains("professional, organisation"), "{err}");
    }

    #[test]
    fn id2_only_verified_accounts_exchange() {
        let usable: Vec<_> = AccountState::ALL
            .into_iter()
            .filter(|s| s.can_exchange())
            .collect();
        assert_eq!(usable, vec![Verified, Active]);
    }

    #[test]
    fn id2_transitions_follow_the_life_cycle() {
        let allowed = [
            (Pending, Verified),
            (Verified, Active),
            (Suspended, Active),
            (Verified, Suspended),
            (Active, Suspended),
            (Pending, Closed),
            (Verified, Closed),
            (Verified, Announced),
            (Announced, Active),
            (Announced, Closed),
            (Active, Closed),
            (Suspended, Closed),
        ];
        for from in AccountState::ALL {
            for to in AccountState::ALL {
                let expected = allowed.contains(&(from, to));
                assert_eq!(from.transition(to).is_ok(), expected, "{from} -> {to}");
            }
        }
        assert_eq!(
            Pending.transition(Active).unwrap_err().to_string(),
            "an account cannot go from pending to active"
        );
    }

    #[test]
    fn id5_only_patient_mailboxes_are_announced_before_they_open() {
        for kind in AccountKind::ALL {
            let expected = if kind == AccountKind::Patient {
                Announced
            } else {
                Active
            };
            assert_eq!(kind.opening(), expected, "{kind}");
        }
        assert!(!Announced.can_exchange());
    }

    #[test]
    fn id1_registry_identity_is_parsed_by_kind() {
        assert!(matches!(
            RegistryId::parse_for(AccountKind::Patient, "295109912611193"),
            Ok(RegistryId::Patient(_))
        ));
        assert!(matches!(
            RegistryId::parse_for(AccountKind::Professional, "810003090833"),
            Ok(RegistryId::National(_))
        ));
        assert!(RegistryId::parse_for(AccountKind::Patient, "810003090833").is_err());
        assert!(RegistryId::parse_for(AccountKind::Organisation, "295109912611193").is_err());
    }
}

/// The evidence a registration authority saw when verifying an identity (ID-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// A CPS (or CPS-like) card was read and its certificate checked.
    CpsCard,
    /// An official identity document was seen in person or by a remote procedure.
    IdentityDocument,
    /// The identifier matched the national registry extract (RPPS, FINESS...).
    RegistryMatch,
}

impl Evidence {
    /// Every kind of evidence.
    pub const ALL: [Evidence; 3] = [
        Evidence::CpsCard,
        Evidence::IdentityDocument,
        Evidence::RegistryMatch,
    ];

    /// The stable name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::CpsCard => "cps_card",
            Evidence::IdentityDocument => "identity_document",
            Evidence::RegistryMatch => "registry_match",
        }
    }
}

named!(
    Evidence,
    "evidence",
    "cps_card, identity_document, registry_match"
);

/// The registry identity an account is traced to (ID-1): a national or local
/// identifier for professionals and structures, the INS for patients (ID-5).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegistryId {
    /// RPPS, ADELI, FINESS, SIRET or local-registry identifier, in its prefixed form.
    National(NationalId),
    /// A patient's INS.
    Patient(Ins),
}

/// A stored registry identity that does not parse back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryIdError {
    /// The registry name is unknown.
    #[error("unknown registry {0:?}")]
    UnknownRegistry(String),
    /// The identifier is invalid for its registry.
    #[error(transparent)]
    Invalid(#[from] IdentError),
    /// The identifier's own form names another registry than the one stored.
    #[error("identifier is a {found} identifier, stored as {stored}")]
    Mismatch {
        /// Registry stored beside the identifier.
        stored: String,
        /// Registry of the identifier itself.
        found: &'static str,
    },
}

impl RegistryId {
    /// The registry's stable name: the national registries' names, or `ins`.
    pub fn registry(&self) -> &'static str {
        match self {
            RegistryId::National(id) => id.registry().as_str(),
            RegistryId::Patient(_) => "ins",
        }
    }

    /// The national (or local-registry) identifier, shown to its holder and the
    /// operator (ID-1); `None` for a patient, whose INS is the mailbox address.
    pub fn national(&self) -> Option<&NationalId> {
        match self {
            RegistryId::National(id) => Some(id),
            RegistryId::Patient(_) => None,
        }
    }

    /// The identifier as stored: the prefixed national form, or the INS.
    pub fn stored_value(&self) -> String {
        match self {
            RegistryId::National(id) => id.to_string(),
            RegistryId::Patient(ins) => ins.expose().to_owned(),
        }
    }

    /// Parses the identifier an account of `kind` is registered with: the INS for a
    /// patient, the prefixed national form (`8`+RPPS…) for everyone else.
    pub fn parse_for(kind: AccountKind, value: &str) -> Result<Self, IdentError> {
        Ok(match kind {
            AccountKind::Patient => RegistryId::Patient(Ins::parse(value)?),
            _ => RegistryId::National(NationalId::parse(value)?),
        })
    }

    /// Parses back what [`RegistryId::registry`] and [`RegistryId::stored_value`] gave.
    pub fn from_stored(registry: &str, value: &str) -> Result<Self, RegistryIdError> {
        if registry == "ins" {
            return Ok(RegistryId::Patient(Ins::parse(value)?));
        }
        let id = NationalId::parse(value)?;
        if id.registry().as_str() != registry {
            if Registry::ALL.iter().all(|r| r.as_str() != registry) {
                return Err(RegistryIdError::UnknownRegistry(registry.to_owned()));
            }
            return Err(RegistryIdError::Mismatch {
                stored: registry.to_owned(),
                found: id.registry().as_str(),
            });
        }
        Ok(RegistryId::National(id))
    }
}

impl AccountKind {
    /// The state a verified account of this kind goes to when the registration
    /// authority opens it: a patient's mailbox is announced first, six weeks to object
    /// (ID-5, AC-3, seed 003 §7); anyone else's is active at once (ID-2).
    pub fn opening(self) -> AccountState {
        match self {
            AccountKind::Patient => AccountState::Announced,
            _ => AccountState::Active,
        }
    }

    /// Whether an identity fits this kind of account (ID-1, ID-5): professionals are
    /// people (RPPS, ADELI or local registry), organisational and applicative
    /// mailboxes belong to a structure (FINESS, SIRET) or to a local registry, and
    /// patients are known by their INS.
    pub fn accepts(self, identity: &RegistryId) -> bool {
        match (self, identity) {
            (AccountKind::Patient, RegistryId::Patient(_)) => true,
            (AccountKind::Professional, RegistryId::National(id)) => id.is_person(),
            (AccountKind::Organisation | AccountKind::Applicative, RegistryId::National(id)) => {
                !id.is_person() || id.registry() == Registry::Local
            }
            _ => false,
        }
    }
}
