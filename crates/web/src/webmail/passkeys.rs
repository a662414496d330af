//! Passkeys in the webmail (AU-1): the settings' page listing them with the paired
//! phones (register, revoke), and the login with a passkey alone or as the second
//! factor after the password. The WebAuthn
//! ceremonies run in the browser (`static/passkey.js`) against JSON routes here;
//! every rule and the ceremonies' state are the service's.

use askama::Template;
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::passkey::PasskeyKind;
use caduceus_core::{MailAddress, SecretString};
use caduceus_service::auth::passkey::{PublicKeyCredential, RegisterPublicKeyCredential};
use caduceus_service::model::PasskeyId;
use caduceus_service::{Service, ServiceError};
use serde::Deserialize;
use serde_json::json;

use super::login::{CsrfForm, cross_site, source_of};
use super::mail::refused;
use super::{Layout, Posted, WebUser, layout_page, page, texts};
use crate::api::problem::Problem;
use crate::listener::Peer;

/// A passkey's line.
pub struct PasskeyRow {
    id: i64,
    name: String,
    phone: bool,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "passkeys.html")]
struct PasskeysPage {
    layout: Layout,
    passkeys: Vec<PasskeyRow>,
}

layout_page!(PasskeysPage);

/// `GET /mail/settings/passkeys`: the account's passkeys and paired phones.
pub async fn list(State(service): State<Service>, user: WebUser, uri: Uri) -> Response {
    let account = user.login.account().id;
    let shown = |at| super::dates::full(user.t, user.zone, at);
    let passkeys = match service.passkeys(&user.login.caller(), account).await {
        Ok(passkeys) => passkeys,
        Err(error) => return refused(&user, error),
    };
    let mut view = PasskeysPage {
        layout: Layout::of(&user),
        passkeys: passkeys
            .into_iter()
            .map(|p| PasskeyRow {
                id: p.id.0,
                name: p.name,
                phone: p.kind == PasskeyKind::Phone,
                created: shown(p.created),
                last_used: p.last_used.map(&shown).unwrap_or_default(),
                revoked: p.revoked.is_some(),
            })
            .collect(),
    };
    if uri
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv == "added"))
    {
        view.flash = Some(user.t.passkeys.added);
    }
    page(view.render())
}

/// A passkey's name, to begin its registration.
#[derive(Deserialize)]
pub struct Named {
    #[serde(default)]
    name: String,
}

impl Named {
    /// The name typed.
    pub(super) fn name(&self) -> &str {
        &self.name
    }
}

/// The browser's answer to a registration.
#[derive(Deserialize)]
pub struct Registered {
    ceremony: String,
    credential: RegisterPublicKeyCredential,
}

impl Registered {
    /// The ceremony's id and the browser's answer.
    pub(super) fn parts(&self) -> (&str, &RegisterPublicKeyCredential) {
        (&self.ceremony, &self.credential)
    }
}

/// The browser's answer to a login.
#[derive(Deserialize)]
pub struct Asserted {
    ceremony: String,
    credential: PublicKeyCredential,
}

/// A JSON refusal in the page's language: `{"error": …}`.
pub(super) fn json_refusal(t: &'static super::i18n::Texts, error: ServiceError) -> Response {
    let problem = Problem::from(error);
    let status = problem.status();
    (status, Json(json!({ "error": t.refusals.say(&problem) }))).into_response()
}

/// The CSRF token of a JSON call, sent in `X-CSRF`.
fn csrf_ok(user: &WebUser, headers: &HeaderMap) -> bool {
    let sent = headers.get("x-csrf").and_then(|v| v.to_str().ok());
    sent.is_some_and(|sent| user.check_csrf(sent).is_ok())
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, Json(json!({ "error": "CSRF" }))).into_response()
}

/// `POST /mail/settings/passkeys/begin`: the registration's options.
pub async fn begin(
    State(service): State<Service>,
    user: WebUser,
    headers: HeaderMap,
    Json(named): Json<Named>,
) -> Response {
    if !csrf_ok(&user, &headers) {
        return forbidden();
    }
    match service
        .begin_passkey_registration(&user.login, &named.name)
        .await
    {
        Ok(c) => Json(json!({ "ceremony": c.id, "options": c.options })).into_response(),
        Err(error) => json_refusal(user.t, error),
    }
}

