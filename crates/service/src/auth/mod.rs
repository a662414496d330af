//! Logins (AU-1, AU-2, AU-3): password + TOTP, password + emailed code, client
//! certificate, device credential; enrollment of second factors and devices.
//!
//! Every attempt passes the brute-force gate for the account and for the source
//! address first, and is traced whatever its outcome. A failed attempt says nothing
//! about why (unknown address, wrong password, wrong code all read the same), so the
//! answer cannot be used to find accounts.
//!
//! This file holds the proofs ([`Authenticated`], [`Factor`], [`Credentials`]), the
//! gate, session checks and connection traces; `login` the logins themselves,
//! `factors` the second factors, contact addresses and device credentials; `confirm`
//! a new contact the user gives, used once the code sent to it is typed.

use caduceus_core::Requirement;
use std::time::Duration;

use caduceus_audit::{
    Action, Counter, Detail, Event, Fact, Id, Marker, Method, Object, Outcome, Reason, Who,
};
use caduceus_core::{FailureState, LockoutPolicy, SecretString};
use caduceus_store::{Account, AccountId, DeviceId};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

use crate::Service;
use crate::actor::Caller;
use crate::error::{Result, ServiceError};

mod confirm;
mod factors;
mod gate;
mod login;
mod pairing;
pub mod passkey;

pub use confirm::PendingContact;
pub use factors::{Contacts, IssuedDevice, TotpEnrollment};
pub(crate) use gate::InFlight;
pub use login::CodeChannel;
pub use pairing::PairingOffer;
pub use passkey::{Ceremony, Relying};

/// How long an emailed login code is valid.
const CODE_VALIDITY: Duration = Duration::from_secs(10 * 60);
/// Wrong codes accepted against one emailed code before it is void.
const CODE_ATTEMPTS: i64 = 5;
/// TOTP period in seconds (RFC 6238 default, what authenticator apps expect).
const TOTP_PERIOD: u64 = 30;
/// Length of a TOTP secret: 160 bits, as RFC 4226 recommends.
const TOTP_SECRET_LEN: usize = 20;

/// How a login was proven.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Factor {
    /// Password and a TOTP code (AU-1).
    PasswordTotp,
    /// Password and a code sent to the out-of-band address (AU-1).
    PasswordEmailCode,
    /// A CPS-like client certificate carrying the national identifier (AU-1).
    Certificate,
    /// A device credential issued after a strong login (AU-2).
    Device(DeviceId),
    /// An OpenID Connect provider's assertion of the national identifier (AU-4), by
    /// an ID token (web) or an access token (SASL OAUTHBEARER / XOAUTH2).
    Federated,
    /// A passkey with user verification (AU-1): the key and the PIN or biometric
    /// that unlocks it, two factors on the user's device — as strong as a card.
    Passkey,
}

impl Factor {
    /// The method as traced (TR-5).
    pub fn method(&self) -> Method {
        match self {
            Factor::PasswordTotp => Method::PasswordTotp,
            Factor::PasswordEmailCode => Method::PasswordEmailCode,
            Factor::Certificate => Method::Certificate,
            Factor::Device(_) => Method::Device,
            Factor::Federated => Method::Oidc,
            Factor::Passkey => Method::Passkey,
        }
    }

    /// The method's code as stored with web sessions: `method:<code>`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Factor::PasswordTotp => "method:password_totp",
            Factor::PasswordEmailCode => "method:password_email_code",
            Factor::Certificate => "method:certificate",
            Factor::Device(_) => "method:device",
            Factor::Federated => "method:oidc",
            Factor::Passkey => "method:passkey",
        }
    }
}

/// What a user presents to log in.
pub enum Credentials<'a> {
    /// Web login: password and the authenticator app's code.
    PasswordTotp {
        /// The password.
        password: &'a SecretString,
        /// The six digits.
        code: &'a str,
    },
    /// Web login: password and the code received by e-mail.
    PasswordEmailCode {
        /// The password.
        password: &'a SecretString,
        /// The six digits.
        code: &'a str,
    },
    /// A mail client's device credential (`cdv-…`), typed as its password.
    Device {
        /// The credential.
        credential: &'a SecretString,
    },
}

