//! The holder's certificate in the webmail's settings (MS-3): a PKCS#10 request
//! pasted for the operator's authority to sign, or a `.pem` certificate another
//! authority issued, uploaded; through the same service calls and authorization as
//! the API's `POST /certificates` ([`Service::request_certificate`],
//! [`Service::upload_certificate`], traced `certificate.issue`). The answer says whom
//! the certificate names and until when; a refusal comes back in plain words on the
//! settings page, the request as it was pasted.

use askama::Template;
use axum::extract::{Multipart, State};
use axum::response::Response;
use caduceus_service::certificates::CertificateFacts;
use caduceus_service::{Service, ServiceError};

use super::settings::{Typed, refused_saying};
use super::{Layout, WebUser, dates, layout_page, page};

/// The certificate kept: whom it names, until when, its PEM to import.
#[derive(Template)]
#[template(path = "certificate.html")]
struct CertificatePage {
    layout: Layout,
    subject: String,
    expires: String,
    pem: String,
}

layout_page!(CertificatePage);

/// What the form sent: the CSRF token, a pasted request (or certificate), a file.
#[derive(Default)]
struct Sent {
    csrf: String,
    pasted: String,
    file: String,
}

async fn read(mut multipart: Multipart) -> Option<Sent> {
    let mut sent = Sent::default();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let value = field.text().await.ok()?;
        match name.as_str() {
            "csrf" => sent.csrf = value,
            "csr" => sent.pasted = value,
            "pem" => sent.file = value,
            _ => return None,
        }
    }
    Some(sent)
}

/// `POST /mail/settings/certificate`: the uploaded `.pem` kept, else the pasted text
/// signed (a request) or kept (a pasted certificate); the answer page, or the
/// settings with the refusal in plain words.
pub async fn submit(
    State(service): State<Service>,
    user: WebUser,
    multipart: Multipart,
) -> Response {
    let words = user.t.security.certificates;
    let Some(sent) = read(multipart).await else {
        let malformed = ServiceError::Invalid("the certificate form".into());
        return refused_saying(
            &service,
            &user,
            malformed,
            Some(words.nothing),
            Typed::default(),
        )
        .await;
    };
    if let Err(refusal) = user.check_csrf(&sent.csrf) {
        return axum::response::IntoResponse::into_response(refusal);
    }
    let (caller, account) = (user.login.caller(), user.login.account().id);
    let typed = Typed {
        csr: sent.pasted.clone(),
        ..Typed::default()
    };
    let (text, certificate) = if !sent.file.trim().is_empty() {
        (sent.file.as_str(), true)
    } else {
        let pasted = sent.pasted.as_str();
        (pasted, pasted.contains("BEGIN CERTIFICATE-----"))
    };
    if text.trim().is_empty() {
        let nothing = ServiceError::Invalid("no request nor certificate".into());
        return refused_saying(&service, &user, nothing, Some(words.nothing), typed).await;
    }
    let kept = if certificate {
        service.upload_certificate(&caller, account, text).await
    } else {
        service.request_certificate(&caller, account, text).await
    };
    let answered = kept.and_then(|pem| CertificateFacts::of(&pem).map(|facts| (pem, facts)));
    match answered {
        Ok((pem, facts)) => page(
            CertificatePage {
                layout: Layout::of(&user),
                subject: facts.subject,
                expires: dates::full(user.t, user.zone, facts.not_after),
                pem,
            }
            .render(),
        ),
        Err(error) => {
            let said = match &error {
                ServiceError::Invalid(_) if certificate => Some(words.pem_refused),
                ServiceError::Invalid(_) => Some(words.csr_refused),
                ServiceError::Unavailable(_) => Some(words.unavailable),
                _ => None,
            };
            refused_saying(&service, &user, error, said, typed).await
        }
    }
}
