//! Passkeys (AU-1, MS-18): WebAuthn registration after a strong login, login with a
//! passkey alone (user verification required: a strong login, as a card is) or as the
//! second factor after the password, the owner's list and revocation.
//!
//! The relying party ([`Relying`]) is the configured public host name: a browser
//! binds each passkey to it. Each ceremony's state (its challenge) is kept in the
//! store ([`add_ceremony`](caduceus_store::PasskeyStore::add_ceremony)) by the
//! SHA-256 of its id, for [`CEREMONY_LIFETIME`] at most, and taken once: the browser
//! holds only the id, and its answer may reach any node sharing the database, or a
//! restarted one.

use std::sync::Arc;

use caduceus_audit::{Action, Detail, Method, Object, Outcome, Who};
use caduceus_core::passkey::{CEREMONY_LIFETIME, CeremonyKind, PasskeyKind, check_device_name};
use caduceus_core::{AccountKind, AccountState, MailAddress, Requirement, SecretString, Timestamp};
use caduceus_store::{
    Account, AccountId, NewCeremony, NewPasskey, Passkey, PasskeyId, PendingCeremony, StoreError,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, DiscoverableKey, PasskeyAuthentication,
    PasskeyRegistration, Url, Uuid, Webauthn, WebauthnBuilder,
};
pub use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use super::{Authenticated, Factor, Miss, sha256};
use crate::Service;
use crate::actor::Caller;
use crate::error::{Result, ServiceError};

/// A ceremony under way: its id, for the browser to send back, and the options to
/// hand to `navigator.credentials`.
#[derive(Clone, Debug)]
pub struct Ceremony<T> {
    /// The ceremony's id (128 random bits, hex).
    pub id: String,
    /// The WebAuthn options.
    pub options: T,
}

/// A registration under way, as kept: the passkey's name, the pairing token's hash
/// (hex) when a phone registers (MS-18), the WebAuthn state (its challenge and the
/// account's credentials to exclude: ids only).
#[derive(Serialize, Deserialize)]
pub(super) struct Registering {
    pub(super) name: String,
    pub(super) pairing: Option<String>,
    pub(super) state: PasskeyRegistration,
}

/// What a pending ceremony will do with the browser's answer.
///
/// Kept unsealed in the store ([`NewCeremony`]): the WebAuthn states hold a challenge
/// and public credentials (ids, public keys, counters), a registration adds its
/// device name (kept in clear with the passkey anyway) and a token's hash. No secret
/// key, no content, no patient's name: nothing there logs anyone in.
pub(super) enum Pending {
    /// Register a passkey for `account`; with a pairing token's hash, by a phone
    /// (MS-18).
    Register {
        account: AccountId,
        registering: Box<Registering>,
    },
    /// Log in with whichever passkey the browser chooses.
    Login(Box<DiscoverableAuthentication>),
    /// The second factor of `account`'s password login: one of its passkeys.
    SecondFactor {
        account: AccountId,
        state: Box<PasskeyAuthentication>,
    },
}

impl Pending {
    /// Its kind, account and state (JSON) as the store keeps them.
    fn stored(&self) -> Result<(CeremonyKind, Option<AccountId>, String)> {
        let (kind, account, state) = match self {
            Pending::Register {
                account,
                registering,
            } => (
                CeremonyKind::Registration,
                Some(*account),
                serde_json::to_string(registering),
            ),
            Pending::Login(state) => (CeremonyKind::Login, None, serde_json::to_string(state)),
            Pending::SecondFactor { account, state } => (
                CeremonyKind::SecondFactor,
                Some(*account),
                serde_json::to_string(state),
            ),
        };
        let state =
            state.map_err(|e| ServiceError::Unavailable(format!("passkey ceremony: {e}")))?;
        Ok((kind, account, state))
    }

