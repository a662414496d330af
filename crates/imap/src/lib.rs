//! Caduceus's IMAP front end, for the mail clients and practice software of health
//! professionals: IMAP4rev1 (RFC 3501) with the extensions clients rely on, over
//! implicit TLS (port 993) or STARTTLS (port 143), logins with the same credentials
//! as SMTP submission (device credential, AU-2; client certificate, AU-1), every
//! read, flag change and deletion asked of the service, which checks and traces it
//! (AC-1, TR-1).
//!
//! The grammar is imap-codec's, driven by imap-next (literals, AUTHENTICATE and
//! IDLE exchanges, size limits); nothing here parses IMAP by hand. Logs carry ids
//! and counts only: never a folder name, a subject, a credential or any content.
//!
//! # Layout
//! - [`listener`]: [`serve`], IMAP on the shared listener skeleton (`caduceus-net`:
//!   caps per listener and per source, `* BYE` over them, shutdown deadline).
//! - `session`: one connection — the event loop, the TLS gate, the dispatch of each
//!   command to its state, commands of any state (CAPABILITY, NOOP, LOGOUT,
//!   STARTTLS, ID), IDLE.
//! - `auth`: LOGIN and the SASL mechanisms (PLAIN, LOGIN, EXTERNAL).
//! - `login`: LOGIN and AUTHENTICATE, the way into the authenticated state.
//! - `commands`: the authenticated and selected states, read and handed on;
//!   `commands::folders` (folder names, STATUS, SELECT, what a refresh
//!   announces), `commands::listing` (LIST, LSUB and subscriptions, RFC 5258),
//!   `commands::messages` (STORE, SEARCH, SORT, EXPUNGE, COPY, MOVE, APPEND),
//!   `commands::shared` (a folder name resolved to its mailbox and access, the
//!   check before each command on a shared mailbox) and `commands::acl` (read-only
//!   ACL answers, RFC 4314, RFC 8440).
//! - `shared`: the shared namespace `Shared/<address>/` of the mailboxes a login
//!   acts for (ID-3, ID-7), and a `Place`: whose mailbox a folder is in, with the
//!   access the service gave for it.
//! - `state`: the protocol states as types (not authenticated, authenticated with
//!   a `Login`, selected with a `Selected` mailbox), handed to each command.
//! - `selected`: the selected mailbox's snapshot (with the place it was opened
//!   at), sequence numbers and UIDs, and what a refresh announces.
//! - `fetching`: FETCH answered a batch at a time, the next batch read meanwhile.
//! - `fetch`: FETCH items from the summary, the structure or the raw message.
//! - `rendered`: a listing's responses written from its ENVELOPE, BODYSTRUCTURE and
//!   BODY encoded once per content and kept in the service's listing cache.
//! - `structure`: ENVELOPE and BODYSTRUCTURE from the structure computed at ingest.
//! - `search`: SEARCH keys.
//! - `extended`: the commands imap-codec does not parse (SEARCH RETURN, `$`,
//!   LIST's options, the ACL commands, FETCH's object-id items and PARTIAL
//!   modifier, SEARCH's PARTIAL), read here and rewritten to base commands
//!   imap-codec parses.
//! - `extras`: STATUS items imap-codec does not know (MAILBOXID, RFC 8474;
//!   APPENDLIMIT, RFC 7889), taken out of the command and answered after.
//! - `object_id`: OBJECTID (RFC 8474): MAILBOXID codes, EMAILID and THREADID
//!   written into FETCH responses.
//! - `partial`: PARTIAL (RFC 9394), a page of a SEARCH's results or of a
//!   FETCH's messages.
//! - `sort`: SORT keys and the base subject.
//! - `utf7`: folder names in modified UTF-7.
//! - `preauth`: the gate before login (AU-3): literals, commands and lines bounded
//!   to a few KB until the session is authenticated; after login, with UTF8=ACCEPT
//!   (RFC 6855), APPEND's `UTF8 (~{n}…)` handed on as a plain literal.
//! - `compress`: COMPRESS=DEFLATE (RFC 4978), DEFLATE both ways inside TLS, in
//!   the wire between the stream and the protocol state.
//! - `reply`: status responses and service errors as IMAP answers.
//! - `wire`: the session's output, in order: responses imap-codec encodes and
//!   those it has no type for; imap-next's refusal of a literal over the size
//!   limit answered `NO [TOOBIG]` (APPENDLIMIT, RFC 7889).
//! - [`config`]: [`ImapConfig`] and [`Limits`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod auth;
mod commands;
mod compress;
pub mod config;
mod extended;
mod extras;
mod fetch;
mod fetching;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod listener;
mod login;
mod object_id;
mod partial;
mod preauth;
mod rendered;
mod reply;
mod search;
mod selected;
mod session;
mod shared;
mod sort;
mod state;
mod structure;
mod utf7;
mod wire;

pub use config::{ImapConfig, Limits};
pub use listener::serve;
