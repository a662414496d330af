//! API errors as RFC 9457 `application/problem+json`, each naming the requirement
//! behind it (`requirement`) and saying what to do (`detail`). A storage failure says
//! nothing more than "internal error": the cause goes to the log, never a message's
//! content.

use caduceus_core::Requirement;
use caduceus_core::contact::CodeRefusal;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use caduceus_core::{Clock, SystemClock};
use caduceus_service::ServiceError;
use caduceus_service::model::StoreError;

/// An API error, rendered as problem+json.
#[derive(Debug)]
pub struct Problem {
    status: StatusCode,
    kind: &'static str,
    title: &'static str,
    detail: String,
    requirement: Option<Requirement>,
    retry_after: Option<Duration>,
    /// How many more codes may be typed (AU-1, AU-3), as the `tries_left` member.
    tries_left: Option<u32>,
}

impl Problem {
    /// A problem with `status`, a short `kind` (the last segment of its type URI) and
    /// a `detail` for the developer.
    pub fn new(status: StatusCode, kind: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            status,
            kind,
            title: status.canonical_reason().unwrap_or("Error"),
            detail: detail.into(),
            requirement: None,
            retry_after: None,
            tries_left: None,
        }
    }

    /// A malformed request (400).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", detail)
    }

    /// Nothing found there (404).
    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", detail)
    }

    /// No or wrong credentials (401).
    pub fn unauthenticated() -> Self {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "log in: a session token or an access token as `Authorization: Bearer`, or a client certificate",
        )
        .requirement(Requirement::Au1)
    }

    /// Names the requirement behind the problem.
    pub fn requirement(mut self, id: Requirement) -> Self {
        self.requirement = Some(id);
        self
    }

    /// The requirement the problem names, if any (the webmail words it, issue 22).
    pub fn requirement_id(&self) -> Option<Requirement> {
        self.requirement
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What the problem says, with its requirement when it names one.
    pub fn detail(&self) -> String {
        match self.requirement {
            Some(requirement) => format!("{requirement}: {}", self.detail),
            None => self.detail.clone(),
        }
    }
}

impl From<ServiceError> for Problem {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused(refusal) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "refused", refusal.reason)
                    .requirement(refusal.requirement)
            }
            ServiceError::Denied {
                requirement,
                reason,
            } => Problem::new(StatusCode::FORBIDDEN, "denied", reason).requirement(requirement),
            // A refused confirmation code (AU-1): the service's words, and the tries
            // left of a wrong one as a member a program reads (AU-3).
            ServiceError::CodeRefused(refused) => {
                let mut problem =
                    Problem::new(StatusCode::FORBIDDEN, "denied", refused.to_string())
                        .requirement(Requirement::Au1);
                if let CodeRefusal::Wrong { tries_left } = refused {
                    problem.tries_left = Some(tries_left);
                }
                problem
            }
            ServiceError::Invalid(detail) => Problem::bad_request(detail),
            ServiceError::Conflict(detail) => {
                Problem::new(StatusCode::CONFLICT, "conflict", detail)
                    .requirement(Requirement::Ms18)
            }
            ServiceError::NotFound(what) => Problem::not_found(format!("{what} not found")),
            // The gate refuses to check another attempt before the delay is over
            // (AU-3): the answer says when to retry instead of holding the request.
            ServiceError::AuthFailed { delay } => {
                let mut problem = Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "authentication failed",
                )
                .requirement(Requirement::Au3);
                problem.retry_after = (!delay.is_zero()).then_some(delay);
                problem
            }
            ServiceError::Throttled { until } | ServiceError::Locked { until } => {
                let detail = error.to_string();
                let mut problem = Problem::new(StatusCode::TOO_MANY_REQUESTS, "throttled", detail)
                    .requirement(Requirement::Au3);
                problem.retry_after = Some(until.duration_since(SystemClock.now()));
                problem
            }
            ServiceError::RateLimited {
                reason,
                retry_after,
            } => {
                let mut problem =
                    Problem::new(StatusCode::TOO_MANY_REQUESTS, "rate-limited", reason)
                        .requirement(Requirement::Ms13);
                problem.retry_after = Some(retry_after);
                problem
            }
            ServiceError::OverQuota(detail) => {
                Problem::new(StatusCode::INSUFFICIENT_STORAGE, "over-quota", detail)
            }
            ServiceError::Unavailable(detail) => {
                let mut problem =
                    Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", detail);
                problem.retry_after = Some(Duration::from_secs(60));
                problem
            }
            ServiceError::Store(StoreError::Conflict { what, .. }) => Problem::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("this {what} already exists"),
            ),
            ServiceError::Store(StoreError::NotFound { what, .. }) => {
                Problem::not_found(format!("{what} not found"))
            }
            ServiceError::Store(store) if store.is_storage_full() => {
                let mut problem = Problem::new(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "storage-full",
                    "the server's storage is full: nothing was changed, try again later",
                );
                problem.retry_after = Some(Duration::from_secs(60));
                problem
            }
            other => {
                tracing::error!(error = %other, "API request failed");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "internal error; nothing was changed, try again",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({
            "type": format!("urn:caduceus:problem:{}", self.kind),
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if let Some(requirement) = self.requirement {
            body["requirement"] = requirement.as_str().into();
        }
        if let Some(tries_left) = self.tries_left {
            body["tries_left"] = tries_left.into();
        }
        let mut response = (self.status, body.to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(after) = self.retry_after {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(after.as_secs().max(1)),
            );
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"caduceus\""),
            );
        }
        response
    }
}

/// Shorthand for API handler results.
pub type ApiResult<T> = Result<T, Problem>;
