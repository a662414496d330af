//! What a user holds besides a password (AU-1, AU-2, ID-2): the TOTP second factor,
//! the out-of-band contact address and phone, the device credentials of mail clients.

use caduceus_core::Requirement;

use caduceus_audit::{Action, Channel, Detail, Object};
use caduceus_core::{DeviceCredential, MailAddress, SecretString};
use caduceus_store::{AccountId, Device, DeviceId};
use rand::RngCore;

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::error::{Result, ServiceError};

use super::{Authenticated, TOTP_SECRET_LEN, sha256, totp_for};

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

impl Service {
    /// Enrolls (or replaces) the TOTP second factor of `account` (AU-1): by a
    /// registration authority handing it over, or by the user after a strong login.
    pub async fn enroll_totp(&self, caller: &Caller, account: AccountId) -> Result<TotpEnrollment> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
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
    /// keeps one: it is replaced, not removed (ID-2, 004 §7.1). Given by the account's
    /// own user, a new address waits for the code sent to it and the old one stays in
    /// use until then (AU-1, MS-7: [`Service::confirm_contact`]); who manages accounts
    /// verified it in person and sets it directly (ID-2).
    pub async fn set_contact_email(
        &self,
        caller: &Caller,
        account: AccountId,
        email: Option<&MailAddress>,
    ) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_duty_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
        }
        self.check_contact_change(account, email).await?;
        if caller.actor == Actor::Account(account)
            && let Some(new) = email
        {
            let value = caduceus_core::ContactValue::Email(new.clone());
            return self.request_contact_change(caller, account, value).await;
        }
        let trace = caller.event(self.now_ms(), Action::ContactSet, Object::of(account));
        Ok(self.store.set_contact_email(account, email, &trace).await?)
    }

    /// Where `account`'s notices go and whether new-mail notices are on: its owner,
    /// or the operator (AU-1, MS-7, RT-1).
    pub async fn contacts(&self, caller: &Caller, account: AccountId) -> Result<Contacts> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
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
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
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
    /// Given by the account's own user, a new number waits for the code sent to it by
    /// SMS (AU-1: [`Service::confirm_contact`]); removing it needs no code.
    pub async fn set_contact_phone(
        &self,
        caller: &Caller,
        account: AccountId,
        phone: Option<&caduceus_core::PhoneNumber>,
    ) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
        } else if let Some(new) = phone {
            let value = caduceus_core::ContactValue::Phone(new.clone());
            return self.request_contact_change(caller, account, value).await;
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
        let Some(name) = caduceus_core::passkey::check_device_name(name) else {
            return Err(ServiceError::Invalid(
                "a device name is 1 to 80 printable characters".into(),
            ));
        };
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

    /// The devices of an account, for its owner or the operator (AC-1); the operator's
    /// reading traced (AU-2), a refusal too.
    pub async fn devices(&self, caller: &Caller, account: AccountId) -> Result<Vec<Device>> {
        self.read_devices_of(caller, account).await?;
        Ok(self.store.devices(account).await?)
    }

    /// Whether `caller` may read the devices (credentials, passkeys) of `account`:
    /// its owner, or the operator's console, whose reading is traced (AU-2, AC-1).
    pub(super) async fn read_devices_of(&self, caller: &Caller, account: AccountId) -> Result<()> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
            let (action, success) = (Action::AdminAction, caduceus_audit::Outcome::Success);
            self.trace_rule(
                caller,
                action,
                Object::of(account),
                Requirement::Au2,
                success,
            )
            .await?;
        }
        Ok(())
    }

    /// Revokes a device (AU-2): its credential stops working at once. Only its owner
    /// or the operator may (AC-1); a refusal, or another's device named, is traced.
    pub async fn revoke_device(
        &self,
        caller: &Caller,
        account: AccountId,
        device: DeviceId,
    ) -> Result<()> {
        let trace = self
            .revocation(caller, account, Action::DeviceRevoke, device)
            .await?;
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

    /// The trace of `caller` revoking `credential`, one of `account`'s (a device, a
    /// passkey: `action`), once `caller` may — the account itself, or staff managing
    /// accounts from the console (AC-1, AU-2).
    pub(super) async fn revocation(
        &self,
        caller: &Caller,
        account: AccountId,
        action: Action,
        credential: impl Into<caduceus_audit::Id>,
    ) -> Result<caduceus_audit::Event> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
        }
        Ok(caller.event(self.now_ms(), action, Object::of(account).and(credential)))
    }
}
