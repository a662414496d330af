//! The records the store speaks in: accounts, mailboxes, messages (domain terms, not SQL).

use std::fmt;

use caduceus_core::enrolment::RegisterRecord;
use caduceus_core::{AccountKind, AccountState, Evidence, MailAddress, RegistryId, Timestamp};

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $variant:ident) => {
        id_type!($(#[$doc])* $name, $prefix);

        impl From<$name> for caduceus_audit::Id {
            /// The id in a trace's object (TR-5).
            fn from(id: $name) -> Self {
                caduceus_audit::Id::$variant(id.0)
            }
        }
    };
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            /// The form used in traces, e.g. `acct:42`.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, ":{}"), self.0)
            }
        }
    };
}

id_type!(
    /// An account's database id; `acct:N` in traces.
    AccountId,
    "acct"
);

/// The account in a trace (TR-5).
impl From<AccountId> for caduceus_audit::AccountRef {
    fn from(id: AccountId) -> Self {
        caduceus_audit::AccountRef(id.0)
    }
}

/// The account as a trace object (TR-5).
impl From<AccountId> for caduceus_audit::Id {
    fn from(id: AccountId) -> Self {
        caduceus_audit::Id::Account(id.into())
    }
}

/// The account as a trace's actor (TR-5).
impl From<AccountId> for caduceus_audit::Who {
    fn from(id: AccountId) -> Self {
        caduceus_audit::Who::Account(id.into())
    }
}

id_type!(
    /// A mailbox's (folder's) database id; `mbx:N` in traces.
    MailboxId,
    "mbx",
    Mailbox
);
id_type!(
    /// A stored message copy's database id; `msg:N` in traces.
    MessageId,
    "msg",
    Message
);

/// What is needed to create an account (ID-1): its address, kind, registry identity.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// The mailbox address.
    pub address: MailAddress,
    /// Personal, organisational, applicative or patient.
    pub kind: AccountKind,
    /// The registry and identifier the person or structure is known by (ID-1, ID-5).
    pub identity: RegistryId,
    /// The name shown to correspondents and in the directory.
    pub display_name: String,
    /// Creation time.
    pub at: Timestamp,
}

/// A stored account.
#[derive(Clone, Debug)]
pub struct Account {
    /// Database id.
    pub id: AccountId,
    /// The mailbox address.
    pub address: MailAddress,
    /// What the account is for.
    pub kind: AccountKind,
    /// Where it stands in its life cycle (ID-2).
    pub state: AccountState,
    /// The registry identity (ID-1).
    pub identity: RegistryId,
    /// The name shown to correspondents.
    pub display_name: String,
    /// Creation time.
    pub created: Timestamp,
    /// Last change.
    pub updated: Timestamp,
    /// Since when each copy delivered to the account is enveloped to the holder's
    /// certificate before it is sealed (MS-3); `None` when not asked for.
    pub encrypt_at_rest_since: Option<Timestamp>,
}

/// A staff role as stored (AC-1): the role's code (`ra`, `alerts`…) and where it
/// applies (`operator`, `structure-1750048886`, `region-84`), both checked by the
/// service (`caduceus_core::Role`, `caduceus_core::Scope`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffGrant {
    /// The role's code.
    pub role: String,
    /// The scope's code.
    pub scope: String,
}

/// A registration authority's verification of an identity (ID-2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    /// Who verified (the registration authority agent's account address or name).
    pub verified_by: String,
    /// On what evidence.
    pub evidence: Evidence,
    /// When.
    pub at: Timestamp,
}

/// A folder of an account (MS-6), with its IMAP counters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    /// Database id.
    pub id: MailboxId,
    /// Owner.
    pub account: AccountId,
    /// Folder name (`INBOX`, `Sent`, ...).
    pub name: String,
    /// RFC 6154 special use (`\Sent`, `\Trash`...), if any.
    pub special_use: Option<String>,
    /// IMAP UIDVALIDITY.
    pub uidvalidity: i64,
    /// The next UID to assign.
    pub uidnext: i64,
    /// The highest modification sequence (CONDSTORE).
    pub highest_modseq: i64,
}

