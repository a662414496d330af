//! Domain types shared by every Caduceus crate: validated identifiers, mail
//! addresses, redacting secrets and injected time.
//!
//! The crate is pure: no I/O, no async, no global state. Everything that
//! crosses the edge of the server (a registry identifier typed by a
//! registration officer, a recipient in `RCPT TO`, a row read back from the
//! store) is turned into one of these types once, by a validating
//! constructor; past that point an invalid value cannot exist.
//!
//! # Layout
//!
//! - [`ident`]: identifiers from the national registries (requirement ID-1)
//!   and the patient identifier (ID-5). Start with [`NationalId`], the form an
//!   account keeps, then the types it is made of: [`Rpps`], [`Adeli`],
//!   [`Finess`], [`Siret`] (and its [`Siren`]), and [`LocalId`] for staff known
//!   only to the local registry of their structure. [`Ins`] is the patient
//!   identifier; it never prints itself (TR-5). Every parse failure is an
//!   [`IdentError`]. The check-digit helpers are in [`ident::luhn`].
//! - [`address`]: [`Domain`] and [`MailAddress`], and the patient mailbox
//!   convention `<INS>@patient.<operator domain>` ([`AddressKind`]).
//! - [`secret`]: [`Secret`], a wrapper for credentials and keys that redacts
//!   itself in `Debug` and is zeroed on drop.
//! - [`account`]: account kinds and the life cycle ([`AccountState`]:
//!   pending → verified → (announced →, for a patient) active ⇄ suspended → closed, ID-2), the evidence of
//!   a verification, and [`RegistryId`], the identity an account is traced to.
//! - [`enrolment`]: a professional's own registration matched against the national
//!   register extract ([`enrolment::check`], ID-1, seed 004 §7.1).
//! - [`announcement`]: a patient mailbox announced before it opens, six weeks to
//!   object (ID-5, AC-3, seed 003 §7): the opening date, how an announcement ends.
//! - [`contact`]: the out-of-band contact address an account needs to be
//!   activated, outside the trust space ([`check_out_of_band`], ID-2, 004 §7.1); a
//!   new address or phone number the holder gives waits for its code
//!   ([`ContactValue`], [`contact::check_confirmation`], AU-1, MS-7, RT-1).
//! - [`policy`]: the message rules as pure functions returning a [`Refusal`]
//!   that names its requirement (MS-2, MS-12; the patient rules join later).
//! - [`directory`]: the national directory extracts (RPPS people and their
//!   practice sites, MSSanté mailboxes) parsed by header name, the synthetic
//!   extract generator, and the FHIR-shaped entries served to clients (ID-4).
//! - [`display`]: how a letter is shown in the webmail — its HTML sanitised (tables
//!   and colours kept, nothing that acts or loads, [`display::sanitize_html`]) and the
//!   attachment types shown inline ([`display::InlineType`], MS-1).
//! - [`authz`]: the authorization matrix, operation × caller → expected outcome (AC-1).
//! - [`auth`]: the brute-force gate ([`LockoutPolicy`], AU-3), device
//!   credentials for mail clients ([`DeviceCredential`], AU-2), one-time codes.
//! - [`outbound`]: relaying to other operators (MS-16): the retry schedule
//!   ([`RetryPolicy`]), what a peer's reply means ([`ReplyClass`]), and the
//!   delivery status notification ([`Dsn`], RFC 3464).
//! - [`incidents`]: incident detectors over trace facts (TR-3).
//! - [`local_time`]: instants in the time zones of France, for the pages (MS-6).
//! - [`mdn`]: the automatic message disposition notification ([`Mdn`], RFC 8098).
//! - [`at_rest`]: a message split and reassembled around the CMS envelope that keeps
//!   it unreadable at rest to anyone but its recipient (MS-3, MS-4).
//! - [`threading`]: conversations — messages threaded by their ids, then by base
//!   subject (RFC 5256 §2.1), pure (MS-6, issue 22).
//! - [`signed`]: S/MIME `multipart/signed` around the notifications the service
//!   writes, the operator's proof (MS-16).
//! - [`passkey`]: passkeys and phone pairing (AU-1, MS-18): what a passkey is
//!   registered as, the ceremonies' and pairing tokens' lifetimes, single use.
//! - [`password`]: the web-login password strength rule (AU-1).
//! - [`health`]: the patient rules — who may write to whom (MS-8), blocks (MS-10),
//!   opposition (MS-9), subjects that identify a patient (MS-11).
//! - [`alert`]: a health alert's audience (MS-15).
//! - [`absence`]: out-of-office replies (RFC 3834: when one is due, to whom, its
//!   subject) and the signature's place in a letter (RFC 3676 §4.3; MS-6).
//! - [`phone`]: phone numbers for SMS notices ([`PhoneNumber`], RT-1).
//! - [`requirement`]: the requirement ids ([`Requirement`]) refusals and traces name.
//! - [`role`]: staff roles and the duties each holds ([`Role::may`], AC-1).
//! - [`scope`]: where a staff role applies ([`Scope`]: operator-wide, one structure
//!   for a registration authority, one region for an alert sender; [`Role::accepts`]).
//! - [`region`]: the 18 regions of France and their 101 departments ([`Region`], MS-15).
//! - [`flag`]: the message flags a user may set ([`is_valid_flag`]).
//! - [`forwarding`]: automatic forwarding stays in the trust space (MS-17).
//! - [`personal`]: personal messages and folders, hidden from administrative views
//!   (MS-14).
//! - [`folder`]: the folder names a user may give ([`check_folder_name`], MS-6).
//! - [`object_id`]: the stable, opaque ids mail clients keep for folders and
//!   messages ([`object_id::ObjectId`], RFC 8474, MS-6).
//! - [`sasl`]: the SASL messages carrying a device credential (PLAIN, LOGIN), as
//!   SMTP and IMAP receive them.
//! - [`clock`]: [`Timestamp`] and the [`Clock`] trait, so that retention,
//!   expiry and lockouts read time from an injected source
//!   ([`SystemClock`] in production, [`ManualClock`] in tests).
//!
//! Every public type is re-exported here, so callers write
//! `caduceus_core::Rpps` rather than `caduceus_core::ident::Rpps`.
//!
//! # Example
//!
//! ```
//! use caduceus_core::{AddressKind, Domain, Ins, MailAddress, NationalId, Registry};
//!
//! let id: NationalId = "810003090833".parse()?;
//! assert_eq!(id.registry(), Registry::Rpps);
//! assert!(id.is_person());
//!
//! let operator = Domain::parse("hopital.example")?;
//! let ins = Ins::parse("2 95 10 99 126 111 93")?;
//! let mailbox = MailAddress::patient(&ins, &operator)?;
//! assert_eq!(mailbox.as_str(), "295109912611193@patient.hopital.example");
//! assert_eq!(mailbox.classify(&operator)?, AddressKind::Patient(ins));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Implements `FromStr`, `TryFrom<String>` and `TryFrom<&str>` for a type
/// with a validating `parse(&str) -> Result<Self, $err>`.
macro_rules! parse_conversions {
    ($ty:ident, $err:ty) => {
        impl ::std::str::FromStr for $ty {
            type Err = $err;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $err;

            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $err;

            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }
    };
}

