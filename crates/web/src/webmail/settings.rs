//! The settings page: device credentials for mail clients with their setup (AU-2);
//! for a patient, who accessed their data (TR-4), the professionals they blocked
//! (MS-10) and their opposition (MS-9); the export of one's messages (RT-4); the
//! holder's rights (AC-3: directory choices, correction requests, the account's data,
//! closing it — the forms are [`super::rights`]'s); the out-of-office reply and the
//! signature (MS-6, the forms are [`super::absence`]'s); where notices go, a new
//! address or number confirmed by the code sent to it (AU-1, MS-7, RT-1).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::MailAddress;
use caduceus_core::local_time::Zone;
use caduceus_service::model::DeviceId;
use caduceus_service::{Service, ServiceError};
use serde::Deserialize;

use super::confirm;
use super::login::CsrfForm;
use super::mail::refused;
use super::{CsrfField, Posted, WebUser, page};
use super::{Layout, layout_page};

/// A device's line.
pub struct DeviceRow {
    id: i64,
    name: String,
    last_used: String,
    revoked: bool,
}

/// An access's line.
pub struct AccessRow {
    who: String,
    what: String,
    at: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    issued: Option<String>,
    address: String,
    host: String,
    devices: Vec<DeviceRow>,
    accesses: Vec<AccessRow>,
    blocks: Vec<String>,
    opposed: bool,
    /// Where the mailbox forwards its mail (MS-17); professionals only.
    forwarding: Option<String>,
    /// Where notices go (AU-1, MS-7, RT-1).
    contact_email: String,
    contact_phone: String,
    new_mail: bool,
    /// The new address or number waiting for its code (AU-1), the user's own only.
    pending_contacts: Vec<String>,
    /// The directory choices (ID-4); professionals only (patients are never listed).
    directory: Option<caduceus_service::model::DirectoryPreferences>,
    /// The holder's correction requests (AC-3): when, what.
    corrections: Vec<(String, String)>,
    /// Encryption at rest to the holder's certificate offered (professionals, their
    /// own settings), and whether it is on (MS-3).
    encryption_offered: bool,
    encrypt_at_rest: bool,
    /// The time zones offered: IANA name, label, whether it is the user's (MS-6).
    zones: Vec<(&'static str, &'static str, bool)>,
    /// What was typed in a form the service refused, shown again.
    typed: Typed,
    /// The out-of-office reply and the signature (MS-6); the user's own only.
    mail: Option<super::absence::MailSettings>,
}

/// What the user typed in a settings form the service refused: the page comes back
/// with the refusal in plain words and these values in their fields, so nothing
/// typed is lost (issue 22, journey 9).
#[derive(Default)]
pub(super) struct Typed {
    /// The forwarding target (MS-17).
    pub forward_to: String,
    /// The professional to block (MS-10).
    pub block: String,
    /// The new device's name (AU-2).
    pub device: String,
    /// The correction requested (AC-3).
    pub correction: String,
    /// The contact e-mail, phone and new-mail box (AU-1, MS-7, RT-1).
    pub contacts: Option<(String, String, bool)>,
    /// The certificate request pasted (MS-3).
    pub csr: String,
    /// The out-of-office reply and the signature (MS-6).
    pub mail: Option<super::absence::MailSettings>,
}

layout_page!(SettingsPage);

