//! The authorization matrix (AC-1, AC-2, ID-2, ID-3, ID-4, MS-2, MS-9, MS-10, MS-15,
//! MS-17, MS-18, TR-4, AU-1, AU-2): for each operation on data that is someone's, and each kind of caller,
//! the expected outcome — one declarative table — and the interfaces that offer it
//! ([`Operation::offered_by`], [`interfaces`]). The matrix test
//! (`crates/web/tests/matrix.rs`) drives every cell through each of them and fails on
//! any difference; the table is the reference a reviewer reads, not a copy of the code
//! that enforces it (what a staff role may do is [`Role::may`]'s table, pinned here by
//! examples).
//!
//! The data an operation reaches belongs to an owner: for the mailbox operations, the
//! caller's own mailbox for [`Party::Owner`] and an organisational mailbox for the
//! others (so that a delegate can be tested); for the opposition operations, a patient;
//! for the sending operations, the identity a message is sent as; for the device
//! and settings operations, the owner; for the patient's access log and blocks, the patient; for
//! the account administration, an account of the operator's (for the delegations,
//! the organisational mailbox's delegate to add or remove); for the directory lookup,
//! the owner's listed entry.

use crate::{Duty, Requirement, Role};

/// An operation on someone's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// List a folder of the mailbox (subjects, senders).
    ListFolder,
    /// Read a message of the mailbox.
    ReadMessage,
    /// Download a message's raw bytes.
    ReadRaw,
    /// Download one of a message's attachments.
    ReadAttachment,
    /// Read a message as it was written: its HTML sanitised, in the webmail's frame (MS-1).
    ReadLetter,
    /// See a PDF or an image attachment inline (MS-1).
    PreviewAttachment,
    /// Change a message's flags.
    FlagMessage,
    /// Delete a message (RT-3).
    DeleteMessage,
    /// Move a message to another folder of the mailbox (MS-6).
    MoveMessage,
    /// Copy a message into another folder of the mailbox (MS-6).
    CopyMessage,
    /// Search a folder for a subject.
    SearchFolder,
    /// List the mailbox's conversations, grouped by patient (their subjects, MS-6).
    ListConversations,
    /// Read a conversation of the mailbox: its messages in order (MS-6).
    ReadConversation,
    /// Keep a letter being written in the mailbox's Drafts folder, replacing its
    /// previous draft (MS-6, issue 22): the mailbox's own mail, never delivered.
    SaveDraft,
    /// See where a message sent from the mailbox to another operator stands, with the
    /// signed notifications written about it (MS-16): its sender or a delegate of the
    /// mailbox it was sent from.
    ReadDeliveryStatus,
    /// Forward the mailbox's mail elsewhere (MS-17).
    SetForwarding,
    /// Export the mailbox (RT-4).
    Export,
    /// Ask whether the patient opposed exchanges about them (MS-9).
    QueryOpposition,
    /// Record the patient's opposition (MS-9).
    RecordOpposition,
    /// Withdraw the patient's opposition (MS-9).
    WithdrawOpposition,
    /// Send a message as oneself (to a professional who wrote to a patient caller, MS-8).
    SendAsSelf,
    /// Send a message as the organisational mailbox (ID-3).
    SendAsOrganisation,
    /// Send a message as another professional (MS-2, ID-3).
    SendAsOther,
    /// List the owner's device credentials (AU-2).
    ListDevices,
    /// Enrol a device: a new credential for the owner's mail clients (AU-2).
    AddDevice,
    /// Revoke a device credential of the owner's (AU-2).
    RevokeDevice,
    /// Register a passkey for the owner's logins, after a strong login (AU-1).
    RegisterPasskey,
    /// Revoke a passkey or a paired phone of the owner's (AU-1, MS-18).
    RevokePasskey,
    /// Make a one-time token that pairs a phone with the owner's account (MS-18).
    MakePairingToken,
    /// Pair a phone with the owner's token: it registers its own passkey (MS-18). The
    /// phone's page itself (`/pair/{token}`) holds no session: the token is the proof.
    PairPhone,
    /// Read the patient's access log (TR-4).
    ReadAccessLog,
    /// Block a professional from writing to the patient (MS-10).
    BlockProfessional,
    /// Set the owner's notices: the contact address and new-mail notices on (MS-7).
    SetNotifications,
    /// Confirm the owner's new contact address or phone number with the code sent to
    /// it (AU-1, MS-7, RT-1): the owner's own user only, never staff nor the operator
    /// (who set a contact directly, ID-2).
    ConfirmContact,
    /// Set the owner's directory choices: liste rouge, phone shown (ID-4, AC-3).
    SetDirectoryPreferences,
    /// Ask the registration authority to correct the owner's identity data (AC-3).
    RequestCorrection,
    /// Export the owner's account data: identity, devices, contacts, own traces
    /// (AC-3, RT-4).
    ExportAccountData,
    /// Close the owner's account, as the holder (AC-3, RT-2): closed as the
    /// operator's closure would (a patient's data kept for its retention).
    CloseOwnAccount,
    /// Have the owner's certificate signed for a key made on their side, from its
    /// PKCS#10 request (MS-3): the directory then serves it.
    RequestCertificate,
    /// Find, by name, the patients the owner already exchanged with (issue 22, MS-8):
    /// their own correspondents only.
    FindKnownPatients,
    /// Turn encryption at rest to the owner's certificate on or off: from then on,
    /// each copy delivered to them is enveloped to it before it is sealed (MS-3).
    SetEncryptionAtRest,
    /// Set the owner's out-of-office reply: on or off, days, audience, subject and
    /// text (MS-6, RFC 3834).
    SetAbsence,
    /// Set the owner's signature, offered at the end of each letter they write (MS-6).
    SetSignature,
    /// List the operator's accounts (the admin console's accounts page).
    ListAccounts,
    /// Read the queue of professionals' own registrations: what their card or e-CPS
    /// said and why the register did not confirm it (ID-1).
    ReviewRegistrations,
    /// Record that an account's identity was verified (ID-2; the admin console).
    VerifyAccount,
    /// Activate a verified account that has a contact address (ID-2).
    ActivateAccount,
    /// Suspend an account (the admin console).
    SuspendAccount,
    /// Close an account, its data deleted (RT-2; the command line).
    CloseAccount,
    /// Make a professional a delegate of the organisational mailbox (ID-3; the
    /// command line).
    AddDelegate,
    /// Withdraw a delegate from the organisational mailbox (ID-3; the command line).
    RemoveDelegate,
    /// Register a representative of a patient (ID-7; the command line).
    AddRepresentative,
    /// Announce a verified patient mailbox to its patient, who has six weeks to
    /// object (ID-5, AC-3, seed 003 §7; the command line).
    AnnouncePatient,
    /// Record, on the patient's behalf, their objection to their announced mailbox:
    /// it is never created (AC-3; the command line).
    RecordAnnouncementObjection,
    /// Open a patient mailbox the patient, present in person, accepts (ID-5, AC-3;
    /// the command line).
    AcceptAtCounter,
    /// List the announced patient mailboxes and their opening dates (ID-5; the admin
    /// console).
    ListAnnouncements,
    /// Read the trace chain (TR-1; the admin console).
    ReadTraces,
    /// Download the traces as a file (TR-1; the admin console's `traces.csv`).
    ExportTraces,
    /// Read the service's status: the trust list, the directory imports (ID-4, MS-5).
    ReadStatus,
    /// See the security alerts (TR-3; the admin console).
    SeeAlerts,
    /// Broadcast a health alert to directory members (MS-15; the admin console).
    BroadcastAlert,
    /// Record a personal-data breach in the register (TR-6; its assessment,
    /// notification and closure are under the same duty).
    RecordBreach,
    /// Read the breach register (TR-6).
    ReadBreaches,
    /// Look a listed mailbox up in the directory, by name or address (ID-4): any
    /// logged-in user, whatever the interface (the API's FHIR search, the webmail's
    /// suggestions, the LDAP address book).
    LookUpDirectory,
}

