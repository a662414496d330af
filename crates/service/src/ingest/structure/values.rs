//! Reading raw header values as IMAP sends them: unfolding, comments, quoted strings,
//! addresses (RFC 5322 §3.4, groups included) and media types with their parameters.

use super::{EnvelopeAddress, MediaType, Params};

/// Unfolds a raw header value (RFC 5322 §2.2.3: CRLF or LF followed by WSP → WSP).
pub(super) fn unfold(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let fold = match bytes[i..] {
            [b'\r', b'\n', b' ' | b'\t', ..] => 2,
            [b'\n', b' ' | b'\t', ..] => 1,
            _ => 0,
        };
        if fold == 0 {
            out.push(bytes[i]);
            i += 1;
        } else {
            i += fold;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One lexeme of a structured header value (RFC 5322 §3.2): where it stands relative to
/// quoted strings and comments.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Lexeme {
    /// A character outside quoted strings and comments.
    Top(char),
    /// A quote opening or closing a quoted string.
    Quote,
    /// A character of a quoted string, its quoted-pair resolved.
    Quoted(char),
    /// Part of a comment (parentheses included).
    Comment,
}

/// Splits a structured value into lexemes, each with its source range.
pub(super) struct Scanner<'s> {
    s: &'s str,
    pos: usize,
    quoted: bool,
    comment: usize,
}

impl<'s> Scanner<'s> {
    fn new(s: &'s str) -> Self {
        Scanner {
            s,
            pos: 0,
            quoted: false,
            comment: 0,
        }
    }
}

impl Iterator for Scanner<'_> {
    /// Start, end (in the source) and lexeme.
    type Item = (usize, usize, Lexeme);

    fn next(&mut self) -> Option<Self::Item> {
        let start = self.pos;
        let mut chars = self.s[start..].chars();
        let c = chars.next()?;
        let mut end = start + c.len_utf8();
        // A quoted-pair (in a quoted string or a comment) takes the next character.
        let escaped = if c == '\\' && (self.quoted || self.comment > 0) {
            chars.next().inspect(|e| end += e.len_utf8())
        } else {
            None
        };
        let lexeme = if self.comment > 0 {
            match (c, escaped) {
                ('(', None) => self.comment += 1,
                (')', None) => self.comment -= 1,
                _ => {}
            }
            Lexeme::Comment
        } else if self.quoted {
            match (c, escaped) {
                ('"', None) => {
                    self.quoted = false;
                    Lexeme::Quote
                }
                (_, Some(e)) => Lexeme::Quoted(e),
                _ => Lexeme::Quoted(c),
            }
        } else {
            match c {
                '"' => {
                    self.quoted = true;
                    Lexeme::Quote
                }
                '(' => {
                    self.comment = 1;
                    Lexeme::Comment
                }
                _ => Lexeme::Top(c),
            }
        };
        self.pos = end;
        Some((start, end, lexeme))
    }
}

/// Replaces each comment (outside quoted strings) by a space.
pub(super) fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_comment = false;
    for (start, end, lexeme) in Scanner::new(s) {
        if lexeme == Lexeme::Comment {
            if !in_comment {
                out.push(' ');
            }
            in_comment = true;
        } else {
            in_comment = false;
            out.push_str(&s[start..end]);
        }
    }
    out
}

/// Removes comments and whitespace outside quoted strings (for an addr-spec).
pub(super) fn compact(s: &str) -> String {
    Scanner::new(s)
        .filter(|&(_, _, l)| match l {
            Lexeme::Comment => false,
            Lexeme::Top(c) => !c.is_whitespace(),
            Lexeme::Quote | Lexeme::Quoted(_) => true,
        })
        .map(|(start, end, _)| &s[start..end])
        .collect()
}

/// Splits at a top-level `sep`, respecting quoted strings and comments.
pub(super) fn split_top(s: &str, sep: char) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for (start, end, lexeme) in Scanner::new(s) {
        if lexeme == Lexeme::Top(sep) {
            pieces.push(&s[from..start]);
            from = end;
        }
    }
    pieces.push(&s[from..]);
    pieces
}

/// The first top-level `c`, if any.
pub(super) fn find_top(s: &str, c: char) -> Option<usize> {
    Scanner::new(s)
        .find(|&(_, _, l)| l == Lexeme::Top(c))
        .map(|(start, _, _)| start)
}

/// A parameter value: the content of a quoted string, or the token as written.
pub(super) fn unquote(s: &str) -> String {
    let s = s.trim();
    if !s.starts_with('"') {
        return s.to_owned();
    }
    Scanner::new(s)
        .skip(1)
        .take_while(|&(_, _, l)| l != Lexeme::Quote)
        .filter_map(|(_, _, l)| match l {
            Lexeme::Quoted(c) => Some(c),
            _ => None,
        })
        .collect()
}

