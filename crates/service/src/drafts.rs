//! Drafts (MS-6, issue 22): a letter being written is kept in the mailbox's Drafts
//! folder (the `\Drafts` special-use folder mail clients see over IMAP), flagged
//! `\Draft`, one message per letter: each save replaces the one before, which is
//! expunged. A draft is the owner's own mail: reached through [`Service::authorize`]
//! (AC-1), stored as an IMAP APPEND is (sealed, scanned, within the quota), each save
//! and each replacement traced (TR-1); it is never submitted nor delivered. Sending
//! the letter ([`Service::send_letter`] with [`crate::compose::Letter::draft`])
//! removes it.

use caduceus_core::Requirement;
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use mail_builder::headers::raw::Raw;

use crate::Service;
use crate::compose::{Attachment, answering_with, new_message_id, written};
use crate::error::{Result, ServiceError};
use crate::messages::{MailboxAccess, ReadMessage};
use crate::model::MessageId;

/// The folder drafts are kept in.
pub const DRAFTS: &str = "Drafts";

/// The flag every draft carries (RFC 9051 §2.3.2).
pub const DRAFT_FLAG: &str = "\\Draft";

/// A letter as it stands while it is written: the compose form's fields as typed,
/// the recipients too, whether or not they are addresses yet.
#[derive(Clone, Debug, Default)]
pub struct Draft {
    /// The recipients as typed, comma-separated.
    pub to: String,
    /// The recipients in copy as typed.
    pub cc: String,
    /// The subject.
    pub subject: String,
    /// The text.
    pub text: String,
    /// The Message-ID answered, if the letter is a reply.
    pub in_reply_to: Option<String>,
    /// The attached files, kept with the draft.
    pub attachments: Vec<Attachment>,
}

impl Draft {
    /// The draft a stored draft message holds, to continue it: the fields as they were
    /// saved, the attachments included.
    pub fn of(message: &ReadMessage) -> Draft {
        let Some(parsed) = message.parsed() else {
            return Draft::default();
        };
        let field = |name: &str| {
            parsed
                .header_raw(name)
                .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default()
        };
        Draft {
            to: field("To"),
            cc: field("Cc"),
            subject: parsed.subject().unwrap_or_default().to_owned(),
            text: parsed
                .body_text(0)
                .map(|t| t.into_owned())
                .unwrap_or_default(),
            in_reply_to: message.meta().in_reply_to.first().cloned(),
            attachments: Attachment::all_of(message),
        }
    }

    /// The draft written as a message: from the mailbox's holder, the recipients as
    /// typed (on one line each), never sent.
    fn message(&self, display_name: &str, from: &str, now_seconds: i64) -> Result<Vec<u8>> {
        let one_line = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let domain = from.rsplit_once('@').map_or("localhost", |(_, d)| d);
        let mut builder = MessageBuilder::new()
            .from(Address::new_address(
                Some(display_name.to_owned()),
                from.to_owned(),
            ))
            .subject(self.subject.clone())
            .date(now_seconds)
            .message_id(new_message_id(domain))
            .text_body(self.text.clone());
        for (name, value) in [("To", &self.to), ("Cc", &self.cc)] {
            if !value.trim().is_empty() {
                builder = builder.header(name, Raw::new(one_line(value)));
            }
        }
        let builder = answering_with(builder, self.in_reply_to.as_deref(), &self.attachments);
        written(builder)
    }
}

impl Service {
    /// Saves `draft` in the Drafts folder of `access`'s mailbox, flagged `\Draft` and
    /// `\Seen` (MS-6, issue 22), and expunges `replaces`, the same letter saved
    /// before, so that a letter is one draft; answers the new draft's id. Stored as
    /// an IMAP APPEND is, traced (TR-1); never delivered.
    pub async fn save_draft(
        &self,
        access: &MailboxAccess,
        draft: &Draft,
        replaces: Option<MessageId>,
    ) -> Result<MessageId> {
        let folder = self.drafts_folder(access).await?;
        // The letter saved before, if it is still there (another window may have
        // replaced it meanwhile): anything else is refused.
        let replaces = match replaces {
            Some(old) => match self.draft_summary(access, old, folder).await {
                Ok(()) => Some(old),
                Err(ServiceError::NotFound(_)) => None,
                Err(refused) => return Err(refused),
            },
            None => None,
        };
        let holder = self.store.account(access.owner()).await?;
        let raw = draft.message(
            &holder.display_name,
            holder.address.as_str(),
            self.now().as_millis() / 1000,
        )?;
        let flags = vec![DRAFT_FLAG.to_owned(), "\\Seen".to_owned()];
        let saved = self.append(access, folder, &raw, flags, None).await?;
        if let Some(old) = replaces {
            self.expunge(access, folder, &[old]).await?;
        }
        Ok(saved.message)
    }

    /// Removes a draft of `access`'s mailbox (its letter was sent, issue 22): only a
    /// message of the Drafts folder flagged `\Draft`; traced as a deletion (TR-1).
    pub async fn discard_draft(&self, access: &MailboxAccess, id: MessageId) -> Result<()> {
        let folder = self.drafts_folder(access).await?;
        self.draft_summary(access, id, folder).await?;
        self.expunge(access, folder, &[id]).await
    }

    /// Opens a draft of `access`'s mailbox to continue it (traced as a read, TR-1).
    pub async fn open_draft(&self, access: &MailboxAccess, id: MessageId) -> Result<Draft> {
        let folder = self.drafts_folder(access).await?;
        self.draft_summary(access, id, folder).await?;
        Ok(Draft::of(&self.read_message(access, id).await?))
    }

    /// The attachments of message `original` of the mailbox, carried by a forward
    /// (MS-1): into the letter sent, and into its draft, so that a forward saved in
    /// Drafts and continued later still carries them (issue 22). The original is read
    /// through `access` (AC-1: another's message is not found), traced as a read
    /// (TR-1).
    pub async fn forwarded_attachments(
        &self,
        access: &MailboxAccess,
        original: MessageId,
    ) -> Result<Vec<Attachment>> {
        Ok(Attachment::all_of(
            &self.read_message(access, original).await?,
        ))
    }

    async fn drafts_folder(&self, access: &MailboxAccess) -> Result<caduceus_store::MailboxId> {
        match self.find_folder(access, DRAFTS).await? {
            Some(folder) => Ok(folder.id),
            None => Err(ServiceError::NotFound("the Drafts folder".into())),
        }
    }

    /// Checks that `id` is a draft: a message of the owner's Drafts folder flagged
    /// `\Draft` (AC-1: another's message is not found).
    async fn draft_summary(
        &self,
        access: &MailboxAccess,
        id: MessageId,
        folder: caduceus_store::MailboxId,
    ) -> Result<()> {
        let summary = self.message_summary(access, id).await?;
        if summary.mailbox != folder || !summary.flags.iter().any(|f| f == DRAFT_FLAG) {
            return Err(ServiceError::Invalid(format!(
                "message {id} is not a draft ({}: the Drafts folder, flagged \\Draft)",
                Requirement::Ms6.as_str()
            )));
        }
        Ok(())
    }
}
