//! Relaying to other operators (MS-16): when to try again, when to give up, what a
//! peer's reply means, and the delivery status notification (RFC 3464) the sender
//! receives.

use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::address::MailAddress;
use crate::clock::Timestamp;

/// The retry schedule of the outbound queue: the first retry after `first`, each
/// next wait doubled up to `max`, and nothing after `lifetime` from queueing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait before the first retry.
    pub first: Duration,
    /// Longest wait between two attempts.
    pub max: Duration,
    /// How long a message stays queued before it expires.
    pub lifetime: Duration,
}

impl Default for RetryPolicy {
    /// 1 minute, doubling to at most 1 hour, for 5 days (RFC 5321 §4.5.4.1 suggests
    /// giving up after 4–5 days).
    fn default() -> Self {
        Self {
            first: Duration::from_secs(60),
            max: Duration::from_secs(3600),
            lifetime: Duration::from_secs(5 * 24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// When a message queued at `created` expires.
    pub fn expiry(&self, created: Timestamp) -> Timestamp {
        created.saturating_add(self.lifetime)
    }

    /// After `attempts` failed attempts (this one included) at `now`, when to try
    /// again; `None` when the next attempt would fall after `expires`.
    pub fn next_attempt(
        &self,
        attempts: u32,
        now: Timestamp,
        expires: Timestamp,
    ) -> Option<Timestamp> {
        let doublings = attempts.saturating_sub(1).min(30);
        let wait = self.first.saturating_mul(1u32 << doublings).min(self.max);
        let next = now.saturating_add(wait);
        (next < expires).then_some(next)
    }
}

/// What a peer's SMTP reply code means for the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyClass {
    /// 2xx: accepted.
    Accepted,
    /// 4xx, or no answer at all: try again later.
    Transient,
    /// 5xx: refused for good.
    Permanent,
}

impl ReplyClass {
    /// The class of a reply code.
    pub fn of(code: u16) -> Self {
        match code {
            200..=299 => ReplyClass::Accepted,
            500..=599 => ReplyClass::Permanent,
            _ => ReplyClass::Transient,
        }
    }
}

/// The outcome a delivery status notification reports for one recipient.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DsnAction {
    /// Relayed to the recipient's operator (only when asked, `NOTIFY=SUCCESS`).
    Delivered,
    /// Refused by the recipient's operator.
    Failed,
    /// The queue's lifetime ended before the operator could be reached.
    Expired,
}

impl DsnAction {
    fn action(self) -> &'static str {
        match self {
            DsnAction::Delivered => "relayed",
            DsnAction::Failed | DsnAction::Expired => "failed",
        }
    }

    fn status(self, reply: &str) -> String {
        match self {
            DsnAction::Delivered => "2.0.0".into(),
            DsnAction::Expired => "4.4.7".into(),
            DsnAction::Failed => enhanced_status(reply).unwrap_or_else(|| "5.0.0".into()),
        }
    }
}

/// The `x.y.z` code in a reply text such as `550 5.1.1 unknown user`.
fn enhanced_status(reply: &str) -> Option<String> {
    reply
        .split_whitespace()
        .nth(1)
        .filter(|code| {
            let parts: Vec<&str> = code.split('.').collect();
            parts.len() == 3
                && matches!(parts[0], "2" | "4" | "5")
                && parts[1..]
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(str::to_owned)
}

/// What a delivery status notification says.
#[derive(Clone, Debug)]
pub struct Dsn<'a> {
    /// This operator's host name (`Reporting-MTA`).
    pub reporting_mta: &'a str,
    /// The notification's sender, e.g. `mailer-daemon@<domain>`.
    pub from: &'a str,
    /// Who receives it: the original sender.
    pub to: &'a str,
    /// The recipient concerned.
    pub recipient: &'a str,
    /// What happened.
    pub action: DsnAction,
    /// The peer's last reply, or why it could not be reached.
    pub reply: &'a str,
    /// When (RFC 5322 date).
    pub date: &'a str,
    /// A unique `Message-ID` value, without angle brackets.
    pub message_id: &'a str,
    /// The original message's header section, returned as `text/rfc822-headers`.
    pub original_headers: &'a [u8],
}

/// The header section of an automatic `multipart/report` (DSN, MDN), up to and
/// including the empty line that ends it.
pub(crate) struct ReportHead<'a> {
    /// The `From` field, as written (`Name <address>` or `<address>`).
    pub from: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub date: &'a str,
    pub message_id: &'a str,
    /// `delivery-status` or `disposition-notification`.
    pub report_type: &'a str,
    pub boundary: &'a str,
}

