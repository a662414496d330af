//! LDAP search filters (RFC 4511 §4.5.1.7): which directory lookups may find the
//! entries a filter matches ([`plan`]), and whether an entry matches ([`matches`]).
//!
//! The service searches by name, profession, place or address; a filter is turned
//! into lookups whose results hold every entry the filter can match (a superset),
//! then each entry found is checked against the whole filter. Text is compared folded
//! (case, accents and punctuation do not count), as the directory search compares it.
//! `mail` substrings are looked up as name words (`*alice.mar*` → `alice mar`), and
//! a domain alone as every entry: an address whose text before `@` is not in its
//! holder's name is found by equality, or among the first entries of a broad lookup.

use caduceus_core::MailAddress;
use caduceus_core::directory::{SearchQuery, fold};
use ldap3_proto::proto::{LdapFilter, LdapSubstringFilter};

use crate::entries::{self, Entry};

/// More lookups than this for one filter: one broad lookup instead.
const MAX_LOOKUPS: usize = 8;

/// The directory lookups a filter needs.
#[derive(Debug, Default, PartialEq)]
pub struct Plan {
    /// Entries by address (equality on `mail`).
    pub addresses: Vec<MailAddress>,
    /// Searches; an empty query is every listed entry (up to the service's cap).
    pub queries: Vec<SearchQuery>,
}

impl Plan {
    fn broad() -> Self {
        Self {
            addresses: Vec::new(),
            queries: vec![SearchQuery::default()],
        }
    }

    fn query(query: SearchQuery) -> Self {
        Self {
            addresses: Vec::new(),
            queries: vec![query],
        }
    }

    /// Whether the plan can find nothing.
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.queries.is_empty()
    }

    fn is_broad(&self) -> bool {
        self.queries.iter().any(SearchQuery::is_empty)
    }

    fn union(mut self, other: Plan) -> Plan {
        for address in other.addresses {
            if !self.addresses.contains(&address) {
                self.addresses.push(address);
            }
        }
        for query in other.queries {
            if !self.queries.contains(&query) {
                self.queries.push(query);
            }
        }
        if self.addresses.len() + self.queries.len() > MAX_LOOKUPS {
            return Plan::broad();
        }
        self
    }
}

/// The lookups that find every directory entry `filter` can match.
pub fn plan(filter: &LdapFilter) -> Plan {
    match filter {
        // Any one operand's lookups hold what the conjunction matches: the
        // narrowest, the one naming addresses first.
        LdapFilter::And(operands) => operands
            .iter()
            .map(plan)
            .min_by_key(
                |p| match (p.is_empty(), p.addresses.is_empty(), p.is_broad()) {
                    (true, _, _) => 0,
                    (false, false, false) => 1,
                    (false, true, false) => 2,
                    (false, _, true) => 3,
                },
            )
            .unwrap_or_else(Plan::broad),
        LdapFilter::Or(operands) => operands.iter().map(plan).fold(Plan::default(), Plan::union),
        LdapFilter::Equality(attribute, value) => match entries::canonical(attribute) {
            Some("mail") => match MailAddress::parse(value.trim()) {
                Ok(address) => Plan {
                    addresses: vec![address],
                    queries: Vec::new(),
                },
                Err(_) => Plan::default(),
            },
            Some("objectClass") => {
                if mailbox_class(value) {
                    Plan::broad()
                } else {
                    Plan::default()
                }
            }
            Some(canonical) => text_plan(canonical, &[value.as_str()], true),
            None => Plan::default(),
        },
        LdapFilter::Approx(attribute, value) => match entries::canonical(attribute) {
            Some(canonical) => text_plan(canonical, &[value.as_str()], false),
            None => Plan::default(),
        },
        LdapFilter::Substring(attribute, pieces) => match entries::canonical(attribute) {
            Some(canonical) => {
                let starts = pieces.initial.as_deref();
                let all: Vec<&str> = starts
                    .into_iter()
                    .chain(pieces.any.iter().map(String::as_str))
                    .chain(pieces.final_.as_deref())
                    .collect();
                match (canonical, starts) {
                    ("l" | "postalCode", Some(start)) if all.len() == 1 => {
                        Plan::query(SearchQuery {
                            place: Some(start.to_owned()),
                            ..SearchQuery::default()
                        })
                    }
                    _ => text_plan(canonical, &all, false),
                }
            }
            None => Plan::default(),
        },
        LdapFilter::Present(attribute) => match entries::canonical(attribute) {
            Some(_) => Plan::broad(),
            None => Plan::default(),
        },
        LdapFilter::Not(_)
        | LdapFilter::GreaterOrEqual(..)
        | LdapFilter::LessOrEqual(..)
        | LdapFilter::Extensible(_) => Plan::broad(),
    }
}