/// Proof that an account authenticated; only this module makes one, so a use case
/// that takes it cannot be reached without a login.
#[derive(Clone, Debug)]
pub struct Authenticated {
    account: Account,
    factor: Factor,
    source: String,
}

impl Authenticated {
    /// The account logged in.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// How.
    pub fn factor(&self) -> Factor {
        self.factor
    }

    /// The caller to act as: this account, from the login's source.
    pub fn caller(&self) -> Caller {
        Caller::account(self.account.id, self.source.clone())
    }

    /// Where the login came from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// A login resumed from a web session: `factor` is the code it was proven
    /// with (strong factors only; `None` for anything else).
    pub(crate) fn resumed(account: Account, factor: &str, source: &str) -> Option<Self> {
        let factor = [
            Factor::PasswordTotp,
            Factor::PasswordEmailCode,
            Factor::Certificate,
            Factor::Federated,
            Factor::Passkey,
        ]
        .into_iter()
        .find(|f| f.as_str() == factor)?;
        Some(Authenticated {
            account,
            factor,
            source: source.to_owned(),
        })
    }

    /// Whether the login was strong (two factors or a certificate): device
    /// credentials are issued only after one (AU-2).
    pub fn is_strong(&self) -> bool {
        !matches!(self.factor, Factor::Device(_))
    }
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

/// The source's address without its port: attempts from new connections count
/// together.
fn source_host(source: &str) -> &str {
    let host = source
        .rsplit_once(':')
        .filter(|(host, port)| port.bytes().all(|b| b.is_ascii_digit()) && !host.is_empty())
        .map_or(source, |(host, _)| host);
    host.trim_start_matches('[').trim_end_matches(']')
}

/// One subject an attempt counts against (AU-3): its key in the failure counts, and
/// the same as a trace object (TR-5).
struct GateSubject {
    key: String,
    object: Object,
    policy: LockoutPolicy,
}

/// The subjects an attempt counts against: its source address, and the account when
/// the address names one, each with its policy (AU-3).
fn gate_subjects(account: Option<AccountId>, source: &str) -> Vec<GateSubject> {
    let host = source_host(source);
    let mut subjects = vec![GateSubject {
        key: format!("ip:{host}"),
        // The web's sources read `https:<address>`; anything that is not an address
        // is counted but not written (TR-5).
        object: Object::of(
            host.trim_start_matches("https:")
                .parse()
                .map_or(Id::Marker(Marker::UnreadableSubject), Id::Ip),
        ),
        policy: LockoutPolicy::SOURCE,
    }];
    if let Some(id) = account {
        subjects.push(GateSubject {
            key: id.to_string(),
            object: Object::of(id),
            policy: LockoutPolicy::ACCOUNT,
        });
    }
    subjects
}

fn totp_for(secret: &[u8], label: &str, issuer: &str) -> Result<TOTP> {
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        TOTP_PERIOD,
        secret.to_vec(),
        Some(issuer.to_owned()),
        label.to_owned(),
    )
    .map_err(|e| ServiceError::Invalid(format!("TOTP secret: {e}")))
}

/// Why a credential check failed, for the trace only (never told to the client).
/// A protocol mail clients connect with (AU-3).
pub use caduceus_audit::Protocol;

pub(crate) enum Miss {
    NoSuchAccount,
    Inactive,
    WrongSecret,
    WrongCode,
    Expired,
    Revoked,
    /// A revoked passkey (AU-1, MS-18).
    RevokedPasskey,
    NoFactor,
    WrongKind,
    BadToken,
    /// A user name that is not an address (SASL).
    Malformed,
    /// An authorization identity other than the account's own address (SASL).
    ForeignAuthzid,
}

