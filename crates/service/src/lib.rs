//! The use cases of Caduceus: the only way the front ends (SMTP, IMAP, web, CLI) touch
//! data. Every rule is asked of `caduceus-core`, every action is traced in the same
//! transaction as its effect (TR-1), every refusal names its requirement.
//!
//! # Layout
//! - [`Service`] (this file): the handle the front ends hold — a store, a clock, the
//!   operator's settings.
//! - [`actor`]: who acts ([`Actor`]) and from where ([`Caller`]); how they appear in
//!   traces (the physical person, and the organisational mailbox acted for, ID-3).
//! - [`accounts`]: create, verify, activate, suspend, close accounts (ID-1, ID-2, RT-2);
//!   [`enrolment`]: a professional registers themselves with a card or Pro Santé
//!   Connect, matched against the national register (ID-1, seed 004 §7.1);
//!   set passwords.
//! - [`announcements`]: a patient mailbox announced before it opens, six weeks to
//!   object through a link or at the counter, opened by the periodic job (ID-5, AC-3,
//!   seed 003 §7).
//! - [`auth`]: logins (password + TOTP or emailed code, certificate, device
//!   credential, passkey) behind the brute-force gate; TOTP and device enrollment
//!   (AU-1..AU-3); passkeys (`auth::passkey`: the WebAuthn relying party, ceremonies
//!   kept in the store, shared by the nodes) and phone pairing by a one-time token (MS-18);
//!   a new contact address or phone number the user gives confirmed by the code sent to
//!   it before it is used (`auth::confirm`, AU-1, MS-7, RT-1).
//! - [`federation`]: logins with an OpenID provider's access token (SASL
//!   OAUTHBEARER / XOAUTH2, AU-4), checked by a [`federation::TokenVerifier`].
//! - [`directory`]: import the national extracts (difference on re-import), search,
//!   holders' choices (ID-4); [`directory_export`]: this operator's mailboxes written
//!   as a national extract (ID-4, seed 004 §7.4).
//! - [`address_book`]: the directory as mail clients and practice software look it
//!   up (API, LDAP): listed entries only, the certificates of this operator's
//!   mailboxes ([`address_book::CertificateSource`]), every lookup traced (ID-4, TR-1).
//! - [`certificates`]: certificates for keys the holder made, signed from their
//!   request ([`certificates::CertificateIssuer`], MS-3).
//! - [`signatures`]: whether a received message's S/MIME signature holds and whether
//!   its signer is a verified account of the trust space (MS-16;
//!   [`signatures::SignatureChecker`]).
//! - [`at_rest`]: copies enveloped to their holder's certificate before they are
//!   sealed, for the holders who ask (MS-3, MS-4; [`at_rest::Envelope`]).
//! - [`absence`]: out-of-office replies (RFC 3834) and the signature, set by their
//!   holder, kept sealed; a reply sent for each delivery that is due one (MS-6).
//!   `automatic`: the one path of every automatic message (MDNs, forwarded copies,
//!   out-of-office replies): delivered here or queued in the trust space (MS-5).
//! - [`people`]: the names a page shows for its addresses, in one lookup: the
//!   directory's listed entries, patients marked, other accounts by name (ID-4).
//! - [`display`]: a letter as the webmail shows it — its HTML sanitised, its own
//!   images inlined, or its text escaped ([`display::LetterHtml`], MS-1); reading it
//!   is a read of the message (TR-1).
//! - [`submit`]: a logged-in user sends, as themself or an organisational mailbox
//!   they are a delegate of (ID-3); recipients checked as they are named (MS-2);
//!   recipients at other operators of the trust space queued (MS-5, MS-4).
//! - [`compose`]: a message written from fields (the webmail's form, the API's
//!   `POST /messages`) built, submitted and kept in Sent ([`compose::Letter`]).
//! - [`drafts`]: a letter being written kept in the Drafts folder, one draft per
//!   letter, removed once sent ([`drafts::Draft`], issue 22).
//! - [`access_log`]: who accessed a patient's data (TR-4, AC-3), the first-access
//!   notice.
//! - [`patients`]: the patient rules at delivery (MS-8 … MS-11), blocks and
//!   opposition; [`known_patients`]: the patients a professional exchanged with,
//!   found by name (issue 22).
//! - [`peers`]: whether a peer operator may relay mail from a domain (MS-5), asked
//!   of the trust list the relay keeps ([`peers::PeerTrust`]).
//! - [`sasl`]: the one SASL login entry SMTP and IMAP call ([`sasl::SaslLogin`] →
//!   [`auth::Authenticated`] or a typed [`sasl::SaslRefusal`]).
//! - [`relay`]: what a relay attempt to another operator means (delivered, retry,
//!   failed, expired), the delivery status notification to the sender, the delivery
//!   state a sender asks for (MS-16).
//! - [`quota`]: storage per account against its quota ([`quota::Usage`]).
//! - `rates`: sending rates per mailbox and per peer operator (MS-13).
//! - [`recipients`]: recipients at other operators checked against the imported
//!   national directory (MS-2).
//! - [`notify`]: what is sent to a user's out-of-band address ([`notify::Notifier`]).
//! - [`new_mail`]: the new-mail notice an owner may ask for (MS-7), sent after delivery.
//! - [`mdn`]: automatic disposition notifications (RFC 8098, MS-16).
//! - [`proof`]: the operator's S/MIME signature on the notifications it writes
//!   ([`proof::ReportSigner`], MS-16).
//! - [`metrics`]: the operator's figures (messages accepted and refused by reason,
//!   latency, logins), through the `metrics` facade.
//! - [`messages`]: deliver to local mailboxes through the policy (MS-2), list, read,
//!   flag, delete (RT-3), with the access checks (AC-1, ID-3).
//! - [`conversations`]: a mailbox's messages threaded (ids, then base subject),
//!   grouped by the patient they concern (MS-6, issue 22): the webmail's conversations.
//! - [`listing`]: a page of a folder, or of a search across folders, sorted by date,
//!   sender or subject (MS-6): the webmail's list.
//! - [`folders`]: what mail clients do in batches — a folder's state, reads and peeks
//!   of many messages with one trace commit, flags, expunge, append.
//! - [`listing_cache`]: a mail client's listing (ENVELOPE, BODYSTRUCTURE) answered
//!   from the structures of contents already opened, kept in memory by content id
//!   and bounded in bytes; still checked and traced per message (AC-1, TR-1, TR-4),
//!   evicted when the message is deleted (RT-3).
//! - [`ingest`]: the metadata computed once when a message enters (sealed with it),
//!   with the IMAP ENVELOPE, BODYSTRUCTURE and part offsets ([`ingest::structure`]).
//! - [`antivirus`]: every message scanned by clamd before it is accepted (MS-13)
//!   ([`antivirus::Scanner`], [`antivirus::Clamd`]).
//! - [`inactivity`]: warnings and deletion of inactive mailboxes, objections (RT-1).
//! - [`incidents`]: the incident detectors run over the trace (TR-3).
//! - [`breaches`]: the personal-data breach register (TR-6): record, assess, notify,
//!   close, the 72-hour deadline.
//! - [`representatives`]: a patient's parents and guardians, who act for the patient
//!   while in force (ID-7).
//! - [`mandates`]: the mailboxes a person may act for besides their own (the
//!   organisations they are a delegate of, the patients they represent), and one
//!   opened by its address (ID-3, ID-7).
//! - [`rights`]: the holder's rights over their account (AC-3): directory choices,
//!   a correction request to the registration authority, the account's data export,
//!   closing it.
//! - [`jobs`]: the scheduled jobs `serve` runs, one node at a time (TR-2 purge).
//! - [`console`]: the `caduceus` command's login — a staff member's console session, or
//!   the bootstrap operator until the first staff role (AC-2, TR-1).
//! - [`sessions`]: web and API sessions after a strong login, idempotency keys of
//!   API sends (MS-18).
//! - [`forwarding`]: automatic forwarding rules, inside the trust space (MS-17).
//! - [`health_alerts`]: health alert broadcasts to directory members (MS-15).
//! - [`personal`]: personal folders, and administrative views without personal items
//!   (MS-14).
//! - [`scope`]: staff roles limited to a structure or a region (AC-1): which accounts
//!   belong to a structure, the checks and lists that keep a scoped role within it.
//! - [`staff`]: staff roles (registration authority, administrator, auditor), the
//!   caller each acts as, the auditor's view of the traces (AC-1, AC-2).
//! - [`terms`]: the terms of use, accepted before use (IN-1): the operator's, or those
//!   shipped in `terms/terms-of-use.txt` (French and English) with the operator's facts.
//! - [`traces`]: verify the trace chain and purge past retention (TR-1, TR-2).
//! - [`error`]: [`ServiceError`], which front ends map to their own replies.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod absence;
pub mod access_log;
pub mod accounts;
pub mod actor;
pub mod address_book;
pub mod announcements;
pub mod antivirus;
pub mod at_rest;
pub mod auth;
mod automatic;
pub mod breaches;
pub mod certificates;
pub mod compose;
pub mod console;
pub mod conversations;
pub mod directory;
pub mod directory_export;
pub mod display;
pub mod drafts;
pub mod enrolment;
pub mod error;
pub mod federation;
pub mod folders;
pub mod forwarding;
pub mod health_alerts;
pub mod inactivity;
pub mod incidents;
pub mod ingest;
pub mod jobs;
pub mod known_patients;
pub mod listing;
pub mod listing_cache;
pub mod mandates;
pub mod mdn;
pub mod messages;
pub mod metrics;
pub mod new_mail;
pub mod notify;
pub mod patients;
pub mod peers;
pub mod people;
pub mod personal;
pub mod proof;
pub mod quota;
mod rates;
pub mod recipients;
pub mod relay;
pub mod representatives;
pub mod rights;
pub mod sasl;
pub mod scope;
pub mod sessions;
pub mod signatures;
pub mod staff;
pub mod submit;
pub mod terms;
pub mod traces;

