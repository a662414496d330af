//! What a user manages about their own account through the API: device credentials
//! for mail clients (AU-2), a patient's blocks, opposition and access log (MS-9,
//! MS-10, TR-4), where notices go (AU-1, MS-7, RT-1), the forwarding rule (MS-17) and
//! the terms of use (IN-1). The service checks that
//! each is asked by its holder.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use caduceus_core::Requirement;
use caduceus_core::{Ins, MailAddress};
use caduceus_service::Service;
use caduceus_service::model::DeviceId;
use caduceus_service::patients::OppositionStatus;
use serde::Deserialize;

use super::login::User;
use super::messages::InMailbox;
use super::problem::{ApiResult, Problem};

/// `POST /devices`: the name the user gives the device.
#[derive(Deserialize)]
pub struct NewDevice {
    name: String,
}

/// `GET /devices`: the device credentials of the account (never the secrets).
pub async fn devices(
    State(service): State<Service>,
    user: User,
) -> ApiResult<Json<serde_json::Value>> {
    let account = user.login.account().id;
    let devices = service.devices(&user.login.caller(), account).await?;
    let list: Vec<_> = devices
        .iter()
        .map(|d| {
            serde_json::json!({
                "id": d.id.0,
                "name": d.name,
                "created": d.created.rfc5322(),
                "last_used": d.last_used.map(|t| t.rfc5322()),
                "revoked": d.revoked.map(|t| t.rfc5322()),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "devices": list })))
}

/// `POST /devices`: issues a device credential (AU-2, after a strong login), shown
/// once, with what a mail client needs to be set up.
pub async fn add_device(
    State(service): State<Service>,
    user: User,
    Json(new): Json<NewDevice>,
) -> ApiResult<impl IntoResponse> {
    // The name's rule is the service's (one place for every front end).
    let issued = service.add_device(&user.login, &new.name).await?;
    let address = user.login.account().address.as_str().to_owned();
    Ok((
        StatusCode::CREATED,
        [(header::CACHE_CONTROL, "no-store")],
        Json(serde_json::json!({
            "id": issued.device.id.0,
            "name": issued.device.name,
            "credential": issued.credential.expose(),
            "setup": {
                "user": address,
                "password": "the credential above, as the mail client's password",
                "imap": "IMAP over TLS (993) or STARTTLS (143)",
                "smtp": "submission over STARTTLS (587) or TLS (465), authenticated",
            },
        })),
    ))
}