/// `POST /mail/settings/passkeys/finish`: keeps the passkey (traced).
pub async fn finish(
    State(service): State<Service>,
    user: WebUser,
    headers: HeaderMap,
    Json(answer): Json<Registered>,
) -> Response {
    if !csrf_ok(&user, &headers) {
        return forbidden();
    }
    match service
        .finish_passkey_registration(&user.login, &answer.ceremony, &answer.credential)
        .await
    {
        Ok(_) => Json(json!({ "next": format!("{}/settings/passkeys?added", user.base()) }))
            .into_response(),
        Err(error) => json_refusal(user.t, error),
    }
}

/// `POST /mail/settings/passkeys/{id}/revoke`.
pub async fn revoke(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form: _ }: Posted<CsrfForm>,
) -> Response {
    let account = user.login.account().id;
    match service
        .revoke_passkey(&user.login.caller(), account, PasskeyId(id))
        .await
    {
        Ok(()) => Redirect::to(&format!("{}/settings/passkeys", user.base())).into_response(),
        Err(error) => refused(&user, error),
    }
}

/// `POST /login/passkey/begin`: the login's options (any passkey of this host).
pub async fn login_begin(State(service): State<Service>, headers: HeaderMap, uri: Uri) -> Response {
    let t = texts(&headers, uri.query());
    if cross_site(&headers) {
        return forbidden();
    }
    match service.begin_passkey_login().await {
        Ok(c) => Json(json!({ "ceremony": c.id, "options": c.options })).into_response(),
        Err(error) => json_refusal(t, error),
    }
}

/// An address and password, to begin a password + passkey login.
#[derive(Deserialize)]
pub struct PasswordFirst {
    address: String,
    password: String,
}

/// `POST /login/passkey/password`: checks the password, then asks for one of the
/// account's passkeys as the second factor (AU-1).
pub async fn second_begin(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
    Json(first): Json<PasswordFirst>,
) -> Response {
    let t = texts(&headers, uri.query());
    if cross_site(&headers) {
        return forbidden();
    }
    let source = source_of(peer.as_deref());
    let begun = match MailAddress::parse(first.address.trim()) {
        Ok(address) => {
            let password = SecretString::new(first.password);
            service
                .begin_password_passkey(&address, &password, &source)
                .await
        }
        Err(_) => Err(ServiceError::AuthFailed {
            delay: std::time::Duration::ZERO,
        }),
    };
    match begun {
        Ok(c) => Json(json!({ "ceremony": c.id, "options": c.options })).into_response(),
        Err(ServiceError::AuthFailed { .. }) => {
            let error = json!({ "error": t.login_failed });
            (StatusCode::UNAUTHORIZED, Json(error)).into_response()
        }
        Err(error) => json_refusal(t, error),
    }
}

/// `POST /login/passkey/finish` (a passkey alone) and `POST
/// /login/passkey/password/finish` (its second factor): logs in (AU-1, a strong
/// login) and opens the session; answers where to go next, the session cookie set.
pub async fn login_finish(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
    Json(answer): Json<Asserted>,
) -> Response {
    let t = texts(&headers, uri.query());
    if cross_site(&headers) {
        return forbidden();
    }
    let source = source_of(peer.as_deref());
    let (ceremony, credential) = (&answer.ceremony, &answer.credential);
    let login = if uri.path().ends_with("/password/finish") {
        service
            .finish_password_passkey(ceremony, credential, &source)
            .await
    } else {
        service
            .finish_passkey_login(ceremony, credential, &source)
            .await
    };
    let login = match login {
        Ok(login) => login,
        Err(ServiceError::AuthFailed { .. }) => {
            let error = json!({ "error": t.passkeys.failed });
            return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
        }
        Err(error) => return json_refusal(t, error),
    };
    // The form login's answer (a redirect with the cookie), as JSON for the script.
    let started = super::login::start(&service, &login).await;
    let next = started
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(next) = next else {
        return started;
    };
    let mut response = Json(json!({ "next": next })).into_response();
    if let Some(cookie) = started.headers().get(header::SET_COOKIE) {
        let cookie: HeaderValue = cookie.clone();
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}
