//! A letter shown as it was written (MS-1, issue 22): its HTML, sanitised by the
//! service ([`caduceus_service::display`]), served as a document of its own with a
//! strict policy — nothing loads but its own images (`data:`), nothing runs
//! (`sandbox`), only the webmail may frame it — and embedded in the message page in
//! an `<iframe sandbox>`; its PDF and image attachments shown inline, in a sandbox.
//! Both are reads of the message: authorized and traced (TR-1) by the service.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use caduceus_core::display::escape_text;
use caduceus_service::Service;
use caduceus_service::model::MessageId;

use super::WebUser;
use super::mail::{error_page, refused};
pub(crate) use crate::api::messages::Shown;
use crate::api::messages::attachment_of;

/// The policy of a letter's document: its inline style and its own images only, no
/// script, no form, no link to load anything; sandboxed (its links open apart, out of
/// the sandbox, in a new tab); framed by the webmail only.
pub const LETTER_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                              frame-ancestors 'self'; base-uri 'none'; form-action 'none'; \
                              sandbox allow-popups allow-popups-to-escape-sandbox";

/// The style of a letter's document: readable tables, whatever the letter's own.
const LETTER_STYLE: &str = "body{font-family:system-ui,sans-serif;line-height:1.4;margin:.5rem;\
                            color:#1a1a1a;background:#fff;overflow-wrap:anywhere}\
                            table{border-collapse:collapse;max-width:100%}\
                            td,th{border:1px solid #999;padding:.2rem .4rem;vertical-align:top}\
                            img{max-width:100%;height:auto}pre{white-space:pre-wrap}";

/// `GET /mail/message/{id}/html`: the letter's body as a document of its own (MS-1),
/// for the message page's frame; a read of the message (TR-1).
pub async fn html(State(service): State<Service>, user: WebUser, Path(id): Path<i64>) -> Response {
    let letter = async {
        let access = user.mailbox(&service).await?;
        service.letter_html(&access, MessageId(id)).await
    };
    let letter = match letter.await {
        Ok(letter) => letter,
        Err(error) => return refused(&user, error),
    };
    let document = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>{LETTER_STYLE}</style></head><body>{body}</body></html>",
        lang = user.t.lang,
        title = escape_text(letter.subject.as_deref().unwrap_or(user.t.no_subject)),
        body = letter.html,
    );
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        document,
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(LETTER_CSP),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    response
}

/// `GET /mail/message/{id}/attachment/{index}/view`: a PDF or an image inline, with
/// its type, in a sandbox; any other type downloaded (MS-1); a read (TR-1).
pub async fn view(
    State(service): State<Service>,
    user: WebUser,
    Path((id, index)): Path<(i64, usize)>,
) -> Response {
    attachment(&service, &user, id, index, Shown::Preview).await
}

/// Attachment `index` of message `id`, `shown` as asked, or the page of the refusal.
pub(super) async fn attachment(
    service: &Service,
    user: &WebUser,
    id: i64,
    index: usize,
    shown: Shown,
) -> Response {
    let access = match user.mailbox(service).await {
        Ok(access) => access,
        Err(error) => return refused(user, error),
    };
    match attachment_of(service, &access, MessageId(id), index, shown).await {
        Ok(response) => response,
        Err(problem) => error_page(user, user.t.refusals.say(&problem), problem.status()),
    }
}
