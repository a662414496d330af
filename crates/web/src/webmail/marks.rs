//! Marking a message in the webmail as a mail client does (MS-6): unread again, read,
//! flagged for follow-up, or not. The IMAP flags `\Seen` and `\Flagged`, so that a
//! message marked here shows the same in Thunderbird and on the phone; changed
//! through the service, which checks the message is in the mailbox and traces the
//! change (TR-1).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::FlagChange;
use caduceus_service::Service;
use caduceus_service::model::MessageId;
use serde::Deserialize;

use super::mail::refused;
use super::{CsrfField, Posted};

/// A mark the reader gives a message.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    /// Unread again (`\Seen` removed): back to the folder, where it shows unread.
    Unread,
    /// Read (`\Seen`).
    Read,
    /// Flagged for follow-up (`\Flagged`).
    Flag,
    /// No longer flagged.
    Unflag,
}

impl Mark {
    /// The IMAP flag change it makes.
    fn change(self) -> FlagChange {
        let seen = || vec!["\\Seen".to_owned()];
        let flagged = || vec!["\\Flagged".to_owned()];
        match self {
            Mark::Unread => FlagChange::Remove(seen()),
            Mark::Read => FlagChange::Add(seen()),
            Mark::Flag => FlagChange::Add(flagged()),
            Mark::Unflag => FlagChange::Remove(flagged()),
        }
    }
}

/// The marking form.
#[derive(Deserialize)]
pub struct MarkForm {
    csrf: String,
    mark: Mark,
}

impl CsrfField for MarkForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /mail/message/{id}/mark`: marks message `id`; back to its folder when it is
/// marked unread (opening it again would read it), else back to the message.
pub async fn mark(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form }: Posted<MarkForm>,
) -> Response {
    let marked = async {
        let access = user.mailbox(&service).await?;
        let summary = service.message_summary(&access, MessageId(id)).await?;
        service
            .set_flags_in(
                &access,
                summary.mailbox,
                &[(summary.id, form.mark.change())],
                None,
            )
            .await?;
        let folders = service.mailboxes(&access).await?;
        let folder = folders.into_iter().find(|f| f.id == summary.mailbox);
        Ok::<_, caduceus_service::ServiceError>(
            folder.map_or_else(|| "INBOX".to_owned(), |f| f.name),
        )
    };
    match marked.await {
        Ok(folder) if form.mark == Mark::Unread => {
            let folder = super::mail::path_segment(&folder);
            Redirect::to(&format!("{}/folder/{folder}", user.base())).into_response()
        }
        Ok(_) => Redirect::to(&format!("{}/message/{id}", user.base())).into_response(),
        Err(error) => refused(&user, error),
    }
}
