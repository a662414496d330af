//! Replies: a code, an enhanced status code (RFC 3463, advertised as
//! ENHANCEDSTATUSCODES), a text; and how a [`ServiceError`] reads at each step of a
//! transaction, naming the requirement that refused and what to do.

use caduceus_core::Requirement;
use std::fmt::Write as _;

use caduceus_service::ServiceError;

/// Longest text put on one reply line (RFC 5321 allows 512 bytes per reply line).
const MAX_TEXT: usize = 400;

/// One SMTP reply, possibly on several lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    code: u16,
    /// The enhanced status code, e.g. `5.7.8`; none on the greeting and EHLO.
    status: Option<&'static str>,
    lines: Vec<String>,
}

impl Reply {
    /// A one-line reply with an enhanced status code.
    pub(crate) fn new(code: u16, status: &'static str, text: impl AsRef<str>) -> Self {
        Self {
            code,
            status: Some(status),
            lines: vec![clean(text.as_ref())],
        }
    }

    /// A reply without enhanced status code (greeting, EHLO, HELO, SASL challenges).
    pub(crate) fn bare(code: u16, lines: Vec<String>) -> Self {
        Self {
            code,
            status: None,
            lines: lines.iter().map(|l| clean(l)).collect(),
        }
    }

    /// The reply code.
    pub(crate) fn code(&self) -> u16 {
        self.code
    }

    /// Appends the reply, CRLF-terminated, to `out`.
    pub(crate) fn write_to(&self, out: &mut Vec<u8>) {
        let mut text = String::new();
        let last = self.lines.len().saturating_sub(1);
        for (i, line) in self.lines.iter().enumerate() {
            let sep = if i == last { ' ' } else { '-' };
            let _ = write!(text, "{}{sep}", self.code);
            if let Some(status) = self.status {
                let _ = write!(text, "{status} ");
            }
            let _ = write!(text, "{line}\r\n");
        }
        if self.lines.is_empty() {
            let _ = write!(text, "{}\r\n", self.code);
        }
        out.extend_from_slice(text.as_bytes());
    }
}

/// Reply text on one line of printable ASCII (SMTPUTF8 is not offered; a client's
/// odd character quoted in a reason becomes `?`), at most [`MAX_TEXT`] bytes.
fn clean(text: &str) -> String {
    text.chars()
        .take(MAX_TEXT)
        .map(|ch| match ch {
            ' '..='~' => ch,
            _ if ch.is_control() => ' ',
            _ => '?',
        })
        .collect()
}

/// Where in a transaction a service error happened: the same refusal reads differently
/// at RCPT (only this recipient) and after DATA (the whole message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// `MAIL FROM`.
    Mail,
    /// `RCPT TO`.
    Rcpt,
    /// After the message content.
    Data,
}

/// `421 4.7.0`: the connection is closed after too many errors.
pub(crate) fn too_many_errors() -> Reply {
    Reply::new(421, "4.7.0", "too many errors; closing connection")
}

/// `530 5.7.0`: on port 587, nothing but EHLO, STARTTLS, NOOP, RSET, QUIT before TLS.
pub(crate) fn starttls_first() -> Reply {
    Reply::new(530, "5.7.0", "Must issue a STARTTLS command first")
}

/// `530 5.7.0`: MAIL before AUTH.
pub(crate) fn auth_required() -> Reply {
    Reply::new(
        530,
        "5.7.0",
        "Authentication required: log in with your address and a device credential, or a client certificate",
    )
}

/// `503 5.5.1`: a command before EHLO.
pub(crate) fn ehlo_first() -> Reply {
    Reply::new(503, "5.5.1", "send EHLO first")
}

/// `552 5.3.4`: the message is, or is announced, larger than the limit (MS-1).
pub(crate) fn too_big(max: usize) -> Reply {
    Reply::new(
        552,
        "5.3.4",
        format!("message too big (MS-1): at most {max} bytes; send large files by another channel"),
    )
}

/// `451 4.3.0`: storage or a needed service failed; the client may retry.
pub(crate) fn temporary() -> Reply {
    Reply::new(
        451,
        "4.3.0",
        "temporary failure, nothing was accepted; try again later",
    )
}