/// What an operation reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reach {
    /// A mailbox's folders and messages.
    Mailbox,
    /// A patient's opposition (MS-9).
    Opposition,
    /// An identity to send as.
    Sending,
    /// An account's device credentials.
    Devices,
    /// A patient's own settings and log (TR-4, MS-10).
    PatientOwn,
    /// An account holder's own settings: notices (MS-7), directory choices (ID-4),
    /// their certificate (MS-3), their rights over the account (AC-3: correction,
    /// export, closure).
    Settings,
    /// An account holder's listed entry in the directory (ID-4).
    Directory,
    /// The operator's administration: accounts' life cycle (ID-2, RT-2), traces,
    /// alerts; each under a [`Duty`] ([`Operation::duty`]).
    Administration,
}

/// Who asks, relative to the data's owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// The professional whose own mailbox it is.
    Owner,
    /// A delegate of the organisational mailbox (ID-3).
    Delegate,
    /// A former delegate, removed from the mailbox.
    RemovedDelegate,
    /// Another active professional.
    OtherProfessional,
    /// The professional who recorded the patient's opposition.
    Recorder,
    /// The patient the data is about (their own opposition).
    Patient,
    /// Another patient.
    OtherPatient,
    /// A member of the operator's staff acting in a staff role (the admin console),
    /// which never reaches content (AC-2) nor patients' choices, and administers
    /// only what its role's duties cover ([`Operation::duty`]). (On the API a staff
    /// member is an ordinary professional.)
    Staff(Role),
    /// Someone whose session was opened before their account was suspended.
    Suspended,
    /// Someone whose session was opened before their account was closed (RT-2).
    Closed,
    /// Nobody logged in.
    Anonymous,
    /// An applicative account (an automaton's mailbox), logged in with its client
    /// certificate only (AU-1): another account to the data's owner.
    Applicative,
    /// The operator at the command line (`caduceus`), who holds the data directory
    /// and its keys: administers accounts, reads the traces and alerts, and acts on a
    /// patient's request (MS-9, MS-10, TR-4) — a named staff member who logged in
    /// (`caduceus login`), under their role holding the duty, each action traced as
    /// `op:<role>:acct:<n>` (AC-2, TR-1), no message content shown (AC-2). Found at
    /// the command line only.
    Operator,
}

