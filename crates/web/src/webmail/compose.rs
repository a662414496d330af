//! Writing and sending in the webmail. Before sending, the rules are shown as the
//! message is written (`POST /mail/check`): a subject that identifies a patient
//! (MS-11), too many recipients (MS-12), an address outside the trust space (MS-2,
//! MS-5), a patient who opposed exchanges (MS-9). Sending goes through the same
//! calls as the API, which apply every rule again. A letter is kept in Drafts as it
//! is written ([`super::drafts`], issue 22) and continued from there. Whenever the
//! form comes back filled (a reply, a draft continued, a refusal), everyone in To and
//! Cc is named beside the fields, as the directory and the accounts know them, each
//! with their address (ID-4, [`named_page`]), and again as the user writes (the
//! check's answer names them: a wrong recipient shows before the letter goes).

use askama::Template;
use axum::Json;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::MailAddress;
use caduceus_core::Requirement;
use caduceus_core::absence::signed_body;
use caduceus_core::directory::SearchQuery;
use caduceus_core::health::check_subject;
use caduceus_service::Service;
use caduceus_service::compose::Attachment;
use caduceus_service::drafts::Draft;
use caduceus_service::model::MessageId;
use caduceus_service::submit::RecipientScope;
use serde::Deserialize;

use super::mail::{people, refused};
use super::names::{self, Named};
use super::{CsrfField, Posted, WebUser, dates, page};
use super::{Layout, layout_page};
use crate::api::send::{self, Form as SendForm};
use caduceus_service::ingest::MetaAddress;

/// The compose form, filled.
#[derive(Template)]
#[template(path = "compose.html")]
pub(super) struct ComposePage {
    layout: Layout,
    to: String,
    cc: String,
    subject: String,
    text: String,
    in_reply_to: String,
    /// The draft this letter is kept in (issue 22), replaced at each save and
    /// removed once it is sent; empty before the first save.
    pub(super) draft: String,
    /// The message forwarded, whose attachments the letter carries (MS-1).
    forward_of: String,
    /// The names of those attachments, shown on the form.
    forwarded: Vec<String>,
    /// The attachments of a letter the service refused, given back (name, `kept`
    /// field) so that nothing has to be attached again.
    kept: Vec<(String, String)>,
    /// The address sent as, acting for another mailbox (ID-3, ID-7); the service
    /// decides whether the user may.
    from: Option<String>,
    /// Whom the letter goes to (To and Cc), by name (ID-4), shown beside the fields.
    recipients: Vec<Named>,
    /// A disposition notification asked (MS-16).
    read_receipt: bool,
}

layout_page!(ComposePage);

impl ComposePage {
    pub(super) fn new(user: &WebUser) -> Self {
        ComposePage {
            layout: Layout::of(user),
            to: String::new(),
            cc: String::new(),
            subject: String::new(),
            text: String::new(),
            in_reply_to: String::new(),
            draft: String::new(),
            forward_of: String::new(),
            forwarded: Vec::new(),
            kept: Vec::new(),
            from: user
                .acting
                .as_ref()
                .map(|a| a.account.address.as_str().to_owned()),
            recipients: Vec::new(),
            read_receipt: false,
        }
    }

    /// The form again as it was posted: everything typed, the attachments given back
    /// as `kept` fields, so that nothing is lost (issue 22).
    pub(super) fn from_form(user: &WebUser, form: &SendForm) -> Self {
        let mut view = ComposePage::new(user);
        view.to = form.to.join(", ");
        view.cc = form.cc.join(", ");
        view.subject = form.subject.clone();
        view.text = form.text.clone();
        view.in_reply_to = form.in_reply_to.clone().unwrap_or_default();
        view.forward_of = form.forward_of.map(|id| id.to_string()).unwrap_or_default();
        view.draft = form.draft.map(|id| id.to_string()).unwrap_or_default();
        view.kept = kept(&form.attachments);
        view.read_receipt = form.read_receipt;
        view
    }

    /// The form filled from a saved draft, to continue it (issue 22).
    fn from_draft(user: &WebUser, id: MessageId, draft: Draft) -> Self {
        let mut view = ComposePage::new(user);
        view.to = draft.to;
        view.cc = draft.cc;
        view.subject = draft.subject;
        view.text = draft.text;
        view.in_reply_to = draft.in_reply_to.unwrap_or_default();
        view.kept_in(id, &draft.attachments);
        view
    }

