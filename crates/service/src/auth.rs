//! Logins (AU-1, AU-2, AU-3): password + TOTP, password + emailed code, client
//! certificate, device credential; enrollment of second factors and devices.
//!
//! Every attempt passes the brute-force gate for the account and for the source
//! address first, and is traced whatever its outcome. A failed attempt says nothing
//! about why (unknown address, wrong password, wrong code all read the same), so the
//! answer cannot be used to find accounts.

use caduceus_core::Requirement;
use std::time::Duration;

use caduceus_audit::{
    Action, Channel, Counter, Detail, Event, Fact, Id, Marker, Method, Object, Outcome, Reason, Who,
};
use caduceus_core::{
    AccountKind, DeviceCredential, FailureState, Gate, LockoutPolicy, MailAddress, NationalId,
    RegistryId, SecretString, Timestamp, login_code_from, normalize_code,
};
use caduceus_store::{Account, AccountId, Device, DeviceId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, TOTP};

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::error::{Result, ServiceError};
use crate::notify::Notice;

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

/// Where a user's notices go (AU-1 login codes, MS-7 new-mail notices, RT-1
/// inactivity warnings).
#[derive(Clone, Debug)]
pub struct Contacts {
    /// The ordinary e-mail address, if set.
    pub email: Option<MailAddress>,
    /// The phone number for SMS, if set.
    pub phone: Option<caduceus_core::PhoneNumber>,
    /// Whether new-mail notices are on.
    pub new_mail: bool,
}

/// A TOTP enrollment to hand to the user: the secret and an `otpauth://` URI for a
/// QR code. Its `Debug` hides both.
pub struct TotpEnrollment {
    /// Base32 secret, for typing into an app.
    pub secret_base32: SecretString,
    /// The `otpauth://totp/…` URI.
    pub uri: SecretString,
}

impl std::fmt::Debug for TotpEnrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpEnrollment { <redacted> }")
    }
}

/// A freshly issued device credential: shown to the user once, never stored. Its
/// `Debug` shows the device, not the credential.
pub struct IssuedDevice {
    /// The device row.
    pub device: Device,
    /// The credential to type into the mail client as its password.
    pub credential: SecretString,
}

