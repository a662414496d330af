//! SEARCH: whether a message matches a search key (RFC 9051 §6.4.4). Flag, size,
//! date, UID and MODSEQ keys read the summary; header and text keys read the
//! message, which the session opens (peeks) only when a key needs it, and match its
//! raw bytes or, failing that, its decoded text (encoded words, quoted-printable,
//! base64, charsets); sequence sets are resolved against the selected mailbox.

use caduceus_service::messages::ReadMessage;
use caduceus_service::model::MessageSummary;
use imap_next::imap_types::core::AString;
use imap_next::imap_types::search::SearchKey;

use crate::fetch::split;
use crate::selected::Selected;

/// One message as a search sees it.
pub(crate) struct Candidate<'a> {
    /// Its sequence number.
    pub seq: u32,
    /// Its summary.
    pub summary: &'a MessageSummary,
    /// Its content, when a key needs it.
    pub content: Option<&'a ReadMessage>,
}

/// Whether any key of `key` needs the message's content.
pub(crate) fn needs_content(key: &SearchKey<'_>) -> bool {
    match key {
        SearchKey::And(keys) => keys.as_ref().iter().any(needs_content),
        SearchKey::Or(a, b) => needs_content(a) || needs_content(b),
        SearchKey::Not(k) => needs_content(k),
        SearchKey::Bcc(_)
        | SearchKey::Body(_)
        | SearchKey::Cc(_)
        | SearchKey::From(_)
        | SearchKey::Header(..)
        | SearchKey::Subject(_)
        | SearchKey::Text(_)
        | SearchKey::To(_)
        | SearchKey::SentBefore(_)
        | SearchKey::SentOn(_)
        | SearchKey::SentSince(_) => true,
        _ => false,
    }
}

/// Whether `c` matches `key`.
pub(crate) fn matches(key: &SearchKey<'_>, c: &Candidate<'_>, scope: &Selected) -> bool {
    let has = |flag: &str| c.summary.flags.iter().any(|f| f.eq_ignore_ascii_case(flag));
    let internal_date = || {
        chrono::DateTime::from_timestamp_millis(c.summary.internal.as_millis())
            .map(|d| d.date_naive())
    };
    let sent_date = || {
        c.content
            .and_then(|m| m.meta().date.as_deref())
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
            .map(|d| d.date_naive())
    };
    let position = c.seq as usize - 1;
    match key {
        SearchKey::And(keys) => keys.as_ref().iter().all(|k| matches(k, c, scope)),
        SearchKey::Or(a, b) => matches(a, c, scope) || matches(b, c, scope),
        SearchKey::Not(k) => !matches(k, c, scope),
        SearchKey::SequenceSet(set) => scope.resolve(set, false).contains(&position),
        SearchKey::Uid(set) => scope.resolve(set, true).contains(&position),
        SearchKey::All => true,
        SearchKey::Answered => has("\\Answered"),
        SearchKey::Deleted => has("\\Deleted"),
        SearchKey::Draft => has("\\Draft"),
        SearchKey::Flagged => has("\\Flagged"),
        SearchKey::Seen => has("\\Seen"),
        SearchKey::Unanswered => !has("\\Answered"),
        SearchKey::Undeleted => !has("\\Deleted"),
        SearchKey::Undraft => !has("\\Draft"),
        SearchKey::Unflagged => !has("\\Flagged"),
        SearchKey::Unseen => !has("\\Seen"),
        // RFC 3501 §6.4.4: \Recent in this session (never under IMAP4rev2).
        SearchKey::Recent => scope.is_recent(position),
        SearchKey::New => scope.is_recent(position) && !has("\\Seen"),
        SearchKey::Old => !scope.is_recent(position),
        SearchKey::Keyword(k) => has(k.as_ref()),
        SearchKey::Unkeyword(k) => !has(k.as_ref()),
        SearchKey::Larger(n) => c.summary.size > i64::from(*n),
        SearchKey::Smaller(n) => c.summary.size < i64::from(*n),
        SearchKey::Before(d) => internal_date().is_some_and(|x| x < *d.as_ref()),
        SearchKey::On(d) => internal_date().is_some_and(|x| x == *d.as_ref()),
        SearchKey::Since(d) => internal_date().is_some_and(|x| x >= *d.as_ref()),
        SearchKey::SentBefore(d) => sent_date().is_some_and(|x| x < *d.as_ref()),
        SearchKey::SentOn(d) => sent_date().is_some_and(|x| x == *d.as_ref()),
        SearchKey::SentSince(d) => sent_date().is_some_and(|x| x >= *d.as_ref()),
        SearchKey::ModSequence { modseq, .. } => c.summary.modseq as u64 >= *modseq,
        SearchKey::Subject(s) => header_contains(c, "subject", s),
        SearchKey::From(s) => header_contains(c, "from", s),
        SearchKey::To(s) => header_contains(c, "to", s),
        SearchKey::Cc(s) => header_contains(c, "cc", s),
        SearchKey::Bcc(s) => header_contains(c, "bcc", s),
        SearchKey::Header(name, s) => {
            header_contains(c, &String::from_utf8_lossy(name.as_ref()), s)
        }
        SearchKey::Body(s) => c.content.is_some_and(|m| {
            contains_folded(split(&m.raw).1, s.as_ref()) || decoded_text_contains(m, s.as_ref())
        }),
        SearchKey::Text(s) => c.content.is_some_and(|m| {
            contains_folded(&m.raw, s.as_ref())
                || decoded_text_contains(m, s.as_ref())
                || header_contains(c, "subject", s)
        }),
        #[allow(unreachable_patterns)]
        _ => false,
    }
}