/// `value *(";" name "=" value)` (Content-Type, Content-Disposition), comments removed.
pub(super) fn parse_parameterised(value: &str) -> Option<(String, Params)> {
    let value = strip_comments(value);
    let mut pieces = split_top(&value, ';').into_iter();
    let head = pieces.next()?.trim().to_owned();
    if head.is_empty() || head.contains('"') {
        return None;
    }
    let params = pieces
        .filter_map(|piece| {
            let (name, value) = piece.split_once('=')?;
            let name = name.trim();
            (!name.is_empty() && !name.contains('"')).then(|| (name.to_owned(), unquote(value)))
        })
        .collect();
    Some((head, params))
}

/// A non-empty RFC 2045 token: no whitespace, controls or tspecials.
pub(super) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_graphic()
                && !matches!(
                    c,
                    '(' | ')'
                        | '<'
                        | '>'
                        | '@'
                        | ','
                        | ';'
                        | ':'
                        | '\\'
                        | '"'
                        | '/'
                        | '['
                        | ']'
                        | '?'
                        | '='
                )
        })
}

/// A Content-Type: `type "/" subtype *(";" parameter)`; `None` when unreadable.
pub(super) fn parse_media_type(value: &str) -> Option<MediaType> {
    let (head, params) = parse_parameterised(value)?;
    let (kind, subtype) = head.split_once('/')?;
    let (kind, subtype) = (kind.trim_end(), subtype.trim_start());
    if !is_token(kind) || !is_token(subtype) {
        return None;
    }
    Some(MediaType {
        kind: kind.to_owned(),
        subtype: subtype.to_owned(),
        params,
    })
}

/// An address list (RFC 5322 §3.4) with groups, read from an unfolded raw value.
pub(super) fn parse_addresses(value: &str) -> Vec<EnvelopeAddress> {
    let mut out = Vec::new();
    let mut in_group = false;
    let mut in_angle = false;
    let mut from = 0;
    for (start, end, lexeme) in Scanner::new(value) {
        match lexeme {
            Lexeme::Top('<') => in_angle = true,
            Lexeme::Top('>') => in_angle = false,
            Lexeme::Top(',') if !in_angle => {
                out.extend(parse_mailbox(&value[from..start]));
                from = end;
            }
            Lexeme::Top(':') if !in_angle && !in_group => {
                out.push(EnvelopeAddress {
                    name: None,
                    adl: None,
                    mailbox: Some(phrase(&value[from..start])),
                    host: None,
                });
                in_group = true;
                from = end;
            }
            Lexeme::Top(';') if !in_angle && in_group => {
                out.extend(parse_mailbox(&value[from..start]));
                out.push(EnvelopeAddress::default());
                in_group = false;
                from = end;
            }
            _ => {}
        }
    }
    out.extend(parse_mailbox(&value[from..]));
    if in_group {
        out.push(EnvelopeAddress::default());
    }
    out
}

/// A display name or group name: quoted strings unquoted; comments, encoded words and
/// inner whitespace as written; trimmed.
pub(super) fn phrase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (start, end, lexeme) in Scanner::new(s) {
        match lexeme {
            Lexeme::Quote => {}
            Lexeme::Top(c) | Lexeme::Quoted(c) => out.push(c),
            Lexeme::Comment => out.push_str(&s[start..end]),
        }
    }
    out.trim().to_owned()
}

/// The text of a value's comments, without their outer parentheses.
pub(super) fn comment_text(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for (start, end, lexeme) in Scanner::new(s) {
        if lexeme != Lexeme::Comment {
            continue;
        }
        let text = &s[start..end];
        match text {
            "(" => {
                depth += 1;
                if depth == 1 {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    continue;
                }
            }
            ")" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    continue;
                }
            }
            _ => {}
        }
        out.push_str(text);
    }
    out.trim().to_owned()
}

/// One mailbox: `[phrase] "<" [route ":"] addr-spec ">"`, or a bare addr-spec whose
/// comment (if any) stands for the display name.
pub(super) fn parse_mailbox(s: &str) -> Option<EnvelopeAddress> {
    let (name, spec) = match find_top(s, '<') {
        Some(open) => {
            let rest = &s[open + 1..];
            let close = find_top(rest, '>').unwrap_or(rest.len());
            (phrase(&s[..open]), &rest[..close])
        }
        None => (comment_text(s), s),
    };
    let name = Some(name).filter(|n| !n.is_empty());
    let spec = compact(spec);
    let (adl, spec) = match spec
        .starts_with('@')
        .then(|| find_top(&spec, ':'))
        .flatten()
    {
        Some(colon) => (Some(spec[..colon].to_owned()), spec[colon + 1..].to_owned()),
        None => (None, spec),
    };
    let at = Scanner::new(&spec)
        .filter(|&(_, _, l)| l == Lexeme::Top('@'))
        .last()
        .map(|(start, _, _)| start);
    let (mailbox, host) = match at {
        Some(at) => (spec[..at].to_owned(), spec[at + 1..].to_owned()),
        None => (spec, String::new()),
    };
    if mailbox.is_empty() && host.is_empty() && name.is_none() {
        return None;
    }
    Some(EnvelopeAddress {
        name,
        adl,
        mailbox: Some(mailbox),
        host: Some(host),
    })
}
