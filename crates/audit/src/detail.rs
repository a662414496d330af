//! A trace's detail as typed facts: requirement ids, reason codes, switches, counts
//! (TR-5). Like [`crate::Object`], a [`Detail`] is made of enums, numbers and validated
//! codes only; no `&str` or `String` becomes one.
//!
//! ```
//! use caduceus_audit::{Counter, Detail, Fact, Setting};
//! use caduceus_core::Requirement;
//! let detail = Detail::of(Requirement::Ms9).and(Fact::Switch(Setting::Opposition, true));
//! assert_eq!(detail.to_string(), "MS-9 opposition:on");
//! assert_eq!(Detail::of(Fact::Count(Counter::Days, 7)).to_string(), "days:7");
//! ```
//!
//! A subject or an INS does not compile as a detail:
//!
//! ```compile_fail
//! use caduceus_audit::Detail;
//! let subject = String::from("Résultats de M. Martin, INS 295109912611193");
//! let _ = Detail::of(subject);
//! ```
//!
//! ```compile_fail
//! use caduceus_audit::Fact;
//! let _: Fact = "patient Dupont".into();
//! ```

use std::fmt;

use caduceus_core::alert::Audience;
use caduceus_core::announcement::AnnouncementEnd;
use caduceus_core::breach::{BreachState, Nature, Risk};
use caduceus_core::enrolment::{Mismatch, Proof};
use caduceus_core::incidents::IncidentKind;
use caduceus_core::representation::{Capacity, CapacityEvidence};
use caduceus_core::{Domain, Evidence, Requirement, Role, Scope};

use crate::object::write_spaced;

codes! {
    /// Why something was refused or ended: `reason:<code>`.
    Reason {
        /// The login named no account.
        UnknownAccount => "unknown_account",
        /// The account is not active.
        Inactive => "inactive",
        /// A wrong password or device secret.
        WrongSecret => "wrong_secret",
        /// A wrong second-factor code.
        WrongCode => "wrong_code",
        /// An expired one-time code.
        ExpiredCode => "expired_code",
        /// The last try of a code was wrong: what it confirmed is dropped (AU-1).
        TriesExhausted => "tries_exhausted",
        /// A revoked device credential, at login (AU-2).
        RevokedDevice => "revoked_device",
        /// A revoked passkey, at login (AU-1, MS-18).
        RevokedPasskey => "revoked_passkey",
        /// A pairing token already used or past its lifetime (MS-18).
        PairingTokenSpent => "pairing_token_spent",
        /// No second factor is set up (AU-1).
        NoSecondFactor => "no_second_factor",
        /// This kind of account does not log in this way.
        KindHasNoLogin => "kind_has_no_login",
        /// A health professional logged in without their card (AU-5).
        CardRequired => "card_required",
        /// An OpenID token was refused.
        TokenRefused => "token_refused",
        /// A user name that is not an address (SASL).
        MalformedUser => "malformed_user",
        /// An authorization identity other than the account's own (SASL).
        ForeignAuthzid => "foreign_authzid",
        /// Locked out after repeated failures (AU-3).
        Locked => "locked",
        /// Slowed down after failures (AU-3).
        Throttled => "throttled",
        /// The device credential of an open session was revoked (AU-2).
        DeviceRevoked => "device_revoked",
        /// The account of an open session is no longer active (ID-2).
        AccountInactive => "account_inactive",
        /// A web session expired.
        Expired => "expired",
        /// The sending rate was exceeded (MS-13).
        Rate => "rate",
        /// A peer's certificate does not chain to the trust anchors (MS-5).
        UntrustedCertificate => "untrusted_certificate",
        /// A peer presented no certificate (MS-5).
        NoCertificate => "no_certificate",
    }
}