/// What the operation must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// It happens.
    Allowed,
    /// Refused by this rule (a denial, or "not found" where existence is not told).
    Denied(Requirement),
    /// No valid login: asked to authenticate (AU-1).
    Unauthenticated,
}

/// The interfaces an operation is offered through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Interface {
    /// The JSON API (MS-18).
    Api,
    /// The admin console (`/admin`): pages and forms with the session cookie and its
    /// CSRF token; the service picks the role of the staff member's that holds the
    /// duty, and traces a refusal.
    AdminConsole,
    /// The service's use cases, called directly.
    Service,
    /// The webmail (MS-6): forms over HTTPS with the session cookie and its CSRF
    /// token, on the user's own mailbox only (a delegate cannot reach an organisational
    /// one there, issue 20); a message is named by its id, a folder by its name in
    /// one's own mailbox. No raw download.
    Webmail,
    /// SMTP submission (MS-2, ID-3): sending only; the envelope sender names the
    /// identity sent as.
    Smtp,
    /// IMAP (MS-6): a login opens its own mailbox only; there is no shared namespace
    /// (issue 20), so a delegate cannot reach an organisational mailbox there, and
    /// another's mailbox has no name at all: a folder name or a UID that would reach it
    /// is answered as absent (`NO`, or an empty answer) — see
    /// [`Interface::names_others_data`].
    Imap,
    /// The LDAP directory (ID-4): a bind with a device credential (no certificate
    /// bind), then searches; a session bound before its account was suspended or
    /// closed is refused at its next search.
    Ldap,
    /// The command line (`caduceus`), run by the operator ([`Party::Operator`]) on
    /// the data directory: the administration, the patient's requests (opposition,
    /// blocks, access log), device revocation; never message content (AC-2).
    Cli,
}

