//! HTTPS front end of Caduceus: for now the health probe and a landing page; the
//! JSON API, the webmail and the admin console arrive with their issue. Like every
//! front end it reaches data only through `caduceus-service`.
//!
//! # Layout
//! - [`router`]: the axum routes.
//! - [`serve_https`]: the TLS accept loop (rustls; TLS 1.2+ only, MS-3), one task per
//!   connection, stopping on a shutdown signal.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use caduceus_service::Service;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// The routes: `/healthz` (JSON, 200 when the store answers, 503 otherwise) and `/`.
pub fn router(service: Service) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/", get(index))
        .route("/inactivity/object", get(object_to_deletion))
        .with_state(service)
}

async fn healthz(State(service): State<Service>) -> impl IntoResponse {
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
async fn object_to_deletion(
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

async fn index(State(service): State<Service>) -> impl IntoResponse {
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

/// Accepts TLS connections on `listener` and serves `router` on each, until `stop`
/// turns true; then stops accepting and lets open connections finish.
pub async fn serve_https(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    router: Router,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let acceptor = TlsAcceptor::from(tls);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => accepted?,
            _ = stop.changed() => break,
        };
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(router.clone());
        connections.spawn(async move {
            let tls = match acceptor.accept(tcp).await {
                Ok(tls) => tls,
                Err(error) => {
                    tracing::debug!(%peer, %error, "TLS handshake failed");
                    return;
                }
            };
            if let Err(error) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                tracing::debug!(%peer, %error, "HTTPS connection ended with an error");
            }
        });
        while connections.try_join_next().is_some() {}
    }
    while connections.join_next().await.is_some() {}
    Ok(())
}
