//! The holder's rights over their own account in the webmail (AC-3, ID-4, RT-2,
//! RT-4), beside the settings: directory choices (liste rouge, phone shown), a request
//! to correct their identity data, the account's own data (JSON), and closing the
//! account after a confirmation page that offers both exports first. The service
//! checks that each is asked by the holder ([`caduceus_service::rights`]).

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_service::Service;
use caduceus_service::model::DirectoryPreferences;
use serde::Deserialize;

use super::mail::refused;
use super::{CsrfField, Layout, Posted, WebUser, layout_page, page};

/// The directory choices form: a box present (`on`) when ticked.
#[derive(Deserialize)]
pub struct DirectoryForm {
    csrf: String,
    #[serde(default)]
    liste_rouge: Option<String>,
    #[serde(default)]
    phone_consent: Option<String>,
}

/// `POST /mail/settings/directory`: the liste rouge and the phone shown (ID-4,
/// AC-3); traced.
pub async fn directory(
    State(service): State<Service>,
    Posted { user, form }: Posted<DirectoryForm>,
) -> Response {
    let preferences = DirectoryPreferences {
        liste_rouge: form.liste_rouge.is_some(),
        phone_consent: form.phone_consent.is_some(),
    };
    let account = user.login.account().id;
    match service
        .set_directory_preferences(&user.login.caller(), account, preferences)
        .await
    {
        Ok(()) => Redirect::to(&format!("{}/settings#rights", user.base())).into_response(),
        Err(error) => refused(&user, error),
    }
}

/// The correction form: what is wrong and how it should read.
#[derive(Deserialize)]
pub struct CorrectionForm {
    csrf: String,
    what: String,
}

/// `POST /mail/settings/correction`: a request to the registration authority to
/// correct the holder's identity data (AC-3); traced.
pub async fn correction(
    State(service): State<Service>,
    Posted { user, form }: Posted<CorrectionForm>,
) -> Response {
    let account = user.login.account().id;
    match service
        .request_correction(&user.login.caller(), account, &form.what)
        .await
    {
        Ok(_) => Redirect::to(&format!("{}/settings#rights", user.base())).into_response(),
        Err(error) => {
            let correction = form.what.clone();
            let typed = super::settings::Typed {
                correction,
                ..Default::default()
            };
            super::settings::refused_with(&service, &user, error, typed).await
        }
    }
}

/// `GET /mail/account-data`: the account's own data as a JSON file (AC-3, RT-4);
/// traced.
pub async fn account_data(State(service): State<Service>, user: WebUser) -> Response {
    let account = user.login.account().id;
    match service.account_data(&user.login.caller(), account).await {
        Ok(data) => (
            [(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"account-data.json\"",
            )],
            Json(crate::api::rights::account_data_json(&data)),
        )
            .into_response(),
        Err(error) => refused(&user, error),
    }
}

#[derive(Template)]
#[template(path = "close.html")]
struct ClosePage {
    layout: Layout,
    /// Whether the account was just closed (the page then only says so).
    closed: bool,
}

layout_page!(ClosePage);

/// `GET /mail/settings/close`: what closing means, both exports offered first, and
/// the confirmation (RT-2, AC-3).
pub async fn close_form(user: WebUser) -> Response {
    page(
        ClosePage {
            layout: Layout::of(&user),
            closed: false,
        }
        .render(),
    )
}

/// The closing form: the box saying the holder understood.
#[derive(Deserialize)]
pub struct CloseForm {
    csrf: String,
    #[serde(default)]
    confirm: Option<String>,
    /// A patient asks for their data to be deleted at once (RT-2, seed 003 §4).
    #[serde(default)]
    erase: Option<String>,
}

/// `POST /mail/settings/close`: closes the holder's own account once confirmed, as
/// the operator's closure does (RT-2, AC-3), or, for a patient who ticks it, deletes
/// their data at once (seed 003 §4); the session cookie is dropped.
pub async fn close(
    State(service): State<Service>,
    Posted { user, form }: Posted<CloseForm>,
) -> Response {
    if form.confirm.is_none() {
        let unconfirmed = user.t.close_unconfirmed;
        return super::mail::error_page(&user, unconfirmed, StatusCode::BAD_REQUEST);
    }
    let (account, caller) = (user.login.account().id, user.login.caller());
    let closed = if form.erase.is_some() {
        service.erase_own_account(&caller, account).await
    } else {
        service.close_own_account(&caller, account).await
    };
    match closed {
        Ok(_) => {
            let mut layout = Layout::anonymous(user.t);
            layout.flash = Some(user.t.account_closed);
            let mut response = page(
                ClosePage {
                    layout,
                    closed: true,
                }
                .render(),
            );
            super::login::forget_session(&mut response);
            response
        }
        Err(error) => refused(&user, error),
    }
}

impl CsrfField for DirectoryForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CsrfField for CorrectionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CsrfField for CloseForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
