//! PARTIAL (RFC 9394, MS-6): a page of a SEARCH's results (`RETURN (PARTIAL 1:50)`,
//! or the last ones with `-1:-50`) and of a FETCH's messages (the modifier
//! `(PARTIAL -1:-50)`), so that a phone lists the newest mail of a large folder
//! without being sent every UID.

use crate::extended::{Kind, Token, closing, splice};

/// A range of positions in a result (RFC 9394 §3): `first:last` counted from the
/// start (1 is the first), or `-first:-last` counted from the end (-1 is the
/// last); written back as the client gave it, smaller end first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Partial {
    /// Counted from the end.
    from_end: bool,
    /// The ends, 1-based, `low <= high`.
    low: u32,
    high: u32,
}

impl Partial {
    /// Reads `1:10` or `-1:-10` (either end first); `None` for anything else
    /// (a zero, mixed signs).
    pub(crate) fn parse(text: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(text).ok()?;
        let (a, b) = text.split_once(':')?;
        let end = |s: &str| -> Option<(bool, u32)> {
            let (negative, digits) = match s.strip_prefix('-') {
                Some(digits) => (true, digits),
                None => (false, s),
            };
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let n: u32 = digits.parse().ok()?;
            (n > 0).then_some((negative, n))
        };
        let ((neg_a, a), (neg_b, b)) = (end(a)?, end(b)?);
        (neg_a == neg_b).then_some(Self {
            from_end: neg_a,
            low: a.min(b),
            high: a.max(b),
        })
    }

    /// The items of `all` (in ascending order) at the positions of the range.
    pub(crate) fn page<T: Copy>(&self, all: &[T]) -> Vec<T> {
        let n = all.len();
        let (low, high) = (self.low as usize, self.high as usize);
        if low > n {
            return Vec::new();
        }
        let high = high.min(n);
        if self.from_end {
            all[n - high..=n - low].to_vec()
        } else {
            all[low - 1..high].to_vec()
        }
    }
}

impl std::fmt::Display for Partial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.from_end { "-" } else { "" };
        write!(f, "{sign}{}:{sign}{}", self.low, self.high)
    }
}

/// A command ending with modifiers that hold `PARTIAL <range>` (RFC 9394 §4),
/// without it (and without the parentheses when nothing else is in them).
pub(crate) fn without_partial(body: &[u8], tokens: &[Token]) -> Option<(Vec<u8>, Partial)> {
    let close = tokens.len().checked_sub(1)?;
    if tokens[close].kind != Kind::Close {
        return None;
    }
    let open = (0..close)
        .rev()
        .find(|&i| tokens[i].kind == Kind::Open && closing(tokens, i) == Some(close))?;
    let at = (open + 1..close).find(|&i| {
        tokens[i].kind == Kind::Atom
            && body[tokens[i].start..tokens[i].end].eq_ignore_ascii_case(b"PARTIAL")
    })?;
    let range = tokens
        .get(at + 1)
        .filter(|t| t.kind == Kind::Atom && at + 1 < close)?;
    let partial = Partial::parse(&body[range.start..range.end])?;
    let line = if close - open == 3 {
        // `(PARTIAL r)` alone: the modifiers go, with the space before them.
        let start = body[..tokens[open].start].trim_ascii_end().len();
        splice(body, start, tokens[close].end, b"")
    } else if at + 2 == close {
        // Last in the list: from the end of the modifier before it.
        splice(body, tokens[at - 1].end, tokens[at + 1].end, b"")
    } else {
        splice(body, tokens[at].start, tokens[at + 2].start, b"")
    };
    Some((line, partial))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extended::{Extended, Saved, parse};

    #[test]
    fn rfc9394_the_fetch_modifier_is_taken_out_of_the_fetch() {
        let read = |line: &str| {
            let Some(Extended::Fetch { extras, fetch }) = parse(line.as_bytes(), &Saved::default())
            else {
                panic!("not read: {line}");
            };
            let Extended::Command(command) = *fetch else {
                panic!("not a base command: {line}");
            };
            (extras.partial.unwrap().to_string(), command)
        };
        let (partial, _) = read("a UID FETCH 1:* (UID FLAGS) (PARTIAL -1:-30)\r\n");
        assert_eq!(partial, "-1:-30");
        for line in [
            "a UID FETCH 1:* FLAGS (CHANGEDSINCE 5 PARTIAL 1:10)\r\n",
            "a UID FETCH 1:* FLAGS (PARTIAL 1:10 CHANGEDSINCE 5)\r\n",
        ] {
            let (partial, command) = read(line);
            assert_eq!(partial, "1:10");
            assert!(
                format!("{command:?}").contains("ChangedSince"),
                "{command:?}"
            );
        }
        let (_, command) = read("a FETCH 1:* (EMAILID) (PARTIAL 2:3)\r\n");
        assert!(format!("{command:?}").contains("Uid"), "{command:?}");
        assert!(
            parse(
                b"a UID FETCH 1:* FLAGS (PARTIAL 0:3)\r\n",
                &Saved::default()
            )
            .is_none()
        );
    }

    #[test]
    fn rfc9394_ranges_from_the_start_and_from_the_end() {
        let all = [2u32, 4, 6, 8, 10];
        let page = |text: &str| Partial::parse(text.as_bytes()).unwrap().page(&all);
        assert_eq!(page("1:2"), [2, 4]);
        assert_eq!(page("2:1"), [2, 4]);
        assert_eq!(page("4:100"), [8, 10]);
        assert_eq!(page("6:9"), Vec::<u32>::new());
        assert_eq!(page("-1:-2"), [8, 10]);
        assert_eq!(page("-5:-9"), [2]);
        assert_eq!(page("-9:-6"), Vec::<u32>::new());
        assert_eq!(Partial::parse(b"-1:-10").unwrap().to_string(), "-1:-10");
        for bad in ["0:3", "1:-3", "a:b", "1", "-0:-1", ""] {
            assert!(Partial::parse(bad.as_bytes()).is_none(), "{bad}");
        }
    }
}
