//! The requirement document's ids and titles, and the ids a test's name cites.

/// One requirement of the document: `- **MS-13** Attachments are scanned …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The id as written, e.g. `MS-13`.
    pub id: String,
    /// The first sentence of its text, on one line, without the trailing source
    /// reference (`(004 §5.2)`).
    pub title: String,
}

/// Reads the `- **ID-1** …` items of a requirement document, in document order.
///
/// An item runs on over the indented lines that follow it; its title is its first
/// sentence (up to the first `. ` outside parentheses). Lines that are not
/// such items (headings, tables, prose) are skipped.
pub fn parse(document: &str) -> Vec<Requirement> {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut open = false;
    for line in document.lines() {
        if let Some((id, text)) = item(line) {
            found.push((id.to_owned(), text.trim().to_owned()));
            open = true;
        } else if open && line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            let (_, text) = found.last_mut().expect("an open item");
            text.push(' ');
            text.push_str(line.trim());
        } else {
            open = false;
        }
    }
    found
        .into_iter()
        .map(|(id, text)| Requirement {
            title: first_sentence(&text),
            id,
        })
        .collect()
}

/// `- **AB-12** rest` → (`AB-12`, `rest`).
fn item(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("- **")?;
    let (id, text) = rest.split_once("**")?;
    let (family, number) = id.split_once('-')?;
    let valid = !family.is_empty()
        && family.bytes().all(|b| b.is_ascii_uppercase())
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit());
    valid.then_some((id, text))
}

/// The text up to its first `. ` at parenthesis depth 0, without a trailing
/// `(source reference)` or full stop.
fn first_sentence(text: &str) -> String {
    let mut depth = 0usize;
    let mut end = text.len();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b'.' if depth == 0 && bytes.get(i + 1).is_none_or(|&n| n == b' ') => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let mut sentence = text[..end].trim_end();
    // A sentence ending on its source, "… in it. (004 §6.1)": drop the reference.
    if sentence.ends_with(')')
        && let Some(open) = sentence.rfind(" (")
        && sentence[open + 2..].starts_with(|c: char| c.is_ascii_digit())
    {
        sentence = sentence[..open].trim_end();
    }
    sentence.trim_end_matches('.').to_owned()
}

/// The requirement ids a test's name cites, in the order they appear.
///
/// Only the final path segment counts (`ingest::bounded::tests::ms13_…` → `MS-13`).
/// An id is a family of `families` in lower case immediately followed by its number,
/// at the start of the segment or after an underscore, and followed by an underscore
/// or the end: `ms9_ms10_opposed` → `MS-9`, `MS-10`; `refused_ms9` → `MS-9`;
/// `rfc9051_fetch` → nothing (`RFC` is not a family); `ms13x` → nothing.
pub fn ids_in_test_name(name: &str, families: &[String]) -> Vec<String> {
    let segment = name.rsplit("::").next().unwrap_or(name);
    let mut ids = Vec::new();
    for word in segment.split('_') {
        let digits = word.trim_start_matches(|c: char| c.is_ascii_lowercase());
        let letters = &word[..word.len() - digits.len()];
        if letters.is_empty() || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if digits.starts_with('0') {
            continue;
        }
        if let Some(family) = families.iter().find(|f| f.eq_ignore_ascii_case(letters)) {
            let id = format!("{family}-{digits}");
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// The families of a list of requirements (`ID`, `AU`, `MS` …), each once.
pub fn families(requirements: &[Requirement]) -> Vec<String> {
    let mut families: Vec<String> = Vec::new();
    for r in requirements {
        let family = r.id.split_once('-').map_or(r.id.as_str(), |(f, _)| f);
        if !families.iter().any(|f| f == family) {
            families.push(family.to_owned());
        }
    }
    families
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = "\
# Caduceus — requirements

Every requirement below has an id (for example `ms9_opposed`).

## ID — identity
- **ID-1** Every end user is identified in a national registry (RPPS, ADELI, FINESS, SIRENE)
  or in the local registry. Identifiers are validated. (000 art.1, 7-1)
- **ID-5** Patient mailboxes: the address is the patient's INS (NIR/NIA, 13 digits + 2-digit key) is validated. (004 §7.3; 003)

## MS — messaging
- **MS-7** New-message notification to the user's ordinary (non-secure) address, with no
  health content in it. (004 §6.1)
- **TR-1** Every use is traced (authentication, reading) with the physical person; traces are
  tamper-evident.
- **not-an-id** ignored
- **MS-x** ignored too
";

    #[test]
    fn requirement_items_are_read_with_their_first_sentence() {
        let found = parse(DOCUMENT);
        let ids: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["ID-1", "ID-5", "MS-7", "TR-1"]);
        assert_eq!(
            found[0].title,
            "Every end user is identified in a national registry (RPPS, ADELI, FINESS, SIRENE) \
             or in the local registry"
        );
        assert_eq!(
            found[1].title,
            "Patient mailboxes: the address is the patient's INS (NIR/NIA, 13 digits + 2-digit \
             key) is validated"
        );
        assert_eq!(
            found[2].title,
            "New-message notification to the user's ordinary (non-secure) address, with no \
             health content in it"
        );
        assert_eq!(
            found[3].title,
            "Every use is traced (authentication, reading) with the physical person; traces \
             are tamper-evident"
        );
    }

    #[test]
    fn test_names_cite_ids_at_the_start_or_after_an_underscore() {
        let families = families(&parse(DOCUMENT));
        assert_eq!(families, ["ID", "MS", "TR"]);
        let ids = |name: &str| ids_in_test_name(name, &families);
        assert_eq!(
            ids("ingest::bounded::tests::ms13_nesting_is_refused"),
            ["MS-13"]
        );
        assert_eq!(ids("ms9_ms10_opposed_and_blocked"), ["MS-9", "MS-10"]);
        assert_eq!(ids("tr1_every_read_is_traced"), ["TR-1"]);
        assert_eq!(ids("id2_accounts_wait_for_verification"), ["ID-2"]);
        assert_eq!(ids("refuses_an_opposed_patient_ms9"), ["MS-9"]);
        assert_eq!(ids("ms4_seal_then_ms4_open"), ["MS-4"]);
        assert!(ids("rfc9051_fetch_body").is_empty());
        assert!(ids("au1_totp").is_empty(), "AU is not a family here");
        assert!(ids("ms13x_almost").is_empty());
        assert!(ids("ms_13_spaced").is_empty());
        assert!(ids("ms013_leading_zero").is_empty());
        assert!(ids("MS13_upper_case").is_empty());
        assert!(
            ids("tr1_module::plain_name").is_empty(),
            "only the last segment"
        );
    }
}
