//! Distinguished-name normalization, so that a certificate's subject or issuer can be compared
//! with entries of a trust list however those were written.
//!
//! # The rule implemented by [`normalize_dn`]
//!
//! 1. Surrounding whitespace is ignored; an empty string gives `""`.
//! 2. **Form and order.** If the string starts with `/` it is the OpenSSL "oneline" form
//!    (`/C=FR/O=ASIP/CN=x`): RDNs are separated by `/` and listed from the top of the tree
//!    (certificate encoding order), so their order is **reversed**. Otherwise the string is
//!    RFC 4514 form (`CN=x,O=ASIP,C=FR`): RDNs are separated by `,` and their order is **kept**.
//!    Both examples thus normalize to `CN=x,O=asip,C=fr`.
//! 3. A multi-valued RDN uses `+` between its attributes (`CN=a+UID=b`); its attributes are
//!    sorted, since an RDN is a set.
//! 4. Each attribute is `type=value`, split at the first `=`; spaces around the type, the `=`
//!    and the value (hence around every separator) are removed. Empty RDNs are dropped.
//! 5. **Types** are uppercased, and well-known aliases and dotted OIDs are mapped to one name:
//!    `CN`, `C`, `O`, `OU`, `L`, `ST`, `STREET`, `DC`, `UID`, `SERIALNUMBER` (2.5.4.5),
//!    `GIVENNAME` (also `GN`, `G`), `SN` (surname, also `SURNAME`), `TITLE` (also `T`),
//!    `EMAILADDRESS` (also `E`, `EMAIL`). `OID.` prefixes are dropped; other dotted OIDs stay
//!    as they are.
//! 6. **Values**: backslash escapes are decoded (`\,` and hexadecimal pairs such as `\2C`),
//!    runs of inner whitespace become one space, and the value is lowercased, so that values
//!    compare case-insensitively. On output `\`, `,`, `+`, `"`, `;`, `<`, `>` are escaped
//!    with a backslash; a leading `#` is left as is.
//! 7. RDNs are joined with `,` and attributes of one RDN with `+`, with no spaces.
//!
//! A component without `=` is kept, trimmed and lowercased. The function is idempotent.
//! Quoted values (`CN="a,b"`) are not special: write `CN=a\,b` instead.

/// One `TYPE=value` pair, already normalized.
pub(crate) type Attribute = (String, String);

/// Normalizes a distinguished name for comparison; see the [module documentation](self)
/// for the exact rule.
///
/// ```
/// use caduceus_pki::normalize_dn;
/// assert_eq!(normalize_dn("/C=FR/O=ASIP-SANTE/CN=Jean Dupont"), "CN=jean dupont,O=asip-sante,C=fr");
/// assert_eq!(normalize_dn(" cn = Jean  Dupont , o=ASIP-SANTE ,c=FR "), "CN=jean dupont,O=asip-sante,C=fr");
/// ```
pub fn normalize_dn(dn: &str) -> String {
    let dn = dn.trim();
    let (body, separator, reverse) = match dn.strip_prefix('/') {
        Some(rest) => (rest, '/', true),
        None => (dn, ',', false),
    };
    let mut rdns: Vec<Vec<Attribute>> = split_unescaped(body, separator)
        .into_iter()
        .map(|rdn| {
            split_unescaped(rdn, '+')
                .into_iter()
                .filter(|a| !a.trim().is_empty())
                .map(parse_attribute)
                .collect::<Vec<_>>()
        })
        .filter(|rdn| !rdn.is_empty())
        .collect();
    if reverse {
        rdns.reverse();
    }
    render(rdns)
}