/// The folders every account starts with, and their special uses (RFC 6154).
pub const DEFAULT_MAILBOXES: [(&str, Option<&str>); 6] = [
    ("INBOX", None),
    ("Sent", Some("\\Sent")),
    ("Drafts", Some("\\Drafts")),
    ("Trash", Some("\\Trash")),
    ("Archive", Some("\\Archive")),
    ("Junk", Some("\\Junk")),
];

/// What the store knows about a message copy without opening it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageSummary {
    /// Database id.
    pub id: MessageId,
    /// The folder holding it.
    pub mailbox: MailboxId,
    /// IMAP UID.
    pub uid: i64,
    /// Modification sequence of its last change.
    pub modseq: i64,
    /// Flags (`\Seen`, keywords).
    pub flags: Vec<String>,
    /// Arrival time.
    pub internal: Timestamp,
    /// Size of the raw message in bytes.
    pub size: i64,
    /// The message's object id (RFC 8474 EMAILID, MS-6), from its sealed content's
    /// id: the same for every copy.
    pub email_id: caduceus_core::object_id::ObjectId,
}

/// One place a message is delivered to.
#[derive(Clone, Debug)]
pub struct Target {
    /// The account receiving a copy.
    pub account: AccountId,
    /// The folder it lands in.
    pub mailbox: MailboxId,
    /// Initial flags.
    pub flags: Vec<String>,
}

/// A message to store: sealed once, one copy per target.
#[derive(Clone, Debug)]
pub struct Delivery<'a> {
    /// The raw RFC 5322 message.
    pub raw: &'a [u8],
    /// Metadata computed once at ingest (envelope, structure), sealed with the body.
    pub meta: &'a [u8],
    /// Arrival time.
    pub internal: Timestamp,
    /// Where copies go.
    pub targets: Vec<Target>,
    /// Recipients at other operators, queued in the same transaction (MS-4).
    pub outbound: Option<Outbound>,
    /// Copies whose bytes differ from `raw`: each enveloped to its recipient's
    /// certificate (MS-3), sealed apart, written in the same transaction.
    pub enveloped: Vec<Enveloped>,
    /// The receipts of a relayed message, one per local recipient
    /// ([`caduceus_core::relay_receipt`], MS-16), recorded in the same transaction:
    /// a delivery whose receipt is already recorded fails and stores nothing.
    pub receipts: Vec<[u8; 32]>,
}

/// One recipient's copy enveloped to their certificate (MS-3): its own bytes and
/// metadata, sealed under a key of its own.
#[derive(Clone, Debug)]
pub struct Enveloped {
    /// Where it goes.
    pub target: Target,
    /// The enveloped RFC 5322 message.
    pub raw: Vec<u8>,
    /// Its metadata, computed from the enveloped message.
    pub meta: Vec<u8>,
}

/// The part of a delivery bound for other operators: one queue row per recipient,
/// all sharing one sealed copy whose key is wrapped for the sending account.
#[derive(Clone, Debug)]
pub struct Outbound {
    /// The message's queue reference, shown to the sender (`queued as …`).
    pub queue_ref: String,
    /// The sending account (the organisational mailbox when a delegate sends).
    pub owner: AccountId,
    /// The envelope sender (return path) to relay with.
    pub return_path: String,
    /// The remote recipients.
    pub recipients: Vec<MailAddress>,
    /// Whether the sender asked for a notification on success (`NOTIFY=SUCCESS`, MS-16).
    pub notify_success: bool,
    /// When the queue gives up (a delivery status notification is then due).
    pub expires: Timestamp,
}