/// Declares a closed set of codes: an enum whose variants each stand for one fixed
/// code (`as_str`, `Display`, `parse`, `FromStr`, `ALL`), so that what is stored or
/// traced is a code and never free text (TR-5).
#[macro_export]
macro_rules! codes {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The code stored and traced.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            /// The value of a code.
            pub fn parse(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.as_str() == code)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        /// A code as typed (a command-line argument, a setting); the error lists the
        /// codes there are.
        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(code: &str) -> Result<Self, String> {
                Self::parse(code).ok_or_else(|| {
                    let codes: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                    format!("one of {}", codes.join(", "))
                })
            }
        }
    };
}

pub mod absence;
pub mod account;
pub mod address;
pub mod alert;
pub mod announcement;
pub mod at_rest;
pub mod auth;
pub mod authz;
pub mod breach;
pub mod card;
pub mod clock;
pub mod contact;
pub mod directory;
pub mod display;
pub mod enrolment;
pub mod flag;
pub mod folder;
pub mod forwarding;
pub mod health;
pub mod ident;
pub mod incidents;
pub mod local_time;
pub mod mdn;
pub mod object_id;
pub mod outbound;
pub mod passkey;
pub mod password;
pub mod personal;
pub mod phone;
pub mod policy;
pub mod rate;
pub mod region;
pub mod representation;
pub mod requirement;
pub mod role;
pub mod sasl;
pub mod scope;
pub mod secret;
pub mod signed;
pub mod threading;

pub use account::{
    AccountKind, AccountState, Evidence, RegistryId, RegistryIdError, TransitionError, UnknownName,
};
pub use flag::{FlagChange, is_valid_flag};
pub use folder::{FolderNameError, check_folder_name};
pub use mdn::Mdn;
pub use outbound::{
    Dsn, DsnAction, RELAY_RECEIPT_LIFETIME, ReplyClass, RetryPolicy, has_header, header_section,
    relay_receipt, without_header,
};
pub use password::{PasswordError, check_password_strength};
pub use phone::{PhoneError, PhoneNumber};
pub use policy::{
    DeliveryFacts, RecipientStatus, Refusal, check_delivery, check_recipient, check_recipient_count,
};
pub use rate::RateLimit;
pub use region::Region;
pub use requirement::Requirement;
pub use role::{Duty, Role};
pub use scope::{Scope, ScopeError};

pub use address::{AddressError, AddressKind, Domain, MailAddress, PatientAddressError};
pub use auth::{DeviceCredential, FailureOutcome, FailureState, Gate, LockoutPolicy, OneTimeCode};
pub use clock::{Clock, ManualClock, SystemClock, Timestamp, days};
pub use contact::{ContactChannel, ContactValue, check_out_of_band};
pub use directory::{
    DirectoryEntry, ExtractError, ExtractHeader, Fingerprint, LineError, MailboxEntry,
    MailboxHeader, MailboxKind, PersonActivity, PersonActivityHeader, SearchQuery, StructureRef,
};
pub use ident::{
    Adeli, Finess, IdentError, Ins, LocalId, NationalId, Registry, Rpps, Siren, Siret, StructureId,
};
pub use secret::{Secret, SecretString};