impl Interface {
    /// Whether the interface shows and changes one's own data only for `operation`:
    /// no field of it names another's (the API's patient log and blocks, the API's and
    /// the webmail's export, notices and devices, the API's certificate request, the
    /// webmail's forwarding, the service's device enrolment, the API's and the
    /// webmail's self-service rights, AC-3, the webmail's certificate form, MS-3, and
    /// its patients found by name).
    pub fn own_only(self, operation: Operation) -> bool {
        match self {
            Interface::Api => {
                matches!(
                    operation,
                    Operation::Export
                        | Operation::SetNotifications
                        | Operation::ConfirmContact
                        | Operation::ListDevices
                        | Operation::AddDevice
                        | Operation::RequestCertificate
                        | Operation::SetEncryptionAtRest
                        | Operation::SetAbsence
                        | Operation::SetSignature
                ) || operation.reaches() == Reach::PatientOwn
                    || operation.is_self_service()
            }
            Interface::Webmail => {
                matches!(
                    operation,
                    Operation::Export
                        | Operation::SetForwarding
                        | Operation::SetNotifications
                        | Operation::ConfirmContact
                        | Operation::SetEncryptionAtRest
                        | Operation::SetAbsence
                        | Operation::SetSignature
                        | Operation::RequestCertificate
                        | Operation::FindKnownPatients
                        | Operation::ListDevices
                        | Operation::AddDevice
                        | Operation::RegisterPasskey
                        | Operation::MakePairingToken
                ) || operation.is_self_service()
            }
            // A device, a passkey or a pairing token is made by the login it is for
            // (`Service::add_device`, `Service::begin_passkey_registration`,
            // `Service::make_pairing_token`); a phone pairs with the token it holds.
            Interface::Service => matches!(
                operation,
                Operation::AddDevice
                    | Operation::RegisterPasskey
                    | Operation::MakePairingToken
                    | Operation::PairPhone
            ),
            _ => false,
        }
    }

    /// Whether the interface can name someone else's data for `operation`, so that
    /// reaching for it is a refusal to trace (TR-1). Over IMAP it cannot, nor can the
    /// webmail's folder pages: a folder name or a UID is looked up in the caller's own
    /// mailbox, where the other's data does not exist, as for a mistyped name. The
    /// webmail's message pages and forms name a message by its id, which can.
    pub fn names_others_data(self, operation: Operation) -> bool {
        match self {
            Interface::Imap => false,
            Interface::Webmail => {
                !matches!(operation, Operation::ListFolder | Operation::SearchFolder)
            }
            _ => true,
        }
    }
}

