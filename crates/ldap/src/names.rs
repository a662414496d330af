//! The directory's names (RFC 4514 distinguished names) for an operator's domain.
//!
//! The tree is flat and fixed:
//!
//! ```text
//! dc=caduceus,dc=test                                  the naming context (rootDSE)
//! └─ ou=directory,dc=caduceus,dc=test                  the base DN clients configure
//!    └─ mail=alice.martin@caduceus.test,ou=directory,… one entry per listed mailbox
//! ```
//!
//! Entries are named by their address, the one key a mail client already holds; the
//! same DN, or the bare address, is the bind DN of the mailbox's owner.

use caduceus_core::{Domain, MailAddress};

/// The names of one operator's directory.
#[derive(Clone, Debug)]
pub struct Names {
    /// `dc=…,dc=…`, from the domain's labels.
    suffix: String,
    /// `ou=directory,` + the suffix.
    base: String,
}

/// What a DN names in the tree.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// The empty DN: the root DSE (RFC 4512 §5.1).
    Root,
    /// The naming context, `dc=…`.
    Suffix,
    /// The directory's container, `ou=directory,dc=…`.
    Base,
    /// One mailbox, `mail=<address>,ou=directory,dc=…`.
    Entry(MailAddress),
    /// Nothing here; for a DN under the suffix, the suffix is its matched DN.
    Unknown {
        /// Whether the DN lies under the naming context.
        under_suffix: bool,
    },
}

impl Names {
    /// The names of `domain`'s directory.
    pub fn new(domain: &Domain) -> Self {
        let suffix = domain
            .as_str()
            .split('.')
            .map(|label| format!("dc={label}"))
            .collect::<Vec<_>>()
            .join(",");
        let base = format!("ou=directory,{suffix}");
        Self { suffix, base }
    }

    /// The naming context, `dc=caduceus,dc=test`.
    pub fn suffix(&self) -> &str {
        &self.suffix
    }

    /// The base DN clients are given, `ou=directory,dc=caduceus,dc=test`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The DN of a mailbox's entry.
    pub fn entry(&self, address: &MailAddress) -> String {
        format!("mail={},{}", escape(address.as_str()), self.base)
    }

    /// What `dn` names (compared without case or spaces around separators).
    pub fn target(&self, dn: &str) -> Target {
        let rdns = split(dn);
        if rdns.is_empty() {
            return Target::Root;
        }
        let suffix = split(&self.suffix);
        let Some(inner) = rdns.len().checked_sub(suffix.len()) else {
            return Target::Unknown {
                under_suffix: false,
            };
        };
        if rdns[inner..] != suffix[..] {
            return Target::Unknown {
                under_suffix: false,
            };
        }
        match &rdns[..inner] {
            [] => Target::Suffix,
            [ou] if ou == &("ou".to_owned(), "directory".to_owned()) => Target::Base,
            [(attribute, value), ou]
                if attribute == "mail" && ou == &("ou".to_owned(), "directory".to_owned()) =>
            {
                match MailAddress::parse(value) {
                    Ok(address) => Target::Entry(address),
                    Err(_) => Target::Unknown { under_suffix: true },
                }
            }
            _ => Target::Unknown { under_suffix: true },
        }
    }
}

/// The user name in a bind DN: the address of `mail=<address>,…` or `uid=<address>,…`
/// (any suffix: clients are configured by hand), or the DN itself (a bare address,
/// or anything else, which the login then refuses and counts).
pub fn bind_user(dn: &str) -> String {
    match split(dn).first() {
        Some((attribute, value)) if matches!(attribute.as_str(), "mail" | "uid" | "cn") => {
            value.clone()
        }
        _ => dn.trim().to_owned(),
    }
}

/// The RDNs of a DN, attribute lower-cased, value unescaped and lower-cased (the
/// directory's names are case-insensitive: domains, addresses).
fn split(dn: &str) -> Vec<(String, String)> {
    let mut rdns = Vec::new();
    let mut current = String::new();
    let mut chars = dn.chars();
    let push = |text: &str, rdns: &mut Vec<(String, String)>| {
        if let Some((attribute, value)) = text.split_once('=') {
            rdns.push((
                attribute.trim().to_ascii_lowercase(),
                value.trim().to_lowercase(),
            ));
        } else if !text.trim().is_empty() {
            rdns.push((text.trim().to_ascii_lowercase(), String::new()));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                // A `\` before a special character keeps it; `\XX` is a hex byte:
                // addresses are ASCII, so one byte is one character.
                let Some(next) = chars.next() else { break };
                if next.is_ascii_hexdigit() {
                    let low = chars.next().unwrap_or('0');
                    let byte = u8::from_str_radix(&format!("{next}{low}"), 16).unwrap_or(b'?');
                    current.push(char::from(byte));
                } else {
                    current.push(next);
                }
            }
            ',' | ';' => {
                push(&current, &mut rdns);
                current.clear();
            }
            other => current.push(other),
        }
    }
    push(&current, &mut rdns);
    rdns
}

/// An attribute value escaped for a DN (RFC 4514 §2.4).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (index, c) in value.chars().enumerate() {
        let leading = index == 0 && matches!(c, ' ' | '#');
        if leading || matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    if out.ends_with(' ') {
        out.insert(out.len() - 1, '\\');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new(&Domain::parse("caduceus.test").unwrap())
    }

    #[test]
    fn id4_the_tree_is_named_after_the_domain() {
        let names = names();
        assert_eq!(names.suffix(), "dc=caduceus,dc=test");
        assert_eq!(names.base(), "ou=directory,dc=caduceus,dc=test");
        let alice = MailAddress::parse("alice.martin@caduceus.test").unwrap();
        assert_eq!(
            names.entry(&alice),
            "mail=alice.martin@caduceus.test,ou=directory,dc=caduceus,dc=test"
        );
        assert_eq!(names.target(""), Target::Root);
        assert_eq!(names.target("DC=Caduceus, DC=test"), Target::Suffix);
        assert_eq!(
            names.target("ou=directory,dc=caduceus,dc=test"),
            Target::Base
        );
        assert_eq!(names.target(&names.entry(&alice)), Target::Entry(alice));
        assert_eq!(
            names.target("ou=people,dc=caduceus,dc=test"),
            Target::Unknown { under_suffix: true }
        );
        assert_eq!(
            names.target("dc=example,dc=org"),
            Target::Unknown {
                under_suffix: false
            }
        );
    }

    #[test]
    fn id4_special_characters_round_trip() {
        let names = names();
        let plus = MailAddress::parse("a+b=c@caduceus.test").unwrap();
        let dn = names.entry(&plus);
        assert_eq!(
            dn,
            "mail=a\\+b\\=c@caduceus.test,ou=directory,dc=caduceus,dc=test"
        );
        assert_eq!(names.target(&dn), Target::Entry(plus));
        assert_eq!(
            names.target("mail=a\\2Bb\\3Dc@caduceus.test,ou=directory,dc=caduceus,dc=test"),
            Target::Entry(MailAddress::parse("a+b=c@caduceus.test").unwrap())
        );
    }

    #[test]
    fn au2_bind_names_are_an_address_or_a_dn_holding_one() {
        assert_eq!(bind_user("alice@caduceus.test"), "alice@caduceus.test");
        assert_eq!(
            bind_user("mail=Alice@caduceus.test,ou=directory,dc=caduceus,dc=test"),
            "alice@caduceus.test"
        );
        assert_eq!(
            bind_user("uid=alice@caduceus.test,dc=x"),
            "alice@caduceus.test"
        );
        assert_eq!(bind_user("o=nobody"), "o=nobody");
    }
}
