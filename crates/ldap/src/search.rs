//! A search request answered: the entries under its base and scope that match its
//! filter, within its size limit, each with the attributes asked for. Who is listed
//! and which certificates are served is the service's (`find_in_directory`,
//! `find_listed`): this only walks the fixed tree of [`crate::names`].

use caduceus_service::address_book::Listed;
use caduceus_service::directory::MAX_RESULTS;
use caduceus_service::{Caller, Service, ServiceError};
use ldap3_proto::proto::{
    LdapPartialAttribute, LdapResultCode, LdapSearchRequest, LdapSearchResultEntry, LdapSearchScope,
};

use crate::entries::{self, CERTIFICATE, Entry};
use crate::filter;
use crate::names::{Names, Target};

/// What a search found, and how it ended.
pub(crate) struct Found {
    /// The matching entries, at most the size limit.
    pub entries: Vec<Entry>,
    /// `success`, `sizeLimitExceeded` or `noSuchObject`.
    pub code: LdapResultCode,
    /// The matched DN of a `noSuchObject` answer.
    pub matched: String,
}

/// Whether the request reads the root DSE, which anyone may (RFC 4512 §5.1).
pub(crate) fn is_root_dse(names: &Names, request: &LdapSearchRequest) -> bool {
    request.scope == LdapSearchScope::Base && names.target(&request.base) == Target::Root
}

/// Runs `request` for a bound caller (the root DSE needs none: `caller` is `None`).
pub(crate) async fn run(
    service: &Service,
    caller: Option<&Caller>,
    names: &Names,
    request: &LdapSearchRequest,
) -> Result<Found, ServiceError> {
    let scope = &request.scope;
    let (mut candidates, with_mailboxes) = match names.target(&request.base) {
        Target::Root if *scope == LdapSearchScope::Base => (vec![entries::root_dse(names)], None),
        Target::Root => (Vec::new(), None),
        Target::Suffix => match scope {
            LdapSearchScope::Base => (vec![entries::suffix(names)], None),
            LdapSearchScope::OneLevel => (vec![entries::base(names)], None),
            LdapSearchScope::Subtree => (
                vec![entries::suffix(names), entries::base(names)],
                Some(None),
            ),
            LdapSearchScope::Children => (vec![entries::base(names)], Some(None)),
        },
        Target::Base => match scope {
            LdapSearchScope::Base => (vec![entries::base(names)], None),
            LdapSearchScope::Subtree => (vec![entries::base(names)], Some(None)),
            LdapSearchScope::OneLevel | LdapSearchScope::Children => (Vec::new(), Some(None)),
        },
        Target::Entry(address) => match scope {
            LdapSearchScope::Base | LdapSearchScope::Subtree => (Vec::new(), Some(Some(address))),
            LdapSearchScope::OneLevel | LdapSearchScope::Children => (Vec::new(), None),
        },
        Target::Unknown { under_suffix } => {
            return Ok(Found {
                entries: Vec::new(),
                code: LdapResultCode::NoSuchObject,
                matched: if under_suffix {
                    names.base().to_owned()
                } else {
                    String::new()
                },
            });
        }
    };
    let mut truncated = false;
    if let (Some(only), Some(caller)) = (with_mailboxes, caller) {
        let with_certificates = wants_certificates(&request.attrs);
        let listed = match only {
            // A base search of one entry: that entry, if listed.
            Some(address) => {
                let found = service
                    .find_listed(caller, &address, with_certificates)
                    .await?;
                match found {
                    Some(listed) => vec![listed],
                    None => {
                        return Ok(Found {
                            entries: Vec::new(),
                            code: LdapResultCode::NoSuchObject,
                            matched: names.base().to_owned(),
                        });
                    }
                }
            }
            None => {
                let (listed, more) =
                    lookups(service, caller, &request.filter, with_certificates).await?;
                truncated = more;
                listed
            }
        };
        candidates.extend(listed.iter().map(|l| entries::mailbox(names, l)));
    }
    let limit = match usize::try_from(request.sizelimit) {
        Ok(0) | Err(_) => MAX_RESULTS as usize,
        Ok(asked) => asked.min(MAX_RESULTS as usize),
    };
    let mut entries: Vec<Entry> = candidates
        .into_iter()
        .filter(|entry| filter::matches(&request.filter, entry))
        .collect();
    if entries.len() > limit {
        entries.truncate(limit);
        truncated = true;
    }
    Ok(Found {
        entries,
        code: if truncated {
            LdapResultCode::SizeLimitExceeded
        } else {
            LdapResultCode::Success
        },
        matched: String::new(),
    })
}

/// The listed entries the filter's lookups find, each once, and whether the
/// directory held more than a lookup returns.
async fn lookups(
    service: &Service,
    caller: &Caller,
    filter: &ldap3_proto::proto::LdapFilter,
    with_certificates: bool,
) -> Result<(Vec<Listed>, bool), ServiceError> {
    let plan = filter::plan(filter);
    let mut found: Vec<Listed> = Vec::new();
    let mut truncated = false;
    let add = |listed: Listed, found: &mut Vec<Listed>| {
        if !found
            .iter()
            .any(|f| f.entry.address() == listed.entry.address())
        {
            found.push(listed);
        }
    };
    for address in &plan.addresses {
        if let Some(listed) = service
            .find_listed(caller, address, with_certificates)
            .await?
        {
            add(listed, &mut found);
        }
    }
    for query in &plan.queries {
        let listing = service
            .find_in_directory(caller, query, with_certificates)
            .await?;
        truncated |= listing.truncated;
        for listed in listing.entries {
            add(listed, &mut found);
        }
    }
    Ok((found, truncated))
}

/// Whether the attributes asked for include the certificate: named, or all user
/// attributes (none listed, or `*`).
fn wants_certificates(attrs: &[String]) -> bool {
    attrs.is_empty()
        || attrs
            .iter()
            .any(|a| a == "*" || entries::canonical(a) == Some(CERTIFICATE))
}

/// The entry with the attributes asked for (RFC 4511 §4.5.1.8): all user attributes
/// for none or `*`, none for `1.1`, names only with `types_only`.
pub(crate) fn select(entry: Entry, attrs: &[String], types_only: bool) -> LdapSearchResultEntry {
    let all = attrs.is_empty() || attrs.iter().any(|a| a == "*");
    let asked: Vec<&str> = attrs.iter().filter_map(|a| entries::canonical(a)).collect();
    let attributes = entry
        .attributes
        .into_iter()
        .filter(|(name, _)| all || asked.contains(name))
        .map(|(name, values)| LdapPartialAttribute {
            atype: name.to_owned(),
            vals: if types_only { Vec::new() } else { values },
        })
        .collect();
    LdapSearchResultEntry {
        dn: entry.dn,
        attributes,
    }
}
