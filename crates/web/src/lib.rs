//! HTTPS front end of Caduceus: the JSON API for practice software (MS-18), the
//! health probe and the pages outside the API. Like every front end it reaches data
//! only through `caduceus-service`, which enforces every rule; nothing here decides
//! who may see what.
//!
//! # Layout
//! - [`router`] (this file): all routes.
//! - [`api`]: the JSON API under `/api/v1`, its OpenAPI document, errors as
//!   `application/problem+json` naming the requirement.
//! - [`bodies`]: request bodies bounded (AU-3): small before login, a message's
//!   size only where sending, after the caller is authenticated.
//! - `pages`: `/healthz`, `/`, the inactivity objection link (RT-1).
//! - `announcement`: `/announcement`, the page of a patient mailbox's announcement
//!   (ID-5, AC-3): object, or accept now, with the notice's one-time token, no login.
//! - [`listener`]: HTTPS on the shared listener skeleton (`caduceus-net`: caps,
//!   handshake time limit, shutdown deadline), idle connections closed
//!   ([`listener::Limits`]); each request carries its [`listener::Peer`]
//!   (address, client certificate).
//! - [`webmail`]: the pages for professionals and patients.
//! - [`admin`]: the admin console for the operator's staff (no content, ever).
//! - [`ops`]: the operations listener (`/metrics`, `/healthz`) and the request timer.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
mod announcement;
pub mod api;
pub mod bodies;
pub mod listener;
pub mod ops;
mod pages;
pub mod webmail;

use axum::Router;
use axum::routing::get;
use caduceus_service::Service;

pub use listener::serve_https;

/// The routes: `/healthz` (JSON, 200 when the store answers, 503 otherwise), `/`,
/// `/inactivity/object`, `/announcement`, the API under `/api/v1`, the webmail (also
/// at `/mail/as/{account}/…`, acting for another mailbox) and the admin console. Request bodies are bounded by
/// [`bodies::BEFORE_LOGIN`], but for sending a message once logged in.
pub fn router(service: Service) -> Router {
    let max_message_size = service.config().max_message_size;
    let routes = Router::new()
        .route("/healthz", get(pages::healthz))
        .route("/", get(pages::index))
        .route("/inactivity/object", get(pages::object_to_deletion))
        .route(
            "/register/confirm",
            get(pages::registration_link).post(pages::confirm_registration),
        )
        .route(
            "/announcement",
            get(announcement::show).post(announcement::answer),
        )
        .nest("/api/v1", api::router(max_message_size))
        .merge(webmail::router(max_message_size))
        .merge(admin::router().layer(axum::middleware::from_fn(webmail::security_headers)))
        .route_layer(axum::middleware::from_fn(ops::time_requests))
        .layer(axum::extract::DefaultBodyLimit::max(bodies::BEFORE_LOGIN))
        .layer(axum::middleware::from_fn_with_state(
            bodies::Bounds::new(max_message_size),
            bodies::refuse_declared_too_large,
        ))
        .with_state(service);
    // `/mail/as/{account}/…` is routed as `/mail/…` on the mailbox acted for (ID-3,
    // ID-7): rewritten before routing.
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::from_fn(webmail::acting::rewrite))
}
