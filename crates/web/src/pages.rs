//! The pages outside the API: the health probe, the landing page, the inactivity
//! objection link (RT-1), the self-registration's address confirmation (ID-1).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use caduceus_service::Service;

pub(crate) async fn healthz(State(service): State<Service>) -> impl IntoResponse {
    let (status, body) = match service.health().await {
        Ok(()) => (StatusCode::OK, serde_json::json!({ "status": "ok" })),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({ "status": "unavailable", "reason": "storage" }),
            )
        }
    };
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
}

/// The link of an inactivity warning (RT-1): records the owner's objection, which
/// keeps the mailbox for another period.
pub(crate) async fn object_to_deletion(
    State(service): State<Service>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> impl IntoResponse {
    let token = query.get("token").map(String::as_str).unwrap_or_default();
    let (status, text) = match service.object_to_deletion(token, "web").await {
        Ok(()) => (
            StatusCode::OK,
            "Votre messagerie est conservee. / Your mailbox is kept.",
        ),
        Err(caduceus_service::ServiceError::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            "Ce lien n'est pas valide. / This link is not valid.",
        ),
        Err(error) => {
            tracing::warn!(%error, "objection not recorded");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Reessayez plus tard. / Try again later.",
            )
        }
    };
    plain(status, &format!("<p>{text}</p>"))
}

/// A page with `body` in its `<main>`, nothing loaded from anywhere, forms posted
/// only here (the links of notices: RT-1, ID-1, ID-5).
pub(crate) fn plain(status: StatusCode, body: &str) -> impl IntoResponse + use<> {
    let page = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Caduceus</title></head><body><main>{body}</main></body></html>"
    );
    (
        status,
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; form-action 'self'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        Html(page),
    )
}

/// The form behind a confirmation link (`?token=`).
#[derive(serde::Deserialize)]
pub(crate) struct ConfirmForm {
    token: String,
}

/// `GET /register/confirm?token=`: the link sent to a self-registered professional's
/// out-of-band address (ID-1) shows a button; following a link changes nothing, so a
/// mail scanner that fetches links cannot activate an account.
pub(crate) async fn registration_link(
    axum::extract::Query(form): axum::extract::Query<ConfirmForm>,
) -> impl IntoResponse {
    let token: String = form.token.chars().filter(char::is_ascii_hexdigit).collect();
    plain(
        StatusCode::OK,
        &format!(
            "<h1>Confirmer votre adresse</h1>\
             <form method=\"post\" action=\"/register/confirm\">\
             <input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <button type=\"submit\">Confirmer et activer mon compte</button></form>\
             <p lang=\"en\">Confirm your address: the button above activates your account.</p>"
        ),
    )
}

/// `POST /register/confirm`: confirms the out-of-band address and activates the
/// account (ID-1, ID-2); traced by the service.
pub(crate) async fn confirm_registration(
    State(service): State<Service>,
    peer: Option<axum::Extension<crate::listener::Peer>>,
    axum::Form(form): axum::Form<ConfirmForm>,
) -> impl IntoResponse {
    let source = peer
        .as_deref()
        .map_or_else(|| "https:unknown".to_owned(), crate::listener::Peer::source);
    let (status, text) = match service.confirm_registration(&form.token, &source).await {
        Ok(_) => (
            StatusCode::OK,
            "Votre adresse est confirmée et votre compte actif : connectez-vous avec votre \
             carte CPS ou e-CPS.</p><p lang=\"en\">Your address is confirmed and your account \
             active: log in with your CPS card or e-CPS.",
        ),
        Err(caduceus_service::ServiceError::NotFound(_)) => (
            StatusCode::NOT_FOUND,
            "Ce lien est inconnu, déjà utilisé ou expiré : inscrivez-vous de nouveau.</p>\
             <p lang=\"en\">This link is unknown, already used or expired: register again.",
        ),
        Err(error) => {
            tracing::warn!(%error, "registration not confirmed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "Réessayez plus tard.</p><p lang=\"en\">Try again later.",
            )
        }
    };
    plain(status, &format!("<p>{text}</p>"))
}

pub(crate) async fn index(State(service): State<Service>) -> impl IntoResponse {
    let domain = service.config().domain.as_str().to_owned();
    let page = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Caduceus</title></head><body><main><h1>Caduceus</h1>\
         <p>Secure health messaging for {domain}.</p></main></body></html>"
    );
    (
        [
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Html(page),
    )
}
