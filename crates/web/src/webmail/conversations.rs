//! Conversations in the webmail (MS-6, issue 22): the mailbox's messages threaded by
//! the service (`caduceus_service::conversations`), grouped by the patient they
//! concern when one is known; a conversation's page shows its messages in the order
//! written, each read (traced, TR-1) and shown as text.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use caduceus_service::Service;
use caduceus_service::conversations::Patient;
use caduceus_service::listing::Listed;
use caduceus_service::model::MessageId;

use super::mail::refused;
use super::names::{self, Named};
use super::{Layout, WebUser, dates, layout_page, page};

/// The conversations a page lists.
const PER_PAGE: usize = 50;

/// A conversation's line.
pub struct Line {
    /// Its newest message, whose page of the conversation the line opens.
    last: i64,
    subject: String,
    /// Who wrote in it, by name (ID-4).
    correspondents: Vec<Named>,
    count: usize,
    date: String,
    datetime: String,
}

/// A patient's conversations (or those naming none).
pub struct Group {
    /// The heading: the patient, or "no patient named".
    heading: String,
    lines: Vec<Line>,
}

#[derive(Template)]
#[template(path = "conversations.html")]
struct ConversationsPage {
    layout: Layout,
    groups: Vec<Group>,
    /// Page `page` of `pages`, and the links to the pages around it.
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

/// `?page=` (from 1).
#[derive(serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<usize>,
}

layout_page!(ConversationsPage);

/// A message of a conversation's page.
pub struct Entry {
    id: i64,
    folder: String,
    from: Vec<Named>,
    to: Vec<Named>,
    date: String,
    text: String,
}

#[derive(Template)]
#[template(path = "conversation.html")]
struct ConversationPage {
    layout: Layout,
    subject: String,
    /// The patient it concerns, as the heading names them.
    concerning: Option<String>,
    entries: Vec<Entry>,
}

layout_page!(ConversationPage);

/// How a patient is named in a heading: their name, else their INS.
fn named(user: &WebUser, patient: Option<&Patient>) -> String {
    let boxes = user.t.boxes;
    match patient {
        Some(p) => format!(
            "{}{} {}",
            boxes.patient,
            user.t.colon,
            p.name.as_deref().unwrap_or(&p.ins)
        ),
        None => boxes.no_patient.to_owned(),
    }
}

/// A message's subject, or the words for none.
fn subject_of(user: &WebUser, listed: &Listed) -> String {
    let subject = listed.message.meta().subject.clone();
    subject.unwrap_or_else(|| user.t.no_subject.to_owned())
}

/// `GET /mail/conversations`.
pub async fn list(
    State(service): State<Service>,
    user: WebUser,
    Query(query): Query<PageQuery>,
) -> Response {
    let found = async {
        let access = user.mailbox(&service).await?;
        let page = query.page.unwrap_or(1);
        service.conversations(&access, page, PER_PAGE).await
    };
    let found = match found.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let (shown, pages, groups) = (found.page, found.pages, found.groups);
    let senders = groups
        .iter()
        .flat_map(|g| &g.conversations)
        .flat_map(|c| &c.messages)
        .map(|m| m.message.meta().from.as_slice());
    let people = match service.people(&names::addresses(senders)).await {
        Ok(people) => people,
        Err(error) => return refused(&user, error),
    };
    let link = |to: usize| format!("{}/conversations?page={to}", user.base());
    let now = service.now();
    let groups = groups
        .iter()
        .map(|group| Group {
            heading: named(&user, group.patient.as_ref()),
            lines: group
                .conversations
                .iter()
                .filter_map(|c| {
                    let (first, last) = (c.messages.first()?, c.messages.last()?);
                    let mut correspondents: Vec<Named> = Vec::new();
                    for m in &c.messages {
                        for who in names::named(&m.message.meta().from, &people) {
                            if !correspondents.iter().any(|c| c.address == who.address) {
                                correspondents.push(who);
                            }
                        }
                    }
                    let meta = last.message.meta();
                    let written =
                        dates::written(meta.date.as_deref(), last.message.summary.internal);
                    Some(Line {
                        last: last.message.summary.id.0,
                        subject: subject_of(&user, first),
                        correspondents,
                        count: c.messages.len(),
                        date: dates::short(user.t, user.zone, written, now),
                        datetime: written.to_string(),
                    })
                })
                .collect(),
        })
        .collect();
    let view = ConversationsPage {
        layout: Layout::of(&user),
        groups,
        page: shown,
        pages,
        previous: (shown > 1).then(|| link(shown - 1)),
        next: (shown < pages).then(|| link(shown + 1)),
    };
    page(view.render())
}

/// `GET /mail/conversation/{id}`: the conversation of message `id`, each message
/// read (TR-1), in the order written.
pub async fn show(State(service): State<Service>, user: WebUser, Path(id): Path<i64>) -> Response {
    let found = async {
        let access = user.mailbox(&service).await?;
        service.conversation(&access, MessageId(id)).await
    };
    let (patient, messages) = match found.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let lists = messages
        .iter()
        .flat_map(|m| [m.message.meta().from.as_slice(), &m.message.meta().to]);
    let people = match service.people(&names::addresses(lists)).await {
        Ok(people) => people,
        Err(error) => return refused(&user, error),
    };
    let t = user.t;
    let entries = messages
        .iter()
        .map(|m| {
            let meta = m.message.meta();
            let written = dates::written(meta.date.as_deref(), m.message.summary.internal);
            let parsed = m.message.parsed();
            Entry {
                id: m.message.summary.id.0,
                folder: t.folder(&m.folder.name).to_owned(),
                from: names::named(&meta.from, &people),
                to: names::named(&meta.to, &people),
                date: dates::full(t, user.zone, written),
                text: parsed
                    .as_ref()
                    .and_then(|p| p.body_text(0))
                    .map(|b| b.into_owned())
                    .unwrap_or_default(),
            }
        })
        .collect();
    let view = ConversationPage {
        layout: Layout::of(&user),
        subject: messages
            .first()
            .map(|m| subject_of(&user, m))
            .unwrap_or_default(),
        concerning: patient.as_ref().map(|p| named(&user, Some(p))),
        entries,
    };
    page(view.render())
}
