//! Message flags a user may set: the IMAP system flags (`\Seen`, `\Answered`,
//! `\Flagged`, `\Deleted`, `\Draft`) and keywords (RFC 9051 `flag-keyword`: an atom
//! of visible ASCII without `( ) { % * " \ ]`). Anything else is refused before it
//! reaches the store, whichever front end it comes from.

/// The system flags a user may set (`\Recent` is the server's own).
pub const SYSTEM_FLAGS: [&str; 5] = ["\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft"];

/// Longest keyword, in bytes.
pub const MAX_KEYWORD_LEN: usize = 100;

/// Whether `flag` may be set on a message: a system flag (any case) or a keyword.
pub fn is_valid_flag(flag: &str) -> bool {
    if flag.starts_with('\\') {
        return SYSTEM_FLAGS.iter().any(|f| f.eq_ignore_ascii_case(flag));
    }
    !flag.is_empty()
        && flag.len() <= MAX_KEYWORD_LEN
        && flag
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"(){%*\"\\]".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_flags_and_keywords_are_accepted() {
        for flag in [
            "\\Seen",
            "\\seen",
            "\\Answered",
            "\\Flagged",
            "\\Deleted",
            "\\Draft",
            "$Urgent",
            "$Forwarded",
            "NonJunk",
            "a.b-c_d",
            "[x",
        ] {
            assert!(is_valid_flag(flag), "{flag}");
        }
        assert!(is_valid_flag(&"k".repeat(MAX_KEYWORD_LEN)));
    }

    #[test]
    fn anything_else_is_refused() {
        for flag in [
            "",
            "\\Recent",
            "\\Unknown",
            "\\",
            "two words",
            "tab\t",
            "ctl\u{1d}",
            "é",
            "a(b",
            "a)b",
            "a{b",
            "a%b",
            "a*b",
            "a\"b",
            "a\\b",
            "a]b",
            "\u{7f}",
        ] {
            assert!(!is_valid_flag(flag), "{flag:?}");
        }
        assert!(!is_valid_flag(&"k".repeat(MAX_KEYWORD_LEN + 1)));
    }
}