codes! {
    /// How someone logged in or was reached: `method:<code>` (AU-1, AU-2).
    Method {
        /// Password and authenticator code.
        PasswordTotp => "password_totp",
        /// Password and a code sent by email.
        PasswordEmailCode => "password_email_code",
        /// A client certificate.
        Certificate => "certificate",
        /// A device credential.
        Device => "device",
        /// A passkey with user verification (AU-1).
        Passkey => "passkey",
        /// An OpenID Connect token.
        Oidc => "oidc",
        /// A one-time code sent by email.
        Email => "email",
        /// A one-time code sent by SMS (AU-1, seed 004 §6.2).
        Sms => "sms",
    }
}

codes! {
    /// A channel a notice goes through: `channel:<code>` (RT-1).
    Channel {
        /// The out-of-band email address.
        Email => "email",
        /// The mobile phone (SMS).
        Sms => "sms",
        /// No channel at all.
        None => "none",
    }
}

codes! {
    /// Where a relay attempt left its item: `status:<code>` (MS-16).
    RelayStatus {
        /// Waiting in the queue.
        Queued => "queued",
        /// To be tried again.
        Retry => "retry",
        /// Delivered to the peer.
        Delivered => "delivered",
        /// Refused for good by the peer.
        Failed => "failed",
        /// Given up after the retry period.
        Expired => "expired",
    }
}

codes! {
    /// Who recorded a patient's opposition: `recorded_by:<code>` (MS-9).
    Recorder {
        /// The patient themself.
        Patient => "patient",
        /// A health professional.
        Professional => "professional",
        /// The operator.
        Operator => "operator",
    }
}

codes! {
    /// A setting turned on or off: `<code>:on` or `<code>:off`.
    Setting {
        /// A patient's block of a professional (MS-10).
        Block => "block",
        /// A patient's opposition (MS-9).
        Opposition => "opposition",
        /// New-mail notices (MS-7).
        NewMail => "new_mail",
        /// A forwarding rule (MS-17).
        Forwarding => "forwarding",
        /// A folder marked personal (MS-14).
        Personal => "personal",
        /// An out-of-office reply (MS-6, RFC 3834).
        Absence => "absence",
        /// A signature (MS-6).
        Signature => "signature",
    }
}

codes! {
    /// What a count counts: `<code>:N`.
    Counter {
        /// Failed logins (AU-3, TR-3).
        Failures => "failures",
        /// The sequence number of a trace entry (TR-1).
        Seq => "seq",
        /// Days of traces read (TR-1).
        Days => "days",
        /// The stage of an inactivity warning (RT-1).
        Stage => "stage",
        /// Directory entries added (ID-4).
        Added => "added",
        /// Directory entries changed (ID-4).
        Changed => "changed",
        /// Directory entries removed (ID-4).
        Removed => "removed",
        /// Directory lines refused (ID-4).
        Invalid => "invalid",
        /// Directory entries a lookup found (ID-4).
        Found => "found",
        /// Accounts failing from one source (TR-3).
        Accounts => "accounts",
        /// Messages read in a day (TR-3).
        Reads => "reads",
        /// Administrative actions off hours (TR-3).
        Actions => "actions",
        /// Recipients sent to across messages (MS-12, TR-3).
        Recipients => "recipients",
        /// Refused accesses (AC-1, TR-3).
        Refusals => "refusals",
        /// Hours past a deadline (TR-6).
        Hours => "hours",
        /// The schema version a database was at before an upgrade (0: empty).
        FromVersion => "from",
        /// The schema version a database is at after an upgrade.
        ToVersion => "to",
    }
}

/// What an incident of each kind counts (TR-3).
impl From<IncidentKind> for Counter {
    fn from(kind: IncidentKind) -> Self {
        match kind {
            IncidentKind::BruteForce => Counter::Failures,
            IncidentKind::CredentialStuffing => Counter::Accounts,
            IncidentKind::UnusualVolume => Counter::Reads,
            IncidentKind::AdminOffHours => Counter::Actions,
            IncidentKind::FanOut => Counter::Recipients,
            IncidentKind::RefusedAccesses => Counter::Refusals,
            IncidentKind::BreachOverdue => Counter::Hours,
        }
    }
}

