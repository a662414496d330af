//! Conversations (MS-6, issue 22): messages gathered into threads by their
//! `Message-ID`, `In-Reply-To` and `References` (RFC 5322 §3.6.4), and, for a reply
//! that names no message, by its base subject (RFC 5256 §2.1: `Re: Bilan` joins the
//! thread `Bilan` started). Pure: the service feeds it each message's header facts.

/// A message to thread: what its headers say, and when it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Threadable<'a> {
    /// Its `Message-ID`, without angle brackets.
    pub message_id: Option<&'a str>,
    /// The ids it answers: `In-Reply-To`, then `References`.
    pub parents: Vec<&'a str>,
    /// Its subject (empty when none).
    pub subject: &'a str,
    /// When it was written (any monotonic unit: milliseconds).
    pub at: i64,
}

/// The threads of `messages`, as indexes into it: each thread in the order its
/// messages were written (ties: the order given), the threads newest first (by
/// their last message). Messages that name each other, directly or through an id
/// they both name, share a thread; a thread whose first message is a reply or a
/// forward (`Re:`, `Fwd:`…) and names none of the others joins the thread started
/// under the same base subject, when there is one.
pub fn threads(messages: &[Threadable<'_>]) -> Vec<Vec<usize>> {
    let mut sets = Sets::new(messages.len());
    // An id names one node: a message's own, or a slot for an id no message here
    // has, which the messages naming it share.
    let mut ids: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (index, message) in messages.iter().enumerate() {
        if let Some(id) = message.message_id {
            // A second message under the same id (a copy in Sent and INBOX) joins it.
            match ids.get(id) {
                Some(&other) => sets.union(index, other),
                None => {
                    ids.insert(id, index);
                }
            }
        }
    }
    for (index, message) in messages.iter().enumerate() {
        for parent in &message.parents {
            let node = *ids.entry(parent).or_insert_with(|| sets.add());
            sets.union(index, node);
        }
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for index in 0..messages.len() {
        let root = sets.find(index);
        let group = *group_of.entry(root).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(index);
    }
    let order = |group: &mut Vec<usize>| group.sort_by_key(|&i| (messages[i].at, i));
    groups.iter_mut().for_each(order);
    // The subject fallback: a thread begun by a reply joins the thread its base
    // subject started (the earliest such).
    let first_subject = |group: &Vec<usize>| messages[group[0]].subject;
    let mut started: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut by_start: Vec<usize> = (0..groups.len()).collect();
    by_start.sort_by_key(|&g| (messages[groups[g][0]].at, groups[g][0]));
    let mut joined: Vec<Option<usize>> = vec![None; groups.len()];
    for g in by_start {
        let subject = first_subject(&groups[g]);
        let base = base_subject(subject);
        if base.is_empty() {
            continue;
        }
        match started.get(&base) {
            Some(&into) if is_reply(subject) => joined[g] = Some(into),
            Some(_) => {}
            None => {
                started.insert(base, g);
            }
        }
    }
    for g in 0..groups.len() {
        if let Some(into) = joined[g] {
            let moved = std::mem::take(&mut groups[g]);
            groups[into].extend(moved);
        }
    }
    let mut threads: Vec<Vec<usize>> = groups.into_iter().filter(|g| !g.is_empty()).collect();
    threads.iter_mut().for_each(order);
    threads.sort_by_key(|t| {
        let last = t[t.len() - 1];
        std::cmp::Reverse((messages[last].at, last))
    });
    threads
}

/// Whether `subject` is a reply or a forward: its base subject is not the whole of it.
pub fn is_reply(subject: &str) -> bool {
    let whole = subject
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    base_subject(subject) != whole
}

/// The base subject (RFC 5256 §2.1): whitespace collapsed and case folded, then
/// trailing `(fwd)`s, leading `re:`/`fw:`/`fwd:` leaders (with their `[blob]`s, as in
/// `Re [cardio]:`), a leading `[blob]` that is not all, and a `[fwd: …]` wrapper
/// removed, until nothing more goes.
pub fn base_subject(subject: &str) -> String {
    let mut s = subject
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    loop {
        // (2) subj-trailer: "(fwd)" and white space.
        while let Some(rest) = s.trim_end().strip_suffix("(fwd)") {
            s = rest.to_owned();
        }
        s = s.trim_end().to_owned();
        // (3), (4), (5): leaders, then a blob when something remains.
        loop {
            let before = s.len();
            s = strip_leaders(&s).to_owned();
            if let Some(rest) = strip_blob(&s).filter(|r| !r.is_empty()) {
                s = rest.to_owned();
            }
            if s.len() == before {
                break;
            }
        }
        // (6) subj-fwd-hdr and subj-fwd-trl.
        match s.strip_prefix("[fwd:").and_then(|r| r.strip_suffix(']')) {
            Some(inner) => s = inner.to_owned(),
            None => return s,
        }
    }
}

/// `s` without its subj-leaders (RFC 5256 §5): white space, and `*subj-blob
/// subj-refwd`, i.e. `[blob]`s then `re`, `fw` or `fwd`, white space, an optional
/// `[blob]` and a colon.
fn strip_leaders(mut s: &str) -> &str {
    loop {
        let trimmed = s.trim_start();
        if trimmed.len() != s.len() {
            s = trimmed;
            continue;
        }
        let mut rest = s;
        while let Some(after) = strip_blob(rest) {
            rest = after;
        }
        let Some(after) = ["fwd", "fw", "re"]
            .iter()
            .find_map(|word| rest.strip_prefix(word))
        else {
            return s;
        };
        let after = after.trim_start();
        let after = strip_blob(after).unwrap_or(after);
        match after.strip_prefix(':') {
            Some(after) => s = after,
            None => return s,
        }
    }
}

/// `s` without a leading subj-blob: `[` text without brackets `]` and white space.
fn strip_blob(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('[')?;
    let end = inner.find([']', '['])?;
    inner[end..].strip_prefix(']').map(|rest| rest.trim_start())
}

/// Disjoint sets over node indexes (union by size, path halving).
struct Sets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl Sets {
    fn new(n: usize) -> Sets {
        Sets {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    /// A new node, alone in its set.
    fn add(&mut self) -> usize {
        self.parent.push(self.parent.len());
        self.size.push(1);
        self.parent.len() - 1
    }

    fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5256_base_subject() {
        assert_eq!(base_subject("Re: Fwd: [cardio] Bilan (fwd)"), "bilan");
        assert_eq!(
            base_subject("RE:   re:  Résultats  HbA1c"),
            "résultats hba1c"
        );
        assert_eq!(base_subject("[only blob]"), "[only blob]");
        assert_eq!(base_subject(""), "");
        // RFC 5256 §2.1 steps 3 to 6.
        assert_eq!(base_subject("Re [cardio]: Bilan"), "bilan");
        assert_eq!(base_subject("[a][b] RE : FW: x"), "x");
        assert_eq!(base_subject("[Fwd: Re: Bilan]"), "bilan");
        assert_eq!(base_subject("Bilan (fwd) (FWD)"), "bilan");
        assert_eq!(base_subject("Rebuilt"), "rebuilt");
        assert_eq!(base_subject("re: [x] "), "[x]");
        assert_eq!(base_subject("[x] Bilan\t  du   jour"), "bilan du jour");
    }

    fn at<'a>(id: &'a str, parents: &[&'a str], subject: &'a str, at: i64) -> Threadable<'a> {
        Threadable {
            message_id: Some(id),
            parents: parents.to_vec(),
            subject,
            at,
        }
    }

    #[test]
    fn ms6_replies_join_the_message_they_answer_in_the_order_written() {
        let messages = [
            at("a", &[], "Bilan", 1),
            at("other", &[], "Vaccins", 2),
            at("b", &["a"], "Re: Bilan", 3),
            // Names only an id both share (References), not a message here.
            at("c", &["gone", "b"], "Re: Re: Bilan", 4),
            at("d", &["gone"], "Re: Bilan", 5),
        ];
        assert_eq!(threads(&messages), [vec![0, 2, 3, 4], vec![1]]);
    }

    #[test]
    fn ms6_a_reply_naming_nothing_joins_its_subjects_thread_an_original_does_not() {
        let messages = [
            at("a", &[], "Bilan", 1),
            at("b", &[], "RE: [cardio] bilan", 2),
            at("c", &[], "Bilan", 3),
            at("d", &[], "", 4),
            at("e", &[], "", 5),
        ];
        // The reply joins; a second original "Bilan" and subjectless ones stand alone.
        assert_eq!(threads(&messages), [vec![4], vec![3], vec![2], vec![0, 1]]);
    }

    #[test]
    fn ms6_copies_under_one_message_id_are_one_thread() {
        let messages = [
            at("a", &[], "Bilan", 1),
            at("a", &[], "Bilan", 1),
            Threadable {
                message_id: None,
                parents: vec!["a"],
                subject: "Re: Bilan",
                at: 2,
            },
        ];
        assert_eq!(threads(&messages), [vec![0, 1, 2]]);
        assert!(is_reply("Fwd: Bilan") && !is_reply("Bilan  du jour"));
    }
}
