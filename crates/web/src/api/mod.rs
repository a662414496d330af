//! The JSON API for practice software (MS-18), under `/api/v1`, described by the
//! OpenAPI 3.1 document at `/api/v1/openapi.json`.
//!
//! # Layout
//! - [`login`]: who calls ([`login::User`]: session token, access token or client
//!   certificate) and the session routes.
//! - [`messages`]: folders and messages: list, read, download, flag, move, delete.
//! - [`send`]: sending, with idempotency keys.
//! - [`directory`]: directory search (FHIR), mailbox certificates (PEM) and delivery
//!   status.
//! - [`account`]: device credentials, a patient's blocks, opposition and access log,
//!   the forwarding rule, the terms of use, where notices go (a new contact confirmed
//!   by its code, AU-1).
//! - [`absence`]: the holder's out-of-office reply and signature (MS-6, RFC 3834).
//! - [`export`]: the streamed export of one's messages (RT-4).
//! - [`rights`]: the holder's rights over their account (AC-3): directory choices,
//!   a correction request, the account's own data, closing it.
//! - [`registrations`]: a professional registers themselves with a card or Pro Santé
//!   Connect (ID-1).
//! - [`problem`]: errors as `application/problem+json` naming the requirement.

pub mod absence;
pub mod account;
pub mod directory;
pub mod export;
pub mod login;
pub mod messages;
pub mod problem;
pub mod registrations;
pub mod rights;
pub mod send;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{delete, get, patch, post, put};
use caduceus_service::Service;

/// The OpenAPI 3.1 document of this API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// The API routes, relative to `/api/v1`. Request bodies are bounded by
/// [`crate::bodies::BEFORE_LOGIN`] (the router's), but for sending a message: the
/// message size limit (plus the multipart framing), read only once the caller is
/// authenticated (AU-3).
pub fn router(max_message_size: usize) -> Router<Service> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/session", post(login::open).delete(login::close))
        .route("/session/certificate", post(login::open_with_certificate))
        .route("/session/code", post(login::send_code))
        .route("/registrations", post(registrations::register))
        .route("/me", get(login::me))
        .route(
            "/folders",
            get(messages::folders).post(messages::create_folder),
        )
        .route("/folders/{folder}", patch(messages::change_folder))
        .route("/folders/{folder}/messages", get(messages::list))
        .route(
            "/messages",
            post(send::send).layer(DefaultBodyLimit::max(max_message_size + 64 * 1024)),
        )
        .route(
            "/messages/{id}",
            get(messages::get)
                .patch(messages::change)
                .delete(messages::delete),
        )
        .route("/messages/{id}/raw", get(messages::raw))
        .route(
            "/messages/{id}/attachments/{index}",
            get(messages::attachment),
        )
        .route("/directory", get(directory::search))
        .route(
            "/directory/certificates/{address}",
            get(directory::certificates),
        )
        .route("/certificates", post(account::request_certificate))
        .route(
            "/account/encryption",
            get(account::encryption).put(account::set_encryption),
        )
        .route(
            "/account/absence",
            get(absence::absence).put(absence::set_absence),
        )
        .route(
            "/account/signature",
            get(absence::signature).put(absence::set_signature),
        )
        .route("/outbound/{queue_ref}", get(directory::delivery_status))
        .route("/devices", get(account::devices).post(account::add_device))
        .route("/devices/{id}", delete(account::revoke_device))
        .route("/patient/access-log", get(account::access_log))
        .route("/patient/blocks", get(account::blocks))
        .route(
            "/patient/blocks/{address}",
            put(account::block).delete(account::unblock),
        )
        .route(
            "/patients/{ins}/opposition",
            get(account::opposition)
                .put(account::oppose)
                .delete(account::withdraw_opposition),
        )
        .route("/export", get(export::export))
        .route(
            "/account/directory",
            get(rights::directory).put(rights::set_directory),
        )
        .route(
            "/account/corrections",
            get(rights::corrections).post(rights::request_correction),
        )
        .route("/account/data", get(rights::data))
        .route("/account/close", post(rights::close))
        .route("/terms", get(account::terms).post(account::accept_terms))
        .route(
            "/notifications",
            get(account::notifications).put(account::set_notifications),
        )
        .route("/notifications/confirm", post(account::confirm_contact))
        .route(
            "/forwarding",
            get(account::forwarding)
                .put(account::set_forwarding)
                .delete(account::stop_forwarding),
        )
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}
