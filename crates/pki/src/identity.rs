//! What a certificate says about its holder: names, national identifier, addresses.

use x509_parser::asn1_rs::Tag;
use x509_parser::extensions::GeneralName;
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use crate::PkiError;
use crate::dn::{self, Attribute};

/// Dotted OID of the X.520 `serialNumber` attribute, which holds the national identifier
/// (for example `8` followed by the RPPS number) in CPS-like certificates.
const OID_SERIAL_NUMBER: &str = "2.5.4.5";
/// Dotted OID of the X.520 `commonName` attribute.
const OID_COMMON_NAME: &str = "2.5.4.3";
/// Dotted OID of the X.520 `surname` attribute (a CPS card's family name).
const OID_SURNAME: &str = "2.5.4.4";
/// Dotted OID of the X.520 `givenName` attribute (a CPS card's given name).
const OID_GIVEN_NAME: &str = "2.5.4.42";

/// What a (client) certificate says about its holder, as parsed with x509-parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertIdentity {
    /// Subject DN, normalized with [`normalize_dn`](crate::normalize_dn) (RFC 4514 order).
    pub subject_dn: String,
    /// Issuer DN, normalized the same way; equals the issuing CA's `subject_dn`.
    pub issuer_dn: String,
    /// The subject's `serialNumber` attribute (OID 2.5.4.5): the national identifier, as written.
    pub serial_number: Option<String>,
    /// The subject's common name, as written (not lowercased).
    pub common_name: Option<String>,
    /// The subject's `surname` attribute (OID 2.5.4.4), as written.
    pub family_name: Option<String>,
    /// The subject's `givenName` attribute (OID 2.5.4.42), as written.
    pub given_name: Option<String>,
    /// rfc822Name subject alternative names (e-mail addresses), as written.
    pub emails: Vec<String>,
    /// dNSName subject alternative names, as written.
    pub dns_names: Vec<String>,
}

impl CertIdentity {
    /// Parses a DER-encoded X.509 certificate.
    ///
    /// Only reads it: the caller is responsible for having verified the certificate
    /// (rustls does so before exposing peer certificates).
    pub fn from_der(der: &[u8]) -> Result<CertIdentity, PkiError> {
        let bad = |reason: String| PkiError::Certificate {
            origin: "(DER input)".to_owned(),
            reason,
        };
        let (_, cert) = x509_parser::parse_x509_certificate(der)
            .map_err(|e| bad(format!("cannot parse X.509: {e}")))?;
        let subject = cert.subject();
        let first = |oid: &str| {
            subject
                .iter_attributes()
                .find(|a| a.attr_type().to_id_string() == oid)
                .map(attribute_value)
        };
        let mut emails = Vec::new();
        let mut dns_names = Vec::new();
        let san = cert
            .subject_alternative_name()
            .map_err(|e| bad(format!("bad subjectAltName extension: {e}")))?;
        for name in san.iter().flat_map(|ext| ext.value.general_names.iter()) {
            match name {
                GeneralName::RFC822Name(email) => emails.push((*email).to_owned()),
                GeneralName::DNSName(dns) => dns_names.push((*dns).to_owned()),
                _ => {}
            }
        }
        Ok(CertIdentity {
            subject_dn: name_to_dn(subject),
            issuer_dn: name_to_dn(cert.issuer()),
            serial_number: first(OID_SERIAL_NUMBER),
            common_name: first(OID_COMMON_NAME),
            family_name: first(OID_SURNAME),
            given_name: first(OID_GIVEN_NAME),
            emails,
            dns_names,
        })
    }
}

/// The normalized RFC 4514 string of an X.509 name (RDNs in reverse encoding order).
pub(crate) fn name_to_dn(name: &X509Name<'_>) -> String {
    let mut rdns: Vec<Vec<Attribute>> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|a| (a.attr_type().to_id_string(), attribute_value(a)))
                .collect()
        })
        .collect();
    rdns.reverse();
    dn::render(rdns)
}

/// The text of an attribute value, whatever its ASN.1 string type; values that are not
/// strings are given as `#` followed by the hexadecimal of their content.
fn attribute_value(attr: &AttributeTypeAndValue<'_>) -> String {
    if let Ok(s) = attr.as_str() {
        return s.to_owned();
    }
    let any = attr.attr_value();
    let data = any.data;
    match any.tag() {
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Tag::UniversalString => data
            .chunks(4)
            .map(|c| {
                let mut b = [0u8; 4];
                b[..c.len()].copy_from_slice(c);
                char::from_u32(u32::from_be_bytes(b)).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
        // T.61 in practice carries Latin-1.
        Tag::T61String => data.iter().map(|&b| char::from(b)).collect(),
        _ => {
            let hex: String = data.iter().map(|b| format!("{b:02x}")).collect();
            format!("#{hex}")
        }
    }
}
