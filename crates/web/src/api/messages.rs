//! Folders and messages (MS-18): list, read (traced, TR-1), download, flag, move,
//! delete (RT-3). `?mailbox=` opens an organisational mailbox the caller is a
//! delegate of (ID-3); the service checks every access (AC-1).

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use caduceus_core::MailAddress;
use caduceus_core::Requirement;
use caduceus_core::display::InlineType;
use caduceus_core::personal::is_personal;
use caduceus_service::Service;
use caduceus_service::display::declared_type;
use caduceus_service::folders::Opening;
use caduceus_service::ingest::MetaAddress;
use caduceus_service::listing;
use caduceus_service::messages::{MailboxAccess, ReadMessage};
use caduceus_service::model::{Mailbox, MessageId, MessageSummary};
use mail_parser::MimeHeaders;
use serde::Deserialize;

use super::login::User;
use super::problem::{ApiResult, Problem};

/// The largest page of a listing.
const MAX_PAGE: usize = 200;

/// Which mailbox a call works on: the caller's, or `?mailbox=` (ID-3).
pub(super) async fn access(
    service: &Service,
    user: &User,
    mailbox: Option<&str>,
) -> ApiResult<MailboxAccess> {
    let caller = user.login.caller();
    let owner = match mailbox {
        None => user.login.account().id,
        Some(text) => {
            let address = MailAddress::parse(text)
                .map_err(|e| Problem::bad_request(format!("mailbox: {e}")))?;
            match service.account_by_address(&address).await? {
                Some(account) => account.id,
                // The same answer as another's mailbox: reveals nothing.
                None => {
                    return Err(Problem::new(
                        StatusCode::FORBIDDEN,
                        "denied",
                        "this mailbox is not yours and you are not its delegate",
                    )
                    .requirement(Requirement::Ac1));
                }
            }
        }
    };
    Ok(service.authorize(&caller, owner).await?)
}

/// `?mailbox=` alone.
#[derive(Deserialize)]
pub struct MailboxQuery {
    mailbox: Option<String>,
}

/// The mailbox a call works on, checked (AC-1, ID-3): the caller's, or `?mailbox=`.
pub struct InMailbox(pub MailboxAccess);

impl FromRequestParts<Service> for InMailbox {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, service: &Service) -> ApiResult<Self> {
        let user = User::from_request_parts(parts, service).await?;
        let Query(query) = Query::<MailboxQuery>::from_request_parts(parts, service)
            .await
            .map_err(|e| Problem::bad_request(e.body_text()))?;
        Ok(InMailbox(
            access(service, &user, query.mailbox.as_deref()).await?,
        ))
    }
}

/// `GET /folders`: the folders with their counts.
pub async fn folders(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
) -> ApiResult<Json<serde_json::Value>> {
    let personal = service.personal_folders(&access).await?;
    let mut folders = Vec::new();
    for folder in service.mailboxes(&access).await? {
        let (_, messages) = service.folder_state(&access, folder.id).await?;
        let unseen = messages.iter().filter(|m| !is_seen(m)).count();
        folders.push(serde_json::json!({
            "name": folder.name,
            "special_use": folder.special_use,
            "personal": personal.contains(&folder.id),
            "total": messages.len(),
            "unseen": unseen,
        }));
    }
    Ok(Json(serde_json::json!({ "folders": folders })))
}

/// `POST /folders`: the new folder's name.
#[derive(Deserialize)]
pub struct NewFolder {
    name: String,
}

/// `POST /folders`: makes a folder (MS-6); traced.
pub async fn create_folder(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Json(folder): Json<NewFolder>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let made = service.create_folder(&access, &folder.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "name": made.name, "personal": false })),
    ))
}

/// `PATCH /folders/{folder}`: what changes.
#[derive(Deserialize)]
pub struct FolderChange {
    /// Marks the folder personal or professional (MS-14).
    personal: bool,
}

/// `PATCH /folders/{folder}`: marks a folder of one's own making personal or
/// professional (MS-14); traced.
pub async fn change_folder(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Path(folder): Path<String>,
    Json(change): Json<FolderChange>,
) -> ApiResult<StatusCode> {
    service
        .set_folder_personal(&access, &folder, change.personal)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

fn is_seen(message: &MessageSummary) -> bool {
    message
        .flags
        .iter()
        .any(|f| f.eq_ignore_ascii_case("\\Seen"))
}

/// `GET /folders/{folder}/messages`: one page, newest first.
#[derive(Deserialize)]
pub struct ListQuery {
    /// Page size (default 50, at most 200).
    limit: Option<usize>,
    /// Only messages with a UID below this one (the `next` of the previous page).
    before: Option<i64>,
    /// Only messages whose subject or a correspondent (name or address) holds this
    /// text, any case.
    q: Option<String>,
}

fn folder_etag(folder: &Mailbox, count: usize) -> String {
    format!(
        "W/\"{}-{}-{}-{count}\"",
        folder.uidvalidity, folder.uidnext, folder.highest_modseq
    )
}

fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag))
}

