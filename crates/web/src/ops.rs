//! The operations listener, apart from the public one: `/metrics` in the Prometheus
//! text format and `/healthz`. Plain HTTP, meant for 127.0.0.1 or the operator's
//! monitoring network only; it shows figures, never an address or content.

use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use caduceus_service::Service;
use caduceus_service::metrics::{
    ANTIVIRUS_SCANNING, HTTP_SECONDS, LISTING_CACHE_BYTES, LISTING_CACHE_ENTRIES, QUEUE_DEPTH,
};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

/// Latency buckets, in seconds, of every `*_seconds` histogram.
const BUCKETS: [f64; 12] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Installs the process-wide Prometheus recorder; the handle renders `/metrics`.
pub fn install_recorder() -> Result<PrometheusHandle, BuildError> {
    PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)?
        .install_recorder()
}

#[derive(Clone)]
struct Ops {
    service: Service,
    metrics: PrometheusHandle,
}

/// The routes of the operations listener.
pub fn router(service: Service, metrics: PrometheusHandle) -> Router {
    Router::new()
        .route("/metrics", get(render))
        .route("/healthz", get(health))
        .with_state(Ops { service, metrics })
}

async fn render(State(ops): State<Ops>) -> impl IntoResponse {
    match ops.service.outbound_depth().await {
        Ok(depth) => metrics::gauge!(QUEUE_DEPTH).set(depth as f64),
        Err(error) => tracing::warn!(%error, "queue depth unavailable"),
    }
    metrics::gauge!(ANTIVIRUS_SCANNING).set(if ops.service.scanner_configured() {
        1.0
    } else {
        0.0
    });
    let (entries, bytes) = ops.service.listing_cache_usage();
    metrics::gauge!(LISTING_CACHE_ENTRIES).set(entries as f64);
    metrics::gauge!(LISTING_CACHE_BYTES).set(bytes as f64);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        ops.metrics.render(),
    )
}

async fn health(State(ops): State<Ops>) -> impl IntoResponse {
    crate::pages::healthz(State(ops.service)).await
}

/// Middleware of the public router: the latency of each request, by route template
/// (never the path itself, which may hold an address) and status class.
pub async fn time_requests(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let class = format!("{}xx", response.status().as_u16() / 100);
    metrics::histogram!(HTTP_SECONDS, "route" => route, "method" => method, "status" => class)
        .record(started.elapsed().as_secs_f64());
    response
}

pub use crate::listener::serve_plain;
