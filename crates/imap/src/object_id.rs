//! OBJECTID (RFC 8474, MS-6): the ids a client keeps to recognise a folder after a
//! rename and a message across folders. The ids are the service's
//! ([`caduceus_core::object_id::ObjectId`]): a folder's is answered on SELECT,
//! EXAMINE and CREATE (`OK [MAILBOXID (…)]`), a message's in FETCH (`EMAILID`);
//! threads are not computed, so `THREADID` is NIL (§5.2 allows it). imap-codec has
//! no type for these: the FETCH items are taken out of the command in
//! [`crate::extended`] and written into each FETCH response here.

use caduceus_core::object_id::ObjectId;
use caduceus_service::model::{Mailbox, MessageSummary};
use imap_next::imap_types::response::{Code, CodeOther};

use crate::extended::{Kind, Token, closing, splice};
use crate::extras::without_words;

/// The object-id items a FETCH asked for (RFC 8474 §5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ObjectItems {
    /// `EMAILID`.
    pub email: bool,
    /// `THREADID`.
    pub thread: bool,
}

impl ObjectItems {
    /// Whether any was asked for.
    pub(crate) fn any(&self) -> bool {
        self.email || self.thread
    }

    /// The FETCH response `line` (as encoded, without its CRLF) with the items
    /// asked for of `summary` added before its closing parenthesis, and CRLF.
    pub(crate) fn written_into(&self, mut line: Vec<u8>, summary: &MessageSummary) -> Vec<u8> {
        if line.last() == Some(&b')') {
            line.pop();
        }
        if self.email {
            line.extend_from_slice(format!(" EMAILID ({})", summary.email_id).as_bytes());
        }
        if self.thread {
            line.extend_from_slice(b" THREADID NIL");
        }
        line.extend_from_slice(b")\r\n");
        line
    }
}

/// The response code `MAILBOXID (<id>)` of `mailbox` (RFC 8474 §4.1).
pub(crate) fn mailbox_code(mailbox: &Mailbox) -> Code<'static> {
    let id = ObjectId::mailbox(mailbox.id.0, mailbox.uidvalidity);
    Code::Other(CodeOther::unvalidated(
        format!("MAILBOXID ({id})").into_bytes(),
    ))
}

/// A FETCH naming `EMAILID` or `THREADID` (RFC 8474 §5), without them (`UID` in
/// their place when nothing else is asked), and which were named; `None` when it
/// names neither.
pub(crate) fn without_object_items(
    body: &[u8],
    tokens: &[Token],
    name_at: usize,
) -> Option<(Vec<u8>, ObjectItems)> {
    let first = name_at + 2;
    let (from, to) = match tokens.get(first)?.kind {
        Kind::Open => (first + 1, closing(tokens, first)?),
        _ => (first, first + 1),
    };
    let (mut list, [email, thread]) =
        without_words(body, &tokens[from..to], [b"EMAILID", b"THREADID"]);
    let items = ObjectItems { email, thread };
    if !items.any() {
        return None;
    }
    if list.is_empty() {
        list.extend_from_slice(b"UID");
    }
    let (start, end) = (tokens[from].start, tokens[to - 1].end);
    Some((splice(body, start, end, &list), items))
}

