//! Professional and personal correspondence (MS-14): a user marks a message personal
//! with the keyword `$Personal` (any IMAP client can set it; the webmail and the API
//! too), or a whole folder personal. Personal items are out of reach of every
//! administrative view: where an auditor's page would name one (`msg:N`, `mbx:N` in a
//! trace), it reads `personal` instead.

use std::collections::HashSet;

/// The keyword that marks a message personal.
pub const PERSONAL_KEYWORD: &str = "$Personal";

/// What a personal item's reference reads as in an administrative view.
pub const REDACTED: &str = "personal";

/// Whether a message with `flags`, in a folder marked personal or not, is personal.
pub fn is_personal(flags: &[String], in_personal_folder: bool) -> bool {
    in_personal_folder
        || flags
            .iter()
            .any(|f| f.eq_ignore_ascii_case(PERSONAL_KEYWORD))
}

/// The message and folder references (`msg:N`, `mbx:N`) in a trace's text, in order.
pub fn references(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':'))
        .filter(|word| is_reference(word))
}

fn is_reference(word: &str) -> bool {
    ["msg:", "mbx:"].iter().any(|prefix| {
        word.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `text` with every reference in `personal` replaced by [`REDACTED`]; the rest as is.
pub fn redact(text: &str, personal: &HashSet<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if is_reference(word) && personal.contains(word.as_str()) {
            out.push_str(REDACTED);
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == ':' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> HashSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn ms14_a_message_is_personal_by_its_keyword_or_its_folder() {
        let flags = |f: &[&str]| f.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(is_personal(&flags(&["\\Seen", "$Personal"]), false));
        assert!(is_personal(&flags(&["$personal"]), false));
        assert!(is_personal(&flags(&[]), true));
        assert!(!is_personal(&flags(&["\\Seen", "$Personalised"]), false));
        assert!(!is_personal(&flags(&[]), false));
    }

    #[test]
    fn ms14_references_are_found_in_objects_and_details() {
        let found: Vec<_> = references("msg:12").collect();
        assert_eq!(found, ["msg:12"]);
        let found: Vec<_> = references("to mbx:3, msg:4 msg:5;acct:7 msg: msgx:1 msg:1a").collect();
        assert_eq!(found, ["mbx:3", "msg:4", "msg:5"]);
        assert_eq!(references("").count(), 0);
    }

    #[test]
    fn ms14_only_personal_references_are_redacted() {
        let personal = set(&["msg:4", "mbx:3"]);
        assert_eq!(redact("msg:4", &personal), "personal");
        assert_eq!(redact("msg:44", &personal), "msg:44");
        assert_eq!(
            redact("moved msg:4 to mbx:3 from mbx:30 by acct:4", &personal),
            "moved personal to personal from mbx:30 by acct:4"
        );
        assert_eq!(redact("", &personal), "");
        assert_eq!(redact("msg:5", &HashSet::new()), "msg:5");
    }
}
