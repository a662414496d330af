//! The matrix's cells through IMAP (Python's imaplib, `scripts/matrix_imap.py`): the
//! owner works in their own INBOX, the delegate in cardio's under the shared
//! namespace (`Shared/cardio@…/INBOX`, ID-3); anyone else tries to cross into the
//! mailboxes at stake the ways an attacker would — folder names that would name
//! them, the shared namespace's among them, UIDs and ids of their messages in one's
//! own INBOX — and must get nothing of them.

use caduceus_core::authz::{Expected, Operation, Party};
use serde_json::{Value, json};

use super::{ARCHIVE, Cast, Cell, Stored};

/// The folder names someone might try for `copy`'s mailbox from their own session.
fn foreign_names(copy: &Stored) -> Vec<String> {
    let address = &copy.address;
    let local = address.split('@').next().unwrap_or_default();
    [
        address.clone(),
        format!("{address}/INBOX"),
        format!("../{local}/INBOX"),
        format!("Other Users/{local}"),
        format!("Other Users/{address}/INBOX"),
        format!("Shared/{local}"),
        format!("Shared/{address}/INBOX"),
        format!("#shared/{address}"),
    ]
    .into_iter()
    .map(|name| format!("\"{name}\""))
    .collect()
}

/// The imaplib commands of `cell`: on the target's own INBOX for its owner (and for
/// the unauthenticated, who must be refused anyway), on cardio's INBOX under the
/// shared namespace for its delegate; for everyone else, on both copies the cell
/// delivered, from their own session.
fn commands(cell: &Cell) -> Vec<Value> {
    let delegate = cell.party == Party::Delegate;
    let owner_form = delegate
        || matches!(
            cell.party,
            Party::Owner | Party::Anonymous | Party::Suspended
        );
    // The delegate's folders of cardio's mailbox: `Shared/<address>/<folder>`.
    let folder = |name: &str| {
        if delegate {
            format!("\"Shared/{}/{name}\"", cell.target.address)
        } else {
            name.to_owned()
        }
    };
    let archive = folder(ARCHIVE);
    let uids = if owner_form {
        cell.target.uid.to_string()
    } else {
        [&cell.target, &cell.other]
            .iter()
            .flat_map(|c| [c.uid, c.id.0])
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let select = json!(["select", folder("INBOX")]);
    match cell.operation {
        Operation::ListFolder if owner_form => {
            vec![select, json!(["uid", "FETCH", "1:*", "(ENVELOPE)"])]
        }
        Operation::ListFolder => [&cell.target, &cell.other]
            .into_iter()
            .flat_map(foreign_names)
            .flat_map(|name| {
                [
                    json!(["select", name]),
                    json!(["status", name, "(MESSAGES)"]),
                ]
            })
            .collect(),
        Operation::ReadMessage => vec![select, json!(["uid", "FETCH", uids, "(BODY[])"])],
        Operation::ReadRaw => vec![select, json!(["uid", "FETCH", uids, "(BODY.PEEK[])"])],
        Operation::ReadAttachment => vec![select, json!(["uid", "FETCH", uids, "(BODY[2])"])],
        Operation::FlagMessage => {
            vec![
                select,
                json!(["uid", "STORE", uids, "+FLAGS", "(\\Flagged)"]),
            ]
        }
        Operation::MoveMessage => vec![select, json!(["uid", "MOVE", uids, archive])],
        Operation::CopyMessage => vec![select, json!(["uid", "COPY", uids, archive])],
        Operation::DeleteMessage => vec![
            select,
            json!(["uid", "STORE", uids, "+FLAGS", "(\\Deleted)"]),
            json!(["expunge"]),
        ],
        Operation::SearchFolder => vec![
            select,
            json!(["uid", "SEARCH", "SUBJECT", format!("\"{}\"", cell.marker)]),
        ],
        other => unreachable!("IMAP does not offer {other:?}"),
    }
}

/// The step of `cell` for `scripts/matrix_imap.py`, in its party's session.
pub fn step(cast: &Cast, cell: &Cell) -> Value {
    let mut step = cast.session_step(cell);
    step["commands"] = commands(cell).into();
    step
}

/// Whether the client's `answer` to `cell`'s step is what `expected` says; if not,
/// why. Effects on the stored copies are checked apart, for every interface.
pub fn judge(cell: &Cell, expected: Expected, answer: &str) -> Result<(), String> {
    let answer: Value = serde_json::from_str(answer).map_err(|e| format!("{e}: {answer}"))?;
    let answers: Vec<(String, String)> = answer["answers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let text = |i: usize| a[i].as_str().unwrap_or_default().to_owned();
            (text(0), text(1))
        })
        .collect();
    // The content, or for a search the target's UID in the SEARCH answer (the last).
    let found = answers.last().is_some_and(|(_, text)| {
        text.split_whitespace()
            .any(|uid| uid == cell.target.uid.to_string())
    });
    let shown = answers.iter().any(|(_, text)| text.contains(&cell.marker))
        || (cell.operation == Operation::SearchFolder && found);
    let ok = |(status, _): &(String, String)| status == "OK";
    let fine = match expected {
        Expected::Allowed => {
            answers.iter().all(ok)
                && (shown
                    || matches!(
                        cell.operation,
                        Operation::FlagMessage
                            | Operation::DeleteMessage
                            | Operation::MoveMessage
                            | Operation::CopyMessage
                    ))
        }
        // Nothing of the other's data, in a session that goes on; another's folder
        // names do not exist in one's own namespace.
        Expected::Denied(_) => {
            !shown
                && answers
                    .iter()
                    .all(|(status, _)| status == "OK" || status == "NO")
                && (cell.operation != Operation::ListFolder || !answers.iter().any(ok))
        }
        // Refused before anything: no login, or the login no longer holds (BYE).
        Expected::Unauthenticated => !shown && !answers.is_empty() && !answers.iter().any(ok),
    };
    if fine {
        Ok(())
    } else {
        Err(format!("{answers:?}"))
    }
}