fn addresses(list: &[MetaAddress]) -> serde_json::Value {
    list.iter()
        .map(|a| serde_json::json!({ "name": a.name, "address": a.address }))
        .collect()
}

/// A message's summary; `personal_folder`: whether its folder is marked personal.
fn summary_json(message: &ReadMessage, folder: &str, personal_folder: bool) -> serde_json::Value {
    let meta = message.meta();
    serde_json::json!({
        "id": message.summary.id.0,
        "folder": folder,
        "uid": message.summary.uid,
        "flags": message.summary.flags,
        "personal": is_personal(&message.summary.flags, personal_folder),
        "size": message.summary.size,
        "received": message.summary.internal.rfc5322(),
        "date": meta.date,
        "subject": meta.subject,
        "from": addresses(&meta.from),
        "to": addresses(&meta.to),
        "cc": addresses(&meta.cc),
        "message_id": meta.message_id,
        "attachments": meta.attachments,
    })
}

/// `GET /folders/{folder}/messages`: a page of message summaries from the metadata
/// computed at ingest (no body is opened); the folder opening is traced (TR-1).
pub async fn list(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Path(folder): Path<String>,
    Query(query): Query<ListQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let (mailbox, mut summaries) = service.open_folder(&access, &folder).await?;
    let etag = folder_etag(&mailbox, summaries.len());
    if not_modified(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let total = summaries.len();
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    summaries.sort_by_key(|m| std::cmp::Reverse(m.uid));
    let candidates: Vec<MessageSummary> = summaries
        .into_iter()
        .filter(|m| query.before.is_none_or(|before| m.uid < before))
        .collect();
    // Case and accents ignored, as in the webmail (MS-6).
    let needle = caduceus_core::directory::fold(query.q.as_deref().unwrap_or(""));
    // Without a search, the page is opened alone; with one, the folder's metadata is
    // read newest first, a page at a time, until the page is full.
    let mut opened = Vec::new();
    for chunk in candidates.chunks(if needle.is_empty() {
        limit + 1
    } else {
        MAX_PAGE
    }) {
        let ids: Vec<MessageId> = chunk.iter().map(|m| m.id).collect();
        let batch = service
            .open_messages(&access, mailbox.id, &ids, Opening::Headers)
            .await?;
        opened.extend(
            batch
                .into_iter()
                .filter(|m| needle.is_empty() || listing::matches(m.meta(), &needle)),
        );
        if opened.len() > limit || needle.is_empty() {
            break;
        }
    }
    let next = (opened.len() > limit).then(|| opened[limit - 1].summary.uid);
    opened.truncate(limit);
    let personal = service.is_personal_folder(&access, mailbox.id).await?;
    let messages: Vec<_> = opened
        .iter()
        .map(|m| summary_json(m, &mailbox.name, personal))
        .collect();
    let body = serde_json::json!({
        "folder": mailbox.name,
        "total": total,
        "messages": messages,
        "next": next,
    });
    Ok(([(header::ETAG, etag)], Json(body)).into_response())
}

/// The name of `access`'s folder `id`, for answers.
async fn folder_name(
    service: &Service,
    access: &MailboxAccess,
    id: caduceus_service::model::MailboxId,
) -> ApiResult<String> {
    Ok(service
        .mailboxes(access)
        .await?
        .into_iter()
        .find(|f| f.id == id)
        .map(|f| f.name)
        .unwrap_or_default())
}

fn message_etag(message: &ReadMessage) -> String {
    format!("\"{}-{}\"", message.summary.id.0, message.summary.modseq)
}

/// `GET /messages/{id}`: the message with its text and the list of its attachments;
/// a read, traced (TR-1). HTML parts are not rendered here: `text` is the plain text
/// (or the HTML's text) of the body.
pub async fn get(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let message = service.read_message(&access, MessageId(id)).await?;
    let folder = folder_name(&service, &access, message.summary.mailbox).await?;
    let personal = service
        .is_personal_folder(&access, message.summary.mailbox)
        .await?;
    let mut body = summary_json(&message, &folder, personal);
    let parsed = message.parsed();
    let attachments: Vec<_> = parsed
        .iter()
        .flat_map(|m| m.attachments())
        .enumerate()
        .map(|(index, part)| {
            serde_json::json!({
                "index": index,
                "filename": part.attachment_name(),
                "content_type": declared_type(part),
                "size": part.contents().len(),
            })
        })
        .collect();
    body["text"] = parsed
        .as_ref()
        .and_then(|m| m.body_text(0))
        .map(|t| t.into_owned())
        .into();
    body["attachments"] = attachments.into();
    // MS-16: whether its S/MIME signature holds, and whether the signer is a verified
    // account of the trust space.
    body["signature"] = service
        .signature(&message)
        .await?
        .map(|signature| {
            serde_json::json!({
                "valid": signature.valid,
                "signer": signature.signer.map(|a| a.as_str().to_owned()),
                "verified_account": signature.verified_account,
            })
        })
        .into();
    let etag = message_etag(&message);
    Ok(([(header::ETAG, etag)], Json(body)).into_response())
}

/// `GET /messages/{id}/raw`: the message as received (`message/rfc822`); a read.
pub async fn raw(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let message = service.read_message(&access, MessageId(id)).await?;
    let etag = message_etag(&message);
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_owned()),
            (header::ETAG, etag),
        ],
        Body::from(message.raw),
    )
        .into_response())
}

