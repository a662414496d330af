//! Request bodies are bounded (AU-3): nothing large is held for a client that has
//! not logged in. 150 unauthenticated 26 MB bodies once took 2.6 GB.
//!
//! Every route reads at most [`BEFORE_LOGIN`] bytes of body (axum's
//! `DefaultBodyLimit`, set on the router), but those that carry a message
//! ([`UPLOADS`]: sending it, or saving it as a draft): they take up to the message size limit, and authenticate their
//! caller (their first extractor) before reading a byte of it. A request that
//! declares a larger body than its route takes (`Content-Length`) is answered `413`
//! here, before the body is asked for: a client waiting on `Expect: 100-continue`
//! never sends it. One that does not declare it is cut at the limit, `413` too.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body of any route but [`UPLOADS`]: a login form, a JSON
/// request, a certificate signing request fit in it.
pub const BEFORE_LOGIN: usize = 64 * 1024;

/// The routes that carry a message (the API's send, the webmail's compose form and
/// its draft, issue 22), read after their caller is authenticated.
pub const UPLOADS: [(Method, &str); 3] = [
    (Method::POST, "/api/v1/messages"),
    (Method::POST, "/mail/compose"),
    (Method::POST, "/mail/draft"),
];

/// What each route may be sent.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// The body of an [`UPLOADS`] route: the message size limit and the multipart
    /// framing.
    pub upload: usize,
}

impl Bounds {
    /// The bounds for messages of at most `max_message_size` bytes.
    pub fn new(max_message_size: usize) -> Self {
        Self {
            upload: max_message_size + 64 * 1024,
        }
    }

    /// The largest body `request`'s route takes.
    fn of(&self, request: &Request) -> usize {
        let upload = UPLOADS
            .iter()
            .any(|(method, path)| request.method() == method && request.uri().path() == *path);
        if upload { self.upload } else { BEFORE_LOGIN }
    }
}

/// Answers `413` to a request whose declared body is larger than its route takes,
/// before a byte of it is read (AU-3).
pub async fn refuse_declared_too_large(
    State(bounds): State<Bounds>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = bounds.of(&request);
    if declared.is_some_and(|length| length > limit as u64) {
        tracing::debug!(limit, "request body larger than its route takes: 413");
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONNECTION, "close")],
            format!("request body over {limit} bytes (AU-3)"),
        )
            .into_response();
    }
    next.run(request).await
}
