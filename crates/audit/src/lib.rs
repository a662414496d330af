//! The trace chain of Caduceus (TR-1, TR-2, TR-5).
//!
//! Every action on accounts, mailboxes and messages leaves an [`Event`]. The store
//! turns events into [`Entry`] rows, each hashing the one before it, inside the
//! transaction of the action they record. Every few entries a [`Checkpoint`] signs the
//! head with an Ed25519 key kept outside the database, so that an attacker with write
//! access to the database cannot rewrite history without the verifier noticing.
//! [`verify`] walks a chain and names the first bad entry.
//!
//! # Layout
//! - [`event`]: what happened — actions, outcomes and the id-only guard (TR-5).
//! - [`chain`]: hashes and chained entries.
//! - [`signing`]: the checkpoint signing key, its files, and signed checkpoints.
//! - [`verify`](mod@verify): chain verification and the kinds of tampering it reports.

pub mod chain;
pub mod event;
pub mod signing;
pub mod verify;

pub use chain::{Entry, Hash};
pub use event::{Action, Event, FreeText, Outcome, is_id_only};
pub use signing::{
    Checkpoint, KeyError, TraceSigner, VerifyingKey, load_verifying_key, purge_cut,
    save_verifying_key, should_checkpoint,
};
pub use verify::{Report, Tamper, TamperKind, verify};