use std::sync::Arc;

use caduceus_core::{Clock, Domain, MailAddress};
use caduceus_store::Store;

pub use actor::{Actor, Caller, Desk};
pub use console::ConsoleLogin;
pub use error::ServiceError;

/// The records the service answers in (ids, folders, summaries, reports, the storage
/// error kinds), so that front ends speak them without depending on the store: they
/// reach data only through the service, which applies the rules and writes the traces.
pub mod model {
    pub use caduceus_store::{
        Account, AccountId, Broadcast, CorrectionRequest, DeviceId, DirectoryPreferences, Mailbox,
        MailboxId, MessageId, MessageSummary, Passkey, PasskeyId, StoreError,
    };
}

/// Operator settings the use cases need.
#[derive(Clone, Debug)]
pub struct ServiceConfig {
    /// The operator's mail domain; patient mailboxes live at `patient.<domain>` (ID-5).
    pub domain: Domain,
    /// Largest accepted message, in bytes.
    pub max_message_size: usize,
    /// Most recipients per message (MS-12).
    pub max_recipients: usize,
    /// Traces older than this many days are purged (TR-2, at most 365).
    pub trace_retention_days: u32,
    /// When relaying to other operators is retried and given up (MS-16).
    pub retry: caduceus_core::RetryPolicy,
    /// Messages a mailbox may submit (MS-13); `None`: no limit.
    pub account_rate: Option<caduceus_core::RateLimit>,
    /// Messages a peer operator may relay to us (MS-13); `None`: no limit.
    pub peer_rate: Option<caduceus_core::RateLimit>,
    /// At most one new-mail notice per account in this period (MS-7).
    pub new_mail_quiet: std::time::Duration,
    /// Storage of one account in bytes, all folders together; `None`: no quota.
    pub mailbox_quota: Option<u64>,
    /// The operator's terms of use, if any (IN-1).
    pub terms: Option<terms::Terms>,
    /// Thresholds of the incident detectors (TR-3).
    pub incident_thresholds: caduceus_core::incidents::Thresholds,
    /// Where incidents are sent (the security officer), if anywhere.
    pub security_contact: Option<MailAddress>,
    /// How long a closed account's data is kept before it is deleted for good (RT-2);
    /// zero: at once.
    pub closure_grace: std::time::Duration,
    /// How long a closed patient's data is kept, unless the patient asks for its
    /// deletion (RT-2, seed 003 §4: ten years); zero: as anyone else's.
    pub patient_retention: std::time::Duration,
    /// How long a patient mailbox is announced before it opens, for the patient to
    /// object (ID-5, AC-3; seed 003 §7: six weeks).
    pub patient_announcement: std::time::Duration,
    /// Inactivity after which a mailbox is deleted (RT-1, at most 365 days); `None`:
    /// never.
    pub inactivity: Option<std::time::Duration>,
    /// A relayed message whose subject identifies a patient (MS-11) is delivered with a
    /// warning header (`true`) rather than refused; submissions are always refused.
    pub flag_relayed_subjects: bool,
    /// When the imported national directory is older than this, a recipient at another
    /// operator it does not list is accepted unchecked (logged) rather than refused
    /// (MS-2); `None`: always refused.
    pub unlisted_recipients_after: Option<std::time::Duration>,
    /// Health professionals log in with a card only (AU-5); `None`: two factors for
    /// everyone.
    pub card_only: Option<caduceus_core::card::CardOnly>,
}

