//! A letter as the webmail shows it (MS-1, issue 22): its HTML part sanitised by
//! [`caduceus_core::display::sanitize_html`], with the letter's own `cid:` images
//! inlined, or its text escaped. Reading it is reading the message: authorized and
//! traced (TR-1) by [`Service::read_message`].

use std::collections::HashMap;

use caduceus_core::display::{image_data_url, sanitize_html, text_as_html};
use mail_parser::MimeHeaders;

use crate::Service;
use crate::error::Result;
use crate::messages::{MailboxAccess, ReadMessage};
use crate::model::MessageId;

/// A letter's body, ready to show in a sandboxed frame.
#[derive(Clone, PartialEq, Eq)]
pub struct LetterHtml {
    /// The body's HTML: sanitised, nothing in it acts or loads from elsewhere.
    pub html: String,
    /// Whether it comes from the letter's HTML (else from its text, escaped).
    pub written_in_html: bool,
    /// The letter's subject, the document's title.
    pub subject: Option<String>,
}

impl std::fmt::Debug for LetterHtml {
    /// Never prints content (TR-5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LetterHtml")
            .field("bytes", &self.html.len())
            .field("written_in_html", &self.written_in_html)
            .field("subject", &self.subject.as_ref().map(|_| "[content]"))
            .finish()
    }
}

impl Service {
    /// Message `id`'s body as HTML to show (MS-1): a read of the message, authorized
    /// and traced (TR-1, AC-1).
    pub async fn letter_html(&self, access: &MailboxAccess, id: MessageId) -> Result<LetterHtml> {
        let message = self.read_message(access, id).await?;
        Ok(letter_of(&message))
    }
}

/// The letter's HTML part sanitised, its `cid:` images inlined; else its text.
pub fn letter_of(message: &ReadMessage) -> LetterHtml {
    let subject = message.meta().subject.clone();
    let Some(parsed) = message.parsed() else {
        return LetterHtml {
            html: text_as_html(&String::from_utf8_lossy(&message.raw)),
            written_in_html: false,
            subject,
        };
    };
    let html_part = parsed
        .html_body
        .iter()
        .find(|&&i| parsed.part(i).is_some_and(|p| p.is_text_html()));
    match html_part.and_then(|_| parsed.body_html(0)) {
        Some(html) => {
            let images: HashMap<String, String> = parsed
                .parts
                .iter()
                .filter_map(|part| {
                    let id = part.content_id()?.trim_matches(['<', '>']).to_owned();
                    let declared = declared_type(part)?;
                    Some((id, image_data_url(&declared, part.contents())?))
                })
                .collect();
            LetterHtml {
                html: sanitize_html(&html, images),
                written_in_html: true,
                subject,
            }
        }
        None => LetterHtml {
            html: text_as_html(&parsed.body_text(0).unwrap_or_default()),
            written_in_html: false,
            subject,
        },
    }
}

/// A part's declared media type, `type/subtype` (parameters left out), if it has one.
pub fn declared_type(part: &mail_parser::MessagePart<'_>) -> Option<String> {
    part.content_type().map(|c| match c.subtype() {
        Some(sub) => format!("{}/{sub}", c.ctype()),
        None => c.ctype().to_owned(),
    })
}
