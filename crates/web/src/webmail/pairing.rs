//! Pairing a phone (MS-18, seed 004 §7.2): the desktop's "Pair a phone" shows a QR
//! code (SVG rendered here, no client library) of `https://HOST/pair/{token}` and
//! the same address as text for whoever cannot scan; the phone opening it registers
//! its own passkey, without the password. A used or expired link is refused in plain
//! words. The token's rules are the service's.

use askama::Template;
use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use caduceus_core::SecretString;
use caduceus_core::passkey::PairingRefusal;
use caduceus_service::Service;
use qrcode::QrCode;
use qrcode::render::svg;
use serde_json::json;

use super::i18n::Texts;
use super::login::{CsrfForm, cross_site, source_of};
use super::mail::refused;
use super::passkeys::{Named, Registered, json_refusal};
use super::{Layout, Posted, layout_page, page, texts};
use crate::listener::Peer;

#[derive(Template)]
#[template(path = "pair.html")]
struct PairPage {
    layout: Layout,
    /// The pairing address, shown as text beside the code.
    url: String,
    /// The QR code of `url`, an inline SVG.
    qr: String,
}

layout_page!(PairPage);

#[derive(Template)]
#[template(path = "phone.html")]
struct PhonePage {
    layout: Layout,
    /// The account the phone pairs with.
    address: String,
    /// Where the script begins and finishes the registration.
    token: String,
}

layout_page!(PhonePage);

/// The QR code of `text` as an SVG element, without the XML declaration.
fn qr_svg(text: &str) -> Option<String> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    let start = image.find("<svg")?;
    Some(image[start..].to_owned())
}

/// `POST /mail/settings/pair`: makes a one-time token (traced) and shows its QR code.
pub async fn make(
    State(service): State<Service>,
    headers: HeaderMap,
    Posted { user, form: _ }: Posted<CsrfForm>,
) -> Response {
    let offer = match service.make_pairing_token(&user.login).await {
        Ok(offer) => offer,
        Err(error) => return refused(&user, error),
    };
    // The host the desktop reached the webmail at: the phone reaches the same one.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let url = format!("https://{host}/pair/{}", offer.token.expose());
    let Some(qr) = qr_svg(&url) else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "QR code").into_response();
    };
    let view = PairPage {
        layout: Layout::of(&user),
        url,
        qr,
    };
    let mut response = page(view.render());
    // A page with a secret on it: never stored.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

/// The words for why a pairing link cannot be used.
fn why(t: &'static Texts, refusal: PairingRefusal) -> &'static str {
    match refusal {
        PairingRefusal::Used => t.passkeys.pair_used,
        PairingRefusal::Expired => t.passkeys.pair_expired,
        PairingRefusal::Unknown => t.passkeys.pair_unknown,
    }
}

/// `GET /pair/{token}`: the phone's page, or why the link cannot be used (410).
pub async fn phone(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
    Path(token): Path<String>,
) -> Response {
    let t = texts(&headers, uri.query());
    let secret = SecretString::new(token.clone());
    let source = source_of(peer.as_deref());
    let mut view = PhonePage {
        layout: Layout::anonymous(t),
        address: String::new(),
        token,
    };
    let status = match service.check_pairing_token(&secret, &source).await {
        Ok(Ok(account)) => {
            view.address = account.address.as_str().to_owned();
            StatusCode::OK
        }
        Ok(Err(refusal)) => {
            view.error = Some(why(t, refusal).to_owned());
            view.token.clear();
            StatusCode::GONE
        }
        Err(error) => return json_refusal(t, error),
    };
    (status, page(view.render())).into_response()
}

/// `POST /pair/{token}/begin`: the phone's registration options.
pub async fn begin(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
    Path(token): Path<String>,
    Json(named): Json<Named>,
) -> Response {
    let t = texts(&headers, uri.query());
    if cross_site(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let source = source_of(peer.as_deref());
    match service
        .begin_pairing(&SecretString::new(token), named.name(), &source)
        .await
    {
        Ok(c) => Json(json!({ "ceremony": c.id, "options": c.options })).into_response(),
        Err(error) => spent_or(t, error),
    }
}

/// `POST /pair/{token}/finish`: keeps the phone's passkey, spends the token.
pub async fn finish(
    State(service): State<Service>,
    headers: HeaderMap,
    uri: Uri,
    peer: Option<Extension<Peer>>,
    Path(token): Path<String>,
    Json(answer): Json<Registered>,
) -> Response {
    let t = texts(&headers, uri.query());
    if cross_site(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let source = source_of(peer.as_deref());
    let (ceremony, credential) = answer.parts();
    match service
        .finish_pairing(&SecretString::new(token), ceremony, credential, &source)
        .await
    {
        Ok(_) => Json(json!({ "next": "/login" })).into_response(),
        Err(error) => spent_or(t, error),
    }
}

/// A pairing refusal (MS-18) in the page's words; anything else as usual.
fn spent_or(t: &'static Texts, error: caduceus_service::ServiceError) -> Response {
    let refusal = match &error {
        caduceus_service::ServiceError::Refused(r) => [
            PairingRefusal::Used,
            PairingRefusal::Expired,
            PairingRefusal::Unknown,
        ]
        .into_iter()
        .find(|why| caduceus_core::Refusal::from(*why).reason == r.reason),
        _ => None,
    };
    match refusal {
        Some(refusal) => {
            (StatusCode::GONE, Json(json!({ "error": why(t, refusal) }))).into_response()
        }
        None => json_refusal(t, error),
    }
}
