//! The difference between what the store holds and a newer extract, so that
//! re-importing applies only what changed (ID-4).
//!
//! The store keeps each record's key and [fingerprint](super::Fingerprint).
//! [`diff`] compares those with the records of the new extract: a key the
//! store lacks is added, a key whose fingerprint differs is changed, a key
//! the extract no longer has is removed, and the rest is unchanged.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use super::fingerprint::Fingerprint;
use super::mailbox::MailboxEntry;
use super::person::{PersonActivity, PersonActivityKey};
use crate::address::MailAddress;

/// A record with a key that stays the same from one extract to the next
/// and a fingerprint of its content.
pub trait Keyed {
    /// What identifies the record across extracts.
    type Key: Clone + Eq + Hash;

    /// The record's key.
    fn key(&self) -> Self::Key;

    /// The SHA-256 of the record's content.
    fn fingerprint(&self) -> Fingerprint;
}

impl Keyed for PersonActivity {
    type Key = PersonActivityKey;

    fn key(&self) -> PersonActivityKey {
        PersonActivity::key(self)
    }

    fn fingerprint(&self) -> Fingerprint {
        PersonActivity::fingerprint(self)
    }
}

impl Keyed for MailboxEntry {
    type Key = MailAddress;

    fn key(&self) -> MailAddress {
        MailboxEntry::key(self)
    }

    fn fingerprint(&self) -> Fingerprint {
        MailboxEntry::fingerprint(self)
    }
}

/// What re-importing an extract changes in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes<R: Keyed> {
    /// Records whose key the store does not have, in extract order.
    pub added: Vec<R>,
    /// Records whose key the store has with another fingerprint, in extract
    /// order.
    pub changed: Vec<R>,
    /// Keys the store has and the extract no longer does, in the order the
    /// store listed them.
    pub removed: Vec<R::Key>,
    /// How many records the store already has as they are.
    pub unchanged: usize,
    /// Keys met more than once in the extract, once each, in extract
    /// order. The first record with the key counts; the later ones are
    /// ignored (the published mailbox extract has a few addresses on
    /// several lines).
    pub duplicates: Vec<R::Key>,
}

