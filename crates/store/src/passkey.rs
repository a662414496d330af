//! Passkeys and phone pairing as kept (AU-1, MS-18): the [`PasskeyStore`] part of
//! the [`Store`](crate::Store), its records ([`Passkey`], [`NewPasskey`],
//! [`PairingToken`], [`NewCeremony`], [`PendingCeremony`]).
//!
//! A passkey row holds the credential's public key and signature counter (the
//! WebAuthn library's record, JSON: nothing secret); a pairing token row holds the
//! token's SHA-256 only; a ceremony under way is kept by the SHA-256 of its id, so
//! every node sharing the database can finish it, once.

use async_trait::async_trait;
use caduceus_audit::Event;
use caduceus_core::Timestamp;
use caduceus_core::passkey::{CeremonyKind, PasskeyKind};

use crate::error::Result;
use crate::model::AccountId;

/// A passkey's id; `passkey:N` in traces (AU-1, MS-18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PasskeyId(pub i64);

impl std::fmt::Display for PasskeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "passkey:{}", self.0)
    }
}

impl From<PasskeyId> for caduceus_audit::Id {
    /// The id in a trace's object (TR-5).
    fn from(id: PasskeyId) -> Self {
        caduceus_audit::Id::Passkey(id.0)
    }
}

/// A registered passkey.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passkey {
    /// Database id.
    pub id: PasskeyId,
    /// The account it logs in to.
    pub account: AccountId,
    /// The name its owner gave it.
    pub name: String,
    /// From the settings, or by a paired phone.
    pub kind: PasskeyKind,
    /// The authenticator's credential id (what a login assertion names).
    pub credential_id: Vec<u8>,
    /// The public key and counter, as the WebAuthn library serialises them.
    pub credential: String,
    /// When it was registered.
    pub created: Timestamp,
    /// When it last logged in.
    pub last_used: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked: Option<Timestamp>,
}

/// A passkey to register.
#[derive(Clone, Copy, Debug)]
pub struct NewPasskey<'a> {
    /// The account.
    pub account: AccountId,
    /// Its name.
    pub name: &'a str,
    /// Where it was registered.
    pub kind: PasskeyKind,
    /// The credential id.
    pub credential_id: &'a [u8],
    /// The public key and counter (JSON).
    pub credential: &'a str,
    /// When.
    pub at: Timestamp,
}

/// A pairing token as kept: its account, lifetime and use (MS-18).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PairingToken {
    /// The account a phone pairs with.
    pub account: AccountId,
    /// When it stops being usable.
    pub expires: Timestamp,
    /// When it was used, if it was.
    pub used: Option<Timestamp>,
}

/// A WebAuthn ceremony to keep until the browser answers (AU-1, MS-18).
///
/// Its state is what the WebAuthn library needs to check the answer: the challenge
/// and the credentials allowed or excluded (ids, public keys, counters), with a
/// registration's device name and its pairing token's hash. No secret key, no
/// message content, nothing a reader could log in with (the challenge is signed by
/// the authenticator's private key, which never leaves it): it is kept unsealed,
/// for [`CEREMONY_LIFETIME`](caduceus_core::passkey::CEREMONY_LIFETIME) at most.
#[derive(Clone, Copy, Debug)]
pub struct NewCeremony<'a> {
    /// The SHA-256 of the ceremony's id (the id itself is the browser's only).
    pub id_hash: &'a [u8],
    /// What the answer will do.
    pub kind: CeremonyKind,
    /// The account it is for; none for a login with a passkey alone.
    pub account: Option<AccountId>,
    /// The serialized ceremony state (JSON).
    pub state: &'a str,
    /// When it began: the ceremonies expired by then are removed as it is kept, so
    /// logins begun and never finished are not kept past their lifetime.
    pub begun: Timestamp,
    /// When it stops being usable.
    pub expires: Timestamp,
}

/// A ceremony taken back from the store to check the browser's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingCeremony {
    /// What the answer will do.
    pub kind: CeremonyKind,
    /// The account it is for, if any.
    pub account: Option<AccountId>,
    /// The serialized ceremony state (JSON).
    pub state: String,
}

/// The passkey and pairing operations of the store. Mutating calls take their trace
/// events and commit them with the change (TR-1).
#[async_trait]
pub trait PasskeyStore: Send + Sync {
    /// Registers a passkey; the store appends `passkey:N` to the trace's object. A
    /// credential id already registered is a conflict.
    async fn add_passkey(&self, new: &NewPasskey<'_>, trace: &Event) -> Result<Passkey>;
    /// Registers a phone's passkey with the pairing token whose hash is `token_hash`,
    /// spending the token in the same transaction; `None` (nothing written) when the
    /// token is unknown, used or expired at `new.at`. The token's use (`used`) and
    /// the passkey's registration (`trace`, which gets `passkey:N`) are traced.
    async fn add_paired_passkey(
        &self,
        token_hash: &[u8],
        new: &NewPasskey<'_>,
        trace: &Event,
        used: &Event,
    ) -> Result<Option<Passkey>>;
    /// An account's passkeys, revoked ones included, by id.
    async fn passkeys(&self, account: AccountId) -> Result<Vec<Passkey>>;
    /// The passkey with this credential id, whoever's it is.
    async fn passkey_by_credential(&self, credential_id: &[u8]) -> Result<Option<Passkey>>;
    /// Records a login: the new counter (`credential`) and when.
    async fn touch_passkey(&self, id: PasskeyId, credential: &str, at: Timestamp) -> Result<()>;
    /// Revokes a passkey of `account`; revoking twice keeps the first date. Another
    /// account's passkey is not found.
    async fn revoke_passkey(
        &self,
        account: AccountId,
        id: PasskeyId,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()>;
    /// Keeps a new pairing token's hash for `account` until `expires`.
    async fn add_pairing_token(
        &self,
        account: AccountId,
        token_hash: &[u8],
        expires: Timestamp,
        trace: &Event,
    ) -> Result<()>;
    /// The pairing token whose hash is `token_hash`, if there is one.
    async fn pairing_token(&self, token_hash: &[u8]) -> Result<Option<PairingToken>>;
    /// Keeps a ceremony under way until its expiry (AU-1, MS-18), removing those
    /// expired at `new.begun`. Not traced: a ceremony begun is no action until it is
    /// finished.
    async fn add_ceremony(&self, new: &NewCeremony<'_>) -> Result<()>;
    /// Takes the ceremony whose id hashes to `id_hash`, once: it is removed in the same
    /// statement, so of two nodes answering it together one only gets it. `None` when
    /// unknown, taken already or expired at `now` (an expired one is removed too).
    async fn take_ceremony(
        &self,
        id_hash: &[u8],
        now: Timestamp,
    ) -> Result<Option<PendingCeremony>>;
}
