//! Filing a message in the webmail (MS-6, RT-3), by professionals and patients alike
//! (issue 22): moving it to another folder
//! (Archive among them), deleting it — to Trash, from where it can be moved back —
//! and deleting it for good, at once (RT-3), only once confirmed: the form in Trash
//! carries a box to tick. Each through the service, which checks the message is the
//! user's and traces the move or the deletion.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_service::model::MessageId;
use caduceus_service::{Service, ServiceError};
use serde::Deserialize;

use super::mail::refused;
use super::{CsrfField, Posted, WebUser};

/// The folder a message goes to.
#[derive(Deserialize)]
pub struct MoveForm {
    csrf: String,
    folder: String,
}

impl CsrfField for MoveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The deletion form: `confirm` (the box ticked) deletes for good.
#[derive(Deserialize)]
pub struct DeleteForm {
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

impl CsrfField for DeleteForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Moves message `id` of `user`'s mailbox to the folder named `to`; back to the
/// folder it was in, with `done` as the notice.
async fn file(service: &Service, user: &WebUser, id: i64, to: &str, done: &str) -> Response {
    let moved = async {
        let access = user.mailbox(service).await?;
        let summary = service.message_summary(&access, MessageId(id)).await?;
        let target = service
            .find_folder(&access, to)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("folder {to:?}")))?;
        let from = service.mailboxes(&access).await?;
        let from = from.into_iter().find(|f| f.id == summary.mailbox);
        let ids = [summary.id];
        service
            .move_messages(&access, summary.mailbox, &ids, target.id)
            .await?;
        Ok::<_, ServiceError>(from.map_or_else(|| "INBOX".to_owned(), |f| f.name))
    };
    match moved.await {
        Ok(folder) => {
            let folder = super::mail::path_segment(&folder);
            Redirect::to(&format!("{}/folder/{folder}?done={done}", user.base())).into_response()
        }
        Err(error) => refused(user, error),
    }
}

/// `POST /mail/message/{id}/move`: to another folder of the user's (MS-6).
pub async fn move_message(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form }: Posted<MoveForm>,
) -> Response {
    file(&service, &user, id, &form.folder, "moved").await
}

/// `POST /mail/message/{id}/delete`: to Trash; with the confirmation box ticked,
/// for good, at once (RT-3).
pub async fn delete(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form }: Posted<DeleteForm>,
) -> Response {
    if form.confirm.is_none() {
        return file(&service, &user, id, "Trash", "trashed").await;
    }
    let deleted = async {
        let access = user.mailbox(&service).await?;
        service.delete_message(&access, MessageId(id)).await
    };
    match deleted.await {
        Ok(()) => {
            Redirect::to(&format!("{}/folder/Trash?done=deleted", user.base())).into_response()
        }
        Err(error) => refused(&user, error),
    }
}