impl<R: Keyed> Changes<R> {
    /// Whether the store is already up to date.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// Compares the keys and fingerprints the store holds with the records of
/// a new extract (ID-4).
///
/// `stored` may list a key only once (later listings are ignored).
///
/// ```
/// use caduceus_core::directory::{diff, read_extract, synthetic, MailboxHeader};
/// use caduceus_core::Domain;
///
/// let domain = Domain::parse("caduceus.test")?;
/// let text: String = synthetic::mailbox_extract(1, 10, &domain).map(|l| l + "\n").collect();
/// let records: Vec<_> = read_extract::<MailboxHeader>(&text)?.collect::<Result<_, _>>()?;
/// let stored: Vec<_> = records.iter().map(|r| (r.key(), r.fingerprint())).collect();
///
/// let changes = diff(stored, records[..9].to_vec());
/// assert_eq!(changes.unchanged, 9);
/// assert_eq!(changes.removed, vec![records[9].key()]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn diff<R: Keyed>(
    stored: impl IntoIterator<Item = (R::Key, Fingerprint)>,
    new: impl IntoIterator<Item = R>,
) -> Changes<R> {
    /// What is known of a stored key: where it was listed, its fingerprint,
    /// and whether the extract has it.
    struct Stored {
        order: usize,
        fingerprint: Fingerprint,
        seen: bool,
    }
    let mut listed: Vec<R::Key> = Vec::new();
    let mut by_key: HashMap<R::Key, Stored> = HashMap::new();
    for (key, fingerprint) in stored {
        if by_key.contains_key(&key) {
            continue;
        }
        by_key.insert(
            key.clone(),
            Stored {
                order: listed.len(),
                fingerprint,
                seen: false,
            },
        );
        listed.push(key);
    }
    let mut changes = Changes {
        added: Vec::new(),
        changed: Vec::new(),
        removed: Vec::new(),
        unchanged: 0,
        duplicates: Vec::new(),
    };
    // Keys of the extract that the store lacks, and keys already reported
    // as duplicated.
    let mut added_keys: HashSet<R::Key> = HashSet::new();
    let mut reported: HashSet<R::Key> = HashSet::new();
    for record in new {
        let key = record.key();
        let first = match by_key.get_mut(&key) {
            Some(stored) if !stored.seen => {
                stored.seen = true;
                if stored.fingerprint == record.fingerprint() {
                    changes.unchanged += 1;
                } else {
                    changes.changed.push(record);
                }
                continue;
            }
            Some(_) => false,
            None => added_keys.insert(key.clone()),
        };
        if first {
            changes.added.push(record);
        } else if reported.insert(key.clone()) {
            changes.duplicates.push(key);
        }
    }
    let mut removed: Vec<(usize, R::Key)> = by_key
        .into_iter()
        .filter(|(_, stored)| !stored.seen)
        .map(|(key, stored)| (stored.order, key))
        .collect();
    removed.sort_by_key(|(order, _)| *order);
    changes.removed = removed.into_iter().map(|(_, key)| key).collect();
    changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::fingerprint::Canonical;

    /// A minimal record: a key and a content.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Row(&'static str, &'static str);

    impl Keyed for Row {
        type Key = &'static str;

        fn key(&self) -> &'static str {
            self.0
        }

        fn fingerprint(&self) -> Fingerprint {
            Canonical::new("test/row/v1").text(self.1).finish()
        }
    }

    fn stored(rows: &[Row]) -> Vec<(&'static str, Fingerprint)> {
        rows.iter().map(|r| (r.key(), r.fingerprint())).collect()
    }

    #[test]
    fn id4_reimport_applies_the_difference() {
        let old = [Row("a", "1"), Row("b", "2"), Row("c", "3"), Row("d", "4")];
        let new = vec![Row("b", "2"), Row("c", "33"), Row("e", "5"), Row("a", "1")];
        let changes = diff(stored(&old), new);
        assert_eq!(changes.added, vec![Row("e", "5")]);
        assert_eq!(changes.changed, vec![Row("c", "33")]);
        assert_eq!(changes.removed, vec!["d"]);
        assert_eq!(changes.unchanged, 2);
        assert!(changes.duplicates.is_empty());
        assert!(!changes.is_empty());
    }

    #[test]
    fn id4_reimporting_the_same_extract_changes_nothing() {
        let rows = vec![Row("a", "1"), Row("b", "2")];
        let changes = diff(stored(&rows), rows.clone());
        assert!(changes.is_empty());
        assert_eq!(changes.unchanged, 2);
    }

    #[test]
    fn id4_first_import_adds_everything_and_empty_extract_removes_everything() {
        let rows = vec![Row("a", "1"), Row("b", "2")];
        let changes = diff(Vec::new(), rows.clone());
        assert_eq!(changes.added, rows);
        let changes = diff(stored(&rows), Vec::<Row>::new());
        assert_eq!(changes.removed, vec!["a", "b"]);
        assert_eq!(changes.unchanged, 0);
    }

    #[test]
    fn id4_removed_keys_keep_the_stored_order() {
        let old: Vec<Row> = ["k", "c", "x", "a", "q"]
            .iter()
            .map(|k| Row(k, "v"))
            .collect();
        let changes = diff(stored(&old), vec![Row("x", "v")]);
        assert_eq!(changes.removed, vec!["k", "c", "a", "q"]);
    }

    #[test]
    fn id4_duplicate_keys_in_an_extract_count_once() {
        let old = [Row("a", "1")];
        let new = vec![
            Row("a", "1"),
            Row("a", "other"),
            Row("b", "2"),
            Row("b", "3"),
            Row("b", "4"),
            Row("a", "1"),
        ];
        let changes = diff(stored(&old), new);
        assert_eq!(changes.unchanged, 1);
        assert_eq!(changes.added, vec![Row("b", "2")]);
        assert!(changes.changed.is_empty());
        assert_eq!(changes.duplicates, vec!["a", "b"]);
        // A key listed twice by the store counts once.
        let doubled = vec![
            ("a", Row("a", "1").fingerprint()),
            ("a", Row("a", "9").fingerprint()),
        ];
        let changes = diff(doubled, vec![Row("a", "1")]);
        assert_eq!(changes.unchanged, 1);
        assert!(changes.is_empty());
    }
}