/// Renders RDNs (in RFC 4514 order) whose types and values are raw: types are canonicalized,
/// values cleaned, lowercased and escaped; the attributes of each RDN are sorted.
pub(crate) fn render(rdns: Vec<Vec<Attribute>>) -> String {
    rdns.into_iter()
        .map(|rdn| {
            let mut attrs: Vec<String> = rdn
                .into_iter()
                .map(|(ty, value)| {
                    let value = escape(&clean_value(&value));
                    if ty.is_empty() {
                        value
                    } else {
                        format!("{}={value}", canonical_type(&ty))
                    }
                })
                .collect();
            attrs.sort();
            attrs.join("+")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Splits `s` at each `sep` not preceded by a backslash escape (escapes are kept).
fn split_unescaped(s: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts
}

/// Splits one `type=value` component at its first unescaped `=` and decodes the value's escapes.
/// A component without `=` gets an empty type.
fn parse_attribute(component: &str) -> Attribute {
    match split_unescaped(component, '=').split_first() {
        Some((ty, rest)) if !rest.is_empty() => {
            let value = &component[ty.len() + 1..];
            (ty.trim().to_owned(), unescape(value.trim()))
        }
        _ => (String::new(), unescape(component.trim())),
    }
}

/// Decodes RFC 4514 backslash escapes: `\X` gives `X`, `\HH` gives the byte 0xHH
/// (consecutive bytes are decoded together as UTF-8).
fn unescape(value: &str) -> String {
    let mut bytes = Vec::with_capacity(value.len());
    let raw = value.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            // Both characters must be hex digits (`from_str_radix` alone would accept "+b").
            let hex = raw
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(b) => {
                    bytes.push(b);
                    i += 3;
                }
                None => {
                    // Escaped character (possibly multi-byte): copy its bytes verbatim.
                    let ch_len = value[i + 1..].chars().next().map_or(1, char::len_utf8);
                    bytes.extend_from_slice(&raw[i + 1..i + 1 + ch_len]);
                    i += 1 + ch_len;
                }
            }
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Collapses whitespace runs to one space, trims and lowercases a value.
fn clean_value(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Escapes the RFC 4514 special characters of a value (a leading `#` is left alone).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | ',' | '+' | '"' | ';' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Canonical (uppercase) name of an attribute type given by name, alias or dotted OID.
pub(crate) fn canonical_type(ty: &str) -> String {
    let upper = ty.trim().to_ascii_uppercase();
    let upper = upper.strip_prefix("OID.").unwrap_or(&upper);
    let name = match upper {
        "2.5.4.3" | "COMMONNAME" => "CN",
        "2.5.4.6" | "COUNTRYNAME" => "C",
        "2.5.4.10" | "ORGANIZATIONNAME" => "O",
        "2.5.4.11" | "ORGANIZATIONALUNITNAME" => "OU",
        "2.5.4.7" | "LOCALITYNAME" => "L",
        "2.5.4.8" | "S" | "STATEORPROVINCENAME" => "ST",
        "2.5.4.9" | "STREETADDRESS" => "STREET",
        "0.9.2342.19200300.100.1.25" | "DOMAINCOMPONENT" => "DC",
        "0.9.2342.19200300.100.1.1" | "USERID" => "UID",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.42" | "GN" | "G" => "GIVENNAME",
        "2.5.4.4" | "SURNAME" => "SN",
        "2.5.4.12" | "T" => "TITLE",
        "1.2.840.113549.1.9.1" | "E" | "EMAIL" => "EMAILADDRESS",
        other => other,
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::normalize_dn;

    #[test]
    fn rfc4514_form_keeps_order_and_trims_spaces() {
        assert_eq!(
            normalize_dn("  CN = Jean Dupont ,  O=ASIP-SANTE,C = FR "),
            "CN=jean dupont,O=asip-sante,C=fr"
        );
    }

    #[test]
    fn slash_form_is_reversed_to_rfc4514_order() {
        assert_eq!(
            normalize_dn("/C=FR/O=ASIP/CN=x"),
            normalize_dn("CN=x,O=ASIP,C=FR")
        );
        assert_eq!(normalize_dn("/C=FR/O=ASIP/CN=x"), "CN=x,O=asip,C=fr");
    }

    #[test]
    fn type_names_are_uppercased_and_aliases_unified() {
        assert_eq!(
            normalize_dn("cn=a,serialNumber=810003090833,givenName=Jean,surname=Dupont,e=j@x.fr"),
            "CN=a,SERIALNUMBER=810003090833,GIVENNAME=jean,SN=dupont,EMAILADDRESS=j@x.fr"
        );
        assert_eq!(
            normalize_dn("2.5.4.3=a,OID.2.5.4.5=8123,GN=Jean"),
            "CN=a,SERIALNUMBER=8123,GIVENNAME=jean"
        );
        assert_eq!(normalize_dn("1.2.3.4=x"), "1.2.3.4=x");
    }

    #[test]
    fn values_compare_case_insensitively() {
        assert_eq!(
            normalize_dn("CN=MAIL.Example.ORG,O=Hôpital Général"),
            normalize_dn("cn=mail.example.org,o=HÔPITAL GÉNÉRAL")
        );
    }

    #[test]
    fn inner_whitespace_runs_collapse() {
        assert_eq!(normalize_dn("CN=Jean    Dupont"), "CN=jean dupont");
    }

    #[test]
    fn escaped_separators_stay_inside_values() {
        assert_eq!(
            normalize_dn(r"CN=Dupont\, Jean,O=X"),
            r"CN=dupont\, jean,O=x"
        );
        // Hex escapes decode to the same value.
        assert_eq!(
            normalize_dn(r"CN=Dupont\2C Jean,O=X"),
            r"CN=dupont\, jean,O=x"
        );
        // An escaped '+' followed by a hex-looking letter is not a hex escape.
        assert_eq!(normalize_dn(r"O=a\+b"), r"O=a\+b");
        // A comma inside a slash-form value is escaped in the output.
        assert_eq!(normalize_dn("/O=Foo, Inc/CN=x"), r"CN=x,O=foo\, inc");
        // An escaped slash does not split a slash-form DN.
        assert_eq!(normalize_dn(r"/O=A\/B/CN=x"), "CN=x,O=a/b");
        // A slash inside an RFC 4514 value is an ordinary character.
        assert_eq!(normalize_dn("CN=a/b,O=c"), "CN=a/b,O=c");
    }

    #[test]
    fn multi_valued_rdns_are_sorted() {
        assert_eq!(
            normalize_dn("UID=42 + CN=Jean,O=X"),
            normalize_dn("CN=jean+UID=42,O=X")
        );
        assert_eq!(normalize_dn("UID=42+CN=Jean,O=X"), "CN=jean+UID=42,O=x");
    }

    #[test]
    fn empty_parts_are_dropped() {
        assert_eq!(normalize_dn(""), "");
        assert_eq!(normalize_dn("   "), "");
        assert_eq!(normalize_dn("/C=FR//CN=x/"), "CN=x,C=fr");
        assert_eq!(normalize_dn("CN=x,,C=FR,"), "CN=x,C=fr");
    }

    #[test]
    fn value_may_contain_equals_sign() {
        assert_eq!(normalize_dn("CN=a=b"), "CN=a=b");
    }

    #[test]
    fn normalization_is_idempotent() {
        for dn in [
            "/C=FR/O=ASIP-SANTE/OU=318751275100020/CN=Jean Dupont",
            r"CN=Dupont\, Jean+UID=7,O=Foo\2BBar,C=FR",
            "cn=#0403616263",
            "garbage without equals",
        ] {
            let once = normalize_dn(dn);
            assert_eq!(normalize_dn(&once), once, "{dn}");
        }
    }
}
