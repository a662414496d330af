//! Folders and messages in the webmail: a folder's list (metadata computed at
//! ingest, no body opened; the opening traced), a message read (traced, TR-1) — its
//! HTML in a sandboxed frame ([`super::letter`]), its text — its attachments, images
//! previewed, PDFs opened inline (MS-1).
//! Moving and deleting are [`super::filing`]'s.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::display::InlineType;
use caduceus_core::personal::{PERSONAL_KEYWORD, is_personal};
use caduceus_service::Service;
use caduceus_service::display::declared_type;
use caduceus_service::drafts::DRAFT_FLAG;
use caduceus_service::ingest::MetaAddress;
use caduceus_service::listing::{Direction, Listing, Scope, SortKey};
use caduceus_service::model::MessageId;
use caduceus_service::signatures::Signature;
use serde::Deserialize;

use super::i18n::Texts;
use super::letter::Shown;
use super::names::{self, Named};
use super::{CsrfField, Posted, WebUser, dates, page};
use super::{Layout, layout_page};

/// The messages a folder page lists.
const PER_PAGE: usize = 50;

/// A folder link.
pub struct FolderLink {
    name: String,
    label: String,
    unseen: usize,
}

/// A row of the list.
pub struct Row {
    id: i64,
    /// The folder holding it, shown in a search across folders.
    folder: String,
    seen: bool,
    /// Flagged for follow-up (MS-6).
    flagged: bool,
    /// Who wrote it, or for a sent message whom it went to (ID-4).
    correspondent: Vec<Named>,
    subject: String,
    /// When it was written (its `Date:`), as the list shows it, in full, and for
    /// machines (RFC 3339, UTC).
    date: String,
    date_full: String,
    datetime: String,
    attachments: usize,
    personal: bool,
    /// A draft, opened into the compose form to continue it (issue 22).
    draft: bool,
}

#[derive(Template)]
#[template(path = "folder.html")]
struct FolderPage {
    layout: Layout,
    folders: Vec<FolderLink>,
    folder: String,
    folder_label: String,
    query: String,
    rows: Vec<Row>,
    total: usize,
    /// The column headings, each a link sorting by it (MS-6).
    columns: Vec<Column>,
    /// Page `page` of `pages`, and the links to the pages around it.
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
    /// Whether the search looks in this folder only (else in every folder).
    here: bool,
    /// Whether the rows come from every folder (their folder is shown).
    across: bool,
    /// Whether the folder is marked personal (MS-14).
    personal: bool,
    /// Whether the user may mark it personal (a folder of their own making).
    markable: bool,
}

layout_page!(FolderPage);

/// A sortable column's heading.
pub struct Column {
    label: &'static str,
    /// The list sorted by this column: the other way when it is the current one.
    href: String,
    /// `aria-sort`: `ascending`, `descending` or `none`.
    sorted: &'static str,
    /// The CSS class of the cell (the date's).
    class: &'static str,
}

/// `?q=` (search), `?here=on` (in this folder only), `?sort=` and `?dir=` (order),
/// `?page=` (from 1) and `?done=` (what just happened, for the notice).
#[derive(Deserialize)]
pub struct FolderQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    here: Option<String>,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    done: String,
}

impl FolderQuery {
    /// The folder's URL (under `base`) with this search and `sort`, `direction` and `page`.
    fn href(
        &self,
        base: &str,
        folder: &str,
        sort: SortKey,
        direction: Direction,
        page: usize,
    ) -> String {
        let mut href = format!("{base}/folder/{}?", path_segment(folder));
        if !self.q.trim().is_empty() {
            href.push_str(&format!("q={}&", path_segment(self.q.trim())));
            if self.here.is_some() {
                href.push_str("here=on&");
            }
        }
        let (sort, dir) = (sort.as_str(), direction.as_str());
        href + &format!("sort={sort}&dir={dir}&page={page}")
    }
}