/// Whether an object class is one the mailbox entries have.
fn mailbox_class(value: &str) -> bool {
    ["top", "person", "organizationalperson", "inetorgperson"]
        .contains(&value.trim().to_ascii_lowercase().as_str())
}

/// The lookup for words of a text attribute.
fn text_plan(canonical: &str, pieces: &[&str], exact: bool) -> Plan {
    // An address's text before its `@` is looked up as name words; a domain is not
    // in any name.
    let local = |piece: &&str| match canonical {
        "mail" => piece.split('@').next().unwrap_or_default().to_owned(),
        _ => (*piece).to_owned(),
    };
    let words = pieces
        .iter()
        .map(|p| fold(&local(p)))
        .collect::<Vec<_>>()
        .join(" ");
    let words = words.trim().to_owned();
    if words.is_empty() {
        return Plan::broad();
    }
    let mut query = SearchQuery::default();
    match canonical {
        "cn" | "displayName" | "sn" | "givenName" | "o" | "ou" | "mail" => {
            query.name = Some(words);
        }
        "title" => query.profession = Some(words),
        "businessCategory" => query.specialty = Some(words),
        "employeeNumber" if exact => query.identifier = Some(words),
        "l" | "postalCode" if exact => query.place = Some(words),
        _ => return Plan::broad(),
    }
    Plan::query(query)
}

/// Whether `entry` matches `filter`. An attribute the entry lacks makes its
/// assertion false (RFC 4511's Undefined, which `NOT` leaves undefined too).
pub fn matches(filter: &LdapFilter, entry: &Entry) -> bool {
    evaluate(filter, entry).unwrap_or(false)
}

fn evaluate(filter: &LdapFilter, entry: &Entry) -> Option<bool> {
    let texts = |attribute: &str| -> Option<Vec<String>> {
        let canonical = entries::canonical(attribute)?;
        if canonical == entries::CERTIFICATE {
            return None;
        }
        let values = entry.values(canonical)?;
        Some(
            values
                .iter()
                .map(|v| fold(&String::from_utf8_lossy(v)))
                .collect(),
        )
    };
    match filter {
        LdapFilter::And(operands) => combine(operands, entry, false),
        LdapFilter::Or(operands) => combine(operands, entry, true),
        LdapFilter::Not(operand) => evaluate(operand, entry).map(|b| !b),
        LdapFilter::Present(attribute) => {
            Some(entries::canonical(attribute).is_some_and(|c| entry.values(c).is_some()))
        }
        LdapFilter::Equality(attribute, value) => {
            let wanted = fold(value);
            texts(attribute).map(|values| values.contains(&wanted))
        }
        LdapFilter::Approx(attribute, value) => {
            let wanted = fold(value);
            texts(attribute).map(|values| values.iter().any(|v| v.contains(&wanted)))
        }
        LdapFilter::Substring(attribute, pieces) => {
            texts(attribute).map(|values| values.iter().any(|v| substring(v, pieces)))
        }
        LdapFilter::GreaterOrEqual(..)
        | LdapFilter::LessOrEqual(..)
        | LdapFilter::Extensible(_) => None,
    }
}

/// A conjunction (`decisive` false) or disjunction (`decisive` true) in three
/// values (RFC 4511 §4.5.1.7): an operand equal to `decisive` decides; otherwise
/// Undefined if an operand is, else the other value.
fn combine(operands: &[LdapFilter], entry: &Entry, decisive: bool) -> Option<bool> {
    let mut result = Some(!decisive);
    for operand in operands {
        match evaluate(operand, entry) {
            Some(value) if value == decisive => return Some(decisive),
            None => result = None,
            Some(_) => {}
        }
    }
    result
}

