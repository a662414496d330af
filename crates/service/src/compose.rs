//! Writing a message from fields (MS-1, MS-18): what the webmail's compose form and the
//! API's `POST /messages` send. The message is built here, once, and goes through the
//! same calls as SMTP submission — the sender (ID-3, MS-2), each recipient as it is
//! named (MS-2, MS-5, MS-12), then the whole policy and the antivirus at
//! [`Service::submit`] — and a read copy is kept in the Sent folder of the mailbox it
//! was sent from. Health alerts (MS-15) are built by the same writer.

use caduceus_core::MailAddress;
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::text::Text;
use mail_parser::MimeHeaders;
use rand::RngCore;

use caduceus_core::outbound::{has_header, header_section};

use crate::Service;
use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};
use crate::ingest::{MessageMeta, MetaAddress};
use crate::submit::{RecipientScope, Sender};

/// A message as a person writes it: the fields of a form.
#[derive(Clone, Debug, Default)]
pub struct Letter {
    /// Who to send as: the person's own address when `None`, else an organisational
    /// mailbox they are a delegate of (ID-3).
    pub from: Option<MailAddress>,
    /// The recipients.
    pub to: Vec<MailAddress>,
    /// The recipients in copy.
    pub cc: Vec<MailAddress>,
    /// The subject (checked by the policy, MS-11).
    pub subject: String,
    /// The text.
    pub text: String,
    /// The Message-ID answered, with or without its angle brackets.
    pub in_reply_to: Option<String>,
    /// The attached files.
    pub attachments: Vec<Attachment>,
    /// The draft the letter was written in (issue 22), removed from Drafts once the
    /// letter is sent ([`Service::discard_draft`]).
    pub draft: Option<crate::model::MessageId>,
    /// Ask for a disposition notification (RFC 8098): `Disposition-Notification-To:`
    /// the address sent from, which the recipients' operators answer `processed` at
    /// delivery (MS-16, [`crate::mdn`]).
    pub read_receipt: bool,
}

/// A file attached to a [`Letter`].
#[derive(Clone, Debug)]
pub struct Attachment {
    /// Its name.
    pub filename: String,
    /// Its media type.
    pub content_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl Attachment {
    /// The attachments of an opened message, as they are, to carry into a forward
    /// (MS-1): name (else `attachment`), media type (else
    /// `application/octet-stream`), content.
    pub fn all_of(message: &crate::messages::ReadMessage) -> Vec<Attachment> {
        let Some(parsed) = message.parsed() else {
            return Vec::new();
        };
        parsed
            .attachments()
            .map(|part| Attachment {
                filename: part.attachment_name().unwrap_or("attachment").to_owned(),
                content_type: crate::display::declared_type(part)
                    .unwrap_or_else(|| "application/octet-stream".to_owned()),
                bytes: part.contents().to_vec(),
            })
            .collect()
    }
}

/// What became of a sent [`Letter`].
#[derive(Clone, Debug)]
pub struct Posted {
    /// The Message-ID given to it, without angle brackets.
    pub message_id: String,
    /// The recipients with a mailbox here, served at once.
    pub delivered: Vec<MailAddress>,
    /// The recipients at other operators, queued.
    pub queued: Vec<MailAddress>,
    /// The queue reference to ask their delivery state with (MS-16).
    pub queue_ref: Option<String>,
}

impl Service {
    /// Sends `letter` as `login`'s person: the sender checked, the message built, then
    /// each recipient checked and the message submitted and kept in Sent.
    pub async fn send_letter(&self, login: &Authenticated, letter: &Letter) -> Result<Posted> {
        let account = login.account();
        let from = letter
            .from
            .clone()
            .unwrap_or_else(|| account.address.clone());
        let sender = self.sender(login, &from).await?;
        let recipients: Vec<MailAddress> = letter.to.iter().chain(&letter.cc).cloned().collect();
        let message_id = new_message_id(from.domain().as_str());
        let mut builder = self.letterhead(&account.display_name, &from, &letter.subject);
        // Sent for a mailbox one acts for (an organisation's, ID-3; a represented
        // patient's, ID-7): `From:` is the mailbox, `Sender:` the person (RFC 5322
        // §3.6.2).
        if let Some(mailbox) = sender.acting_for() {
            let holder = self.store.account(mailbox).await?;
            builder = self
                .letterhead(&holder.display_name, &from, &letter.subject)
                .sender(Address::new_address(
                    Some(account.display_name.clone()),
                    account.address.as_str().to_owned(),
                ));
        }
        let mut builder = builder
            .message_id(message_id.clone())
            .text_body(letter.text.clone());
        if !letter.to.is_empty() {
            builder = builder.to(address_list(&letter.to));
        }
        if !letter.cc.is_empty() {
            builder = builder.cc(address_list(&letter.cc));
        }
        if letter.read_receipt {
            builder = builder.header(
                "Disposition-Notification-To",
                Address::new_address(None::<String>, from.as_str().to_owned()),
            );
        }
        let builder = answering_with(builder, letter.in_reply_to.as_deref(), &letter.attachments);
        let raw = written(builder)?;
        let posted = self
            .post(login, &sender, recipients, &raw, message_id)
            .await?;
        if let Some(draft) = letter.draft {
            // Sent: the draft goes (one that cannot is logged, not reported: the
            // letter is already sent).
            let owner = sender.acting_for().unwrap_or(account.id);
            let access = self.authorize(&login.caller(), owner).await?;
            if let Err(error) = self.discard_draft(&access, draft).await {
                tracing::warn!(%error, "draft not removed after sending");
            }
        }
        Ok(posted)
    }