/// Where one queued recipient stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboundState {
    /// Waiting for its next attempt.
    Queued,
    /// Accepted by the peer operator.
    Delivered,
    /// Refused for good by the peer.
    Failed,
    /// Given up after the queue's lifetime.
    Expired,
}

/// The state as traced (`status:<code>`, MS-16).
impl From<OutboundState> for caduceus_audit::RelayStatus {
    fn from(state: OutboundState) -> Self {
        match state {
            OutboundState::Queued => caduceus_audit::RelayStatus::Queued,
            OutboundState::Delivered => caduceus_audit::RelayStatus::Delivered,
            OutboundState::Failed => caduceus_audit::RelayStatus::Failed,
            OutboundState::Expired => caduceus_audit::RelayStatus::Expired,
        }
    }
}

impl OutboundState {
    /// The stored code.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboundState::Queued => "queued",
            OutboundState::Delivered => "delivered",
            OutboundState::Failed => "failed",
            OutboundState::Expired => "expired",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [
            OutboundState::Queued,
            OutboundState::Delivered,
            OutboundState::Failed,
            OutboundState::Expired,
        ]
        .into_iter()
        .find(|state| state.as_str() == code)
    }

    /// Whether nothing more will be attempted.
    pub fn is_final(self) -> bool {
        self != OutboundState::Queued
    }
}

/// One queued recipient, as the relay worker and status queries see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboundItem {
    /// Row id.
    pub id: i64,
    /// The message's queue reference.
    pub queue_ref: String,
    /// The sending account.
    pub owner: AccountId,
    /// The envelope sender.
    pub return_path: String,
    /// The recipient.
    pub recipient: MailAddress,
    /// Where it stands.
    pub state: OutboundState,
    /// Attempts made so far.
    pub attempts: i64,
    /// When it was queued.
    pub created: Timestamp,
    /// When the next attempt is due (while queued).
    pub next_attempt: Timestamp,
    /// When the queue gives up.
    pub expires: Timestamp,
    /// Whether a notification on success was asked for.
    pub notify_success: bool,
    /// The peer's last answer, or why it could not be reached.
    pub last_reply: Option<String>,
}

/// What became of one relay attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptResult {
    /// Accepted by the peer (its reply).
    Delivered(String),
    /// Not this time: try again at `next`.
    Retry {
        /// When.
        next: Timestamp,
        /// Why not now.
        reply: String,
    },
    /// Refused for good (the peer's 5xx reply).
    Failed(String),
    /// The queue's lifetime is over.
    Expired(String),
}

impl AttemptResult {
    /// The state it leaves the recipient in.
    pub fn state(&self) -> OutboundState {
        match self {
            AttemptResult::Delivered(_) => OutboundState::Delivered,
            AttemptResult::Retry { .. } => OutboundState::Queued,
            AttemptResult::Failed(_) => OutboundState::Failed,
            AttemptResult::Expired(_) => OutboundState::Expired,
        }
    }

    /// The reply or reason recorded with it.
    pub fn reply(&self) -> &str {
        match self {
            AttemptResult::Delivered(reply)
            | AttemptResult::Failed(reply)
            | AttemptResult::Expired(reply) => reply,
            AttemptResult::Retry { reply, .. } => reply,
        }
    }
}

/// A stored copy, as assigned in the delivering transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The receiving account.
    pub account: AccountId,
    /// The folder.
    pub mailbox: MailboxId,
    /// The new message id.
    pub message: MessageId,
    /// Its UID.
    pub uid: i64,
    /// Its modification sequence.
    pub modseq: i64,
}

/// A professional's standing with a patient (MS-8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatientExchange {
    /// The professional wrote to the patient: the patient may reply.
    Open,
    /// The professional ended the exchange.
    Ended,
}

/// A patient's recorded opposition (MS-9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opposition {
    /// Who recorded it: `patient` (themself) or a professional's address.
    pub recorded_by: String,
    /// When.
    pub at: Timestamp,
}