/// Whether folded `value` holds the folded pieces in order (RFC 4517 §4.2.6).
fn substring(value: &str, pieces: &LdapSubstringFilter) -> bool {
    let mut rest = value;
    if let Some(initial) = &pieces.initial {
        let initial = fold(initial);
        let Some(after) = rest.strip_prefix(initial.as_str()) else {
            return false;
        };
        rest = after;
    }
    for any in &pieces.any {
        let any = fold(any);
        match rest.find(any.as_str()) {
            Some(at) => rest = &rest[at + any.len()..],
            None => return false,
        }
    }
    match &pieces.final_ {
        Some(last) => rest.ends_with(fold(last).as_str()),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3_proto::parse_ldap_filter_str;

    fn parse(text: &str) -> LdapFilter {
        parse_ldap_filter_str(text).unwrap()
    }

    fn alice() -> Entry {
        Entry {
            dn: "mail=alice.martin@caduceus.test,ou=directory,dc=caduceus,dc=test".into(),
            attributes: vec![
                (
                    "objectClass",
                    vec![b"top".to_vec(), b"inetOrgPerson".to_vec()],
                ),
                ("cn", vec!["Alice Martin".into()]),
                ("sn", vec![b"Martin".to_vec()]),
                ("givenName", vec![b"Alice".to_vec()]),
                ("mail", vec![b"alice.martin@caduceus.test".to_vec()]),
                ("l", vec!["PARIS".into()]),
                ("title", vec!["Médecin".as_bytes().to_vec()]),
            ],
        }
    }

    #[test]
    fn id4_thunderbird_and_outlook_filters_match_by_name_and_address() {
        for filter in [
            "(|(cn=*ali*)(mail=*ali*)(sn=*ali*)(givenName=*ali*))",
            "(&(objectClass=inetOrgPerson)(|(cn=mart*)(mail=mart*)(sn=mart*)))",
            "(|(mail=*alice.mar*)(cn=zzz))",
            "(mail=ALICE.MARTIN@caduceus.test)",
            "(&(mail=*)(sn=MARTIN))",
            "(title=medecin)",
            "(cn~=alice)",
            "(objectClass=*)",
            "(!(cn=bruno*))",
            "(cn=a*e*tin)",
        ] {
            assert!(matches(&parse(filter), &alice()), "{filter}");
        }
        for filter in [
            "(|(cn=*bruno*)(mail=*bruno*))",
            "(mail=bruno.durand@caduceus.test)",
            "(objectClass=organizationalUnit)",
            "(telephoneNumber=*)",
            "(!(telephoneNumber=01*))",
            "(nosuchattribute=x)",
            "(cn=a*e*tinx)",
            "(userCertificate=x)",
        ] {
            assert!(!matches(&parse(filter), &alice()), "{filter}");
        }
    }

    #[test]
    fn id4_plans_hold_what_the_filter_can_match() {
        let thunderbird = plan(&parse(
            "(&(objectClass=person)(|(cn=*ali*)(mail=*ali*)(sn=*ali*)(givenName=*ali*)))",
        ));
        assert_eq!(
            thunderbird.queries,
            [SearchQuery {
                name: Some("ali".into()),
                ..SearchQuery::default()
            }]
        );
        let lookup = plan(&parse("(mail=alice.martin@caduceus.test)"));
        assert_eq!(lookup.addresses.len(), 1);
        assert!(lookup.queries.is_empty());
        let place = plan(&parse("(l=par*)"));
        assert_eq!(place.queries[0].place.as_deref(), Some("par"));
        assert!(plan(&parse("(objectClass=organizationalUnit)")).is_empty());
        assert!(plan(&parse("(objectClass=*)")).is_broad());
        assert!(plan(&parse("(mail=*@caduceus.test)")).is_broad());
        assert_eq!(
            plan(&parse("(mail=alice.mar*@caduceus.test)")).queries[0]
                .name
                .as_deref(),
            Some("alice mar")
        );
        let many = (0..20).map(|n| format!("(cn=name{n})")).collect::<String>();
        assert!(plan(&parse(&format!("(|{many})"))).is_broad());
    }
}
