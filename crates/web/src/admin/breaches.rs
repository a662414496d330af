//! The breach register in the admin console (TR-6), for the security officer: the
//! breaches with their 72-hour deadline (late ones marked), a form to record one, and
//! each breach's next steps — assess (the risk, the accounts concerned by address),
//! notify, close — through the service's breach calls, each traced there. Ids, codes
//! and dates only: no content, no name (AC-2, TR-5).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::breach::{self, Nature, Risk, Step};
use caduceus_core::local_time::parse_rfc3339;
use caduceus_core::{Duty, MailAddress};
use caduceus_service::breaches::Assessment;
use caduceus_service::{Service, ServiceError};
use serde::Deserialize;

use super::texts::texts;
use super::{AdminPage, refused, staff};
use crate::webmail::{CsrfField, Posted, WebUser, page};

/// A breach's line: codes, counts and dates, and the steps it may take next.
pub struct BreachRow {
    pub(super) id: i64,
    pub(super) nature: &'static str,
    pub(super) detected: String,
    pub(super) deadline: String,
    pub(super) overdue: bool,
    pub(super) state: &'static str,
    pub(super) risk: &'static str,
    pub(super) accounts: usize,
    pub(super) may_assess: bool,
    pub(super) may_notify: bool,
    pub(super) may_close: bool,
}

/// `GET /admin/breaches`: the register, newest first (TR-6).
pub async fn list(State(service): State<Service>, user: WebUser) -> Response {
    let read = async {
        let caller = staff(&service, &user, Duty::HandleBreaches).await?;
        service.breaches(&caller).await
    };
    let breaches = match read.await {
        Ok(found) => found,
        Err(error) => return refused(&user, error),
    };
    let bt = texts(&user);
    let mut view = AdminPage::new(&service, &user, bt.register).await;
    view.breach_form = true;
    let now = service.now();
    view.breaches = breaches
        .into_iter()
        .map(|b| {
            let may = |step| breach::next(b.state, b.risk, step).is_ok();
            BreachRow {
                id: b.id,
                nature: b.nature.as_str(),
                detected: b.detected.rfc5322(),
                deadline: breach::deadline(b.detected).rfc5322(),
                overdue: breach::overdue(b.state, b.risk, b.detected, now),
                state: b.state.as_str(),
                risk: b.risk.map_or("—", Risk::as_str),
                accounts: b.accounts.len(),
                may_assess: may(Step::Assess(Risk::High)),
                may_notify: may(Step::Notify),
                may_close: may(Step::Close),
            }
        })
        .collect();
    if view.breaches.is_empty() {
        view.lines.push(bt.none.to_owned());
    }
    page(view.render())
}

/// The register's forms: recording (`nature`, `detected`) and assessing (`risk`,
/// `accounts`); what a form does not hold stays blank.
#[derive(Deserialize)]
pub struct BreachForm {
    csrf: String,
    #[serde(default)]
    nature: String,
    #[serde(default)]
    detected: String,
    #[serde(default)]
    risk: String,
    #[serde(default)]
    accounts: String,
}

impl CsrfField for BreachForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /admin/breaches`: records a breach of a nature, detected at a time (now when
/// blank).
pub async fn record(
    State(service): State<Service>,
    Posted { user, form }: Posted<BreachForm>,
) -> Response {
    let done = async {
        let caller = staff(&service, &user, Duty::HandleBreaches).await?;
        let nature = Nature::parse(&form.nature)
            .ok_or_else(|| ServiceError::Invalid(format!("unknown nature {:?}", form.nature)))?;
        let detected = match form.detected.trim() {
            "" => service.now(),
            text => parse_rfc3339(text).ok_or_else(|| {
                ServiceError::Invalid("the detection time is not an RFC 3339 date".into())
            })?,
        };
        service.record_breach(&caller, nature, detected).await
    };
    settled(&user, done.await.map(|_| ()))
}

/// `POST /admin/breaches/{id}/{step}`: `assess` (the risk and the accounts concerned,
/// named by address, their ids recorded), `notify` (notified to the controller; the
/// people concerned informed when the risk is high), `close`.
pub async fn step(
    State(service): State<Service>,
    Path((id, step)): Path<(i64, String)>,
    Posted { user, form }: Posted<BreachForm>,
) -> Response {
    let done = async {
        let caller = staff(&service, &user, Duty::HandleBreaches).await?;
        match step.as_str() {
            "assess" => {
                let assessment = assessment(&service, &form).await?;
                service.assess_breach(&caller, id, assessment).await
            }
            "notify" => service.notify_breach(&caller, id).await.map(|_| ()),
            "close" => service.close_breach(&caller, id).await,
            other => Err(ServiceError::NotFound(format!("breach step {other:?}"))),
        }
    };
    settled(&user, done.await)
}

/// The assessment an assessing form holds.
async fn assessment(service: &Service, form: &BreachForm) -> Result<Assessment, ServiceError> {
    let risk = Risk::parse(&form.risk)
        .ok_or_else(|| ServiceError::Invalid(format!("unknown risk {:?}", form.risk)))?;
    let mut accounts = Vec::new();
    for text in form.accounts.split([',', '\n']).map(str::trim) {
        if text.is_empty() {
            continue;
        }
        let address = MailAddress::parse(text)
            .map_err(|e| ServiceError::Invalid(format!("{text:?}: {e}")))?;
        let account = service.account_by_address(&address).await?;
        let account = account.ok_or_else(|| ServiceError::NotFound(text.to_owned()))?;
        accounts.push(account.id);
    }
    Ok(Assessment {
        risk,
        accounts,
        messages: Vec::new(),
    })
}

/// Back to the register once done; the refusal's page otherwise.
fn settled(user: &WebUser, done: Result<(), ServiceError>) -> Response {
    match done {
        Ok(()) => Redirect::to("/admin/breaches").into_response(),
        Err(error) => refused(user, error),
    }
}