impl Operation {
    /// Every operation of the matrix.
    pub const ALL: [Operation; 64] = [
        Operation::ListFolder,
        Operation::ReadMessage,
        Operation::ReadRaw,
        Operation::ReadAttachment,
        Operation::ReadLetter,
        Operation::PreviewAttachment,
        Operation::FlagMessage,
        Operation::DeleteMessage,
        Operation::MoveMessage,
        Operation::CopyMessage,
        Operation::SearchFolder,
        Operation::ListConversations,
        Operation::ReadConversation,
        Operation::SaveDraft,
        Operation::ReadDeliveryStatus,
        Operation::SetForwarding,
        Operation::Export,
        Operation::QueryOpposition,
        Operation::RecordOpposition,
        Operation::WithdrawOpposition,
        Operation::SendAsSelf,
        Operation::SendAsOrganisation,
        Operation::SendAsOther,
        Operation::ListDevices,
        Operation::AddDevice,
        Operation::RevokeDevice,
        Operation::RegisterPasskey,
        Operation::RevokePasskey,
        Operation::MakePairingToken,
        Operation::PairPhone,
        Operation::ReadAccessLog,
        Operation::BlockProfessional,
        Operation::SetNotifications,
        Operation::ConfirmContact,
        Operation::SetDirectoryPreferences,
        Operation::RequestCorrection,
        Operation::ExportAccountData,
        Operation::CloseOwnAccount,
        Operation::RequestCertificate,
        Operation::FindKnownPatients,
        Operation::SetEncryptionAtRest,
        Operation::SetAbsence,
        Operation::SetSignature,
        Operation::ListAccounts,
        Operation::ReviewRegistrations,
        Operation::VerifyAccount,
        Operation::ActivateAccount,
        Operation::SuspendAccount,
        Operation::CloseAccount,
        Operation::AddDelegate,
        Operation::RemoveDelegate,
        Operation::AddRepresentative,
        Operation::AnnouncePatient,
        Operation::RecordAnnouncementObjection,
        Operation::AcceptAtCounter,
        Operation::ListAnnouncements,
        Operation::ReadTraces,
        Operation::ExportTraces,
        Operation::ReadStatus,
        Operation::SeeAlerts,
        Operation::BroadcastAlert,
        Operation::LookUpDirectory,
        Operation::RecordBreach,
        Operation::ReadBreaches,
    ];

