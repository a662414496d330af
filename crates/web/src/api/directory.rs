//! The directory (ID-4) as FHIR resources, the certificates of its mailboxes, and
//! the delivery state of a sent message (MS-16).

use caduceus_core::Requirement;
use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use caduceus_core::MailAddress;
use caduceus_core::directory::SearchQuery;
use caduceus_service::Service;

use super::login::User;
use super::problem::{ApiResult, Problem};

/// `GET /directory`: a FHIR `Bundle` of type `searchset` with the `Practitioner`,
/// `PractitionerRole` and `Organization` resources of the matching mailboxes. Liste
/// rouge entries and patients are never listed (ID-4); each mailbox's certificates
/// ride on its `email` telecom (`caduceus_core::directory::fhir::CERTIFICATE_EXTENSION`).
/// Traced (TR-1).
pub async fn search(
    State(service): State<Service>,
    user: User,
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
    let listing = service
        .find_in_directory(&user.login.caller(), &query, true)
        .await?;
    let resources: Vec<serde_json::Value> = listing
        .entries
        .iter()
        .flat_map(|listed| {
            let bundle = listed.entry.to_fhir_with_certificates(&listed.certificates);
            bundle["entry"].as_array().cloned().unwrap_or_default()
        })
        .collect();
    Ok(Json(serde_json::json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": listing.entries.len(),
        "entry": resources,
    })))
}

/// `GET /directory/certificates/{address}`: the S/MIME certificates of a listed
/// mailbox of this operator, as `application/pem-certificate-chain` (RFC 8555 §9.1),
/// to encrypt to (MS-3). 404 for an address not in the directory, on the liste
/// rouge, a patient's (ID-4), another operator's or one without a certificate.
pub async fn certificates(
    State(service): State<Service>,
    user: User,
    Path(address): Path<String>,
) -> ApiResult<Response> {
    let absent = || {
        Problem::not_found(
            "no certificate is published for this address: it is not a listed mailbox of this operator, or has none",
        )
        .requirement(Requirement::Id4)
    };
    let Ok(address) = MailAddress::parse(address.trim()) else {
        return Err(absent());
    };
    let listed = service
        .find_listed(&user.login.caller(), &address, true)
        .await?;
    let Some(listed) = listed.filter(|l| !l.certificates.is_empty()) else {
        return Err(absent());
    };
    let pem: String = listed.certificates.iter().map(|der| pem(der)).collect();
    Ok((
        [(header::CONTENT_TYPE, "application/pem-certificate-chain")],
        pem,
    )
        .into_response())
}

/// A DER certificate in PEM (RFC 7468): base64 in lines of 64 characters.
fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::prelude::BASE64_STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in text.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// `GET /outbound/{queue_ref}`: where each recipient at another operator stands, with
/// the signed notification written about it (`receipt`, MS-16); only the sender (or a
/// delegate of the mailbox sent from) may ask (AC-1).
pub async fn delivery_status(
    State(service): State<Service>,
    user: User,
    Path(queue_ref): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    // MS-16: each recipient with the signed notification about it, as its proof.
    let items = service
        .delivery_receipts(&user.login.caller(), &queue_ref)
        .await?;
    let recipients: Vec<_> = items
        .iter()
        .map(|(item, receipt)| {
            serde_json::json!({
                "receipt": receipt.as_deref().map(String::from_utf8_lossy),
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
