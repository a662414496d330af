//! The selected mailbox as one session sees it: a snapshot of its messages in UID
//! order, whose positions are the sequence numbers (RFC 9051 §2.3.1.2). Changes
//! made elsewhere reach the snapshot only through [`Selected::refresh`], from what
//! changed since its HIGHESTMODSEQ (not every summary again), which says what to
//! announce; an expunge is only applied when the command allows it.

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use caduceus_service::folders::FolderChanges;
use caduceus_service::model::{Mailbox, MessageSummary};
use imap_next::imap_types::sequence::{SeqOrUid, Sequence, SequenceSet};

use crate::extended::{Saved, ranges};
use crate::shared::Place;

/// A selected mailbox, opened at `place` (the unit tests of the snapshot need
/// none: `Selected<()>`).
pub(crate) struct Selected<P = Place> {
    /// Whose mailbox, with the access it was opened with: every command of the
    /// selected state acts with it (the login's own, or a shared one's, ID-3).
    pub place: P,
    /// The folder, with the counters seen at the last refresh.
    pub mailbox: Mailbox,
    /// EXAMINE: nothing may change.
    pub read_only: bool,
    /// The messages, in UID order; index + 1 is the sequence number.
    pub messages: Vec<MessageSummary>,
    /// UIDs of the snapshot removed elsewhere, kept in it until an EXPUNGE may be
    /// sent (RFC 9051 §7.5.1).
    pub gone: BTreeSet<i64>,
    /// The saved search result `$` (RFC 5182), as UIDs in ascending order.
    pub saved: Vec<i64>,
    /// The keywords announced to the client in FLAGS and PERMANENTFLAGS: a keyword
    /// may appear in a FETCH only once announced (RFC 3501 §7.2.6).
    pub keywords: BTreeSet<String>,
    /// The UIDs that are `\Recent` in this session (RFC 3501 §2.3.2): this session
    /// was the first to select the mailbox since they arrived. Always empty under
    /// IMAP4rev2, which has no `\Recent`.
    pub recent: BTreeSet<i64>,
    /// Its folder was deleted by another session: the mailbox is closed once the
    /// command that found out ends (RFC 9051 §7.1, CLOSED).
    pub closed: bool,
}

/// What a refresh found, to announce to the client.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Sequence numbers to announce as EXPUNGEd, in the order to send them.
    pub expunged: Vec<u32>,
    /// The UIDs of those messages (VANISHED, for a QRESYNC client).
    pub vanished: Vec<i64>,
    /// Positions (sequence numbers, after the expunges) whose flags changed.
    pub flags: Vec<u32>,
    /// The new message count, if it changed.
    pub exists: Option<u32>,
    /// Keywords appeared that were never announced: FLAGS and PERMANENTFLAGS must
    /// be sent again, before any FETCH (RFC 3501 §7.2.6).
    pub keywords: bool,
}

impl<P> Selected<P> {
    /// A snapshot of `mailbox` at `place` holding `messages`, nothing saved yet.
    pub fn new(place: P, mailbox: Mailbox, read_only: bool, messages: Vec<MessageSummary>) -> Self {
        let mut selected = Self {
            place,
            mailbox,
            read_only,
            messages,
            gone: BTreeSet::new(),
            saved: Vec::new(),
            keywords: BTreeSet::new(),
            recent: BTreeSet::new(),
            closed: false,
        };
        selected.learn_keywords();
        selected
    }

    /// Adds the keywords the snapshot's messages carry to those announced; true
    /// when some were new.
    fn learn_keywords(&mut self) -> bool {
        let before = self.keywords.len();
        let keywords = self.messages.iter().flat_map(|m| &m.flags);
        self.keywords
            .extend(keywords.filter(|f| !f.starts_with('\\')).cloned());
        self.keywords.len() != before
    }

    /// `$` written out for a command (RFC 5182 §2.1): the saved messages still in
    /// the snapshot, as UIDs and as sequence numbers.
    pub fn saved_sets(&self, with_email_ids: bool) -> Saved {
        let mut uids = Vec::new();
        let mut seqs = Vec::new();
        for (index, message) in self.messages.iter().enumerate() {
            if self.saved.binary_search(&message.uid).is_ok() {
                uids.push(message.uid as u32);
                seqs.push(index as u32 + 1);
            }
        }
        let email_ids = match with_email_ids {
            true => self
                .messages
                .iter()
                .map(|m| (m.email_id.clone(), m.uid as u32))
                .collect(),
            false => Vec::new(),
        };
        Saved {
            uids: ranges(&uids),
            seqs: ranges(&seqs),
            email_ids,
        }
    }