/// One access by someone else to data concerning a patient (TR-4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatientAccess {
    /// Who: the account that acted.
    pub actor: AccountId,
    /// What: the action code, such as `message.read`.
    pub action: String,
    /// Which message copy.
    pub message: MessageId,
    /// When.
    pub at: Timestamp,
}

/// What to unseal when opening messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unseal {
    /// Body and metadata.
    Whole,
    /// The metadata only (listings: ENVELOPE, BODYSTRUCTURE); the body is not read
    /// and [`OpenedMessage::raw`] is empty.
    MetaOnly,
    /// The body only (a FETCH of whole messages: `BODY[]`, `RFC822`); the metadata is
    /// not read and [`OpenedMessage::meta`] is empty.
    BodyOnly,
}

/// An opened message: its summary, raw bytes and metadata, integrity checked.
#[derive(Clone)]
pub struct OpenedMessage {
    /// Summary.
    pub summary: MessageSummary,
    /// The raw RFC 5322 bytes.
    pub raw: Vec<u8>,
    /// The metadata stored at ingest.
    pub meta: Vec<u8>,
}

impl fmt::Debug for OpenedMessage {
    /// Never prints content (TR-5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedMessage")
            .field("summary", &self.summary)
            .field("raw", &format_args!("[{} bytes]", self.raw.len()))
            .finish_non_exhaustive()
    }
}

/// What a trace purge did (TR-2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PurgeReport {
    /// Entries removed.
    pub removed: i64,
    /// The sequence number of the anchor checkpoint left at the cut, if any.
    pub cut: Option<i64>,
}

id_type!(
    /// An enrolled device's id; `dev:N` in traces (AU-2).
    DeviceId,
    "dev",
    Device
);

/// A device enrolled to read and send mail with a standard client (AU-2). The
/// credential itself is never stored, only its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Device {
    /// Database id, part of the credential.
    pub id: DeviceId,
    /// The account it belongs to.
    pub account: AccountId,
    /// The name its owner gave it ("Thunderbird at the practice").
    pub name: String,
    /// When it was enrolled.
    pub created: Timestamp,
    /// When it last authenticated.
    pub last_used: Option<Timestamp>,
    /// When it was revoked, if it was.
    pub revoked: Option<Timestamp>,
}

/// A device and the hash of its secret, for checking a login.
#[derive(Clone, Debug)]
pub struct DeviceSecret {
    /// The device.
    pub device: Device,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
}

/// An account's TOTP secret (opened from its sealed form) and the last time step
/// used, so a code is never accepted twice (AU-1).
pub struct TotpState {
    /// The shared secret.
    pub secret: caduceus_core::Secret<Vec<u8>>,
    /// The last accepted RFC 6238 time step.
    pub last_step: Option<i64>,
}

impl fmt::Debug for TotpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TotpState")
            .field("secret", &"<redacted>")
            .field("last_step", &self.last_step)
            .finish()
    }
}

/// An emailed one-time code waiting to be typed (AU-1): its expiry and the wrong
/// attempts so far. The code is kept as a keyed hash only, checked by
/// [`Store::login_code_matches`](crate::Store::login_code_matches).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginCode {
    /// When it stops being accepted.
    pub expires: Timestamp,
    /// Wrong codes typed against it.
    pub attempts: i64,
}

/// A security alert raised by a detector (TR-3), such as a lockout (AU-3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    /// Database id.
    pub id: i64,
    /// When it was raised.
    pub at: Timestamp,
    /// What kind: `auth.lockout`...
    pub kind: String,
    /// Who or what it concerns: `acct:N`, `ip:...`.
    pub subject: String,
    /// Ids and figures only (TR-5).
    pub detail: String,
}

