//! The settings' out-of-office reply (RFC 3834) and signature sections (MS-6, issue
//! 22 item 12): what the settings page shows ([`MailSettings`], the holder's own
//! only: not when acting for another mailbox) and the two forms. A form the service
//! (or the rules) refuses comes back in plain words with what was typed.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_core::absence::{AbsenceError, Language, Typed as TypedAbsence, check_signature};
use caduceus_service::{Service, ServiceError};
use serde::Deserialize;

use super::settings::{Typed, refused_saying};
use super::{CsrfField, Posted, WebUser};

/// The sections as the page shows them (or as typed, after a refusal).
#[derive(Clone, Debug, Default)]
pub struct MailSettings {
    /// Whether the reply is on.
    pub on: bool,
    /// The first and last days, `YYYY-MM-DD` or empty.
    pub start: String,
    /// See `start`.
    pub end: String,
    /// The reply's language code (`fr`, `en`).
    pub language: String,
    /// Who gets a reply (`everyone`, `professionals`, `patients`).
    pub audience: String,
    /// The reply's subject and text.
    pub subject: String,
    /// See `subject`.
    pub text: String,
    /// The signature.
    pub signature: String,
}

/// The sections of `user`'s own settings; none when acting for another mailbox.
pub(super) async fn view(
    service: &Service,
    user: &WebUser,
) -> Result<Option<MailSettings>, ServiceError> {
    if user.acting.is_some() {
        return Ok(None);
    }
    let (caller, id) = (user.login.caller(), user.login.account().id);
    let language = Language::parse(user.t.lang).unwrap_or(Language::French);
    let absence = service.absence(&caller, id, language, user.zone).await?;
    let signature = service.mail_signature(&caller, id).await?;
    Ok(Some(MailSettings {
        on: absence.on,
        start: absence.start.map(|d| d.to_string()).unwrap_or_default(),
        end: absence.end.map(|d| d.to_string()).unwrap_or_default(),
        language: absence.language.as_str().to_owned(),
        audience: absence.audience.as_str().to_owned(),
        subject: absence.subject,
        text: absence.text,
        signature,
    }))
}

/// The out-of-office form.
#[derive(Deserialize)]
pub struct AbsenceForm {
    csrf: String,
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    audience: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    text: String,
}

/// The signature form.
#[derive(Deserialize)]
pub struct SignatureForm {
    csrf: String,
    #[serde(default)]
    signature: String,
}

/// The refusal's plain words in the user's language.
fn said(user: &WebUser, error: &AbsenceError) -> &'static str {
    let t = user.t.absence;
    match error {
        AbsenceError::Subject => t.bad_subject,
        AbsenceError::Text => t.bad_text,
        AbsenceError::Dates => t.bad_dates,
        AbsenceError::Day => t.bad_day,
        AbsenceError::Choice => t.bad_choice,
        AbsenceError::Signature => t.bad_signature,
    }
}

/// The settings page again with `typed` in the sections and the refusal said.
async fn again(
    service: &Service,
    user: &WebUser,
    error: ServiceError,
    said: Option<&'static str>,
    typed: MailSettings,
) -> Response {
    let typed = Typed {
        mail: Some(typed),
        ..Typed::default()
    };
    refused_saying(service, user, error, said, typed).await
}

/// The sections as they are, for a refused form to change one of them.
async fn current(service: &Service, user: &WebUser) -> MailSettings {
    view(service, user).await.ok().flatten().unwrap_or_default()
}

/// `POST /mail/settings/absence`: keeps the out-of-office reply (in the user's zone).
pub async fn set_absence(
    State(service): State<Service>,
    Posted { user, form }: Posted<AbsenceForm>,
) -> Response {
    let typed = TypedAbsence {
        on: form.on.is_some(),
        start: &form.start,
        end: &form.end,
        zone: user.zone.name(),
        language: &form.language,
        audience: &form.audience,
        subject: &form.subject,
        text: &form.text,
    };
    let parsed = typed.parse();
    let done = match &parsed {
        Ok(absence) => {
            let (caller, id) = (user.login.caller(), user.login.account().id);
            service.set_absence(&caller, id, absence).await
        }
        Err(error) => Err(ServiceError::Invalid(error.to_string())),
    };
    let rule = parsed.err();
    match done {
        Ok(()) => Redirect::to("/mail/settings#absence").into_response(),
        Err(error) => {
            let kept = MailSettings {
                on: form.on.is_some(),
                start: form.start,
                end: form.end,
                language: form.language,
                audience: form.audience,
                subject: form.subject,
                text: form.text,
                signature: current(&service, &user).await.signature,
            };
            let words = rule.as_ref().map(|r| said(&user, r));
            again(&service, &user, error, words, kept).await
        }
    }
}

/// `POST /mail/settings/signature`: keeps the signature (empty: none).
pub async fn set_signature(
    State(service): State<Service>,
    Posted { user, form }: Posted<SignatureForm>,
) -> Response {
    let (caller, id) = (user.login.caller(), user.login.account().id);
    match service
        .set_mail_signature(&caller, id, &form.signature)
        .await
    {
        Ok(_) => Redirect::to("/mail/settings#signature").into_response(),
        Err(error) => {
            let rule = check_signature(&form.signature).err();
            let words = rule.as_ref().map(|r| said(&user, r));
            let kept = MailSettings {
                signature: form.signature,
                ..current(&service, &user).await
            };
            again(&service, &user, error, words, kept).await
        }
    }
}

impl CsrfField for AbsenceForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl CsrfField for SignatureForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}
