//! Sending through the API (MS-18): a `multipart/form-data` form (`to`, `cc`,
//! `subject`, `text`, `from`, `draft`, files as `attachment`) is read into a
//! [`Letter`], which the service writes, checks, submits and keeps in Sent
//! ([`Service::send_letter`]); the webmail's compose form comes here too. A
//! `message/rfc822` body is sent as it is ([`Service::send_message`], MS-3).
//!
//! With an `Idempotency-Key` header a retried POST never sends twice: the first
//! answer is recorded and given again.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use caduceus_core::MailAddress;
use caduceus_service::Service;
use caduceus_service::auth::Authenticated;
use caduceus_service::compose::{Attachment, Letter, Posted};
use caduceus_service::model::{AccountId, MessageId};
use caduceus_service::sessions::Idempotency;
use sha2::{Digest, Sha256};

use super::login::User;
use super::problem::{ApiResult, Problem};

/// What the form holds (the API's and the webmail's).
#[derive(Default)]
pub(crate) struct Form {
    pub(crate) from: Option<String>,
    pub(crate) to: Vec<String>,
    pub(crate) cc: Vec<String>,
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) in_reply_to: Option<String>,
    pub(crate) attachments: Vec<Attachment>,
    /// A message of the sender's mailbox whose attachments the letter carries (a
    /// forward, MS-1).
    pub(crate) forward_of: Option<i64>,
    /// The draft the letter was written in, removed once it is sent (issue 22).
    pub(crate) draft: Option<i64>,
    /// A disposition notification asked of the recipients' side (MS-16).
    pub(crate) read_receipt: bool,
    /// The webmail's CSRF token (the API has none).
    pub(crate) csrf: Option<String>,
}

/// Who posts a form: the webmail's compose page may also give back, as `kept`
/// fields, the attachments of a letter the service refused (issue 22, journey 9).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Poster {
    /// The JSON API's clients.
    Api,
    /// The webmail's compose form.
    Webmail,
}

/// An attachment given back to the compose page, as the `kept` field carries it:
/// its media type, name and content, each in base64, joined by dots.
pub(crate) fn keep(attachment: &Attachment) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let parts = [
        attachment.content_type.as_bytes(),
        attachment.filename.as_bytes(),
        &attachment.bytes,
    ];
    parts.map(|p| b64.encode(p)).join(".")
}

/// The attachment of a `kept` field ([`keep`]).
fn kept(value: &str) -> ApiResult<Attachment> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let bad = || Problem::bad_request("kept: an attachment given back by the compose page");
    let mut parts = value
        .trim()
        .split('.')
        .map(|p| b64.decode(p).map_err(|_| bad()));
    let (Some(kind), Some(name), Some(bytes), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let text = |b: Vec<u8>| String::from_utf8(b).map_err(|_| bad());
    Ok(Attachment {
        content_type: text(kind?)?,
        filename: text(name?)?,
        bytes: bytes?,
    })
}

impl Form {
    /// Reads the form; a file field without a file (an empty file input) is skipped.
    pub(crate) async fn read(multipart: Multipart) -> ApiResult<Form> {
        Form::read_from(multipart, Poster::Api).await
    }

    /// [`Form::read`], for `poster` (the webmail's form may hold `kept` attachments).
    pub(crate) async fn read_from(mut multipart: Multipart, poster: Poster) -> ApiResult<Form> {
        let bad = |e: axum::extract::multipart::MultipartError| {
            Problem::bad_request(format!("multipart form: {}", e.body_text()))
        };
        let mut form = Form::default();
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "attachment" {
                let filename = field.file_name().unwrap_or_default().to_owned();
                let content_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = field.bytes().await.map_err(bad)?.to_vec();
                if bytes.is_empty() && filename.is_empty() {
                    continue;
                }
                let filename = if filename.is_empty() {
                    "attachment".to_owned()
                } else {
                    filename
                };
                form.attachments.push(Attachment {
                    filename,
                    content_type,
                    bytes,
                });
                continue;
            }
            let value = field.text().await.map_err(bad)?;
            match name.as_str() {
                "from" => form.from = Some(value.trim().to_owned()),
                "to" => form.to.extend(split(&value)),
                "cc" => form.cc.extend(split(&value)),
                "subject" => form.subject = value,
                "text" => form.text = value,
                "in_reply_to" => {
                    form.in_reply_to = Some(value.trim().to_owned()).filter(|v| !v.is_empty())
                }
                "forward_of" => form.forward_of = id_field(&value, "forward_of")?,
                "draft" => form.draft = id_field(&value, "draft")?,
                "read_receipt" => {
                    form.read_receipt = matches!(value.trim(), "on" | "true" | "1");
                }
                "csrf" => form.csrf = Some(value),
                "kept" if poster == Poster::Webmail => form.attachments.push(kept(&value)?),
                other => {
                    return Err(Problem::bad_request(format!(
                        "unknown form field {other:?}; expected to, cc, subject, text, from, in_reply_to, forward_of, draft, read_receipt, attachment"
                    )));
                }
            }
        }
        Ok(form)
    }

    /// A hash of everything the form says, to tell a retry from another message.
    fn fingerprint(&self) -> Vec<u8> {
        let mut hash = Sha256::new();
        let mut field = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_be_bytes());
            hash.update(bytes);
        };
        field(self.from.as_deref().unwrap_or_default().as_bytes());
        for list in [&self.to, &self.cc] {
            field(list.join(",").as_bytes());
        }
        field(self.subject.as_bytes());
        field(self.text.as_bytes());
        field(self.in_reply_to.as_deref().unwrap_or_default().as_bytes());
        field(self.forward_of.unwrap_or_default().to_string().as_bytes());
        field(self.draft.unwrap_or_default().to_string().as_bytes());
        field(&[u8::from(self.read_receipt)]);
        for attachment in &self.attachments {
            field(attachment.filename.as_bytes());
            field(attachment.content_type.as_bytes());
            field(&attachment.bytes);
        }
        hash.finalize().to_vec()
    }
}

