//! The logins themselves (AU-1, AU-2, AU-4): password + TOTP, password + emailed code,
//! device credential, client certificate, federated identity, each behind the gate of
//! the parent module, and the emailed login code.

use caduceus_audit::{Action, Detail, Method, Object, Outcome, Reason, Who};
use caduceus_core::Requirement;
use caduceus_core::{
    AccountKind, DeviceCredential, MailAddress, NationalId, OneTimeCode, RegistryId, SecretString,
    Timestamp,
};
use caduceus_store::{Account, DeviceId};
use rand::RngCore;

use crate::Service;
use crate::error::{Result, ServiceError};

use super::gate::Attempt;
use super::{
    Authenticated, CODE_ATTEMPTS, CODE_VALIDITY, Credentials, Factor, Miss, TOTP_PERIOD, sha256,
    totp_for,
};
use crate::notify::Notice;

impl Service {
    /// Looks the address up once, passes the gate (AU-3) and returns the active
    /// account with the attempt, held until its credential is checked; anything else
    /// is a counted, traced miss.
    pub(super) async fn login_account(
        &self,
        address: &MailAddress,
        source: &str,
    ) -> Result<(Account, Attempt)> {
        let found = self.store.account_by_address(address).await?;
        let attempt = self.pass_gate(found.as_ref().map(|a| a.id), source).await?;
        match found {
            Some(account) if account.state == caduceus_core::AccountState::Active => {
                Ok((account, attempt))
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
        let (account, attempt) = self.login_account(address, source).await?;
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
            Ok(factor) => {
                self.check_card(&account, factor, source).await?;
                self.succeed(account, factor, source, attempt.failures)
                    .await
            }
            Err(miss) => Err(self.fail(Some(account.id), source, miss).await),
        }
    }

    /// AU-5: with the rule on, a health professional who proved a password and a code
    /// is refused and told to use their card — traced, not counted as a failure (the
    /// credentials were right). A certificate, an e-CPS, a passkey (user verified on
    /// the device) or a device credential (issued after a card login) passes.
    pub(super) async fn check_card(
        &self,
        account: &Account,
        factor: Factor,
        source: &str,
    ) -> Result<()> {
        let Some(rule) = &self.config.card_only else {
            return Ok(());
        };
        let card = !matches!(factor, Factor::PasswordTotp | Factor::PasswordEmailCode);
        let entry = self.store.directory_entry(account.address.as_str()).await?;
        let profession = entry.and_then(|e| e.profession_code);
        let registry = match &account.identity {
            RegistryId::National(id) => Some(id.registry()),
            RegistryId::Patient(_) => None,
        };
        let Err(refusal) = rule.check(profession.as_deref(), registry, card) else {
            return Ok(());
        };
        let event = self.auth_event(
            Who::from(account.id),
            Action::AuthFailure,
            Object::of(account.id),
            source,
            Outcome::Refused,
            Detail::of(Requirement::Au5).and(Reason::CardRequired),
        );
        self.store.append_traces(&[event]).await?;
        crate::metrics::login("card_required");
        Err(ServiceError::Refused(refusal))
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
        let Some(code) = OneTimeCode::parse(code) else {
            return Ok(Err(Miss::WrongCode));
        };
        let totp = totp_for(state.secret.expose(), account.address.as_str(), "Caduceus")?;
        let now_secs = u64::try_from(self.clock.now().as_millis() / 1000).unwrap_or(0);
        let current = now_secs / TOTP_PERIOD;
        for step in [current, current.saturating_sub(1), current + 1] {
            if totp.generate(step * TOTP_PERIOD) == code.expose() {
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
        // The store checks the typed code against its keyed hash (AU-1, MS-4).
        let matches = match OneTimeCode::parse(code) {
            Some(code) => self.store.login_code_matches(account.id, &code).await?,
            None => false,
        };
        if matches {
            self.store.delete_login_code(account.id).await?;
            Ok(Ok(Factor::PasswordEmailCode))
        } else {
            self.store.login_code_attempt(account.id).await?;
            Ok(Err(Miss::WrongCode))
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
        let _attempt = self.pass_gate(None, source).await?;
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
        self.send_login_code_by(address, password, source, CodeChannel::Email)
            .await
    }

    /// [`Service::send_login_code`] through `channel`: the out-of-band address, or by
    /// SMS to the phone number the holder gave (AU-1, seed 004 §6.2), through the
    /// operator's SMS gateway hook. The code is never logged nor traced.
    pub async fn send_login_code_by(
        &self,
        address: &MailAddress,
        password: &SecretString,
        source: &str,
        channel: CodeChannel,
    ) -> Result<()> {
        let (account, _) = self.login_account(address, source).await?;
        if !self.password_matches(account.id, password).await? {
            return Err(self.fail(Some(account.id), source, Miss::WrongSecret).await);
        }
        let to = match channel {
            CodeChannel::Email => self
                .store
                .contact_email(account.id)
                .await?
                .map(Reach::Email),
            CodeChannel::Sms => self
                .store
                .contact_phone(account.id)
                .await?
                .map(Reach::Phone),
        };
        let Some(to) = to else {
            return Err(self.fail(Some(account.id), source, Miss::NoFactor).await);
        };
        let mut random = [0u8; 4];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let code = OneTimeCode::from_random(random);
        let expires = Timestamp::from_millis(self.now_ms() + CODE_VALIDITY.as_millis() as i64);
        self.store
            .put_login_code(account.id, &code, expires)
            .await?;
        let (code, valid_minutes) = (code.into_secret(), (CODE_VALIDITY.as_secs() / 60) as u32);
        let (notice, method) = match to {
            Reach::Email(to) => (
                Notice::LoginCode {
                    to,
                    code,
                    valid_minutes,
                },
                Method::Email,
            ),
            Reach::Phone(to) => (
                Notice::LoginCodeSms {
                    to,
                    code,
                    valid_minutes,
                },
                Method::Sms,
            ),
        };
        self.notifier.send(notice).await.map_err(|reason| {
            ServiceError::Unavailable(format!("sending the login code: {reason}"))
        })?;
        let event = self.auth_event(
            Who::from(account.id),
            Action::LoginCodeSent,
            Object::of(account.id),
            source,
            Outcome::Success,
            Detail::of(method),
        );
        self.store.append_traces(&[event]).await?;
        Ok(())
    }
}

/// Where a one-time login code is sent (AU-1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeChannel {
    /// The holder's out-of-band e-mail address.
    Email,
    /// The holder's mobile phone, by SMS through the operator's gateway hook (seed 004
    /// §6.2).
    Sms,
}

/// Where the code goes: the address or the phone number the holder gave.
enum Reach {
    Email(MailAddress),
    Phone(caduceus_core::PhoneNumber),
}