impl ReportHead<'_> {
    pub(crate) fn render(&self) -> String {
        format!(
            "From: {from}\r\n\
             To: <{to}>\r\n\
             Subject: {subject}\r\n\
             Date: {date}\r\n\
             Message-ID: <{id}>\r\n\
             Auto-Submitted: auto-replied\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type={report_type};\r\n\
             \tboundary=\"{boundary}\"\r\n\
             \r\n",
            from = self.from,
            to = self.to,
            subject = self.subject,
            date = self.date,
            id = self.message_id,
            report_type = self.report_type,
            boundary = self.boundary,
        )
    }
}

/// How long a receiving operator remembers the receipts of relayed messages: longer
/// than any sending queue keeps a message (RFC 5321 §4.5.4.1: 4–5 days; ours,
/// [`RetryPolicy::default`], 5), so that no retry of a message it already stored
/// can come after its receipt is forgotten.
pub const RELAY_RECEIPT_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// The receipt of a message a peer operator relayed to one local recipient (MS-16):
/// SHA-256 over the peer's authenticated domain, the message's `Message-ID` and the
/// recipient's address. SMTP delivers at least once (RFC 5321 §6.1: a sender that
/// crashes between the peer's 250 and its own record of it sends again); the receiver
/// records this receipt in the transaction that stores the copy and stores no second
/// copy of a message whose receipt it holds, so every relayed message lands once.
/// Only its hash is kept: a patient's address holds their INS (TR-5). A peer can only
/// ever collide with its own messages: the key starts with its domain.
pub fn relay_receipt(peer: &str, message_id: &str, recipient: &MailAddress) -> [u8; 32] {
    let mut hash = Sha256::new();
    for part in [
        peer.to_ascii_lowercase().as_str(),
        message_id,
        recipient.as_str(),
    ] {
        hash.update((part.len() as u64).to_be_bytes());
        hash.update(part.as_bytes());
    }
    hash.finalize().into()
}

/// The header section of a raw message (up to the first empty line).
pub fn header_section(raw: &[u8]) -> &[u8] {
    raw.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(raw, |end| &raw[..end + 2])
}

/// Whether the header section `headers` has a field named `name` (any case).
pub fn has_header(headers: &[u8], name: &str) -> bool {
    headers
        .split(|&b| b == b'\n')
        .any(|line| names_field(line, name))
}