/// One fact of a trace's detail (TR-5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fact {
    /// The requirement that applied: `MS-12`.
    Requirement(Requirement),
    /// Why: `reason:<code>`.
    Reason(Reason),
    /// How: `method:<code>`.
    Method(Method),
    /// Through which channel: `channel:<code>`.
    Channel(Channel),
    /// Where a relay item stands: `status:<code>`.
    Status(RelayStatus),
    /// Who recorded an opposition: `recorded_by:<code>`.
    RecordedBy(Recorder),
    /// A setting turned on (`true`) or off: `<setting>:on`.
    Switch(Setting, bool),
    /// A count: `<counter>:N`.
    Count(Counter, u64),
    /// The evidence of a verification (ID-2): `evidence:<code>`.
    Evidence(Evidence),
    /// A staff role (AC-1): `role:<role>`.
    Role(Role),
    /// Where a staff role applies (AC-1): `scope:structure-1750048886`, `scope:region-84`.
    Scope(Scope),
    /// A role granted (`true`) or revoked: `state:granted`.
    Granted(bool),
    /// A notice delivered (`true`) or not: `delivered:yes`.
    Delivered(bool),
    /// A domain, such as a forwarding target's (MS-17): `domain:<domain>`.
    Domain(Domain),
    /// A forwarding target on this server (MS-17): `target:local`.
    LocalTarget,
    /// A health alert's audience (MS-15): `profession:10 department:75`.
    Audience(Audience),
    /// The kind of an incident (TR-3): `kind:incident.<code>`.
    Incident(IncidentKind),
    /// An inactive mailbox kept because no warning reached its owner (RT-1):
    /// `kind:inactivity_unwarned`.
    InactivityUnwarned,
    /// Where a breach stands (TR-6): `breach:<state>`.
    Breach(BreachState),
    /// What a breach did to the data (TR-6): `nature:<code>`.
    Nature(Nature),
    /// A breach's assessed risk (TR-6): `risk:<code>`.
    Risk(Risk),
    /// A representative's capacity (ID-7): `capacity:<code>`.
    Capacity(Capacity),
    /// What proved a representative's capacity (ID-7): `evidence:<code>`.
    CapacityEvidence(CapacityEvidence),
    /// How a self-registering professional proved their identifier (ID-1):
    /// `proof:<code>`.
    Proof(Proof),
    /// Why the register did not confirm a self-registration (ID-1):
    /// `referred:<code>`.
    Referred(Mismatch),
    /// How a patient mailbox's announcement ended (ID-5, AC-3): `announcement:<code>`.
    AnnouncementEnd(AnnouncementEnd),
}

macro_rules! into_fact {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for Fact {
            fn from(value: $ty) -> Self {
                Fact::$variant(value)
            }
        })*
    };
}