    /// Sends `raw`, a message the person's software wrote whole — a practice
    /// application that signed or encrypted it end to end (MS-3) — unchanged, byte for
    /// byte: as its `From` address (the person's own, or an organisational mailbox they
    /// are a delegate of, ID-3; the person's when it has none), to its `To` and `Cc`
    /// recipients, through the same checks as [`Service::send_letter`]; kept in Sent.
    /// Lines must end with CRLF; a `Bcc` field is refused, as every recipient gets the
    /// bytes as they are.
    pub async fn send_message(&self, login: &Authenticated, raw: &[u8]) -> Result<Posted> {
        let invalid = |why: &str| Err(ServiceError::Invalid(why.to_owned()));
        let bare = raw.iter().enumerate().any(|(i, b)| match b {
            b'\n' => i == 0 || raw[i - 1] != b'\r',
            b'\r' => raw.get(i + 1) != Some(&b'\n'),
            _ => false,
        });
        if bare {
            return invalid("a bare CR or LF was found; lines must end with CRLF");
        }
        let meta = MessageMeta::parse(raw).map_err(|e| ServiceError::Invalid(e.to_string()))?;
        if !meta.parsed {
            return invalid("not an RFC 5322 message");
        }
        if has_header(header_section(raw), "Bcc") {
            return invalid("a Bcc field would reach every recipient: leave it out");
        }
        let parse = |a: &MetaAddress| {
            let text = a.address.as_deref().unwrap_or_default();
            MailAddress::parse(text).map_err(|e| ServiceError::Invalid(format!("{text:?}: {e}")))
        };
        let from = match meta.from.first() {
            Some(from) => parse(from)?,
            None => login.account().address.clone(),
        };
        let sender = self.sender(login, &from).await?;
        let recipients = meta.to.iter().chain(&meta.cc).map(parse);
        let recipients = recipients.collect::<Result<Vec<_>>>()?;
        let message_id = meta.message_id.clone().unwrap_or_default();
        self.post(login, &sender, recipients, raw, message_id).await
    }

