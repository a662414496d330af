//! The trace chain of Caduceus (TR-1, TR-2, TR-5).
//!
//! Every action on accounts, mailboxes and messages leaves an [`Event`]. The store
//! turns events into [`Entry`] rows, each hashing the one before it, inside the
//! transaction of the action they record. Every few entries a [`Checkpoint`] signs the
//! head with an Ed25519 key kept outside the database, so that an attacker with write
//! access to the database cannot rewrite history without the verifier noticing.
//! [`verify`] walks a chain and names the first bad entry.
//!
//! An event's actor, object and detail are typed values ([`Who`], [`Object`],
//! [`Detail`]): ids, enums, numbers, validated domains. No `&str` or `String` becomes
//! one, so no subject, body or patient name can reach a trace in any build (TR-5).
//!
//! # Layout
//! - [`event`]: what happened — actions, outcomes, the event.
//! - [`object`]: who acted and on what, as typed ids.
//! - [`detail`]: the detail's facts — requirement ids, reason codes, counts.
//! - [`chain`]: hashes and chained entries; where typed values become stored text.
//! - [`signing`]: the checkpoint signing key, its files, and signed checkpoints.
//! - [`verify`](mod@verify): chain verification and the kinds of tampering it reports.

/// The closed sets of codes of traces (TR-5): `caduceus_core::codes!`.
macro_rules! codes {
    ($($t:tt)*) => { caduceus_core::codes! { $($t)* } };
}

pub mod chain;
pub mod detail;
pub mod event;
pub mod object;
pub mod signing;
pub mod verify;

pub use chain::{Entry, Hash};
pub use detail::{Channel, Counter, Detail, Fact, Method, Reason, Recorder, RelayStatus, Setting};
pub use event::{Action, Event, Outcome};
pub use object::{
    AccountRef, BadOperatorName, DirectoryPart, Id, Marker, Object, OperatorName, Protocol,
    QueueRef, Who,
};
pub use signing::{
    Checkpoint, KeyError, TraceSigner, VerifyingKey, load_verifying_key, purge_cut,
    save_verifying_key, should_checkpoint,
};
pub use verify::{Report, Tamper, TamperKind, verify};