    /// The interfaces that offer the operation to someone: the service's use cases
    /// (not a search: the front ends filter what it opens; not an export: the front
    /// ends write it), the API, the webmail (no raw download, no copy), IMAP
    /// (a mailbox's messages), SMTP (sending), the admin console (the administration
    /// but closing an account and the delegations, done at the command line: the
    /// service here), the command line (the administration but broadcasts, the status
    /// page and the trace file, a patient's requests, devices but their enrolment),
    /// LDAP (the directory).
    pub fn offered_by(self) -> &'static [Interface] {
        use Interface::*;
        use Operation::*;
        match self {
            ListFolder | ReadMessage | FlagMessage | DeleteMessage => {
                &[Api, Service, Webmail, Imap]
            }
            ReadRaw => &[Api, Service, Imap],
            // The service's read is ReadMessage's; the front ends pick the part.
            ReadAttachment => &[Api, Webmail, Imap],
            // The webmail's frame and previews (MS-1): the service's letter, and for a
            // preview its read is ReadMessage's.
            ReadLetter => &[Service, Webmail],
            PreviewAttachment => &[Webmail],
            // The webmail moves a message by id (to Archive, another folder, Trash).
            MoveMessage => &[Api, Service, Webmail, Imap],
            CopyMessage => &[Service, Imap],
            ListDevices => &[Api, Service, Webmail, Cli],
            AddDevice => &[Api, Service, Webmail],
            // Passkeys and pairing (AU-1, MS-18): the webmail's settings; the phone's
            // side of pairing is the service's, reached by the token.
            RegisterPasskey | MakePairingToken => &[Service, Webmail],
            // The operator revokes a lost phone's at the command line too.
            RevokePasskey => &[Service, Webmail, Cli],
            PairPhone => &[Service],
            SearchFolder => &[Api, Webmail, Imap],
            // The webmail's conversations, on the service's use case (MS-6).
            ListConversations | ReadConversation => &[Service, Webmail],
            // The webmail's compose form and its autosave (issue 22); IMAP clients
            // keep theirs with APPEND.
            SaveDraft => &[Service, Webmail],
            // The API's `GET /outbound/{queue_ref}` (MS-16); no page shows it yet.
            ReadDeliveryStatus => &[Api, Service],
            SetForwarding => &[Api, Service, Webmail],
            SetNotifications => &[Api, Service, Webmail, Cli],
            // The settings' code field (AU-1); the operator sets a contact directly.
            ConfirmContact => &[Api, Service, Webmail],
            SetDirectoryPreferences => &[Api, Service, Webmail, Cli],
            RequestCorrection | ExportAccountData | CloseOwnAccount => &[Api, Service, Webmail],
            // The webmail's settings: a request pasted or a `.pem` uploaded (MS-3).
            RequestCertificate => &[Api, Service, Webmail, Cli],
            SetEncryptionAtRest => &[Api, Service, Webmail],
            // The settings' out-of-office and signature sections (MS-6).
            SetAbsence | SetSignature => &[Api, Service, Webmail],
            // The compose form's suggestions (issue 22).
            FindKnownPatients => &[Service, Webmail],
            Export => &[Api, Webmail],
            SendAsSelf | SendAsOrganisation | SendAsOther => &[Api, Service, Webmail, Smtp],
            QueryOpposition | RecordOpposition | WithdrawOpposition | RevokeDevice
            | ReadAccessLog | BlockProfessional => &[Api, Service, Cli],
            ListAccounts | VerifyAccount | ActivateAccount | SuspendAccount | ReadTraces
            | SeeAlerts => &[Service, AdminConsole, Cli],
            BroadcastAlert | ReadStatus | ListAnnouncements => &[Service, AdminConsole],
            // The file is the console's; the service's reading is ReadTraces's.
            ExportTraces => &[AdminConsole],
            CloseAccount
            | AddDelegate
            | RemoveDelegate
            | AddRepresentative
            | ReviewRegistrations
            | AnnouncePatient
            | RecordAnnouncementObjection
            | AcceptAtCounter => &[Service, Cli],
            // The security officer's register, at the command line and in the console.
            RecordBreach | ReadBreaches => &[Service, AdminConsole, Cli],
            LookUpDirectory => &[Api, Service, Webmail, Ldap],
        }
    }

    /// Whether the operation is one of the holder's rights over their own account
    /// (AC-3, ID-4, RT-2): the directory choices, a correction of their identity data,
    /// the account's data export, closing it.
    pub fn is_self_service(self) -> bool {
        matches!(
            self,
            Operation::SetDirectoryPreferences
                | Operation::RequestCorrection
                | Operation::ExportAccountData
                | Operation::CloseOwnAccount
        )
    }

    /// The duty an administration operation needs (AC-1), if it is one.
    pub fn duty(self) -> Option<Duty> {
        match self {
            Operation::ListAccounts
            | Operation::ReviewRegistrations
            | Operation::VerifyAccount
            | Operation::ActivateAccount
            | Operation::SuspendAccount
            | Operation::CloseAccount
            | Operation::AddDelegate
            | Operation::RemoveDelegate
            | Operation::AddRepresentative
            | Operation::AnnouncePatient
            | Operation::RecordAnnouncementObjection
            | Operation::AcceptAtCounter
            | Operation::ListAnnouncements => Some(Duty::ManageAccounts),
            Operation::ReadTraces | Operation::ExportTraces => Some(Duty::ReadTraces),
            Operation::ReadStatus => Some(Duty::ImportDirectory),
            Operation::SeeAlerts => Some(Duty::SeeAlerts),
            Operation::BroadcastAlert => Some(Duty::SendHealthAlerts),
            Operation::RecordBreach | Operation::ReadBreaches => Some(Duty::HandleBreaches),
            _ => None,
        }
    }

    /// What the operation reaches.
    pub fn reaches(self) -> Reach {
        match self {
            Operation::QueryOpposition
            | Operation::RecordOpposition
            | Operation::WithdrawOpposition => Reach::Opposition,
            Operation::SendAsSelf | Operation::SendAsOrganisation | Operation::SendAsOther => {
                Reach::Sending
            }
            Operation::ListDevices
            | Operation::AddDevice
            | Operation::RevokeDevice
            | Operation::RegisterPasskey
            | Operation::RevokePasskey
            | Operation::MakePairingToken
            | Operation::PairPhone => Reach::Devices,
            Operation::ReadAccessLog | Operation::BlockProfessional => Reach::PatientOwn,
            Operation::SetNotifications
            | Operation::ConfirmContact
            | Operation::SetDirectoryPreferences
            | Operation::RequestCorrection
            | Operation::ExportAccountData
            | Operation::CloseOwnAccount
            | Operation::RequestCertificate
            | Operation::FindKnownPatients
            | Operation::SetEncryptionAtRest
            | Operation::SetAbsence
            | Operation::SetSignature => Reach::Settings,
            Operation::LookUpDirectory => Reach::Directory,
            _ if self.duty().is_some() => Reach::Administration,
            _ => Reach::Mailbox,
        }
    }
}

