//! Personal correspondence (MS-14): a user marks a folder of their own making
//! personal (messages are marked with the `$Personal` keyword, through the ordinary
//! flag calls), and every administrative view leaves personal items out: the
//! auditor's trace entries read `personal` where they would name one.

use caduceus_audit::{Action, Detail, Entry, Fact, Object, Setting};
use caduceus_core::personal::{redact, references};
use caduceus_core::{AccountKind, Requirement};
use caduceus_store::{MailboxId, MessageId};

use crate::Service;
use crate::error::{Result, ServiceError};
use crate::messages::MailboxAccess;

impl Service {
    /// Marks the owner's folder `name` personal or professional (MS-14); traced.
    /// INBOX and the special folders stay professional (their messages can be marked
    /// one by one), and an organisation's mailbox holds no personal correspondence.
    pub async fn set_folder_personal(
        &self,
        access: &MailboxAccess,
        name: &str,
        personal: bool,
    ) -> Result<()> {
        let folder = self
            .find_folder(access, name)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("folder {name}")))?;
        if self.store.account(access.owner()).await?.kind == AccountKind::Organisation {
            return Err(ServiceError::Invalid(
                "an organisation's mailbox holds no personal correspondence (MS-14)".into(),
            ));
        }
        if folder.name.eq_ignore_ascii_case("INBOX") || folder.special_use.is_some() {
            return Err(ServiceError::Invalid(
                "only a folder of your own making can be personal; mark messages of this one \
                 one by one (MS-14)"
                    .into(),
            ));
        }
        let mut trace = access.event(
            self.now_ms(),
            Action::MailboxPersonal,
            Object::of(folder.id),
        );
        trace.detail =
            Some(Detail::of(Requirement::Ms14).and(Fact::Switch(Setting::Personal, personal)));
        let since = personal.then(|| self.clock.now());
        Ok(self
            .store
            .set_mailbox_personal(folder.id, since, &trace)
            .await?)
    }

    /// The owner's folders marked personal (MS-14).
    pub async fn personal_folders(&self, access: &MailboxAccess) -> Result<Vec<MailboxId>> {
        Ok(self.store.personal_mailboxes(access.owner()).await?)
    }

    /// Whether the owner's folder `folder` is marked personal (MS-14).
    pub async fn is_personal_folder(
        &self,
        access: &MailboxAccess,
        folder: MailboxId,
    ) -> Result<bool> {
        Ok(self.personal_folders(access).await?.contains(&folder))
    }

    /// `entries` as an administrative view may show them: every reference to a
    /// personal message or folder replaced by `personal` (MS-14).
    pub(crate) async fn without_personal(&self, mut entries: Vec<Entry>) -> Result<Vec<Entry>> {
        let mut messages = Vec::new();
        let mut mailboxes = Vec::new();
        for entry in &entries {
            let texts = [Some(entry.object.as_str()), entry.detail.as_deref()];
            for reference in texts.into_iter().flatten().flat_map(references) {
                let (kind, n) = reference.split_once(':').unwrap_or_default();
                let Ok(n) = n.parse() else { continue };
                match kind {
                    "msg" => messages.push(MessageId(n)),
                    _ => mailboxes.push(MailboxId(n)),
                }
            }
        }
        messages.sort_unstable();
        messages.dedup();
        mailboxes.sort_unstable();
        mailboxes.dedup();
        let personal = self.store.personal_among(&messages, &mailboxes).await?;
        if personal.is_empty() {
            return Ok(entries);
        }
        for entry in &mut entries {
            entry.object = redact(&entry.object, &personal);
            entry.detail = entry.detail.as_deref().map(|d| redact(d, &personal));
        }
        Ok(entries)
    }
}
