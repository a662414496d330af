//! What happened: the action, who did it, on which object, with what outcome.
//!
//! Events carry typed identifiers only, never subjects, bodies or patient names (TR-5):
//! see [`crate::object`] and [`crate::detail`].

use std::fmt;

use crate::detail::Detail;
use crate::object::{AccountRef, Object, Who};

/// An action recorded in the trace chain; [`Action::as_str`] is the stored code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// An account was registered (ID-1).
    AccountCreate,
    /// A registration authority recorded an identity verification (ID-2).
    AccountVerify,
    /// An account became active.
    AccountActivate,
    /// A patient mailbox was announced to its patient, its opening date set (ID-5,
    /// seed 003 §7).
    AccountAnnounce,
    /// The patient accepted an announced mailbox before the end of its period,
    /// through the notice's link or in person (ID-5, AC-3).
    AnnouncementAcceptance,
    /// The patient objected to an announced mailbox, through the notice's link or
    /// the registration authority: it is never created (AC-3, seed 003 §7).
    AnnouncementObjection,
    /// An account was suspended.
    AccountSuspend,
    /// An account was closed (RT-2).
    AccountClose,
    /// An account's data and keys were destroyed (RT-2, RT-3).
    AccountDelete,
    /// A holder asked the registration authority to correct their identity data
    /// (AC-3).
    CorrectionRequest,
    /// A professional registered themselves with a card or Pro Santé Connect, matched
    /// against the national register or referred to a registration authority (ID-1).
    SelfRegister,
    /// A self-registered professional confirmed their out-of-band address, which
    /// activated the account (ID-1, ID-2).
    ContactConfirm,
    /// A holder exported their account's own data: identity, devices, contacts,
    /// traces (AC-3, RT-4).
    AccountExport,
    /// A password was set or changed.
    PasswordSet,
    /// A delegate was granted an organisational mailbox (ID-3).
    DelegateAdd,
    /// A login succeeded.
    AuthSuccess,
    /// A login failed.
    AuthFailure,
    /// An account or source was locked out after repeated failures (AU-3).
    AuthLockout,
    /// A one-time login code was sent to the out-of-band address (AU-1).
    LoginCodeSent,
    /// A device credential was issued for a mail client (AU-2).
    DeviceAdd,
    /// A device credential was revoked (AU-2).
    DeviceRevoke,
    /// A passkey was registered, from the settings or by a paired phone (AU-1, MS-18).
    PasskeyAdd,
    /// A passkey was revoked (AU-1, MS-18).
    PasskeyRevoke,
    /// A one-time token to pair a phone was made (MS-18).
    PairingTokenMake,
    /// A pairing token was used by a phone, or refused (MS-18).
    PairingTokenUse,
    /// A TOTP second factor was enrolled or removed (AU-1).
    TotpSet,
    /// The out-of-band contact address was changed.
    ContactSet,
    /// New-mail notices to the out-of-band address were turned on or off (MS-7).
    NoticeSet,
    /// A holder gave a new contact address or phone number: a code was sent to it, the
    /// old value stays in use until it is typed (AU-1, MS-7, RT-1). Detail: the channel,
    /// never the value.
    ContactConfirmSent,
    /// A holder typed the code sent to their new contact address or phone number: it
    /// replaced the old one (AU-1, MS-7, RT-1). Not [`Action::ContactConfirm`], a
    /// self-registration's activation (ID-1).
    ContactConfirmed,
    /// A code typed for a pending contact change was wrong, or came too late; at the
    /// last try, or once expired, the change is dropped (AU-1). Detail: the channel and
    /// the reason.
    ContactConfirmFailed,
    /// A directory extract was imported (ID-4).
    DirectoryImport,
    /// A holder changed their directory choices (ID-4).
    DirectoryPreferences,
    /// Someone looked the directory up: a search, an entry, its certificates (ID-4).
    DirectorySearch,
    /// The development CA signed a certificate for a key the holder made (MS-3).
    CertificateIssue,
    /// The holder turned encryption at rest to their certificate on or off (MS-3).
    AccountEncryptAtRest,
    /// A session opened.
    SessionOpen,
    /// A mail client connected (SMTP, IMAP), before any login (AU-3).
    ConnectionOpen,
    /// A mail client's connection ended, however it ended (AU-3).
    ConnectionClose,
    /// A logged-in session ended: logout, or a mail client disconnecting (AU-3).
    SessionClose,
    /// A message was submitted by a user.
    MessageSubmit,
    /// A message was delivered to a mailbox.
    MessageDeliver,
    /// A message was refused by policy.
    MessageRefuse,
    /// A message's body was shown to a person: read, peeked at (IMAP `BODY.PEEK`),
    /// downloaded, exported (TR-1).
    MessageRead,
    /// A message's header facts were shown to a person: subject, addresses, attachment
    /// names (IMAP ENVELOPE and BODYSTRUCTURE, a listing with subjects) (TR-1).
    MessageHeaders,
    /// Someone was refused access to data that is not theirs (AC-1, AC-2, ID-3): the
    /// object is what they named, the detail the requirement.
    AccessDenied,
    /// A message's content was searched for a person (IMAP SEARCH on its text or
    /// headers, SORT on its headers): the answer reveals part of it (TR-1).
    MessageSearch,
    /// A message's flags changed.
    MessageFlag,
    /// A message moved between mailboxes.
    MessageMove,
    /// A message was deleted (RT-3).
    MessageDelete,
    /// A relay attempt to another operator ended: delivered, refused, to retry or
    /// expired (MS-16).
    MessageRelay,
    /// A sender (or a delegate of the mailbox it was sent from) was shown where a
    /// message's recipients at other operators stand (MS-16, TR-1).
    DeliveryStatus,
    /// A mailbox was opened.
    MailboxOpen,
    /// A mailbox was created.
    MailboxCreate,
    /// A mailbox was deleted.
    MailboxDelete,
    /// A mailbox was renamed.
    MailboxRename,
    /// A message was copied to another mailbox of its owner.
    MessageCopy,
    /// A patient blocked or unblocked a professional (MS-10).
    PatientBlock,
    /// A patient's opposition was recorded or withdrawn (MS-9).
    PatientOpposition,
    /// An owner was warned that their inactive mailbox will be deleted (RT-1).
    InactivityWarning,
    /// An owner objected to the deletion of their inactive mailbox (RT-1).
    InactivityObjection,
    /// An incident detector raised an incident (TR-3).
    IncidentRaise,
    /// A user accepted the terms of use (IN-1).
    TermsAccept,
    /// A staff role was granted or revoked (AC-1); the detail names the role.
    StaffRole,
    /// A folder was marked personal or professional (MS-14).
    MailboxPersonal,
    /// A health alert broadcast started (MS-15); the detail names its audience.
    AlertBroadcast,
    /// An account's forwarding rule was set or removed (MS-17).
    ForwardingSet,
    /// A message was forwarded by a rule (MS-17), or refused to be.
    MessageForward,
    /// The trace chain was verified.
    TraceVerify,
    /// Traces past retention were purged (TR-2).
    TracePurge,
    /// A step of a personal-data breach's life cycle (TR-6); the detail names the
    /// state it moved to.
    BreachRecord,
    /// A patient's representative was registered or withdrawn (ID-7); the detail names
    /// the capacity and the evidence.
    RepresentativeSet,
    /// The store's schema was upgraded: migrations applied, or the version of a
    /// database written before versions were recorded (docs/upgrades.md, TR-1); the
    /// object names the database, the detail the versions.
    SchemaMigrate,
    /// Another administrative action (AC-1).
    AdminAction,
    /// An account's out-of-office setting was saved (MS-6); the detail says whether
    /// it is on, never its subject or text (TR-5).
    AbsenceSet,
    /// An account's signature was saved (MS-6); never its text (TR-5).
    SignatureSet,
    /// An out-of-office reply was sent for an account (RFC 3834, MS-6); the object
    /// names the account, never the sender, the subject or the text (TR-5).
    AbsenceReplied,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: [Action; 77] = [
        Action::AccountCreate,
        Action::SelfRegister,
        Action::ContactConfirm,
        Action::AccountVerify,
        Action::AccountActivate,
        Action::AccountAnnounce,
        Action::AnnouncementAcceptance,
        Action::AnnouncementObjection,
        Action::AccountSuspend,
        Action::AccountClose,
        Action::AccountDelete,
        Action::CorrectionRequest,
        Action::AccountExport,
        Action::PasswordSet,
        Action::DelegateAdd,
        Action::AuthSuccess,
        Action::AuthFailure,
        Action::AuthLockout,
        Action::LoginCodeSent,
        Action::DeviceAdd,
        Action::DeviceRevoke,
        Action::PasskeyAdd,
        Action::PasskeyRevoke,
        Action::PairingTokenMake,
        Action::PairingTokenUse,
        Action::TotpSet,
        Action::ContactSet,
        Action::ContactConfirmSent,
        Action::ContactConfirmed,
        Action::ContactConfirmFailed,
        Action::NoticeSet,
        Action::DirectoryImport,
        Action::DirectoryPreferences,
        Action::DirectorySearch,
        Action::CertificateIssue,
        Action::AccountEncryptAtRest,
        Action::SessionOpen,
        Action::ConnectionOpen,
        Action::ConnectionClose,
        Action::SessionClose,
        Action::MessageSubmit,
        Action::MessageDeliver,
        Action::MessageRefuse,
        Action::MessageRead,
        Action::MessageHeaders,
        Action::MessageSearch,
        Action::AccessDenied,
        Action::MessageFlag,
        Action::MessageMove,
        Action::MessageDelete,
        Action::MessageRelay,
        Action::DeliveryStatus,
        Action::MailboxOpen,
        Action::MailboxCreate,
        Action::MailboxDelete,
        Action::MailboxRename,
        Action::MessageCopy,
        Action::PatientBlock,
        Action::PatientOpposition,
        Action::InactivityWarning,
        Action::InactivityObjection,
        Action::IncidentRaise,
        Action::TermsAccept,
        Action::StaffRole,
        Action::MailboxPersonal,
        Action::AlertBroadcast,
        Action::ForwardingSet,
        Action::MessageForward,
        Action::TraceVerify,
        Action::TracePurge,
        Action::BreachRecord,
        Action::RepresentativeSet,
        Action::SchemaMigrate,
        Action::AdminAction,
        Action::AbsenceSet,
        Action::SignatureSet,
        Action::AbsenceReplied,
    ];

    /// The stable code stored in the chain, such as `message.read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AccountCreate => "account.create",
            Action::AccountVerify => "account.verify",
            Action::AccountActivate => "account.activate",
            Action::AccountAnnounce => "account.announce",
            Action::AnnouncementAcceptance => "account.announcement_acceptance",
            Action::AnnouncementObjection => "account.announcement_objection",
            Action::AccountSuspend => "account.suspend",
            Action::AccountClose => "account.close",
            Action::AccountDelete => "account.delete",
            Action::CorrectionRequest => "account.correction_request",
            Action::SelfRegister => "account.self_register",
            Action::ContactConfirm => "account.contact_confirm",
            Action::AccountExport => "account.export",
            Action::PasswordSet => "account.password_set",
            Action::DelegateAdd => "account.delegate_add",
            Action::AuthSuccess => "auth.success",
            Action::AuthFailure => "auth.failure",
            Action::AuthLockout => "auth.lockout",
            Action::LoginCodeSent => "auth.code_sent",
            Action::DeviceAdd => "device.add",
            Action::DeviceRevoke => "device.revoke",
            Action::PasskeyAdd => "passkey.add",
            Action::PasskeyRevoke => "passkey.revoke",
            Action::PairingTokenMake => "pairing.make",
            Action::PairingTokenUse => "pairing.use",
            Action::TotpSet => "account.totp_set",
            Action::ContactSet => "account.contact_set",
            Action::ContactConfirmSent => "contact.confirm_sent",
            Action::ContactConfirmed => "contact.confirmed",
            Action::ContactConfirmFailed => "contact.confirm_failed",
            Action::NoticeSet => "account.notice_set",
            Action::DirectoryImport => "directory.import",
            Action::DirectoryPreferences => "directory.preferences",
            Action::DirectorySearch => "directory.search",
            Action::CertificateIssue => "certificate.issue",
            Action::AccountEncryptAtRest => "account.encrypt_at_rest",
            Action::SessionOpen => "session.open",
            Action::ConnectionOpen => "connection.open",
            Action::ConnectionClose => "connection.close",
            Action::SessionClose => "session.close",
            Action::MessageSubmit => "message.submit",
            Action::MessageDeliver => "message.deliver",
            Action::MessageRefuse => "message.refuse",
            Action::MessageRead => "message.read",
            Action::MessageHeaders => "message.headers",
            Action::MessageSearch => "message.search",
            Action::AccessDenied => "access.denied",
            Action::MessageFlag => "message.flag",
            Action::MessageMove => "message.move",
            Action::MessageDelete => "message.delete",
            Action::MessageRelay => "message.relay",
            Action::DeliveryStatus => "delivery.status",
            Action::MailboxOpen => "mailbox.open",
            Action::MailboxCreate => "mailbox.create",
            Action::MailboxDelete => "mailbox.delete",
            Action::MailboxRename => "mailbox.rename",
            Action::MessageCopy => "message.copy",
            Action::PatientBlock => "patient.block",
            Action::PatientOpposition => "patient.opposition",
            Action::InactivityWarning => "account.inactivity_warning",
            Action::InactivityObjection => "account.inactivity_objection",
            Action::IncidentRaise => "incident.raise",
            Action::TermsAccept => "account.terms_accept",
            Action::StaffRole => "account.staff_role",
            Action::MailboxPersonal => "mailbox.personal",
            Action::AlertBroadcast => "alert.broadcast",
            Action::ForwardingSet => "account.forwarding",
            Action::MessageForward => "message.forward",
            Action::TraceVerify => "trace.verify",
            Action::TracePurge => "trace.purge",
            Action::BreachRecord => "breach.record",
            Action::RepresentativeSet => "account.representative",
            Action::SchemaMigrate => "store.migrate",
            Action::AdminAction => "admin.action",
            Action::AbsenceSet => "account.absence",
            Action::SignatureSet => "account.signature",
            Action::AbsenceReplied => "absence.replied",
        }
    }

    /// The action stored under `code`, if any.
    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == code)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an action ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// It happened.
    Success,
    /// A rule refused it (the detail names the requirement).
    Refused,
    /// It failed (bad credentials, broken chain…).
    Failure,
}