async fn view(
    service: &Service,
    user: &WebUser,
    issued: Option<String>,
) -> Result<SettingsPage, ServiceError> {
    let account = user.login.account();
    // The patient's whose mailbox it is: the user, or the patient they represent
    // (ID-7), whose log, blocks and opposition they see and set.
    let holder = user.holder();
    let caller = user.login.caller();
    // Acting for another mailbox, the user's own settings (devices, notices, rights)
    // stay on their own pages.
    let own = user.acting.is_none();
    // Dates in the user's zone and language (MS-6).
    let shown = |at| super::dates::full(user.t, user.zone, at);
    let mut devices = Vec::new();
    if own {
        devices = service
            .devices(&caller, account.id)
            .await?
            .into_iter()
            .map(|d| DeviceRow {
                id: d.id.0,
                name: d.name,
                last_used: d.last_used.map(&shown).unwrap_or_default(),
                revoked: d.revoked.is_some(),
            })
            .collect();
    }
    let patient = user.is_patient();
    let (mut accesses, mut blocks, mut opposed) = (Vec::new(), Vec::new(), false);
    let mut forwarding = None;
    if !patient {
        let access = user.mailbox(service).await?;
        forwarding = service
            .forwarding(&access)
            .await?
            .map(|a| a.as_str().to_owned());
    }
    if patient {
        accesses = service
            .patient_access_log(&caller, holder.id)
            .await?
            .into_iter()
            .map(|a| AccessRow {
                who: format!("{} <{}>", a.actor_name, a.actor.as_str()),
                what: if a.action == "message.read" {
                    user.t.read_action.to_owned()
                } else {
                    a.action
                },
                at: shown(a.at),
            })
            .collect();
        blocks = service.blocks(&caller, holder.id).await?;
        if let Some(ins) = holder.address.patient_ins() {
            opposed = service.opposition(&caller, &ins).await?.opposed();
        }
    }
    let contacts = service.contacts(&caller, account.id).await?;
    let mut pending_contacts = Vec::new();
    if own {
        pending_contacts = service
            .pending_contacts(&caller, account.id)
            .await?
            .into_iter()
            .map(|p| p.value.as_str().to_owned())
            .collect();
    }
    let directory = if patient || !own {
        None
    } else {
        Some(service.directory_preferences(&caller, account.id).await?)
    };
    let mut corrections = Vec::new();
    if own {
        corrections = service
            .correction_requests(&caller, account.id)
            .await?
            .into_iter()
            .map(|r| (shown(r.requested), r.what))
            .collect();
    }
    Ok(SettingsPage {
        contact_email: contacts
            .email
            .map(|a| a.as_str().to_owned())
            .unwrap_or_default(),
        contact_phone: contacts
            .phone
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        new_mail: contacts.new_mail,
        pending_contacts,
        layout: Layout::of(user),
        issued,
        address: account.address.as_str().to_owned(),
        host: format!("mail.{}", service.config().domain.as_str()),
        devices,
        accesses,
        blocks,
        opposed,
        forwarding,
        directory,
        corrections,
        encryption_offered: !patient && own,
        encrypt_at_rest: account.encrypt_at_rest_since.is_some(),
        zones: Zone::ALL
            .into_iter()
            .zip(user.t.zones)
            .map(|(zone, label)| (zone.name(), label, zone == user.zone))
            .collect(),
        typed: Typed::default(),
        mail: super::absence::view(service, user).await?,
    })
}

/// The settings page again after the service refused a form: the refusal in plain
/// words, what was typed kept in its field (a refusal asking for the terms of use
/// first goes to them, IN-1).
pub(super) async fn refused_with(
    service: &Service,
    user: &WebUser,
    error: ServiceError,
    typed: Typed,
) -> Response {
    refused_saying(service, user, error, None::<&str>, typed).await
}

/// [`refused_with`], saying `said` instead of the refusal's usual words when the
/// form knows better (a block's unknown address, a certificate refused).
pub(super) async fn refused_saying(
    service: &Service,
    user: &WebUser,
    error: ServiceError,
    said: Option<impl Into<String>>,
    typed: Typed,
) -> Response {
    if super::mail::terms_first(&error) {
        return refused(user, error);
    }
    let problem = crate::api::problem::Problem::from(error);
    let mut again = match view(service, user, None).await {
        Ok(again) => again,
        Err(error) => return refused(user, error),
    };
    let said = said.map_or_else(|| user.t.refusals.say(&problem).to_owned(), Into::into);
    again.layout.error = Some(said);
    if let Some((email, phone, new_mail)) = typed.contacts.clone() {
        (again.contact_email, again.contact_phone, again.new_mail) = (email, phone, new_mail);
    }
    if let Some(mail) = typed.mail.clone() {
        again.mail = Some(mail);
    }
    again.typed = typed;
    (problem.status(), page(again.render())).into_response()
}

