//! Caduceus's LDAP front end: the directory of health mailboxes (ID-4) as the address
//! book of mail clients — Thunderbird, Outlook, Apple Mail — for name completion and
//! for finding a recipient's encryption certificate (`userCertificate;binary`, MS-3).
//! Read-only, LDAPv3 (RFC 4511) over implicit TLS (`ldaps`) or StartTLS, binds with
//! the same device credentials as IMAP and SMTP (AU-2).
//!
//! This crate only translates LDAP into service calls: who is listed (never the
//! liste rouge, never a patient), which certificates are served and the traces are
//! the service's (`caduceus_service::address_book`), logins are its one SASL entry.
//! The wire is `ldap3_proto`'s (BER messages, filters, its tokio codec); nothing here
//! parses BER by hand. Logs carry session and account ids only: never a name searched,
//! a DN bound with or a credential.
//!
//! # Choices
//! - **Names**: the naming context is the domain (`dc=caduceus,dc=test`), the base DN
//!   clients are given `ou=directory,dc=caduceus,dc=test`, each mailbox
//!   `mail=<address>,ou=directory,…` ([`names`]).
//! - **Anonymous**: the root DSE (naming context, StartTLS offered) is readable by
//!   anyone, before TLS and before a bind, as clients read it to fill in the base DN
//!   (Apple Mail's and Outlook's search base discovery, `ldapsearch -x -s base -b ""`).
//!   So an anonymous bind (empty name and password) succeeds but logs no one in: any
//!   other search before a real bind is refused (`insufficientAccessRights`, 50),
//!   saying to bind. A name with an empty password is a failed login like any other.
//! - **Binds**: simple, with the address or a DN whose first value is it (`mail=`,
//!   `uid=`, `cn=`) and a device credential; only over TLS (`confidentialityRequired`
//!   before). A refusal is `invalidCredentials` (49), alike whatever went wrong,
//!   after the gate's delay (AU-3).
//!
//! # Layout
//! - [`listener`]: [`serve`], LDAP on the shared listener skeleton (`caduceus-net`:
//!   caps per listener and per source, shutdown deadline).
//! - `session`: one connection — TLS, bind, StartTLS, requests answered in order.
//! - `search`: base and scope over the fixed tree, size limit, attributes asked for.
//! - `filter`: which lookups a filter needs, and whether an entry matches it.
//! - [`entries`]: the entries as LDAP attributes (`inetOrgPerson`), the root DSE.
//! - [`names`]: the directory's DNs for a domain; the user name in a bind DN.
//! - [`config`]: [`LdapConfig`] and [`Limits`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod config;
pub mod entries;
mod filter;
pub mod listener;
pub mod names;
mod search;
mod session;

pub use config::{LdapConfig, Limits};
pub use listener::serve;
