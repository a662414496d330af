//! Login (AU-1: password + TOTP or e-mailed code, or the client certificate) and
//! logout. A failed login says nothing about why (AU-3).

use askama::Template;
use axum::extract::{Extension, Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::{MailAddress, NationalId, SecretString};
use caduceus_service::auth::{Authenticated, CodeChannel, Credentials};
use caduceus_service::{Service, ServiceError};
use serde::Deserialize;

use super::i18n::Texts;
use super::{CsrfField, Posted, SESSION_COOKIE, page, texts};
use super::{Layout, layout_page};
use crate::api::problem::Problem;
use crate::listener::Peer;

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    layout: Layout,
    address: String,
    certificate: bool,
    /// Whether the OpenID provider's login is offered (AU-4).
    oidc: bool,
    /// Whether the passkey login is offered (AU-1).
    passkey: bool,
}

layout_page!(LoginPage);

pub(super) fn login_page(service: &Service, t: &'static Texts, peer: Option<&Peer>) -> LoginPage {
    LoginPage {
        layout: Layout::anonymous(t),
        address: String::new(),
        certificate: peer.is_some_and(|p| p.certificate.is_some()),
        oidc: service.accepts_bearer_tokens(),
        passkey: service.offers_passkeys(),
    }
}

/// The login page again, with `error`, and the status to answer it with.
pub(super) fn failed(
    service: &Service,
    t: &'static Texts,
    peer: Option<&Peer>,
    error: String,
    status: StatusCode,
) -> Response {
    let mut view = login_page(service, t, peer);
    view.error = Some(error);
    (status, page(view.render())).into_response()
}

/// Where a login comes from, for the gate and the traces (AU-3).
pub(super) fn source_of(peer: Option<&Peer>) -> String {
    peer.map_or_else(|| "https:unknown".to_owned(), Peer::source)
}

/// `GET /login`.
pub async fn form(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
) -> Response {
    let t = texts(&headers, uri.query());
    let mut view = login_page(&service, t, peer.as_deref());
    // The session ended on a letter being written: it is in Drafts (issue 22).
    if uri
        .query()
        .is_some_and(|q| q.split('&').any(|kv| kv == "kept=draft"))
    {
        view.flash = Some(t.draft.kept_after_timeout);
    }
    page(view.render())
}

/// The login form.
#[derive(Deserialize)]
pub struct LoginForm {
    address: String,
    password: String,
    #[serde(default)]
    code: String,
    /// `totp`, `email` (a code received by e-mail or SMS), `send_code` or `send_sms`.
    method: String,
}

