//! The directory (ID-4) as FHIR resources, and the delivery state of a sent
//! message (MS-16).

use caduceus_core::Requirement;
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use caduceus_core::directory::SearchQuery;
use caduceus_service::Service;

use super::login::User;
use super::problem::{ApiResult, Problem};

/// `GET /directory`: a FHIR `Bundle` of type `searchset` with the `Practitioner`,
/// `PractitionerRole` and `Organization` resources of the matching mailboxes. Liste
/// rouge entries and patients are never listed (ID-4).
pub async fn search(
    State(service): State<Service>,
    _user: User,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<serde_json::Value>> {
    let mut query = SearchQuery::default();
    for (key, value) in params {
        let slot = match key.as_str() {
            "name" => &mut query.name,
            "profession" => &mut query.profession,
            "specialty" => &mut query.specialty,
            "place" => &mut query.place,
            "identifier" => &mut query.identifier,
            other => {
                return Err(Problem::bad_request(format!(
                    "unknown search parameter {other:?}; use name, profession, specialty, place or identifier"
                )));
            }
        };
        *slot = Some(value);
    }
    if query.is_empty() {
        return Err(Problem::bad_request(
            "give at least one of name, profession, specialty, place, identifier",
        )
        .requirement(Requirement::Id4));
    }
    let entries = service.search_directory(&query).await?;
    let resources: Vec<serde_json::Value> = entries
        .iter()
        .flat_map(|entry| {
            let bundle = entry.to_fhir();
            bundle["entry"].as_array().cloned().unwrap_or_default()
        })
        .collect();
    Ok(Json(serde_json::json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": entries.len(),
        "entry": resources,
    })))
}

/// `GET /outbound/{queue_ref}`: where each recipient at another operator stands;
/// only the sender (or a delegate of the mailbox sent from) may ask (AC-1).
pub async fn delivery_status(
    State(service): State<Service>,
    user: User,
    Path(queue_ref): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let items = service
        .delivery_status(&user.login.caller(), &queue_ref)
        .await?;
    let recipients: Vec<_> = items
        .iter()
        .map(|item| {
            serde_json::json!({
                "recipient": item.recipient.as_str(),
                "state": item.state.as_str(),
                "attempts": item.attempts,
                "next_attempt": item.next_attempt.rfc5322(),
                "expires": item.expires.rfc5322(),
                "last_reply": item.last_reply,
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "queue_ref": queue_ref,
        "recipients": recipients,
    })))
}