/// Whether the header line `line` starts the field named `name` (any case).
pub(crate) fn names_field(line: &[u8], name: &str) -> bool {
    line.len() > name.len()
        && line[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        && line[name.len()] == b':'
}

/// `raw` without the header fields named `name` (any case, continuation lines
/// included), or `None` when it has none. The body is untouched.
pub fn without_header(raw: &[u8], name: &str) -> Option<Vec<u8>> {
    let headers = header_section(raw);
    if !has_header(headers, name) {
        return None;
    }
    let mut kept = Vec::with_capacity(raw.len());
    let mut dropping = false;
    for line in headers.split_inclusive(|&b| b == b'\n') {
        let continuation = line.first().is_some_and(|b| *b == b' ' || *b == b'\t');
        if !continuation {
            dropping = names_field(line, name);
        }
        if !dropping {
            kept.extend_from_slice(line);
        }
    }
    kept.extend_from_slice(&raw[headers.len()..]);
    Some(kept)
}

impl Dsn<'_> {
    /// The notification as an RFC 5322 message: `multipart/report;
    /// report-type=delivery-status` with a human-readable part (French and
    /// English), the `message/delivery-status` part and the original headers.
    pub fn to_message(&self) -> Vec<u8> {
        let boundary = format!(
            "=_caduceus_dsn_{}",
            self.message_id.replace(['@', '.'], "_")
        );
        let (subject, explanation) = match self.action {
            DsnAction::Delivered => (
                "Message relaye / Message relayed",
                "Votre message a ete remis a l'operateur du destinataire.\r\n\
                 Your message was handed to the recipient's operator.",
            ),
            DsnAction::Failed => (
                "Message non remis / Undelivered message",
                "L'operateur du destinataire a refuse votre message; voyez sa reponse ci-dessous.\r\n\
                 The recipient's operator refused your message; see its reply below.",
            ),
            DsnAction::Expired => (
                "Message non remis (delai depasse) / Undelivered message (expired)",
                "L'operateur du destinataire n'a pas pu etre joint avant l'expiration du delai.\r\n\
                 Envoyez le message par un autre moyen ou reessayez plus tard.\r\n\
                 The recipient's operator could not be reached before the message expired.\r\n\
                 Send it another way, or try again later.",
            ),
        };
        let reply = self.reply.replace(['\r', '\n'], " ");
        // RFC 3464 §2.3.6: "smtp" only for a peer's SMTP reply; a connection that
        // failed before any reply is this MTA's own diagnostic.
        let diagnostic_type = if reply
            .get(..3)
            .is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
        {
            "smtp"
        } else {
            "X-Caduceus"
        };
        let head = ReportHead {
            from: &format!("Mail Delivery System <{}>", self.from),
            to: self.to,
            subject,
            date: self.date,
            message_id: self.message_id,
            report_type: "delivery-status",
            boundary: &boundary,
        }
        .render();
        let mut out = format!(
            "{head}\
             --{boundary}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             \r\n\
             {explanation}\r\n\
             \r\n\
             <{recipient}>: {reply}\r\n\
             \r\n\
             --{boundary}\r\n\
             Content-Type: message/delivery-status\r\n\
             \r\n\
             Reporting-MTA: dns; {mta}\r\n\
             \r\n\
             Final-Recipient: rfc822; {recipient}\r\n\
             Action: {action}\r\n\
             Status: {status}\r\n\
             Diagnostic-Code: {diagnostic_type}; {reply}\r\n\
             \r\n\
             --{boundary}\r\n\
             Content-Type: text/rfc822-headers\r\n\
             \r\n",
            recipient = self.recipient,
            mta = self.reporting_mta,
            action = self.action.action(),
            status = self.action.status(self.reply),
        )
        .into_bytes();
        out.extend_from_slice(self.original_headers);
        out.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        out
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn without_header_drops_the_field_and_its_continuations() {
        let raw =
            b"From: a@x.test\r\nBcc: b@x.test,\r\n c@x.test\r\nTo: d@x.test\r\n\r\nBcc: body\r\n";
        let kept = without_header(raw, "bcc").unwrap();
        assert_eq!(
            kept,
            b"From: a@x.test\r\nTo: d@x.test\r\n\r\nBcc: body\r\n".to_vec()
        );
        assert_eq!(without_header(&kept, "Bcc"), None);
    }

    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    #[test]
    fn ms16_a_relay_receipt_names_one_message_from_one_peer_to_one_recipient() {
        let to = |a: &str| MailAddress::parse(a).unwrap();
        let receipt = relay_receipt("autre.test", "m1@autre.test", &to("bruno@caduceus.test"));
        assert_eq!(
            receipt,
            relay_receipt("AUTRE.test", "m1@autre.test", &to("Bruno@caduceus.test"))
        );
        for other in [
            relay_receipt("tiers.test", "m1@autre.test", &to("bruno@caduceus.test")),
            relay_receipt("autre.test", "m2@autre.test", &to("bruno@caduceus.test")),
            relay_receipt("autre.test", "m1@autre.test", &to("alice@caduceus.test")),
            // The parts cannot slide into each other.
            relay_receipt("autre.tes", "tm1@autre.test", &to("bruno@caduceus.test")),
        ] {
            assert_ne!(receipt, other);
        }
        assert!(RELAY_RECEIPT_LIFETIME > RetryPolicy::default().lifetime);
    }

    #[test]
    fn ms16_retries_double_up_to_the_cap_then_expire() {
        let policy = RetryPolicy::default();
        let created = at(0);
        let expires = policy.expiry(created);
        assert_eq!(expires, at(5 * 24 * 3600));
        assert_eq!(policy.next_attempt(1, at(0), expires), Some(at(60)));
        assert_eq!(policy.next_attempt(2, at(60), expires), Some(at(180)));
        assert_eq!(policy.next_attempt(3, at(180), expires), Some(at(420)));
        assert_eq!(policy.next_attempt(8, at(1000), expires), Some(at(4600)));
        assert_eq!(policy.next_attempt(200, at(1000), expires), Some(at(4600)));
        assert_eq!(
            policy.next_attempt(9, expires.saturating_add(Duration::from_secs(0)), expires),
            None
        );
        assert_eq!(
            policy.next_attempt(9, at(5 * 24 * 3600 - 100), expires),
            None,
            "a retry past the expiry is not scheduled"
        );
    }

    #[test]
    fn reply_codes_are_classed() {
        assert_eq!(ReplyClass::of(250), ReplyClass::Accepted);
        assert_eq!(ReplyClass::of(421), ReplyClass::Transient);
        assert_eq!(ReplyClass::of(451), ReplyClass::Transient);
        assert_eq!(ReplyClass::of(550), ReplyClass::Permanent);
        assert_eq!(ReplyClass::of(0), ReplyClass::Transient);
    }

    fn dsn(action: DsnAction, reply: &str) -> String {
        String::from_utf8(
            Dsn {
                reporting_mta: "mail.caduceus.test",
                from: "mailer-daemon@caduceus.test",
                to: "alice@caduceus.test",
                recipient: "carla@autre.test",
                action,
                reply,
                date: "Mon, 23 Nov 2026 10:00:00 +0000",
                message_id: "dsn.1@caduceus.test",
                original_headers: header_section(b"Subject: x\r\nTo: carla@autre.test\r\n\r\nbody"),
            }
            .to_message(),
        )
        .unwrap()
    }

    #[test]
    fn ms16_dsn_is_a_delivery_status_report() {
        let failed = dsn(DsnAction::Failed, "550 5.1.1 unknown user");
        assert!(failed.contains("Content-Type: multipart/report; report-type=delivery-status;"));
        assert!(failed.contains("Final-Recipient: rfc822; carla@autre.test\r\n"));
        assert!(failed.contains("Action: failed\r\nStatus: 5.1.1\r\n"));
        assert!(failed.contains("Diagnostic-Code: smtp; 550 5.1.1 unknown user"));
        assert!(failed.contains(
            "Content-Type: text/rfc822-headers\r\n\r\nSubject: x\r\nTo: carla@autre.test\r\n\r\n--"
        ));
        assert!(!failed.contains("body"), "only the headers are returned");
        assert!(failed.ends_with("--\r\n"));
        let expired = dsn(DsnAction::Expired, "connection refused");
        assert!(expired.contains("Action: failed\r\nStatus: 4.4.7\r\n"));
        assert!(expired.contains("Diagnostic-Code: X-Caduceus; connection refused\r\n"));
        let relayed = dsn(DsnAction::Delivered, "250 2.0.0 ok");
        assert!(relayed.contains("Action: relayed\r\nStatus: 2.0.0\r\n"));
        assert!(dsn(DsnAction::Failed, "550 no enhanced code").contains("Status: 5.0.0"));
        assert!(!dsn(DsnAction::Failed, "550 x\r\nBcc: injected").contains("\r\nBcc:"));
    }
}
