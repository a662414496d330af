//! The webmail: server-rendered pages (askama) for professionals and patients, on the
//! same service calls as the API, so every rule holds the same. Little JavaScript
//! (directory suggestions, rule check while writing, upload progress); a strict
//! Content-Security-Policy; the session in a `__Host-` cookie (Secure, HttpOnly,
//! SameSite=Strict) and a CSRF token in every form.
//!
//! # Layout
//! - this file: the routes, the cookie session ([`WebUser`]), CSRF, security headers.
//! - [`acting`]: acting for another mailbox (ID-3 delegates, ID-7 representatives),
//!   at `/mail/as/{account}/…`, allowed again at each request.
//! - [`i18n`]: French and English texts.
//! - [`dates`]: dates in the user's time zone and language (MS-6).
//! - [`login`]: login (password + TOTP or e-mailed code, certificate) and logout.
//! - [`oidc`]: login through the OpenID provider (AU-4).
//! - [`mail`]: folders, reading, attachments.
//! - [`letter`]: a letter shown as written — its sanitised HTML in a sandboxed frame
//!   with its own strict policy, its PDF and image attachments shown inline (MS-1).
//! - [`names`]: people by name, profession, specialty and place, patients marked
//!   (ID-4), from one lookup per page.
//! - [`conversations`]: the mailbox's conversations, grouped by patient, and a
//!   conversation's messages in order (MS-6).
//! - [`filing`]: moving a message, to Trash, deleting it for good once confirmed.
//! - [`marks`]: marking a message unread or read, flagged or not (`\Seen`, `\Flagged`).
//! - [`confirm`]: the confirmation step before a block, an opposition or (admin
//!   console) a suspension applies.
//! - [`compose`]: writing, the rule check, directory suggestions and the patients
//!   one exchanged with, found by name, sending.
//! - [`drafts`]: the letter being written saved in Drafts, by its button or the
//!   autosave, continued from there (issue 22).
//! - [`absence`]: the settings' out-of-office reply and signature (MS-6, RFC 3834).
//! - [`settings`]: device credentials, the patient's access log, blocks and
//!   opposition, the export.
//! - [`certificate`]: the holder's certificate, a request signed or a `.pem`
//!   uploaded (MS-3).
//! - [`rights`]: the holder's rights over their account (AC-3): directory choices,
//!   correction requests, the account's data, closing it.
//! - [`terms`]: the terms of use to accept (IN-1).
//! - [`passkeys`]: passkeys (AU-1): the settings' list, registration, revocation, the
//!   login with a passkey alone; [`pairing`]: pairing a phone by QR code (MS-18).
//! - [`pwa`]: the installable webmail: manifest, icons, the service worker that
//!   caches static assets only (MS-18).

pub mod absence;
pub mod acting;
pub mod certificate;
pub mod compose;
pub mod confirm;
pub mod conversations;
pub mod dates;
pub mod drafts;
pub mod filing;
pub mod i18n;
pub mod letter;
pub mod login;
pub mod mail;
pub mod marks;
pub mod names;
pub mod oidc;
pub mod pairing;
pub mod passkeys;
pub mod pwa;
pub mod rights;
pub mod settings;
pub mod terms;

