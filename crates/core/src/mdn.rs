//! Message disposition notifications (RFC 8098; MS-16): when a message asks for one
//! (`Disposition-Notification-To`), the server tells the sender it was delivered and
//! processed, on the recipient's behalf, automatically.

use crate::outbound::ReportHead;

/// What an automatic MDN says.
#[derive(Clone, Debug)]
pub struct Mdn<'a> {
    /// This operator's host name (`Reporting-UA`).
    pub reporting_ua: &'a str,
    /// The recipient, on whose behalf the notification is sent (`From`,
    /// `Final-Recipient`).
    pub recipient: &'a str,
    /// Who asked (the `Disposition-Notification-To` address).
    pub to: &'a str,
    /// The original message's `Message-ID`, without angle brackets, if it had one.
    pub original_message_id: Option<&'a str>,
    /// When (RFC 5322 date).
    pub date: &'a str,
    /// A unique `Message-ID` value for the notification, without angle brackets.
    pub message_id: &'a str,
}

impl Mdn<'_> {
    /// The notification as an RFC 5322 message: `multipart/report;
    /// report-type=disposition-notification` with a human-readable part (French and
    /// English) and the `message/disposition-notification` part
    /// (`automatic-action/MDN-sent-automatically; processed`). It names no subject and
    /// carries no content of the original.
    pub fn to_message(&self) -> Vec<u8> {
        let boundary = format!(
            "=_caduceus_mdn_{}",
            self.message_id.replace(['@', '.'], "_")
        );
        let original_id = self
            .original_message_id
            .map(|id| format!("Original-Message-ID: <{id}>\r\n"))
            .unwrap_or_default();
        let head = ReportHead {
            from: &format!("<{}>", self.recipient),
            to: self.to,
            subject: "Accuse de traitement / Disposition notification",
            date: self.date,
            message_id: self.message_id,
            report_type: "disposition-notification",
            boundary: &boundary,
        }
        .render();
        format!(
            "{head}\
             --{boundary}\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             \r\n\
             Votre message a ete remis dans la messagerie de {recipient} et traite.\r\n\
             Your message was delivered to the mailbox of {recipient} and processed.\r\n\
             \r\n\
             --{boundary}\r\n\
             Content-Type: message/disposition-notification\r\n\
             \r\n\
             Reporting-UA: {ua}; Caduceus\r\n\
             Original-Recipient: rfc822; {recipient}\r\n\
             Final-Recipient: rfc822; {recipient}\r\n\
             {original_id}\
             Disposition: automatic-action/MDN-sent-automatically; processed\r\n\
             \r\n\
             --{boundary}--\r\n",
            recipient = self.recipient,
            ua = self.reporting_ua,
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms16_mdn_is_an_rfc8098_report_without_the_original_content() {
        let mdn = Mdn {
            reporting_ua: "mail.caduceus.test",
            recipient: "bob@caduceus.test",
            to: "alice@caduceus.test",
            original_message_id: Some("m1@caduceus.test"),
            date: "Mon, 23 Nov 2026 10:00:00 +0000",
            message_id: "mdn.1@caduceus.test",
        };
        let text = String::from_utf8(mdn.to_message()).unwrap();
        assert!(text.contains("report-type=disposition-notification"));
        assert!(
            text.contains("Disposition: automatic-action/MDN-sent-automatically; processed\r\n")
        );
        assert!(text.contains("Original-Message-ID: <m1@caduceus.test>\r\n"));
        assert!(text.contains("Final-Recipient: rfc822; bob@caduceus.test\r\n"));
        assert!(text.contains("Auto-Submitted: auto-replied\r\n"));
        assert!(text.ends_with("--=_caduceus_mdn_mdn_1_caduceus_test--\r\n"));
        assert!(
            !text.contains('\n') || text.replace("\r\n", "").find('\n').is_none(),
            "CRLF only"
        );
        let without = Mdn {
            original_message_id: None,
            ..mdn
        };
        assert!(
            !String::from_utf8(without.to_message())
                .unwrap()
                .contains("Original-Message-ID")
        );
    }
}
