//! The MSSanté `X-MSS-INS` header: the INS of the patient a message concerns, as the
//! sender's software states it. Read on every message (it names a concerned patient,
//! like an IHE XDM attachment: opposition, access log) and written on submitted ones
//! whose patient is known, so that the receiving software can file the message.
//!
//! A value is one INS or several separated by commas, each bare (`295109912611193`,
//! spaces allowed) or in the HL7 CX form of XDM metadata
//! (`295109912611193^^^&1.2.250.1.213.1.4.8&ISO`), whose authority must be the INS one.

use crate::Ins;

/// The header's name.
pub const HEADER: &str = "X-MSS-INS";

/// The OID of the INS assigning authority.
pub const INS_OID: &str = "1.2.250.1.213.1.4.8";

/// The INS a header value names, or why it names none validly.
pub fn parse_ins_header(value: &str) -> Result<Vec<Ins>, String> {
    let mut found = Vec::new();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (id, authority) = match item.split_once('^') {
            Some((id, rest)) => (id, Some(rest)),
            None => (item, None),
        };
        if let Some(rest) = authority {
            let oid = rest.trim_start_matches('^').trim_start_matches('&');
            let oid = oid.split('&').next().unwrap_or_default();
            if oid != INS_OID {
                return Err(format!(
                    "the {HEADER} header names an identifier of authority {oid:?}, not the INS"
                ));
            }
        }
        let ins = Ins::parse(id)
            .map_err(|e| format!("the {HEADER} header does not hold a valid INS ({e})"))?;
        found.push(ins);
    }
    if found.is_empty() {
        return Err(format!("the {HEADER} header is empty"));
    }
    Ok(found)
}

/// The header line stating `ins` (CRLF-terminated), as written on submitted messages.
pub fn ins_header_line(ins: &[&Ins]) -> String {
    let list: Vec<&str> = ins.iter().map(|i| i.expose()).collect();
    format!("{HEADER}: {}\r\n", list.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INS: &str = "295109912611193";

    #[test]
    fn ms9_bare_and_cx_forms_are_read() {
        for value in [
            INS,
            " 2 95 10 99 126 111 93 ",
            "295109912611193^^^&1.2.250.1.213.1.4.8&ISO",
        ] {
            let found = parse_ins_header(value).unwrap();
            assert_eq!(found.len(), 1, "{value}");
            assert_eq!(found[0].expose(), INS);
        }
        let two = parse_ins_header(&format!("{INS}, 185057800608491")).unwrap();
        assert_eq!(two.len(), 2);
    }

    #[test]
    fn ms9_a_wrong_key_another_authority_or_nothing_is_refused() {
        assert!(
            parse_ins_header("295109912611194")
                .unwrap_err()
                .contains("valid INS")
        );
        let other = parse_ins_header("295109912611193^^^&1.2.250.1.71.4.2.1&ISO");
        assert!(other.unwrap_err().contains("not the INS"));
        assert!(parse_ins_header(" , ").unwrap_err().contains("empty"));
        assert!(parse_ins_header(&format!("{INS}, 12")).is_err());
    }

    #[test]
    fn ms9_the_written_line_reads_back() {
        let a = Ins::parse(INS).unwrap();
        let b = Ins::parse("185057800608491").unwrap();
        let line = ins_header_line(&[&a, &b]);
        assert_eq!(line, format!("X-MSS-INS: {INS}, 185057800608491\r\n"));
        let value = line.trim_end().strip_prefix("X-MSS-INS: ").unwrap();
        assert_eq!(parse_ins_header(value).unwrap().len(), 2);
    }
}