use axum::Router;
use axum::extract::{Form, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use caduceus_core::SecretString;
use caduceus_service::Service;
use caduceus_service::auth::Authenticated;
use sha2::{Digest, Sha256};

use crate::listener::Peer;
use i18n::Texts;

/// The session cookie: `__Host-` so that it is Secure, host-only and for `/`.
pub const SESSION_COOKIE: &str = "__Host-caduceus";

/// The Content-Security-Policy of every page: only this origin's script and style,
/// no inline script, no framing, forms posting here only; images and frames (a
/// letter's HTML, [`letter`]) from here only, so a message can never load remote
/// content. A route that sets its own (a letter's frame, a preview) keeps it.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   frame-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; form-action 'self'; \
                   frame-ancestors 'none'; base-uri 'none'";

/// The webmail routes.
pub fn router(max_message_size: usize) -> Router<Service> {
    Router::new()
        .route("/login", get(login::form).post(login::submit))
        .route("/login/certificate", post(login::certificate))
        .route("/login/oidc", get(oidc::begin))
        .route("/oidc/callback", get(oidc::callback))
        .route("/logout", post(login::logout))
        .route(terms::PATH, get(terms::show).post(terms::accept))
        .route(
            "/mail",
            get(|user: WebUser| async move { Redirect::to(&format!("{}/folder/INBOX", user.base())) }),
        )
        .route("/mail/folder/{name}", get(mail::folder))
        .route("/mail/message/{id}", get(mail::message))
        .route("/mail/conversations", get(conversations::list))
        .route("/mail/conversation/{id}", get(conversations::show))
        .route(
            "/mail/message/{id}/attachment/{index}",
            get(mail::attachment),
        )
        .route("/mail/message/{id}/html", get(letter::html))
        .route(
            "/mail/message/{id}/attachment/{index}/view",
            get(letter::view),
        )
        .route("/mail/message/{id}/delete", post(filing::delete))
        .route("/mail/message/{id}/move", post(filing::move_message))
        .route("/mail/message/{id}/mark", post(marks::mark))
        .route("/mail/message/{id}/personal", post(mail::mark_message))
        .route("/mail/folder/{name}/personal", post(mail::mark_folder))
        .route(
            "/mail/compose",
            get(compose::form)
                .post(compose::send)
                .layer(axum::extract::DefaultBodyLimit::max(
                    max_message_size + 64 * 1024,
                )),
        )
        .route(
            "/mail/draft",
            post(drafts::save).layer(axum::extract::DefaultBodyLimit::max(
                max_message_size + 64 * 1024,
            )),
        )
        .route("/mail/check", post(compose::check))
        .route("/mail/directory", get(compose::suggest))
        .route("/mail/patients", get(compose::patients))
        .route("/mail/settings", get(settings::overview))
        .route("/mail/settings/devices", post(settings::add_device))
        .route(
            "/mail/settings/devices/{id}/revoke",
            post(settings::revoke_device),
        )
        .route("/mail/settings/block", post(settings::block))
        .route("/mail/settings/unblock", post(settings::unblock))
        .route("/mail/settings/opposition", post(settings::opposition))
        .route("/mail/settings/forwarding", post(settings::forwarding))
        .route(
            "/mail/settings/notifications",
            post(settings::notifications),
        )
        .route("/mail/export", get(settings::export))
        .route("/mail/account-data", get(rights::account_data))
        .route("/mail/settings/zone", post(settings::zone))
        .route("/mail/settings/encryption", post(settings::encryption))
        .route(
            "/mail/settings/contacts/confirm",
            post(settings::confirm_contact),
        )
        .route("/mail/settings/absence", post(absence::set_absence))
        .route("/mail/settings/signature", post(absence::set_signature))
        .route("/mail/settings/certificate", post(certificate::submit))
        .route("/mail/settings/directory", post(rights::directory))
        .route("/mail/settings/correction", post(rights::correction))
        .route(
            "/mail/settings/close",
            get(rights::close_form).post(rights::close),
        )
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .merge(passkey_routes())
        .layer(axum::middleware::from_fn(security_headers))
}

/// The passkeys' and the pairing's routes (AU-1, MS-18), and the installable
/// webmail's files.
fn passkey_routes() -> Router<Service> {
    Router::new()
        .route("/login/passkey/begin", post(passkeys::login_begin))
        .route("/login/passkey/finish", post(passkeys::login_finish))
        .route("/login/passkey/password", post(passkeys::second_begin))
        .route(
            "/login/passkey/password/finish",
            post(passkeys::login_finish),
        )
        .route("/mail/settings/passkeys", get(passkeys::list))
        .route("/mail/settings/passkeys/begin", post(passkeys::begin))
        .route("/mail/settings/passkeys/finish", post(passkeys::finish))
        .route(
            "/mail/settings/passkeys/{id}/revoke",
            post(passkeys::revoke),
        )
        .route("/mail/settings/pair", post(pairing::make))
        .route("/pair/{token}", get(pairing::phone))
        .route("/pair/{token}/begin", post(pairing::begin))
        .route("/pair/{token}/finish", post(pairing::finish))
        .merge(pwa::routes())
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/app.js"),
    )
}

/// Security headers on every webmail (and admin) response; `?lang=` remembered in a cookie.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let lang = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")))
        .filter(|l| matches!(*l, "fr" | "en"))
        .map(str::to_owned);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A letter's frame or a preview sets its own policy and framing (MS-1).
    let own_policy = headers.contains_key(header::CONTENT_SECURITY_POLICY);
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
        (header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"),
    ] {
        let framing = name == header::CONTENT_SECURITY_POLICY || name == header::X_FRAME_OPTIONS;
        if !(own_policy && framing) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if let Some(lang) = lang
        && let Ok(cookie) = HeaderValue::from_str(&format!(
            "lang={lang}; Path=/; Secure; SameSite=Lax; Max-Age=31536000"
        ))
    {
        headers.append(header::SET_COOKIE, cookie);
    }
    response
}

/// The value of cookie `name` in the request, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
}

