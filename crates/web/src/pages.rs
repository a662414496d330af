//! The pages outside the API: the health probe, the landing page, the inactivity
//! objection link (RT-1).

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
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Caduceus</title></head>\
         <body><main><p>{text}</p></main></body></html>"
    );
    (
        status,
        [
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        Html(page),
    )
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
