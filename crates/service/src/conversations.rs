//! Conversations (MS-6, issue 22): a mailbox's messages threaded by
//! `caduceus_core::threading` (ids, `In-Reply-To`, `References`, then a reply's base
//! subject), across its folders but Trash and Junk, and grouped by the patient they
//! concern when one is known (the INS read at ingest from `X-MSS-INS` or an IHE XDM
//! attachment, MS-9). Threading needs every message's header facts: they are opened
//! for it, traced `message.search` (as sorting by subject is); the messages shown are
//! then opened as a list shows them (`message.headers`) or, for one conversation, read
//! (`message.read`, TR-1). The INS stays in the page's data, never in a trace (TR-5).

use caduceus_core::local_time::parse_rfc3339;
use caduceus_core::threading::{self, Threadable};
use caduceus_core::{Ins, MailAddress};
use caduceus_store::{Mailbox, MessageId};

use crate::Service;
use crate::error::{Result, ServiceError};
use crate::folders::Opening;
use crate::listing::Listed;
use crate::messages::{MailboxAccess, ReadMessage};

/// The patient a group of conversations concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Patient {
    /// Their INS, as the messages carry it.
    pub ins: String,
    /// Their name, when they have a mailbox here.
    pub name: Option<String>,
}

/// One conversation: its messages in the order written, each with its folder.
pub struct Conversation {
    /// The messages (header facts only, as a list shows them).
    pub messages: Vec<Listed>,
}

/// The conversations about one patient, or about none known.
pub struct PatientGroup {
    /// The patient; `None` for the conversations that name none.
    pub patient: Option<Patient>,
    /// Newest first.
    pub conversations: Vec<Conversation>,
}

/// One page of conversations, the newest first.
pub struct ConversationPage {
    /// The page's conversations, grouped by patient.
    pub groups: Vec<PatientGroup>,
    /// The page shown, from 1.
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
}

/// A message's header facts, opened for threading.
struct Threaded {
    folder: usize,
    message: ReadMessage,
}

impl Service {
    /// Page `page` (from 1; past the last: the last) of `access`'s conversations
    /// (MS-6), `per_page` (at least 1) the page, the newest first, grouped by patient —
    /// the groups of known patients first, the newest conversation first in each.
    pub async fn conversations(
        &self,
        access: &MailboxAccess,
        page: usize,
        per_page: usize,
    ) -> Result<ConversationPage> {
        let (folders, threaded, threads) = self.threads(access).await?;
        let per_page = per_page.max(1);
        let pages = threads.len().div_ceil(per_page).max(1);
        let page = page.clamp(1, pages);
        let skipped = threads.into_iter().skip((page - 1) * per_page);
        let threads: Vec<Vec<usize>> = skipped.take(per_page).collect();
        let shown: Vec<usize> = threads.iter().flatten().copied().collect();
        let mut listed = self
            .open_listed(access, &folders, &threaded, &shown)
            .await?;
        let mut groups: Vec<PatientGroup> = Vec::new();
        for thread in threads {
            let patient = self.patient_of(&threaded, &thread).await?;
            let messages = thread.iter().filter_map(|i| listed.remove(i)).collect();
            let conversation = Conversation { messages };
            match groups.iter_mut().find(|g| g.patient == patient) {
                Some(group) => group.conversations.push(conversation),
                None => groups.push(PatientGroup {
                    patient,
                    conversations: vec![conversation],
                }),
            }
        }
        // Known patients first, in the order of their newest conversation.
        groups.sort_by_key(|g| g.patient.is_none());
        Ok(ConversationPage {
            groups,
            page,
            pages,
        })
    }

    /// The conversation of message `id` (MS-6): each of its messages read, in the
    /// order written (each traced `message.read`, TR-1), with the patient it concerns.
    pub async fn conversation(
        &self,
        access: &MailboxAccess,
        id: MessageId,
    ) -> Result<(Option<Patient>, Vec<Listed>)> {
        let (folders, threaded, threads) = self.threads(access).await?;
        let thread = threads
            .into_iter()
            .find(|t| t.iter().any(|&i| threaded[i].message.summary.id == id))
            .ok_or_else(|| ServiceError::NotFound(format!("message {}", id.0)))?;
        let patient = self.patient_of(&threaded, &thread).await?;
        let mut read = Vec::new();
        for &i in &thread {
            let message = self.read_message(access, threaded[i].message.summary.id);
            read.push(Listed {
                folder: folders[threaded[i].folder].clone(),
                message: message.await?,
            });
        }
        Ok((patient, read))
    }

