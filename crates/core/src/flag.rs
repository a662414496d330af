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

/// A change of a message's flags, applied to the flags as they are when it is
/// written (IMAP STORE: replace, add, remove), so that two sessions changing flags at
/// once never lose each other's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlagChange {
    /// These flags and no other.
    Replace(Vec<String>),
    /// These flags added (any case matches an existing one).
    Add(Vec<String>),
    /// These flags removed (any case).
    Remove(Vec<String>),
}

impl FlagChange {
    /// The flags the change names.
    pub fn flags(&self) -> &[String] {
        match self {
            FlagChange::Replace(f) | FlagChange::Add(f) | FlagChange::Remove(f) => f,
        }
    }

    /// The flags after the change, from `current`.
    pub fn apply(&self, current: &[String]) -> Vec<String> {
        let named = |flag: &str, list: &[String]| list.iter().any(|f| f.eq_ignore_ascii_case(flag));
        match self {
            FlagChange::Replace(wanted) => wanted.clone(),
            FlagChange::Add(wanted) => {
                let mut next = current.to_vec();
                for flag in wanted {
                    if !named(flag, &next) {
                        next.push(flag.clone());
                    }
                }
                next
            }
            FlagChange::Remove(wanted) => current
                .iter()
                .filter(|flag| !named(flag, wanted))
                .cloned()
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(flags: &[&str]) -> Vec<String> {
        flags.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn a_change_applies_to_the_current_flags() {
        let current = list(&["\\Seen", "$Urgent"]);
        assert_eq!(
            FlagChange::Add(list(&["\\Flagged", "\\seen"])).apply(&current),
            list(&["\\Seen", "$Urgent", "\\Flagged"])
        );
        assert_eq!(
            FlagChange::Remove(list(&["$urgent", "\\Draft"])).apply(&current),
            list(&["\\Seen"])
        );
        assert_eq!(
            FlagChange::Replace(list(&["\\Answered"])).apply(&current),
            list(&["\\Answered"])
        );
        assert_eq!(FlagChange::Add(list(&["a"])).flags(), list(&["a"]));
    }

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
