//! Caduceus's SMTP front end: message submission, and the relay between operators of
//! the trust space (see [`relay`]). Submission (RFC 6409) is by
//! health professionals' mail clients: port 587 with STARTTLS (RFC 3207) and port 465
//! with implicit TLS (RFC 8314); AUTH (RFC 4954) with a device credential (PLAIN,
//! LOGIN; AU-2) or the TLS client certificate (EXTERNAL; AU-1); every rule asked of
//! the service as the envelope is given — the sender (ID-3), each recipient (MS-2),
//! their number (MS-12), the size (MS-1) — and `250` only once the message is stored.
//!
//! Commands are parsed with `smtp-proto`. Logs carry ids and counts only: never an
//! address, a subject, a credential or any content.
//!
//! # Layout
//! - [`listener`]: [`serve`], SMTP on the shared listener skeleton (`caduceus-net`):
//!   caps per listener and per source (`421` over them), stop with `421`.
//! - `session`: the state machine of one session — TLS, login, transaction — and
//!   what each command does.
//! - `auth`: the SASL mechanisms (PLAIN, LOGIN, EXTERNAL) and the logins they lead to.
//! - `data`: the message body: dot-stuffing undone, end found (no smuggling), size cap.
//! - `dialogue`: what both listeners share on a connection — reading commands under
//!   the limits, the error cap, the TLS handshake, receiving a message body.
//! - `conn`: the connection: clear or TLS, buffered, read by line or body under the
//!   idle timeout and the session deadline.
//! - `reply`: replies with enhanced status codes; service errors as replies.
//! - `received`: the `Received:` trace header.
//! - [`config`]: [`SubmissionConfig`], one listener's settings.
//! - [`limits`]: [`Limits`], the bounds of a session, with production defaults.
//! - [`relay`]: [`serve_relay`], the operator relay listener (port 25, MS-5): STARTTLS
//!   with an operator certificate, each sender domain checked against the trust list,
//!   mail delivered to local mailboxes with the peer operator as the traced actor.
//! - [`outbound`]: [`run_outbound`], the relay worker: queued mail to other operators
//!   over STARTTLS with this operator's certificate, results reported to the service
//!   (retries, expiry, notifications; MS-16).
//! - [`trust_list`]: [`TrustList`], the MSSanté `ListeBlancheMSSante` XML, and
//!   [`TrustListHandle`], the list in force, reloaded without restart.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
pub mod config;
mod conn;
mod data;
mod dialogue;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod limits;
pub mod listener;
pub mod outbound;
mod received;
pub mod relay;
mod reply;
mod session;
pub mod trust_list;

pub use config::SubmissionConfig;
pub use limits::Limits;
pub use listener::serve;
pub use outbound::{OutboundConfig, run_outbound};
pub use relay::{RelayConfig, serve_relay};
pub use trust_list::{TrustList, TrustListError, TrustListHandle};
