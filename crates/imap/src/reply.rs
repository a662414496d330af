//! Building responses: status lines whose text is always valid on the wire, and
//! service errors as IMAP answers (RFC 5530 response codes).

use caduceus_core::Requirement;
use caduceus_service::ServiceError;
use imap_next::imap_types::core::Tag;
use imap_next::imap_types::response::{Code, CodeOther, Status};

/// The kind of a status response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Ok,
    No,
    Bad,
}

/// Text fit for a status line: printable ASCII only, never empty.
pub(crate) fn wire_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect();
    let cleaned = cleaned.trim_start_matches('[').trim().to_owned();
    if cleaned.is_empty() {
        "-".to_owned()
    } else {
        cleaned
    }
}

/// A status response (tagged when `tag` is set).
pub(crate) fn status(
    kind: Kind,
    tag: Option<Tag<'static>>,
    code: Option<Code<'static>>,
    text: &str,
) -> Status<'static> {
    let text = wire_text(text);
    let built = match kind {
        Kind::Ok => Status::ok(tag, code, text),
        Kind::No => Status::no(tag, code, text),
        Kind::Bad => Status::bad(tag, code, text),
    };
    built.expect("wire_text makes every text valid")
}

/// An RFC 5530 response code such as `NONEXISTENT`.
pub(crate) fn code(name: &'static str) -> Code<'static> {
    Code::Other(CodeOther::unvalidated(name.as_bytes()))
}

/// How a service error reads to an IMAP client: `NO` with a code and a text naming
/// the requirement, or `BAD` for invalid input.
pub(crate) fn from_service(tag: Tag<'static>, error: &ServiceError) -> Status<'static> {
    match error {
        // A message over the size limit (MS-1): TOOBIG, as APPENDLIMIT promises
        // (RFC 7889).
        ServiceError::Refused(refusal) if refusal.requirement == Requirement::Ms1 => status(
            Kind::No,
            Some(tag),
            Some(Code::TooBig),
            &format!("{} ({})", refusal.reason, refusal.requirement),
        ),
        ServiceError::Refused(refusal) => status(
            Kind::No,
            Some(tag),
            None,
            &format!("{} ({})", refusal.reason, refusal.requirement),
        ),
        ServiceError::Denied {
            requirement,
            reason,
        } => status(
            Kind::No,
            Some(tag),
            Some(code("NOPERM")),
            &format!("{reason} ({requirement})"),
        ),
        ServiceError::NotFound(_) => status(
            Kind::No,
            Some(tag),
            Some(code("NONEXISTENT")),
            "no such mailbox or message",
        ),
        ServiceError::Invalid(reason) => status(Kind::Bad, Some(tag), None, reason),
        ServiceError::OverQuota(reason) => {
            status(Kind::No, Some(tag), Some(Code::OverQuota), reason)
        }
        ServiceError::Unavailable(reason) => status(
            Kind::No,
            Some(tag),
            Some(code("UNAVAILABLE")),
            &format!("{reason}; try again later"),
        ),
        ServiceError::Store(caduceus_service::model::StoreError::ContentDestroyed(_)) => status(
            Kind::No,
            Some(tag),
            Some(code("UNAVAILABLE")),
            "the content of this message was deleted for good (RT-3)",
        ),
        ServiceError::Store(store) if store.is_storage_full() => status(
            Kind::No,
            Some(tag),
            Some(code("UNAVAILABLE")),
            "the server's storage is full: nothing was changed; try again later",
        ),
        ServiceError::Store(_) => status(
            Kind::No,
            Some(tag),
            Some(code("SERVERBUG")),
            "the server could not complete this command; try again later",
        ),
        other => status(Kind::No, Some(tag), None, &other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_made_wire_safe() {
        assert_eq!(wire_text("déjà vu\r\nx"), "d?j? vu??x");
        assert_eq!(wire_text(""), "-");
        assert_eq!(wire_text("[ALERT] hi"), "ALERT] hi");
    }
}
