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
        requirement: &'static str,
        /// Why, in terms that reveal nothing about other accounts.
        reason: String,
    },
    /// The request itself is malformed (an invalid identifier, a weak password...).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The named account, folder or message does not exist (for this caller).
    #[error("{0} not found")]
    NotFound(String),
    /// Storage failed; nothing was changed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refusal> for ServiceError {
    fn from(refusal: Refusal) -> Self {
        ServiceError::Refused(refusal)
    }
}

/// Shorthand for service results.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
