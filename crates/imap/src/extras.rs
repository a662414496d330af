//! Items of a FETCH or STATUS list that imap-codec does not know: taken out of the
//! list before imap-codec reads the command, answered here after. STATUS's
//! `MAILBOXID` (RFC 8474 §4.2) and `APPENDLIMIT` (RFC 7889 §2) are here; FETCH's
//! object ids ([`crate::object_id`]) and PARTIAL modifier ([`crate::partial`])
//! are taken out here.

use caduceus_core::object_id::ObjectId;
use caduceus_service::model::Mailbox;

use imap_next::imap_types::mailbox::Mailbox as ImapMailbox;
use imap_next::imap_types::response::Data;
use imap_next::imap_types::status::StatusDataItem;

use crate::extended::{Kind, Token, closing, splice};
use crate::fetching::FetchExtras;
use crate::wire::Wire;

/// The tokens `list` (the inside of a parenthesised list) of `body` without the
/// atoms `words` at its top level, written again; and which of `words` were in it.
pub(crate) fn without_words<const N: usize>(
    body: &[u8],
    list: &[Token],
    words: [&[u8]; N],
) -> (Vec<u8>, [bool; N]) {
    let mut found = [false; N];
    let mut kept = Vec::new();
    let mut depth = 0usize;
    for t in list {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth = depth.saturating_sub(1),
            Kind::Atom if depth == 0 => {
                let word = &body[t.start..t.end];
                if let Some(n) = words.iter().position(|w| w.eq_ignore_ascii_case(word)) {
                    found[n] = true;
                    continue;
                }
            }
            _ => {}
        }
        kept.push(t);
    }
    // Each kept token with the space before it inside the list.
    let mut out = Vec::new();
    for (i, t) in kept.iter().enumerate() {
        let joined = i > 0 && kept[i - 1].end == t.start;
        if i > 0 && !joined && kept[i - 1].kind != Kind::Open && t.kind != Kind::Close {
            out.push(b' ');
        }
        out.extend_from_slice(&body[t.start..t.end]);
    }
    (out, found)
}

/// The STATUS items imap-codec does not know that a STATUS asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StatusExtras {
    /// `MAILBOXID` (RFC 8474 §4.2).
    pub mailbox_id: bool,
    /// `APPENDLIMIT` (RFC 7889 §2).
    pub append_limit: bool,
    /// Nothing else was asked: the base items read in their place are not answered.
    pub alone: bool,
}

impl StatusExtras {
    /// The STATUS response `line` (as encoded, without its CRLF) with the items
    /// asked for of `folder` added before its closing parenthesis, and CRLF;
    /// `limit` is the largest message the service takes.
    pub(crate) fn written_into(
        &self,
        mut line: Vec<u8>,
        folder: &Mailbox,
        limit: usize,
    ) -> Vec<u8> {
        if line.last() == Some(&b')') {
            line.pop();
        }
        let mut items = Vec::new();
        if self.mailbox_id {
            let id = ObjectId::mailbox(folder.id.0, folder.uidvalidity);
            items.push(format!("MAILBOXID ({id})"));
        }
        if self.append_limit {
            items.push(format!("APPENDLIMIT {limit}"));
        }
        if line.last() != Some(&b'(') {
            line.push(b' ');
        }
        line.extend_from_slice(items.join(" ").as_bytes());
        line.extend_from_slice(b")\r\n");
        line
    }
}

/// A STATUS item list (the tokens inside its parentheses) without the items
/// imap-codec does not know, with `MESSAGES` in their place when nothing else is
/// asked; and which they were.
pub(crate) fn status_list(body: &[u8], list: &[Token]) -> (Vec<u8>, StatusExtras) {
    let (mut kept, [mailbox_id, append_limit]) =
        without_words(body, list, [b"MAILBOXID", b"APPENDLIMIT"]);
    let alone = kept.is_empty() && (mailbox_id || append_limit);
    if alone {
        kept.extend_from_slice(b"MESSAGES");
    }
    let extras = StatusExtras {
        mailbox_id,
        append_limit,
        alone,
    };
    (kept, extras)
}

/// `tag STATUS mailbox (items)` without the items imap-codec does not know, and
/// which they were; `None` when it names none.
pub(crate) fn without_status_extras(
    body: &[u8],
    tokens: &[Token],
) -> Option<(Vec<u8>, StatusExtras)> {
    let open = 3;
    if tokens.get(open)?.kind != Kind::Open {
        return None;
    }
    let close = closing(tokens, open)?;
    let (list, extras) = status_list(body, &tokens[open + 1..close]);
    if extras == StatusExtras::default() {
        return None;
    }
    let line = splice(body, tokens[open].end, tokens[close].start, &list);
    Some((line, extras))
}

/// Queues the STATUS response of `folder` (named `mailbox` as the client named
/// it) with `items` and the `extras` asked for; `limit` is the largest message the
/// service takes (APPENDLIMIT).
pub(crate) fn enqueue_status(
    out: &mut Wire,
    mailbox: ImapMailbox<'_>,
    items: Vec<StatusDataItem>,
    extras: StatusExtras,
    folder: &Mailbox,
    limit: usize,
) {
    let items = if extras.alone { Vec::new() } else { items };
    let data = Data::Status {
        mailbox,
        items: items.into(),
    };
    if extras.mailbox_id || extras.append_limit {
        let line = out.encode_without_crlf(data);
        out.enqueue_line(&extras.written_into(line, folder, limit));
    } else {
        out.enqueue_data(data);
    }
}

/// A FETCH without its object-id items (RFC 8474 §5) and PARTIAL modifier
/// (RFC 9394 §4), and what they asked; `None` when it has neither.
pub(crate) fn without_fetch_extras(
    body: &[u8],
    tokens: &[Token],
    name_at: usize,
) -> Option<(Vec<u8>, FetchExtras)> {
    let mut extras = FetchExtras::default();
    let mut line = body.to_vec();
    if let Some((base, items)) = crate::object_id::without_object_items(&line, tokens, name_at) {
        line = base;
        extras.object_ids = items;
    }
    if let Some((base, partial)) =
        crate::partial::without_partial(&line, &crate::extended::tokens(&line)?)
    {
        line = base;
        extras.partial = Some(partial);
    }
    (extras != FetchExtras::default()).then_some((line, extras))
}