/// `GET /messages/{id}/attachments/{index}`: one attachment, to download; a read.
pub async fn attachment(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Path((id, index)): Path<(i64, usize)>,
) -> ApiResult<Response> {
    attachment_of(&service, &access, MessageId(id), index, Shown::Download).await
}

/// How an attachment is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shown {
    /// Always a download: `application/octet-stream`, `attachment`.
    Download,
    /// Inline with its type when a browser may show it ([`InlineType`]: PDF, raster
    /// images), in a CSP sandbox; a download otherwise (MS-1).
    Preview,
}

/// The Content-Security-Policy of an attachment shown inline: nothing loads, nothing
/// runs (`sandbox`), it may be framed by the webmail only.
const PREVIEW_CSP: &str = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; \
                           object-src 'self'; frame-ancestors 'self'; base-uri 'none'; \
                           form-action 'none'; sandbox";

/// Attachment `index` of message `id` as a download (`application/octet-stream`,
/// a sanitised file name), or `shown` inline when it may be; reading it is a read
/// (TR-1).
pub(crate) async fn attachment_of(
    service: &Service,
    access: &MailboxAccess,
    id: MessageId,
    index: usize,
    shown: Shown,
) -> ApiResult<Response> {
    let message = service.read_message(access, id).await?;
    let parsed = message.parsed();
    let part = parsed
        .as_ref()
        .and_then(|m| m.attachments().nth(index))
        .ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("message {} has no attachment {index}", id.0),
            )
        })?;
    let filename: String = part
        .attachment_name()
        .unwrap_or("attachment")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._- ".contains(*c))
        .collect();
    let inline = declared_type(part)
        .and_then(|declared| InlineType::of(&declared))
        .filter(|_| shown == Shown::Preview);
    let mut response = Body::from(part.contents().to_vec()).into_response();
    let headers = response.headers_mut();
    let (mime, disposition) = match inline {
        Some(kind) => {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PREVIEW_CSP),
            );
            headers.insert(
                header::X_FRAME_OPTIONS,
                HeaderValue::from_static("SAMEORIGIN"),
            );
            (kind.mime(), "inline")
        }
        None => ("application/octet-stream", "attachment"),
    };
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("{disposition}; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `PATCH /messages/{id}`: new flags, another folder, or both.
#[derive(Deserialize)]
pub struct Change {
    flags: Option<Vec<String>>,
    folder: Option<String>,
}

/// `PATCH /messages/{id}`: sets the flags and/or moves the message; each change traced
/// (TR-1). Answers the message's new place.
pub async fn change(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Path(id): Path<i64>,
    Json(change): Json<Change>,
) -> ApiResult<Json<serde_json::Value>> {
    let mut id = MessageId(id);
    if let Some(flags) = &change.flags {
        service.set_flags(&access, id, flags).await?;
    }
    if let Some(folder) = &change.folder {
        let to = service.find_folder(&access, folder).await?.ok_or_else(|| {
            Problem::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("folder {folder:?} not found"),
            )
        })?;
        let from = service.message_summary(&access, id).await?.mailbox;
        if from != to.id {
            let moved = service.move_messages(&access, from, &[id], to.id).await?;
            id = moved.first().map_or(id, |m| m.message);
        }
    }
    let summary = service.message_summary(&access, id).await?;
    let folder = folder_name(&service, &access, summary.mailbox).await?;
    let personal = service.is_personal_folder(&access, summary.mailbox).await?;
    Ok(Json(serde_json::json!({
        "id": summary.id.0,
        "folder": folder,
        "uid": summary.uid,
        "flags": summary.flags,
        "personal": is_personal(&summary.flags, personal),
    })))
}

/// `DELETE /messages/{id}`: deletes the message for good, its key destroyed (RT-3).
pub async fn delete(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    service.delete_message(&access, MessageId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