/// Opens the session and sends the browser to its inbox, or first to the terms of
/// use when the version in force is not accepted yet (IN-1).
pub(super) async fn start(service: &Service, login: &Authenticated) -> Response {
    let token = match service.open_session(login).await {
        Ok(token) => token,
        Err(error) => {
            tracing::warn!(%error, "web session not opened");
            return (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response();
        }
    };
    let cookie = format!(
        "{SESSION_COOKIE}={}; Path=/; Secure; HttpOnly; SameSite=Strict",
        token.expose()
    );
    let next = match service.terms_to_accept(login).await {
        Ok(Some(_)) => super::terms::PATH,
        _ => "/mail/folder/INBOX",
    };
    let mut response = Redirect::to(next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Whether a form was posted from another site (login CSRF: a page elsewhere logging
/// the browser into someone else's account). Browsers say where a POST comes from:
/// `Sec-Fetch-Site`, else `Origin`, which must then be this host. A client that sends
/// neither (not a browser) is not a CSRF vector.
pub(super) fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (text("origin"), text("host")) {
        (None, _) => false,
        (Some(origin), Some(host)) => origin
            .strip_prefix("https://")
            .is_none_or(|authority| !authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => true,
    }
}

/// The refusal of a cross-site login form.
fn cross_site_refused() -> Response {
    (
        StatusCode::FORBIDDEN,
        "a login form is accepted only from this site's own login page",
    )
        .into_response()
}

/// `POST /login`: logs in, or sends a one-time code by e-mail or SMS (AU-1).
pub async fn submit(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
    Form(form): Form<LoginForm>,
) -> Response {
    if cross_site(&headers) {
        return cross_site_refused();
    }
    let t = texts(&headers, uri.query());
    let source = source_of(peer.as_deref());
    let mut view = login_page(&service, t, peer.as_deref());
    view.address = form.address.clone();
    let Ok(address) = MailAddress::parse(form.address.trim()) else {
        view.error = Some(t.login_failed.to_owned());
        return (StatusCode::UNAUTHORIZED, page(view.render())).into_response();
    };
    let password = SecretString::new(form.password);
    let outcome = match form.method.as_str() {
        "send_code" | "send_sms" => {
            // By e-mail, or by SMS to the mobile number the holder gave (AU-1).
            let channel = if form.method == "send_sms" {
                CodeChannel::Sms
            } else {
                CodeChannel::Email
            };
            let sent = service
                .send_login_code_by(&address, &password, &source, channel)
                .await;
            return match sent {
                Ok(()) | Err(ServiceError::AuthFailed { .. }) => {
                    view.flash = Some(t.code_sent);
                    page(view.render())
                }
                Err(error) => {
                    view.error = Some(t.refusals.say(&Problem::from(error)).to_owned());
                    (StatusCode::TOO_MANY_REQUESTS, page(view.render())).into_response()
                }
            };
        }
        "email" => {
            let credentials = Credentials::PasswordEmailCode {
                password: &password,
                code: &form.code,
            };
            service.login(&address, credentials, &source).await
        }
        _ => {
            let credentials = Credentials::PasswordTotp {
                password: &password,
                code: &form.code,
            };
            service.login(&address, credentials, &source).await
        }
    };
    match outcome {
        Ok(login) => start(&service, &login).await,
        Err(ServiceError::AuthFailed { .. }) => {
            view.error = Some(t.login_failed.to_owned());
            (StatusCode::UNAUTHORIZED, page(view.render())).into_response()
        }
        // A rule on how one logs in (AU-5: a health professional's card).
        Err(error @ ServiceError::Refused(_)) => {
            view.error = Some(t.refusals.say(&Problem::from(error)).to_owned());
            (StatusCode::FORBIDDEN, page(view.render())).into_response()
        }
        Err(error) => {
            view.error = Some(t.refusals.say(&Problem::from(error)).to_owned());
            (StatusCode::TOO_MANY_REQUESTS, page(view.render())).into_response()
        }
    }
}

/// `POST /login/certificate`: logs in with the TLS client certificate (AU-1).
pub async fn certificate(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
) -> Response {
    if cross_site(&headers) {
        return cross_site_refused();
    }
    let t = texts(&headers, uri.query());
    let Some(Extension(peer)) = peer else {
        return Redirect::to("/login").into_response();
    };
    let national = peer
        .certificate
        .as_ref()
        .and_then(|c| c.serial_number.as_deref())
        .and_then(|s| NationalId::parse(s).ok());
    let login = match national {
        Some(id) => service.login_certificate(&id, None, &peer.source()).await,
        None => Err(ServiceError::AuthFailed {
            delay: std::time::Duration::ZERO,
        }),
    };
    match login {
        Ok(login) => start(&service, &login).await,
        Err(_) => failed(
            &service,
            t,
            Some(&peer),
            t.login_failed.to_owned(),
            StatusCode::UNAUTHORIZED,
        ),
    }
}

/// The CSRF field alone.
#[derive(Deserialize)]
pub struct CsrfForm {
    /// The session's CSRF token.
    pub csrf: String,
}

/// `POST /logout`: ends the session (traced) and forgets the cookie.
pub async fn logout(
    State(service): State<Service>,
    Posted { user, form: _ }: Posted<CsrfForm>,
) -> Response {
    if let Err(error) = service.close_session(&user.token, &user.login).await {
        tracing::warn!(%error, "logout not recorded");
    }
    let mut response = Redirect::to("/login").into_response();
    forget_session(&mut response);
    response
}

/// Makes the browser drop the session cookie (logout, a closed account).
pub(crate) fn forget_session(response: &mut Response) {
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "__Host-caduceus=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
}

impl CsrfField for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_login_form_posted_from_another_site_is_cross_site() {
        let host = ("host", "mail.caduceus.test");
        assert!(!cross_site(&headers(&[host])), "curl, practice software");
        assert!(!cross_site(&headers(&[
            host,
            ("origin", "https://mail.caduceus.test")
        ])));
        assert!(cross_site(&headers(&[
            host,
            ("origin", "https://evil.example")
        ])));
        assert!(cross_site(&headers(&[host, ("origin", "null")])));
        assert!(cross_site(&headers(&[
            host,
            ("origin", "http://mail.caduceus.test")
        ])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
    }
}
