//! The matrix's sending cells through SMTP submission (Python's smtplib,
//! `scripts/matrix_smtp.py`): implicit TLS, AUTH PLAIN with a device credential, the
//! envelope sender and the `From:` header naming the identity sent as.

use caduceus_core::authz::Expected;
use serde_json::Value;

use super::{Cast, Cell, RECIPIENT};

/// The step of `cell` for `scripts/matrix_smtp.py`: one message to the recipient, in
/// the party's session.
pub fn step(cast: &Cast, cell: &Cell) -> Value {
    let mut step = cast.session_step(cell);
    step["mail_from"] = cast.sent_as(cell).into();
    step["to"] = RECIPIENT.into();
    step["subject"] = cell.marker.clone().into();
    step
}

/// Whether the server's `answer` (`label code text`) is what `expected` says: 250;
/// a 5xx naming the rule; no login (530), or one that no longer holds (ID-2).
pub fn judge(expected: Expected, answer: &str) -> Result<(), String> {
    let mut parts = answer.splitn(3, ' ').skip(1);
    let code: u16 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let text = parts.next().unwrap_or("");
    let fine = match expected {
        Expected::Allowed => code == 250,
        Expected::Denied(want) => (500..600).contains(&code) && text.contains(want.as_str()),
        Expected::Unauthenticated => code == 530 || text.contains("(ID-2)"),
    };
    if fine {
        Ok(())
    } else {
        Err(format!("{code} {text}"))
    }
}