impl Miss {
    fn reason(&self) -> Reason {
        match self {
            Miss::NoSuchAccount => Reason::UnknownAccount,
            Miss::Inactive => Reason::Inactive,
            Miss::WrongSecret => Reason::WrongSecret,
            Miss::WrongCode => Reason::WrongCode,
            Miss::Expired => Reason::ExpiredCode,
            Miss::Revoked => Reason::RevokedDevice,
            Miss::RevokedPasskey => Reason::RevokedPasskey,
            Miss::NoFactor => Reason::NoSecondFactor,
            Miss::WrongKind => Reason::KindHasNoLogin,
            Miss::BadToken => Reason::TokenRefused,
            Miss::Malformed => Reason::MalformedUser,
            Miss::ForeignAuthzid => Reason::ForeignAuthzid,
        }
    }
}

impl Service {
    fn auth_event(
        &self,
        actor: Who,
        action: Action,
        object: Object,
        source: &str,
        outcome: Outcome,
        detail: Detail,
    ) -> Event {
        let mut event = Event::new(self.now_ms(), actor, action, object);
        event.source = Some(source.to_owned());
        event.outcome = outcome;
        event.detail = Some(detail);
        event
    }

    /// Traces and alerts a subject's lockout (AU-3, TR-3).
    async fn raise_lockout(
        &self,
        actor: &Who,
        subject: &GateSubject,
        source: &str,
        now: caduceus_core::Timestamp,
    ) -> Result<()> {
        let policy = subject.policy;
        let trace = self.auth_event(
            actor.clone(),
            Action::AuthLockout,
            subject.object.clone(),
            source,
            Outcome::Failure,
            Detail::of(Fact::Count(Counter::Failures, u64::from(policy.lock_after))),
        );
        let detail = format!(
            "failures:{} minutes:{}",
            policy.lock_after,
            policy.lock_for.as_secs() / 60
        );
        Ok(self
            .store
            .raise_alert(now, "auth.lockout", &subject.key, &detail, &trace)
            .await?)
    }

    /// Counts and traces a failed attempt, and returns the delay owed before
    /// answering (AU-3).
    pub(crate) async fn fail(
        &self,
        account: Option<AccountId>,
        source: &str,
        miss: Miss,
    ) -> ServiceError {
        crate::metrics::login("failure");
        match self.record_failure(account, source, miss).await {
            Ok(delay) => ServiceError::AuthFailed { delay },
            Err(error) => error,
        }
    }

    async fn record_failure(
        &self,
        account: Option<AccountId>,
        source: &str,
        miss: Miss,
    ) -> Result<Duration> {
        let actor = account.map_or(Who::System, Who::from);
        let delay = self.count_failure(account, source, &actor).await?;
        let object = account.map_or(Object::of(Marker::UnknownLogin), Object::of);
        let event = self.auth_event(
            actor,
            Action::AuthFailure,
            object,
            source,
            Outcome::Failure,
            Detail::of(miss.reason()),
        );
        self.store.append_traces(&[event]).await?;
        Ok(delay)
    }

    /// Records a successful login: the account's failures (`failures`, as the gate
    /// read them) are forgiven, the success traced.
    async fn succeed(
        &self,
        account: Account,
        factor: Factor,
        source: &str,
        failures: FailureState,
    ) -> Result<Authenticated> {
        crate::metrics::login("success");
        if failures != FailureState::default() {
            self.store
                .set_failure_state(&account.id.to_string(), &FailureState::default())
                .await?;
        }
        let object = match factor {
            Factor::Device(device) => Object::of(account.id).and(device),
            _ => Object::of(account.id),
        };
        let event = self.auth_event(
            Who::from(account.id),
            Action::AuthSuccess,
            object,
            source,
            Outcome::Success,
            Detail::of(factor.method()),
        );
        self.store.append_traces(&[event]).await?;
        self.store
            .touch_activity(account.id, self.clock.now())
            .await?;
        Ok(Authenticated {
            account,
            factor,
            source: source.to_owned(),
        })
    }