/// The service layer: cheap to clone, shared by every front end.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    config: Arc<ServiceConfig>,
    notifier: Arc<dyn notify::Notifier>,
    /// Scans every delivered message (MS-13); `None` scans nothing (the binary
    /// decides whether one is required).
    scanner: Option<Arc<dyn antivirus::Scanner>>,
    /// Checks OpenID access tokens (AU-4); `None` accepts none.
    token_verifier: Option<Arc<dyn federation::TokenVerifier>>,
    /// The MSSanté trust list (MS-5): which peers may relay to us, which domains we
    /// may relay to. `None` trusts nobody.
    trust: Option<Arc<dyn peers::PeerTrust>>,
    /// Each sender's place under its sending rate (MS-13), shared by the clones.
    rates: Arc<rates::Rates>,
    /// The public key of the trace checkpoints, for the auditor's view (TR-1).
    trace_key: Option<caduceus_audit::VerifyingKey>,
    /// When the national directory was last imported, as last read (MS-2).
    last_import: Arc<recipients::LastImport>,
    /// The login attempts being checked on this node (AU-3).
    in_flight: Arc<auth::InFlight>,
    /// The certificates of this operator's mailboxes, served with the directory
    /// (ID-4, MS-3); `None` serves none.
    certificates: Option<Arc<dyn address_book::CertificateSource>>,
    /// The certificate authority signing holders' requests (MS-3); `None` signs none.
    issuer: Option<Arc<dyn certificates::CertificateIssuer>>,
    /// Signs the notifications the service writes (MS-16); `None` leaves them unsigned.
    report_signer: Option<Arc<dyn proof::ReportSigner>>,
    /// Envelopes copies to their holders' certificates (MS-3); `None` envelopes none.
    envelope: Option<Arc<dyn at_rest::Envelope>>,
    /// Checks received messages' S/MIME signatures (MS-16); `None` shows none.
    signatures: Option<Arc<dyn signatures::SignatureChecker>>,
    /// The passkeys' relying party (AU-1, MS-18; its ceremonies are in the store);
    /// `None` offers no passkeys.
    passkeys: Option<Arc<auth::Relying>>,
    /// The structures of the contents listed lately, kept in memory (issue 20 item 4;
    /// RT-3: see [`listing_cache`]).
    listing_cache: Arc<listing_cache::ListingCache>,
}

