//! Drafts in the webmail (issue 22): the compose form saved in the Drafts folder
//! (`POST /mail/draft`), by its button without JavaScript, or every twenty seconds
//! while the letter changes (`app.js`, which asks for JSON); each save replaces the
//! letter's previous draft, through the service ([`Service::save_draft`], AC-1,
//! TR-1). A saved draft opens back into the compose form (`/mail/compose?draft=`).

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use caduceus_service::compose::Attachment;
use caduceus_service::drafts::Draft;
use caduceus_service::model::MessageId;
use caduceus_service::{Service, ServiceError};

use super::compose::{ComposePage, named_page};
use super::{WebUser, page};
use crate::api::problem::Problem;
use crate::api::send::{self, Form as SendForm};

/// The login page saying that the letter being written is kept in Drafts.
pub const KEPT_LOGIN: &str = "/login?kept=draft";

/// Saves the form's letter in the Drafts folder of the mailbox the user writes from
/// (their own, or one they act for), replacing the draft it was saved in before; the
/// draft's id and the attachments it holds (a forward's among them).
pub(super) async fn keep(
    service: &Service,
    user: &WebUser,
    form: &SendForm,
) -> Result<(MessageId, Vec<Attachment>), ServiceError> {
    let access = user.mailbox(service).await?;
    let mut attachments = form.attachments.clone();
    // A forward's draft keeps the original's attachments (issue 22): continued from
    // Drafts, the letter carries them as its own.
    if let Some(original) = form.forward_of {
        let forwarded = service.forwarded_attachments(&access, MessageId(original));
        attachments.extend(forwarded.await?);
    }
    let draft = Draft {
        to: form.to.join(", "),
        cc: form.cc.join(", "),
        subject: form.subject.clone(),
        text: form.text.clone(),
        in_reply_to: form.in_reply_to.clone(),
        attachments,
    };
    let id = service
        .save_draft(&access, &draft, form.draft.map(MessageId))
        .await?;
    Ok((id, draft.attachments))
}

/// `POST /mail/draft`: saves the letter; answers `{"draft": id}` to the autosave
/// (which asks for JSON), else the compose form again with the draft's id and a
/// notice. A refusal (over the quota, the antivirus…) keeps what was typed.
pub async fn save(
    State(service): State<Service>,
    user: WebUser,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let form = match SendForm::read_from(multipart, send::Poster::Webmail).await {
        Ok(form) => form,
        Err(problem) => return problem.into_response(),
    };
    if let Err(refusal) = user.check_csrf(form.csrf.as_deref().unwrap_or_default()) {
        return refusal.into_response();
    }
    let saved = keep(&service, &user, &form).await;
    match (saved, json) {
        (Ok((id, _)), true) => Json(serde_json::json!({ "draft": id.0 })).into_response(),
        (Ok((id, attachments)), false) => {
            let mut view = ComposePage::from_form(&user, &form);
            view.kept_in(id, &attachments);
            view.flash = Some(user.t.draft.saved);
            named_page(&service, &user, view, super::compose::Origin::Typed).await
        }
        (Err(error), true) => Problem::from(error).into_response(),
        (Err(error), false) => {
            let problem = Problem::from(error);
            let mut view = ComposePage::from_form(&user, &form);
            view.error = Some(user.t.refusals.say(&problem).to_owned());
            (problem.status(), page(view.render())).into_response()
        }
    }
}