    /// Traces a mail client's connection to `protocol` from `source` opening
    /// (`opened`) or closing (AU-3: every connection and disconnection), before or
    /// whatever its login.
    pub async fn trace_connection(
        &self,
        protocol: Protocol,
        source: &str,
        opened: bool,
    ) -> Result<()> {
        let event = self.auth_event(
            Who::System,
            if opened {
                Action::ConnectionOpen
            } else {
                Action::ConnectionClose
            },
            Object::of(protocol),
            source,
            Outcome::Success,
            Detail::of(Requirement::Au3),
        );
        Ok(self.store.append_traces(&[event]).await?)
    }

    /// Whether a login made earlier still holds (AU-2, ID-2): its account still active,
    /// its device credential (if that is how it was made) not revoked. A long-lived
    /// session (IMAP, SMTP) asks before acting, so a revocation or a suspension ends
    /// the sessions already open; the end is traced (`session.close`, refused). An
    /// account closed and deleted (RT-2) holds no more than a suspended one.
    pub async fn still_valid(&self, login: &Authenticated) -> Result<()> {
        let active = match self.store.account(login.account.id).await {
            Ok(account) => account.state == caduceus_core::AccountState::Active,
            Err(caduceus_store::StoreError::NotFound { .. }) => false,
            Err(e) => return Err(e.into()),
        };
        let device_revoked = match login.factor {
            Factor::Device(id) => self
                .store
                .device_secret(id)
                .await?
                .is_none_or(|d| d.device.revoked.is_some()),
            _ => false,
        };
        let (reason, requirement, why) = if !active {
            (
                Reason::AccountInactive,
                Requirement::Id2,
                "this account is no longer active",
            )
        } else if device_revoked {
            (
                Reason::DeviceRevoked,
                Requirement::Au2,
                "this device credential was revoked: log in again with a valid one",
            )
        } else {
            return Ok(());
        };
        let event = self.auth_event(
            Who::from(login.account.id),
            Action::SessionClose,
            Object::of(login.account.id),
            &login.source,
            Outcome::Refused,
            Detail::of(reason),
        );
        self.store.append_traces(&[event]).await?;
        Err(ServiceError::Denied {
            requirement,
            reason: why.into(),
        })
    }

    /// Traces the end of a logged-in session (AU-3): a mail client disconnecting, a
    /// web logout.
    pub async fn logout(&self, login: &Authenticated) -> Result<()> {
        let event = self.auth_event(
            Who::from(login.account.id),
            Action::SessionClose,
            Object::of(login.account.id),
            &login.source,
            Outcome::Success,
            Detail::of(login.factor.method()),
        );
        Ok(self.store.append_traces(&[event]).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::gate_subjects;
    use caduceus_store::AccountId;

    /// The failure counts' keys and the trace objects of an attempt's subjects.
    fn subjects(account: Option<AccountId>, source: &str) -> Vec<(String, String)> {
        gate_subjects(account, source)
            .into_iter()
            .map(|s| (s.key, s.object.to_string()))
            .collect()
    }

    #[test]
    fn au3_sources_count_without_their_port() {
        let ip = |text: &str| (text.to_owned(), text.to_owned());
        assert_eq!(subjects(None, "192.0.2.7:51234"), [ip("ip:192.0.2.7")]);
        assert_eq!(subjects(None, "[2001:db8::1]:443"), [ip("ip:2001:db8::1")]);
        assert_eq!(
            subjects(Some(AccountId(4)), "192.0.2.7:1"),
            [ip("ip:192.0.2.7"), ip("acct:4")]
        );
    }

    /// A source that is not an address is counted, but not written as one (TR-5).
    #[test]
    fn tr5_a_source_that_is_no_address_is_not_traced_as_one() {
        assert_eq!(
            subjects(None, "cli"),
            [("ip:cli".to_owned(), "subject:unreadable".to_owned())]
        );
        assert_eq!(
            subjects(None, "https:192.0.2.7:443"),
            [("ip:https:192.0.2.7".to_owned(), "ip:192.0.2.7".to_owned())]
        );
    }
}