    /// The folders threaded (all but Trash and Junk), their messages' header facts,
    /// and the threads as indexes into them.
    async fn threads(
        &self,
        access: &MailboxAccess,
    ) -> Result<(Vec<Mailbox>, Vec<Threaded>, Vec<Vec<usize>>)> {
        let mut folders = Vec::new();
        let mut threaded = Vec::new();
        let skipped = |m: &Mailbox| matches!(m.special_use.as_deref(), Some("\\Trash" | "\\Junk"));
        for mailbox in self.mailboxes(access).await? {
            if skipped(&mailbox) {
                continue;
            }
            let (mailbox, summaries) = self.folder_state(access, mailbox.id).await?;
            let ids: Vec<MessageId> = summaries.iter().map(|s| s.id).collect();
            let opened = self
                .open_messages(access, mailbox.id, &ids, Opening::SearchHeaders)
                .await?;
            let folder = folders.len();
            threaded.extend(
                opened
                    .into_iter()
                    .map(|message| Threaded { folder, message }),
            );
            folders.push(mailbox);
        }
        let items: Vec<Threadable<'_>> = threaded
            .iter()
            .map(|t| {
                let meta = t.message.meta();
                let date = meta.date.as_deref().and_then(parse_rfc3339);
                let written = date.unwrap_or(t.message.summary.internal).as_millis();
                Threadable {
                    message_id: meta.message_id.as_deref(),
                    parents: meta
                        .in_reply_to
                        .iter()
                        .chain(&meta.references)
                        .map(String::as_str)
                        .collect(),
                    subject: meta.subject.as_deref().unwrap_or(""),
                    at: written,
                }
            })
            .collect();
        let threads = threading::threads(&items);
        Ok((folders, threaded, threads))
    }

    /// The patient a thread concerns: the first INS one of its messages carries,
    /// named when they have a mailbox here.
    async fn patient_of(&self, threaded: &[Threaded], thread: &[usize]) -> Result<Option<Patient>> {
        let Some(ins) = thread
            .iter()
            .find_map(|&i| threaded[i].message.meta().patients.first().cloned())
        else {
            return Ok(None);
        };
        let name = match Ins::parse(&ins)
            .ok()
            .and_then(|i| MailAddress::patient(&i, &self.config.domain).ok())
        {
            Some(address) => self
                .store
                .account_by_address(&address)
                .await?
                .map(|a| a.display_name),
            None => None,
        };
        Ok(Some(Patient { ins, name }))
    }

    /// The messages `shown` (indexes into `threaded`) opened as a list shows them
    /// (`message.headers`), one opening per folder, by index.
    async fn open_listed(
        &self,
        access: &MailboxAccess,
        folders: &[Mailbox],
        threaded: &[Threaded],
        shown: &[usize],
    ) -> Result<std::collections::HashMap<usize, Listed>> {
        let mut listed = std::collections::HashMap::new();
        for (folder, mailbox) in folders.iter().enumerate() {
            let here: Vec<usize> = shown
                .iter()
                .copied()
                .filter(|&i| threaded[i].folder == folder)
                .collect();
            if here.is_empty() {
                continue;
            }
            let ids: Vec<MessageId> = here
                .iter()
                .map(|&i| threaded[i].message.summary.id)
                .collect();
            let opened = self
                .open_messages(access, mailbox.id, &ids, Opening::Headers)
                .await?;
            for message in opened {
                if let Some(&i) = here
                    .iter()
                    .find(|&&i| threaded[i].message.summary.id == message.summary.id)
                {
                    let folder = mailbox.clone();
                    listed.insert(i, Listed { folder, message });
                }
            }
        }
        Ok(listed)
    }
}
