//! Commands of extensions imap-codec 2.0.0-alpha.10 does not parse: SEARCH's
//! RETURN options (ESEARCH, RFC 4731), `$`, the saved search result (SEARCHRES,
//! RFC 5182), and LIST's selection options, return options and pattern lists
//! (LIST-EXTENDED, RFC 5258; LIST-STATUS, RFC 5819; SPECIAL-USE, RFC 6154) — all
//! part of IMAP4rev2 (RFC 9051); the ACL commands (RFC 4314) with LIST's
//! MYRIGHTS return option (RFC 8440); FETCH's object-id items (RFC 8474) and
//! PARTIAL modifier, and SEARCH's PARTIAL return option (RFC 9394).
//!
//! Only the extensions' own words are read here. A line imap-codec refused is cut
//! into tokens (atoms, quoted strings, literals, parentheses), the extension's part
//! is taken out or written out, and what remains — the base command — is parsed by
//! imap-codec: mailbox names, search keys, sequence sets and literals keep
//! imap-codec's grammar.

use imap_codec::CommandCodec;
use imap_codec::decode::Decoder;
use imap_next::imap_types::command::{Command, CommandBody};
use imap_next::imap_types::core::{Tag, Vec1};
use imap_next::imap_types::mailbox::{ListMailbox, Mailbox};
use imap_next::imap_types::search::SearchKey;
use imap_next::imap_types::status::StatusDataItemName;

use crate::extras::StatusExtras;
use crate::fetching::FetchExtras;
use crate::partial::Partial;
use caduceus_core::object_id::ObjectId;

