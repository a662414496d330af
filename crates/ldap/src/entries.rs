//! The entries the directory shows, as LDAP attributes: each listed mailbox as an
//! `inetOrgPerson` (RFC 2798), the root DSE, the naming context and the container.
//!
//! | attribute | from the directory entry |
//! |---|---|
//! | `cn`, `displayName` | the name shown |
//! | `sn`, `givenName` | family and given names (`sn` is the name shown when the mailbox is no person's) |
//! | `mail` | the address |
//! | `o`, `ou` | the place of practice (site), the service |
//! | `title`, `businessCategory` | profession, specialty (labels) |
//! | `l`, `postalCode` | commune, postal code |
//! | `telephoneNumber` | the practice phone, only when its holder agreed (ID-4) |
//! | `employeeNumber` | the national identifier (RPPS, ADELI with its prefix) |
//! | `userCertificate;binary` | the mailbox's certificates (DER), when served |

use caduceus_service::address_book::Listed;

use crate::names::Names;

/// The StartTLS extended operation (RFC 4511 §4.14).
pub const START_TLS: &str = "1.3.6.1.4.1.1466.20037";

/// The certificate attribute, in the form it is transferred (RFC 4523 §2).
pub const CERTIFICATE: &str = "userCertificate;binary";

/// An entry to return: its DN and attributes, values as bytes.
#[derive(Debug)]
pub struct Entry {
    /// The distinguished name.
    pub dn: String,
    /// Attribute name (canonical spelling) and values.
    pub attributes: Vec<(&'static str, Vec<Vec<u8>>)>,
}

impl Entry {
    fn new(dn: String) -> Self {
        Self {
            dn,
            attributes: Vec::new(),
        }
    }

    /// Adds an attribute with text values; none when there is no value.
    fn text<'a>(mut self, name: &'static str, values: impl IntoIterator<Item = &'a str>) -> Self {
        let values: Vec<Vec<u8>> = values
            .into_iter()
            .filter(|v| !v.is_empty())
            .map(|v| v.as_bytes().to_vec())
            .collect();
        if !values.is_empty() {
            self.attributes.push((name, values));
        }
        self
    }

    /// The values of an attribute, by its canonical name.
    pub fn values(&self, canonical: &str) -> Option<&[Vec<u8>]> {
        self.attributes
            .iter()
            .find(|(name, _)| *name == canonical)
            .map(|(_, values)| values.as_slice())
    }
}

/// The canonical spelling of an attribute a client names, with its usual aliases;
/// `None` for an attribute the directory does not have.
pub fn canonical(name: &str) -> Option<&'static str> {
    let lower = name.trim().to_ascii_lowercase();
    Some(match lower.as_str() {
        "objectclass" => "objectClass",
        "cn" | "commonname" => "cn",
        "displayname" => "displayName",
        "sn" | "surname" => "sn",
        "givenname" | "gn" => "givenName",
        "mail" | "rfc822mailbox" | "email" | "emailaddress" => "mail",
        "o" | "organizationname" => "o",
        "ou" | "organizationalunitname" => "ou",
        "title" => "title",
        "businesscategory" => "businessCategory",
        "l" | "localityname" => "l",
        "postalcode" => "postalCode",
        "telephonenumber" => "telephoneNumber",
        "employeenumber" => "employeeNumber",
        "usercertificate" | "usercertificate;binary" => CERTIFICATE,
        "namingcontexts" => "namingContexts",
        "supportedldapversion" => "supportedLDAPVersion",
        "supportedextension" => "supportedExtension",
        "vendorname" => "vendorName",
        "dc" => "dc",
        _ => return None,
    })
}

/// A listed mailbox as an `inetOrgPerson`.
pub fn mailbox(names: &Names, listed: &Listed) -> Entry {
    let entry = &listed.entry;
    let national_id = entry.national_id().map(ToString::to_string);
    let family = entry.family_name().unwrap_or(entry.display_name());
    let mut out = Entry::new(names.entry(entry.address()))
        .text(
            "objectClass",
            ["top", "person", "organizationalPerson", "inetOrgPerson"],
        )
        .text("cn", [entry.display_name()])
        .text("displayName", [entry.display_name()])
        .text("sn", [family])
        .text("givenName", entry.given_name())
        .text("mail", [entry.address().as_str()])
        .text("o", entry.site_name())
        .text("ou", entry.service())
        .text("title", entry.profession().map(|c| c.label.as_str()))
        .text(
            "businessCategory",
            entry.specialty().map(|c| c.label.as_str()),
        )
        .text("l", entry.commune())
        .text("postalCode", entry.postal_code())
        .text("telephoneNumber", entry.phone())
        .text("employeeNumber", national_id.as_deref());
    if !listed.certificates.is_empty() {
        out.attributes
            .push((CERTIFICATE, listed.certificates.clone()));
    }
    out
}

/// The root DSE (RFC 4512 §5.1): what a client reads before it binds to learn the
/// naming context and that StartTLS is offered. It names no one.
pub fn root_dse(names: &Names) -> Entry {
    Entry::new(String::new())
        .text("objectClass", ["top"])
        .text("namingContexts", [names.suffix()])
        .text("supportedLDAPVersion", ["3"])
        .text("supportedExtension", [START_TLS])
        .text("vendorName", ["Caduceus"])
}

/// The naming context's entry.
pub fn suffix(names: &Names) -> Entry {
    let first = names
        .suffix()
        .split(',')
        .next()
        .and_then(|rdn| rdn.strip_prefix("dc="))
        .unwrap_or_default()
        .to_owned();
    Entry::new(names.suffix().to_owned())
        .text("objectClass", ["top", "dcObject", "organization"])
        .text("dc", [first.as_str()])
        .text("o", [first.as_str()])
}

/// The container of the mailboxes, the base DN clients search.
pub fn base(names: &Names) -> Entry {
    Entry::new(names.base().to_owned())
        .text("objectClass", ["top", "organizationalUnit"])
        .text("ou", ["directory"])
}
