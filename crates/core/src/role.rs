//! Staff roles (AC-1, AC-2): what a member of the operator's staff may do in the admin
//! console, separated so that no one role holds every power. No role ever reaches
//! message content: roles grant administrative duties only.

use std::fmt;

/// A staff role granted to a personal account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Registration authority: verifies identities and activates accounts (ID-2).
    RegistrationAuthority,
    /// Administrator: manages accounts, imports the directory, sees alerts.
    Administrator,
    /// Auditor: reads the trace chain and the alerts (TR-1, TR-3); changes nothing.
    Auditor,
    /// Security officer: sees the security alerts and incidents (AU-3, TR-3) and keeps
    /// the breach register (TR-6).
    SecurityOfficer,
    /// Alert sender: broadcasts health alerts to directory members (MS-15).
    AlertSender,
}

/// An administrative duty a role may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    /// Register, verify, activate, suspend, close accounts; list them (no content).
    ManageAccounts,
    /// Import the national directory extracts.
    ImportDirectory,
    /// Read the trace chain and check it.
    ReadTraces,
    /// See the security alerts and incidents.
    SeeAlerts,
    /// Broadcast a health alert and follow its reports.
    SendHealthAlerts,
    /// Keep the personal-data breach register: record, assess, notify, close (TR-6).
    HandleBreaches,
    /// Grant and revoke staff roles to other persons (AC-1, AC-2); never one's own.
    GrantRoles,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [
        Role::RegistrationAuthority,
        Role::Administrator,
        Role::Auditor,
        Role::SecurityOfficer,
        Role::AlertSender,
    ];

    /// The code stored and written in traces.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::RegistrationAuthority => "ra",
            Role::Administrator => "admin",
            Role::Auditor => "auditor",
            Role::SecurityOfficer => "security",
            Role::AlertSender => "alerts",
        }
    }

    /// The role of a code.
    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == code)
    }

    /// Whether this role holds `duty`. The auditor changes nothing; the registration
    /// authority does nothing but accounts; the administrator cannot read traces, so
    /// that the auditor checks the administrator.
    pub fn may(self, duty: Duty) -> bool {
        matches!(
            (self, duty),
            (Role::RegistrationAuthority, Duty::ManageAccounts)
                | (Role::Administrator, Duty::ManageAccounts)
                | (Role::Administrator, Duty::ImportDirectory)
                | (Role::Administrator, Duty::SeeAlerts)
                | (Role::Auditor, Duty::ReadTraces)
                | (Role::Auditor, Duty::SeeAlerts)
                | (Role::SecurityOfficer, Duty::SeeAlerts)
                | (Role::SecurityOfficer, Duty::HandleBreaches)
                | (Role::Administrator, Duty::GrantRoles)
                | (Role::AlertSender, Duty::SendHealthAlerts)
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DUTIES: [Duty; 7] = [
        Duty::ManageAccounts,
        Duty::ImportDirectory,
        Duty::ReadTraces,
        Duty::SeeAlerts,
        Duty::SendHealthAlerts,
        Duty::HandleBreaches,
        Duty::GrantRoles,
    ];

    #[test]
    fn ac1_each_role_holds_exactly_its_duties() {
        let table = [
            (
                Role::RegistrationAuthority,
                [true, false, false, false, false, false, false],
            ),
            (
                Role::Administrator,
                [true, true, false, true, false, false, true],
            ),
            (
                Role::Auditor,
                [false, false, true, true, false, false, false],
            ),
            (
                Role::SecurityOfficer,
                [false, false, false, true, false, true, false],
            ),
            (
                Role::AlertSender,
                [false, false, false, false, true, false, false],
            ),
        ];
        for (role, expected) in table {
            for (duty, may) in DUTIES.into_iter().zip(expected) {
                assert_eq!(role.may(duty), may, "{role} {duty:?}");
            }
        }
    }

    #[test]
    fn ac1_no_role_holds_every_duty() {
        for role in Role::ALL {
            assert!(DUTIES.iter().any(|d| !role.may(*d)), "{role}");
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_are_refused() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for bad in ["", "root", "ADMIN", "operator"] {
            assert_eq!(Role::parse(bad), None);
        }
    }
}
