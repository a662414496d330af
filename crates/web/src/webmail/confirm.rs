//! A confirmation step before a choice with consequences applies (IN-1, seed 004
//! §5.2: a patient's block and opposition; an account's suspension): the form posts once without `confirm`
//! and gets this page, which says what will happen and posts the same fields again
//! with `confirm=yes` and the session's CSRF token. No JavaScript needed.

use askama::Template;
use axum::response::Response;

use super::{Layout, WebUser, layout_page, page};

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    layout: Layout,
    heading: &'static str,
    subject: String,
    consequence: &'static str,
    action: String,
    fields: Vec<(&'static str, String)>,
    button: &'static str,
    back: String,
}

layout_page!(ConfirmPage);

/// What a confirmation page asks.
pub struct Question {
    /// The question, as the page's title and heading.
    pub heading: &'static str,
    /// What the choice is about (an address), shown under the heading; may be empty.
    pub subject: String,
    /// What will happen once confirmed, and how to undo it.
    pub consequence: &'static str,
    /// Where the confirmed form posts (the form's own address).
    pub action: String,
    /// The form's fields, posted again.
    pub fields: Vec<(&'static str, String)>,
    /// The confirm button's words.
    pub button: &'static str,
    /// Where "Cancel" leads.
    pub back: String,
}

/// The page asking `user` to confirm `question`.
pub fn ask(user: &WebUser, question: Question) -> Response {
    page(
        ConfirmPage {
            layout: Layout::of(user),
            heading: question.heading,
            subject: question.subject,
            consequence: question.consequence,
            action: question.action,
            fields: question.fields,
            button: question.button,
            back: question.back,
        }
        .render(),
    )
}
