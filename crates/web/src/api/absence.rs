//! The holder's out-of-office reply (RFC 3834) and signature (MS-6, issue 22 item 12):
//! `GET`/`PUT /account/absence` and `GET`/`PUT /account/signature`. The service keeps
//! each for its holder only (AC-1), sealed, traced without its words (TR-5).

use axum::Json;
use axum::extract::State;
use caduceus_core::absence::{Absence, Language, Typed};
use caduceus_core::local_time::Zone;
use caduceus_service::Service;
use serde::Deserialize;

use super::login::User;
use super::problem::{ApiResult, Problem};

/// `PUT /account/absence`: the whole setting; an absent field takes its default
/// (off, no days, Europe/Paris, French, everyone).
#[derive(Deserialize)]
pub struct AbsenceBody {
    #[serde(default)]
    on: bool,
    start: Option<String>,
    end: Option<String>,
    zone: Option<String>,
    language: Option<String>,
    audience: Option<String>,
    subject: String,
    text: String,
}

/// `GET /account/absence`: the setting (its defaults, off, when never set).
pub async fn absence(State(service): State<Service>, user: User) -> ApiResult<Json<Absence>> {
    let (caller, id) = (user.login.caller(), user.login.account().id);
    let kept = service.absence(&caller, id, Language::French, Zone::Paris);
    Ok(Json(kept.await?))
}

/// `PUT /account/absence`: keeps the setting, refused in plain words when it cannot be
/// sent (a subject of one line, a text, the last day after the first). Traced.
pub async fn set_absence(
    State(service): State<Service>,
    user: User,
    Json(body): Json<AbsenceBody>,
) -> ApiResult<Json<Absence>> {
    let typed = Typed {
        on: body.on,
        start: body.start.as_deref().unwrap_or_default(),
        end: body.end.as_deref().unwrap_or_default(),
        zone: body.zone.as_deref().unwrap_or(Zone::Paris.name()),
        language: body
            .language
            .as_deref()
            .unwrap_or(Language::French.as_str()),
        audience: body.audience.as_deref().unwrap_or("everyone"),
        subject: &body.subject,
        text: &body.text,
    };
    let absence = typed
        .parse()
        .map_err(|e| Problem::bad_request(e.to_string()))?;
    let login = &user.login;
    service
        .set_absence(&login.caller(), login.account().id, &absence)
        .await?;
    Ok(Json(absence))
}

/// `PUT /account/signature`: the signature (empty: none).
#[derive(Deserialize)]
pub struct SignatureBody {
    signature: String,
}

/// `GET /account/signature`: the signature, empty when none.
pub async fn signature(
    State(service): State<Service>,
    user: User,
) -> ApiResult<Json<serde_json::Value>> {
    let (caller, id) = (user.login.caller(), user.login.account().id);
    let text = service.mail_signature(&caller, id);
    Ok(Json(serde_json::json!({ "signature": text.await? })))
}

/// `PUT /account/signature`: keeps the signature as it will be offered (trailing
/// blanks off), refused when longer than a few lines. Traced.
pub async fn set_signature(
    State(service): State<Service>,
    user: User,
    Json(body): Json<SignatureBody>,
) -> ApiResult<Json<serde_json::Value>> {
    let login = &user.login;
    let kept = service
        .set_mail_signature(&login.caller(), login.account().id, &body.signature)
        .await?;
    Ok(Json(serde_json::json!({ "signature": kept })))
}
