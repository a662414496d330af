//! Chained entries: each entry's hash covers its number, its content and the hash of
//! the entry before it (TR-1).

use std::fmt;

use sha2::{Digest, Sha256};

use crate::event::Event;

/// A SHA-256 digest linking entries of the chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash([u8; 32]);

impl Hash {
    /// The `prev_hash` of the very first entry.
    pub const GENESIS: Hash = Hash([0; 32]);

    /// The digest's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A hash from stored bytes, or `None` if they are not 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Hash> {
        bytes.try_into().ok().map(Hash)
    }
}

impl From<[u8; 32]> for Hash {
    fn from(bytes: [u8; 32]) -> Self {
        Hash(bytes)
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({self})")
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in &self.0[..8] {
            write!(f, "{byte:02x}")?;
        }
        f.write_str("…")
    }
}

/// One numbered, chained trace entry as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Who (see [`Event::actor`]).
    pub actor: String,
    /// The organisational mailbox a delegate acted for (ID-3).
    pub acting_for: Option<String>,
    /// The action's code (see [`crate::Action::as_str`]).
    pub action: String,
    /// Ids of what was acted on.
    pub object: String,
    /// Where the actor connected from.
    pub source: Option<String>,
    /// The outcome's code (see [`crate::Outcome::as_str`]).
    pub outcome: String,
    /// An id-only detail.
    pub detail: Option<String>,
    /// The hash of the previous entry (or of the anchor after a purge).
    pub prev_hash: Hash,
    /// This entry's hash.
    pub hash: Hash,
}

impl Entry {
    /// The entry that follows `(prev_seq, prev_hash)` and records `event`. This is where
    /// the event's typed actor, object and detail become the stored text (TR-5): as
    /// they hold ids, codes and numbers only, there is no free text to refuse here,
    /// and the text is what it always was (`acct:3`, `mbx:3 msg:12`, `MS-9
    /// opposition:on`), so chains written before the values were typed still verify.
    pub fn chain(prev_seq: i64, prev_hash: Hash, event: &Event) -> Entry {
        let mut entry = Entry {
            seq: prev_seq + 1,
            at_ms: event.at_ms,
            actor: event.actor.to_string(),
            acting_for: event.acting_for.map(|account| account.to_string()),
            action: event.action.as_str().to_owned(),
            object: event.object.to_string(),
            source: event.source.clone(),
            outcome: event.outcome.as_str().to_owned(),
            detail: event.detail.as_ref().map(ToString::to_string),
            prev_hash,
            hash: Hash::GENESIS,
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The hash this entry's content and number should have.
    pub fn compute_hash(&self) -> Hash {
        self.hash_as(self.seq)
    }

    /// The hash this entry's content would have at position `seq`; the verifier uses
    /// it to tell renumbered entries from modified ones.
    pub fn hash_as(&self, seq: i64) -> Hash {
        let mut digest = Sha256::new();
        digest.update(b"caduceus-trace-v1");
        digest.update(seq.to_be_bytes());
        digest.update(self.at_ms.to_be_bytes());
        for field in [
            Some(&self.actor),
            self.acting_for.as_ref(),
            Some(&self.action),
            Some(&self.object),
            self.source.as_ref(),
            Some(&self.outcome),
            self.detail.as_ref(),
        ] {
            match field {
                None => digest.update([0u8]),
                Some(text) => {
                    digest.update([1u8]);
                    digest.update((text.len() as u64).to_be_bytes());
                    digest.update(text.as_bytes());
                }
            }
        }
        digest.update(self.prev_hash.as_bytes());
        Hash(digest.finalize().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detail::{Detail, Fact, Setting};
    use crate::event::Action;
    use crate::object::{AccountRef, Id, Object, Who};
    use caduceus_core::Requirement;

    fn event() -> Event {
        Event::new(
            1,
            Who::Account(AccountRef(1)),
            Action::MessageRead,
            Object::of(Id::Message(1)),
        )
    }

    /// The stored text of typed events is the text written before they were typed,
    /// so the hashes of existing chains still match (TR-1, TR-5).
    #[test]
    fn tr5_typed_events_are_stored_as_the_same_text() {
        let mut event = Event::new(
            5,
            Who::Account(AccountRef(2)),
            Action::PatientOpposition,
            Object::of(AccountRef(9)),
        );
        event.acting_for = Some(AccountRef(4));
        event.source = Some("192.0.2.1:4000".into());
        event.detail =
            Some(Detail::of(Requirement::Ms9).and(Fact::Switch(Setting::Opposition, true)));
        let entry = Entry::chain(0, Hash::GENESIS, &event);
        assert_eq!(
            (
                entry.actor.as_str(),
                entry.acting_for.as_deref(),
                entry.object.as_str(),
                entry.detail.as_deref()
            ),
            (
                "acct:2",
                Some("acct:4"),
                "acct:9",
                Some("MS-9 opposition:on")
            )
        );
        let legacy = Entry {
            seq: 1,
            at_ms: 5,
            actor: "acct:2".into(),
            acting_for: Some("acct:4".into()),
            action: "patient.opposition".into(),
            object: "acct:9".into(),
            source: Some("192.0.2.1:4000".into()),
            outcome: "success".into(),
            detail: Some("MS-9 opposition:on".into()),
            prev_hash: Hash::GENESIS,
            hash: Hash::GENESIS,
        };
        assert_eq!(entry.hash, legacy.compute_hash());
    }

    #[test]
    fn tr1_entries_link_and_hash_their_content() {
        let first = Entry::chain(0, Hash::GENESIS, &event());
        assert_eq!(first.seq, 1);
        assert_eq!(first.prev_hash, Hash::GENESIS);
        assert_eq!(first.hash, first.compute_hash());
        let second = Entry::chain(first.seq, first.hash, &event());
        assert_eq!(second.prev_hash, first.hash);
        assert_ne!(
            second.hash, first.hash,
            "the number and the link are hashed"
        );
    }

    #[test]
    fn tr1_every_field_is_covered_by_the_hash() {
        let base = Entry::chain(0, Hash::GENESIS, &event());
        let mutations: [fn(&mut Entry); 10] = [
            |e| e.at_ms += 1,
            |e| e.actor.push('0'),
            |e| e.acting_for = Some("acct:9".into()),
            |e| e.action = "message.delete".into(),
            |e| e.object.push('0'),
            |e| e.source = Some(String::new()),
            |e| e.outcome = "failure".into(),
            |e| e.detail = Some(String::new()),
            |e| e.prev_hash = Hash([1; 32]),
            |e| e.seq += 1,
        ];
        for (i, mutate) in mutations.iter().enumerate() {
            let mut changed = base.clone();
            mutate(&mut changed);
            assert_ne!(
                changed.compute_hash(),
                base.hash,
                "mutation {i} went unnoticed"
            );
        }
    }

    #[test]
    fn absent_and_empty_fields_hash_differently() {
        let mut a = Entry::chain(0, Hash::GENESIS, &event());
        let mut b = a.clone();
        a.detail = None;
        b.detail = Some(String::new());
        assert_ne!(a.compute_hash(), b.compute_hash());
    }

    #[test]
    fn hashes_parse_from_32_bytes_only() {
        assert_eq!(Hash::from_slice(&[7; 32]), Some(Hash([7; 32])));
        assert_eq!(Hash::from_slice(&[7; 31]), None);
        assert_eq!(Hash::GENESIS.to_string(), "0000000000000000…");
    }
}
