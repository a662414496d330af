//! The directory as mail clients and practice software look it up (ID-4): the API's
//! FHIR search and certificate route and the LDAP address book ask the same use cases,
//! with one rule for what they may see.
//!
//! - **Who is listed**: the entries a search may show — never one on the liste rouge,
//!   whether the national extract or the holder's own choice put it there; patients are
//!   never in the directory (`caduceus_core::directory::DirectoryEntry` cannot hold a
//!   patient address).
//! - **Certificates**: the S/MIME certificates a sender encrypts to (MS-3), served for
//!   the listed mailboxes of this operator's domain whose account is active, from the
//!   [`CertificateSource`] the binary plugs in (the development PKI's `pki/users/`
//!   today). A mailbox of another operator of the trust space is found in the
//!   directory, but its certificates are that operator's to publish.
//! - **Traces**: every lookup is traced for the person who made it (`directory.search`,
//!   TR-1) with the number of entries found, never the words searched (TR-5).

use std::sync::Arc;

use async_trait::async_trait;
use caduceus_audit::{Action, Counter, Detail, DirectoryPart, Fact, Id, Object};
use caduceus_core::directory::{DirectoryEntry, SearchQuery, visible_in_search};
use caduceus_core::{AccountState, MailAddress, Requirement};

use crate::Service;
use crate::actor::Caller;
use crate::directory::MAX_RESULTS;
use crate::error::{Result, ServiceError};

/// Where the certificates of this operator's mailboxes are kept.
#[async_trait]
pub trait CertificateSource: Send + Sync {
    /// The DER certificates kept for `address`, empty when it has none.
    async fn certificates(&self, address: &MailAddress) -> std::io::Result<Vec<Vec<u8>>>;
}

/// A listed directory entry, with its certificates when they were asked for.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The entry, as the directory shows it.
    pub entry: DirectoryEntry,
    /// DER certificates of the mailbox (see the module documentation); empty when
    /// none were asked for or none are served.
    pub certificates: Vec<Vec<u8>>,
}

/// What a search found.
#[derive(Debug, Default)]
pub struct Listing {
    /// The entries, at most [`MAX_RESULTS`].
    pub entries: Vec<Listed>,
    /// More entries matched than [`MAX_RESULTS`]: the caller should narrow the search.
    pub truncated: bool,
}

impl Service {
    /// The same service serving the certificates `source` keeps (see the module
    /// documentation). Without one, no certificate is served.
    pub fn with_certificates(mut self, source: Arc<dyn CertificateSource>) -> Self {
        self.certificates = Some(source);
        self
    }

    /// Searches the directory for a logged-in caller (ID-4): the listed entries the
    /// query matches, their certificates with `with_certificates`. Traced (TR-1).
    pub async fn find_in_directory(
        &self,
        caller: &Caller,
        query: &SearchQuery,
        with_certificates: bool,
    ) -> Result<Listing> {
        let mut entries = self.search_rows(query, MAX_RESULTS + 1).await?;
        let truncated = entries.len() > MAX_RESULTS as usize;
        entries.truncate(MAX_RESULTS as usize);
        let mut listing = Listing {
            entries: Vec::with_capacity(entries.len()),
            truncated,
        };
        for entry in entries {
            listing
                .entries
                .push(self.listed(entry, with_certificates).await?);
        }
        self.trace_lookup(caller, listing.entries.len()).await?;
        Ok(listing)
    }

    /// One listed entry by address for a logged-in caller, with its certificates
    /// when asked: `None` for an address not in the directory, on the liste rouge,
    /// or a patient's (ID-4). Traced (TR-1).
    pub async fn find_listed(
        &self,
        caller: &Caller,
        address: &MailAddress,
        with_certificates: bool,
    ) -> Result<Option<Listed>> {
        let found = match self.directory_entry(address).await? {
            Some(entry) if self.is_listed(&entry).await? => {
                Some(self.listed(entry, with_certificates).await?)
            }
            _ => None,
        };
        self.trace_lookup(caller, usize::from(found.is_some()))
            .await?;
        Ok(found)
    }

    /// Whether the entry may be shown ([`Service::shown_in_directory`]), its holder's
    /// choice read.
    async fn is_listed(&self, entry: &DirectoryEntry) -> Result<bool> {
        let address = entry.address().as_str();
        let chosen = self.store.directory_preferences(address).await?.liste_rouge;
        Ok(Self::shown_in_directory(entry, chosen))
    }

    /// Whether an entry may be shown to anyone but its holder: visible in search by
    /// its extract and not hidden by its holder's choice, `chosen_liste_rouge` (ID-4).
    pub(crate) fn shown_in_directory(entry: &DirectoryEntry, chosen_liste_rouge: bool) -> bool {
        visible_in_search(entry) && !chosen_liste_rouge
    }

    /// The entry with the certificates it is served with, if asked.
    async fn listed(&self, entry: DirectoryEntry, with_certificates: bool) -> Result<Listed> {
        let certificates = if with_certificates {
            self.served_certificates(entry.address()).await?
        } else {
            Vec::new()
        };
        Ok(Listed {
            entry,
            certificates,
        })
    }

    /// The certificates served for a listed mailbox: this operator's, of an active
    /// account, from the certificate source.
    async fn served_certificates(&self, address: &MailAddress) -> Result<Vec<Vec<u8>>> {
        if self.certificates.is_none() || address.domain() != &self.config.domain {
            return Ok(Vec::new());
        }
        match self.store.account_by_address(address).await? {
            Some(account) if account.state == AccountState::Active => {}
            _ => return Ok(Vec::new()),
        }
        self.certificates_of(address).await
    }

    /// The certificates the source keeps for `address`, whoever holds it (none without
    /// a source): what the directory serves, what encryption at rest envelopes to.
    pub(crate) async fn certificates_of(&self, address: &MailAddress) -> Result<Vec<Vec<u8>>> {
        match &self.certificates {
            Some(source) => source.certificates(address).await.map_err(|error| {
                ServiceError::Unavailable(format!("certificates unreadable ({error})"))
            }),
            None => Ok(Vec::new()),
        }
    }

    async fn trace_lookup(&self, caller: &Caller, found: usize) -> Result<()> {
        let mut trace = caller.event(
            self.now_ms(),
            Action::DirectorySearch,
            Object::of(Id::Directory(DirectoryPart::Mailboxes)),
        );
        trace.detail =
            Some(Detail::of(Requirement::Id4).and(Fact::Count(Counter::Found, found as u64)));
        Ok(self.store.append_traces(&[trace]).await?)
    }
}