    /// The form as draft `id` now holds it (issue 22): a forward's attachments are the
    /// draft's own from then on, kept like any other, so that none is lost or sent
    /// twice.
    pub(super) fn kept_in(&mut self, id: MessageId, attachments: &[Attachment]) {
        self.draft = id.0.to_string();
        self.kept = kept(attachments);
        self.forward_of.clear();
        self.forwarded.clear();
    }
}

/// The attachments given back as `kept` fields (name, field).
fn kept(attachments: &[Attachment]) -> Vec<(String, String)> {
    attachments
        .iter()
        .map(|a| (a.filename.clone(), send::keep(a)))
        .collect()
}

/// `?reply=` the message answered (`&all=on`: to everyone it was sent to),
/// `?forward=` the message passed on, or `?draft=` the draft to continue.
#[derive(Deserialize)]
pub struct ComposeQuery {
    reply: Option<i64>,
    #[serde(default)]
    all: Option<String>,
    forward: Option<i64>,
    draft: Option<i64>,
}

/// The addresses of `list`, but `own`'s, comma-separated.
fn addresses(list: &[&MetaAddress], own: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for address in list.iter().filter_map(|a| a.address.as_deref()) {
        if !address.eq_ignore_ascii_case(own) && !seen.contains(&address) {
            seen.push(address);
        }
    }
    seen.join(", ")
}

/// `subject` with `prefix` (`Re`, `Tr`…) once.
fn prefixed(prefix: &str, subject: &str) -> String {
    let lower = subject.to_lowercase();
    if lower.starts_with(&format!("{}:", prefix.to_lowercase())) {
        subject.to_owned()
    } else {
        format!("{prefix}: {subject}")
    }
}

/// `GET /mail/compose`: a new message, a reply (to the sender, or to all), or a
/// forward, with the original quoted under a line naming its author and date (the
/// original is read, TR-1). A forward carries the original's text and, when sent,
/// its attachments (listed on the form).
pub async fn form(
    State(service): State<Service>,
    user: WebUser,
    Query(query): Query<ComposeQuery>,
) -> Response {
    if let Some(id) = query.draft {
        let opened = async {
            let access = user.mailbox(&service).await?;
            service.open_draft(&access, MessageId(id)).await
        };
        return match opened.await {
            Ok(draft) => {
                let view = ComposePage::from_draft(&user, MessageId(id), draft);
                named_page(&service, &user, view, Origin::Typed).await
            }
            Err(error) => refused(&user, error),
        };
    }
    let mut view = ComposePage::new(&user);
    // The writer's signature after "-- " (RFC 3676 §4.3), above a quoted original (MS-6).
    let (caller, writer) = (user.login.caller(), user.login.account().id);
    let signature = match service.mail_signature(&caller, writer).await {
        Ok(signature) => signature,
        Err(error) => return refused(&user, error),
    };
    let Some(id) = query.reply.or(query.forward) else {
        view.text = signed_body("", &signature, "");
        return page(view.render());
    };
    let original = async {
        let access = user.mailbox(&service).await?;
        service.read_message(&access, MessageId(id)).await
    };
    let message = match original.await {
        Ok(message) => message,
        Err(error) => return refused(&user, error),
    };
    let (t, meta) = (user.t, message.meta());
    let own = user.holder().address.as_str();
    let body = message
        .parsed()
        .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default();
    let date = dates::full(
        t,
        user.zone,
        dates::written(meta.date.as_deref(), message.summary.internal),
    );
    let subject = meta.subject.clone().unwrap_or_default();
    if query.forward.is_some() {
        view.subject = prefixed(t.forward_prefix, &subject);
        view.forward_of = id.to_string();
        view.forwarded = Attachment::all_of(&message)
            .into_iter()
            .map(|a| a.filename)
            .collect();
        let c = t.colon;
        let forwarded = format!(
            "{}\n{}{c} {}\n{}{c} {date}\n{}{c} {subject}\n{}{c} {}\n\n{body}",
            t.forwarded_message,
            t.from,
            people(&meta.from),
            t.date,
            t.subject,
            t.to,
            people(&meta.to),
        );
        view.text = signed_body("", &signature, &forwarded);
        return page(view.render());
    }
    let from: Vec<&MetaAddress> = meta.from.iter().collect();
    view.to = addresses(&from, own);
    if query.all.is_some() {
        let others: Vec<&MetaAddress> = meta.to.iter().chain(&meta.cc).collect();
        let everyone_else = addresses(&others, own);
        let to = view.to.clone();
        view.cc = everyone_else
            .split(", ")
            .filter(|a| !a.is_empty() && !to.split(", ").any(|t| t == *a))
            .collect::<Vec<_>>()
            .join(", ");
    }
    view.subject = prefixed("Re", &subject);
    view.in_reply_to = meta.message_id.clone().unwrap_or_default();
    let quoted: Vec<String> = body.lines().map(|l| format!("> {l}")).collect();
    let quoted = format!(
        "{} {date}, {} {}\n{}",
        t.wrote_on,
        people(&meta.from),
        t.wrote,
        quoted.join("\n")
    );
    view.text = signed_body("", &signature, &quoted);
    named_page(&service, &user, view, Origin::Held).await
}