    /// The highest UID in the snapshot (0 when empty).
    pub fn last_uid(&self) -> i64 {
        self.messages.last().map_or(0, |m| m.uid)
    }

    /// Makes the snapshot's messages above UID `above` recent in this session.
    pub fn note_recent(&mut self, above: i64) {
        let uids = self.messages.iter().map(|m| m.uid).filter(|&u| u > above);
        self.recent.extend(uids);
    }

    /// Whether the message at position `index` is recent in this session.
    pub fn is_recent(&self, index: usize) -> bool {
        self.recent.contains(&self.messages[index].uid)
    }

    /// The number of messages in the snapshot recent in this session (RECENT).
    pub fn recent_count(&self) -> u32 {
        self.recent.len() as u32
    }

    /// The number of messages in the snapshot.
    pub fn exists(&self) -> u32 {
        self.messages.len() as u32
    }

    /// Brings the snapshot up to `changes`, what changed in the folder since the
    /// snapshot's HIGHESTMODSEQ. Removed messages are dropped only when
    /// `allow_expunge`; otherwise they stay (in [`Selected::gone`]), so sequence
    /// numbers hold until an EXPUNGE may be sent.
    pub fn refresh(&mut self, changes: FolderChanges, allow_expunge: bool) -> Changes {
        let FolderChanges {
            mailbox,
            changed,
            vanished,
        } = changes;
        let mut out = Changes::default();
        let held = |uid: &i64| self.messages.binary_search_by_key(uid, |m| m.uid).is_ok();
        let gone: Vec<i64> = vanished.into_iter().filter(held).collect();
        self.gone.extend(gone);
        if allow_expunge && !self.gone.is_empty() {
            let gone = std::mem::take(&mut self.gone);
            let recent = &mut self.recent;
            let mut seq = 1u32;
            self.messages.retain(|m| {
                let keep = !gone.contains(&m.uid);
                if keep {
                    seq += 1;
                } else {
                    // Each EXPUNGE renumbers the ones after it: announce the position
                    // it has once the earlier ones are gone.
                    recent.remove(&m.uid);
                    out.expunged.push(seq);
                    out.vanished.push(m.uid);
                }
                keep
            });
        }
        let last = self.last_uid();
        let before = self.messages.len();
        for fresh in changed {
            if fresh.uid > last {
                self.messages.push(fresh);
            } else if let Ok(index) = self.messages.binary_search_by_key(&fresh.uid, |m| m.uid)
                && (fresh.flags != self.messages[index].flags
                    || fresh.modseq != self.messages[index].modseq)
            {
                self.messages[index] = fresh;
                out.flags.push(index as u32 + 1);
            }
        }
        if self.messages.len() != before || !out.expunged.is_empty() {
            out.exists = Some(self.exists());
        }
        out.keywords = self.learn_keywords();
        self.mailbox = mailbox;
        out
    }

    /// The positions (0-based) a sequence set names: sequence numbers, or UIDs when
    /// `uid`. `*` is the last message (or, for UIDs, the highest UID); ranges may be
    /// given in either order; numbers beyond the mailbox name nothing.
    pub fn resolve(&self, set: &SequenceSet, uid: bool) -> Vec<usize> {
        let count = self.messages.len();
        if count == 0 {
            return Vec::new();
        }
        let last = if uid {
            self.messages[count - 1].uid as u32
        } else {
            count as u32
        };
        let value = |v: &SeqOrUid| match v {
            SeqOrUid::Value(n) => n.get(),
            SeqOrUid::Asterisk => last,
        };
        let mut ranges: Vec<(u32, u32)> = set
            .0
            .as_ref()
            .iter()
            .map(|s| match s {
                Sequence::Single(v) => (value(v), value(v)),
                Sequence::Range(a, b) => {
                    let (a, b) = (value(a), value(b));
                    (a.min(b), a.max(b))
                }
            })
            .collect();
        ranges.sort_unstable();
        let within = |n: u32| ranges.iter().any(|&(a, b)| a <= n && n <= b);
        if uid {
            (0..count)
                .filter(|&i| within(self.messages[i].uid as u32))
                .collect()
        } else {
            (0..count).filter(|&i| within(i as u32 + 1)).collect()
        }
    }