    /// The ceremony the store gave back; `None` when its row does not read as one
    /// (written by another version: the browser starts again).
    fn from_stored(kept: PendingCeremony) -> Option<Pending> {
        let state = kept.state.as_str();
        match (kept.kind, kept.account) {
            (CeremonyKind::Registration, Some(account)) => Some(Pending::Register {
                account,
                registering: serde_json::from_str(state).ok()?,
            }),
            (CeremonyKind::Login, None) => Some(Pending::Login(serde_json::from_str(state).ok()?)),
            (CeremonyKind::SecondFactor, Some(account)) => Some(Pending::SecondFactor {
                account,
                state: serde_json::from_str(state).ok()?,
            }),
            _ => None,
        }
    }
}

/// The relying party: the WebAuthn checks for the public host name. Its ceremonies
/// under way are in the store, shared by every node.
pub struct Relying {
    webauthn: Webauthn,
}

impl Relying {
    /// The relying party for `host`, the public host name browsers reach the webmail
    /// at (`mail.example.fr`; `localhost` in tests). WebAuthn refuses IP addresses.
    /// Any port of `https://host` is accepted: a passkey is bound to the host name.
    pub fn new(host: &str) -> Result<Relying> {
        let origin = Url::parse(&format!("https://{host}"))
            .map_err(|e| ServiceError::Invalid(format!("passkey host name {host}: {e}")))?;
        let webauthn = WebauthnBuilder::new(host, &origin)
            .and_then(|b| b.rp_name("Caduceus").allow_any_port(true).build())
            .map_err(|e| ServiceError::Invalid(format!("passkey host name {host}: {e}")))?;
        Ok(Relying { webauthn })
    }
}

