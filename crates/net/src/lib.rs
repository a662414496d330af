//! The listener skeleton every Caduceus front end (SMTP, IMAP, HTTPS, LDAP) runs its
//! connections in. It knows nothing of the protocols: a front end hands it a
//! listening socket, what to run for an admitted connection and what to say to a
//! refused one; the skeleton owns everything that keeps a listener available under
//! load and abuse.
//!
//! - A failed accept (no file descriptor left, a connection reset before it was
//!   accepted) is logged and retried after a short back-off; it never ends the
//!   listener.
//! - Connections are capped per listener and per source address ([`Caps`]); one over
//!   either cap is handed to the front end's refusal (SMTP `421`, IMAP `BYE`, HTTPS
//!   a plain close) and never reaches a session.
//! - The TLS handshake has a time limit ([`tls::accept`]), on implicit-TLS ports and
//!   on STARTTLS upgrades alike.
//! - On stop, the listener stops accepting; sessions are told through their own
//!   stop signal and finish what is under way; whatever is still open at the
//!   deadline is cut ([`Caps::shutdown`]).
//!
//! # Layout
//! - [`caps`]: the caps and shutdown deadline of a listener ([`Caps`]) and the
//!   per-source count ([`caps::Sources`], [`caps::Slot`]).
//! - [`listener`]: the accept loop ([`serve`]), the [`Incoming`] source of
//!   connections it reads (a `TcpListener`, or a test's), [`stopped`].
//! - [`tls`]: the TLS handshake with its time limit.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod caps;
pub mod listener;
pub mod tls;

pub use caps::{Caps, Over};
pub use listener::{Incoming, serve, stopped};
