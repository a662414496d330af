//! Who calls the API (AU-1, AU-4): a session token opened after a strong login, an
//! OpenID provider's access token, or a client certificate (applicative accounts,
//! CPS-like cards). The [`User`] extractor makes a handler unreachable without one.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use caduceus_core::{MailAddress, NationalId, SecretString};
use caduceus_service::Service;
use caduceus_service::auth::{Authenticated, Credentials};
use caduceus_service::sessions::{SESSION_IDLE, SESSION_LIFETIME, SESSION_PREFIX};
use serde::Deserialize;

use super::problem::{ApiResult, Problem};
use crate::listener::Peer;

/// A logged-in caller of the API.
pub struct User {
    /// The login.
    pub login: Authenticated,
    /// The session token, when the call came with one.
    pub session: Option<SecretString>,
}

fn source(parts: &Parts) -> (Option<Peer>, String) {
    let peer = parts.extensions.get::<Peer>().cloned();
    let source = peer
        .as_ref()
        .map_or_else(|| "https:unknown".to_owned(), Peer::source);
    (peer, source)
}

impl FromRequestParts<Service> for User {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, service: &Service) -> ApiResult<Self> {
        let (peer, source) = source(parts);
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(|t| SecretString::new(t.trim().to_owned()))
                .ok_or_else(Problem::unauthenticated)?;
            let login = if token.expose().starts_with(SESSION_PREFIX) {
                service.session(&token, &source).await
            } else if service.accepts_bearer_tokens() {
                service.login_bearer(&token, None, &source).await
            } else {
                return Err(Problem::unauthenticated());
            };
            let login = login?;
            let session = token.expose().starts_with(SESSION_PREFIX).then_some(token);
            return Ok(User { login, session });
        }
        let Some(peer) = peer else {
            return Err(Problem::unauthenticated());
        };
        let login = certificate_login(service, &peer, &source).await?;
        Ok(User {
            login,
            session: None,
        })
    }
}

/// The login of the connection's client certificate, made once per connection.
async fn certificate_login(
    service: &Service,
    peer: &Peer,
    source: &str,
) -> ApiResult<Authenticated> {
    let national_id = peer
        .certificate
        .as_ref()
        .and_then(|c| c.serial_number.as_deref())
        .and_then(|serial| NationalId::parse(serial).ok())
        .ok_or_else(Problem::unauthenticated)?;
    let login = peer
        .certificate_login
        .get_or_try_init(|| service.login_certificate(&national_id, None, source))
        .await;
    Ok(login?.clone())
}

/// `POST /session`: a strong web login.
#[derive(Deserialize)]
pub struct LoginRequest {
    address: String,
    password: String,
    /// The authenticator app's code, or the code received by e-mail.
    code: String,
    /// `totp` (default) or `email`.
    #[serde(default)]
    method: Option<String>,
}

/// `POST /session/code`: send a one-time code to the out-of-band address.
#[derive(Deserialize)]
pub struct CodeRequest {
    address: String,
    password: String,
}

fn address(text: &str) -> ApiResult<MailAddress> {
    MailAddress::parse(text).map_err(|e| Problem::bad_request(format!("address: {e}")))
}

fn session_answer(login: &Authenticated, token: &SecretString) -> impl IntoResponse + use<> {
    (
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({
            "token": token.expose(),
            "token_type": "Bearer",
            "expires_in": SESSION_LIFETIME.as_secs(),
            "idle_timeout": SESSION_IDLE.as_secs(),
            "account": account_json(login),
        })),
    )
}

/// The account a login opened, as the API shows it.
pub fn account_json(login: &Authenticated) -> serde_json::Value {
    let account = login.account();
    serde_json::json!({
        "address": account.address.as_str(),
        "kind": account.kind.as_str(),
        "display_name": account.display_name,
        "login_method": login.factor().as_str().trim_start_matches("method:"),
        // ID-1: the registry and the identifier the account keeps (a patient's INS is
        // its address).
        "registry": account.identity.registry(),
        "identifier": account.identity.national().map(ToString::to_string),
    })
}

/// `POST /session`: password and TOTP (or emailed) code; opens a session (AU-1).
pub async fn open(
    State(service): State<Service>,
    peer: Option<Extension<Peer>>,
    Json(request): Json<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let source = peer.map_or_else(|| "https:unknown".to_owned(), |p| p.source());
    let address = address(&request.address)?;
    let password = SecretString::new(request.password);
    let credentials = match request.method.as_deref() {
        None | Some("totp") => Credentials::PasswordTotp {
            password: &password,
            code: &request.code,
        },
        Some("email") => Credentials::PasswordEmailCode {
            password: &password,
            code: &request.code,
        },
        Some(_) => return Err(Problem::bad_request("method: `totp` or `email`")),
    };
    let login = service.login(&address, credentials, &source).await?;
    let token = service.open_session(&login).await?;
    Ok(session_answer(&login, &token))
}

/// `POST /session/certificate`: opens a session with the connection's client
/// certificate (AU-1).
pub async fn open_with_certificate(
    State(service): State<Service>,
    peer: Option<Extension<Peer>>,
) -> ApiResult<impl IntoResponse> {
    let Some(Extension(peer)) = peer else {
        return Err(Problem::unauthenticated());
    };
    let login = certificate_login(&service, &peer, &peer.source()).await?;
    let token = service.open_session(&login).await?;
    Ok(session_answer(&login, &token))
}

/// `POST /session/code`: sends a one-time login code by e-mail (AU-1).
pub async fn send_code(
    State(service): State<Service>,
    peer: Option<Extension<Peer>>,
    Json(request): Json<CodeRequest>,
) -> ApiResult<StatusCode> {
    let source = peer.map_or_else(|| "https:unknown".to_owned(), |p| p.source());
    let address = address(&request.address)?;
    let password = SecretString::new(request.password);
    service
        .send_login_code(&address, &password, &source)
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// `DELETE /session`: logout.
pub async fn close(State(service): State<Service>, user: User) -> ApiResult<StatusCode> {
    let Some(token) = &user.session else {
        return Err(Problem::bad_request(
            "no session to close: this call did not use one",
        ));
    };
    service.close_session(token, &user.login).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /me`: the account logged in.
pub async fn me(user: User) -> Json<serde_json::Value> {
    Json(account_json(&user.login))
}