/// `DELETE /devices/{id}`: revokes a device at once (AU-2).
pub async fn revoke_device(
    State(service): State<Service>,
    user: User,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    let account = user.login.account().id;
    service
        .revoke_device(&user.login.caller(), account, DeviceId(id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /patient/access-log`: who accessed data concerning the patient (TR-4, AC-3).
pub async fn access_log(
    State(service): State<Service>,
    user: User,
) -> ApiResult<Json<serde_json::Value>> {
    let entries = service
        .patient_access_log(&user.login.caller(), user.login.account().id)
        .await?;
    let list: Vec<_> = entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "who": e.actor.as_str(),
                "name": e.actor_name,
                "action": e.action,
                "message": e.message.0,
                "at": e.at.rfc5322(),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({ "accesses": list })))
}

/// `GET /patient/blocks`: the professionals the patient blocked (MS-10).
pub async fn blocks(
    State(service): State<Service>,
    user: User,
) -> ApiResult<Json<serde_json::Value>> {
    let blocked = service
        .blocks(&user.login.caller(), user.login.account().id)
        .await?;
    Ok(Json(serde_json::json!({ "blocked": blocked })))
}

/// `PUT` or `DELETE /patient/blocks/{address}`: blocks or unblocks (MS-10).
async fn set_block(
    service: &Service,
    user: &User,
    address: &str,
    blocked: bool,
) -> ApiResult<StatusCode> {
    let professional =
        MailAddress::parse(address).map_err(|e| Problem::bad_request(format!("address: {e}")))?;
    service
        .set_block(
            &user.login.caller(),
            user.login.account().id,
            &professional,
            blocked,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /patient/blocks/{address}`.
pub async fn block(
    State(service): State<Service>,
    user: User,
    Path(address): Path<String>,
) -> ApiResult<StatusCode> {
    set_block(&service, &user, &address, true).await
}

/// `DELETE /patient/blocks/{address}`.
pub async fn unblock(
    State(service): State<Service>,
    user: User,
    Path(address): Path<String>,
) -> ApiResult<StatusCode> {
    set_block(&service, &user, &address, false).await
}

fn ins(text: &str) -> ApiResult<Ins> {
    Ins::parse(text)
        .map_err(|e| Problem::bad_request(format!("INS: {e}")).requirement(Requirement::Id5))
}

/// `GET /patients/{ins}/opposition`: whether the patient opposed exchanges about
/// them (MS-9); asked by the patient or an active professional. Who recorded it is
/// told to the patient and to whoever recorded it only.
pub async fn opposition(
    State(service): State<Service>,
    user: User,
    Path(text): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let found = service
        .opposition(&user.login.caller(), &ins(&text)?)
        .await?;
    Ok(Json(match found {
        OppositionStatus::Recorded(o) => serde_json::json!({
            "opposed": true, "recorded_by": o.recorded_by, "at": o.at.rfc5322(),
        }),
        OppositionStatus::Opposed => serde_json::json!({ "opposed": true }),
        OppositionStatus::None => serde_json::json!({ "opposed": false }),
    }))
}

/// `PUT` (record) or `DELETE` (withdraw) `/patients/{ins}/opposition` (MS-9).
async fn set_opposition(
    service: &Service,
    user: &User,
    text: &str,
    opposed: bool,
) -> ApiResult<StatusCode> {
    service
        .set_opposition(&user.login.caller(), &ins(text)?, opposed)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /patients/{ins}/opposition`.
pub async fn oppose(
    State(service): State<Service>,
    user: User,
    Path(text): Path<String>,
) -> ApiResult<StatusCode> {
    set_opposition(&service, &user, &text, true).await
}

/// `DELETE /patients/{ins}/opposition`.
pub async fn withdraw_opposition(
    State(service): State<Service>,
    user: User,
    Path(text): Path<String>,
) -> ApiResult<StatusCode> {
    set_opposition(&service, &user, &text, false).await
}

/// The terms of use in force, or 404 when the operator set none.
fn terms_in_force(service: &Service) -> ApiResult<&caduceus_service::terms::Terms> {
    service.terms().ok_or_else(|| {
        Problem::not_found("this service has no terms of use").requirement(Requirement::In1)
    })
}

/// `GET /terms`: the terms of use in force and whether the caller accepted them (IN-1).
pub async fn terms(
    State(service): State<Service>,
    user: User,
) -> ApiResult<Json<serde_json::Value>> {
    let terms = terms_in_force(&service)?;
    let pending = service.terms_to_accept(&user.login).await?.is_some();
    Ok(Json(serde_json::json!({
        "version": terms.version, "text": terms.text, "accepted": !pending,
    })))
}

/// `POST /terms`: the version the user read and accepts.
#[derive(Deserialize)]
pub struct Acceptance {
    version: String,
}

/// `POST /terms`: accepts the terms of use of the version read (IN-1); traced.
pub async fn accept_terms(
    State(service): State<Service>,
    user: User,
    Json(acceptance): Json<Acceptance>,
) -> ApiResult<StatusCode> {
    terms_in_force(&service)?;
    service
        .accept_terms(&user.login, &acceptance.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /forwarding`: where to forward.
#[derive(Deserialize)]
pub struct ForwardingRule {
    to: String,
}

/// `GET /forwarding`: where the mailbox forwards its mail, if anywhere (MS-17).
pub async fn forwarding(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
) -> ApiResult<Json<serde_json::Value>> {
    let target = service.forwarding(&access).await?;
    Ok(Json(
        serde_json::json!({ "to": target.map(|a| a.as_str().to_owned()) }),
    ))
}

/// `PUT /forwarding`: forwards the mailbox's mail to another mailbox of the trust
/// space (MS-17); outside it, refused with the reason. Traced.
pub async fn set_forwarding(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
    Json(rule): Json<ForwardingRule>,
) -> ApiResult<StatusCode> {
    let target =
        MailAddress::parse(rule.to.trim()).map_err(|e| Problem::bad_request(format!("to: {e}")))?;
    service.set_forwarding(&access, Some(&target)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /forwarding`: stops forwarding (MS-17). Traced.
pub async fn stop_forwarding(
    State(service): State<Service>,
    InMailbox(access): InMailbox,
) -> ApiResult<StatusCode> {
    service.set_forwarding(&access, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /notifications`: where the user's notices go (AU-1, MS-7, RT-1).
pub async fn notifications(
    State(service): State<Service>,
    user: User,
) -> ApiResult<Json<serde_json::Value>> {
    let (caller, account) = (user.login.caller(), user.login.account().id);
    let contacts = service.contacts(&caller, account).await?;
    let pending: Vec<_> = service
        .pending_contacts(&caller, account)
        .await?
        .into_iter()
        .map(|p| {
            serde_json::json!({
                "channel": p.value.channel().as_str(),
                "value": p.value.as_str(),
                "expires_ms": p.expires.as_millis(),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "email": contacts.email.map(|a| a.as_str().to_owned()),
        "phone": contacts.phone.map(|p| p.as_str().to_owned()),
        "new_mail": contacts.new_mail,
        "pending": pending,
    })))
}

/// `POST /notifications/confirm`: the code sent to a new contact address or number.
#[derive(Deserialize)]
pub struct ContactCode {
    code: String,
}

/// `POST /notifications/confirm`: confirms the user's own pending contact change with
/// its code (AU-1, MS-7, RT-1); 200 with the channel confirmed, a problem naming AU-1
/// for a wrong or expired code, a wrong one with its `tries_left` (AU-3). Traced.
pub async fn confirm_contact(
    State(service): State<Service>,
    user: User,
    Json(typed): Json<ContactCode>,
) -> ApiResult<Json<serde_json::Value>> {
    let channel = service
        .confirm_contact(&user.login.caller(), user.login.account().id, &typed.code)
        .await?;
    Ok(Json(serde_json::json!({ "confirmed": channel.as_str() })))
}

/// `PUT /notifications`: the whole setting (an absent or empty field clears it; an
/// active account's e-mail address is replaced, never cleared, and lies outside the
/// trust space: ID-2).
#[derive(Deserialize)]
pub struct NotificationSettings {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    new_mail: bool,
}

/// `PUT /notifications`: sets where the user's notices go; each change traced. A new
/// e-mail address or phone number waits for the code sent to it (AU-1).
pub async fn set_notifications(
    State(service): State<Service>,
    user: User,
    Json(settings): Json<NotificationSettings>,
) -> ApiResult<StatusCode> {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let email = given(&settings.email)
        .map(|e| MailAddress::parse(&e))
        .transpose()
        .map_err(|e| Problem::bad_request(format!("email: {e}")).requirement(Requirement::Au1))?;
    let phone = given(&settings.phone)
        .map(|p| caduceus_core::PhoneNumber::parse(&p))
        .transpose()
        .map_err(|e| Problem::bad_request(format!("phone: {e}")).requirement(Requirement::Rt1))?;
    let contacts = caduceus_service::auth::Contacts {
        email,
        phone,
        new_mail: settings.new_mail,
    };
    service
        .set_contacts(&user.login.caller(), user.login.account().id, &contacts)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /certificates`: the body a PEM PKCS#10 request (`application/pkcs10`) for a
/// key the caller's client made (RSA 2048+ or EC P-256); the certificate the
/// certificate authority signs for the caller's identity, 201
/// `application/pem-certificate-chain`, which the directory then serves (MS-3). The
/// server keeps no key. With a body `application/pem-certificate-chain`, a certificate
/// another authority issued (the national health PKI), kept once it chains to the
/// operator's trust anchors and names the caller's address.
pub async fn request_certificate(
    State(service): State<Service>,
    user: User,
    headers: axum::http::HeaderMap,
    body: String,
) -> ApiResult<impl IntoResponse> {
    let login = &user.login;
    let (caller, account) = (login.caller(), login.account().id);
    // A certificate another authority issued (the national health PKI), or a request
    // for the operator's authority to sign (MS-3).
    let issued_elsewhere = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/pem-certificate-chain"));
    let pem = if issued_elsewhere {
        service.upload_certificate(&caller, account, &body).await?
    } else {
        service.request_certificate(&caller, account, &body).await?
    };
    Ok((
        StatusCode::CREATED,
        [(header::CONTENT_TYPE, "application/pem-certificate-chain")],
        pem,
    ))
}

/// `PUT /account/encryption`: encryption at rest to the holder's certificate.
#[derive(Deserialize)]
pub struct EncryptionSetting {
    at_rest: bool,
}

/// The setting as the API shows it.
fn encryption_json(since: Option<caduceus_core::Timestamp>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "at_rest": since.is_some(),
        "since_ms": since.map(|t| t.as_millis()),
    }))
}

/// `GET /account/encryption`: whether copies delivered to the user are enveloped to
/// their certificate before they are sealed (MS-3), and since when.
pub async fn encryption(user: User) -> Json<serde_json::Value> {
    encryption_json(user.login.account().encrypt_at_rest_since)
}

/// `PUT /account/encryption`: turns encryption at rest to the user's certificate on
/// or off (MS-3); on needs a certificate that can receive encrypted mail. Traced.
pub async fn set_encryption(
    State(service): State<Service>,
    user: User,
    Json(setting): Json<EncryptionSetting>,
) -> ApiResult<Json<serde_json::Value>> {
    let login = &user.login;
    let since = service
        .set_encrypt_at_rest(&login.caller(), login.account().id, setting.at_rest)
        .await?;
    Ok(encryption_json(since))
}
