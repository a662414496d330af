//! `POST /api/v1/registrations`: a professional registers themselves (ID-1, seed 004
//! §7.1) with the connection's CPS card (client certificate) or a Pro Santé Connect
//! access token (`Authorization: Bearer`). The service matches them against the
//! national register ([`caduceus_service::enrolment`]).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::{Extension, Json};
use caduceus_core::{MailAddress, NationalId, SecretString};
use caduceus_service::Service;
use caduceus_service::enrolment::{Application, Registered};
use caduceus_service::federation::Asserted;
use serde::Deserialize;
use serde_json::json;

use super::problem::{ApiResult, Problem};
use crate::listener::Peer;

/// The request's body.
#[derive(Deserialize)]
pub struct Request {
    /// The mailbox address wanted, in the operator's domain.
    address: String,
    /// The out-of-band address, outside the trust space.
    contact: String,
}

fn address(field: &str, text: &str) -> ApiResult<MailAddress> {
    MailAddress::parse(text).map_err(|e| Problem::bad_request(format!("{field}: {e}")))
}

/// `POST /registrations`: 201 with the account's state and what comes next — the
/// link sent to the contact address (`confirm_address`), or a registration authority
/// (`registration_authority`, with the reason).
pub async fn register(
    State(service): State<Service>,
    peer: Option<Extension<Peer>>,
    headers: HeaderMap,
    Json(request): Json<Request>,
) -> ApiResult<impl IntoResponse> {
    let source = peer
        .as_deref()
        .map_or_else(|| "https:unknown".to_owned(), Peer::source);
    let application = Application {
        address: address("address", &request.address)?,
        contact: address("contact", &request.contact)?,
    };
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| SecretString::new(t.trim().to_owned()));
    let card = peer.as_deref().and_then(|p| p.certificate.as_ref());
    let registered = match (bearer, card) {
        // No provider to check a token with: the token proves nothing here.
        (Some(_), _) if !service.accepts_bearer_tokens() => {
            return Err(Problem::unauthenticated());
        }
        (Some(token), _) => {
            service
                .register_with_token(&token, &application, &source)
                .await?
        }
        (None, Some(card)) => {
            let national_id = card
                .serial_number
                .as_deref()
                .and_then(|serial| NationalId::parse(serial).ok())
                .ok_or_else(|| {
                    Problem::bad_request("the card's certificate carries no national identifier")
                })?;
            let holder = Asserted {
                national_id,
                family_name: card.family_name.clone(),
                given_name: card.given_name.clone(),
            };
            service
                .register_with_card(holder, &application, &source)
                .await?
        }
        (None, None) => return Err(Problem::unauthenticated()),
    };
    let body = match registered {
        Registered::AwaitingConfirmation(account) => json!({
            "id": account.id.0,
            "address": account.address.as_str(),
            "state": account.state.as_str(),
            "next": "confirm_address",
        }),
        Registered::Referred(account, why) => json!({
            "id": account.id.0,
            "address": account.address.as_str(),
            "state": account.state.as_str(),
            "next": "registration_authority",
            "reason": why.as_str(),
        }),
    };
    Ok((StatusCode::CREATED, Json(body)))
}