/// The expected outcome of `operation` asked by `party`.
pub fn expected(operation: Operation, party: Party) -> Expected {
    use Expected::{Allowed, Denied, Unauthenticated};
    use Party::*;
    use Reach::{
        Administration, Devices, Directory, Mailbox, Opposition, PatientOwn, Sending, Settings,
    };
    match (operation.reaches(), operation, party) {
        (_, _, Anonymous | Suspended | Closed) => Unauthenticated,
        // The directory lists professionals' mailboxes for everyone logged in (ID-4):
        // who is listed is the directory's rule, not the caller's.
        (Directory, _, _) => Allowed,
        // The operator holds the data and keys: administration, devices, a patient's
        // requests (TR-4, MS-10) and their opposition — withdrawn only if an operator
        // recorded it (MS-9).
        (Administration | Devices | PatientOwn | Settings, _, Operator) => Allowed,
        // A mailbox: its owner and, for an organisation's, its delegates only (ID-3);
        // staff never reach content (AC-2).
        (Mailbox, _, Owner | Delegate) => Allowed,
        (Mailbox, _, Staff(_)) => Denied(Requirement::Ac2),
        (Mailbox, _, _) => Denied(Requirement::Ac1),
        // Sent as oneself, as an organisation by its delegates only, never as another
        // person (ID-3; MS-2 for the headers).
        (Sending, Operation::SendAsSelf, _) => Allowed,
        (Sending, Operation::SendAsOrganisation, Delegate) => Allowed,
        (Sending, _, _) => Denied(Requirement::Id3),
        // Devices, settings, a patient's log and blocks: their owner only; staff
        // neither (AC-1).
        (Devices | Settings, _, Owner) | (PatientOwn, _, Patient) => Allowed,
        (Devices | PatientOwn | Settings, _, _) => Denied(Requirement::Ac1),
        // Administration: staff whose role holds the duty (AC-1).
        (Administration, _, Staff(role)) if operation.duty().is_some_and(|d| role.may(d)) => {
            Allowed
        }
        (Administration, _, _) => Denied(Requirement::Ac1),
        // An opposition: the patient always; other patients never (AC-1).
        (Opposition, _, Patient) => Allowed,
        (Opposition, _, OtherPatient | Staff(_)) => Denied(Requirement::Ac1),
        // Withdrawn only by the patient or whoever recorded it (MS-9).
        (Opposition, Operation::WithdrawOpposition, Recorder) => Allowed,
        (Opposition, Operation::WithdrawOpposition, _) => Denied(Requirement::Ms9),
        // Asked or recorded by any active professional (on the patient's behalf); the
        // service counts any active account but a patient's as one, an automaton's
        // too (not a party the matrix tries there yet).
        (
            Opposition,
            _,
            Owner | OtherProfessional | Recorder | Delegate | RemovedDelegate | Operator
            | Applicative,
        ) => Allowed,
    }
}

