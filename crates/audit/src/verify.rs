//! Chain verification: walks the entries in order and names the first bad one (TR-1).
//!
//! Each entry must carry the next number, hash to its stored hash, and link to the
//! entry (or signed anchor) before it; each checkpoint must carry a valid signature
//! and match the entry it signs. When an entry's hash does not match, the verifier
//! tries the entry at neighbouring positions to tell a renumbering (deletion,
//! insertion, swap) from an edit, so the report says what was done.

use std::collections::BTreeMap;
use std::fmt;

use crate::chain::{Entry, Hash};
use crate::signing::{Checkpoint, VerifyingKey};

/// How far a renumbered entry is searched for when classifying a deletion.
const MAX_SHIFT: i64 = 1024;

/// What a verifier found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TamperKind {
    /// The entry's content no longer matches its hash, or its hash was recomputed.
    Modified,
    /// The entry is missing.
    Deleted,
    /// The entry was added, and those after it renumbered.
    Inserted,
    /// The entry swapped places with the next one.
    Reordered,
    /// The entry does not link to the anchor or genesis before it.
    BrokenLink,
    /// A checkpoint's signature is not the signing key's.
    BadCheckpointSignature,
    /// The entry does not match the signed checkpoint on it: the chain was rewritten.
    CheckpointMismatch,
    /// Entries before this one are gone and no signed anchor vouches for the cut.
    MissingAnchor,
    /// Entries from this one on are gone, yet a checkpoint signs a later one.
    TruncatedTail,
}

/// The first bad entry of a chain and what is wrong with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub struct Tamper {
    /// The entry's number.
    pub seq: i64,
    /// What is wrong.
    pub kind: TamperKind,
}

impl fmt::Display for Tamper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seq = self.seq;
        match self.kind {
            TamperKind::Modified => write!(
                f,
                "trace entry {seq} was modified: its content no longer matches its hash"
            ),
            TamperKind::Deleted => {
                write!(f, "trace entry {seq} was deleted: the chain jumps over it")
            }
            TamperKind::Inserted => write!(
                f,
                "trace entry {seq} was inserted: the entries after it were renumbered"
            ),
            TamperKind::Reordered => write!(
                f,
                "trace entry {seq} was reordered: it swapped places with entry {}",
                seq + 1
            ),
            TamperKind::BrokenLink => write!(
                f,
                "trace entry {seq} does not link to the signed anchor or start of the chain"
            ),
            TamperKind::BadCheckpointSignature => write!(
                f,
                "the checkpoint on trace entry {seq} has an invalid signature (forged, or made with another key)"
            ),
            TamperKind::CheckpointMismatch => write!(
                f,
                "trace entries up to entry {seq} were rewritten: entry {seq} does not match its signed checkpoint"
            ),
            TamperKind::MissingAnchor => write!(
                f,
                "trace entries before entry {seq} are gone and no signed anchor vouches for the cut"
            ),
            TamperKind::TruncatedTail => write!(
                f,
                "trace entries from entry {seq} on were deleted: a signed checkpoint vouches for a later entry"
            ),
        }
    }
}

/// The extent of a chain that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The first entry present (entries before it were purged behind a signed anchor).
    pub first_seq: i64,
    /// The last entry present.
    pub last_seq: i64,
    /// How many entries were checked.
    pub entries: u64,
    /// How many signed checkpoints were checked.
    pub checkpoints: usize,
    /// The hash of the last entry.
    pub head_hash: Hash,
}

fn tamper(seq: i64, kind: TamperKind) -> Tamper {
    Tamper { seq, kind }
}

/// Verifies `entries` (in stored order) against `checkpoints` signed by `key`, and
/// returns the chain's extent or the first bad entry.
pub fn verify(
    entries: impl AsRef<[Entry]>,
    checkpoints: &[Checkpoint],
    key: &VerifyingKey,
) -> Result<Report, Tamper> {
    let entries = entries.as_ref();
    let mut signed = BTreeMap::new();
    for checkpoint in checkpoints {
        if !checkpoint.is_signed_by(key) {
            return Err(tamper(checkpoint.seq, TamperKind::BadCheckpointSignature));
        }
        signed.insert(checkpoint.seq, checkpoint);
    }
    let (mut prev_seq, mut prev_hash) = match entries.first() {
        None => (0, Hash::GENESIS),
        Some(first) if first.seq <= 1 => (0, Hash::GENESIS),
        Some(first) => match signed.get(&(first.seq - 1)) {
            Some(anchor) => (anchor.seq, anchor.hash),
            None => return Err(tamper(first.seq, TamperKind::MissingAnchor)),
        },
    };
    let first_seq = prev_seq + 1;
    for (i, entry) in entries.iter().enumerate() {
        let expected = prev_seq + 1;
        if entry.seq > expected {
            return Err(tamper(expected, TamperKind::Deleted));
        }
        if entry.seq < expected {
            return Err(tamper(entry.seq, TamperKind::Inserted));
        }
        if entry.compute_hash() != entry.hash {
            return Err(classify(entry, entries.get(i + 1)));
        }
        if entry.prev_hash != prev_hash {
            // The entry itself is intact, so what it links to was changed: the
            // previous entry had its hash recomputed, or the anchor does not match.
            return Err(if i == 0 {
                tamper(entry.seq, TamperKind::BrokenLink)
            } else {
                tamper(prev_seq, TamperKind::Modified)
            });
        }
        if let Some(checkpoint) = signed.get(&entry.seq)
            && checkpoint.hash != entry.hash
        {
            return Err(tamper(entry.seq, TamperKind::CheckpointMismatch));
        }
        prev_seq = entry.seq;
        prev_hash = entry.hash;
    }
    if signed.range(prev_seq + 1..).next().is_some() {
        return Err(tamper(prev_seq + 1, TamperKind::TruncatedTail));
    }
    Ok(Report {
        first_seq,
        last_seq: prev_seq,
        entries: entries.len() as u64,
        checkpoints: checkpoints.len(),
        head_hash: prev_hash,
    })
}

