//! Sending through the API (MS-18): a `multipart/form-data` form (`to`, `cc`,
//! `subject`, `text`, `from`, files as `attachment`) becomes a MIME message that goes
//! through the same service calls as SMTP submission — sender (ID-3, MS-13), each
//! recipient (MS-2, MS-5, MS-12), then the whole policy and the antivirus at
//! [`Service::submit`] — and a copy is kept in the sender's Sent folder.
//!
//! With an `Idempotency-Key` header a retried POST never sends twice: the first
//! answer is recorded and given again.

use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use caduceus_core::MailAddress;
use caduceus_service::Service;
use caduceus_service::auth::Authenticated;
use caduceus_service::sessions::Idempotency;
use caduceus_service::submit::RecipientScope;
use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use rand::RngCore;
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
    /// The webmail's CSRF token (the API has none).
    pub(crate) csrf: Option<String>,
}

pub(crate) struct Attachment {
    filename: String,
    content_type: String,
    bytes: Vec<u8>,
}

impl Form {
    /// Reads the form; a file field without a file (an empty file input) is skipped.
    pub(crate) async fn read(mut multipart: Multipart) -> ApiResult<Form> {
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
                "csrf" => form.csrf = Some(value),
                other => {
                    return Err(Problem::bad_request(format!(
                        "unknown form field {other:?}; expected to, cc, subject, text, from, in_reply_to, attachment"
                    )));
                }
            }
        }
        if form.to.is_empty() && form.cc.is_empty() {
            return Err(Problem::bad_request("name at least one recipient in `to`"));
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
        for attachment in &self.attachments {
            field(attachment.filename.as_bytes());
            field(attachment.content_type.as_bytes());
            field(&attachment.bytes);
        }
        hash.finalize().to_vec()
    }
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

fn address_list(list: &[MailAddress]) -> Address<'static> {
    Address::new_list(
        list.iter()
            .map(|a| Address::new_address(None::<&str>, a.as_str().to_owned()))
            .collect(),
    )
}

/// `POST /messages`: sends; 201 with the message's place, or the problem.
pub async fn send(
    State(service): State<Service>,
    user: User,
    headers: HeaderMap,
    multipart: Multipart,
) -> ApiResult<Response> {
    let form = Form::read(multipart).await?;
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
            .claim_idempotency(&user.login, key, &form.fingerprint())
            .await?
        {
            Idempotency::Replay(answer) => return Ok(answered(answer, true)),
            Idempotency::New => {}
        }
    }
    let outcome = deliver(&service, &user.login, &form).await;
    if let Some(key) = &key {
        let answer = outcome.as_ref().ok().map(String::as_str);
        service.settle_idempotency(&user.login, key, answer).await?;
    }
    Ok(answered(outcome?, false))
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

/// Builds, checks and submits the message, keeps a copy in Sent; the answer's JSON.
pub(crate) async fn deliver(
    service: &Service,
    login: &Authenticated,
    form: &Form,
) -> ApiResult<String> {
    let account = login.account();
    let from = match &form.from {
        Some(text) => {
            MailAddress::parse(text).map_err(|e| Problem::bad_request(format!("from: {e}")))?
        }
        None => account.address.clone(),
    };
    let to = parse_all(&form.to, "to")?;
    let cc = parse_all(&form.cc, "cc")?;
    let sender = service.sender(login, &from).await?;
    let recipients: Vec<MailAddress> = to.iter().chain(&cc).cloned().collect();
    for (already, recipient) in recipients.iter().enumerate() {
        service
            .check_recipient(recipient, already, RecipientScope::TrustSpace)
            .await?;
    }
    let message_id = new_message_id(from.domain().as_str());
    let now = service.now();
    let mut builder = MessageBuilder::new()
        .from(Address::new_address(
            Some(account.display_name.clone()),
            from.as_str().to_owned(),
        ))
        .subject(form.subject.clone())
        .date(now.as_millis() / 1000)
        .message_id(message_id.clone())
        .text_body(form.text.clone());
    if !to.is_empty() {
        builder = builder.to(address_list(&to));
    }
    if !cc.is_empty() {
        builder = builder.cc(address_list(&cc));
    }
    if let Some(parent) = &form.in_reply_to {
        let parent = parent.trim_matches(['<', '>']).to_owned();
        builder = builder.in_reply_to(parent.clone()).references(parent);
    }
    for attachment in &form.attachments {
        builder = builder.attachment(
            attachment.content_type.clone(),
            attachment.filename.clone(),
            attachment.bytes.clone(),
        );
    }
    let raw = builder
        .write_to_vec()
        .map_err(|e| Problem::bad_request(format!("cannot build the message: {e}")))?;
    let submitted = service.submit(&sender, &recipients, &raw, false).await?;
    keep_sent_copy(service, login, &sender, &raw).await;
    let (local, queued): (Vec<&MailAddress>, Vec<&MailAddress>) =
        recipients.iter().partition(|r| service.is_local(r));
    Ok(serde_json::json!({
        "message_id": message_id,
        "delivered": local.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "queued": queued.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "queue_ref": submitted.queue_ref,
    })
    .to_string())
}

/// Keeps a read copy in the Sent folder of the mailbox sent from. The message is
/// already sent: a failure here is logged, not reported as a failed send.
async fn keep_sent_copy(
    service: &Service,
    login: &Authenticated,
    sender: &caduceus_service::submit::Sender,
    raw: &[u8],
) {
    let owner = sender.acting_for().unwrap_or(login.account().id);
    let kept = async {
        let access = service.authorize(&login.caller(), owner).await?;
        let Some(sent) = service.find_folder(&access, "Sent").await? else {
            return Ok(());
        };
        service
            .append(&access, sent.id, raw, vec!["\\Seen".to_owned()], None)
            .await
            .map(|_| ())
    };
    if let Err(error) = kept.await {
        tracing::warn!(%error, "sent copy not kept");
    }
}

fn new_message_id(domain: &str) -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{}@{domain}", hex::encode(bytes))
}