/// A command read here.
#[derive(Debug)]
pub(crate) enum Extended {
    /// SEARCH with RETURN options.
    Search {
        tag: Tag<'static>,
        uid: bool,
        criteria: Vec1<SearchKey<'static>>,
        returns: SearchReturn,
    },
    /// LIST with selection or return options, or several patterns.
    List {
        tag: Tag<'static>,
        reference: Mailbox<'static>,
        patterns: Vec<ListMailbox<'static>>,
        options: ListOptions,
    },
    /// A command naming `$`, with the saved result written out: imap-codec's.
    Command(Command<'static>),
    /// A command on `$` while the saved result is empty: it acts on nothing
    /// (RFC 5182 §2.1).
    OnNothing { tag: Tag<'static> },
    /// An ACL command (RFC 4314).
    Acl { tag: Tag<'static>, command: Acl },
    /// A STATUS asking for items imap-codec does not know: the STATUS without
    /// them, and which they are.
    Status {
        extras: StatusExtras,
        status: Command<'static>,
    },
    /// A FETCH asking for object ids (RFC 8474 §5) or a page (RFC 9394 §4): the
    /// FETCH without them, and what they ask.
    Fetch {
        extras: FetchExtras,
        fetch: Box<Extended>,
    },
}

/// The ACL commands (RFC 4314 §3): rights are read, never set over IMAP.
#[derive(Debug)]
pub(crate) enum Acl {
    /// MYRIGHTS mailbox (§3.5).
    MyRights(Mailbox<'static>),
    /// GETACL mailbox (§3.3).
    Get(Mailbox<'static>),
    /// LISTRIGHTS mailbox identifier (§3.4).
    ListRights(Mailbox<'static>, String),
    /// SETACL or DELETEACL (§3.1, §3.2), whatever their arguments.
    Change,
}

impl Extended {
    /// The command's tag.
    pub(crate) fn tag(&self) -> &Tag<'static> {
        match self {
            Self::Search { tag, .. }
            | Self::List { tag, .. }
            | Self::OnNothing { tag }
            | Self::Acl { tag, .. } => tag,
            Self::Command(command)
            | Self::Status {
                status: command, ..
            } => &command.tag,
            Self::Fetch { fetch, .. } => fetch.tag(),
        }
    }
}

/// What an extended SEARCH returns (RFC 4731 §3.1, RFC 5182 §2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SearchReturn {
    pub min: bool,
    pub max: bool,
    pub all: bool,
    pub count: bool,
    /// Keep the result as `$` (SEARCHRES).
    pub save: bool,
    /// A page of the result (RFC 9394).
    pub partial: Option<Partial>,
}

impl SearchReturn {
    /// RFC 9051 §6.4.4: a SEARCH without options returns ALL.
    pub(crate) const ALL: Self = Self {
        min: false,
        max: false,
        all: true,
        count: false,
        save: false,
        partial: None,
    };

    /// SAVE alone asks for no ESEARCH response (RFC 5182 §2.4).
    pub(crate) fn answers(&self) -> bool {
        self.min || self.max || self.all || self.count || self.partial.is_some()
    }
}

/// LIST's selection and return options (RFC 5258 §3, RFC 5819, RFC 6154).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ListOptions {
    /// Selection SUBSCRIBED: subscribed folders only.
    pub subscribed: bool,
    /// Selection SPECIAL-USE: folders with a special use only.
    pub special_use: bool,
    /// Selection RECURSIVEMATCH: report parents of matching children (CHILDINFO).
    pub recursive: bool,
    /// Return SUBSCRIBED: the \Subscribed attribute.
    pub return_subscribed: bool,
    /// Return STATUS: these items for each folder listed.
    pub status: Vec<StatusDataItemName>,
    /// Return MYRIGHTS: the login's rights on each folder listed (RFC 8440).
    pub myrights: bool,
    /// STATUS items imap-codec does not know (MAILBOXID, APPENDLIMIT).
    pub status_extras: StatusExtras,
}

/// The saved search result, written as sets, to replace `$` (None: empty).
#[derive(Debug, Default, Clone)]
pub(crate) struct Saved {
    /// As UIDs, e.g. `3:5,9`.
    pub uids: Option<String>,
    /// As sequence numbers in the session's snapshot.
    pub seqs: Option<String>,
    /// Each message's EMAILID with its UID, for SEARCH EMAILID (RFC 8474 §6); only
    /// filled when the command names EMAILID.
    pub email_ids: Vec<(ObjectId, u32)>,
}

/// Reads `line` (a whole command with its literals and final CRLF) when it is
/// one of the commands above; `None` for anything else, which stays a syntax error.
pub(crate) fn parse(line: &[u8], saved: &Saved) -> Option<Extended> {
    let body = line.strip_suffix(b"\r\n")?;
    let tokens = tokens(body)?;
    let word = |i: usize| -> Option<String> {
        let t = tokens.get(i)?;
        (t.kind == Kind::Atom)
            .then(|| String::from_utf8_lossy(&body[t.start..t.end]).to_uppercase())
    };
    let uid = word(1).as_deref() == Some("UID");
    let name_at = if uid { 2 } else { 1 };
    let name = word(name_at)?;
    match name.as_str() {
        "LIST" if !uid => list(body, &tokens),
        "SEARCH" => {
            let (body, tokens) = replace_saved_in_keys(body, &tokens, name_at + 1, saved)?;
            let (body, tokens) = crate::object_id::replace_object_keys(
                &body,
                &tokens,
                name_at + 1,
                &saved.email_ids,
            )?;
            search(&body, &tokens, uid, name_at)
        }
        "FETCH" => match crate::extras::without_fetch_extras(body, &tokens, name_at) {
            Some((line, extras)) => {
                let fetch = on_saved(&line, &self::tokens(&line)?, uid, name_at, saved)
                    .or_else(|| decode(&line).map(Extended::Command))?;
                Some(Extended::Fetch {
                    extras,
                    fetch: Box::new(fetch),
                })
            }
            None => on_saved(body, &tokens, uid, name_at, saved),
        },
        "STORE" | "COPY" | "MOVE" => on_saved(body, &tokens, uid, name_at, saved),
        "STATUS" if !uid => {
            let (line, extras) = crate::extras::without_status_extras(body, &tokens)?;
            Some(Extended::Status {
                extras,
                status: decode(&line)?,
            })
        }
        "EXPUNGE" if uid => on_saved(body, &tokens, uid, name_at, saved),
        "MYRIGHTS" | "GETACL" | "LISTRIGHTS" | "SETACL" | "DELETEACL" if !uid => {
            acl(body, &tokens, &name)
        }
        _ => None,
    }
}

/// A command whose sequence set is `$`: written out, or acting on nothing.
fn on_saved(
    body: &[u8],
    tokens: &[Token],
    uid: bool,
    name_at: usize,
    saved: &Saved,
) -> Option<Extended> {
    let set = tokens.get(name_at + 1)?;
    if set.kind != Kind::Atom || &body[set.start..set.end] != b"$" {
        return None;
    }
    let written = if uid { &saved.uids } else { &saved.seqs };
    let Some(written) = written else {
        return Some(Extended::OnNothing {
            tag: decode_tag(&body[..tokens[0].end])?,
        });
    };
    let line = splice(body, set.start, set.end, written.as_bytes());
    decode(&line).map(Extended::Command)
}

/// SEARCH [RETURN (options)] keys, with `$` already written out.
fn search(body: &[u8], tokens: &[Token], uid: bool, name_at: usize) -> Option<Extended> {
    let word = |t: &Token| String::from_utf8_lossy(&body[t.start..t.end]).to_uppercase();
    let after = tokens.get(name_at + 1)?;
    if after.kind != Kind::Atom || word(after) != "RETURN" {
        // `$` written out: a plain SEARCH now.
        return decode(body).map(Extended::Command);
    }
    tokens.get(name_at + 2).filter(|t| t.kind == Kind::Open)?;
    let close = closing(tokens, name_at + 2)?;
    let mut returns = SearchReturn::default();
    let mut options = tokens[name_at + 3..close].iter();
    while let Some(t) = options.next() {
        match (t.kind, word(t).as_str()) {
            (Kind::Atom, "MIN") => returns.min = true,
            (Kind::Atom, "MAX") => returns.max = true,
            (Kind::Atom, "ALL") => returns.all = true,
            (Kind::Atom, "COUNT") => returns.count = true,
            (Kind::Atom, "SAVE") => returns.save = true,
            (Kind::Atom, "PARTIAL") => {
                let range = options.next().filter(|r| r.kind == Kind::Atom)?;
                returns.partial = Some(Partial::parse(&body[range.start..range.end])?);
            }
            _ => return None,
        }
    }
    // RFC 9394 §3.1: PARTIAL and ALL exclude each other.
    if returns.all && returns.partial.is_some() {
        return None;
    }
    if returns == SearchReturn::default() {
        // RFC 4731 §3.1: RETURN () is RETURN (ALL).
        returns.all = true;
    }
    let keys = tokens.get(close + 1)?;
    let mut base = body[..after.start].to_vec();
    base.extend_from_slice(&body[keys.start..]);
    match decode(&base)? {
        Command {
            tag,
            body: CommandBody::Search { criteria, .. },
        } => Some(Extended::Search {
            tag,
            uid,
            criteria,
            returns,
        }),
        _ => None,
    }
}

/// Writes out `$` among SEARCH keys (not a KEYWORD's argument): the saved UIDs,
/// or a key matching nothing when the result is empty.
fn replace_saved_in_keys(
    body: &[u8],
    tokens: &[Token],
    from: usize,
    saved: &Saved,
) -> Option<(Vec<u8>, Vec<Token>)> {
    let mut line = body.to_vec();
    for i in (from..tokens.len()).rev() {
        let t = &tokens[i];
        if t.kind != Kind::Atom || &body[t.start..t.end] != b"$" {
            continue;
        }
        let before = i
            .checked_sub(1)
            .map(|p| &tokens[p])
            .filter(|p| p.kind == Kind::Atom)
            .map(|p| body[p.start..p.end].to_ascii_uppercase());
        let start = match before.as_deref() {
            Some(b"KEYWORD") | Some(b"UNKEYWORD") => continue,
            Some(b"UID") => tokens[i - 1].start,
            _ => t.start,
        };
        let written = match &saved.uids {
            Some(uids) => format!("UID {uids}"),
            None => "NOT ALL".to_owned(),
        };
        line = splice(&line, start, t.end, written.as_bytes());
    }
    let tokens = self::tokens(&line)?;
    Some((line, tokens))
}

/// LIST [(selection)] reference (pattern | (patterns)) [RETURN (options)].
fn list(body: &[u8], tokens: &[Token]) -> Option<Extended> {
    let word = |t: &Token| String::from_utf8_lossy(&body[t.start..t.end]).to_uppercase();
    let mut options = ListOptions::default();
    let mut i = 2;
    if tokens.get(i)?.kind == Kind::Open {
        let close = closing(tokens, i)?;
        for t in &tokens[i + 1..close] {
            match (t.kind, word(t).as_str()) {
                (Kind::Atom, "SUBSCRIBED") => options.subscribed = true,
                (Kind::Atom, "SPECIAL-USE") => options.special_use = true,
                (Kind::Atom, "RECURSIVEMATCH") => options.recursive = true,
                // Every folder here is local.
                (Kind::Atom, "REMOTE") => {}
                _ => return None,
            }
        }
        // RFC 5258 §3: RECURSIVEMATCH needs another selection option.
        if options.recursive && !options.subscribed && !options.special_use {
            return None;
        }
        i = close + 1;
    }
    let reference = tokens.get(i).filter(|t| is_string(t.kind))?;
    i += 1;
    let patterns: Vec<&Token> = if tokens.get(i)?.kind == Kind::Open {
        let close = closing(tokens, i)?;
        let inner = &tokens[i + 1..close];
        i = close + 1;
        inner
            .iter()
            .map(|t| is_string(t.kind).then_some(t))
            .collect::<Option<_>>()?
    } else {
        i += 1;
        vec![&tokens[i - 1]]
    };
    if patterns.is_empty() || !is_string(patterns[0].kind) {
        return None;
    }
    if let Some(t) = tokens.get(i) {
        if t.kind != Kind::Atom || word(t) != "RETURN" {
            return None;
        }
        tokens.get(i + 1).filter(|t| t.kind == Kind::Open)?;
        let close = closing(tokens, i + 1)?;
        if close + 1 != tokens.len() {
            return None;
        }
        let mut j = i + 2;
        while j < close {
            let t = &tokens[j];
            j += 1;
            match (t.kind, word(t).as_str()) {
                (Kind::Atom, "SUBSCRIBED") => options.return_subscribed = true,
                (Kind::Atom, "MYRIGHTS") => options.myrights = true,
                // Always returned here.
                (Kind::Atom, "CHILDREN") | (Kind::Atom, "SPECIAL-USE") => {}
                (Kind::Atom, "STATUS") if tokens[j].kind == Kind::Open => {
                    let end = closing(tokens, j)?;
                    let (list, extras) = crate::extras::status_list(body, &tokens[j + 1..end]);
                    options.status = status_items(&[b"(", &list[..], b")"].concat())?;
                    options.status_extras = extras;
                    j = end + 1;
                }
                _ => return None,
            }
        }
    }
    let tag = &body[..tokens[0].end];
    let reference_bytes = &body[reference.start..reference.end];
    let mut decoded = Vec::new();
    let mut base_reference = None;
    for pattern in patterns {
        let mut line = tag.to_vec();
        line.extend_from_slice(b" LIST ");
        line.extend_from_slice(reference_bytes);
        line.push(b' ');
        line.extend_from_slice(&body[pattern.start..pattern.end]);
        match decode(&line)?.body {
            CommandBody::List {
                reference,
                mailbox_wildcard,
            } => {
                base_reference = Some(reference);
                decoded.push(mailbox_wildcard);
            }
            _ => return None,
        }
    }
    Some(Extended::List {
        tag: decode_tag(tag)?,
        reference: base_reference?,
        patterns: decoded,
        options,
    })
}

/// An ACL command `name` (RFC 4314 §3): its mailbox (and LISTRIGHTS' identifier)
/// read by imap-codec's grammar, as SELECT's and RENAME's arguments.
fn acl(body: &[u8], tokens: &[Token], name: &str) -> Option<Extended> {
    let tag = decode_tag(&body[..tokens[0].end])?;
    let argument = |i: usize| {
        let t = tokens.get(i).filter(|t| is_string(t.kind))?;
        Some(&body[t.start..t.end])
    };
    let rewritten = |base: &str, arguments: &[&[u8]]| {
        let mut line = body[..tokens[0].end].to_vec();
        line.extend_from_slice(base.as_bytes());
        for argument in arguments {
            line.push(b' ');
            line.extend_from_slice(argument);
        }
        decode(&line).map(|command| command.body)
    };
    let command = match (name, tokens.len()) {
        ("SETACL" | "DELETEACL", _) => Acl::Change,
        ("MYRIGHTS" | "GETACL", 3) => match rewritten(" SELECT", &[argument(2)?])? {
            CommandBody::Select { mailbox, .. } if name == "MYRIGHTS" => Acl::MyRights(mailbox),
            CommandBody::Select { mailbox, .. } => Acl::Get(mailbox),
            _ => return None,
        },
        ("LISTRIGHTS", 4) => match rewritten(" RENAME", &[argument(2)?, argument(3)?])? {
            CommandBody::Rename { from, to } => {
                let identifier = match to {
                    Mailbox::Inbox => "INBOX".to_owned(),
                    Mailbox::Other(other) => String::from_utf8_lossy(other.as_ref()).into_owned(),
                };
                Acl::ListRights(from, identifier)
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(Extended::Acl { tag, command })
}

/// The STATUS items `(MESSAGES UNSEEN …)`, by imap-codec's grammar.
fn status_items(list: &[u8]) -> Option<Vec<StatusDataItemName>> {
    let mut line = b"x STATUS INBOX ".to_vec();
    line.extend_from_slice(list);
    match decode(&line)?.body {
        CommandBody::Status { item_names, .. } => Some(item_names.into_owned()),
        _ => None,
    }
}

/// The index of the parenthesis closing the one at `open`.
pub(crate) fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Open => depth += 1,
            Kind::Close => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// A command line without its CRLF, parsed by imap-codec.
fn decode(body: &[u8]) -> Option<Command<'static>> {
    let mut line = body.to_vec();
    line.extend_from_slice(b"\r\n");
    match CommandCodec::default().decode(&line) {
        Ok((b"", command)) => Some(imap_next::imap_types::IntoStatic::into_static(command)),
        _ => None,
    }
}

fn decode_tag(bytes: &[u8]) -> Option<Tag<'static>> {
    Tag::try_from(bytes.to_vec()).ok()
}

/// `line` with `start..end` replaced by `with`.
pub(crate) fn splice(line: &[u8], start: usize, end: usize, with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len() + with.len());
    out.extend_from_slice(&line[..start]);
    out.extend_from_slice(with);
    out.extend_from_slice(&line[end..]);
    out
}

/// Sorted, distinct numbers as a sequence set: `1:3,7`; `None` when empty.
pub(crate) fn ranges(numbers: &[u32]) -> Option<String> {
    let mut out = String::new();
    let mut i = 0;
    while i < numbers.len() {
        let start = numbers[i];
        let mut end = start;
        while i + 1 < numbers.len() && numbers[i + 1] == end + 1 {
            i += 1;
            end = numbers[i];
        }
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&start.to_string());
        } else {
            out.push_str(&format!("{start}:{end}"));
        }
        i += 1;
    }
    (!out.is_empty()).then_some(out)
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An atom, a number, a sequence set, `$`, or a FETCH item with its section.
    Atom,
    /// A quoted string.
    Quoted,
    /// `{n}` or `{n+}` (or `~{n}`), CRLF, and its n bytes.
    Literal,
    /// `(`.
    Open,
    /// `)`.
    Close,
}

/// One token: its kind and where it is in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

fn is_string(kind: Kind) -> bool {
    matches!(kind, Kind::Atom | Kind::Quoted | Kind::Literal)
}

/// Cuts a command line (without its final CRLF) into tokens; `None` when a
/// quoted string or a literal is cut short.
pub(crate) fn tokens(line: &[u8]) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let start = i;
        let kind = match line[i] {
            b' ' => {
                i += 1;
                continue;
            }
            b'(' => {
                i += 1;
                Kind::Open
            }
            b')' => {
                i += 1;
                Kind::Close
            }
            b'"' => {
                i += 1;
                loop {
                    match *line.get(i)? {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
                Kind::Quoted
            }
            b'{' | b'~' if literal_header(&line[i..]).is_some() => {
                let (header, length) = literal_header(&line[i..])?;
                i = i.checked_add(header)?.checked_add(length)?;
                if i > line.len() {
                    return None;
                }
                Kind::Literal
            }
            _ => {
                let mut depth = 0usize;
                while let Some(&b) = line.get(i) {
                    match b {
                        b'[' => depth += 1,
                        b']' => depth = depth.saturating_sub(1),
                        b' ' | b'(' | b')' if depth == 0 => break,
                        b'\r' | b'\n' | b'"' | b'{' if depth == 0 => break,
                        _ => {}
                    }
                    i += 1;
                }
                if i == start {
                    return None;
                }
                Kind::Atom
            }
        };
        tokens.push(Token {
            kind,
            start,
            end: i,
        });
    }
    Some(tokens)
}

/// A literal's header `{n}` / `{n+}` / `~{n}` and CRLF: its length and n.
fn literal_header(bytes: &[u8]) -> Option<(usize, usize)> {
    let open = usize::from(bytes.first() == Some(&b'~'));
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let close = bytes.iter().position(|b| *b == b'}')?;
    let digits = &bytes[open + 1..close];
    let digits = digits.strip_suffix(b"+").unwrap_or(digits);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let length: usize = std::str::from_utf8(digits).ok()?.parse().ok()?;
    (bytes.get(close + 1..close + 3) == Some(b"\r\n")).then_some((close + 3, length))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved(uids: &str, seqs: &str) -> Saved {
        Saved {
            uids: Some(uids.into()),
            seqs: Some(seqs.into()),
            email_ids: Vec::new(),
        }
    }

    #[test]
    fn tokens_keep_quoted_strings_literals_and_sections_whole() {
        let line = b"a FETCH 1 (BODY[HEADER.FIELDS (FROM TO)] \"a \\\" b\" {3}\r\nx y)";
        let kinds: Vec<Kind> = tokens(line).unwrap().iter().map(|t| t.kind).collect();
        use Kind::*;
        assert_eq!(
            kinds,
            [Atom, Atom, Atom, Open, Atom, Quoted, Literal, Close]
        );
        assert!(tokens(b"a LIST \"open").is_none());
        assert!(tokens(b"a LIST {10}\r\nshort").is_none());
    }

    #[test]
    fn rfc4731_search_return_options() {
        let Some(Extended::Search {
            uid,
            returns,
            criteria,
            ..
        }) = parse(
            b"a UID SEARCH RETURN (MIN count SAVE) UNSEEN\r\n",
            &Saved::default(),
        )
        else {
            panic!("not read")
        };
        assert!(uid);
        assert!(returns.min && returns.count && returns.save && !returns.max && !returns.all);
        assert_eq!(criteria.as_ref(), [SearchKey::Unseen]);
        let Some(Extended::Search { returns, .. }) =
            parse(b"a SEARCH RETURN () ALL\r\n", &Saved::default())
        else {
            panic!("not read")
        };
        assert_eq!(returns, SearchReturn::ALL);
        let Some(Extended::Search { returns, .. }) = parse(
            b"a UID SEARCH RETURN (COUNT PARTIAL -1:-5) ALL\r\n",
            &Saved::default(),
        ) else {
            panic!("not read")
        };
        assert!(returns.count && !returns.all);
        assert_eq!(returns.partial.unwrap().to_string(), "-1:-5");
        for refused in [
            &b"a SEARCH RETURN (PARTIAL 1:5 ALL) ALL\r\n"[..],
            b"a SEARCH RETURN (PARTIAL 0:5) ALL\r\n",
            b"a SEARCH RETURN (PARTIAL) ALL\r\n",
        ] {
            assert!(parse(refused, &Saved::default()).is_none());
        }
        assert!(parse(b"a SEARCH RETURN (MIN ALL\r\n", &Saved::default()).is_none());
    }

    #[test]
    fn rfc5182_dollar_is_written_out_or_acts_on_nothing() {
        let Some(Extended::Command(command)) =
            parse(b"a FETCH $ (FLAGS)\r\n", &saved("7:9", "2:4"))
        else {
            panic!("not read")
        };
        assert!(matches!(
            command.body,
            CommandBody::Fetch { uid: false, .. }
        ));
        let Some(Extended::Command(command)) =
            parse(b"a UID STORE $ +FLAGS (\\Seen)\r\n", &saved("7:9", "2:4"))
        else {
            panic!("not read")
        };
        assert!(matches!(command.body, CommandBody::Store { uid: true, .. }));
        assert!(matches!(
            parse(b"a UID MOVE $ Trash\r\n", &Saved::default()),
            Some(Extended::OnNothing { .. })
        ));
        let Some(Extended::Command(command)) =
            parse(b"a SEARCH $ KEYWORD $ UNSEEN\r\n", &saved("7:9", "2:4"))
        else {
            panic!("not read")
        };
        let CommandBody::Search { criteria, .. } = command.body else {
            panic!("not a search")
        };
        assert_eq!(criteria.as_ref().len(), 3);
        assert!(matches!(criteria.as_ref()[0], SearchKey::Uid(_)));
        let Some(Extended::Command(command)) = parse(b"a SEARCH UID $\r\n", &Saved::default())
        else {
            panic!("not read")
        };
        let CommandBody::Search { criteria, .. } = command.body else {
            panic!("not a search")
        };
        assert!(matches!(criteria.as_ref()[0], SearchKey::Not(_)));
        assert!(parse(b"a FETCH 1:$ FLAGS\r\n", &saved("1", "1")).is_none());
        assert!(parse(b"a EXPUNGE $\r\n", &Saved::default()).is_none());
    }

    #[test]
    fn rfc5258_list_selection_return_and_patterns() {
        let Some(Extended::List {
            patterns, options, ..
        }) = parse(
            b"a LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (\"INBOX\" {4}\r\nSent %) RETURN (CHILDREN STATUS (MESSAGES UNSEEN) SUBSCRIBED)\r\n",
            &Saved::default(),
        )
        else {
            panic!("not read")
        };
        assert_eq!(patterns.len(), 3);
        assert!(options.subscribed && options.recursive && options.return_subscribed);
        assert_eq!(
            options.status,
            [StatusDataItemName::Messages, StatusDataItemName::Unseen]
        );
        assert!(parse(b"a LIST (RECURSIVEMATCH) \"\" *\r\n", &Saved::default()).is_none());
        assert!(parse(b"a LIST (BOGUS) \"\" *\r\n", &Saved::default()).is_none());
        assert!(parse(b"a LIST \"\" () \r\n", &Saved::default()).is_none());
        assert!(
            parse(
                b"a LIST \"\" * RETURN (STATUS (MESSAGES)) x\r\n",
                &Saved::default()
            )
            .is_none()
        );
    }

    #[test]
    fn ranges_compress_runs() {
        assert_eq!(ranges(&[1, 2, 3, 5, 7, 8]).as_deref(), Some("1:3,5,7:8"));
        assert_eq!(ranges(&[4]).as_deref(), Some("4"));
        assert_eq!(ranges(&[]), None);
    }
}
