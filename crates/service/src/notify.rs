//! Messages the service sends outside the trust space: login codes to a user's
//! out-of-band address or phone (AU-1), the codes confirming a new one and the notice
//! to the address it replaced (AU-1), new-mail notices (MS-7), inactivity warnings by e-mail
//! and SMS (RT-1). The transport is the binary's business (an SMTP
//! smarthost); the service only says what to send.

use async_trait::async_trait;
use caduceus_core::{MailAddress, SecretString};

/// Something to tell a user at their out-of-band address.
#[derive(Debug)]
pub enum Notice {
    /// A one-time login code (second factor, AU-1). Carries no sender, subject or
    /// message content.
    LoginCode {
        /// The out-of-band address.
        to: MailAddress,
        /// The code, six digits.
        code: SecretString,
        /// How long it stays valid, in minutes.
        valid_minutes: u32,
    },
    /// A one-time login code by SMS (second factor, AU-1, seed 004 §6.2): to the
    /// phone number the holder gave, through the operator's SMS gateway hook. Carries
    /// no sender, subject or message content.
    LoginCodeSms {
        /// The phone number.
        to: caduceus_core::PhoneNumber,
        /// The code, six digits.
        code: SecretString,
        /// How long it stays valid, in minutes.
        valid_minutes: u32,
    },
    /// The code confirming a new out-of-band address, sent to that address (AU-1,
    /// MS-7): the old address stays in use until it is typed in the settings. Carries
    /// no sender, subject or message content.
    ContactCode {
        /// The new address.
        to: MailAddress,
        /// The code, six digits.
        code: SecretString,
        /// How long it stays valid, in minutes.
        valid_minutes: u32,
    },
    /// The code confirming a new phone number, by SMS to that number through the
    /// operator's SMS gateway hook (AU-1, RT-1).
    ContactCodeSms {
        /// The new phone number.
        to: caduceus_core::PhoneNumber,
        /// The code, six digits.
        code: SecretString,
        /// How long it stays valid, in minutes.
        valid_minutes: u32,
    },
    /// A contact was replaced (AU-1), so a change made by someone else is seen: a new
    /// e-mail address told at the former one, a new SMS number at the contact address.
    /// The new value appears masked only.
    ContactReplaced {
        /// The former address (an e-mail change), or the contact address (a number's).
        to: MailAddress,
        /// Which contact changed.
        channel: caduceus_core::contact::ContactChannel,
        /// The new value, masked (`a***@e***.org`, `+33*******78`).
        masked: String,
    },
    /// New mail waits in the secure mailbox (MS-7). Carries the out-of-band address
    /// only: the text is fixed, with no sender, subject or content.
    NewMail {
        /// The out-of-band address.
        to: MailAddress,
    },
    /// A professional accessed data concerning this patient for the first time (TR-4).
    /// Carries the out-of-band address only: the patient sees who in their access log.
    FirstAccess {
        /// The out-of-band address.
        to: MailAddress,
    },
    /// A personal-data breach concerns this user's data and may put them at high risk
    /// (TR-6, GDPR art. 34). Carries the out-of-band address only: a fixed text.
    Breach {
        /// The out-of-band address.
        to: MailAddress,
    },
    /// A self-registered professional's link to confirm their out-of-band address,
    /// which activates the account (ID-1).
    RegistrationConfirmation {
        /// The out-of-band address.
        to: MailAddress,
        /// The link's token (secret: whoever has it activates the account).
        token: SecretString,
        /// How long the link works, in hours.
        valid_hours: u32,
    },
    /// An incident was raised (TR-3): to the security contact, its kind only.
    Incident {
        /// The security contact's address.
        to: MailAddress,
        /// `incident.brute_force`…
        kind: &'static str,
    },
    /// The mailbox will be deleted for inactivity in `days_left` days unless the
    /// owner logs in or follows the objection link carrying `token` (RT-1).
    InactivityWarning {
        /// The out-of-band address.
        to: MailAddress,
        /// Days before the deletion.
        days_left: u32,
        /// The objection link's token (secret: whoever has it keeps the mailbox).
        token: SecretString,
    },
    /// A patient mailbox is announced (ID-5, AC-3, seed 003 §7): it opens on `opens`
    /// unless the patient objects through the link carrying `token`, which also lets
    /// them accept at once. No name, no INS: the address it goes to is the patient's.
    PatientAnnouncement {
        /// The patient's out-of-band address.
        to: MailAddress,
        /// When the mailbox opens.
        opens: caduceus_core::Timestamp,
        /// The link's token (secret: whoever has it answers for the patient).
        token: SecretString,
    },
    /// The same warning by SMS, the second channel (RT-1): to the phone number the
    /// owner gave, through the operator's SMS gateway hook.
    InactivitySms {
        /// The phone number.
        to: caduceus_core::PhoneNumber,
        /// Days before the deletion.
        days_left: u32,
        /// The objection link's token.
        token: SecretString,
    },
}

/// Sends notices. Implementations must not log the code.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Sends `notice`, or says why it could not be sent.
    async fn send(&self, notice: Notice) -> Result<(), String>;
}

/// The notifier of a server with no outbound mail configured: refuses, so a code is
/// never silently dropped.
pub struct NoNotifier;

#[async_trait]
impl Notifier for NoNotifier {
    async fn send(&self, _notice: Notice) -> Result<(), String> {
        Err("no outbound mail is configured for notices (set [notices] in caduceus.toml)".into())
    }
}
