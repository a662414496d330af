//! The page of a patient mailbox's announcement (ID-5, AC-3, seed 003 §7): the link
//! the notice carries leads here, with no login (the one-time token is the patient's);
//! the page offers the two answers, objecting (the mailbox is never created) or
//! accepting now (it opens at once), each a form posted back here. A GET changes
//! nothing, so a mail scanner following the link decides nothing.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use caduceus_service::announcements::Answer;
use caduceus_service::{Service, ServiceError};

use crate::pages::plain;

/// The answer posted from the page.
#[derive(serde::Deserialize)]
pub(crate) struct AnswerForm {
    token: String,
    answer: String,
}

/// A token is 64 hexadecimal digits; anything else is not worth a lookup, and is never
/// written back into the page unchecked.
fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

const INVALID: &str = "<p>Ce lien n'est pas valide, ou a deja servi. / This link is not valid, \
                       or was already used.</p>";

/// `GET /announcement?token=…`: the two answers, as forms.
pub(crate) async fn show(Query(query): Query<HashMap<String, String>>) -> impl IntoResponse {
    let token = query.get("token").map(String::as_str).unwrap_or_default();
    if !well_formed(token) {
        return plain(StatusCode::NOT_FOUND, INVALID);
    }
    let form = |answer: &str, label: &str| {
        format!(
            "<form method=\"post\" action=\"/announcement\">\
             <input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <input type=\"hidden\" name=\"answer\" value=\"{answer}\">\
             <button type=\"submit\" id=\"{answer}\">{label}</button></form>"
        )
    };
    let body = format!(
        "<h1>Votre messagerie de sant\u{e9} / Your health mailbox</h1>\
         <p>Une messagerie s\u{e9}curis\u{e9}e de sant\u{e9} va \u{ea}tre cr\u{e9}\u{e9}e pour \
         vous ; elle ouvrira \u{e0} la date indiqu\u{e9}e dans le message re\u{e7}u, sauf \
         opposition de votre part. / A secure health mailbox is being created for you; it \
         opens on the date the notice gave unless you object.</p>{}{}",
        form("object", "Je m'oppose \u{e0} sa cr\u{e9}ation / I object"),
        form(
            "accept",
            "Je l'accepte d\u{e8}s maintenant / I accept it now"
        ),
    );
    plain(StatusCode::OK, &body)
}

/// `POST /announcement`: records the patient's answer (traced as the patient's).
pub(crate) async fn answer(
    State(service): State<Service>,
    Form(form): Form<AnswerForm>,
) -> impl IntoResponse {
    let answer = match form.answer.as_str() {
        "object" => Answer::Object,
        "accept" => Answer::Accept,
        _ => return plain(StatusCode::BAD_REQUEST, "<p>?</p>"),
    };
    if !well_formed(&form.token) {
        return plain(StatusCode::NOT_FOUND, INVALID);
    }
    match service
        .answer_announcement(&form.token, answer, "web")
        .await
    {
        Ok(()) if answer == Answer::Object => plain(
            StatusCode::OK,
            "<p id=\"done\">Votre opposition est enregistr\u{e9}e : la messagerie ne sera pas \
             cr\u{e9}\u{e9}e. / Your objection is recorded: the mailbox will not be \
             created.</p>",
        ),
        Ok(()) => plain(
            StatusCode::OK,
            "<p id=\"done\">Votre messagerie est ouverte. / Your mailbox is open.</p>",
        ),
        Err(ServiceError::NotFound(_)) => plain(StatusCode::NOT_FOUND, INVALID),
        Err(error) => {
            tracing::warn!(%error, "announcement answer not recorded");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "<p>R\u{e9}essayez plus tard. / Try again later.</p>",
            )
        }
    }
}
