//! Storage for Caduceus: the [`Store`] trait and its SQL backends, sealing at rest,
//! blobs and the keyring.
//!
//! # Layout
//! - [`Store`] (this file): every operation the service layer needs, in domain terms
//!   (accounts, mailboxes, messages, traces). Each mutating call takes the trace
//!   events that record it and writes them in the same transaction (TR-1).
//! - [`model`]: the records ([`Account`], [`Mailbox`], [`MessageSummary`]...).
//! - [`registration`]: a professional's own registration as kept ([`NewRegistration`],
//!   [`RegistrationRequest`], ID-1).
//! - [`seal`]: the key hierarchy (master key → account key → message key) and the
//!   AEAD envelope (MS-4); `xchacha`: its XChaCha20-Poly1305, on ring's ChaCha20-Poly1305.
//! - `sql`: [`SqlStore`], one implementation over sqlx's `Any` driver for both
//!   backends: SQLite (embedded default, WAL, one data directory) and PostgreSQL
//!   (scale-out). Dialect differences live in `sql::db::Backend`; the schema is a
//!   list of numbered migrations per backend (`schema/<backend>/NNNN_*.sql`), applied
//!   and recorded by `sql::migrate` when the store opens ([`SchemaStatus`],
//!   [`SchemaUpgrade`], docs/upgrades.md). Deliveries go through a group commit
//!   (`sql::commit`): those that arrive together share one transaction and one sync,
//!   each answered after that commit, written once against `sql::exec::Statements`
//!   for both drivers. On SQLite three paths leave sqlx for rusqlite connections of
//!   the store's own, because sqlx hands every statement and row to a worker thread
//!   and back, which cost more than SQLite itself: the batch reads of FETCH
//!   (`sql::sqlite_reads`, on a blocking thread), the group commit's transactions (on
//!   one blocking thread per group) and the point reads of a delivery
//!   (`Db::read_optional`, on the calling thread; both `sql::sqlite_direct`).
//! - [`listing`]: what a listing answered from the service's listing cache reads
//!   ([`PresentMessage`]: the rows still in a folder, their content ids).
//! - [`passkey`]: passkeys, phone pairing tokens and WebAuthn ceremonies under way
//!   (AU-1, MS-18), the [`PasskeyStore`] part of the [`Store`].
//! - [`contact`]: contact addresses and phone numbers waiting for their code, sealed
//!   (AU-1, MS-7, RT-1), the [`ContactConfirmationStore`] part of the [`Store`].
//! - [`absence`]: out-of-office settings, signatures (sealed) and the senders an
//!   absence answered (MS-6, RFC 3834), the [`AbsenceStore`] part of the [`Store`].
//! - [`retention`]: every table, what it holds and how long it is kept (TR-2, RT-2),
//!   checked against the schema files.
//! - `keyring`: wrapped account and message keys, kept in their own database so a
//!   deletion destroys the only usable key (RT-3); `blob`: sealed bodies as files
//!   (SQLite) or rows (PostgreSQL).
//!
//! Start with [`SqlStore::open`] and the [`Store`] trait. The conformance suite in
//! `tests/conformance/` runs unchanged against both backends.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod absence;
mod blob;
mod changes;
pub mod contact;
mod error;
mod keyring;
pub mod listing;
pub mod model;
pub mod passkey;
pub mod registration;
pub mod retention;
pub mod seal;
mod sql;
mod xchacha;

use async_trait::async_trait;
use caduceus_audit::{Checkpoint, Entry, Event};
use caduceus_core::enrolment::RegisterRecord;
use caduceus_core::{
    AccountState, FailureState, FlagChange, MailAddress, OneTimeCode, PhoneNumber, RegistryId,
    Timestamp,
};

pub use absence::AbsenceStore;
pub use contact::{ContactConfirmation, ContactConfirmationStore, NewContactConfirmation};
pub use error::{Result, StoreError};
pub use listing::PresentMessage;
pub use model::*;
pub use passkey::{
    NewCeremony, NewPasskey, PairingToken, Passkey, PasskeyId, PasskeyStore, PendingCeremony,
};
pub use registration::{Confirmation, NewRegistration, RegistrationRequest};
pub use seal::{MasterKey, SealError};
pub use sql::{Backend, Database, SchemaState, SchemaStatus, SchemaUpgrade, SqlStore, StoreConfig};

/// A fresh queue reference for [`Outbound::queue_ref`]: 128 random bits in hex.
pub fn new_queue_ref() -> String {
    seal::random_id()
}

