//! Items of a FETCH or STATUS list that imap-codec does not know: taken out of the
//! list before imap-codec reads the command, answered here after. STATUS's
//! `MAILBOXID` (RFC 8474 §4.2) and `APPENDLIMIT` (RFC 7889 §2) are here; FETCH's
//! object ids are in [`crate::object_id`].

use caduceus_core::object_id::ObjectId;
use caduceus_service::model::Mailbox;

use crate::extended::{Kind, Token, closing, splice};

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

/// `tag STATUS mailbox (items)` without the items imap-codec does not know (and
/// with `MESSAGES` in their place when nothing else is asked), and which they
/// were; `None` when it names none.
pub(crate) fn without_status_extras(
    body: &[u8],
    tokens: &[Token],
) -> Option<(Vec<u8>, StatusExtras)> {
    let open = 3;
    if tokens.get(open)?.kind != Kind::Open {
        return None;
    }
    let close = closing(tokens, open)?;
    let (mut list, [mailbox_id, append_limit]) = without_words(
        body,
        &tokens[open + 1..close],
        [b"MAILBOXID", b"APPENDLIMIT"],
    );
    if !mailbox_id && !append_limit {
        return None;
    }
    let alone = list.is_empty();
    if alone {
        list.extend_from_slice(b"MESSAGES");
    }
    let line = splice(body, tokens[open].end, tokens[close].start, &list);
    Some((
        line,
        StatusExtras {
            mailbox_id,
            append_limit,
            alone,
        },
    ))
}