into_fact!(
    Requirement(Requirement),
    Reason(Reason),
    Method(Method),
    Channel(Channel),
    Status(RelayStatus),
    RecordedBy(Recorder),
    Evidence(Evidence),
    Role(Role),
    Scope(Scope),
    Domain(Domain),
    Audience(Audience),
    Incident(IncidentKind),
    Breach(BreachState),
    Nature(Nature),
    Risk(Risk),
    Capacity(Capacity),
    CapacityEvidence(CapacityEvidence),
    Proof(Proof),
    Referred(Mismatch),
    AnnouncementEnd(AnnouncementEnd),
);

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on_off = |on: bool| if on { "on" } else { "off" };
        match self {
            Fact::Requirement(requirement) => requirement.fmt(f),
            Fact::Reason(reason) => write!(f, "reason:{reason}"),
            Fact::Method(method) => write!(f, "method:{method}"),
            Fact::Channel(channel) => write!(f, "channel:{channel}"),
            Fact::Status(status) => write!(f, "status:{status}"),
            Fact::RecordedBy(party) => write!(f, "recorded_by:{party}"),
            Fact::Switch(setting, on) => write!(f, "{setting}:{}", on_off(*on)),
            Fact::Count(counter, n) => write!(f, "{counter}:{n}"),
            Fact::Evidence(evidence) => write!(f, "evidence:{}", evidence.as_str()),
            Fact::Role(role) => write!(f, "role:{role}"),
            Fact::Scope(scope) => write!(f, "scope:{scope}"),
            Fact::Granted(granted) => f.write_str(if *granted {
                "state:granted"
            } else {
                "state:revoked"
            }),
            Fact::Delivered(yes) => f.write_str(if *yes {
                "delivered:yes"
            } else {
                "delivered:no"
            }),
            Fact::Domain(domain) => write!(f, "domain:{domain}"),
            Fact::LocalTarget => f.write_str("target:local"),
            Fact::Audience(audience) => f.write_str(&audience.codes()),
            Fact::Incident(kind) => write!(f, "kind:{}", kind.as_str()),
            Fact::InactivityUnwarned => f.write_str("kind:inactivity_unwarned"),
            Fact::Breach(state) => write!(f, "breach:{state}"),
            Fact::Nature(nature) => write!(f, "nature:{nature}"),
            Fact::Risk(risk) => write!(f, "risk:{risk}"),
            Fact::Capacity(capacity) => write!(f, "capacity:{capacity}"),
            Fact::CapacityEvidence(evidence) => write!(f, "evidence:{evidence}"),
            Fact::Proof(proof) => write!(f, "proof:{proof}"),
            Fact::Referred(why) => write!(f, "referred:{}", why.as_str()),
            Fact::AnnouncementEnd(end) => write!(f, "announcement:{end}"),
        }
    }
}

/// A trace's detail: one or more [`Fact`]s, written space-separated (TR-5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail(Vec<Fact>);

impl Detail {
    /// A detail of one fact.
    pub fn of(fact: impl Into<Fact>) -> Detail {
        Detail(vec![fact.into()])
    }

    /// This detail with `fact` after its facts.
    pub fn and(mut self, fact: impl Into<Fact>) -> Detail {
        self.0.push(fact.into());
        self
    }

    /// The facts, in order.
    pub fn facts(&self) -> &[Fact] {
        &self.0
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_spaced(f, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tr5_details_render_the_stored_text() {
        let cases = [
            (
                Detail::of(Requirement::Ms9)
                    .and(Fact::Switch(Setting::Opposition, false))
                    .and(Recorder::Professional),
                "MS-9 opposition:off recorded_by:professional",
            ),
            (
                Detail::of(Requirement::Ac1)
                    .and(Role::Auditor)
                    .and(Fact::Granted(false)),
                "AC-1 role:auditor state:revoked",
            ),
            (
                Detail::of(Requirement::Rt1)
                    .and(Fact::Count(Counter::Stage, 2))
                    .and(Channel::Email)
                    .and(Channel::Sms)
                    .and(Fact::Delivered(true)),
                "RT-1 stage:2 channel:email channel:sms delivered:yes",
            ),
            (Detail::of(Reason::Locked), "reason:locked"),
            (Detail::of(Method::Device), "method:device"),
            (Detail::of(RelayStatus::Retry), "status:retry"),
            (Detail::of(Evidence::CpsCard), "evidence:cps_card"),
            (
                Detail::of(Requirement::Id1)
                    .and(caduceus_core::enrolment::Proof::Card)
                    .and(caduceus_core::enrolment::Mismatch::FamilyName),
                "ID-1 proof:card referred:family_name",
            ),
            (
                Detail::of(Requirement::Ms17).and(Fact::LocalTarget),
                "MS-17 target:local",
            ),
            (
                Detail::of(Requirement::Ms15).and(Audience::new(Some("10"), Some("75")).unwrap()),
                "MS-15 profession:10 department:75",
            ),
            (
                Detail::of(Requirement::Tr3)
                    .and(IncidentKind::BruteForce)
                    .and(Fact::Count(Counter::Failures, 20)),
                "TR-3 kind:incident.brute_force failures:20",
            ),
        ];
        for (detail, text) in cases {
            assert_eq!(detail.to_string(), text);
        }
    }
}
