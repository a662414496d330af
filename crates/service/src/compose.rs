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
use rand::RngCore;

use crate::Service;
use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};
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
    /// Sends `letter` as `login`'s person: the sender and every recipient checked first,
    /// then the message built and submitted; a read copy is then kept in Sent (a copy
    /// that cannot be kept is logged, not reported: the message is already sent).
    pub async fn send_letter(&self, login: &Authenticated, letter: &Letter) -> Result<Posted> {
        let account = login.account();
        let from = letter
            .from
            .clone()
            .unwrap_or_else(|| account.address.clone());
        let sender = self.sender(login, &from).await?;
        let recipients: Vec<MailAddress> = letter.to.iter().chain(&letter.cc).cloned().collect();
        if recipients.is_empty() {
            return Err(ServiceError::Invalid("name at least one recipient".into()));
        }
        for (already, recipient) in recipients.iter().enumerate() {
            self.check_recipient(recipient, already, RecipientScope::TrustSpace)
                .await?;
        }
        let message_id = new_message_id(from.domain().as_str());
        let mut builder = self
            .letterhead(&account.display_name, &from, &letter.subject)
            .message_id(message_id.clone())
            .text_body(letter.text.clone());
        if !letter.to.is_empty() {
            builder = builder.to(address_list(&letter.to));
        }
        if !letter.cc.is_empty() {
            builder = builder.cc(address_list(&letter.cc));
        }
        if let Some(parent) = &letter.in_reply_to {
            let parent = parent.trim().trim_matches(['<', '>']).to_owned();
            builder = builder.in_reply_to(parent.clone()).references(parent);
        }
        for attachment in &letter.attachments {
            builder = builder.attachment(
                attachment.content_type.clone(),
                attachment.filename.clone(),
                attachment.bytes.clone(),
            );
        }
        let raw = written(builder)?;
        let submitted = self.submit(&sender, &recipients, &raw, false).await?;
        if let Err(error) = self.keep_sent_copy(login, &sender, &raw).await {
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
    fn letterhead(
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

fn written(builder: MessageBuilder<'_>) -> Result<Vec<u8>> {
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
fn new_message_id(domain: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{}@{domain}", hex::encode(bytes))
}