/// The texts of a request, with `?lang=` taking effect at once.
pub fn texts(parts_headers: &HeaderMap, query: Option<&str>) -> &'static Texts {
    match query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang="))) {
        Some("en") => &i18n::EN,
        Some("fr") => &i18n::FR,
        _ => Texts::for_request(parts_headers),
    }
}

/// A logged-in webmail user (the session cookie); without one, the page answers
/// with the login page's address.
pub struct WebUser {
    /// The login.
    pub login: Authenticated,
    /// The session token (for logout and the CSRF token).
    pub token: SecretString,
    /// The user's language.
    pub t: &'static Texts,
    /// The user's time zone (the `tz` cookie; Europe/Paris by default).
    pub zone: caduceus_core::local_time::Zone,
    /// The staff roles the user holds (the admin console's).
    pub roles: Vec<caduceus_core::Role>,
    /// The mailboxes the user may act for besides their own (ID-3, ID-7).
    pub acted_for: Vec<caduceus_service::mandates::Mandate>,
    /// The one this request acts for, allowed by the service at this request.
    pub acting: Option<acting::Acting>,
}

impl WebUser {
    /// The CSRF token of this session: derived from the session token, so it needs no
    /// storage and dies with the session.
    pub fn csrf(&self) -> String {
        csrf_of(&self.token)
    }

    /// The mailbox the request is on, checked by the service (AC-1, IN-1): the one
    /// acted for (ID-3, ID-7), allowed at this request, or the user's own.
    pub async fn mailbox(
        &self,
        service: &Service,
    ) -> Result<caduceus_service::messages::MailboxAccess, caduceus_service::ServiceError> {
        match &self.acting {
            Some(acting) => Ok(acting.access.clone()),
            None => {
                let own = self.login.account().id;
                service.authorize(&self.login.caller(), own).await
            }
        }
    }

    /// Whose mailbox the request is on: the one acted for, or the user's own.
    pub fn holder(&self) -> &caduceus_service::model::Account {
        self.acting
            .as_ref()
            .map_or_else(|| self.login.account(), |a| &a.account)
    }

    /// The root of this request's pages: `/mail`, or `/mail/as/{account}` acting
    /// for another mailbox.
    pub fn base(&self) -> String {
        acting::base(self.acting.as_ref().map(|a| a.account.id))
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, sent: &str) -> Result<(), CsrfMismatch> {
        if sent.as_bytes() == self.csrf().as_bytes() {
            Ok(())
        } else {
            Err(CsrfMismatch)
        }
    }

    /// Whether the mailbox shown is a patient's (the simpler view, the emergency
    /// notice): the user's, or the patient's they represent (ID-7).
    pub fn is_patient(&self) -> bool {
        self.holder().kind == caduceus_core::AccountKind::Patient
    }

    /// The name shown in the header.
    pub fn who(&self) -> Option<String> {
        let account = self.login.account();
        Some(format!(
            "{} <{}>",
            account.display_name,
            account.address.as_str()
        ))
    }
}

/// A form that carries the session's CSRF token.
pub trait CsrfField {
    /// The token the form carries.
    fn csrf(&self) -> &str;
}

/// A form posted by a logged-in user, its CSRF token checked: a handler taking one
/// cannot forget the check.
pub struct Posted<T> {
    /// Who posted.
    pub user: WebUser,
    /// What.
    pub form: T,
}

impl<T> FromRequest<Service> for Posted<T>
where
    T: serde::de::DeserializeOwned + CsrfField + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, service: &Service) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let user = WebUser::from_request_parts(&mut parts, service).await?;
        let Form(form) = Form::<T>::from_request(Request::from_parts(parts, body), service)
            .await
            .map_err(IntoResponse::into_response)?;
        user.check_csrf(form.csrf())
            .map_err(IntoResponse::into_response)?;
        Ok(Posted { user, form })
    }
}

/// A form whose CSRF token is not its session's: refused with 403.
#[derive(Debug)]
pub struct CsrfMismatch;

impl IntoResponse for CsrfMismatch {
    fn into_response(self) -> Response {
        (
            StatusCode::FORBIDDEN,
            "CSRF token mismatch: reload the page",
        )
            .into_response()
    }
}

fn csrf_of(token: &SecretString) -> String {
    let digest = Sha256::digest(format!("csrf:{}", token.expose()).as_bytes());
    hex::encode(&digest[..16])
}

/// The source written in traces for a request.
pub fn source(parts: &Parts) -> String {
    parts
        .extensions
        .get::<Peer>()
        .map_or_else(|| "https:unknown".to_owned(), Peer::source)
}

