//! The scope of a staff role (AC-1, AC-2; seed 000 art. 2-3 and art. 4: administrators
//! act "dans la limite de leurs missions"): operator-wide, one structure, or one region.
//!
//! | role | accepts |
//! |---|---|
//! | registration authority (`ra`) | operator-wide, or one structure (FINESS/SIRET) |
//! | alert sender (`alerts`) | operator-wide, or one region |
//! | administrator, auditor, security officer | operator-wide only |
//!
//! The administrator grants roles and imports the national directory, the auditor
//! checks the whole chain, the security officer keeps the operator's breach register:
//! each duty is the operator's as a whole, so a narrower scope would mean nothing.
//!
//! A scope limits one duty ([`Scope::limits`]): a structure limits account
//! management to the accounts of that structure, a region limits health alerts to
//! audiences inside it. A use case that cannot tell what its act covers refuses a
//! limited caller: the safe default.

use std::fmt;

use crate::ident::{IdentError, StructureId};
use crate::region::Region;
use crate::role::{Duty, Role};

/// Where a staff role applies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole operator: every account, every audience.
    #[default]
    Operator,
    /// The accounts of one structure, by its FINESS or SIRET in prefixed form
    /// (`1750048886`, `3…`), as the directory writes it (registration authority).
    Structure(StructureId),
    /// Audiences inside one region (alert sender).
    Region(Region),
}

/// Why a scope was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeError {
    /// Not a scope's code.
    Unknown(String),
    /// Not a structure identifier.
    Structure(IdentError),
    /// Not a region's INSEE code.
    Region(String),
    /// The role takes no such scope.
    NotFor {
        /// The role granted.
        role: Role,
        /// The scope asked for.
        scope: Scope,
    },
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScopeError::Unknown(code) => write!(
                f,
                "{code:?} is not a scope: operator, structure-<FINESS or SIRET prefixed> \
                 or region-<INSEE code>"
            ),
            ScopeError::Structure(error) => write!(f, "structure: {error}"),
            ScopeError::Region(code) => {
                let codes: Vec<&str> = Region::ALL.iter().map(|r| r.as_str()).collect();
                write!(
                    f,
                    "{code:?} is not a region (INSEE codes {})",
                    codes.join(", ")
                )
            }
            ScopeError::NotFor { role, scope } => write!(
                f,
                "the {role} role cannot be limited to {scope} (AC-1): a registration \
                 authority takes one structure, an alert sender one region, the other \
                 roles are operator-wide"
            ),
        }
    }
}

impl std::error::Error for ScopeError {}

impl Scope {
    /// The scope of a structure given in prefixed form (`1750048886`).
    pub fn structure(prefixed: &str) -> Result<Scope, ScopeError> {
        StructureId::parse(prefixed.trim())
            .map(Scope::Structure)
            .map_err(ScopeError::Structure)
    }

    /// The scope of a region given by its INSEE code (`84`).
    pub fn region(code: &str) -> Result<Scope, ScopeError> {
        Region::parse(code.trim())
            .map(Scope::Region)
            .ok_or_else(|| ScopeError::Region(code.to_owned()))
    }

    /// The scope of a stored or traced code: `operator`, `structure-1750048886`,
    /// `region-84`.
    pub fn parse(code: &str) -> Result<Scope, ScopeError> {
        if code == "operator" {
            return Ok(Scope::Operator);
        }
        if let Some(structure) = code.strip_prefix("structure-") {
            return Scope::structure(structure);
        }
        if let Some(region) = code.strip_prefix("region-") {
            return Scope::region(region);
        }
        Err(ScopeError::Unknown(code.to_owned()))
    }

    /// Whether this is the whole operator.
    pub fn is_operator(&self) -> bool {
        *self == Scope::Operator
    }

    /// Whether this scope limits `duty`: account management for a structure, health
    /// alerts for a region. A limited duty is let through only where the use case
    /// checks what the act covers.
    pub fn limits(&self, duty: Duty) -> bool {
        match self {
            Scope::Operator => false,
            Scope::Structure(_) => duty == Duty::ManageAccounts,
            Scope::Region(_) => duty == Duty::SendHealthAlerts,
        }
    }
}

impl fmt::Display for Scope {
    /// The code stored and traced (no name): `operator`, `structure-1750048886`,
    /// `region-84`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::Operator => f.write_str("operator"),
            Scope::Structure(structure) => write!(f, "structure-{structure}"),
            Scope::Region(region) => write!(f, "region-{region}"),
        }
    }
}

impl Role {
    /// Whether this role may be granted within `scope` (see the module's table):
    /// refused with the reason otherwise (AC-1).
    pub fn accepts(self, scope: &Scope) -> Result<(), ScopeError> {
        let fits = matches!(
            (self, scope),
            (_, Scope::Operator)
                | (Role::RegistrationAuthority, Scope::Structure(_))
                | (Role::AlertSender, Scope::Region(_))
        );
        if fits {
            Ok(())
        } else {
            Err(ScopeError::NotFor {
                role: self,
                scope: scope.clone(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ac1_scopes_round_trip_through_their_codes() {
        for code in [
            "operator",
            "structure-1750048886",
            "structure-373282932000074",
            "region-84",
            "region-94",
        ] {
            assert_eq!(Scope::parse(code).unwrap().to_string(), code);
        }
        for bad in [
            "",
            "Operator",
            "structure-",
            "structure-8100030908",
            "region-85",
            "region-",
            "dept-75",
        ] {
            assert!(Scope::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ac1_only_the_registration_authority_takes_a_structure_and_the_alert_sender_a_region() {
        let structure = Scope::structure("1750048886").unwrap();
        let region = Scope::region("84").unwrap();
        for role in Role::ALL {
            assert_eq!(role.accepts(&Scope::Operator), Ok(()), "{role}");
            assert_eq!(
                role.accepts(&structure).is_ok(),
                role == Role::RegistrationAuthority,
                "{role}"
            );
            assert_eq!(
                role.accepts(&region).is_ok(),
                role == Role::AlertSender,
                "{role}"
            );
        }
        let refused = Role::Administrator.accepts(&structure).unwrap_err();
        assert!(refused.to_string().contains("AC-1"), "{refused}");
    }

    #[test]
    fn ac1_a_scope_limits_only_its_own_duty() {
        let structure = Scope::structure("1750048886").unwrap();
        let region = Scope::region("11").unwrap();
        assert!(structure.limits(Duty::ManageAccounts));
        assert!(!structure.limits(Duty::SendHealthAlerts));
        assert!(region.limits(Duty::SendHealthAlerts));
        assert!(!region.limits(Duty::ManageAccounts));
        assert!(!Scope::Operator.limits(Duty::ManageAccounts));
    }
}
