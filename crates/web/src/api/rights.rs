//! The holder's rights over their own account through the API (AC-3, ID-4, RT-2,
//! RT-4): their directory choices, a request to correct their identity data, the
//! account's own data as JSON, closing the account. The service checks that each is
//! asked by the holder ([`caduceus_service::rights`]).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use caduceus_core::Requirement;
use caduceus_service::Service;
use caduceus_service::model::DirectoryPreferences;
use caduceus_service::rights::AccountData;
use serde::Deserialize;
use serde_json::{Value, json};

use super::login::User;
use super::problem::{ApiResult, Problem};

/// `PUT /account/directory`: the holder's directory choices (ID-4).
#[derive(Deserialize)]
pub struct Choices {
    liste_rouge: bool,
    phone_consent: bool,
}

/// `GET /account/directory`: the holder's directory choices (ID-4, AC-3).
pub async fn directory(State(service): State<Service>, user: User) -> ApiResult<Json<Value>> {
    let account = user.login.account().id;
    let chosen = service
        .directory_preferences(&user.login.caller(), account)
        .await?;
    Ok(Json(json!({
        "liste_rouge": chosen.liste_rouge,
        "phone_consent": chosen.phone_consent,
    })))
}

/// `PUT /account/directory`: hides the holder from the directory (liste rouge) or
/// lists them again, shows their phone or not (ID-4, AC-3); traced.
pub async fn set_directory(
    State(service): State<Service>,
    user: User,
    Json(choices): Json<Choices>,
) -> ApiResult<StatusCode> {
    let preferences = DirectoryPreferences {
        liste_rouge: choices.liste_rouge,
        phone_consent: choices.phone_consent,
    };
    let account = user.login.account().id;
    service
        .set_directory_preferences(&user.login.caller(), account, preferences)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /account/corrections`: what the holder says is wrong in their identity data.
#[derive(Deserialize)]
pub struct Correction {
    what: String,
}

/// `POST /account/corrections`: a request to the registration authority to correct
/// the holder's identity data (AC-3); traced.
pub async fn request_correction(
    State(service): State<Service>,
    user: User,
    Json(correction): Json<Correction>,
) -> ApiResult<impl IntoResponse> {
    let account = user.login.account().id;
    let request = service
        .request_correction(&user.login.caller(), account, &correction.what)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": request.id, "requested": request.requested.rfc5322() })),
    ))
}

/// `GET /account/corrections`: the holder's correction requests (AC-3).
pub async fn corrections(State(service): State<Service>, user: User) -> ApiResult<Json<Value>> {
    let account = user.login.account().id;
    let requests = service
        .correction_requests(&user.login.caller(), account)
        .await?;
    let list: Vec<_> = requests
        .iter()
        .map(|r| json!({ "id": r.id, "what": r.what, "requested": r.requested.rfc5322() }))
        .collect();
    Ok(Json(json!({ "corrections": list })))
}

/// The account's own data as JSON (AC-3, RT-4): identity, devices (never their
/// secrets), contacts, directory choices, correction requests, the holder's traces.
pub fn account_data_json(data: &AccountData) -> Value {
    let account = &data.account;
    let devices: Vec<_> = data
        .devices
        .iter()
        .map(|d| {
            json!({
                "id": d.id.0,
                "name": d.name,
                "created": d.created.rfc5322(),
                "last_used": d.last_used.map(|t| t.rfc5322()),
                "revoked": d.revoked.map(|t| t.rfc5322()),
            })
        })
        .collect();
    // Names and dates; the public key and the credential id stay out (AU-1).
    let passkeys: Vec<_> = data
        .passkeys
        .iter()
        .map(|p| {
            json!({
                "id": p.id.0,
                "name": p.name,
                "kind": p.kind.as_str(),
                "created": p.created.rfc5322(),
                "last_used": p.last_used.map(|t| t.rfc5322()),
                "revoked": p.revoked.map(|t| t.rfc5322()),
            })
        })
        .collect();
    let corrections: Vec<_> = data
        .corrections
        .iter()
        .map(|r| json!({ "what": r.what, "requested": r.requested.rfc5322() }))
        .collect();
    let traces: Vec<_> = data
        .traces
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq,
                "at": caduceus_core::Timestamp::from_millis(e.at_ms).rfc5322(),
                "action": e.action,
                "object": e.object,
                "acting_for": e.acting_for,
                "source": e.source,
                "outcome": e.outcome,
                "detail": e.detail,
            })
        })
        .collect();
    json!({
        "identity": {
            "address": account.address.as_str(),
            "name": account.display_name,
            "kind": account.kind.as_str(),
            "state": account.state.as_str(),
            "registry": account.identity.registry(),
            "identifier": account.identity.stored_value(),
            "created": account.created.rfc5322(),
        },
        "contacts": {
            "email": data.contacts.email.as_ref().map(|a| a.as_str()),
            "phone": data.contacts.phone.as_ref().map(|p| p.as_str()),
            "new_mail_notices": data.contacts.new_mail,
        },
        "directory": {
            "liste_rouge": data.directory.liste_rouge,
            "phone_consent": data.directory.phone_consent,
        },
        "devices": devices,
        "passkeys": passkeys,
        "corrections": corrections,
        "traces": traces,
    })
}

/// `GET /account/data`: the account's own data (AC-3, RT-4), beside the mail export
/// (`GET /export`); traced.
pub async fn data(State(service): State<Service>, user: User) -> ApiResult<impl IntoResponse> {
    let account = user.login.account().id;
    let data = service.account_data(&user.login.caller(), account).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(account_data_json(&data)),
    ))
}

/// `POST /account/close`: the holder's confirmation.
#[derive(Deserialize)]
pub struct Closing {
    confirm: bool,
    /// A patient asks for their data to be deleted at once rather than kept ten years
    /// (RT-2, seed 003 §4).
    #[serde(default)]
    erase: bool,
}

/// `POST /account/close`: closes the holder's own account (AC-3, RT-2), as the
/// operator's closure does; `confirm` must be true (export first: `GET /account/data`
/// and `GET /export`); a patient's `erase` deletes the data at once instead of keeping
/// it for the patient retention (RT-2, seed 003 §4). Answers whether the data is
/// already deleted.
pub async fn close(
    State(service): State<Service>,
    user: User,
    Json(closing): Json<Closing>,
) -> ApiResult<Json<Value>> {
    if !closing.confirm {
        return Err(Problem::bad_request(
            "confirm the closure with \"confirm\": true (export your data first)",
        )
        .requirement(Requirement::Rt2));
    }
    let account = user.login.account().id;
    let caller = user.login.caller();
    let deleted = if closing.erase {
        service.erase_own_account(&caller, account).await?
    } else {
        service.close_own_account(&caller, account).await?
    };
    Ok(Json(json!({ "closed": true, "deleted": deleted })))
}