impl std::fmt::Debug for IssuedDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedDevice")
            .field("device", &self.device)
            .finish_non_exhaustive()
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

    /// Refuses the attempt if the account or the source is delayed or locked (AU-3);
    /// otherwise counts it as a failure **before** the credential is checked, in one
    /// locked read-and-write per subject, so parallel attempts cannot all slip through
    /// on the same count: a success gives it back ([`Self::succeed`]). Locks and
    /// alerts when the count reaches the threshold (TR-3). Returns the account's
    /// failure state as counted.
    pub(crate) async fn pass_gate(
        &self,
        account: Option<AccountId>,
        source: &str,
    ) -> Result<FailureState> {
        let now = self.clock.now();
        let actor = account.map_or(Who::System, Who::from);
        let account_subject = account.map(|id| id.to_string());
        let mut account_state = FailureState::default();
        for subject in gate_subjects(account, source) {
            let policy = subject.policy;
            let admit = move |state: FailureState| match policy.gate(state, now) {
                Gate::Open => policy.after_failure(state, now).state,
                Gate::Wait { .. } | Gate::Locked { .. } => state,
            };
            let (before, after) = self
                .store
                .update_failure_state(&subject.key, &admit)
                .await?;
            if account_subject.as_ref() == Some(&subject.key) {
                account_state = after;
            }
            let (until, locked) = match policy.gate(before, now) {
                Gate::Open => {
                    if policy.after_failure(before, now).locked_now {
                        self.raise_lockout(&actor, &subject, source, now).await?;
                    }
                    continue;
                }
                Gate::Wait { until } => (until, false),
                Gate::Locked { until } => (until, true),
            };
            crate::metrics::login(if locked { "locked" } else { "throttled" });
            let reason = if locked {
                Reason::Locked
            } else {
                Reason::Throttled
            };
            let event = self.auth_event(
                actor,
                Action::AuthFailure,
                subject.object,
                source,
                Outcome::Refused,
                Detail::of(reason),
            );
            self.store.append_traces(&[event]).await?;
            return Err(if locked {
                ServiceError::Locked { until }
            } else {
                ServiceError::Throttled { until }
            });
        }
        Ok(account_state)
    }

    /// Gives back the attempt [`Self::pass_gate`] counted against the source (and the
    /// account, if named) once the credential proved right.
    async fn give_back(&self, account: Option<AccountId>, source: &str) -> Result<()> {
        let give_back = |state: FailureState| FailureState {
            failures: state.failures.saturating_sub(1),
            ..state
        };
        for subject in gate_subjects(account, source) {
            self.store
                .update_failure_state(&subject.key, &give_back)
                .await?;
        }
        Ok(())
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

    /// Traces a failed attempt (already counted at the gate) and returns the delay
    /// owed before answering (AU-3).
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
        let mut delay = Duration::ZERO;
        for subject in gate_subjects(account, source) {
            let state = self.store.failure_state(&subject.key).await?;
            delay = delay.max(subject.policy.delay(state.failures));
        }
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
    /// counted them) are forgiven, the attempt counted against the source given back,
    /// the success traced.
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
        self.give_back(None, source).await?;
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

    /// Looks the address up once, passes the gate (AU-3) and returns the active
    /// account with its failure state; anything else is a counted, traced miss.
    async fn login_account(
        &self,
        address: &MailAddress,
        source: &str,
    ) -> Result<(Account, FailureState)> {
        let found = self.store.account_by_address(address).await?;
        let failures = self.pass_gate(found.as_ref().map(|a| a.id), source).await?;
        match found {
            Some(account) if account.state == caduceus_core::AccountState::Active => {
                Ok((account, failures))
            }
            Some(account) => Err(self.fail(Some(account.id), source, Miss::Inactive).await),
            None => Err(self.fail(None, source, Miss::NoSuchAccount).await),
        }
    }

    /// Logs in with an address and credentials (AU-1 on the web, AU-2 for mail
    /// clients). Failures are counted, delayed and locked (AU-3) and traced.
    pub async fn login(
        &self,
        address: &MailAddress,
        credentials: Credentials<'_>,
        source: &str,
    ) -> Result<Authenticated> {
        let (account, failures) = self.login_account(address, source).await?;
        // Organisational mailboxes are opened by their delegates, each under their own
        // login (ID-3: no shared accounts); automatons log in with a certificate only.
        if !matches!(
            account.kind,
            AccountKind::Professional | AccountKind::Patient
        ) {
            return Err(self.fail(Some(account.id), source, Miss::WrongKind).await);
        }
        let checked = match credentials {
            Credentials::PasswordTotp { password, code } => {
                self.check_password_totp(&account, password, code).await?
            }
            Credentials::PasswordEmailCode { password, code } => {
                self.check_password_email_code(&account, password, code)
                    .await?
            }
            Credentials::Device { credential } => self.check_device(&account, credential).await?,
        };
        match checked {
            Ok(factor) => self.succeed(account, factor, source, failures).await,
            Err(miss) => Err(self.fail(Some(account.id), source, miss).await),
        }
    }

    async fn check_password_totp(
        &self,
        account: &Account,
        password: &SecretString,
        code: &str,
    ) -> Result<std::result::Result<Factor, Miss>> {
        if !self.password_matches(account.id, password).await? {
            return Ok(Err(Miss::WrongSecret));
        }
        let Some(state) = self.store.totp(account.id).await? else {
            return Ok(Err(Miss::NoFactor));
        };
        let Some(code) = normalize_code(code) else {
            return Ok(Err(Miss::WrongCode));
        };
        let totp = totp_for(state.secret.expose(), account.address.as_str(), "Caduceus")?;
        let now_secs = u64::try_from(self.clock.now().as_millis() / 1000).unwrap_or(0);
        let current = now_secs / TOTP_PERIOD;
        for step in [current, current.saturating_sub(1), current + 1] {
            if totp.generate(step * TOTP_PERIOD) == code {
                // A code is accepted once: a replayed (or older) step is refused.
                let fresh = self.store.use_totp_step(account.id, step as i64).await?;
                return Ok(if fresh {
                    Ok(Factor::PasswordTotp)
                } else {
                    Err(Miss::WrongCode)
                });
            }
        }
        Ok(Err(Miss::WrongCode))
    }

    async fn check_password_email_code(
        &self,
        account: &Account,
        password: &SecretString,
        code: &str,
    ) -> Result<std::result::Result<Factor, Miss>> {
        if !self.password_matches(account.id, password).await? {
            return Ok(Err(Miss::WrongSecret));
        }
        let Some(pending) = self.store.login_code(account.id).await? else {
            return Ok(Err(Miss::NoFactor));
        };
        if pending.expires <= self.clock.now() || pending.attempts >= CODE_ATTEMPTS {
            self.store.delete_login_code(account.id).await?;
            return Ok(Err(Miss::Expired));
        }
        match normalize_code(code) {
            Some(code) if sha256(code.as_bytes()) == pending.code_hash => {
                self.store.delete_login_code(account.id).await?;
                Ok(Ok(Factor::PasswordEmailCode))
            }
            _ => {
                self.store.login_code_attempt(account.id).await?;
                Ok(Err(Miss::WrongCode))
            }
        }
    }

    async fn check_device(
        &self,
        account: &Account,
        credential: &SecretString,
    ) -> Result<std::result::Result<Factor, Miss>> {
        let Some(parsed) = DeviceCredential::parse(credential.expose()) else {
            return Ok(Err(Miss::WrongSecret));
        };
        let Some(stored) = self.store.device_secret(DeviceId(parsed.device)).await? else {
            return Ok(Err(Miss::WrongSecret));
        };
        if stored.device.account != account.id
            || stored.secret_hash != sha256(parsed.secret.as_bytes())
        {
            return Ok(Err(Miss::WrongSecret));
        }
        if stored.device.revoked.is_some() {
            return Ok(Err(Miss::Revoked));
        }
        self.store
            .touch_device(stored.device.id, self.clock.now())
            .await?;
        Ok(Ok(Factor::Device(stored.device.id)))
    }

    /// Logs in with a client certificate whose subject carries `national_id`; the
    /// TLS layer has already checked its chain to the trust anchors and revocation
    /// (AU-1). When the client names an account (`authzid`), it must be its own.
    pub async fn login_certificate(
        &self,
        national_id: &NationalId,
        authzid: Option<&MailAddress>,
        source: &str,
    ) -> Result<Authenticated> {
        self.login_by_identity(national_id, authzid, source, Factor::Certificate)
            .await
    }

    /// Logs in with the national identifier an OpenID Connect provider asserted (AU-4);
    /// the caller has verified the token (issuer, audience, expiry, signature).
    pub async fn login_federated(
        &self,
        national_id: &NationalId,
        authzid: Option<&MailAddress>,
        source: &str,
    ) -> Result<Authenticated> {
        self.login_by_identity(national_id, authzid, source, Factor::Federated)
            .await
    }

    /// The personal (or automaton's) account registered under `national_id`, logged
    /// in with `factor` if active and matching `authzid`.
    async fn login_by_identity(
        &self,
        national_id: &NationalId,
        authzid: Option<&MailAddress>,
        source: &str,
        factor: Factor,
    ) -> Result<Authenticated> {
        self.pass_gate(None, source).await?;
        self.login_identity_gated(national_id, authzid, source, factor)
            .await
    }

    /// [`Self::login_by_identity`] for a caller that has already passed the gate.
    pub(crate) async fn login_identity_gated(
        &self,
        national_id: &NationalId,
        authzid: Option<&MailAddress>,
        source: &str,
        factor: Factor,
    ) -> Result<Authenticated> {
        let accounts = self
            .store
            .accounts_by_identity(&RegistryId::National(national_id.clone()))
            .await?;
        let personal = accounts.into_iter().find(|a| match factor {
            Factor::Certificate => {
                matches!(a.kind, AccountKind::Professional | AccountKind::Applicative)
            }
            _ => a.kind == AccountKind::Professional,
        });
        let Some(account) = personal else {
            return Err(self.fail(None, source, Miss::NoSuchAccount).await);
        };
        if authzid.is_some_and(|wanted| wanted != &account.address) {
            return Err(self.fail(Some(account.id), source, Miss::WrongSecret).await);
        }
        if account.state != caduceus_core::AccountState::Active {
            return Err(self.fail(Some(account.id), source, Miss::Inactive).await);
        }
        let failures = self.store.failure_state(&account.id.to_string()).await?;
        self.succeed(account, factor, source, failures).await
    }

    /// Checks the password and sends a one-time code to the account's out-of-band
    /// address (AU-1's alternative second factor). A wrong password counts as a
    /// failure; the reply never says whether the address exists.
    pub async fn send_login_code(
        &self,
        address: &MailAddress,
        password: &SecretString,
        source: &str,
    ) -> Result<()> {
        let (account, _) = self.login_account(address, source).await?;
        if !self.password_matches(account.id, password).await? {
            return Err(self.fail(Some(account.id), source, Miss::WrongSecret).await);
        }
        // The right password is not a failed attempt: the code's check counts next.
        self.give_back(Some(account.id), source).await?;
        let Some(to) = self.store.contact_email(account.id).await? else {
            return Err(self.fail(Some(account.id), source, Miss::NoFactor).await);
        };
        let mut random = [0u8; 4];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let code = login_code_from(random);
        let expires = Timestamp::from_millis(self.now_ms() + CODE_VALIDITY.as_millis() as i64);
        self.store
            .put_login_code(account.id, &sha256(code.as_bytes()), expires)
            .await?;
        self.notifier
            .send(Notice::LoginCode {
                to,
                code: SecretString::new(code),
                valid_minutes: (CODE_VALIDITY.as_secs() / 60) as u32,
            })
            .await
            .map_err(|reason| {
                ServiceError::Unavailable(format!("sending the login code: {reason}"))
            })?;
        let event = self.auth_event(
            Who::from(account.id),
            Action::LoginCodeSent,
            Object::of(account.id),
            source,
            Outcome::Success,
            Detail::of(Method::Email),
        );
        self.store.append_traces(&[event]).await?;
        Ok(())
    }

    /// Enrolls (or replaces) the TOTP second factor of `account` (AU-1): by a
    /// registration authority handing it over, or by the user after a strong login.
    pub async fn enroll_totp(&self, caller: &Caller, account: AccountId) -> Result<TotpEnrollment> {
        if caller.actor != Actor::Account(account) {
            self.require_operator(caller).await?;
        }
        let target = self.store.account(account).await?;
        let mut secret = vec![0u8; TOTP_SECRET_LEN];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let issuer = format!("Caduceus {}", self.config.domain.as_str());
        let totp = totp_for(&secret, target.address.as_str(), &issuer)?;
        let trace = caller.event(self.now_ms(), Action::TotpSet, Object::of(account));
        self.store.set_totp(account, Some(&secret), &trace).await?;
        Ok(TotpEnrollment {
            secret_base32: SecretString::new(totp.get_secret_base32()),
            uri: SecretString::new(totp.get_url()),
        })
    }

    /// Sets the out-of-band address login codes and notices are sent to (the user, or
    /// who manages accounts: the operator, a registration authority recording it
    /// before activation). It must lie outside the trust space, and an active account
    /// keeps one: it is replaced, not removed (ID-2, 004 §7.1).
    pub async fn set_contact_email(
        &self,
        caller: &Caller,
        account: AccountId,
        email: Option<&MailAddress>,
    ) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_duty(caller, caduceus_core::Duty::ManageAccounts)
                .await?;
        }
        self.check_contact_change(account, email).await?;
        let trace = caller.event(self.now_ms(), Action::ContactSet, Object::of(account));
        Ok(self.store.set_contact_email(account, email, &trace).await?)
    }

    /// Where `account`'s notices go and whether new-mail notices are on: its owner,
    /// or the operator (AU-1, MS-7, RT-1).
    pub async fn contacts(&self, caller: &Caller, account: AccountId) -> Result<Contacts> {
        if caller.actor != Actor::Account(account) {
            self.require_operator(caller).await?;
        }
        Ok(Contacts {
            email: self.store.contact_email(account).await?,
            phone: self.store.contact_phone(account).await?,
            new_mail: self.store.new_mail_notice(account).await?,
        })
    }

    /// Sets all of where `account`'s notices go (its owner, or the operator): each
    /// part traced as its own setter does. All or nothing (AC-1, MS-7): a staff
    /// member who may set a contact address but not the rest changes none of it.
    pub async fn set_contacts(
        &self,
        caller: &Caller,
        account: AccountId,
        contacts: &Contacts,
    ) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_operator(caller).await?;
        }
        self.set_contact_email(caller, account, contacts.email.as_ref())
            .await?;
        self.set_contact_phone(caller, account, contacts.phone.as_ref())
            .await?;
        self.set_new_mail_notice(caller, account, contacts.new_mail)
            .await
    }

    /// Sets (or removes) the phone number where `account`'s SMS notices go (RT-1's
    /// second channel): the account itself, or the operator. Traced, without the number.
    pub async fn set_contact_phone(
        &self,
        caller: &Caller,
        account: AccountId,
        phone: Option<&caduceus_core::PhoneNumber>,
    ) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_operator(caller).await?;
        }
        let mut trace = caller.event(self.now_ms(), Action::ContactSet, Object::of(account));
        trace.detail = Some(Detail::of(Requirement::Rt1).and(Channel::Sms));
        Ok(self.store.set_contact_phone(account, phone, &trace).await?)
    }

    /// Issues a device credential for a mail client (AU-2), only after a strong login
    /// of the account itself. The credential is returned once and only its hash kept.
    pub async fn add_device(&self, login: &Authenticated, name: &str) -> Result<IssuedDevice> {
        if !login.is_strong() {
            return Err(ServiceError::Denied {
                requirement: Requirement::Au2,
                reason: "a device credential is issued only after a strong login (password and code, or certificate)".into(),
            });
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
            return Err(ServiceError::Invalid(
                "a device name is 1 to 80 printable characters".into(),
            ));
        }
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let secret = DeviceCredential::secret_from(&random);
        let account = login.account.id;
        let trace = login
            .caller()
            .event(self.now_ms(), Action::DeviceAdd, Object::of(account));
        let device = self
            .store
            .create_device(
                account,
                name,
                &sha256(secret.as_bytes()),
                self.clock.now(),
                &trace,
            )
            .await?;
        let credential = SecretString::new(DeviceCredential::format(device.id.0, &secret));
        Ok(IssuedDevice { device, credential })
    }

    /// The devices of an account, for its owner or an operator.
    pub async fn devices(&self, caller: &Caller, account: AccountId) -> Result<Vec<Device>> {
        if caller.actor != Actor::Account(account) {
            self.require_operator(caller).await?;
        }
        Ok(self.store.devices(account).await?)
    }

    /// Revokes a device (AU-2): its credential stops working at once. Only its owner
    /// or the operator may (AC-1); a refusal, or another's device named, is traced.
    pub async fn revoke_device(
        &self,
        caller: &Caller,
        account: AccountId,
        device: DeviceId,
    ) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_operator(caller).await?;
        }
        let trace = caller.event(
            self.now_ms(),
            Action::DeviceRevoke,
            Object::of(account).and(device),
        );
        match self
            .store
            .revoke_device(account, device, self.clock.now(), &trace)
            .await
        {
            // Another account's device reads like no device at all, but the attempt on
            // it is traced (AC-1, TR-1).
            Err(caduceus_store::StoreError::NotFound { .. }) => {
                let others = self.store.device_secret(device).await?;
                if others.is_some_and(|d| d.device.account != account) {
                    self.trace_denied(caller, Object::of(device), Requirement::Ac1)
                        .await?;
                }
                Err(ServiceError::NotFound(format!("device {device}")))
            }
            other => Ok(other?),
        }
    }

    /// Security alerts raised so far (TR-3), for operators; the reading traced (TR-1).
    pub async fn alerts(&self, caller: &Caller) -> Result<Vec<caduceus_store::Alert>> {
        self.require_duty(caller, caduceus_core::Duty::SeeAlerts)
            .await?;
        let object = Object::of(Marker::AlertRead);
        self.trace_rule(
            caller,
            Action::AdminAction,
            object,
            Requirement::Tr3,
            Outcome::Success,
        )
        .await?;
        Ok(self.store.alerts().await?)
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