/// Where a form's recipients come from, which decides whether a patient among them is
/// named (ID-4, MS-8; see `caduceus_service::people`).
#[derive(Clone, Copy, Debug)]
pub(super) enum Origin {
    /// From a message the user holds (a reply): named as on that message's page.
    Held,
    /// Typed by the user (a draft, the form back after a refusal, the check as they
    /// write): a patient is named only if the mailbox exchanged with them.
    Typed,
}

/// The compose form, its recipients (To and Cc) named beside the fields as the
/// directory and the accounts know them, the address kept beside each name so that
/// the user can check it (ID-4, issue 22).
pub(super) async fn named_page(
    service: &Service,
    user: &WebUser,
    mut view: ComposePage,
    origin: Origin,
) -> Response {
    match recipients_named(service, user, origin, &view.to, &view.cc).await {
        Ok(recipients) => view.recipients = recipients,
        Err(error) => return refused(user, error),
    }
    page(view.render())
}

/// Everyone in `to` and `cc` (comma-separated, as typed) by name: on the form when it
/// comes back filled, and as the user writes (`POST /mail/check`), so that a wrong
/// recipient shows before the letter goes (ID-4).
async fn recipients_named(
    service: &Service,
    user: &WebUser,
    origin: Origin,
    to: &str,
    cc: &str,
) -> Result<Vec<Named>, caduceus_service::ServiceError> {
    let typed: Vec<MetaAddress> = to
        .split(',')
        .chain(cc.split(','))
        .filter_map(|text| MailAddress::parse(text.trim()).ok())
        .map(|address| MetaAddress {
            name: None,
            address: Some(address.as_str().to_owned()),
        })
        .collect();
    if typed.is_empty() {
        return Ok(Vec::new());
    }
    let addresses = names::addresses([typed.as_slice()]);
    let people = match origin {
        Origin::Held => service.people(&addresses).await?,
        Origin::Typed => {
            service
                .recipients_people(user.holder().id, &addresses)
                .await?
        }
    };
    Ok(names::named(&typed, &people))
}

/// `POST /mail/compose`: sends, then shows the Sent folder; the draft the letter was
/// written in goes (issue 22). A refusal comes back on the form, in plain words,
/// which keeps what was written and the attachments, and the letter is saved in
/// Drafts. A session that ended meanwhile (the idle timeout) leads to the login
/// page, which says that the letter is in Drafts when it was saved there.
pub async fn send(
    State(service): State<Service>,
    user: Result<WebUser, Response>,
    multipart: Multipart,
) -> Response {
    let form = SendForm::read_from(multipart, send::Poster::Webmail).await;
    let user = match user {
        Ok(user) => user,
        Err(to_login) => {
            return match form {
                Ok(SendForm { draft: Some(_), .. }) => {
                    Redirect::to(super::drafts::KEPT_LOGIN).into_response()
                }
                _ => to_login,
            };
        }
    };
    let form = match form {
        Ok(form) => form,
        Err(problem) => {
            let mut view = ComposePage::new(&user);
            view.error = Some(user.t.refusals.say(&problem).to_owned());
            return (problem.status(), page(view.render())).into_response();
        }
    };
    if let Err(refusal) = user.check_csrf(form.csrf.as_deref().unwrap_or_default()) {
        return refusal.into_response();
    }
    match send::deliver(&service, &user.login, user.holder().id, &form).await {
        Ok(_) => Redirect::to(&format!("{}/folder/Sent?done=sent", user.base())).into_response(),
        Err(problem) => {
            let mut view = ComposePage::from_form(&user, &form);
            view.error = Some(user.t.refusals.say(&problem).to_owned());
            if let Ok((id, attachments)) = super::drafts::keep(&service, &user, &form).await {
                view.kept_in(id, &attachments);
            }
            let page = named_page(&service, &user, view, Origin::Typed).await;
            (problem.status(), page).into_response()
        }
    }
}