impl FromRequestParts<Service> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, service: &Service) -> Result<Self, Response> {
        let t = texts(&parts.headers, parts.uri.query());
        let to_login = || Redirect::to("/login").into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        let token = SecretString::new(token);
        let Ok(login) = service.session(&token, &source(parts)).await else {
            return Err(to_login());
        };
        let roles = service
            .staff_roles(login.account().id)
            .await
            .unwrap_or_default();
        let caller = login.caller();
        let acted_for = service.mandates(&caller).await.unwrap_or_default();
        let own = login.account().id;
        let requested = parts.extensions.get::<acting::AsRequested>().map(|a| a.0);
        let mut user = WebUser {
            login,
            token,
            t,
            zone: dates::zone_of(&parts.headers),
            roles,
            acted_for,
            acting: None,
        };
        // Asked again at every request, never kept: a withdrawn delegation or an
        // ended representation is refused here, traced by the service (AC-1).
        if let Some(id) = requested.filter(|&id| id != own) {
            let access = match service.authorize(&caller, id).await {
                Ok(access) => access,
                // Said in plain words: the standing ended (AC-1, traced by the service).
                Err(caduceus_service::ServiceError::Denied { .. }) => {
                    let status = StatusCode::FORBIDDEN;
                    return Err(mail::error_page(&user, user.t.boxes.no_longer, status));
                }
                Err(error) => return Err(mail::refused(&user, error)),
            };
            let Some(found) = user.acted_for.iter().find(|a| a.account.id == id) else {
                let gone = caduceus_service::ServiceError::NotFound(format!("mailbox {}", id.0));
                return Err(mail::refused(&user, gone));
            };
            user.acting = Some(acting::Acting {
                access,
                account: found.account.clone(),
                basis: found.basis,
            });
        }
        Ok(user)
    }
}

/// What the layout (`base.html`) shows on every page: language, who is logged in,
/// the CSRF token of the forms, a notice or an error. Page structs hold one and
/// dereference to it ([`layout_page!`]), so templates read `t`, `who`… directly.
pub struct Layout {
    /// The texts.
    pub t: &'static Texts,
    /// Who is logged in, if anyone.
    pub who: Option<String>,
    /// Whether the user is a patient (the simpler view).
    pub patient: bool,
    /// Whether the user holds a staff role (the admin console's link).
    pub staff: bool,
    /// The root of the mailbox's pages (`/mail`, or `/mail/as/{account}`).
    pub base: String,
    /// Whose mailbox the user acts for, shown in a banner (ID-3, ID-7).
    pub acting_for: Option<String>,
    /// The mailbox switcher: own mailbox, then those acted for.
    pub switcher: Vec<acting::SwitchLink>,
    /// The session's CSRF token (empty when logged out).
    pub csrf: String,
    /// A notice of what just happened.
    pub flash: Option<&'static str>,
    /// What went wrong.
    pub error: Option<String>,
}

impl Layout {
    /// The layout of a logged-in user's page.
    pub fn of(user: &WebUser) -> Layout {
        Layout {
            t: user.t,
            who: user.who(),
            patient: user.is_patient(),
            staff: !user.roles.is_empty(),
            base: user.base(),
            acting_for: user.acting.as_ref().map(|a| {
                let account = &a.account;
                match a.basis {
                    caduceus_service::mandates::Basis::Delegate => {
                        format!("{} <{}>", account.display_name, account.address.as_str())
                    }
                    // A patient by name only (their address is their INS).
                    caduceus_service::mandates::Basis::Representative => {
                        account.display_name.clone()
                    }
                }
            }),
            switcher: acting::switcher(
                user.t,
                user.login.account(),
                &user.acted_for,
                user.holder().id,
            ),
            csrf: user.csrf(),
            flash: None,
            error: None,
        }
    }

    /// The layout of a page before login.
    pub fn anonymous(t: &'static Texts) -> Layout {
        Layout {
            t,
            who: None,
            patient: false,
            staff: false,
            base: "/mail".to_owned(),
            acting_for: None,
            switcher: Vec::new(),
            csrf: String::new(),
            flash: None,
            error: None,
        }
    }
}

/// Makes a page struct (with a `layout` field) dereference to its [`Layout`].
macro_rules! layout_page {
    ($page:ty) => {
        impl std::ops::Deref for $page {
            type Target = $crate::webmail::Layout;
            fn deref(&self) -> &$crate::webmail::Layout {
                &self.layout
            }
        }
        impl std::ops::DerefMut for $page {
            fn deref_mut(&mut self) -> &mut $crate::webmail::Layout {
                &mut self.layout
            }
        }
    };
}
pub(crate) use layout_page;

/// A page from a rendered template, or a plain error if rendering failed.
pub fn page(rendered: Result<String, askama::Error>) -> Response {
    match rendered {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "page rendering failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page rendering failed").into_response()
        }
    }
}