async fn show(service: &Service, user: &WebUser, issued: Option<String>) -> Response {
    match view(service, user, issued).await {
        Ok(view) => page(view.render()),
        Err(error) => refused(user, error),
    }
}

/// `GET /mail/settings`.
pub async fn overview(State(service): State<Service>, user: WebUser) -> Response {
    show(&service, &user, None).await
}

/// A new device's name.
#[derive(Deserialize)]
pub struct DeviceForm {
    csrf: String,
    name: String,
}

/// `POST /mail/settings/devices`: issues a credential, shown once on the page.
pub async fn add_device(
    State(service): State<Service>,
    Posted { user, form }: Posted<DeviceForm>,
) -> Response {
    // The name's rule is the service's (one place for every front end).
    match service.add_device(&user.login, &form.name).await {
        Ok(issued) => show(&service, &user, Some(issued.credential.expose().clone())).await,
        Err(error) => {
            let device = form.name.clone();
            refused_with(
                &service,
                &user,
                error,
                Typed {
                    device,
                    ..Typed::default()
                },
            )
            .await
        }
    }
}

/// `POST /mail/settings/devices/{id}/revoke`.
pub async fn revoke_device(
    State(service): State<Service>,
    Path(id): Path<i64>,
    Posted { user, form: _ }: Posted<CsrfForm>,
) -> Response {
    let account = user.login.account().id;
    match service
        .revoke_device(&user.login.caller(), account, DeviceId(id))
        .await
    {
        Ok(()) => Redirect::to(&format!("{}/settings", user.base())).into_response(),
        Err(error) => refused(&user, error),
    }
}

