//! What a use case answers when it does not succeed.

use caduceus_core::Refusal;
use caduceus_store::StoreError;

/// Why a use case failed. Front ends map each variant to their own reply (SMTP 5xx
/// with an enhanced code, IMAP NO, HTTP problem+json).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// A rule refused the action; the reason names the requirement and what to do.
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The caller may not do this (AC-1, ID-3). Says nothing of what exists.
    #[error("access denied ({requirement}): {reason}")]
    Denied {
        /// The requirement enforced.
        requirement: caduceus_core::Requirement,
        /// Why, in terms that reveal nothing about other accounts.
        reason: String,
    },
    /// A code typed to confirm a new contact was refused (AU-1, AU-3): wrong with the
    /// tries left, expired, or the last try; the verdict is typed so each front end
    /// tells it in its own words, the number included.
    #[error("access denied (AU-1): {0}")]
    CodeRefused(caduceus_core::contact::CodeRefusal),
    /// The request itself is malformed (an invalid identifier, a weak password...).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The request conflicts with an earlier one (an idempotency key reused for
    /// another message); the text says what to do.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The named account, folder or message does not exist (for this caller).
    #[error("{0} not found")]
    NotFound(String),
    /// A login failed. Deliberately vague (AU-3): the answer never tells an unknown
    /// address from a wrong secret. The front end waits `delay` before answering.
    #[error("authentication failed")]
    AuthFailed {
        /// The progressive delay owed before answering.
        delay: std::time::Duration,
    },
    /// Too many recent failures: no attempt is checked before `until` (AU-3).
    #[error("too many failed attempts; try again later")]
    Throttled {
        /// When attempts are considered again.
        until: caduceus_core::Timestamp,
    },
    /// Locked out after repeated failures (AU-3); an alert was raised.
    #[error("locked after repeated failed attempts; try again in 15 minutes or contact support")]
    Locked {
        /// When the lock ends.
        until: caduceus_core::Timestamp,
    },
    /// Over the sending rate (MS-13): nothing was accepted; try again after `retry_after`.
    #[error("sending rate exceeded (MS-13): {reason}")]
    RateLimited {
        /// Whose rate, and what it is.
        reason: String,
        /// How long until the next message is allowed.
        retry_after: std::time::Duration,
    },
    /// The recipient's mailbox is over its storage quota; try later.
    #[error("mailbox full: {0}")]
    OverQuota(String),
    /// A service the action needs (outbound mail, antivirus) is unavailable; try later.
    #[error("temporarily unavailable: {0}")]
    Unavailable(String),
    /// Storage failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        ServiceError::Refused(refusal)
    }
}

impl From<crate::ingest::NestedTooDeep> for ServiceError {
    fn from(too_deep: crate::ingest::NestedTooDeep) -> Self {
        ServiceError::Refused(too_deep.into())
    }
}

/// Shorthand for service results.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