/// The opaque WebAuthn user handle of an account: not its database id, the same at
/// each registration so an authenticator keeps one passkey per account.
fn user_handle(account: AccountId) -> Uuid {
    let digest = sha256(format!("caduceus passkey user {}", account.0).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

fn refused_answer() -> ServiceError {
    ServiceError::Invalid(
        "the passkey's answer was not accepted: start again from the settings page".into(),
    )
}

impl Service {
    /// The same service offering passkeys for the relying party `relying` (AU-1).
    pub fn with_passkeys(mut self, relying: Relying) -> Self {
        self.passkeys = Some(Arc::new(relying));
        self
    }

    /// Whether passkeys are offered (a public host name is configured).
    pub fn offers_passkeys(&self) -> bool {
        self.passkeys.is_some()
    }

    /// Keeps `pending` in the store until [`CEREMONY_LIFETIME`] from now (AU-1) and
    /// returns its id, whose SHA-256 only is stored.
    async fn keep_ceremony(&self, pending: Pending) -> Result<String> {
        let mut random = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut random);
        let id = hex::encode(random);
        let now = self.clock.now();
        let expires =
            Timestamp::from_millis(now.as_millis() + CEREMONY_LIFETIME.as_millis() as i64);
        let (kind, account, state) = pending.stored()?;
        let new = NewCeremony {
            id_hash: &sha256(id.as_bytes()),
            kind,
            account,
            state: &state,
            begun: now,
            expires,
        };
        self.store.add_ceremony(&new).await?;
        Ok(id)
    }

    /// The ceremony `id`, once, if it has not expired: whichever node began it, and
    /// of two nodes answering it together, one only (AU-1).
    pub(super) async fn take_ceremony(&self, id: &str) -> Result<Option<Pending>> {
        let kept = self
            .store
            .take_ceremony(&sha256(id.as_bytes()), self.clock.now())
            .await?;
        Ok(kept.and_then(Pending::from_stored))
    }

    pub(super) fn relying(&self) -> Result<&Relying> {
        self.passkeys.as_deref().ok_or_else(|| {
            ServiceError::Unavailable(
                "passkeys are not set up on this server (auth.public_host)".into(),
            )
        })
    }

    /// Starts registering a passkey named `name` for the account of `login`, only
    /// after a strong login (AU-1).
    pub async fn begin_passkey_registration(
        &self,
        login: &Authenticated,
        name: &str,
    ) -> Result<Ceremony<CreationChallengeResponse>> {
        if !login.is_strong() {
            return Err(ServiceError::Denied {
                requirement: Requirement::Au1,
                reason: "a passkey is registered only after a strong login".into(),
            });
        }
        self.begin_registration(login.account(), name, None).await
    }

    /// Starts a registration for `account` (a logged-in owner, or a phone holding a
    /// pairing token whose hash is `pairing`).
    pub(super) async fn begin_registration(
        &self,
        account: &Account,
        name: &str,
        pairing: Option<Vec<u8>>,
    ) -> Result<Ceremony<CreationChallengeResponse>> {
        let relying = self.relying()?;
        let Some(name) = check_device_name(name) else {
            return Err(ServiceError::Invalid(
                "a passkey's name is 1 to 80 printable characters".into(),
            ));
        };
        let registered = self.live_keys(account.id).await?;
        let registered = registered.iter().map(|p| p.cred_id().clone()).collect();
        let address = account.address.as_str();
        let (mut options, state) = relying
            .webauthn
            .start_passkey_registration(user_handle(account.id), address, address, Some(registered))
            .map_err(|e| ServiceError::Invalid(format!("passkey registration: {e}")))?;
        // A discoverable credential: the login page asks for nothing but the passkey.
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = Some(ResidentKeyRequirement::Required);
            selection.require_resident_key = true;
        }
        let pending = Pending::Register {
            account: account.id,
            registering: Box::new(Registering {
                name: name.to_owned(),
                pairing: pairing.map(hex::encode),
                state,
            }),
        };
        Ok(Ceremony {
            id: self.keep_ceremony(pending).await?,
            options,
        })
    }

    /// Finishes the registration `ceremony` begun by `login` with the browser's
    /// `answer`: the passkey is kept and traced (AU-1).
    pub async fn finish_passkey_registration(
        &self,
        login: &Authenticated,
        ceremony: &str,
        answer: &RegisterPublicKeyCredential,
    ) -> Result<Passkey> {
        self.relying()?;
        match self.take_ceremony(ceremony).await? {
            Some(Pending::Register {
                account,
                registering,
            }) if account == login.account().id && registering.pairing.is_none() => {
                let Registering { name, state, .. } = *registering;
                let trace =
                    login
                        .caller()
                        .event(self.now_ms(), Action::PasskeyAdd, Object::of(account));
                let key = self.checked_registration(&state, answer)?;
                let (credential_id, credential) = stored_form(&key)?;
                let new = self.new_passkey(
                    account,
                    &name,
                    PasskeyKind::Passkey,
                    &credential_id,
                    &credential,
                );
                self.store.add_passkey(&new, &trace).await.map_err(taken)
            }
            _ => Err(refused_answer()),
        }
    }

    /// The registration's result, checked against its challenge.
    pub(super) fn checked_registration(
        &self,
        state: &PasskeyRegistration,
        answer: &RegisterPublicKeyCredential,
    ) -> Result<webauthn_rs::prelude::Passkey> {
        self.relying()?
            .webauthn
            .finish_passkey_registration(answer, state)
            .map_err(|_| refused_answer())
    }

    pub(super) fn new_passkey<'a>(
        &self,
        account: AccountId,
        name: &'a str,
        kind: PasskeyKind,
        credential_id: &'a [u8],
        credential: &'a str,
    ) -> NewPasskey<'a> {
        NewPasskey {
            account,
            name,
            kind,
            credential_id,
            credential,
            at: self.clock.now(),
        }
    }

    /// Starts a login with a passkey alone: the browser offers the passkeys it holds
    /// for this host.
    pub async fn begin_passkey_login(&self) -> Result<Ceremony<RequestChallengeResponse>> {
        let relying = self.relying()?;
        let (mut options, state) = relying
            .webauthn
            .start_discoverable_authentication()
            .map_err(|e| ServiceError::Invalid(format!("passkey login: {e}")))?;
        // Asked from a button, not from the address field's autofill.
        options.mediation = None;
        Ok(Ceremony {
            id: self.keep_ceremony(Pending::Login(Box::new(state))).await?,
            options,
        })
    }

    /// Logs in with the passkey the browser answered `ceremony` with (AU-1): the
    /// account is the passkey's own, the user verified on the device; a strong login.
    /// Failures are counted, delayed and traced as any other (AU-3).
    pub async fn finish_passkey_login(
        &self,
        ceremony: &str,
        answer: &PublicKeyCredential,
        source: &str,
    ) -> Result<Authenticated> {
        let relying = self.relying()?;
        let Some(Pending::Login(state)) = self.take_ceremony(ceremony).await? else {
            let _attempt = self.pass_gate(None, source).await?;
            return Err(self.fail(None, source, Miss::Expired).await);
        };
        let stored = self
            .store
            .passkey_by_credential(answer.get_credential_id())
            .await?;
        let Some(stored) = stored else {
            let _attempt = self.pass_gate(None, source).await?;
            return Err(self.fail(None, source, Miss::NoSuchAccount).await);
        };
        // The user handle the authenticator returned must be the passkey's account's:
        // a passkey logs in to the account it was registered for, never another.
        let handle = relying
            .webauthn
            .identify_discoverable_authentication(answer);
        let owned = matches!(handle, Ok((h, _)) if h == user_handle(stored.account));
        self.passkey_login(stored.account, Some(stored), source, |key| {
            let key = DiscoverableKey::from(key);
            owned
                .then(|| {
                    let checked =
                        relying
                            .webauthn
                            .finish_discoverable_authentication(answer, *state, &[key]);
                    checked.ok()
                })
                .flatten()
        })
        .await
    }

    /// Starts a login with a password and a passkey as the second factor (AU-1):
    /// the password first (a wrong one is a counted failure), then the browser is
    /// asked for one of the account's own passkeys.
    pub async fn begin_password_passkey(
        &self,
        address: &MailAddress,
        password: &SecretString,
        source: &str,
    ) -> Result<Ceremony<RequestChallengeResponse>> {
        let relying = self.relying()?;
        let (account, _attempt) = self.login_account(address, source).await?;
        if !self.password_matches(account.id, password).await? {
            return Err(self.fail(Some(account.id), source, Miss::WrongSecret).await);
        }
        let keys = self.live_keys(account.id).await?;
        if keys.is_empty() {
            return Err(self.fail(Some(account.id), source, Miss::NoFactor).await);
        }
        let (options, state) = relying
            .webauthn
            .start_passkey_authentication(&keys)
            .map_err(|e| ServiceError::Invalid(format!("passkey login: {e}")))?;
        let pending = Pending::SecondFactor {
            account: account.id,
            state: Box::new(state),
        };
        Ok(Ceremony {
            id: self.keep_ceremony(pending).await?,
            options,
        })
    }

    /// Finishes a password + passkey login begun by [`Service::begin_password_passkey`]:
    /// the passkey must be one of that account's (AU-1).
    pub async fn finish_password_passkey(
        &self,
        ceremony: &str,
        answer: &PublicKeyCredential,
        source: &str,
    ) -> Result<Authenticated> {
        let relying = self.relying()?;
        let Some(Pending::SecondFactor { account, state }) = self.take_ceremony(ceremony).await?
        else {
            let _attempt = self.pass_gate(None, source).await?;
            return Err(self.fail(None, source, Miss::Expired).await);
        };
        let stored = self
            .store
            .passkey_by_credential(answer.get_credential_id())
            .await?
            .filter(|p| p.account == account);
        self.passkey_login(account, stored, source, |_| {
            relying
                .webauthn
                .finish_passkey_authentication(answer, &state)
                .ok()
        })
        .await
    }

    /// The end of a passkey login to `account` with its passkey `stored` (none: not
    /// one of its own), `check`ed against the ceremony: the gate, the account's state,
    /// the passkey not revoked, user verification, the counter kept (AU-1, AU-3).
    async fn passkey_login(
        &self,
        account: AccountId,
        stored: Option<Passkey>,
        source: &str,
        check: impl FnOnce(&webauthn_rs::prelude::Passkey) -> Option<AuthenticationResult>,
    ) -> Result<Authenticated> {
        let attempt = self.pass_gate(Some(account), source).await?;
        let account = self.store.account(account).await?;
        if account.state != AccountState::Active {
            return Err(self.fail(Some(account.id), source, Miss::Inactive).await);
        }
        if !matches!(
            account.kind,
            AccountKind::Professional | AccountKind::Patient
        ) {
            return Err(self.fail(Some(account.id), source, Miss::WrongKind).await);
        }
        let Some(stored) = stored else {
            return Err(self.fail(Some(account.id), source, Miss::WrongSecret).await);
        };
        if stored.revoked.is_some() {
            return Err(self
                .fail(Some(account.id), source, Miss::RevokedPasskey)
                .await);
        }
        let parsed = serde_json::from_str::<webauthn_rs::prelude::Passkey>(&stored.credential);
        let Ok(mut key) = parsed else {
            return Err(self.fail(Some(account.id), source, Miss::WrongSecret).await);
        };
        let Some(result) = check(&key).filter(AuthenticationResult::user_verified) else {
            return Err(self.fail(Some(account.id), source, Miss::WrongSecret).await);
        };
        key.update_credential(&result);
        let credential = serde_json::to_string(&key)
            .map_err(|e| ServiceError::Unavailable(format!("passkey record: {e}")))?;
        self.store
            .touch_passkey(stored.id, &credential, self.clock.now())
            .await?;
        self.check_card(&account, Factor::Passkey, source).await?;
        self.succeed(account, Factor::Passkey, source, attempt.failures)
            .await
    }

    /// The account's passkeys not revoked, as the WebAuthn library reads them.
    async fn live_keys(&self, account: AccountId) -> Result<Vec<webauthn_rs::prelude::Passkey>> {
        let stored = self.store.passkeys(account).await?;
        Ok(stored
            .iter()
            .filter(|p| p.revoked.is_none())
            .filter_map(|p| serde_json::from_str(&p.credential).ok())
            .collect())
    }

    /// The passkeys of an account, for its owner or the operator (AC-1), as the
    /// devices are ([`Service::devices`]).
    pub async fn passkeys(&self, caller: &Caller, account: AccountId) -> Result<Vec<Passkey>> {
        self.read_devices_of(caller, account).await?;
        Ok(self.store.passkeys(account).await?)
    }

    /// Revokes a passkey (AU-1, MS-18): it logs in no more. Only its owner or the
    /// operator may (AC-1); another's passkey named reads as none, the attempt traced.
    pub async fn revoke_passkey(
        &self,
        caller: &Caller,
        account: AccountId,
        passkey: PasskeyId,
    ) -> Result<()> {
        let trace = self
            .revocation(caller, account, Action::PasskeyRevoke, passkey)
            .await?;
        match self
            .store
            .revoke_passkey(account, passkey, self.clock.now(), &trace)
            .await
        {
            Err(StoreError::NotFound { .. }) => {
                self.trace_denied(caller, Object::of(passkey), Requirement::Ac1)
                    .await?;
                Err(ServiceError::NotFound(format!("passkey {passkey}")))
            }
            other => Ok(other?),
        }
    }

    /// A pairing trace of `account` from `source` (MS-18).
    pub(super) fn pairing_event(
        &self,
        account: AccountId,
        action: Action,
        source: &str,
        outcome: Outcome,
    ) -> caduceus_audit::Event {
        self.auth_event(
            Who::from(account),
            action,
            Object::of(account),
            source,
            outcome,
            Detail::of(Requirement::Ms18).and(Method::Passkey),
        )
    }
}

/// The credential's id and its stored form (public key and counter, JSON).
pub(super) fn stored_form(key: &webauthn_rs::prelude::Passkey) -> Result<(Vec<u8>, String)> {
    let json = serde_json::to_string(key)
        .map_err(|e| ServiceError::Unavailable(format!("passkey record: {e}")))?;
    Ok((key.cred_id().as_ref().to_vec(), json))
}

/// A credential id registered already (to this or another account) is refused.
pub(super) fn taken(error: StoreError) -> ServiceError {
    match error {
        StoreError::Conflict { .. } => ServiceError::Conflict(
            "this passkey is registered already; revoke it first to register it again".into(),
        ),
        other => other.into(),
    }
}