/// A professional to block or unblock; `confirm` once the patient confirmed a block.
#[derive(Deserialize)]
pub struct AddressForm {
    csrf: String,
    address: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// Blocks (once confirmed) or unblocks the professional of `form`; a block asks to
/// confirm first, once the address names a professional (MS-10, seed 004 §5.2).
async fn set_block(
    service: &Service,
    user: &WebUser,
    form: &AddressForm,
    blocked: bool,
) -> Response {
    let done = async {
        let professional = MailAddress::parse(form.address.trim())
            .map_err(|e| ServiceError::Invalid(e.to_string()))?;
        if blocked && form.confirm.is_none() {
            service.require_professional(&professional).await?;
            return Ok(false);
        }
        let (caller, patient) = (user.login.caller(), user.holder().id);
        let set = service.set_block(&caller, patient, &professional, blocked);
        set.await.map(|()| true)
    };
    match done.await {
        Ok(true) => Redirect::to(&format!("{}/settings", user.base())).into_response(),
        Ok(false) => confirm_block(user, form.address.trim()),
        Err(error) => {
            let block = if blocked {
                form.address.clone()
            } else {
                String::new()
            };
            let said = matches!(error, ServiceError::NotFound(_))
                .then_some(user.t.refusals.unknown_professional);
            let typed = Typed {
                block,
                ..Typed::default()
            };
            refused_saying(service, user, error, said, typed).await
        }
    }
}

/// The page asking to confirm blocking `address` (MS-10).
fn confirm_block(user: &WebUser, address: &str) -> Response {
    let t = user.t;
    confirm::ask(
        user,
        confirm::Question {
            heading: t.confirm_block_title,
            subject: address.to_owned(),
            consequence: t.confirm_block_text,
            action: format!("{}/settings/block", user.base()),
            fields: vec![("address", address.to_owned())],
            button: t.block,
            back: format!("{}/settings", user.base()),
        },
    )
}

/// `POST /mail/settings/block` (MS-10): asks to confirm first (IN-1, seed 004 §5.2),
/// then blocks.
pub async fn block(
    State(service): State<Service>,
    Posted { user, form }: Posted<AddressForm>,
) -> Response {
    set_block(&service, &user, &form, true).await
}

/// `POST /mail/settings/unblock` (MS-10).
pub async fn unblock(
    State(service): State<Service>,
    Posted { user, form }: Posted<AddressForm>,
) -> Response {
    set_block(&service, &user, &form, false).await
}

/// The opposition wanted; `confirm` once the patient confirmed it.
#[derive(Deserialize)]
pub struct OppositionForm {
    csrf: String,
    opposed: bool,
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /mail/settings/opposition` (MS-9): the patient records or withdraws it,
/// once confirmed (IN-1, seed 004 §5.2).
pub async fn opposition(
    State(service): State<Service>,
    Posted { user, form }: Posted<OppositionForm>,
) -> Response {
    let Some(ins) = user.holder().address.patient_ins() else {
        return refused(
            &user,
            ServiceError::Invalid("only a patient records an opposition here (MS-9)".into()),
        );
    };
    if form.confirm.is_none() {
        let t = user.t;
        let (heading, consequence, button) = if form.opposed {
            (t.confirm_oppose_title, t.confirm_oppose_text, t.oppose)
        } else {
            let withdraw = t.withdraw_opposition;
            (t.confirm_withdraw_title, t.confirm_withdraw_text, withdraw)
        };
        return confirm::ask(
            &user,
            confirm::Question {
                heading,
                subject: String::new(),
                consequence,
                action: format!("{}/settings/opposition", user.base()),
                fields: vec![("opposed", form.opposed.to_string())],
                button,
                back: format!("{}/settings", user.base()),
            },
        );
    }
    match service
        .set_opposition(&user.login.caller(), &ins, form.opposed)
        .await
    {
        Ok(()) => Redirect::to(&format!("{}/settings", user.base())).into_response(),
        Err(error) => refused(&user, error),
    }
}

/// `GET /mail/export`: the ZIP of one's messages (RT-4).
pub async fn export(State(service): State<Service>, user: WebUser) -> Response {
    let access = match user.mailbox(&service).await {
        Ok(access) => access,
        Err(error) => return refused(&user, error),
    };
    match crate::api::export::export_of(&service, access).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

impl CsrfField for DeviceForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CsrfField for AddressForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CsrfField for OppositionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The forwarding form: the target, empty to stop.
#[derive(Deserialize)]
pub struct ForwardingForm {
    csrf: String,
    #[serde(default)]
    to: String,
}

impl CsrfField for ForwardingForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /mail/settings/forwarding`: sets or stops the forwarding rule (MS-17); a
/// target outside the trust space is refused with the reason.
pub async fn forwarding(
    State(service): State<Service>,
    Posted { user, form }: Posted<ForwardingForm>,
) -> Response {
    let set = async {
        let target = match form.to.trim() {
            "" => None,
            text => Some(
                MailAddress::parse(text)
                    .map_err(|e| ServiceError::Invalid(format!("forwarding address: {e}")))?,
            ),
        };
        let access = user.mailbox(&service).await?;
        service.set_forwarding(&access, target.as_ref()).await
    };
    match set.await {
        Ok(()) => Redirect::to(&format!("{}/settings", user.base())).into_response(),
        Err(error) => {
            let forward_to = form.to.clone();
            let typed = Typed {
                forward_to,
                ..Typed::default()
            };
            refused_with(&service, &user, error, typed).await
        }
    }
}

/// The notifications form.
#[derive(Deserialize)]
pub struct NotificationsForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    /// Present (`on`) when the box is ticked.
    #[serde(default)]
    new_mail: Option<String>,
}

impl CsrfField for NotificationsForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /mail/settings/notifications`: where notices go (AU-1, MS-7, RT-1); an
/// empty field clears it; each change traced.
pub async fn notifications(
    State(service): State<Service>,
    Posted { user, form }: Posted<NotificationsForm>,
) -> Response {
    let set = async {
        let email = match form.email.trim() {
            "" => None,
            text => Some(
                MailAddress::parse(text)
                    .map_err(|e| ServiceError::Invalid(format!("e-mail address: {e}")))?,
            ),
        };
        let phone = match form.phone.trim() {
            "" => None,
            text => Some(
                caduceus_core::PhoneNumber::parse(text)
                    .map_err(|e| ServiceError::Invalid(e.to_string()))?,
            ),
        };
        let contacts = caduceus_service::auth::Contacts {
            email,
            phone,
            new_mail: form.new_mail.is_some(),
        };
        service
            .set_contacts(&user.login.caller(), user.login.account().id, &contacts)
            .await
    };
    match set.await {
        Ok(()) => Redirect::to(&format!("{}/settings", user.base())).into_response(),
        Err(error) => {
            let typed = (
                form.email.clone(),
                form.phone.clone(),
                form.new_mail.is_some(),
            );
            let typed = Typed {
                contacts: Some(typed),
                ..Typed::default()
            };
            refused_with(&service, &user, error, typed).await
        }
    }
}

/// The code sent to a new contact address or number.
#[derive(Deserialize)]
pub struct ContactCodeForm {
    csrf: String,
    #[serde(default)]
    code: String,
}

impl CsrfField for ContactCodeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /mail/settings/contacts/confirm`: the user's own new contact confirmed by its
/// code (AU-1, MS-7, RT-1); a wrong or expired code says what to do, a wrong one how
/// many tries are left (AU-3), as the service counted them. Traced.
pub async fn confirm_contact(
    State(service): State<Service>,
    Posted { user, form }: Posted<ContactCodeForm>,
) -> Response {
    let (caller, account) = (user.login.caller(), user.login.account().id);
    match service.confirm_contact(&caller, account, &form.code).await {
        Ok(_) => Redirect::to(&format!("{}/settings", user.base())).into_response(),
        Err(error) => {
            let said = match &error {
                ServiceError::CodeRefused(refused) => {
                    Some(user.t.security.contacts.refusal(*refused))
                }
                _ => None,
            };
            refused_saying(&service, &user, error, said, Typed::default()).await
        }
    }
}

/// The encryption-at-rest form: the box ticked or not.
#[derive(Deserialize)]
pub struct EncryptionForm {
    csrf: String,
    #[serde(default)]
    at_rest: Option<String>,
}

impl CsrfField for EncryptionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /mail/settings/encryption`: encryption at rest to the holder's certificate on
/// or off (MS-3); the service says why it cannot be turned on (no certificate that can
/// receive encrypted mail). Traced.
pub async fn encryption(
    State(service): State<Service>,
    Posted { user, form }: Posted<EncryptionForm>,
) -> Response {
    let (caller, account) = (user.login.caller(), user.login.account().id);
    let on = form.at_rest.is_some();
    match service.set_encrypt_at_rest(&caller, account, on).await {
        Ok(_) => Redirect::to(&format!("{}/settings#encryption", user.base())).into_response(),
        Err(error) => refused_with(&service, &user, error, Typed::default()).await,
    }
}

/// The time zone form.
#[derive(Deserialize)]
pub struct ZoneForm {
    csrf: String,
    zone: String,
}

impl CsrfField for ZoneForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /mail/settings/zone`: the time zone dates are shown in (MS-6), kept in the
/// `tz` cookie; a zone not offered is refused.
pub async fn zone(Posted { user, form }: Posted<ZoneForm>) -> Response {
    let Some(zone) = Zone::parse(&form.zone) else {
        let unknown = ServiceError::Invalid(format!("time zone {:?}", form.zone));
        return refused(&user, unknown);
    };
    let cookie = format!(
        "{}={}; Path=/; Secure; SameSite=Lax; Max-Age=31536000",
        super::dates::ZONE_COOKIE,
        zone.name()
    );
    let mut response = Redirect::to(&format!("{}/settings#time-zone", user.base())).into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
        response
            .headers_mut()
            .insert(axum::http::header::SET_COOKIE, value);
    }
    response
}
