//! SORT (RFC 5256): the order of messages by arrival, date, size, first From/To/Cc
//! mailbox or base subject, each key ascending or REVERSE, ties broken by sequence
//! number. Header keys read the metadata computed at ingest.

use std::cmp::Ordering;

use caduceus_service::ingest::{MessageMeta, MetaAddress};
use caduceus_service::model::MessageSummary;
use imap_next::imap_types::extensions::sort::{SortCriterion, SortKey};

/// Whether sorting by `criteria` needs the messages' metadata.
pub(crate) fn needs_metadata(criteria: &[SortCriterion]) -> bool {
    criteria
        .iter()
        .any(|c| !matches!(c.key, SortKey::Arrival | SortKey::Size))
}

/// One message as a sort sees it.
pub(crate) struct Entry<'a> {
    /// Its position in the mailbox (0-based).
    pub position: usize,
    pub summary: &'a MessageSummary,
    /// Its metadata, when a key needs it.
    pub meta: Option<&'a MessageMeta>,
}

/// Sorts `entries` by `criteria`.
pub(crate) fn sort(entries: &mut [Entry<'_>], criteria: &[SortCriterion]) {
    entries.sort_by(|a, b| {
        for criterion in criteria {
            let order = compare(&criterion.key, a, b);
            let order = if criterion.reverse {
                order.reverse()
            } else {
                order
            };
            if order != Ordering::Equal {
                return order;
            }
        }
        a.position.cmp(&b.position)
    });
}

fn compare(key: &SortKey, a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let by = |list: fn(&MessageMeta) -> &[MetaAddress],
              text: fn(&MetaAddress) -> Option<String>| {
        let key = |e: &Entry<'_>| e.meta.and_then(|m| list(m).iter().find_map(text));
        key(a).unwrap_or_default().cmp(&key(b).unwrap_or_default())
    };
    match key {
        SortKey::Arrival => a.summary.internal.cmp(&b.summary.internal),
        SortKey::Size => a.summary.size.cmp(&b.summary.size),
        SortKey::Date => sent(a).cmp(&sent(b)),
        SortKey::From => by(|m| &m.from, local_part),
        SortKey::To => by(|m| &m.to, local_part),
        SortKey::Cc => by(|m| &m.cc, local_part),
        SortKey::DisplayFrom => by(|m| &m.from, display),
        SortKey::DisplayTo => by(|m| &m.to, display),
        SortKey::Subject => base_subject(a).cmp(&base_subject(b)),
    }
}

/// The local part of a mailbox, case-folded (RFC 5256 §3: the addr-mailbox of the
/// first mailbox; group markers have none and are passed over).
fn local_part(address: &MetaAddress) -> Option<String> {
    let mailbox = address.address.as_deref()?;
    let local = mailbox.rsplit_once('@').map_or(mailbox, |(local, _)| local);
    Some(local.to_lowercase())
}

/// The display name of a mailbox, or its address when it has none, case-folded
/// (RFC 5957 §3).
fn display(address: &MetaAddress) -> Option<String> {
    let mailbox = address.address.as_deref()?;
    let name = address.name.as_deref().filter(|n| !n.trim().is_empty());
    Some(name.unwrap_or(mailbox).to_lowercase())
}

/// The sent date (RFC 3339 compares as text once normalised to UTC), or the arrival
/// date when there is none (RFC 5256 §3).
fn sent(e: &Entry<'_>) -> i64 {
    e.meta
        .and_then(|m| m.date.as_deref())
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .map_or(e.summary.internal.as_millis(), |d| d.timestamp_millis())
}

fn base_subject(e: &Entry<'_>) -> String {
    caduceus_core::threading::base_subject(e.meta.and_then(|m| m.subject.as_deref()).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use caduceus_core::Timestamp;
    use caduceus_service::model::{MailboxId, MessageId};

    fn summary(n: i64, size: i64) -> MessageSummary {
        MessageSummary {
            id: MessageId(n),
            mailbox: MailboxId(1),
            uid: n,
            modseq: n,
            flags: vec![],
            internal: Timestamp::from_millis(1_000 * n),
            size,
            email_id: caduceus_core::object_id::ObjectId::email("blob"),
        }
    }

    fn meta(subject: &str, from: &str) -> MessageMeta {
        MessageMeta {
            subject: Some(subject.into()),
            from: vec![MetaAddress {
                name: None,
                address: Some(from.into()),
            }],
            ..MessageMeta::default()
        }
    }

    #[test]
    fn rfc5256_keys_reverse_and_ties() {
        let summaries = [summary(1, 300), summary(2, 100), summary(3, 100)];
        let metas = [
            meta("Re: b", "zoe@x.test"),
            meta("a", "alice@x.test"),
            meta("Fwd: b", "bob@x.test"),
        ];
        let entries = || -> Vec<Entry<'_>> {
            (0..3)
                .map(|i| Entry {
                    position: i,
                    summary: &summaries[i],
                    meta: Some(&metas[i]),
                })
                .collect()
        };
        let order = |criteria: &[SortCriterion]| {
            let mut e = entries();
            sort(&mut e, criteria);
            e.iter().map(|e| e.position).collect::<Vec<_>>()
        };
        let by = |key, reverse| SortCriterion { reverse, key };
        assert_eq!(order(&[by(SortKey::Size, false)]), [1, 2, 0]);
        assert_eq!(order(&[by(SortKey::Size, true)]), [0, 1, 2]);
        assert_eq!(order(&[by(SortKey::From, false)]), [1, 2, 0]);
        assert_eq!(order(&[by(SortKey::Subject, false)]), [1, 0, 2]);
        assert_eq!(
            order(&[by(SortKey::Subject, false), by(SortKey::Arrival, true)]),
            [1, 2, 0]
        );
        assert!(!needs_metadata(&[by(SortKey::Arrival, false)]));
        assert!(needs_metadata(&[by(SortKey::Date, false)]));
    }

    #[test]
    fn rfc5256_address_keys_take_the_first_mailbox_local_part() {
        let group = MetaAddress {
            name: Some("Team".into()),
            address: None,
        };
        let zed = MetaAddress {
            name: Some("Alice".into()),
            address: Some("\"Zed@home\"@x.test".into()),
        };
        assert_eq!(local_part(&group), None);
        assert_eq!(local_part(&zed).as_deref(), Some("\"zed@home\""));
        assert_eq!(display(&zed).as_deref(), Some("alice"));
    }
}