/// The SEARCH keys `EMAILID <id>` and `THREADID <id>` (RFC 8474 §6) among the
/// tokens from `from` on, written as keys imap-codec reads: `UID <set>` of the
/// messages with that EMAILID (`email_ids`: each one's id and UID), or `NOT ALL`
/// when none has it — and for every THREADID, as no message has one.
pub(crate) fn replace_object_keys(
    body: &[u8],
    tokens: &[Token],
    from: usize,
    email_ids: &[(ObjectId, u32)],
) -> Option<(Vec<u8>, Vec<Token>)> {
    let mut line = body.to_vec();
    // Replaced from the end, so earlier positions hold; a key whose value was itself
    // replaced (`THREADID THREADID x`) is left for imap-codec to refuse.
    let mut replaced_from = usize::MAX;
    for i in (from..tokens.len()).rev() {
        let key = &tokens[i];
        let word = body[key.start..key.end].to_ascii_uppercase();
        if key.kind != Kind::Atom || !matches!(&word[..], b"EMAILID" | b"THREADID") {
            continue;
        }
        let after_keyword = i > 0
            && tokens[i - 1].kind == Kind::Atom
            && matches!(
                &body[tokens[i - 1].start..tokens[i - 1].end].to_ascii_uppercase()[..],
                b"KEYWORD" | b"UNKEYWORD"
            );
        let Some(value) = tokens.get(i + 1).filter(|v| v.kind == Kind::Atom) else {
            continue;
        };
        if after_keyword || value.end > replaced_from {
            continue;
        }
        let wanted = &body[value.start..value.end];
        let mut uids: Vec<u32> = match &word[..] {
            b"EMAILID" => email_ids
                .iter()
                .filter(|(id, _)| id.as_str().as_bytes() == wanted)
                .map(|(_, uid)| *uid)
                .collect(),
            _ => Vec::new(),
        };
        uids.sort_unstable();
        let written = match crate::extended::ranges(&uids) {
            Some(set) => format!("UID {set}"),
            None => "NOT ALL".to_owned(),
        };
        line = splice(&line, key.start, value.end, written.as_bytes());
        replaced_from = key.start;
    }
    let tokens = crate::extended::tokens(&line)?;
    Some((line, tokens))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extended::{Extended, Saved, parse};
    use imap_next::imap_types::command::CommandBody;

    #[test]
    fn rfc8474_search_keys_are_written_as_uid_sets() {
        let id = ObjectId::email("b1");
        let ids = [(id.clone(), 7), (ObjectId::email("b2"), 8), (id.clone(), 3)];
        let line = format!("a SEARCH EMAILID {id} OR THREADID T1 KEYWORD EMAILID");
        let tokens = crate::extended::tokens(line.as_bytes()).unwrap();
        let (written, _) = replace_object_keys(line.as_bytes(), &tokens, 2, &ids).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            "a SEARCH UID 3,7 OR NOT ALL KEYWORD EMAILID"
        );
    }

    /// Found by `scripts/fuzz.sh imap_input` (session 17): a key whose value is another
    /// key spliced the line out of range.
    #[test]
    fn rfc8474_a_key_whose_value_is_another_key_is_left_as_written() {
        let line = "a UID SEARCH THREADID THREADID T1 EMAILID EMAILID b1";
        let tokens = crate::extended::tokens(line.as_bytes()).unwrap();
        let (written, _) = replace_object_keys(line.as_bytes(), &tokens, 3, &[]).unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            "a UID SEARCH THREADID NOT ALL EMAILID NOT ALL"
        );
    }

    #[test]
    fn rfc8474_fetch_object_items_are_taken_out_of_the_fetch() {
        let base = |line: &[u8]| {
            let Some(Extended::Fetch { extras, fetch }) = parse(line, &Saved::default()) else {
                panic!("not read: {}", String::from_utf8_lossy(line));
            };
            let Extended::Command(command) = *fetch else {
                panic!("not a base command");
            };
            (extras.object_ids, command)
        };
        let (items, command) = base(b"a UID FETCH 1:* (FLAGS EMAILID THREADID)\r\n");
        assert_eq!(
            items,
            ObjectItems {
                email: true,
                thread: true
            }
        );
        assert!(matches!(command.body, CommandBody::Fetch { uid: true, .. }));
        let (items, _) = base(b"a FETCH 1 EMAILID\r\n");
        assert_eq!(
            items,
            ObjectItems {
                email: true,
                thread: false
            }
        );
        let (_, command) = base(b"a FETCH 1 (THREADID BODY.PEEK[HEADER.FIELDS (FROM)] UID)\r\n");
        assert!(matches!(command.body, CommandBody::Fetch { .. }));
        assert!(parse(b"a FETCH 1 (FLAGS)\r\n", &Saved::default()).is_none());
    }
}
