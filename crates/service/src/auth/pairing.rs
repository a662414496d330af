//! Pairing a phone (MS-18, seed 004 §7.2): a logged-in owner makes a one-time token
//! (shown as a QR code of `https://HOST/pair/{token}`); the phone that opens it
//! registers its own passkey for the account, without the password — the token is
//! the proof — and is then listed with the devices as a phone, revocable.
//!
//! The token is 256 random bits, kept as its SHA-256, bound to the account, valid
//! [`PAIRING_LIFETIME`] and spent by the registration it allows (in the same
//! transaction). Making it and using it (or failing to) are traced.

use caduceus_audit::{Action, Outcome};
use caduceus_core::passkey::{PAIRING_LIFETIME, PairingRefusal, PasskeyKind, check_pairing};
use caduceus_core::{Requirement, SecretString, Timestamp};
use caduceus_store::{Account, Passkey};
use rand::RngCore;

use super::passkey::{
    Ceremony, CreationChallengeResponse, Pending, RegisterPublicKeyCredential, Registering,
    stored_form, taken,
};
use super::{Authenticated, sha256};
use crate::Service;
use crate::error::{Result, ServiceError};

/// A pairing token made for the owner's phone, shown once.
#[derive(Debug)]
pub struct PairingOffer {
    /// The token, for the link `https://HOST/pair/{token}` (redacted in `Debug`).
    pub token: SecretString,
    /// Until when it may be used.
    pub expires: Timestamp,
}

impl Service {
    /// Makes a one-time token pairing a phone with the account of `login` (MS-18),
    /// only after a strong login; traced.
    pub async fn make_pairing_token(&self, login: &Authenticated) -> Result<PairingOffer> {
        if !login.is_strong() {
            return Err(ServiceError::Denied {
                requirement: Requirement::Ms18,
                reason: "a phone is paired only from a strong login".into(),
            });
        }
        self.relying()?;
        let mut random = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let token = hex::encode(random);
        let expires = Timestamp::from_millis(self.now_ms() + PAIRING_LIFETIME.as_millis() as i64);
        let account = login.account().id;
        let trace = login.caller().event(
            self.now_ms(),
            Action::PairingTokenMake,
            caduceus_audit::Object::of(account),
        );
        self.store
            .add_pairing_token(account, &sha256(token.as_bytes()), expires, &trace)
            .await?;
        Ok(PairingOffer {
            token: SecretString::new(token),
            expires,
        })
    }

    /// Whether a pairing token may still pair a phone (MS-18): the account it pairs
    /// with, or why not (used, expired, unknown), a refusal traced. The front end
    /// says why in plain words.
    pub async fn check_pairing_token(
        &self,
        token: &SecretString,
        source: &str,
    ) -> Result<std::result::Result<Account, PairingRefusal>> {
        let hash = sha256(token.expose().as_bytes());
        let Some(found) = self.store.pairing_token(&hash).await? else {
            return Ok(Err(PairingRefusal::Unknown));
        };
        if let Err(why) = check_pairing(found.expires, found.used, self.clock.now()) {
            let event = self.pairing_event(
                found.account,
                Action::PairingTokenUse,
                source,
                Outcome::Refused,
            );
            self.store.append_traces(&[event]).await?;
            return Ok(Err(why));
        }
        // A suspended or closed account pairs no phone (ID-2).
        let account = self.store.account(found.account).await?;
        if account.state != caduceus_core::AccountState::Active {
            return Ok(Err(PairingRefusal::Unknown));
        }
        Ok(Ok(account))
    }

    /// [`Service::check_pairing_token`]'s account, or its refusal as an error.
    async fn pairing_account(&self, token: &SecretString, source: &str) -> Result<Account> {
        self.check_pairing_token(token, source)
            .await?
            .map_err(|why| ServiceError::Refused(why.into()))
    }

    /// Starts the phone's passkey registration with a usable pairing `token`.
    pub async fn begin_pairing(
        &self,
        token: &SecretString,
        name: &str,
        source: &str,
    ) -> Result<Ceremony<CreationChallengeResponse>> {
        let account = self.pairing_account(token, source).await?;
        let hash = sha256(token.expose().as_bytes());
        self.begin_registration(&account, name, Some(hash)).await
    }

    /// Finishes the phone's registration `ceremony` begun with `token`: the passkey
    /// is kept as a phone and the token spent, both traced (MS-18). A token used
    /// meanwhile (another phone was quicker) is refused.
    pub async fn finish_pairing(
        &self,
        token: &SecretString,
        ceremony: &str,
        answer: &RegisterPublicKeyCredential,
        source: &str,
    ) -> Result<Passkey> {
        let hash = sha256(token.expose().as_bytes());
        self.relying()?;
        let Some(Pending::Register {
            account,
            registering,
        }) = self.take_ceremony(ceremony).await?
        else {
            return Err(ServiceError::Invalid(
                "the pairing took too long or was interrupted: open the link again".into(),
            ));
        };
        let Registering {
            name,
            pairing,
            state,
        } = *registering;
        if pairing != Some(hex::encode(&hash)) {
            return Err(ServiceError::Refused(PairingRefusal::Unknown.into()));
        }
        let key = self.checked_registration(&state, answer)?;
        let (credential_id, credential) = stored_form(&key)?;
        let new = self.new_passkey(
            account,
            &name,
            PasskeyKind::Phone,
            &credential_id,
            &credential,
        );
        let added = self.pairing_event(account, Action::PasskeyAdd, source, Outcome::Success);
        let used = self.pairing_event(account, Action::PairingTokenUse, source, Outcome::Success);
        match self
            .store
            .add_paired_passkey(&hash, &new, &added, &used)
            .await
            .map_err(taken)?
        {
            Some(passkey) => Ok(passkey),
            None => {
                self.pairing_account(token, source).await?;
                Err(ServiceError::Refused(PairingRefusal::Used.into()))
            }
        }
    }
}