    /// Checks each of `recipients` as it is named (MS-2, MS-5, MS-12), submits `raw`
    /// through the whole policy and keeps a read copy in Sent (a copy that cannot be
    /// kept is logged, not reported: the message is already sent).
    async fn post(
        &self,
        login: &Authenticated,
        sender: &Sender,
        recipients: Vec<MailAddress>,
        raw: &[u8],
        message_id: String,
    ) -> Result<Posted> {
        if recipients.is_empty() {
            return Err(ServiceError::Invalid("name at least one recipient".into()));
        }
        for (already, recipient) in recipients.iter().enumerate() {
            self.check_recipient(recipient, already, RecipientScope::TrustSpace)
                .await?;
        }
        let submitted = self.submit(sender, &recipients, raw, false).await?;
        if let Err(error) = self.keep_sent_copy(login, sender, raw).await {
            tracing::warn!(%error, "sent copy not kept");
        }
        let (delivered, queued) = recipients.into_iter().partition(|r| self.is_local(r));
        Ok(Posted {
            message_id,
            delivered,
            queued,
            queue_ref: submitted.queue_ref,
        })
    }

    /// A health alert as written by its sender (MS-15): from and to the sender's own
    /// address, the audience's codes in `X-Caduceus-Alert`.
    pub(crate) fn alert_message(
        &self,
        login: &Authenticated,
        audience_codes: String,
        subject: &str,
        text: &str,
    ) -> Result<Vec<u8>> {
        let account = login.account();
        let builder = self
            .letterhead(&account.display_name, &account.address, subject)
            .to(account.address.as_str().to_owned())
            .header("X-Caduceus-Alert", Text::new(audience_codes))
            .text_body(text.to_owned());
        written(builder)
    }

    /// The headers every written message starts with: From (the display name and the
    /// address sent as), Subject and Date (now).
    pub(crate) fn letterhead(
        &self,
        display_name: &str,
        from: &MailAddress,
        subject: &str,
    ) -> MessageBuilder<'static> {
        MessageBuilder::new()
            .from(Address::new_address(
                Some(display_name.to_owned()),
                from.as_str().to_owned(),
            ))
            .subject(subject.to_owned())
            .date(self.now().as_millis() / 1000)
    }

    /// Keeps a read copy in the Sent folder of the mailbox sent from.
    pub(crate) async fn keep_sent_copy(
        &self,
        login: &Authenticated,
        sender: &Sender,
        raw: &[u8],
    ) -> Result<()> {
        let owner = sender.acting_for().unwrap_or(login.account().id);
        let access = self.authorize(&login.caller(), owner).await?;
        if let Some(sent) = self.find_folder(&access, "Sent").await? {
            self.append(&access, sent.id, raw, vec!["\\Seen".to_owned()], None)
                .await?;
        }
        Ok(())
    }
}

/// `builder` answering `in_reply_to` (a Message-ID, with or without its angle
/// brackets; none when empty) and carrying `attachments`.
pub(crate) fn answering_with<'a>(
    mut builder: MessageBuilder<'a>,
    in_reply_to: Option<&str>,
    attachments: &[Attachment],
) -> MessageBuilder<'a> {
    let parent = in_reply_to.map(|p| p.trim().trim_matches(['<', '>']).to_owned());
    if let Some(parent) = parent.filter(|p| !p.is_empty()) {
        builder = builder.in_reply_to(parent.clone()).references(parent);
    }
    for attachment in attachments {
        builder = builder.attachment(
            attachment.content_type.clone(),
            attachment.filename.clone(),
            attachment.bytes.clone(),
        );
    }
    builder
}

pub(crate) fn written(builder: MessageBuilder<'_>) -> Result<Vec<u8>> {
    builder
        .write_to_vec()
        .map_err(|e| ServiceError::Invalid(format!("cannot build the message: {e}")))
}

fn address_list(list: &[MailAddress]) -> Address<'static> {
    Address::new_list(
        list.iter()
            .map(|a| Address::new_address(None::<&str>, a.as_str().to_owned()))
            .collect(),
    )
}

/// A new Message-ID at `domain`: 128 random bits.
pub(crate) fn new_message_id(domain: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{}@{domain}", hex::encode(bytes))
}