impl Service {
    /// Builds the service over a store and a clock (injected, so time can be moved in tests).
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, config: ServiceConfig) -> Self {
        Self {
            store,
            clock,
            config: Arc::new(config),
            notifier: Arc::new(notify::NoNotifier),
            scanner: None,
            token_verifier: None,
            trust: None,
            rates: Arc::default(),
            trace_key: None,
            last_import: Arc::default(),
            in_flight: Arc::default(),
            certificates: None,
            issuer: None,
            report_signer: None,
            envelope: None,
            signatures: None,
            passkeys: None,
            listing_cache: Arc::new(listing_cache::ListingCache::new(
                listing_cache::DEFAULT_BYTES,
            )),
        }
    }

    /// The same service keeping at most `bytes` of listed structures in memory
    /// ([`listing_cache`]; 0 keeps none: every listing opens every message).
    pub fn with_listing_cache(mut self, bytes: u64) -> Self {
        self.listing_cache = Arc::new(listing_cache::ListingCache::new(bytes));
        self
    }

    /// The same service sending notices (login codes) through `notifier`.
    pub fn with_notifier(mut self, notifier: Arc<dyn notify::Notifier>) -> Self {
        self.notifier = notifier;
        self
    }

    /// The same service scanning every message with `scanner` before it is accepted
    /// (MS-13): infected messages are refused, and none is accepted while the scanner
    /// cannot answer. Without one, messages are not scanned.
    pub fn with_scanner(mut self, scanner: Arc<dyn antivirus::Scanner>) -> Self {
        self.scanner = Some(scanner);
        self
    }

    /// The same service accepting OpenID access tokens checked by `verifier` (AU-4).
    pub fn with_token_verifier(mut self, verifier: Arc<dyn federation::TokenVerifier>) -> Self {
        self.token_verifier = Some(verifier);
        self
    }

    /// The same service checking peers and remote domains against `trust` (MS-5),
    /// typically the relay's reloadable trust list.
    pub fn with_trust_list(mut self, trust: Arc<dyn peers::PeerTrust>) -> Self {
        self.trust = Some(trust);
        self
    }

    /// The same service able to check the trace chain against `key`, the public key
    /// of its checkpoints ([`Service::verify_trace_chain`]).
    pub fn with_trace_key(mut self, key: caduceus_audit::VerifyingKey) -> Self {
        self.trace_key = Some(key);
        self
    }

    /// Whether messages are scanned (a scanner was configured, MS-13).
    pub fn scanner_configured(&self) -> bool {
        self.scanner.is_some()
    }

    /// Whether the antivirus answers (for `/healthz`): `Ok` when it does, or when
    /// none is configured (see [`Service::scanner_configured`]).
    pub async fn antivirus_health(&self) -> Result<(), ServiceError> {
        match &self.scanner {
            Some(scanner) => scanner
                .ping()
                .await
                .map_err(|e| ServiceError::Unavailable(format!("antivirus unavailable ({e})"))),
            None => Ok(()),
        }
    }

    /// The service's clock (injected in tests): front ends date what they build with it.
    pub fn now(&self) -> caduceus_core::Timestamp {
        self.clock.now()
    }

    /// The injected clock's time in unix milliseconds, for trace events.
    pub(crate) fn now_ms(&self) -> i64 {
        self.clock.now().as_millis()
    }

    /// Whether storage answers (for `/healthz`).
    pub async fn health(&self) -> Result<(), ServiceError> {
        Ok(self.store.ping().await?)
    }

    /// The operator settings.
    pub fn config(&self) -> &ServiceConfig {
        &self.config
    }
}