/// A message id field: a number, or nothing when empty.
fn id_field(value: &str, name: &str) -> ApiResult<Option<i64>> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let id = value
        .parse()
        .map_err(|_| Problem::bad_request(format!("{name}: a message id (a number)")))?;
    Ok(Some(id))
}

fn split(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn parse_all(list: &[String], field: &str) -> ApiResult<Vec<MailAddress>> {
    list.iter()
        .map(|text| {
            MailAddress::parse(text)
                .map_err(|e| Problem::bad_request(format!("{field}: {text:?}: {e}")))
        })
        .collect()
}

/// `POST /messages`: sends; 201 with the message's place, or the problem. A
/// `multipart/form-data` form is written into a message ([`Form`]); a
/// `message/rfc822` body is a message the caller's software wrote whole (signed or
/// encrypted end to end, MS-3), sent byte for byte to its `To` and `Cc`
/// ([`Service::send_message`]).
pub async fn send(
    State(service): State<Service>,
    user: User,
    headers: HeaderMap,
    request: Request,
) -> ApiResult<Response> {
    let ready = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("message/rfc822"));
    let posting = if ready {
        let raw = Bytes::from_request(request, &())
            .await
            .map_err(|e| Problem::bad_request(format!("message: {}", e.body_text())))?;
        Posting::Ready(raw.to_vec())
    } else {
        let multipart = Multipart::from_request(request, &())
            .await
            .map_err(|e| Problem::bad_request(format!("multipart form: {}", e.body_text())))?;
        Posting::Form(Box::new(Form::read(multipart).await?))
    };
    let key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| Problem::bad_request("Idempotency-Key: visible ASCII only"))
        })
        .transpose()?;
    if let Some(key) = &key {
        match service
            .claim_idempotency(&user.login, key, &posting.fingerprint())
            .await?
        {
            Idempotency::Replay(answer) => return Ok(answered(answer, true)),
            Idempotency::New => {}
        }
    }
    let outcome = match &posting {
        Posting::Form(form) => {
            let own = user.login.account().id;
            deliver(&service, &user.login, own, form).await
        }
        Posting::Ready(raw) => match service.send_message(&user.login, raw).await {
            Ok(posted) => Ok(posted_json(&posted)),
            Err(e) => Err(e.into()),
        },
    };
    if let Some(key) = &key {
        let answer = outcome.as_ref().ok().map(String::as_str);
        service.settle_idempotency(&user.login, key, answer).await?;
    }
    Ok(answered(outcome?, false))
}

/// What a `POST /messages` carries.
enum Posting {
    /// A form to write a message from.
    Form(Box<Form>),
    /// A message written whole.
    Ready(Vec<u8>),
}

impl Posting {
    /// A hash of what is sent, to tell a retry from another message.
    fn fingerprint(&self) -> Vec<u8> {
        match self {
            Posting::Form(form) => form.fingerprint(),
            Posting::Ready(raw) => Sha256::digest(raw).to_vec(),
        }
    }
}

fn answered(body: String, replayed: bool) -> Response {
    let mut response = (
        StatusCode::CREATED,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    response
}

/// Reads the form's addresses and sends it through the service; the answer's JSON.
pub(crate) async fn deliver(
    service: &Service,
    login: &Authenticated,
    mailbox: AccountId,
    form: &Form,
) -> ApiResult<String> {
    let from = form
        .from
        .as_deref()
        .map(|text| {
            MailAddress::parse(text).map_err(|e| Problem::bad_request(format!("from: {e}")))
        })
        .transpose()?;
    let mut attachments = form.attachments.clone();
    // A forward carries the original's attachments: read from `mailbox` (the
    // sender's own, or the one they act for, ID-3, ID-7), traced as a read (TR-1).
    if let Some(id) = form.forward_of {
        let access = service.authorize(&login.caller(), mailbox).await?;
        let forwarded = service.forwarded_attachments(&access, MessageId(id));
        attachments.extend(forwarded.await?);
    }
    let letter = Letter {
        from,
        to: parse_all(&form.to, "to")?,
        cc: parse_all(&form.cc, "cc")?,
        subject: form.subject.clone(),
        text: form.text.clone(),
        in_reply_to: form.in_reply_to.clone(),
        attachments,
        draft: form.draft.map(MessageId),
        read_receipt: form.read_receipt,
    };
    let posted = service.send_letter(login, &letter).await?;
    Ok(posted_json(&posted))
}

/// The answer to a sent message: its id, the recipients served here and those
/// queued, the queue reference (MS-16).
fn posted_json(posted: &Posted) -> String {
    let addresses = |list: &[MailAddress]| {
        list.iter()
            .map(|a| a.as_str().to_owned())
            .collect::<Vec<_>>()
    };
    serde_json::json!({
        "message_id": posted.message_id,
        "delivered": addresses(&posted.delivered),
        "queued": addresses(&posted.queued),
        "queue_ref": posted.queue_ref,
    })
    .to_string()
}
