//! Login through the operator's OpenID provider (AU-4; Pro Santé Connect style):
//! `/login/oidc` sends the browser to the provider with a fresh state, nonce and PKCE
//! verifier kept in a short-lived cookie; the provider sends it back to
//! `/oidc/callback`, where the code is redeemed and the ID token verified before the
//! session opens. A refused callback is a failed login like any other (AU-3).

use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::SecretString;
use caduceus_service::{Service, ServiceError};
use serde::Deserialize;

use super::login::{failed, source_of, start};
use super::{cookie, texts};
use crate::api::problem::Problem;
use crate::listener::Peer;

/// The cookie that keeps the pending login between the two redirects.
const PENDING_COOKIE: &str = "__Host-caduceus-oidc";

/// `GET /login/oidc`: to the provider.
pub async fn begin(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
) -> Response {
    let t = texts(&headers, uri.query());
    match service.start_web_login().await {
        Ok((url, pending)) => {
            // SameSite=Lax: the provider's redirect back is a cross-site navigation.
            let kept = format!(
                "{PENDING_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=600",
                pending.expose()
            );
            let mut response = Redirect::to(&url).into_response();
            if let Ok(value) = HeaderValue::from_str(&kept) {
                response.headers_mut().insert(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => failed(
            &service,
            t,
            peer.as_deref(),
            t.refusals.say(&Problem::from(error)).to_owned(),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    }
}

/// What the provider sends back.
#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /oidc/callback`: redeems the code and opens the session.
pub async fn callback(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
    Query(callback): Query<Callback>,
) -> Response {
    let t = texts(&headers, uri.query());
    let source = source_of(peer.as_deref());
    let pending = cookie(&headers, PENDING_COOKIE).map(SecretString::new);
    let login = match (callback.code, callback.state, pending, callback.error) {
        (Some(code), Some(state), Some(pending), None) => {
            service
                .finish_web_login(&code, &state, &pending, &source)
                .await
        }
        _ => Err(ServiceError::AuthFailed {
            delay: std::time::Duration::ZERO,
        }),
    };
    let mut response = match login {
        Ok(login) => start(&service, &login).await,
        Err(error @ ServiceError::Unavailable(_)) => failed(
            &service,
            t,
            peer.as_deref(),
            t.refusals.say(&Problem::from(error)).to_owned(),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        Err(_) => failed(
            &service,
            t,
            peer.as_deref(),
            t.login_failed.to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
    };
    let forget = format!("{PENDING_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&forget) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
