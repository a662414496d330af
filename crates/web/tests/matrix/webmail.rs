//! The matrix's cells through the webmail and the admin console (Python's
//! http.client, `scripts/matrix_webmail.py`): pages and forms with the session cookie
//! and its CSRF token. In the webmail, on the user's own mailbox, the owner works in
//! their INBOX; a delegate, present or removed, opens the organisation's mailbox
//! through the mailbox switcher (`/mail/as/{account}/…`, ID-3); anyone else names
//! the target's mailbox as a folder of their own, or its message by id. In the admin
//! console, each staff member acts under their role.

use caduceus_core::authz::{Expected, Operation, Party, Reach};
use caduceus_testkit::certificates::certificate_request;
use serde_json::{Value, json};

use super::{ARCHIVE, CONTACT, CONTACT_CODE, Cast, Cell, RECIPIENT, RITA};

/// The step of `cell` for `scripts/matrix_webmail.py`, as its party: `[label, token,
/// method, path, form fields, multipart, client certificate and key]` (the
/// certificate for a certificate-only account, which logs in with it first).
pub fn step(cast: &Cast, cell: &Cell) -> Value {
    let person = cell.person(cast);
    let token = person.map_or("", |p| &p.token);
    let certificate = person.and_then(|p| p.certificate.clone());
    // A delegate's mailbox operations through the switcher (ID-3): the page of the
    // organisation's mailbox, asked of the service at each request; the only way
    // anyone else can ask for another's conversations.
    let conversations = matches!(
        cell.operation,
        Operation::ListConversations | Operation::ReadConversation | Operation::SaveDraft
    );
    let switched = match cell.party {
        Party::Owner | Party::Anonymous | Party::Suspended => false,
        Party::Delegate | Party::RemovedDelegate => cell.operation.reaches() == Reach::Mailbox,
        _ => conversations,
    };
    let folder = match cell.party {
        Party::Owner | Party::Anonymous | Party::Suspended => "INBOX",
        _ if switched => "INBOX",
        _ => &cell.target.address,
    };
    let id = cell.target.id.0;
    let (method, path, form, multipart) = match cell.operation {
        Operation::ListFolder => ("GET", format!("/mail/folder/{folder}"), None, false),
        Operation::SearchFolder => (
            "GET",
            format!("/mail/folder/{folder}?q={}", cell.marker),
            None,
            false,
        ),
        Operation::ReadMessage => ("GET", format!("/mail/message/{id}"), None, false),
        Operation::ListConversations => ("GET", "/mail/conversations".to_owned(), None, false),
        Operation::ReadConversation => ("GET", format!("/mail/conversation/{id}"), None, false),
        Operation::ReadAttachment => (
            "GET",
            format!("/mail/message/{id}/attachment/0"),
            None,
            false,
        ),
        Operation::ReadLetter => ("GET", format!("/mail/message/{id}/html"), None, false),
        Operation::PreviewAttachment => (
            "GET",
            format!("/mail/message/{id}/attachment/0/view"),
            None,
            false,
        ),
        Operation::Export => ("GET", "/mail/export".to_owned(), None, false),
        Operation::FlagMessage => (
            "POST",
            format!("/mail/message/{id}/personal"),
            Some(json!([["personal", "on"]])),
            false,
        ),
        // Confirmed: for good (without the box, a message goes to Trash).
        Operation::DeleteMessage => (
            "POST",
            format!("/mail/message/{id}/delete"),
            Some(json!([["confirm", "on"]])),
            false,
        ),
        Operation::MoveMessage => (
            "POST",
            format!("/mail/message/{id}/move"),
            Some(json!([["folder", ARCHIVE]])),
            false,
        ),
        Operation::SendAsSelf | Operation::SendAsOrganisation | Operation::SendAsOther => (
            "POST",
            "/mail/compose".to_owned(),
            Some(json!([
                ["from", cast.sent_as(cell)],
                ["to", RECIPIENT],
                ["subject", cell.marker],
                ["text", "Bonjour."],
            ])),
            true,
        ),
        // A request pasted in the settings' certificate form (MS-3).
        Operation::RequestCertificate => (
            "POST",
            "/mail/settings/certificate".to_owned(),
            Some(json!([["csr", certificate_request()]])),
            true,
        ),
        Operation::FindKnownPatients => ("GET", "/mail/patients?q=petit".to_owned(), None, false),
        Operation::SaveDraft => (
            "POST",
            "/mail/draft".to_owned(),
            Some(json!([
                ["to", RECIPIENT],
                ["subject", cell.marker],
                ["text", "Bonjour."],
            ])),
            true,
        ),
        Operation::ListDevices => ("GET", "/mail/settings".to_owned(), None, false),
        Operation::AddDevice => (
            "POST",
            "/mail/settings/devices".to_owned(),
            Some(json!([["name", "cell"]])),
            false,
        ),
        // The registration's first step, as the page's script sends it (JSON).
        Operation::RegisterPasskey => (
            "POST",
            "/mail/settings/passkeys/begin".to_owned(),
            Some(json!([["name", "cell"]])),
            false,
        ),
        Operation::MakePairingToken => (
            "POST",
            "/mail/settings/pair".to_owned(),
            Some(json!([])),
            false,
        ),
        Operation::RevokePasskey => (
            "POST",
            format!(
                "/mail/settings/passkeys/{}/revoke",
                cell.passkey.map_or(0, |p| p.0)
            ),
            Some(json!([])),
            false,
        ),
        Operation::ListAccounts => ("GET", "/admin/accounts".to_owned(), None, false),
        Operation::ListAnnouncements => ("GET", "/admin/announcements".to_owned(), None, false),
        Operation::ReadStatus => ("GET", "/admin/status".to_owned(), None, false),
        Operation::ExportTraces => ("GET", "/admin/traces.csv".to_owned(), None, false),
        Operation::VerifyAccount | Operation::SuspendAccount | Operation::ActivateAccount => {
            let id = cell.subject.map_or(0, |a| a.0);
            let (action, form) = match cell.operation {
                // The holder's ordinary address, recorded before activation (ID-2).
                Operation::VerifyAccount => (
                    "verify",
                    json!([
                        ["evidence", "cps_card"],
                        ["contact", "holder@contact.example"]
                    ]),
                ),
                Operation::ActivateAccount => ("activate", json!([])),
                // Confirmed: the confirmation page itself changes nothing.
                _ => ("suspend", json!([["confirm", "yes"]])),
            };
            let path = format!("/admin/accounts/{id}/{action}");
            ("POST", path, Some(form), false)
        }
        Operation::ReadTraces => ("GET", "/admin/traces".to_owned(), None, false),
        Operation::BroadcastAlert => (
            "POST",
            "/admin/broadcast".to_owned(),
            Some(json!([
                ["profession", ""],
                ["department", "75"],
                ["subject", cell.marker],
                ["text", "Alerte."],
            ])),
            false,
        ),
        Operation::SetForwarding => (
            "POST",
            "/mail/settings/forwarding".to_owned(),
            Some(json!([["to", RITA]])),
            false,
        ),
        Operation::SeeAlerts => ("GET", "/admin/alerts".to_owned(), None, false),
        Operation::ReadBreaches => ("GET", "/admin/breaches".to_owned(), None, false),
        Operation::RecordBreach => (
            "POST",
            "/admin/breaches".to_owned(),
            Some(json!([["nature", "confidentiality"], ["detected", ""]])),
            false,
        ),
        Operation::LookUpDirectory => ("GET", "/mail/directory?q=olga".to_owned(), None, false),
        Operation::SetAbsence => (
            "POST",
            "/mail/settings/absence".to_owned(),
            Some(json!([
                ["on", "on"],
                ["language", "fr"],
                ["audience", "everyone"],
                ["subject", "Absent"],
                ["text", "Retour lundi."]
            ])),
            false,
        ),
        Operation::SetSignature => (
            "POST",
            "/mail/settings/signature".to_owned(),
            Some(json!([["signature", "Dr Matrix"]])),
            false,
        ),
        Operation::SetEncryptionAtRest => (
            "POST",
            "/mail/settings/encryption".to_owned(),
            Some(json!([["at_rest", "on"]])),
            false,
        ),
        Operation::SetNotifications => (
            "POST",
            "/mail/settings/notifications".to_owned(),
            Some(json!([["email", CONTACT], ["new_mail", "on"]])),
            false,
        ),
        Operation::ConfirmContact => (
            "POST",
            "/mail/settings/contacts/confirm".to_owned(),
            Some(json!([["code", CONTACT_CODE]])),
            false,
        ),
        Operation::SetDirectoryPreferences => (
            "POST",
            "/mail/settings/directory".to_owned(),
            Some(json!([["liste_rouge", "on"]])),
            false,
        ),
        Operation::RequestCorrection => (
            "POST",
            "/mail/settings/correction".to_owned(),
            Some(json!([["what", "Nom : Matrix, pas Matrice"]])),
            false,
        ),
        Operation::ExportAccountData => ("GET", "/mail/account-data".to_owned(), None, false),
        Operation::CloseOwnAccount => (
            "POST",
            "/mail/settings/close".to_owned(),
            Some(json!([["confirm", "on"]])),
            false,
        ),
        other => unreachable!("neither the webmail nor the admin console offers {other:?}"),
    };
    let path = match path.strip_prefix("/mail/") {
        Some(rest) if switched => format!("/mail/as/{}/{rest}", cell.target.account.0),
        _ => path,
    };
    // A script's call sends JSON (the CSRF token in `X-CSRF`).
    let multipart = match cell.operation {
        Operation::RegisterPasskey => json!("json"),
        _ => json!(multipart),
    };
    json!([
        cell.label,
        token,
        method,
        path,
        form,
        multipart,
        certificate
    ])
}

/// Whether the page's `answer` (`label status location page`) is what `expected`
/// says: a page showing the content, or a redirection onwards, when allowed; the
/// login page when unauthenticated; a refusal (403, 404, 422) when denied.
pub fn judge(cell: &Cell, expected: Expected, answer: &str) -> Result<(), String> {
    let mut parts = answer.splitn(4, ' ').skip(1);
    let status: u16 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let location = parts.next().unwrap_or("-");
    let page = parts.next().unwrap_or("");
    // The content of a message (a refused form shows back what was written).
    let shown = cell.reveals() && page.contains(cell.sought());
    let fine = match expected {
        Expected::Allowed => {
            ((200..300).contains(&status) || (status == 303 && location != "/login"))
                && shown == cell.reveals()
        }
        Expected::Unauthenticated => status == 303 && location == "/login",
        Expected::Denied(_) => matches!(status, 403 | 404 | 422) && !shown,
    };
    if fine {
        Ok(())
    } else {
        Err(format!("{status} {location} {page}"))
    }
}
