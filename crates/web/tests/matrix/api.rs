//! The matrix's cells through the JSON API (Python's http.client,
//! `scripts/matrix.py`): the request of each operation, and what its answer must be.

use caduceus_core::authz::{Expected, Operation, Reach};
use serde_json::{Value, json};

use caduceus_testkit::certificates::certificate_request;

use super::{ARCHIVE, CONTACT, CONTACT_CODE, Cast, Cell, INS, RECIPIENT, RITA};

/// The API request of `cell`: on its target copy, on the patient, a message sent as
/// the cell's identity, on the owner's device, on the patient's own log or blocks.
fn request(cell: &Cell) -> (&'static str, String) {
    let m = format!("?mailbox={}", cell.target.address);
    let id = cell.target.id.0;
    match cell.operation {
        Operation::ListFolder => ("GET", format!("/folders/INBOX/messages{m}")),
        Operation::SearchFolder => (
            "GET",
            format!("/folders/INBOX/messages{m}&q={}", cell.marker),
        ),
        Operation::ReadMessage => ("GET", format!("/messages/{id}{m}")),
        Operation::ReadRaw => ("GET", format!("/messages/{id}/raw{m}")),
        Operation::ReadAttachment => ("GET", format!("/messages/{id}/attachments/0{m}")),
        Operation::FlagMessage | Operation::MoveMessage => ("PATCH", format!("/messages/{id}{m}")),
        Operation::SetForwarding => ("PUT", format!("/forwarding{m}")),
        Operation::Export => ("GET", "/export".to_owned()),
        Operation::DeleteMessage => ("DELETE", format!("/messages/{id}{m}")),
        Operation::QueryOpposition => ("GET", format!("/patients/{INS}/opposition")),
        Operation::RecordOpposition => ("PUT", format!("/patients/{INS}/opposition")),
        Operation::WithdrawOpposition => ("DELETE", format!("/patients/{INS}/opposition")),
        Operation::SendAsSelf | Operation::SendAsOrganisation | Operation::SendAsOther => {
            ("POST", "/messages".to_owned())
        }
        Operation::ListDevices => ("GET", "/devices".to_owned()),
        Operation::AddDevice => ("POST", "/devices".to_owned()),
        Operation::RevokeDevice => {
            let device = cell.device.map_or(0, |d| d.0);
            ("DELETE", format!("/devices/{device}"))
        }
        Operation::ReadAccessLog => ("GET", "/patient/access-log".to_owned()),
        Operation::BlockProfessional => ("PUT", format!("/patient/blocks/{RITA}")),
        Operation::SetNotifications => ("PUT", "/notifications".to_owned()),
        Operation::ConfirmContact => ("POST", "/notifications/confirm".to_owned()),
        Operation::LookUpDirectory => ("GET", "/directory?name=olga".to_owned()),
        Operation::RequestCertificate => ("POST", "/certificates".to_owned()),
        Operation::SetEncryptionAtRest => ("PUT", "/account/encryption".to_owned()),
        Operation::SetAbsence => ("PUT", "/account/absence".to_owned()),
        Operation::SetSignature => ("PUT", "/account/signature".to_owned()),
        Operation::SetDirectoryPreferences => ("PUT", "/account/directory".to_owned()),
        Operation::RequestCorrection => ("POST", "/account/corrections".to_owned()),
        Operation::ExportAccountData => ("GET", "/account/data".to_owned()),
        Operation::CloseOwnAccount => ("POST", "/account/close".to_owned()),
        Operation::ReadDeliveryStatus => {
            let queue_ref = cell.queue_ref.as_deref().unwrap_or_default();
            ("GET", format!("/outbound/{queue_ref}"))
        }
        other => unreachable!("the API does not offer {other:?}"),
    }
}

/// The step of `cell` for `scripts/matrix.py`, as its party: `[label, token, method,
/// path, JSON body, form fields, client certificate and key]`.
pub fn step(cast: &Cast, cell: &Cell) -> Value {
    let person = cell.person(cast);
    let token = person.map_or("", |p| &p.token);
    let certificate = person.and_then(|p| p.certificate.clone());
    let (method, path) = request(cell);
    let body = match cell.operation {
        Operation::FlagMessage => Some(json!({ "flags": ["\\Flagged"] })),
        Operation::MoveMessage => Some(json!({ "folder": ARCHIVE })),
        Operation::SetForwarding => Some(json!({ "to": RITA })),
        Operation::SetNotifications => Some(json!({ "email": CONTACT, "new_mail": true })),
        Operation::ConfirmContact => Some(json!({ "code": CONTACT_CODE })),
        Operation::AddDevice => Some(json!({ "name": "cell" })),
        Operation::SetDirectoryPreferences => {
            Some(json!({ "liste_rouge": true, "phone_consent": false }))
        }
        Operation::RequestCorrection => Some(json!({ "what": "Nom : Matrix, pas Matrice" })),
        Operation::CloseOwnAccount => Some(json!({ "confirm": true })),
        Operation::SetEncryptionAtRest => Some(json!({ "at_rest": true })),
        Operation::SetAbsence => {
            Some(json!({ "on": true, "subject": "Absent", "text": "Retour lundi." }))
        }
        Operation::SetSignature => Some(json!({ "signature": "Dr Matrix" })),
        // A string is sent as it is: the PEM request.
        Operation::RequestCertificate => Some(json!(certificate_request())),
        _ => None,
    };
    let form = (cell.operation.reaches() == Reach::Sending).then(|| {
        json!([
            ["from", cast.sent_as(cell)],
            ["to", RECIPIENT],
            ["subject", cell.marker],
            ["text", "Bonjour."],
        ])
    });
    json!([cell.label, token, method, path, body, form, certificate])
}

/// Whether the API's `answer` (`label status content-type body`) is what `expected`
/// says: a 2xx that shows the content when allowed; 401; 404, or a 403 or 422 naming
/// the rule.
pub fn judge(cell: &Cell, expected: Expected, answer: &str) -> Result<(), String> {
    let mut parts = answer.splitn(3, ' ').skip(1);
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = parts.next().unwrap_or("");
    let status_fine = match expected {
        Expected::Allowed => (200..300).contains(&status),
        Expected::Unauthenticated => status == 401,
        Expected::Denied(want) => {
            status == 404
                || (matches!(status, 403 | 422)
                    && body.contains(&format!("\"requirement\":\"{want}\"")))
        }
    };
    let shown = body.contains(cell.sought());
    if status_fine && (!cell.reveals() || shown == (expected == Expected::Allowed)) {
        Ok(())
    } else {
        Err(format!("{status} {body}"))
    }
}
