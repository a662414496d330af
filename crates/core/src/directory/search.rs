//! The directory search rule, as a pure function over entries (ID-4).
//!
//! The store runs the same rule in SQL over [folded](super::fold()) columns;
//! this module is its reference: the store's tests compare their results
//! with [`SearchQuery::matches`].

use super::entry::{DirectoryEntry, visible_in_search};
use super::fold::fold;
use super::values::Coded;

/// A directory search: every criterion given must match (ID-4).
///
/// Text is compared [folded](fold), so case, accents and punctuation do
/// not count:
///
/// - `name`: every word of the query appears within the entry's
///   [`search_name`](Self::search_name) (display name, site name and
///   service), so `martin alice` and `ALICE` both find Alice Martin;
/// - `profession`, `specialty`: the query equals the code (`10`, `SM26`)
///   or every word of it appears within the label (`médecin`, `cardio`);
/// - `place`: a query of digits is a prefix of the postal code (`75`,
///   `69003`); any other query is a prefix of the commune (`paris`,
///   `saint etienne`);
/// - `identifier`: the person's national identifier with its prefix
///   (`810003090833`) or without it (`10003090833`), or the structure's
///   identifier likewise (`1750048886`, `750048886`).
///
/// An empty or blank criterion is ignored; a query with no criterion
/// matches every entry. Whether the entry may be shown at all is decided
/// by [`visible_in_search`]; [`search`] applies both.
///
/// ```
/// use caduceus_core::directory::SearchQuery;
/// let query = SearchQuery {
///     name: Some("martin".into()),
///     place: Some("75".into()),
///     ..SearchQuery::default()
/// };
/// assert!(!query.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words of the name of a person, service or structure.
    pub name: Option<String>,
    /// A profession code or words of its label.
    pub profession: Option<String>,
    /// A specialty code or words of its label.
    pub specialty: Option<String>,
    /// The start of a postal code, or of a commune's name.
    pub place: Option<String>,
    /// A national identifier (RPPS, ADELI, FINESS, SIRET), with or without
    /// its one-digit prefix.
    pub identifier: Option<String>,
}

impl SearchQuery {
    /// Whether the query has no criterion.
    pub fn is_empty(&self) -> bool {
        [
            &self.name,
            &self.profession,
            &self.specialty,
            &self.place,
            &self.identifier,
        ]
        .into_iter()
        .all(|c| criterion(c).is_none())
    }

    /// Whether the entry meets every criterion of the query. It does not
    /// look at the liste rouge: see [`visible_in_search`] and [`search`].
    pub fn matches(&self, entry: &DirectoryEntry) -> bool {
        let name = criterion(&self.name)
            .is_none_or(|query| contains_words(&Self::search_name(entry), &fold(query)));
        name && criterion(&self.profession).is_none_or(|q| coded_matches(entry.profession(), q))
            && criterion(&self.specialty).is_none_or(|q| coded_matches(entry.specialty(), q))
            && criterion(&self.place).is_none_or(|q| place_matches(entry, q))
            && criterion(&self.identifier).is_none_or(|q| identifier_matches(entry, q))
    }

    /// The folded text the `name` criterion searches: display name, then
    /// site name and service when the display name does not already hold
    /// them. The store keeps it as a column.
    pub fn search_name(entry: &DirectoryEntry) -> String {
        let mut text = fold(entry.display_name());
        for part in [entry.site_name(), entry.service()].into_iter().flatten() {
            let part = fold(part);
            if !part.is_empty() && !text.contains(&part) {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&part);
            }
        }
        text
    }
}

/// The entries a query finds: those visible in search (not on the liste
/// rouge) that match it (ID-4).
pub fn search<'a>(
    query: &'a SearchQuery,
    entries: impl IntoIterator<Item = &'a DirectoryEntry> + 'a,
) -> impl Iterator<Item = &'a DirectoryEntry> + 'a {
    entries
        .into_iter()
        .filter(move |entry| visible_in_search(entry) && query.matches(entry))
}