/// Whether the header field `name` holds `needle` (case-insensitive); an empty
/// needle matches any message with the field (RFC 9051 §6.4.4, HEADER).
fn header_contains(c: &Candidate<'_>, name: &str, needle: &AString<'_>) -> bool {
    let Some(message) = c.content else {
        return false;
    };
    let header = split(&message.raw).0;
    let mut found = false;
    let mut value: Vec<u8> = Vec::new();
    let mut in_field = false;
    for line in header.split_inclusive(|&b| b == b'\n') {
        let continuation = line.starts_with(b" ") || line.starts_with(b"\t");
        if !continuation {
            if in_field {
                found = true;
                if contains_folded(&value, needle.as_ref()) {
                    return true;
                }
            }
            value.clear();
            let (field, rest) = match line.iter().position(|&b| b == b':') {
                Some(i) => (&line[..i], &line[i + 1..]),
                None => (&line[..0], line),
            };
            in_field = field.trim_ascii().eq_ignore_ascii_case(name.as_bytes());
            value.extend_from_slice(rest);
        } else if in_field {
            value.extend_from_slice(line);
        }
    }
    if in_field {
        found = true;
        if contains_folded(&value, needle.as_ref()) {
            return true;
        }
    }
    // The decoded subject and addresses too, so "Résultat" finds an encoded word.
    let decoded = match name.to_ascii_lowercase().as_str() {
        "subject" => message.meta().subject.clone().unwrap_or_default(),
        "from" => addresses(&message.meta().from),
        "to" => addresses(&message.meta().to),
        "cc" => addresses(&message.meta().cc),
        _ => String::new(),
    };
    let needle_text = String::from_utf8_lossy(needle.as_ref()).to_lowercase();
    (found && needle.as_ref().is_empty())
        || (!decoded.is_empty() && decoded.to_lowercase().contains(&needle_text))
}

fn addresses(list: &[caduceus_service::ingest::MetaAddress]) -> String {
    list.iter()
        .map(|a| {
            format!(
                "{} <{}>",
                a.name.as_deref().unwrap_or(""),
                a.address.as_deref().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether the decoded text of `message` (its text parts, quoted-printable or base64
/// undone, in any charset; HTML parts as text) holds `needle`: "résultat" finds a
/// body sent as `R=C3=A9sultat` or in base64.
fn decoded_text_contains(message: &ReadMessage, needle: &[u8]) -> bool {
    let Some(parsed) = message.parsed() else {
        return false;
    };
    let needle = String::from_utf8_lossy(needle).to_lowercase();
    (0..parsed.text_body_count())
        .filter_map(|i| parsed.body_text(i))
        .chain((0..parsed.html_body_count()).filter_map(|i| parsed.body_html(i)))
        .any(|text| text.to_lowercase().contains(&needle))
}

/// Case-insensitive (ASCII, and UTF-8 through lowercasing) substring search.
fn contains_folded(haystack: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() {
        return true;
    }
    let hay = String::from_utf8_lossy(haystack).to_lowercase();
    let needle = String::from_utf8_lossy(needle).to_lowercase();
    hay.contains(&needle)
}
