//! The terms of use (IN-1): shown after login while the version in force is not
//! accepted, and whenever the service refuses for that reason; accepting records it
//! (traced) and opens the mailbox.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use caduceus_service::{Service, terms};
use serde::Deserialize;

use super::mail::refused;
use super::{CsrfField, Layout, Posted, WebUser, layout_page, page};

/// Where the terms are read and accepted.
pub const PATH: &str = "/terms";

#[derive(Template)]
#[template(path = "terms.html")]
struct TermsPage {
    layout: Layout,
    version: String,
    text: String,
    /// The language of `text` when the shipped terms say it (French), else none:
    /// the operator's text, in the page's language.
    text_lang: Option<&'static str>,
    /// The shipped terms' English version, marked `lang="en"` (WCAG 3.1.2).
    english: Option<String>,
}

layout_page!(TermsPage);

/// `GET /terms`: the text and the accept button, or the inbox when nothing is left
/// to accept.
pub async fn show(State(service): State<Service>, user: WebUser) -> Response {
    match service.terms_to_accept(&user.login).await {
        Ok(Some(terms)) => {
            let shipped = terms.text.split_once(terms::SHIPPED_ENGLISH);
            let (text, text_lang, english) = match shipped {
                Some((french, english)) => (
                    french.trim_end().to_owned(),
                    Some("fr"),
                    Some(format!("{}{english}", terms::SHIPPED_ENGLISH)),
                ),
                None => (terms.text.clone(), None, None),
            };
            let view = TermsPage {
                layout: Layout::of(&user),
                version: terms.version.clone(),
                text,
                text_lang,
                english,
            };
            page(view.render())
        }
        Ok(None) => Redirect::to("/mail/folder/INBOX").into_response(),
        Err(error) => refused(&user, error),
    }
}

/// The accept form: the version read.
#[derive(Deserialize)]
pub struct AcceptForm {
    csrf: String,
    version: String,
}

impl CsrfField for AcceptForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /terms`: accepts the version read, which must still be the one in force.
pub async fn accept(
    State(service): State<Service>,
    Posted { user, form }: Posted<AcceptForm>,
) -> Response {
    match service.accept_terms(&user.login, &form.version).await {
        Ok(()) => Redirect::to("/mail/folder/INBOX").into_response(),
        Err(error) => refused(&user, error),
    }
}