/// The interfaces that offer `operation` to `party`, through which its cell is
/// driven: those that offer the operation at all ([`Operation::offered_by`]), the
/// command line to the operator only and the operator nowhere else, less the service
/// for a session (suspended, closed, or none: it exists only at a front end), the
/// front ends but the admin console for a staff role (a delegate reaches a mailbox
/// through IMAP's shared namespace and the webmail's mailbox switcher, ID-3), and,
/// where the
/// interface shows one's own only ([`Interface::own_only`]), everyone but the data's
/// owner and the sessions. The applicative account logs in with its certificate
/// everywhere: the API's and the webmail's certificate logins, SMTP `AUTH EXTERNAL`,
/// IMAP `AUTHENTICATE EXTERNAL`.
pub fn interfaces(operation: Operation, party: Party) -> Vec<Interface> {
    let session = matches!(party, Party::Anonymous | Party::Suspended | Party::Closed);
    let owner = match operation.reaches() {
        Reach::PatientOwn => Party::Patient,
        _ => Party::Owner,
    };
    let offered = |interface: Interface| match interface {
        _ if party == Party::Operator => interface == Interface::Cli,
        Interface::Cli => false,
        Interface::Service => !session && (!interface.own_only(operation) || party == owner),
        Interface::AdminConsole => true,
        _ if matches!(party, Party::Staff(_)) => false,
        // LDAP binds with a device credential only (no EXTERNAL bind): the automaton
        // has none.
        Interface::Ldap if party == Party::Applicative => false,
        _ => !interface.own_only(operation) || party == owner || session,
    };
    operation
        .offered_by()
        .iter()
        .copied()
        .filter(|&interface| offered(interface))
        .collect()
}

/// Each staff role, as a party.
const STAFF: [Party; 5] = [
    Party::Staff(Role::RegistrationAuthority),
    Party::Staff(Role::Administrator),
    Party::Staff(Role::Auditor),
    Party::Staff(Role::SecurityOfficer),
    Party::Staff(Role::AlertSender),
];

/// The parties the matrix tries for `operation`: the operator wherever the command
/// line offers it.
pub fn parties(operation: Operation) -> Vec<Party> {
    use Party::*;
    let (people, with_staff): (&[Party], bool) = match operation.reaches() {
        // The directory's readers are the mailboxes' (ID-4): anyone logged in.
        Reach::Mailbox | Reach::Directory => (
            &[
                Owner,
                Delegate,
                RemovedDelegate,
                OtherProfessional,
                Patient,
                Suspended,
                Closed,
                Anonymous,
                Applicative,
            ],
            true,
        ),
        Reach::Opposition => (
            &[
                Patient,
                OtherPatient,
                OtherProfessional,
                Recorder,
                Suspended,
                Anonymous,
            ],
            true,
        ),
        Reach::Sending => (
            &[
                Delegate,
                RemovedDelegate,
                OtherProfessional,
                Patient,
                Suspended,
                Anonymous,
                Applicative,
            ],
            false,
        ),
        Reach::Devices | Reach::Settings => (
            &[Owner, OtherProfessional, Patient, Suspended, Anonymous],
            true,
        ),
        Reach::PatientOwn => (
            &[
                Patient,
                OtherPatient,
                OtherProfessional,
                Suspended,
                Anonymous,
            ],
            true,
        ),
        // A delegate of an organisation does not administer it (ID-3).
        Reach::Administration => (&[OtherProfessional, Delegate, Anonymous], true),
    };
    let staff: &[Party] = if with_staff { &STAFF } else { &[] };
    // A delegate, who acts for an organisation, never confirms its owner's new contact
    // (AU-1): tried there too.
    let delegate: &[Party] = if operation == Operation::ConfirmContact {
        &[Party::Delegate]
    } else {
        &[]
    };
    let operator: &[Party] = if operation.offered_by().contains(&Interface::Cli) {
        &[Party::Operator]
    } else {
        &[]
    };
    people
        .iter()
        .chain(delegate)
        .chain(staff)
        .chain(operator)
        .copied()
        .collect()
}

#[cfg(test)]
mod tests;
