//! The admin console (`/admin`) for the operator's staff (AC-1): the registration
//! authority's queue (verify with evidence, activate; the holders' correction
//! requests, AC-3), accounts and their states,
//! directory imports and the trust list, security alerts, the trace viewer with the
//! chain's verification. Each action is made under the staff member's role, traced
//! with the person and the role; nothing here ever shows message content (AC-2), and
//! a staff caller cannot open a mailbox. Each page names the person's roles and
//! where each applies; a registration authority of one structure sees and manages
//! that structure's accounts only, as the service decides (AC-1).
//!
//! # Layout
//! - this file: the routes, the page every view renders ([`AdminPage`]), accounts,
//!   status, alerts, traces, health alerts.
//! - [`breaches`]: the security officer's breach register (TR-6).
//! - [`texts`]: the words of the pages above and of the announced patient mailboxes.

pub mod breaches;
pub mod texts;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use caduceus_core::{AccountState, Duty, Evidence, MailAddress, Scope};
use caduceus_service::health_alerts::Alert;
use caduceus_service::model::AccountId;
use caduceus_service::{Caller, Service, ServiceError};
use serde::Deserialize;

use crate::webmail::confirm;
use crate::webmail::login::CsrfForm;
use crate::webmail::mail::{error_page, terms_first};
use crate::webmail::{CsrfField, Layout, Posted, WebUser, layout_page, page};

/// The admin routes.
pub fn router() -> Router<Service> {
    Router::new()
        .route(
            "/admin",
            get(|| async { Redirect::to("/admin/accounts?state=pending") }),
        )
        .route("/admin/accounts", get(accounts))
        .route("/admin/accounts/{id}/verify", post(verify))
        .route("/admin/accounts/{id}/activate", post(activate))
        .route("/admin/accounts/{id}/suspend", post(suspend))
        .route("/admin/status", get(status))
        .route("/admin/alerts", get(alerts))
        .route("/admin/traces", get(traces))
        .route("/admin/broadcast", get(broadcasts).post(broadcast))
        .route("/admin/traces.csv", get(traces_csv))
        .route(
            "/admin/breaches",
            get(breaches::list).post(breaches::record),
        )
        .route("/admin/breaches/{id}/{step}", post(breaches::step))
        .route("/admin/announcements", get(announcements))
}