/// The criterion's text, `None` when absent or blank.
fn criterion(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Whether every word of `folded_query` appears within `folded_text`.
fn contains_words(folded_text: &str, folded_query: &str) -> bool {
    folded_query
        .split(' ')
        .all(|word| folded_text.contains(word))
}

/// Whether a code or label matches the query.
fn coded_matches(value: Option<&Coded>, query: &str) -> bool {
    value.is_some_and(|coded| {
        coded.code.eq_ignore_ascii_case(query) || contains_words(&fold(&coded.label), &fold(query))
    })
}

/// Whether the place matches: postal-code prefix for digits, commune
/// prefix otherwise.
fn place_matches(entry: &DirectoryEntry, query: &str) -> bool {
    if query.bytes().all(|b| b.is_ascii_digit()) {
        return entry
            .postal_code()
            .is_some_and(|code| code.starts_with(query));
    }
    let query = fold(query);
    !query.is_empty() && entry.commune().is_some_and(|c| fold(c).starts_with(&query))
}

/// Whether the identifier is the person's or the structure's, with or
/// without its prefix.
fn identifier_matches(entry: &DirectoryEntry, query: &str) -> bool {
    let query: String = query.chars().filter(|c| !c.is_whitespace()).collect();
    let same = |prefixed: &str| {
        prefixed.eq_ignore_ascii_case(&query)
            || prefixed
                .get(1..)
                .is_some_and(|bare| bare.eq_ignore_ascii_case(&query))
    };
    entry.national_id().is_some_and(|id| same(&id.to_string()))
        || entry.structure().is_some_and(|s| match s.national_form() {
            Some(prefixed) => same(&prefixed),
            None => s.value().eq_ignore_ascii_case(&query),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::entry::tests::{alice_mailbox, secretariat_mailbox};
    use crate::directory::mailbox::MailboxEntry;

    fn alice() -> DirectoryEntry {
        DirectoryEntry::from_mailbox(&alice_mailbox()).unwrap()
    }

    fn secretariat() -> DirectoryEntry {
        DirectoryEntry::from_mailbox(&secretariat_mailbox()).unwrap()
    }

    fn query(f: impl FnOnce(&mut SearchQuery)) -> SearchQuery {
        let mut q = SearchQuery::default();
        f(&mut q);
        q
    }

    #[test]
    fn id4_name_search_ignores_case_accents_and_word_order() {
        for name in [
            "martin",
            "MARTIN",
            "Alice Martin",
            "martin alice",
            "ali",
            "hopital demonstration",
        ] {
            let q = query(|q| q.name = Some(name.into()));
            assert!(q.matches(&alice()), "{name}");
        }
        for name in ["durand", "martin bruno"] {
            let q = query(|q| q.name = Some(name.into()));
            assert!(!q.matches(&alice()), "{name}");
        }
        let q = query(|q| q.name = Some("cardiologie".into()));
        assert!(q.matches(&secretariat()));
        assert!(!q.matches(&alice()));
    }

    #[test]
    fn id4_profession_and_specialty_match_code_or_label() {
        for text in ["10", "médecin", "MEDECIN"] {
            assert!(
                query(|q| q.profession = Some(text.into())).matches(&alice()),
                "{text}"
            );
        }
        assert!(!query(|q| q.profession = Some("60".into())).matches(&alice()));
        assert!(!query(|q| q.profession = Some("1".into())).matches(&alice()));
        for text in [
            "SM04",
            "sm04",
            "cardiologie",
            "Cardio",
            "maladies cardiologie",
        ] {
            assert!(
                query(|q| q.specialty = Some(text.into())).matches(&alice()),
                "{text}"
            );
        }
        assert!(!query(|q| q.specialty = Some("SM26".into())).matches(&alice()));
        // No profession at all: a profession criterion fails.
        assert!(!query(|q| q.profession = Some("10".into())).matches(&secretariat()));
    }

    #[test]
    fn id4_place_matches_postal_code_prefix_or_commune() {
        for text in ["75", "75013", "paris", "Paris", "PAR", " paris "] {
            assert!(
                query(|q| q.place = Some(text.into())).matches(&alice()),
                "{text}"
            );
        }
        for text in ["69", "750130", "lyon", "aris", "-"] {
            assert!(
                !query(|q| q.place = Some(text.into())).matches(&alice()),
                "{text}"
            );
        }
        let saint = MailboxEntry {
            commune: Some("SAINT-ÉTIENNE".into()),
            ..alice_mailbox()
        };
        let entry = DirectoryEntry::from_mailbox(&saint).unwrap();
        assert!(query(|q| q.place = Some("saint etienne".into())).matches(&entry));
    }

    #[test]
    fn id4_identifier_matches_with_or_without_prefix() {
        for text in [
            "810003090833",
            "10003090833",
            " 810003090833 ",
            "1750048886",
            "750048886",
        ] {
            assert!(
                query(|q| q.identifier = Some(text.into())).matches(&alice()),
                "{text}"
            );
        }
        for text in ["10000000009", "0003090833", "8100030908"] {
            assert!(
                !query(|q| q.identifier = Some(text.into())).matches(&alice()),
                "{text}"
            );
        }
        assert!(query(|q| q.identifier = Some("750048886".into())).matches(&secretariat()));
    }

    #[test]
    fn id4_criteria_combine_and_blank_ones_are_ignored() {
        let q = SearchQuery {
            name: Some("martin".into()),
            profession: Some("médecin".into()),
            specialty: Some("cardiologie".into()),
            place: Some("75".into()),
            identifier: Some("10003090833".into()),
        };
        assert!(q.matches(&alice()));
        let wrong_place = SearchQuery {
            place: Some("69".into()),
            ..q.clone()
        };
        assert!(!wrong_place.matches(&alice()));
        let blank = query(|q| {
            q.name = Some("  ".into());
            q.place = Some(String::new());
        });
        assert!(blank.is_empty());
        assert!(blank.matches(&alice()));
        assert!(SearchQuery::default().is_empty());
        assert!(!q.is_empty());
    }

    #[test]
    fn id4_liste_rouge_hides_from_search() {
        let hidden = DirectoryEntry::from_mailbox(&MailboxEntry {
            liste_rouge: true,
            ..alice_mailbox()
        })
        .unwrap();
        let entries = [hidden.clone(), secretariat()];
        let q = query(|q| q.name = Some("martin".into()));
        // The query matches the entry, but search does not show it.
        assert!(q.matches(&hidden));
        assert_eq!(search(&q, &entries).count(), 0);
        let everyone = SearchQuery::default();
        let found: Vec<&str> = search(&everyone, &entries)
            .map(|e| e.address().as_str())
            .collect();
        assert_eq!(found, ["secretariat.cardiologie@caduceus.test"]);
    }

    #[test]
    fn id4_search_name_is_the_folded_haystack() {
        assert_eq!(
            SearchQuery::search_name(&secretariat()),
            "cardiologie hopital de demonstration"
        );
        assert_eq!(
            SearchQuery::search_name(&alice()),
            "alice martin hopital de demonstration"
        );
    }
}
