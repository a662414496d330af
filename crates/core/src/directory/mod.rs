//! The national directory extracts and the directory entries built from them (ID-4).
//!
//! The national directory of health professionals (annuaire.sante.fr)
//! publishes two extracts this service imports: the people and their
//! practice sites (`PS_LibreAcces_Personne_activite`), and the mailboxes of
//! the MSSanté trust space (`Extraction_Correspondance_MSSante`). This module
//! reads them line by line, validating every identifier (ID-1) and keeping
//! only what the directory shows (ID-6); computes what a re-import changes;
//! turns mailboxes into the entries the directory serves, with the search
//! rule and their FHIR shape; and generates synthetic extracts for the
//! demo, the tests and the benchmarks. It is pure: the caller reads the
//! files and hands over their lines.
//!
//! # Layout
//!
//! - [`extract`]: the format of the extracts (header mapped by column name,
//!   `|`-separated fields), [`ExtractHeader`], [`read_extract`], and the
//!   errors: [`ExtractError`] for a header, [`LineError`] for a line, with
//!   its number.
//! - [`person`]: [`PersonActivity`], one activity of a professional at a
//!   [`PracticeSite`], read by [`PersonActivityHeader`]; its key
//!   [`PersonActivityKey`].
//! - [`mailbox`]: [`MailboxEntry`], one MSSanté mailbox of a
//!   [`MailboxKind`] belonging to a person and/or a [`StructureRef`], read by
//!   [`MailboxHeader`].
//! - [`values`]: [`Coded`] (a code with its label), and the phone number
//!   shown only with [`Consent`] ([`GatedPhone`], ID-6).
//! - [`fingerprint`]: [`Fingerprint`], the SHA-256 of a record's canonical
//!   encoding.
//! - [`diff`](mod@diff): [`diff()`] of the stored keys and fingerprints
//!   against a new extract, giving [`Changes`]; records are [`Keyed`].
//! - [`entry`]: [`DirectoryEntry`], what the directory shows for one mailbox
//!   (never a patient's), and [`visible_in_search`] (the liste rouge hides).
//! - [`search`](mod@search): [`SearchQuery`] and [`search()`], the search
//!   rule the store reproduces in SQL.
//! - [`fold`](mod@fold): [`fold()`], case- and accent-insensitive text for
//!   comparison.
//! - [`reconcile`](mod@reconcile): the national mailbox file read against this
//!   operator's own mailboxes ([`reconcile::Reconciliation`]).
//! - [`fhir`]: [`DirectoryEntry::to_fhir`], a FHIR R4 `Bundle` of
//!   `Practitioner` and `PractitionerRole`, or `Organization`.
//! - [`synthetic`]: deterministic synthetic extracts with valid check keys,
//!   starting with the demo people; the committed demo fixtures.
//!
//! # Example
//!
//! ```
//! use caduceus_core::directory::{
//!     read_extract, synthetic, DirectoryEntry, MailboxHeader, SearchQuery,
//! };
//! use caduceus_core::Domain;
//!
//! let domain = Domain::parse("caduceus.test")?;
//! let text: String = synthetic::mailbox_extract(42, 20, &domain)
//!     .map(|line| line + "\n")
//!     .collect();
//! let entries: Vec<DirectoryEntry> = read_extract::<MailboxHeader>(&text)?
//!     .map(|line| Ok::<_, Box<dyn std::error::Error>>(DirectoryEntry::from_mailbox(&line?)?))
//!     .collect::<Result<_, _>>()?;
//! let query = SearchQuery { name: Some("MARTIN".into()), place: Some("75".into()), ..Default::default() };
//! let found: Vec<_> = caduceus_core::directory::search(&query, &entries).collect();
//! assert_eq!(found[0].address().as_str(), "alice.martin@caduceus.test");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod diff;
pub mod entry;
pub mod export;
pub mod extract;
pub mod fhir;
pub mod fingerprint;
pub mod fold;
pub mod mailbox;
pub mod person;
pub mod reconcile;
pub mod search;
pub mod synthetic;
pub mod values;

#[cfg(test)]
mod tests;

pub use diff::{Changes, Keyed, diff};
pub use entry::{DirectoryEntry, EntryError, EntryParts, visible_in_search};
pub use extract::{ExtractError, ExtractHeader, LineError, is_blank, read_extract};
pub use fingerprint::{Fingerprint, FingerprintError};
pub use fold::fold;
pub use mailbox::{MailboxEntry, MailboxHeader, MailboxKind, StructureRef};
pub use person::{PersonActivity, PersonActivityHeader, PersonActivityKey, PracticeSite};
pub use search::{SearchQuery, search};
pub use values::{Coded, Consent, GatedPhone};