/// How an address list reads: names when known.
pub fn people(list: &[MetaAddress]) -> String {
    list.iter()
        .map(|a| match (&a.name, &a.address) {
            (Some(name), Some(address)) => format!("{name} <{address}>"),
            (None, Some(address)) => address.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A page showing `error`, with `status`.
pub(crate) fn error_page(
    user: &WebUser,
    error: impl std::fmt::Display,
    status: StatusCode,
) -> Response {
    let view = FolderPage {
        layout: Layout {
            flash: None,
            error: Some(error.to_string()),
            ..Layout::of(user)
        },
        folders: Vec::new(),
        folder: String::new(),
        folder_label: String::new(),
        query: String::new(),
        rows: Vec::new(),
        total: 0,
        columns: Vec::new(),
        page: 1,
        pages: 1,
        previous: None,
        next: None,
        here: false,
        across: false,
        personal: false,
        markable: false,
    };
    (status, page(view.render())).into_response()
}

/// The answer to a service refusal, as a page saying in plain words what happened
/// and what to do (the wording is [`super::i18n::refusals`]'s); a refusal until the
/// terms of use are accepted (IN-1) sends the browser to them.
pub fn refused(user: &WebUser, error: caduceus_service::ServiceError) -> Response {
    if terms_first(&error) {
        return Redirect::to(super::terms::PATH).into_response();
    }
    let problem = crate::api::problem::Problem::from(error);
    error_page(user, user.t.refusals.say(&problem), problem.status())
}

/// Whether `error` asks for the terms of use to be accepted first (IN-1).
pub(crate) fn terms_first(error: &caduceus_service::ServiceError) -> bool {
    matches!(error, caduceus_service::ServiceError::Refused(r) if r.requirement == caduceus_core::Requirement::In1)
}

/// `GET /mail/folder/{name}`.
pub async fn folder(
    State(service): State<Service>,
    user: WebUser,
    Path(name): Path<String>,
    Query(query): Query<FolderQuery>,
) -> Response {
    match folder_view(&service, &user, &name, query).await {
        Ok(view) => page(view.render()),
        Err(error) => refused(&user, error),
    }
}

async fn folder_view(
    service: &Service,
    user: &WebUser,
    name: &str,
    query: FolderQuery,
) -> Result<FolderPage, caduceus_service::ServiceError> {
    let t = user.t;
    let access = user.mailbox(service).await?;
    let mut folders = Vec::new();
    for f in service.mailboxes(&access).await? {
        let (_, messages) = service.folder_state(&access, f.id).await?;
        let unseen = messages
            .iter()
            .filter(|m| !m.flags.iter().any(|f| f.eq_ignore_ascii_case("\\Seen")))
            .count();
        folders.push(FolderLink {
            label: t.folder(&f.name).to_owned(),
            name: f.name,
            unseen,
        });
    }
    let sort = SortKey::parse(&query.sort).unwrap_or_default();
    let direction = Direction::parse(&query.dir).unwrap_or_default();
    let search = query.q.trim().to_owned();
    let across = !search.is_empty() && query.here.is_none();
    let listing = Listing {
        scope: if across {
            Scope::AllFolders
        } else {
            Scope::Folder(name.to_owned())
        },
        search,
        sort,
        direction,
        page: query.page.unwrap_or(1),
        per_page: PER_PAGE,
    };
    // The folder first: a name that is not one of the user's is "not found", even
    // for a search that would look in every folder.
    let mailbox = service
        .find_folder(&access, name)
        .await?
        .ok_or_else(|| caduceus_service::ServiceError::NotFound(format!("folder {name:?}")))?;
    let listed = service.list_messages(&access, &listing).await?;
    let personal = service.is_personal_folder(&access, mailbox.id).await?;
    let now = service.now();
    let base = user.base();
    let people = service
        .people(&names::addresses(listed.messages.iter().map(shown)))
        .await?;
    let rows = listed
        .messages
        .iter()
        .map(|listed| {
            let m = &listed.message;
            let written = dates::written(m.meta().date.as_deref(), m.summary.internal);
            Row {
                id: m.summary.id.0,
                folder: t.folder(&listed.folder.name).to_owned(),
                seen: m
                    .summary
                    .flags
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case("\\Seen")),
                flagged: is_flagged(&m.summary.flags),
                correspondent: names::named(shown(listed), &people),
                subject: m
                    .meta()
                    .subject
                    .clone()
                    .unwrap_or_else(|| t.no_subject.to_owned()),
                date: dates::short(t, user.zone, written, now),
                date_full: dates::full(t, user.zone, written),
                datetime: written.to_string(),
                attachments: m.meta().attachments,
                personal: is_personal(&m.summary.flags, personal),
                draft: listed.folder.special_use.as_deref() == Some("\\Drafts")
                    && m.summary.flags.iter().any(|f| f == DRAFT_FLAG),
            }
        })
        .collect();
    let columns = [
        (SortKey::Sender, t.correspondent, ""),
        (SortKey::Subject, t.subject, ""),
        (SortKey::Date, t.date, "date"),
    ]
    .into_iter()
    .map(|(key, label, class)| {
        let current = key == sort;
        // A new column starts A to Z, or newest first for the date.
        let first = if key == SortKey::Date {
            Direction::Descending
        } else {
            Direction::Ascending
        };
        let to = if current { direction.reversed() } else { first };
        Column {
            label,
            href: query.href(&base, &mailbox.name, key, to, 1),
            sorted: match (current, direction) {
                (false, _) => "none",
                (true, Direction::Ascending) => "ascending",
                (true, Direction::Descending) => "descending",
            },
            class,
        }
    })
    .collect();
    let (page, pages, total) = (listed.page, listed.pages, listed.total);
    let link = |to: usize| query.href(&base, &mailbox.name, sort, direction, to);
    let previous = (page > 1).then(|| link(page - 1));
    let next = (page < pages).then(|| link(page + 1));
    let flash = match query.done.as_str() {
        "sent" => Some(t.sent),
        "deleted" => Some(t.deleted),
        "moved" => Some(t.moved),
        "trashed" => Some(t.trashed),
        _ => None,
    };
    let markable = mailbox.special_use.is_none() && !mailbox.name.eq_ignore_ascii_case("INBOX");
    Ok(FolderPage {
        markable,
        layout: Layout {
            flash,
            ..Layout::of(user)
        },
        folders,
        folder_label: t.folder(&mailbox.name).to_owned(),
        folder: mailbox.name,
        here: query.here.is_some(),
        query: query.q,
        rows,
        total,
        columns,
        page,
        pages,
        previous,
        next,
        across,
        personal,
    })
}

/// Whether `part` is one the letter's HTML shows by its `Content-ID` (an inline
/// image of `multipart/related`), not an attachment of its own.
fn shown_in_letter(part: &mail_parser::MessagePart<'_>) -> bool {
    use mail_parser::MimeHeaders;
    part.content_id().is_some()
        && !part
            .content_disposition()
            .is_some_and(|d| d.is_attachment())
}

/// Whom a row of the list names: the recipients of a sent message, else its sender.
fn shown(listed: &caduceus_service::listing::Listed) -> &[MetaAddress] {
    let meta = listed.message.meta();
    if listed.folder.special_use.as_deref() == Some("\\Sent") {
        &meta.to
    } else {
        &meta.from
    }
}

/// An attachment's line.
pub struct AttachmentLink {
    index: usize,
    name: String,
    size: String,
    /// Shown in the page (an image) or opened inline (a PDF) (MS-1).
    preview: Preview,
}

/// How an attachment may be seen besides its download (MS-1).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    /// An image, shown in the page.
    Image,
    /// A PDF, opened inline in the browser.
    Document,
    /// Only downloaded.
    None,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    layout: Layout,
    id: i64,
    folder: String,
    folder_label: String,
    subject: String,
    /// The people of its headers, by name (ID-4).
    from: Vec<Named>,
    to: Vec<Named>,
    cc: Vec<Named>,
    date: String,
    text: String,
    /// Written in HTML: shown in its sandboxed frame, the text folded under it (MS-1).
    html: bool,
    attachments: Vec<AttachmentLink>,
    /// Marked personal (MS-14), by its keyword or its folder.
    personal: bool,
    /// Personal by its folder: the message's own mark cannot undo it.
    personal_folder: bool,
    /// Whether it is in Trash (deleting it there is for good, once confirmed).
    in_trash: bool,
    /// The other folders it may be moved to: name, label.
    elsewhere: Vec<(String, String)>,
    /// Enveloped (S/MIME): only the reader's client opens it (MS-3).
    enveloped: bool,
    /// Its signature's standing, said in words: (holds, the sentence) (MS-16).
    signature: Option<(bool, String)>,
    /// Flagged for follow-up (`\\Flagged`, MS-6).
    flagged: bool,
}

layout_page!(MessagePage);

/// A signature's standing in words: who signed and whether to trust it (MS-16).
fn signature_line(t: &Texts, signature: &Signature) -> (bool, String) {
    let words = t.security;
    let signer = signature
        .signer
        .as_ref()
        .map_or(words.unnamed, |a| a.as_str());
    let standing = match (signature.valid, signature.verified_account) {
        (false, _) => words.invalid,
        (true, true) => words.valid_verified,
        (true, false) => words.valid_unknown,
    };
    (
        signature.valid && signature.verified_account,
        format!("{} {signer} — {standing}", words.signed_by),
    )
}

/// Whether `flags` hold `\\Flagged` (any case).
fn is_flagged(flags: &[String]) -> bool {
    flags.iter().any(|f| f.eq_ignore_ascii_case("\\Flagged"))
}

fn size(bytes: usize) -> String {
    match bytes {
        0..1024 => format!("{bytes} o"),
        1024..1_048_576 => format!("{} Kio", bytes / 1024),
        _ => format!("{:.1} Mio", bytes as f64 / 1_048_576.0),
    }
}

/// `GET /mail/message/{id}`: reads the message (traced, TR-1) and marks it seen.
pub async fn message(
    State(service): State<Service>,
    user: WebUser,
    Path(id): Path<i64>,
) -> Response {
    let t = user.t;
    let shown = async {
        let access = user.mailbox(&service).await?;
        let message = service.read_message(&access, MessageId(id)).await?;
        if !message
            .summary
            .flags
            .iter()
            .any(|f| f.eq_ignore_ascii_case("\\Seen"))
        {
            let mut flags = message.summary.flags.clone();
            flags.push("\\Seen".to_owned());
            service
                .set_flags(&access, message.summary.id, &flags)
                .await?;
        }
        let mailboxes = service.mailboxes(&access).await?;
        let personal_folder = service
            .is_personal_folder(&access, message.summary.mailbox)
            .await?;
        let signature = service.signature(&message).await?;
        let meta = message.meta();
        let lists = [&meta.from, &meta.to, &meta.cc].map(Vec::as_slice);
        let people = service.people(&names::addresses(lists)).await?;
        Ok::<_, caduceus_service::ServiceError>((
            message,
            mailboxes,
            personal_folder,
            signature,
            people,
        ))
    };
    let (message, mailboxes, personal_folder, signature, people) = match shown.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let parsed = message.parsed();
    let text = parsed
        .as_ref()
        .and_then(|m| m.body_text(0))
        .map(|t| t.into_owned())
        .unwrap_or_default();
    let html = parsed.as_ref().is_some_and(|m| {
        m.html_body
            .iter()
            .any(|&i| m.part(i).is_some_and(|p| p.is_text_html()))
    });
    let attachments = parsed
        .iter()
        .flat_map(|m| m.attachments())
        .enumerate()
        // An image the letter's HTML shows by its Content-ID is in the frame already.
        .filter(|(_, part)| !(html && shown_in_letter(part)))
        .map(|(index, part)| AttachmentLink {
            index,
            name: mail_parser::MimeHeaders::attachment_name(part)
                .unwrap_or("attachment")
                .to_owned(),
            size: size(part.contents().len()),
            preview: match declared_type(part).and_then(|d| InlineType::of(&d)) {
                Some(kind) if kind.is_image() => Preview::Image,
                Some(_) => Preview::Document,
                None => Preview::None,
            },
        })
        .collect();
    let meta = message.meta();
    let here = mailboxes.iter().find(|f| f.id == message.summary.mailbox);
    let folder = here.map(|f| f.name.clone()).unwrap_or_default();
    let in_trash = here.is_some_and(|f| f.special_use.as_deref() == Some("\\Trash"));
    let elsewhere = mailboxes
        .iter()
        .filter(|f| f.id != message.summary.mailbox)
        .map(|f| (f.name.clone(), t.folder(&f.name).to_owned()))
        .collect();
    let view = MessagePage {
        layout: Layout::of(&user),
        id,
        folder_label: t.folder(&folder).to_owned(),
        folder,
        subject: meta
            .subject
            .clone()
            .unwrap_or_else(|| t.no_subject.to_owned()),
        from: names::named(&meta.from, &people),
        to: names::named(&meta.to, &people),
        cc: names::named(&meta.cc, &people),
        date: dates::full(
            user.t,
            user.zone,
            dates::written(meta.date.as_deref(), message.summary.internal),
        ),
        text,
        html,
        attachments,
        personal: is_personal(&message.summary.flags, personal_folder),
        personal_folder,
        in_trash,
        elsewhere,
        enveloped: meta.enveloped,
        signature: signature.as_ref().map(|s| signature_line(t, s)),
        flagged: is_flagged(&message.summary.flags),
    };
    page(view.render())
}

/// `GET /mail/message/{id}/attachment/{index}`: the download (a read, TR-1).
pub async fn attachment(
    State(service): State<Service>,
    user: WebUser,
    Path((id, index)): Path<(i64, usize)>,
) -> Response {
    super::letter::attachment(&service, &user, id, index, Shown::Download).await
}

/// The personal-marking forms: on or off (MS-14).
#[derive(Deserialize)]
pub struct PersonalForm {
    csrf: String,
    personal: String,
}

impl CsrfField for PersonalForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /mail/message/{id}/personal`: sets or clears the message's `$Personal`
/// keyword (MS-14), as a mail client would.
pub async fn mark_message(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form }: Posted<PersonalForm>,
) -> Response {
    let marked = async {
        let access = user.mailbox(&service).await?;
        let summary = service.message_summary(&access, MessageId(id)).await?;
        let mut flags: Vec<String> = summary
            .flags
            .into_iter()
            .filter(|f| !f.eq_ignore_ascii_case(PERSONAL_KEYWORD))
            .collect();
        if form.personal == "on" {
            flags.push(PERSONAL_KEYWORD.to_owned());
        }
        service.set_flags(&access, MessageId(id), &flags).await?;
        Ok::<_, caduceus_service::ServiceError>(())
    };
    match marked.await {
        Ok(()) => Redirect::to(&format!("{}/message/{id}", user.base())).into_response(),
        Err(error) => refused(&user, error),
    }
}

/// `POST /mail/folder/{name}/personal`: marks a folder of the user's own making
/// personal or professional (MS-14).
pub async fn mark_folder(
    State(service): State<Service>,
    Path(name): Path<String>,
    Posted { user, form }: Posted<PersonalForm>,
) -> Response {
    let marked = async {
        let access = user.mailbox(&service).await?;
        service
            .set_folder_personal(&access, &name, form.personal == "on")
            .await
    };
    match marked.await {
        Ok(()) => {
            let to = format!("{}/folder/{}", user.base(), path_segment(&name));
            Redirect::to(&to).into_response()
        }
        Err(error) => refused(&user, error),
    }
}

/// `text` percent-encoded for one path segment or query value (RFC 3986 unreserved
/// bytes kept).
pub(crate) fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