/// An account's line: no content, no secret.
pub struct AccountRow {
    id: i64,
    address: String,
    name: String,
    kind: String,
    state: String,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    heading: String,
    roles: String,
    may_accounts: bool,
    may_directory: bool,
    may_alerts: bool,
    may_traces: bool,
    may_broadcast: bool,
    may_breaches: bool,
    /// Shows the breach register and its forms (TR-6).
    breach_form: bool,
    /// The breach register's lines.
    breaches: Vec<breaches::BreachRow>,
    /// The words of the console's own pages.
    bt: &'static texts::ConsoleTexts,
    /// Shows the health alert form (MS-15).
    broadcast_form: bool,
    /// What the form holds: blank, or what was typed when the service refused it.
    alert: Alert,
    chain: Option<String>,
    chain_ok: bool,
    lines: Vec<String>,
    accounts: Vec<AccountRow>,
    /// What the table of `headers` and `rows` shows, if it needs saying.
    caption: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

layout_page!(AdminPage);

impl AdminPage {
    /// The page of `user`, their roles shown with where each applies (AC-1):
    /// `ra (structure-1750048886), auditor`.
    async fn new(service: &Service, user: &WebUser, heading: &str) -> AdminPage {
        let may = |duty| user.roles.iter().any(|r| r.may(duty));
        let grants = service
            .staff_grants(user.login.account().id)
            .await
            .unwrap_or_default();
        AdminPage {
            layout: Layout::of(user),
            heading: heading.to_owned(),
            roles: grants
                .iter()
                .map(|(role, scope)| match scope {
                    Scope::Operator => role.to_string(),
                    scope => format!("{role} ({scope})"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            may_accounts: may(Duty::ManageAccounts),
            may_directory: may(Duty::ImportDirectory),
            may_alerts: may(Duty::SeeAlerts),
            may_traces: may(Duty::ReadTraces),
            may_broadcast: may(Duty::SendHealthAlerts),
            may_breaches: may(Duty::HandleBreaches),
            breach_form: false,
            breaches: Vec::new(),
            bt: texts::texts(user),
            broadcast_form: false,
            alert: Alert::default(),
            chain: None,
            chain_ok: false,
            lines: Vec::new(),
            accounts: Vec::new(),
            caption: "",
            headers: Vec::new(),
            rows: Vec::new(),
        }
    }
}

/// The caller `user` acts as for `duty` (the service picks the role, and traces a
/// refusal, AC-1).
async fn staff(service: &Service, user: &WebUser, duty: Duty) -> Result<Caller, ServiceError> {
    service.staff_for(&user.login, duty).await
}

/// The console's answer to a refusal: a denial says the page is for the operator's
/// staff (AC-1), in the user's language; anything else as the webmail words it.
fn refused(user: &WebUser, error: ServiceError) -> Response {
    if matches!(error, ServiceError::Denied { .. }) {
        return error_page(user, user.t.not_staff, StatusCode::FORBIDDEN);
    }
    crate::webmail::mail::refused(user, error)
}

/// `?state=` filter.
#[derive(Deserialize)]
pub struct AccountsQuery {
    state: Option<String>,
}

/// `GET /admin/accounts`: accounts (address, name, kind, state), the pending ones
/// first with the verification form (ID-2).
async fn accounts(
    State(service): State<Service>,
    user: WebUser,
    Query(query): Query<AccountsQuery>,
) -> Response {
    let listed = async {
        let caller = staff(&service, &user, Duty::ManageAccounts).await?;
        let corrections = service.pending_corrections(&caller).await?;
        Ok::<_, ServiceError>((service.accounts(&caller).await?, corrections))
    };
    let (all, corrections) = match listed.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let pending_only = query.state.as_deref() == Some("pending");
    let t = user.t;
    let mut view = AdminPage::new(
        &service,
        &user,
        if pending_only { t.ra_queue } else { t.accounts },
    )
    .await;
    view.accounts = all
        .into_iter()
        .filter(|a| !pending_only || a.state == AccountState::Pending)
        .map(|a| AccountRow {
            id: a.id.0,
            address: a.address.as_str().to_owned(),
            name: a.display_name,
            kind: a.kind.as_str().to_owned(),
            state: a.state.as_str().to_owned(),
        })
        .collect();
    if view.accounts.is_empty() {
        view.lines.push("—".to_owned());
    }
    // The holders' requests to correct their identity data (AC-3).
    if !corrections.is_empty() {
        view.caption = t.corrections_pending;
        view.headers = vec![t.address, t.date, t.what];
        view.rows = corrections
            .into_iter()
            .map(|r| {
                let address = view
                    .accounts
                    .iter()
                    .find(|a| a.id == r.account.0)
                    .map_or_else(|| r.account.to_string(), |a| a.address.clone());
                vec![address, r.requested.rfc5322(), r.what]
            })
            .collect();
    }
    page(view.render())
}

/// `GET /admin/announcements`: the announced patient mailboxes, soonest opening
/// first, with when each was announced and when it opens (ID-5, seed 003 §7).
async fn announcements(State(service): State<Service>, user: WebUser) -> Response {
    let listed = async {
        let caller = staff(&service, &user, Duty::ManageAccounts).await?;
        service.announced_mailboxes(&caller).await
    };
    let announced = match listed.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let (t, bt) = (user.t, texts::texts(&user));
    let mut view = AdminPage::new(&service, &user, bt.announced).await;
    view.caption = bt.announced;
    view.headers = vec![t.address, bt.announced_on, bt.opens];
    view.rows = announced
        .into_iter()
        .map(|(account, a)| {
            let address = account.address.as_str().to_owned();
            vec![address, a.announced.rfc5322(), a.opens.rfc5322()]
        })
        .collect();
    if view.rows.is_empty() {
        view.lines.push(bt.none_announced.to_owned());
    }
    page(view.render())
}

/// The evidence the registration authority saw.
#[derive(Deserialize)]
pub struct VerifyForm {
    csrf: String,
    evidence: String,
    /// The holder's ordinary e-mail address, outside the trust space (ID-2, 004 §7.1);
    /// empty: the one already recorded.
    #[serde(default)]
    contact: String,
}

impl CsrfField for VerifyForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /admin/accounts/{id}/verify`: the verification, the contact address given
/// and the activation, in one use case ([`Service::verify_and_activate`], ID-2).
async fn verify(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form }: Posted<VerifyForm>,
) -> Response {
    let done = async {
        let evidence = Evidence::ALL
            .into_iter()
            .find(|e| e.as_str() == form.evidence)
            .ok_or_else(|| {
                ServiceError::Invalid(format!("unknown evidence {:?}", form.evidence))
            })?;
        let caller = staff(&service, &user, Duty::ManageAccounts).await?;
        let contact = Some(form.contact.trim())
            .filter(|c| !c.is_empty())
            .map(MailAddress::parse)
            .transpose()
            .map_err(|e| ServiceError::Invalid(format!("contact address: {e}")))?;
        service
            .verify_and_activate(&caller, AccountId(id), evidence, contact.as_ref())
            .await
    };
    match done.await {
        Ok(()) => Redirect::to("/admin/accounts?state=pending").into_response(),
        Err(error) => refused(&user, error),
    }
}

async fn set_state(service: &Service, user: &WebUser, id: i64, to: AccountState) -> Response {
    let done = async {
        let caller = staff(service, user, Duty::ManageAccounts).await?;
        service.set_state(&caller, AccountId(id), to).await
    };
    match done.await {
        Ok(()) => Redirect::to("/admin/accounts").into_response(),
        Err(error) => refused(user, error),
    }
}

/// `POST /admin/accounts/{id}/activate`.
async fn activate(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form: _ }: Posted<CsrfForm>,
) -> Response {
    set_state(&service, &user, id, AccountState::Active).await
}

/// The suspend form: `confirm` once the staff member confirmed.
#[derive(Deserialize)]
pub struct SuspendForm {
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
}

impl CsrfField for SuspendForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /admin/accounts/{id}/suspend`: first a page naming the account and saying
/// what suspending does, for who may suspend (AC-1); confirmed, suspends (traced).
async fn suspend(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form }: Posted<SuspendForm>,
) -> Response {
    if form.confirm.is_some() {
        return set_state(&service, &user, id, AccountState::Suspended).await;
    }
    let named = async {
        let caller = staff(&service, &user, Duty::ManageAccounts).await?;
        let accounts = service.accounts(&caller).await?;
        let account = accounts.into_iter().find(|a| a.id == AccountId(id));
        account.ok_or_else(|| ServiceError::NotFound("account".into()))
    };
    let t = user.t;
    match named.await {
        Ok(account) => confirm::ask(
            &user,
            confirm::Question {
                heading: t.confirm_suspend_title,
                subject: account.address.as_str().to_owned(),
                consequence: t.confirm_suspend_text,
                action: format!("/admin/accounts/{id}/suspend"),
                fields: Vec::new(),
                button: t.suspend,
                back: "/admin/accounts".into(),
            },
        ),
        Err(error) => refused(&user, error),
    }
}

fn at(ms: i64) -> String {
    caduceus_core::Timestamp::from_millis(ms).rfc5322()
}

/// `GET /admin/status`: the trust list's size and the directory imports (ID-4, MS-5).
async fn status(State(service): State<Service>, user: WebUser) -> Response {
    let imports = async {
        let caller = staff(&service, &user, Duty::ImportDirectory).await?;
        service.directory_imports(&caller).await
    };
    let imports = match imports.await {
        Ok(imports) => imports,
        Err(error) => return refused(&user, error),
    };
    let t = user.t;
    let mut view = AdminPage::new(&service, &user, t.status).await;
    view.lines.push(format!(
        "{}: {}",
        t.trust_list,
        service.trust_list_domains()
    ));
    view.lines.push(t.directory_imports.to_owned());
    view.headers = vec![t.when, t.actor, t.object, t.detail];
    view.rows = imports
        .into_iter()
        .map(|e| vec![at(e.at_ms), e.actor, e.object, e.detail.unwrap_or_default()])
        .collect();
    page(view.render())
}

/// `GET /admin/alerts`: lockouts and incidents (AU-3, TR-3).
async fn alerts(State(service): State<Service>, user: WebUser) -> Response {
    let found = async {
        let caller = staff(&service, &user, Duty::SeeAlerts).await?;
        service.alerts(&caller).await
    };
    let found = match found.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let t = user.t;
    let mut view = AdminPage::new(&service, &user, t.alerts).await;
    view.headers = vec![t.when, t.kind, t.object, t.detail];
    view.rows = found
        .into_iter()
        .rev()
        .map(|a| vec![a.at.rfc5322(), a.kind, a.subject, a.detail])
        .collect();
    if view.rows.is_empty() {
        view.lines.push("—".to_owned());
    }
    page(view.render())
}

/// `GET /admin/traces`: the chain's verification and the last week's entries
/// (TR-1): ids and codes, never content (TR-5).
async fn traces(State(service): State<Service>, user: WebUser) -> Response {
    let t = user.t;
    let read = async {
        let caller = staff(&service, &user, Duty::ReadTraces).await?;
        let verdict = service.verify_trace_chain(&caller).await?;
        let entries = service.recent_traces(&caller, 7, 500).await?;
        Ok::<_, ServiceError>((verdict, entries))
    };
    let (verdict, entries) = match read.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let mut view = AdminPage::new(&service, &user, t.traces).await;
    (view.chain, view.chain_ok) = match verdict {
        Some(Ok(report)) => (
            Some(format!(
                "{}: {} {} ({}–{}), {} {}",
                t.chain_ok,
                report.entries,
                t.chain_entries,
                report.first_seq,
                report.last_seq,
                report.checkpoints,
                t.chain_checkpoints
            )),
            true,
        ),
        Some(Err(tamper)) => (Some(format!("{}: {tamper}", t.chain_bad)), false),
        None => (Some(t.chain_unknown.to_owned()), false),
    };
    view.headers = vec![t.when, t.actor, t.action, t.object, t.detail];
    view.rows = entries
        .into_iter()
        .map(|e| {
            vec![
                at(e.at_ms),
                e.actor,
                format!("{} ({})", e.action, e.outcome),
                e.object,
                e.detail.unwrap_or_default(),
            ]
        })
        .collect();
    page(view.render())
}

/// `?days=` of the trace export.
#[derive(Deserialize)]
pub struct ExportQuery {
    days: Option<u64>,
}

/// The most entries one export holds.
const EXPORT_LIMIT: usize = 100_000;

/// `GET /admin/traces.csv?days=N` (N ≤ 365, default 30): the auditor's export, oldest
/// first, the same ids and codes as the viewer, personal items named `personal`
/// (MS-14). The export is itself traced.
async fn traces_csv(
    State(service): State<Service>,
    user: WebUser,
    Query(query): Query<ExportQuery>,
) -> Response {
    let days = query.days.unwrap_or(30).clamp(1, 365);
    let read = async {
        let caller = staff(&service, &user, Duty::ReadTraces).await?;
        service.recent_traces(&caller, days, EXPORT_LIMIT).await
    };
    let entries = match read.await {
        Ok(entries) => entries,
        Err(error) => return refused(&user, error),
    };
    let mut csv = String::from("seq,at,actor,acting_for,action,object,source,outcome,detail\r\n");
    for e in entries.iter().rev() {
        let fields = [
            e.seq.to_string(),
            at(e.at_ms),
            e.actor.clone(),
            e.acting_for.clone().unwrap_or_default(),
            e.action.clone(),
            e.object.clone(),
            e.source.clone().unwrap_or_default(),
            e.outcome.clone(),
            e.detail.clone().unwrap_or_default(),
        ];
        let line: Vec<String> = fields
            .iter()
            .map(|f| format!("\"{}\"", f.replace('"', "\"\"")))
            .collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"caduceus-traces.csv\"",
            ),
        ],
        csv,
    )
        .into_response()
}

/// `GET /admin/broadcast`: the health alert form, for alert senders, and the
/// broadcasts' reports (MS-15): audience codes and counts, never the text.
async fn broadcasts(State(service): State<Service>, user: WebUser) -> Response {
    let read = async {
        let caller = match staff(&service, &user, Duty::SendHealthAlerts).await {
            Ok(caller) => caller,
            Err(_) => staff(&service, &user, Duty::SeeAlerts).await?,
        };
        service.broadcasts(&caller).await
    };
    match read.await {
        Ok(reports) => page(
            broadcast_view(&service, &user, reports, None)
                .await
                .render(),
        ),
        Err(error) => refused(&user, error),
    }
}

async fn broadcast_view(
    service: &Service,
    user: &WebUser,
    reports: Vec<caduceus_service::model::Broadcast>,
    flash: Option<&'static str>,
) -> AdminPage {
    let t = user.t;
    let mut view = AdminPage::new(service, user, t.broadcast).await;
    view.layout.flash = flash;
    view.broadcast_form = view.may_broadcast;
    view.headers = vec![
        t.when,
        t.audience,
        t.targeted,
        t.reached,
        t.unreachable,
        t.state,
    ];
    view.rows = reports
        .into_iter()
        .map(|b| {
            vec![
                b.created.rfc5322(),
                b.audience,
                b.targeted.to_string(),
                format!("{} + {}", b.progress.delivered, b.progress.queued),
                b.progress.unreachable.to_string(),
                b.progress.state,
            ]
        })
        .collect();
    view
}

/// The health alert form.
#[derive(Deserialize)]
pub struct BroadcastForm {
    csrf: String,
    #[serde(default)]
    profession: String,
    #[serde(default)]
    department: String,
    subject: String,
    text: String,
}

impl CsrfField for BroadcastForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /admin/broadcast`: starts a health alert broadcast (MS-15) from the
/// sender's own address; the page then shows its report. A refusal comes back on
/// the form, in plain words, with what was typed (issue 22, journey 9).
async fn broadcast(
    State(service): State<Service>,
    Posted { user, form }: Posted<BroadcastForm>,
) -> Response {
    let alert = Alert {
        profession: form.profession,
        department: form.department,
        subject: form.subject,
        text: form.text,
    };
    let sent = async {
        service.broadcast_alert(&user.login, &alert).await?;
        let caller = staff(&service, &user, Duty::SendHealthAlerts).await?;
        service.broadcasts(&caller).await
    };
    let error = match sent.await {
        Ok(reports) => {
            let view =
                broadcast_view(&service, &user, reports, Some(user.t.broadcast_started)).await;
            return page(view.render());
        }
        Err(error) if terms_first(&error) => return refused(&user, error),
        Err(error) => crate::api::problem::Problem::from(error),
    };
    let listed = async {
        let caller = staff(&service, &user, Duty::SendHealthAlerts).await?;
        service.broadcasts(&caller).await
    };
    match listed.await {
        Ok(reports) => {
            let mut view = broadcast_view(&service, &user, reports, None).await;
            view.layout.error = Some(user.t.refusals.say(&error).to_owned());
            view.alert = alert;
            (error.status(), page(view.render())).into_response()
        }
        Err(other) => refused(&user, other),
    }
}