/// One mailbox of the directory as stored (ID-4): the fields shown, and folded search
/// keys computed by the caller. Public registry data, never a patient's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryRow {
    /// The mailbox address, the row's key.
    pub address: String,
    /// SHA-256 of the imported record, to tell unchanged rows on re-import.
    pub fingerprint: Vec<u8>,
    /// `PER`, `ORG` or `APP`.
    pub kind: String,
    /// The name shown.
    pub display_name: String,
    /// Family name of a person.
    pub family_name: Option<String>,
    /// Given name of a person.
    pub given_name: Option<String>,
    /// Profession code.
    pub profession_code: Option<String>,
    /// Profession label.
    pub profession_label: Option<String>,
    /// Specialty (savoir-faire) code.
    pub specialty_code: Option<String>,
    /// Specialty label.
    pub specialty_label: Option<String>,
    /// Department within a structure.
    pub service: Option<String>,
    /// Practice site or structure name.
    pub site_name: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Commune.
    pub commune: Option<String>,
    /// National identifier of the person (`8`+RPPS…).
    pub national_id: Option<String>,
    /// Structure identifier kind code.
    pub structure_kind: Option<String>,
    /// Structure identifier value.
    pub structure_value: Option<String>,
    /// On the "liste rouge" in the extract: hidden from search (ID-4).
    pub liste_rouge: bool,
    /// Folded search keys: name, profession, specialty, place.
    pub keys: SearchKeys,
    /// The practice phone, filled in by a search only with the holder's consent.
    pub phone: Option<String>,
}

/// Case- and accent-folded text a directory search matches against (ID-4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchKeys {
    /// Names (family, given, display).
    pub name: String,
    /// Profession code and label.
    pub profession: String,
    /// Specialty code and label.
    pub specialty: String,
    /// Postal code and commune.
    pub place: String,
}

/// One practice-site activity of a person, as much as the directory keeps of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryPerson {
    /// The record's key (national id and site).
    pub key: String,
    /// SHA-256 of the imported record.
    pub fingerprint: Vec<u8>,
    /// National identifier (`8`+RPPS…).
    pub national_id: String,
    /// The site's phone, shown only with consent.
    pub phone: Option<String>,
    /// The names and profession the person practises under, matched at
    /// self-registration (ID-1).
    pub register: RegisterRecord,
}

/// A directory search, already folded by the caller; empty criteria match all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirectoryQuery {
    /// Part of a name.
    pub name: Option<String>,
    /// Part of a profession.
    pub profession: Option<String>,
    /// Part of a specialty.
    pub specialty: Option<String>,
    /// Start of a postal code, or part of a commune.
    pub place: Option<String>,
    /// Identifier forms to look for, exact: a person's national identifier or a
    /// structure's identifier (the caller lists the prefixed and bare forms).
    pub identifiers: Vec<String>,
}

/// What a directory import changes, applied in one transaction.
#[derive(Clone, Debug, Default)]
pub struct DirectoryChanges {
    /// Mailboxes added or changed.
    pub upsert_mailboxes: Vec<DirectoryRow>,
    /// Mailboxes gone from the extract.
    pub remove_mailboxes: Vec<String>,
    /// People's activities added or changed.
    pub upsert_people: Vec<DirectoryPerson>,
    /// Activities gone from the extract.
    pub remove_people: Vec<String>,
}

/// A directory holder's own choices (ID-4): hide from search, show the phone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DirectoryPreferences {
    /// Hide the mailbox from search (it still receives mail).
    pub liste_rouge: bool,
    /// Show the practice phone in search results.
    pub phone_consent: bool,
}

/// A web or API session (AU-1): opened after a strong login, known by the SHA-256 of
/// its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebSession {
    /// SHA-256 of the token the client holds.
    pub token_hash: Vec<u8>,
    /// The account logged in.
    pub account: AccountId,
    /// How the login was proven (the trace code, `method:…`).
    pub factor: String,
    /// Where the login came from.
    pub source: String,
    /// When it was opened.
    pub created: Timestamp,
    /// When it was last used.
    pub seen: Timestamp,
    /// When it ends whatever the use.
    pub expires: Timestamp,
}