/// How a service error from `MAIL`, `RCPT` or the submission itself reads.
pub(crate) fn service_error(error: &ServiceError, stage: Stage) -> Reply {
    match error {
        ServiceError::Refused(refusal) => {
            let text = format!("{} ({})", refusal.reason, refusal.requirement);
            match (refusal.requirement, stage) {
                (Requirement::Ms1, _) => Reply::new(552, "5.3.4", text),
                // Temporary at RCPT: the client sends the rest in another transaction.
                (Requirement::Ms12, Stage::Rcpt) => Reply::new(
                    452,
                    "4.5.3",
                    format!("too many recipients (MS-12): {}", refusal.reason),
                ),
                (Requirement::Ms12, _) => Reply::new(554, "5.5.3", text),
                (Requirement::Ms2, _) => Reply::new(550, "5.1.1", text),
                (Requirement::Id3, _) => Reply::new(553, "5.7.1", text),
                // An infected message (MS-13): permanent, the signature named.
                (Requirement::Ms13, _) => Reply::new(554, "5.7.1", text),
                _ => Reply::new(550, "5.7.1", text),
            }
        }
        ServiceError::Denied {
            requirement,
            reason,
        } => Reply::new(550, "5.7.1", format!("{reason} ({requirement})")),
        ServiceError::Invalid(reason) => match stage {
            Stage::Data => Reply::new(554, "5.6.0", reason),
            _ => Reply::new(501, "5.5.4", reason),
        },
        ServiceError::NotFound(what) if stage == Stage::Rcpt => {
            Reply::new(550, "5.1.1", format!("{what} not found"))
        }
        // RFC 3463 4.7.1 "delivery not authorized" for now: a rate limit, as Postfix says it.
        ServiceError::RateLimited {
            reason,
            retry_after,
        } => Reply::new(
            450,
            "4.7.1",
            format!(
                "sending rate exceeded (MS-13): {reason}; nothing was accepted, try again in {} minute(s)",
                retry_after.as_secs().div_ceil(60).max(1)
            ),
        ),
        // RFC 3463 4.2.2: mailbox full, temporary; the sender's server retries.
        ServiceError::OverQuota(reason) => {
            Reply::new(452, "4.2.2", format!("recipient's mailbox full: {reason}"))
        }
        // RFC 3463 4.3.1 "mail system full": nothing was stored; retry later.
        ServiceError::Store(store) if store.is_storage_full() => Reply::new(
            452,
            "4.3.1",
            "insufficient system storage: nothing was accepted, try again later",
        ),
        ServiceError::Unavailable(reason) => Reply::new(
            451,
            "4.3.0",
            format!("temporarily unavailable ({reason}); nothing was accepted, try again later"),
        ),
        _ => temporary(),
    }
}

#[cfg(test)]
mod tests {
    use caduceus_core::Refusal;

    use super::*;

    fn text(reply: &Reply) -> String {
        let mut out = Vec::new();
        reply.write_to(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn replies_are_single_clean_lines_with_their_status() {
        assert_eq!(
            text(&Reply::new(250, "2.0.0", "ok\r\nRCPT TO:<x@y>")),
            "250 2.0.0 ok  RCPT TO:<x@y>\r\n"
        );
        assert_eq!(
            text(&Reply::new(501, "5.1.3", "bad character 'é'")),
            "501 5.1.3 bad character '?'\r\n"
        );
        assert_eq!(
            text(&Reply::bare(250, vec!["a".into(), "b".into()])),
            "250-a\r\n250 b\r\n"
        );
        assert!(text(&Reply::new(550, "5.1.1", "x".repeat(2000))).len() < 420);
    }

    #[test]
    fn refusals_name_their_requirement() {
        let refused = |requirement| {
            ServiceError::Refused(Refusal {
                requirement,
                reason: "why".into(),
            })
        };
        let ms2 = service_error(&refused(Requirement::Ms2), Stage::Rcpt);
        assert_eq!(text(&ms2), "550 5.1.1 why (MS-2)\r\n");
        assert_eq!(
            service_error(&refused(Requirement::Id3), Stage::Mail).code(),
            553
        );
        assert_eq!(
            service_error(&refused(Requirement::Ms12), Stage::Rcpt).code(),
            452
        );
        assert_eq!(
            service_error(&refused(Requirement::Ms12), Stage::Data).code(),
            554
        );
        assert_eq!(
            service_error(&refused(Requirement::Ms1), Stage::Data).code(),
            552
        );
        assert_eq!(
            service_error(&refused(Requirement::Ms13), Stage::Data).code(),
            554
        );
        let unavailable = ServiceError::Unavailable("antivirus".into());
        assert_eq!(service_error(&unavailable, Stage::Data).code(), 451);
        let full = ServiceError::OverQuota("the mailbox holds 5 of its 5 MiB".into());
        assert_eq!(
            text(&service_error(&full, Stage::Data)),
            "452 4.2.2 recipient's mailbox full: the mailbox holds 5 of its 5 MiB\r\n"
        );
        let rate = ServiceError::RateLimited {
            reason: "a@b.test may send at most 3 messages per 60 minutes".into(),
            retry_after: std::time::Duration::from_secs(61),
        };
        assert_eq!(
            text(&service_error(&rate, Stage::Mail)),
            "450 4.7.1 sending rate exceeded (MS-13): a@b.test may send at most 3 messages per 60 \
             minutes; nothing was accepted, try again in 2 minute(s)\r\n"
        );
    }
}