/// Why `entry`'s hash does not match: a swap with the next entry, a renumbering
/// after a deletion or an insertion, or an edit.
fn classify(entry: &Entry, next: Option<&Entry>) -> Tamper {
    let fits = |e: &Entry, seq: i64| e.hash_as(seq) == e.hash;
    if let Some(next) = next {
        if fits(entry, next.seq) && fits(next, entry.seq) {
            return tamper(entry.seq, TamperKind::Reordered);
        }
        if fits(next, next.seq - 1) {
            return tamper(entry.seq, TamperKind::Inserted);
        }
    }
    if (1..=MAX_SHIFT).any(|shift| fits(entry, entry.seq + shift)) {
        return tamper(entry.seq, TamperKind::Deleted);
    }
    if (1..=MAX_SHIFT.min(entry.seq - 1)).any(|shift| fits(entry, entry.seq - shift)) {
        return tamper(entry.seq, TamperKind::Inserted);
    }
    tamper(entry.seq, TamperKind::Modified)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Action, Event};
    use crate::object::{AccountRef, Id, Object, Who};
    use crate::signing::{TraceSigner, purge_cut, should_checkpoint};

    const EVERY: i64 = 4;

    struct Chain {
        signer: TraceSigner,
        entries: Vec<Entry>,
        checkpoints: Vec<Checkpoint>,
    }

    fn event(n: i64) -> Event {
        let mut event = Event::new(
            1_000 * n,
            Who::Account(AccountRef(n % 3)),
            Action::MessageRead,
            Object::of(Id::Message(n)),
        );
        event.source = Some("cli".into());
        event
    }

    fn chain(len: i64) -> Chain {
        let signer = TraceSigner::generate();
        let mut entries: Vec<Entry> = Vec::new();
        let mut checkpoints = Vec::new();
        for n in 1..=len {
            let (seq, hash) = entries
                .last()
                .map_or((0, Hash::GENESIS), |e| (e.seq, e.hash));
            let entry = Entry::chain(seq, hash, &event(n));
            if should_checkpoint(entry.seq, EVERY) {
                checkpoints.push(Checkpoint::sign(
                    entry.seq,
                    entry.hash,
                    entry.at_ms,
                    &signer,
                ));
            }
            entries.push(entry);
        }
        Chain {
            signer,
            entries,
            checkpoints,
        }
    }

    impl Chain {
        fn verify(&self) -> Result<Report, Tamper> {
            verify(
                &self.entries,
                &self.checkpoints,
                &self.signer.verifying_key(),
            )
        }

        fn renumber(&mut self) {
            for (i, entry) in self.entries.iter_mut().enumerate() {
                entry.seq = i as i64 + 1;
            }
        }

        /// Recomputes every hash and link from `from` on, as an attacker without the
        /// signing key would.
        fn rehash(&mut self, from: usize) {
            for i in from..self.entries.len() {
                let prev = if i == 0 {
                    Hash::GENESIS
                } else {
                    self.entries[i - 1].hash
                };
                self.entries[i].prev_hash = prev;
                self.entries[i].hash = self.entries[i].compute_hash();
            }
        }
    }

    #[test]
    fn tr1_an_intact_chain_verifies() {
        let chain = chain(10);
        let report = chain.verify().unwrap();
        assert_eq!(
            (report.first_seq, report.last_seq, report.entries),
            (1, 10, 10)
        );
        assert_eq!(report.checkpoints, 2);
        assert_eq!(report.head_hash, chain.entries[9].hash);
    }

    #[test]
    fn an_empty_chain_verifies() {
        let report = verify(Vec::new(), &[], &TraceSigner::generate().verifying_key()).unwrap();
        assert_eq!(report.entries, 0);
    }

    #[test]
    fn tr1_a_modified_entry_is_named() {
        let mut chain = chain(10);
        chain.entries[2].object = "msg:999".into();
        assert_eq!(chain.verify(), Err(tamper(3, TamperKind::Modified)));
    }

    #[test]
    fn tr1_a_modified_and_rehashed_entry_is_named() {
        let mut chain = chain(10);
        chain.entries[2].object = "msg:999".into();
        chain.entries[2].hash = chain.entries[2].compute_hash();
        assert_eq!(chain.verify(), Err(tamper(3, TamperKind::Modified)));
    }

    #[test]
    fn tr1_a_deleted_entry_is_named() {
        let mut chain = chain(10);
        chain.entries.remove(3);
        assert_eq!(chain.verify(), Err(tamper(4, TamperKind::Deleted)));
    }

    #[test]
    fn tr1_a_deletion_hidden_by_renumbering_is_named() {
        let mut chain = chain(10);
        chain.entries.remove(3);
        chain.renumber();
        assert_eq!(chain.verify(), Err(tamper(4, TamperKind::Deleted)));
    }

    #[test]
    fn tr1_an_insertion_hidden_by_renumbering_is_named() {
        let mut chain = chain(10);
        let mut forged = chain.entries[1].clone();
        forged.object = "msg:1".into();
        chain.entries.insert(2, forged);
        chain.renumber();
        assert_eq!(chain.verify(), Err(tamper(3, TamperKind::Inserted)));
    }

    #[test]
    fn tr1_swapped_entries_are_named() {
        let mut chain = chain(10);
        chain.entries.swap(4, 5);
        chain.renumber();
        assert_eq!(chain.verify(), Err(tamper(5, TamperKind::Reordered)));
    }

    #[test]
    fn tr1_a_rewritten_chain_is_caught_by_its_checkpoint() {
        let mut chain = chain(10);
        chain.entries[1].object = "msg:999".into();
        chain.rehash(1);
        assert_eq!(
            chain.verify(),
            Err(tamper(4, TamperKind::CheckpointMismatch))
        );
    }

    #[test]
    fn tr1_a_forged_checkpoint_is_caught() {
        let mut chain = chain(10);
        chain.checkpoints[0].at_ms += 1;
        assert_eq!(
            chain.verify(),
            Err(tamper(4, TamperKind::BadCheckpointSignature))
        );
        let other = TraceSigner::generate();
        let mut chain2 = self::chain(10);
        chain2.checkpoints[1] = Checkpoint::sign(8, chain2.entries[7].hash, 0, &other);
        assert_eq!(
            chain2.verify(),
            Err(tamper(8, TamperKind::BadCheckpointSignature))
        );
    }

    #[test]
    fn tr1_a_truncated_tail_is_caught_by_a_later_checkpoint() {
        let mut chain = chain(10);
        chain.entries.truncate(6);
        assert_eq!(chain.verify(), Err(tamper(7, TamperKind::TruncatedTail)));
    }

    #[test]
    fn tr2_a_purge_with_its_anchor_verifies() {
        let mut chain = chain(10);
        let anchor = purge_cut(&chain.entries[5], 99_000, &chain.signer);
        chain.entries.drain(..6);
        chain.checkpoints.retain(|c| c.seq >= 6);
        chain.checkpoints.push(anchor);
        let report = chain.verify().unwrap();
        assert_eq!(
            (report.first_seq, report.last_seq, report.entries),
            (7, 10, 4)
        );
    }

    #[test]
    fn tr2_a_purge_without_anchor_is_caught() {
        let mut chain = chain(10);
        chain.entries.drain(..6);
        chain.checkpoints.retain(|c| c.seq > 6);
        assert_eq!(chain.verify(), Err(tamper(7, TamperKind::MissingAnchor)));
    }

    #[test]
    fn tr2_the_first_entry_after_a_cut_must_link_to_the_anchor() {
        let mut chain = chain(10);
        let anchor = purge_cut(&chain.entries[5], 99_000, &chain.signer);
        chain.entries.drain(..6);
        chain.entries[0].prev_hash = Hash::from([9; 32]);
        chain.entries[0].hash = chain.entries[0].compute_hash();
        chain.checkpoints = vec![anchor];
        assert_eq!(chain.verify(), Err(tamper(7, TamperKind::BrokenLink)));
    }

    #[test]
    fn tamper_messages_name_the_entry() {
        use TamperKind::*;
        for kind in [
            Modified,
            Deleted,
            Inserted,
            Reordered,
            BrokenLink,
            BadCheckpointSignature,
            CheckpointMismatch,
            MissingAnchor,
            TruncatedTail,
        ] {
            let text = tamper(42, kind).to_string();
            assert!(text.contains("entry 42"), "{text}");
        }
    }
}