/// What recording an idempotency key found (MS-18).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new: it is now held for this request.
    Claimed,
    /// A request with this key is still being processed.
    Pending {
        /// The fingerprint of that request.
        fingerprint: Vec<u8>,
    },
    /// A request with this key was answered.
    Completed {
        /// The fingerprint of that request.
        fingerprint: Vec<u8>,
        /// Its answer, to give again.
        response: String,
    },
}

/// How far a health alert broadcast went (MS-15).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BroadcastProgress {
    /// Copies stored in this operator's mailboxes.
    pub delivered: usize,
    /// Recipients queued for other operators of the trust space.
    pub queued: usize,
    /// Recipients that could not be reached (no active mailbox, outside the trust
    /// space).
    pub unreachable: usize,
    /// `running`, `done`, or `stopped` (a failure; the report says how far it went).
    pub state: String,
}

/// A health alert broadcast's report (MS-15): no content, codes and counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broadcast {
    /// Its number.
    pub id: i64,
    /// The person who sent it.
    pub sender: AccountId,
    /// When it started.
    pub created: Timestamp,
    /// The audience, as codes (`profession:10 department:75`).
    pub audience: String,
    /// Directory members it was meant for.
    pub targeted: usize,
    /// How far it went.
    pub progress: BroadcastProgress,
    /// When the report last changed.
    pub updated: Timestamp,
}

/// What a batch of flag changes did (IMAP STORE).
#[derive(Clone, Debug, Default)]
pub struct FlagsOutcome {
    /// The messages the changes applied to (or left as they were), as they are now.
    pub updated: Vec<MessageSummary>,
    /// The messages left alone because they changed after `UNCHANGEDSINCE`.
    pub modified: Vec<MessageId>,
}

/// A personal-data breach of the register (TR-6): codes, times and ids only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    /// Its number.
    pub id: i64,
    /// What it did to the data.
    pub nature: caduceus_core::breach::Nature,
    /// When the operator became aware of it (the 72-hour delay runs from then).
    pub detected: Timestamp,
    /// When it was recorded.
    pub opened: Timestamp,
    /// Where it stands.
    pub state: caduceus_core::breach::BreachState,
    /// Its assessed risk, once assessed.
    pub risk: Option<caduceus_core::breach::Risk>,
    /// The accounts whose data it concerns.
    pub accounts: Vec<AccountId>,
    /// The message copies it concerns.
    pub messages: Vec<MessageId>,
    /// When it was notified to the controller and the authority.
    pub notified: Option<Timestamp>,
    /// Whether the people concerned were informed.
    pub users_informed: bool,
    /// When it was closed.
    pub closed: Option<Timestamp>,
}

/// A patient mailbox announced to its patient, not open yet (ID-5, seed 003 §7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// The patient's account, in state `announced`.
    pub account: AccountId,
    /// When the notice was sent.
    pub announced: Timestamp,
    /// When the mailbox opens unless the patient objects.
    pub opens: Timestamp,
}

/// A patient's representative (ID-7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Representation {
    /// The patient's account.
    pub patient: AccountId,
    /// The representative's own account.
    pub representative: AccountId,
    /// In which capacity.
    pub capacity: caduceus_core::representation::Capacity,
    /// What proved it.
    pub evidence: caduceus_core::representation::CapacityEvidence,
    /// When it ends (a parent's: the child's majority); `None`: until withdrawn.
    pub until: Option<Timestamp>,
    /// When it was registered.
    pub registered: Timestamp,
}

/// A holder's request to correct their identity data (AC-3), waiting for the
/// registration authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrectionRequest {
    /// Database id.
    pub id: i64,
    /// Whose identity data.
    pub account: AccountId,
    /// What the holder says is wrong and how it should read (their words).
    pub what: String,
    /// When it was asked.
    pub requested: Timestamp,
}