impl Outcome {
    /// The stable code stored in the chain.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Refused => "refused",
            Outcome::Failure => "failure",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing that happened, before it is numbered and chained. Its actor, object and
/// detail are typed (TR-5): they become text only in [`crate::Entry::chain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Who.
    pub actor: Who,
    /// The organisational mailbox a delegate acted for (ID-3).
    pub acting_for: Option<AccountRef>,
    /// What.
    pub action: Action,
    /// On what: ids such as `mbx:3 msg:12`.
    pub object: Object,
    /// From where: `ip:port`, `cli` or `local`.
    pub source: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Further facts, such as the refused requirement `MS-12`.
    pub detail: Option<Detail>,
}

impl Event {
    /// `action` by `actor` on `object` at `at_ms`: a success, from no known source,
    /// for no organisation, without detail (set those fields as needed).
    pub fn new(at_ms: i64, actor: Who, action: Action, object: Object) -> Event {
        Event {
            at_ms,
            actor,
            acting_for: None,
            action,
            object,
            source: None,
            outcome: Outcome::Success,
            detail: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for action in Action::ALL {
            assert!(seen.insert(action.as_str()), "duplicate code {action}");
            assert_eq!(Action::from_code(action.as_str()), Some(action));
        }
        assert_eq!(Action::from_code("message.teleport"), None);
    }
}