/// Everything the service layer asks of storage, in domain terms.
///
/// Mutating calls take the trace events recording them and commit both together, so
/// an action is never without its trace (TR-1). Reads that are traced (opening a
/// message body) take their event too.
#[async_trait]
pub trait Store: PasskeyStore + AbsenceStore + ContactConfirmationStore + Send + Sync {
    /// Checks that the database answers.
    async fn ping(&self) -> Result<()>;
    /// Creates an account with its default folders (MS-6), state `pending`.
    async fn create_account(&self, new: &NewAccount, trace: &Event) -> Result<Account>;
    /// One account by id.
    async fn account(&self, id: AccountId) -> Result<Account>;
    /// One account by address, if it exists.
    async fn account_by_address(&self, address: &MailAddress) -> Result<Option<Account>>;
    /// The accounts of `addresses` that exist, in one lookup.
    async fn accounts_by_address(&self, addresses: &[MailAddress]) -> Result<Vec<Account>>;
    /// Every account, by id.
    async fn accounts(&self) -> Result<Vec<Account>>;
    /// Records a registration authority's verification and moves a pending account to
    /// `verified` (ID-2).
    async fn record_verification(
        &self,
        id: AccountId,
        verification: &Verification,
        trace: &Event,
    ) -> Result<Account>;
    /// The verifications recorded for an account, oldest first (ID-2).
    async fn verifications(&self, id: AccountId) -> Result<Vec<Verification>>;
    /// Sets the life-cycle state; the caller has checked the transition.
    async fn set_account_state(
        &self,
        id: AccountId,
        state: AccountState,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()>;
    /// Turns encryption at rest to the holder's certificate on from `since`, or off
    /// with `None` (MS-3); traced.
    async fn set_encrypt_at_rest(
        &self,
        id: AccountId,
        since: Option<Timestamp>,
        trace: &Event,
    ) -> Result<()>;
    /// Stores a password hash (never a password).
    async fn set_password_hash(&self, id: AccountId, hash: &str, trace: &Event) -> Result<()>;
    /// The stored password hash, if any.
    async fn password_hash(&self, id: AccountId) -> Result<Option<String>>;
    /// Makes `delegate` a delegate of the organisational mailbox `organisation` (ID-3).
    async fn add_delegate(
        &self,
        organisation: AccountId,
        delegate: AccountId,
        trace: &Event,
    ) -> Result<()>;
    /// Withdraws a delegation (ID-3); withdrawing one that does not exist is not an error.
    async fn remove_delegate(
        &self,
        organisation: AccountId,
        delegate: AccountId,
        trace: &Event,
    ) -> Result<()>;
    /// The delegates of an organisational mailbox.
    async fn delegates(&self, organisation: AccountId) -> Result<Vec<AccountId>>;
    /// The organisational mailboxes `delegate` is a delegate of (ID-3), by id.
    async fn delegated_to(&self, delegate: AccountId) -> Result<Vec<AccountId>>;
    /// Destroys an account and all its data: keys first, so that no copy of the data
    /// can be opened afterwards (RT-2, RT-3).
    async fn destroy_account(&self, id: AccountId, trace: &Event) -> Result<()>;

    /// The accounts registered under a registry identity (a certificate login finds
    /// its account this way, AU-1). At most one personal account per person (ID-3).
    async fn accounts_by_identity(&self, identity: &RegistryId) -> Result<Vec<Account>>;
    /// Enrolls a device for a mail client with the hash of its secret (AU-2); the
    /// store appends `dev:N` to the trace's object.
    async fn create_device(
        &self,
        account: AccountId,
        name: &str,
        secret_hash: &[u8],
        at: Timestamp,
        trace: &Event,
    ) -> Result<Device>;
    /// The devices of an account, revoked ones included.
    async fn devices(&self, account: AccountId) -> Result<Vec<Device>>;
    /// A device with its secret hash, to check a login.
    async fn device_secret(&self, id: DeviceId) -> Result<Option<DeviceSecret>>;
    /// Records a device's successful login time.
    async fn touch_device(&self, id: DeviceId, at: Timestamp) -> Result<()>;
    /// Revokes a device of `account` (AU-2); revoking twice keeps the first date.
    async fn revoke_device(
        &self,
        account: AccountId,
        id: DeviceId,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()>;
    /// Sets (sealed with the account key) or removes the TOTP secret (AU-1).
    async fn set_totp(
        &self,
        account: AccountId,
        secret: Option<&[u8]>,
        trace: &Event,
    ) -> Result<()>;
    /// The TOTP secret and last accepted step, if enrolled.
    async fn totp(&self, account: AccountId) -> Result<Option<TotpState>>;
    /// Marks a TOTP step used; false if it (or a later one) was used already, so a
    /// code is never accepted twice.
    async fn use_totp_step(&self, account: AccountId, step: i64) -> Result<bool>;
    /// Sets the out-of-band address codes and notices are sent to.
    async fn set_contact_email(
        &self,
        account: AccountId,
        email: Option<&MailAddress>,
        trace: &Event,
    ) -> Result<()>;
    /// The out-of-band address, if set.
    async fn contact_email(&self, account: AccountId) -> Result<Option<MailAddress>>;
    /// Sets or removes the phone number SMS notices go to (RT-1), with its trace.
    async fn set_contact_phone(
        &self,
        account: AccountId,
        phone: Option<&PhoneNumber>,
        trace: &Event,
    ) -> Result<()>;
    /// The phone number SMS notices go to, if any (RT-1).
    async fn contact_phone(&self, account: AccountId) -> Result<Option<PhoneNumber>>;
    /// Turns new-mail notices (MS-7) on or off for `account`, with its trace.
    async fn set_new_mail_notice(
        &self,
        account: AccountId,
        enabled: bool,
        trace: &Event,
    ) -> Result<()>;
    /// Whether `account` asked for new-mail notices (MS-7).
    async fn new_mail_notice(&self, account: AccountId) -> Result<bool>;
    /// Claims the right to send `account` a new-mail notice now: its out-of-band
    /// address when notices are on, an address is set and none was sent after
    /// `quiet_since`; the claim is recorded, so concurrent deliveries send one.
    async fn claim_new_mail_notice(
        &self,
        account: AccountId,
        now: Timestamp,
        quiet_since: Timestamp,
    ) -> Result<Option<MailAddress>>;
    /// Keeps a freshly sent login code, replacing any earlier one (AU-1): as an
    /// HMAC-SHA256 under the account key, bound to its use and account (MS-4: six
    /// digits under a plain hash would be read back from a copy of the database).
    async fn put_login_code(
        &self,
        account: AccountId,
        code: &OneTimeCode,
        expires: Timestamp,
    ) -> Result<()>;
    /// The pending login code, if any.
    async fn login_code(&self, account: AccountId) -> Result<Option<LoginCode>>;
    /// Whether `code` is the pending login code of `account` (AU-1); false when none.
    async fn login_code_matches(&self, account: AccountId, code: &OneTimeCode) -> Result<bool>;
    /// Counts a wrong code against the pending one.
    async fn login_code_attempt(&self, account: AccountId) -> Result<()>;
    /// Removes the pending code (used or abandoned).
    async fn delete_login_code(&self, account: AccountId) -> Result<()>;
    /// The failure counter of a subject (`acct:N` or `ip:...`) (AU-3).
    async fn failure_state(&self, subject: &str) -> Result<FailureState>;
    /// Stores a subject's failure counter; the default state removes it.
    async fn set_failure_state(&self, subject: &str, state: &FailureState) -> Result<()>;
    /// Reads a subject's failure counter and writes `update`'s answer in one
    /// transaction, the subject's row locked, so concurrent attempts never read the
    /// same count (AU-3); returns the state before and after.
    async fn update_failure_state(
        &self,
        subject: &str,
        update: &(dyn Fn(FailureState) -> FailureState + Send + Sync),
    ) -> Result<(FailureState, FailureState)>;
    /// Records a security alert with its trace (TR-3).
    async fn raise_alert(
        &self,
        at: Timestamp,
        kind: &str,
        subject: &str,
        detail: &str,
        trace: &Event,
    ) -> Result<()>;
    /// Every alert, oldest first.
    async fn alerts(&self) -> Result<Vec<Alert>>;

    /// The address and fingerprint of every directory mailbox, for a re-import's diff.
    async fn directory_mailbox_fingerprints(&self) -> Result<Vec<(String, Vec<u8>)>>;
    /// The key and fingerprint of every imported activity.
    async fn directory_people_fingerprints(&self) -> Result<Vec<(String, Vec<u8>)>>;
    /// Applies an import's changes with its trace, in one transaction (ID-4).
    async fn apply_directory(&self, changes: &DirectoryChanges, trace: &Event) -> Result<()>;
    /// Searches the directory; liste rouge entries are never returned, the phone only
    /// with its holder's consent (ID-4).
    async fn search_directory(
        &self,
        query: &DirectoryQuery,
        limit: i64,
    ) -> Result<Vec<DirectoryRow>>;
    /// One directory mailbox by address, liste rouge or not.
    async fn directory_entry(&self, address: &str) -> Result<Option<DirectoryRow>>;
    /// The directory mailboxes of `addresses` in one lookup, liste rouge or not, each
    /// with whether its holder chose the liste rouge (ID-4): the service says which
    /// may be shown.
    async fn directory_entries(&self, addresses: &[String]) -> Result<Vec<(DirectoryRow, bool)>>;
    /// Records a holder's directory choices.
    async fn set_directory_preferences(
        &self,
        address: &str,
        preferences: DirectoryPreferences,
        trace: &Event,
    ) -> Result<()>;
    /// A holder's directory choices (defaults when never set).
    async fn directory_preferences(&self, address: &str) -> Result<DirectoryPreferences>;

    /// The folders of an account.
    async fn mailboxes(&self, account: AccountId) -> Result<Vec<Mailbox>>;
    /// One folder by name.
    async fn mailbox(&self, account: AccountId, name: &str) -> Result<Option<Mailbox>>;

    /// Seals a message once and stores a copy for each target, with fresh UIDs and
    /// modseqs, and the traces, in one transaction: when this returns the delivery is
    /// durable (MS-4). `traces[i]` records the copy for `targets[i]`; the store appends
    /// the new message id (`msg:N`) to its object.
    async fn deliver(&self, delivery: &Delivery<'_>, traces: &[Event]) -> Result<Vec<Delivered>>;
    /// Which of `receipts` ([`Delivery::receipts`]) are recorded: relayed messages
    /// already stored for that recipient (MS-16).
    async fn relay_receipts_held(&self, receipts: &[[u8; 32]]) -> Result<Vec<[u8; 32]>>;
    /// The messages of a folder, by UID.
    async fn messages(&self, mailbox: MailboxId) -> Result<Vec<MessageSummary>>;
    /// The messages of a folder changed after `modseq` (flags, arrivals, moves in),
    /// by UID.
    async fn messages_changed_since(
        &self,
        mailbox: MailboxId,
        modseq: i64,
    ) -> Result<Vec<MessageSummary>>;
    /// One message's summary.
    async fn message(&self, id: MessageId) -> Result<MessageSummary>;
    /// Opens a message: unseals body and metadata, failing on any altered byte.
    async fn open_message(&self, id: MessageId, trace: &Event) -> Result<OpenedMessage>;
    /// Opens several messages of `folder` (their bodies or only their metadata) and
    /// appends `traces` in one commit (none for a peek, which TR-1 does not count as
    /// a read). `NotFound` names the first of `ids` that is not in `folder`.
    async fn open_messages(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
        unseal: Unseal,
        traces: &[Event],
    ) -> Result<Vec<OpenedMessage>>;
    /// Opens the messages of `ids` still in `folder` (bodies or metadata only), in
    /// the order of `ids`: `None` for one that another session expunged or moved away
    /// meanwhile (RFC 2180 §4.1). A row whose key is destroyed (an expunge between
    /// its two steps, or a backup restored without the keys, RT-3) fails the call
    /// with `ContentDestroyed`. Appends no trace: the caller traces the messages
    /// opened (TR-1).
    async fn open_messages_present(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
        unseal: Unseal,
    ) -> Result<Vec<Option<OpenedMessage>>>;
    /// Those of `ids` still in `folder`, in the order of `ids` (`None` for one gone):
    /// their rows' identity and content ids only, nothing sealed, no key read (what a
    /// listing answered from the listing cache checks, issue 20 item 4).
    async fn messages_present(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<Vec<Option<PresentMessage>>>;
    /// The summaries of those of `ids` that exist, in any order.
    async fn message_summaries(&self, ids: &[MessageId]) -> Result<Vec<MessageSummary>>;
    /// Replaces a message's flags; returns the new summary with its new modseq.
    async fn set_flags(
        &self,
        id: MessageId,
        flags: &[String],
        trace: &Event,
    ) -> Result<MessageSummary>;
    /// Makes folder `name` for `account`, with a fresh UIDVALIDITY (MS-6).
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        at: Timestamp,
        trace: &Event,
    ) -> Result<Mailbox>;
    /// Renames folder `from` of `account` and its subfolders (`from/…`) to `to`.
    async fn rename_mailbox(
        &self,
        account: AccountId,
        from: &str,
        to: &str,
        trace: &Event,
    ) -> Result<()>;
    /// Deletes a folder and its messages for good: their keys first (RT-3).
    async fn delete_mailbox(&self, mailbox: MailboxId, trace: &Event) -> Result<()>;
    /// Copies messages into `target` of `account`: new UIDs there, a key of their own
    /// each, the sealed body shared; one trace per copy.
    async fn copy_messages(
        &self,
        ids: &[MessageId],
        account: AccountId,
        target: MailboxId,
        at: Timestamp,
        traces: &[Event],
    ) -> Result<Vec<Delivered>>;
    /// Moves messages into `target` of the same `account`, with new UIDs there.
    async fn move_messages(
        &self,
        ids: &[MessageId],
        account: AccountId,
        target: MailboxId,
        traces: &[Event],
    ) -> Result<Vec<Delivered>>;
    /// Applies flag changes to several messages in one transaction, each to the flags
    /// as they are then; with `unchanged_since`, a message changed after that MODSEQ
    /// is left alone and listed as modified (RFC 7162). `traces[i]` is appended when
    /// change `i` changed something.
    async fn set_flags_many(
        &self,
        changes: &[(MessageId, FlagChange)],
        unchanged_since: Option<i64>,
        traces: &[Event],
    ) -> Result<FlagsOutcome>;
    /// A receiver that changes whenever `mailbox` does (a message arrives, flags
    /// change, a message goes), on this node or, on PostgreSQL, on any node.
    fn watch_mailbox(&self, mailbox: MailboxId) -> tokio::sync::watch::Receiver<u64>;
    /// The UIDs expunged from `mailbox` after `modseq` (moved out or deleted), for a
    /// client resynchronising (IMAP QRESYNC).
    async fn expunged_since(&self, mailbox: MailboxId, modseq: i64) -> Result<Vec<i64>>;
    /// The folder names `account` subscribed to, whether or not such folders exist.
    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>>;
    /// Subscribes `account` to the folder name `name`, or unsubscribes it; doing it
    /// twice changes nothing.
    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()>;
    /// The highest UID of `mailbox` claimed as `\Recent` by a session (0 when none):
    /// the messages above it are recent to the next session that selects the folder
    /// read-write (RFC 3501 §2.3.2).
    async fn recent_claimed(&self, mailbox: MailboxId) -> Result<i64>;
    /// Claims the messages of `mailbox` up to UID `up_to` as `\Recent` for one
    /// session, atomically: returns the mark before, so that the messages above it
    /// (up to `up_to`) are recent to that session and no other. The mark never goes
    /// down.
    async fn claim_recent(&self, mailbox: MailboxId, up_to: i64) -> Result<i64>;
    /// The bytes and messages an account holds, all folders together.
    async fn account_usage(&self, account: AccountId) -> Result<(u64, u64)>;
    /// A professional's standing with a patient (MS-8), by their addresses.
    async fn patient_exchange(
        &self,
        patient: &str,
        professional: &str,
    ) -> Result<Option<PatientExchange>>;
    /// The patients (their addresses) a professional exchanged with, whatever the
    /// exchange's standing (MS-8; issue 22: patients found by name).
    async fn patients_exchanged_with(&self, professional: &str) -> Result<Vec<String>>;
    /// Records a professional's standing with a patient (MS-8).
    async fn set_patient_exchange(
        &self,
        patient: &str,
        professional: &str,
        state: PatientExchange,
        at: Timestamp,
    ) -> Result<()>;
    /// Blocks (or unblocks) a professional for a patient (MS-10), with its trace.
    async fn set_patient_block(
        &self,
        patient: &str,
        professional: &str,
        blocked: bool,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()>;
    /// The professionals a patient blocked (MS-10).
    async fn patient_blocks(&self, patient: &str) -> Result<Vec<String>>;
    /// Records (`Some(who, when)`) or withdraws (`None`) a patient's opposition
    /// (MS-9), with its trace.
    async fn set_opposition(
        &self,
        ins: &str,
        recorded: Option<(&str, Timestamp)>,
        trace: &Event,
    ) -> Result<()>;
    /// A patient's opposition, if recorded (MS-9).
    async fn opposition(&self, ins: &str) -> Result<Option<Opposition>>;
    /// Records which patients (accounts) message copies concern (TR-4).
    async fn link_message_patients(&self, links: &[(MessageId, AccountId)]) -> Result<()>;
    /// Records `actor`'s `action` on `messages` for every patient they concern (not the
    /// actor themself); returns the patients `actor` had never accessed before.
    async fn record_patient_accesses(
        &self,
        actor: AccountId,
        action: &str,
        messages: &[MessageId],
        at: Timestamp,
    ) -> Result<Vec<AccountId>>;
    /// The accesses by others to data concerning `patient`, oldest first (TR-4).
    async fn patient_accesses(&self, patient: AccountId) -> Result<Vec<PatientAccess>>;
    /// Takes the lease on scheduled job `job` for `node` until `until`, if no other
    /// node holds it at `now`; `true` when this node may run the job.
    async fn take_job_lease(
        &self,
        job: &str,
        node: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool>;
    /// Records a web or API session (AU-1).
    async fn create_web_session(&self, session: &WebSession) -> Result<()>;
    /// The session whose token has SHA-256 `token_hash`, if any.
    async fn web_session(&self, token_hash: &[u8]) -> Result<Option<WebSession>>;
    /// Records that a session was used at `at`.
    async fn touch_web_session(&self, token_hash: &[u8], at: Timestamp) -> Result<()>;
    /// Ends a session (logout); whether it existed.
    async fn delete_web_session(&self, token_hash: &[u8]) -> Result<bool>;
    /// Deletes the sessions expired at `now` or idle since `idle_before`, and the
    /// idempotency keys recorded before `keys_before`; returns the sessions deleted.
    async fn purge_web_state(
        &self,
        now: Timestamp,
        idle_before: Timestamp,
        keys_before: Timestamp,
    ) -> Result<u64>;
    /// Records idempotency key `key` of `account` for a request with `fingerprint`,
    /// or says what an earlier request with that key became (MS-18).
    async fn claim_idempotency(
        &self,
        account: AccountId,
        key: &str,
        fingerprint: &[u8],
        at: Timestamp,
    ) -> Result<IdempotencyClaim>;
    /// Records the answer to a claimed key, or (`None`) releases it.
    async fn settle_idempotency(
        &self,
        account: AccountId,
        key: &str,
        response: Option<&str>,
    ) -> Result<()>;
    /// Grants (`Some(at)`) or revokes (`None`) staff role `grant.role` of `account`,
    /// with its trace (AC-1). A role granted again takes the new scope: one scope per
    /// person and role.
    async fn set_staff_role(
        &self,
        account: AccountId,
        grant: &StaffGrant,
        granted: Option<Timestamp>,
        trace: &Event,
    ) -> Result<()>;
    /// The staff roles `account` holds, with their scopes, by role code.
    async fn staff_roles(&self, account: AccountId) -> Result<Vec<StaffGrant>>;
    /// How many persons hold at least one staff role (AC-2: none means the data
    /// directory is still being bootstrapped).
    async fn staff_members(&self) -> Result<i64>;
    /// Sets (`Some((target, since))`) or removes the forwarding rule of `account`, with
    /// its trace (MS-17).
    async fn set_forwarding(
        &self,
        account: AccountId,
        target: Option<(&str, Timestamp)>,
        trace: &Event,
    ) -> Result<()>;
    /// Where `account`'s mail is forwarded, if anywhere (MS-17).
    async fn forwarding(&self, account: AccountId) -> Result<Option<String>>;
    /// The personal mailboxes of the directory (liste rouge included: it governs
    /// publication, not reception) of profession `profession` (its code) and/or whose
    /// postal code starts with one of `postal_prefixes`: a health alert's audience
    /// (MS-15).
    async fn alert_audience(
        &self,
        profession: Option<&str>,
        postal_prefixes: &[String],
    ) -> Result<Vec<String>>;
    /// Records a new broadcast of `sender` to `audience` (codes) with its trace (whose
    /// object becomes `broadcast:N`); returns its number.
    async fn create_broadcast(
        &self,
        sender: AccountId,
        audience: &str,
        targeted: usize,
        at: Timestamp,
        trace: &Event,
    ) -> Result<i64>;
    /// Records how far broadcast `id` went.
    async fn update_broadcast(
        &self,
        id: i64,
        progress: &BroadcastProgress,
        at: Timestamp,
    ) -> Result<()>;
    /// The last `limit` broadcasts, newest first.
    async fn broadcasts(&self, limit: i64) -> Result<Vec<Broadcast>>;

    /// Records a new breach (its nature, detection, opening; `open`) with its trace,
    /// whose object becomes `breach:N`; returns its number (TR-6).
    async fn record_breach(&self, breach: &Breach, trace: &Event) -> Result<i64>;
    /// Writes a breach's state, assessment, notification and closure with the trace of
    /// the step, in one transaction (TR-6).
    async fn update_breach(&self, breach: &Breach, trace: &Event) -> Result<()>;
    /// Every breach of the register, newest first.
    async fn breaches(&self) -> Result<Vec<Breach>>;
    /// One breach.
    async fn breach(&self, id: i64) -> Result<Breach>;

    /// Announces a verified patient mailbox (ID-5, seed 003 §7): its announcement
    /// (with the hash of the notice's link token) and the state `announced`, with the
    /// trace, in one transaction.
    async fn announce(
        &self,
        announcement: &Announcement,
        token_hash: &[u8],
        trace: &Event,
    ) -> Result<()>;
    /// Ends an account's announcement: the account goes to `to` (active: opened;
    /// closed: objected to, with the digest of the patient's INS kept in `objection`,
    /// AC-3), with the traces, in one transaction.
    async fn end_announcement(
        &self,
        account: AccountId,
        to: AccountState,
        at: Timestamp,
        objection: Option<&[u8]>,
        traces: &[Event],
    ) -> Result<()>;
    /// An account's announcement, if it is announced.
    async fn announcement(&self, account: AccountId) -> Result<Option<Announcement>>;
    /// The announcement whose link token hashes to `hash`.
    async fn announcement_by_token(&self, hash: &[u8]) -> Result<Option<Announcement>>;
    /// The announcements whose opening date is `now` or earlier.
    async fn announcements_due(&self, now: Timestamp) -> Result<Vec<Announcement>>;
    /// Whether the patient whose INS digest is `digest` objected to a mailbox (AC-3).
    async fn announcement_objected(&self, digest: &[u8]) -> Result<bool>;
    /// Forgets a patient's objection, who accepted a mailbox in person (AC-3).
    async fn lift_announcement_objection(&self, digest: &[u8]) -> Result<()>;

    /// Registers (or registers again) a patient's representative with its trace (ID-7).
    async fn set_representative(
        &self,
        representation: &Representation,
        trace: &Event,
    ) -> Result<()>;
    /// Withdraws a representative (ID-7); withdrawing one that is not is not an error.
    async fn remove_representative(
        &self,
        patient: AccountId,
        representative: AccountId,
        trace: &Event,
    ) -> Result<()>;
    /// The representatives of a patient, in force or not.
    async fn representatives(&self, patient: AccountId) -> Result<Vec<Representation>>;
    /// The representations `representative` holds, of every patient, in force or not
    /// (ID-7).
    async fn represented_by(&self, representative: AccountId) -> Result<Vec<Representation>>;

    /// Records a holder's request to correct their identity data, with its trace
    /// (AC-3).
    async fn request_correction(
        &self,
        account: AccountId,
        what: &str,
        at: Timestamp,
        trace: &Event,
    ) -> Result<CorrectionRequest>;
    /// The correction requests of one account (`Some`) or of every account (`None`),
    /// oldest first (AC-3).
    async fn correction_requests(
        &self,
        account: Option<AccountId>,
    ) -> Result<Vec<CorrectionRequest>>;
    /// The register extract's activities of `national_id` (names, profession), for
    /// self-registration (ID-1).
    async fn register_records(&self, national_id: &str) -> Result<Vec<RegisterRecord>>;
    /// Stores a self-registration in one transaction with the traces `traces` makes
    /// for the new account's id (ID-1); the address must be free.
    async fn create_registration(
        &self,
        new: &NewRegistration<'_>,
        traces: &(dyn Fn(AccountId) -> Vec<Event> + Send + Sync),
    ) -> Result<Account>;
    /// Activates the verified account whose confirmation token hashes to `token_hash`
    /// if it has not expired at `now`, forgets the token, and writes the traces made
    /// for it; `None` when no live token matches (ID-1, ID-2).
    async fn confirm_registration(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
        traces: &(dyn Fn(AccountId) -> Vec<Event> + Send + Sync),
    ) -> Result<Option<AccountId>>;
    /// The self-registrations whose account is still pending or verified, oldest first:
    /// the registration authority's queue (ID-1).
    async fn registration_requests(&self) -> Result<Vec<RegistrationRequest>>;
    /// Marks folder `mailbox` personal (`Some(since)`) or professional (`None`), with
    /// its trace (MS-14).
    async fn set_mailbox_personal(
        &self,
        mailbox: MailboxId,
        since: Option<Timestamp>,
        trace: &Event,
    ) -> Result<()>;
    /// The folders of `account` marked personal (MS-14).
    async fn personal_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxId>>;
    /// Which of `messages` and `mailboxes` are personal (MS-14), as their trace
    /// references (`msg:N`, `mbx:N`): a message carrying `$Personal` or in a personal
    /// folder, a folder marked personal. References no longer stored are not personal.
    async fn personal_among(
        &self,
        messages: &[MessageId],
        mailboxes: &[MailboxId],
    ) -> Result<std::collections::HashSet<String>>;
    /// Records a successful login of `account` at `at` (RT-1).
    async fn touch_activity(&self, account: AccountId, at: Timestamp) -> Result<()>;
    /// The last successful login of `account`, if any was recorded (RT-1).
    async fn last_activity(&self, account: AccountId) -> Result<Option<Timestamp>>;
    /// Records the inactivity warning of `stage` (days before the deadline) sent to
    /// `account`, with the SHA-256 of its objection token, and its trace (RT-1).
    async fn record_inactivity_warning(
        &self,
        account: AccountId,
        stage: i64,
        at: Timestamp,
        token_hash: &[u8],
        trace: &Event,
    ) -> Result<()>;
    /// The inactivity warnings sent to `account`: stage and when (RT-1).
    async fn inactivity_warnings(&self, account: AccountId) -> Result<Vec<(i64, Timestamp)>>;
    /// The account an objection token (its SHA-256) was sent to, if any (RT-1).
    async fn account_by_objection(&self, token_hash: &[u8]) -> Result<Option<AccountId>>;
    /// Records that `account` accepted the terms of use `version` (IN-1), traced.
    async fn accept_terms(
        &self,
        account: AccountId,
        version: &str,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()>;
    /// Whether `account` accepted the terms of use `version` (IN-1).
    async fn accepted_terms(&self, account: AccountId, version: &str) -> Result<bool>;
    /// Deletes a message copy for good: its key is destroyed first (RT-3).
    async fn delete_message(&self, id: MessageId, trace: &Event) -> Result<()>;
    /// Deletes several messages for good (their keys first, RT-3), with `traces`.
    async fn delete_messages(&self, ids: &[MessageId], traces: &[Event]) -> Result<()>;

    /// Claims up to `limit` queued recipients due at `now` for `node`, for `lease`:
    /// no other node gets them until the lease ends (rows are taken with `FOR UPDATE
    /// SKIP LOCKED` on PostgreSQL), so each is relayed once.
    async fn claim_outbound(
        &self,
        node: &str,
        now: Timestamp,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<OutboundItem>>;
    /// The raw message of a queued recipient, unsealed.
    async fn open_outbound(&self, id: i64) -> Result<Vec<u8>>;
    /// Records an attempt's result for a recipient `node` claimed, with its trace; the
    /// claim is released. Returns `false` (and changes nothing) if the claim was lost.
    /// When the message's last recipient is settled its queued copy is destroyed.
    async fn finish_outbound(
        &self,
        id: i64,
        node: &str,
        result: &AttemptResult,
        trace: &Event,
    ) -> Result<bool>;
    /// Every recipient of a queued message, by its queue reference.
    async fn outbound_status(&self, queue_ref: &str) -> Result<Vec<OutboundItem>>;
    /// How many recipients are waiting (for `/metrics` and the benchmarks).
    async fn outbound_depth(&self) -> Result<i64>;

    /// Appends trace events that record no stored change (a failed login, a refusal).
    async fn append_traces(&self, events: &[Event]) -> Result<()>;
    /// Up to `limit` trace entries with `seq > after`, ascending.
    async fn trace_entries(&self, after: i64, limit: i64) -> Result<Vec<Entry>>;
    /// The entries made in `[from, until]`, in order (incident detectors, TR-3).
    async fn trace_entries_between(&self, from: Timestamp, until: Timestamp) -> Result<Vec<Entry>>;
    /// The newest trace entries since `since` (of `action` only, when given), newest
    /// first, at most `limit`: the auditor's view without loading the whole window.
    async fn latest_trace_entries(
        &self,
        since: Timestamp,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Entry>>;
    /// The newest entries whose actor is `actor` (an account's own traces, for its
    /// export, AC-3), newest first, at most `limit`.
    async fn trace_entries_by_actor(&self, actor: &str, limit: i64) -> Result<Vec<Entry>>;
    /// How many `action` entries each actor made in `[from, until]` (TR-3).
    async fn trace_counts_by_actor(
        &self,
        action: &str,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(String, u64)>>;
    /// Every signed checkpoint, ascending.
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>>;
    /// Removes entries older than `before`, leaving a signed anchor checkpoint at the
    /// cut so the remainder stays verifiable (TR-2).
    async fn purge_traces(&self, before: Timestamp, trace: &Event) -> Result<PurgeReport>;
    /// Removes what [`retention::INVENTORY`] keeps only for a time: alerts, patients'
    /// access records and broadcast records older than `before` (the trace retention),
    /// breaches closed five years before `now`, failure counters no longer in force at
    /// `now`. Returns the rows removed.
    async fn purge_expired(&self, now: Timestamp, before: Timestamp) -> Result<u64>;
}