/// What the check is asked about.
#[derive(Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    cc: String,
    #[serde(default)]
    subject: String,
    csrf: String,
}

fn warning(requirement: Requirement, text: String) -> serde_json::Value {
    serde_json::json!({ "requirement": requirement.as_str(), "text": text })
}

/// `POST /mail/check`: the rules the message would break as written, in the user's
/// language, and whom it goes to by name (ID-4); nothing is sent or counted.
pub async fn check(
    State(service): State<Service>,
    Posted { user, form }: Posted<CheckForm>,
) -> Response {
    let t = user.t;
    let mut warnings = Vec::new();
    if let Err(refusal) = check_subject(&form.subject, &[]) {
        warnings.push(warning(refusal.requirement, t.rule_subject.to_owned()));
    }
    let named: Vec<&str> = form
        .to
        .split(',')
        .chain(form.cc.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if named.len() > service.config().max_recipients {
        warnings.push(warning(Requirement::Ms12, t.rule_recipients.to_owned()));
    }
    for text in named {
        let Ok(address) = MailAddress::parse(text) else {
            continue;
        };
        if let Err(caduceus_service::ServiceError::Refused(refusal)) = service
            .recipient_allowed(&address, 0, RecipientScope::TrustSpace)
            .await
        {
            warnings.push(warning(
                refusal.requirement,
                format!("{text}: {}", t.rule_unknown),
            ));
            continue;
        }
        if let Some(ins) = address.patient_ins()
            && let Ok(status) = service.opposition(&user.login.caller(), &ins).await
            && status.opposed()
        {
            warnings.push(warning(
                Requirement::Ms9,
                format!("{text}: {}", t.rule_opposed),
            ));
        }
    }
    let recipients =
        match recipients_named(&service, &user, Origin::Typed, &form.to, &form.cc).await {
            Ok(recipients) => recipients,
            Err(error) => return refused(&user, error),
        };
    Json(serde_json::json!({ "warnings": warnings, "recipients": recipients })).into_response()
}

/// `?q=` typed so far.
#[derive(Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    q: String,
}

/// `GET /mail/directory?q=`: up to ten directory entries whose name matches (ID-4;
/// liste rouge entries are never suggested). Traced, as every directory lookup is.
pub async fn suggest(
    State(service): State<Service>,
    user: WebUser,
    Query(query): Query<SuggestQuery>,
) -> Response {
    let q = query.q.trim();
    if q.chars().count() < 2 {
        return Json(Vec::<serde_json::Value>::new()).into_response();
    }
    let search = SearchQuery {
        name: Some(q.to_owned()),
        ..SearchQuery::default()
    };
    let found = match service
        .find_in_directory(&user.login.caller(), &search, false)
        .await
    {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let list: Vec<_> = found
        .entries
        .iter()
        .take(10)
        .map(|listed| {
            let entry = &listed.entry;
            // Profession, specialty and place, as the directory lists them (ID-4).
            let detail = [
                entry.profession().map(|p| p.label.clone()),
                entry.specialty().map(|s| s.label.clone()),
                entry.commune().map(str::to_owned),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            serde_json::json!({
                "address": entry.address().as_str(),
                "label": format!("{} — {detail}", entry.display_name()),
            })
        })
        .collect();
    Json(list).into_response()
}

impl CsrfField for CheckForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `GET /mail/patients?q=`: the patients the user already exchanged with whose name
/// matches what was typed (issue 22), each marked "Patient"; never another patient.
/// Traced, as the service traces each search.
pub async fn patients(
    State(service): State<Service>,
    user: WebUser,
    Query(query): Query<SuggestQuery>,
) -> Response {
    let own = user.login.account().id;
    let found = match service
        .known_patients(&user.login.caller(), own, &query.q)
        .await
    {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let list: Vec<_> = found
        .iter()
        .map(|patient| {
            serde_json::json!({
                "address": patient.address.as_str(),
                "label": format!("{} — {}", patient.name, user.t.boxes.patient),
            })
        })
        .collect();
    Json(list).into_response()
}
