//! Web and API sessions (AU-1, AU-3), and the idempotency keys that make a retried
//! API send harmless (MS-18).
//!
//! A session is opened only after a strong login (two factors, a certificate or the
//! OpenID provider); its token is shown once and only its SHA-256 is stored. It ends
//! at logout, after [`SESSION_IDLE`] without use, after [`SESSION_LIFETIME`] whatever
//! the use, or as soon as the account is no longer active.

use caduceus_core::Requirement;
use std::time::Duration;

use caduceus_audit::{Action, Detail, Object, Reason};
use caduceus_core::{AccountState, SecretString};
use caduceus_store::{IdempotencyClaim, WebSession};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};
use crate::{Caller, Service};

/// How long a session lasts at most.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// How long a session lasts without use.
pub const SESSION_IDLE: Duration = Duration::from_secs(30 * 60);
/// How long an idempotency key is remembered.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// The prefix of session tokens, which tells them from a provider's access tokens.
pub const SESSION_PREFIX: &str = "cses-";

/// What an idempotency key says about a request (MS-18).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// First time: process the request, then [`Service::settle_idempotency`].
    New,
    /// Already answered: give this answer again, do nothing.
    Replay(String),
}

impl Service {
    /// Opens a session for a strong login and returns its token, shown once. A
    /// device credential's login cannot open one (AU-2: it is for mail clients).
    pub async fn open_session(&self, login: &Authenticated) -> Result<SecretString> {
        if !login.is_strong() {
            return Err(ServiceError::Denied {
                requirement: Requirement::Au1,
                reason:
                    "a web session needs a strong login; device credentials are for mail clients"
                        .into(),
            });
        }
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = format!("{SESSION_PREFIX}{}", hex::encode(bytes));
        let now = self.clock.now();
        let session = WebSession {
            token_hash: sha256(&token),
            account: login.account().id,
            factor: login.factor().as_str().to_owned(),
            source: login.source().to_owned(),
            created: now,
            seen: now,
            expires: now.saturating_add(SESSION_LIFETIME),
        };
        self.store.create_web_session(&session).await?;
        Ok(SecretString::new(token))
    }

    /// The login a session token stands for, from `source`; an unknown, ended or
    /// idle token, or one whose account is no longer active, fails like a wrong
    /// password (and an ended session is deleted).
    pub async fn session(&self, token: &SecretString, source: &str) -> Result<Authenticated> {
        let hash = sha256(token.expose());
        let refused = ServiceError::AuthFailed {
            delay: Duration::ZERO,
        };
        let Some(session) = self.store.web_session(&hash).await? else {
            return Err(refused);
        };
        let now = self.clock.now();
        let idle_since = now.saturating_sub(SESSION_IDLE);
        let account = self.store.account(session.account).await?;
        if session.expires <= now
            || session.seen < idle_since
            || account.state != AccountState::Active
        {
            self.store.delete_web_session(&hash).await?;
            // The end of the session is traced (AU-3), as a logout is.
            let reason = if account.state == AccountState::Active {
                Reason::Expired
            } else {
                Reason::AccountInactive
            };
            let mut end = Caller::account(account.id, source).event(
                self.now_ms(),
                Action::SessionClose,
                Object::of(account.id),
            );
            end.detail = Some(Detail::of(reason));
            self.store.append_traces(&[end]).await?;
            return Err(refused);
        }
        // One write a minute at most per session, not one per request.
        if now.as_millis() - session.seen.as_millis() >= 60_000 {
            self.store.touch_web_session(&hash, now).await?;
        }
        Authenticated::resumed(account, &session.factor, source).ok_or(refused)
    }

    /// Ends a session (logout), traced as the end of the login (AU-3).
    pub async fn close_session(&self, token: &SecretString, login: &Authenticated) -> Result<()> {
        if self
            .store
            .delete_web_session(&sha256(token.expose()))
            .await?
        {
            self.logout(login).await?;
        }
        Ok(())
    }

    /// Holds idempotency key `key` of `login`'s account for a request whose content
    /// hashes to `fingerprint` (MS-18). The same key with another request, or while
    /// the first is still being processed, is refused.
    pub async fn claim_idempotency(
        &self,
        login: &Authenticated,
        key: &str,
        fingerprint: &[u8],
    ) -> Result<Idempotency> {
        if key.is_empty() || key.len() > 255 || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(ServiceError::Invalid(
                "an idempotency key is 1 to 255 visible ASCII characters".into(),
            ));
        }
        let claim = self
            .store
            .claim_idempotency(login.account().id, key, fingerprint, self.clock.now())
            .await?;
        let conflict = |what: &str| {
            Err(ServiceError::Conflict(format!(
                "MS-18: this idempotency key {what}; use a new key for a new message"
            )))
        };
        match claim {
            IdempotencyClaim::Claimed => Ok(Idempotency::New),
            IdempotencyClaim::Completed {
                fingerprint: first,
                response,
            } if first == fingerprint => Ok(Idempotency::Replay(response)),
            IdempotencyClaim::Pending { fingerprint: first } if first == fingerprint => {
                conflict("belongs to a request still being processed; retry in a moment")
            }
            _ => conflict("was used for another request"),
        }
    }

    /// Records the answer to a claimed key (`Some`), or releases the key (`None`)
    /// when the request failed without effect, so that it can be retried.
    pub async fn settle_idempotency(
        &self,
        login: &Authenticated,
        key: &str,
        response: Option<&str>,
    ) -> Result<()> {
        Ok(self
            .store
            .settle_idempotency(login.account().id, key, response)
            .await?)
    }

    /// Deletes ended sessions and expired idempotency keys; returns the sessions
    /// deleted. Run by the daily job.
    pub async fn purge_web_state(&self) -> Result<u64> {
        let now = self.clock.now();
        Ok(self
            .store
            .purge_web_state(
                now,
                now.saturating_sub(SESSION_IDLE),
                now.saturating_sub(IDEMPOTENCY_WINDOW),
            )
            .await?)
    }
}

fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}