    /// The UID of the message at position `index`.
    pub fn uid(&self, index: usize) -> NonZeroU32 {
        NonZeroU32::new(self.messages[index].uid as u32).expect("UIDs start at 1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caduceus_core::Timestamp;
    use caduceus_service::model::{AccountId, MailboxId, MessageId};

    fn summary(uid: i64, flags: &[&str]) -> MessageSummary {
        MessageSummary {
            id: MessageId(uid * 10),
            mailbox: MailboxId(1),
            uid,
            modseq: uid,
            flags: flags.iter().map(|f| f.to_string()).collect(),
            internal: Timestamp::from_millis(0),
            size: 100,
            email_id: caduceus_core::object_id::ObjectId::email("blob"),
        }
    }

    fn mailbox() -> Mailbox {
        Mailbox {
            id: MailboxId(1),
            account: AccountId(1),
            name: "INBOX".into(),
            special_use: None,
            uidvalidity: 7,
            uidnext: 10,
            highest_modseq: 9,
        }
    }

    fn selected(uids: &[i64]) -> Selected<()> {
        Selected::new(
            (),
            mailbox(),
            false,
            uids.iter().map(|&u| summary(u, &[])).collect(),
        )
    }

    /// What changed: `changed` messages, `vanished` UIDs.
    fn changes(changed: Vec<MessageSummary>, vanished: &[i64]) -> FolderChanges {
        FolderChanges {
            mailbox: mailbox(),
            changed,
            vanished: vanished.to_vec(),
        }
    }

    fn set(text: &str) -> SequenceSet {
        SequenceSet::try_from(text).unwrap()
    }

    #[test]
    fn sequence_numbers_and_uids_resolve_with_star_and_reversed_ranges() {
        let s = selected(&[3, 5, 8, 9]);
        assert_eq!(s.resolve(&set("2:3"), false), [1, 2]);
        assert_eq!(s.resolve(&set("3:2"), false), [1, 2]);
        assert_eq!(s.resolve(&set("*"), false), [3]);
        assert_eq!(s.resolve(&set("5:*"), true), [1, 2, 3]);
        assert_eq!(s.resolve(&set("4,6:7"), true), Vec::<usize>::new());
        assert_eq!(s.resolve(&set("1:4294967295"), true), [0, 1, 2, 3]);
        // RFC 9051 §6.4.8: "UID range of 559:* always includes the UID of the last
        // message in the mailbox, even if 559 is higher than any assigned UID".
        assert_eq!(s.resolve(&set("100:*"), true), [3]);
        assert_eq!(s.resolve(&set("9:10"), false), Vec::<usize>::new());
        assert!(selected(&[]).resolve(&set("1:*"), false).is_empty());
    }

    #[test]
    fn refresh_announces_expunges_flags_and_new_mail() {
        let mut s = selected(&[3, 5, 8, 9]);
        let mut five = summary(5, &["\\Seen"]);
        five.modseq = 20;
        let changed = vec![five, summary(11, &[])];
        let found = s.refresh(changes(changed, &[3, 8]), true);
        // UID 3 at position 1, then UID 8 at position 2 once UID 3 is gone.
        assert_eq!(found.expunged, [1, 2]);
        assert_eq!(found.vanished, [3, 8]);
        assert_eq!(found.flags, [1]);
        assert_eq!(found.exists, Some(3));
        assert!(!found.keywords, "\\Seen is no keyword");
        assert_eq!(
            s.messages.iter().map(|m| m.uid).collect::<Vec<_>>(),
            [5, 9, 11]
        );
    }

    #[test]
    fn refresh_keeps_sequence_numbers_when_expunge_may_not_be_sent() {
        let mut s = selected(&[3, 5]);
        let first = s.refresh(changes(vec![summary(6, &[])], &[3]), false);
        assert!(first.expunged.is_empty());
        assert_eq!(first.exists, Some(3));
        assert_eq!(s.messages.len(), 3);
        // The removal was read once: the snapshot remembers it.
        let later = s.refresh(changes(vec![], &[]), true);
        assert_eq!(later.expunged, [1]);
        assert_eq!(later.exists, Some(2));
    }

    #[test]
    fn recent_messages_are_those_above_the_mark_until_expunged() {
        let mut s = selected(&[3, 5, 8]);
        s.note_recent(4);
        assert_eq!(
            (s.is_recent(0), s.is_recent(1), s.recent_count()),
            (false, true, 2)
        );
        s.refresh(changes(vec![], &[5]), true);
        assert_eq!(s.recent_count(), 1);
        assert!(s.is_recent(1));
        assert_eq!(s.last_uid(), 8);
    }

    #[test]
    fn keywords_are_learnt_once_at_select_and_at_refresh() {
        let mut s = Selected::new((), mailbox(), false, vec![summary(1, &["$label1"])]);
        assert!(s.keywords.contains("$label1"));
        let same = s.refresh(changes(vec![summary(1, &["$label1", "\\Seen"])], &[]), true);
        assert!(!same.keywords);
        assert_eq!(same.flags, [1]);
        let new = s.refresh(changes(vec![summary(1, &["$label1", "$Todo"])], &[]), true);
        assert!(new.keywords);
        assert!(s.keywords.contains("$Todo"));
    }
}
