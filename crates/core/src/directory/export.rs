//! The operator's own mailboxes written as an `Extraction_Correspondance_MSSante`
//! extract (ID-4; seed 004 §7.4: creating a mailbox registers it in the national
//! directory): one line per mailbox in [`MAILBOX_COLUMNS`]' order, the
//! liste rouge honoured (`Liste rouge` = `O`), for the operator to send to the national
//! directory. The extract reads back through [`MailboxHeader`](super::MailboxHeader),
//! so re-importing the national file reconciles.

use super::MailboxEntry;
use super::synthetic::{MAILBOX_COLUMNS, header, record};
use crate::ident::Registry;

/// The extract of `entries`, header first, each line ending in `|` as the national
/// files do; `updated` is the `Date MAJ` of every line (`YYYY-MM-DD`).
pub fn mailbox_extract(entries: &[MailboxEntry], updated: &str) -> String {
    let mut text = header(MAILBOX_COLUMNS);
    text.push('\n');
    for entry in entries {
        text.push_str(&line(entry, updated));
        text.push('\n');
    }
    text
}

/// One mailbox's line.
fn line(entry: &MailboxEntry, updated: &str) -> String {
    let person = entry.person.as_ref().map(ToString::to_string);
    let person_kind = match entry.person.as_ref().map(|p| p.registry()) {
        Some(Registry::Rpps) => "8",
        Some(Registry::Adeli) => "0",
        _ => "",
    };
    let person_number = person.as_deref().map_or("", |p| &p[1..]);
    let structure = entry.structure.as_ref();
    let structure_id = structure.map(|s| s.national_form().unwrap_or_else(|| s.value().to_owned()));
    let coded = |c: &Option<super::values::Coded>| {
        c.as_ref().map_or((String::new(), String::new()), |c| {
            (c.code.clone(), c.label.clone())
        })
    };
    let (profession_code, profession_label) = coded(&entry.profession);
    let (specialty_code, specialty_label) = coded(&entry.specialty);
    let postal = entry.postal_code.clone().unwrap_or_default();
    let delivery = match (&entry.postal_code, &entry.commune) {
        (Some(postal), Some(commune)) => format!("{postal} {commune}"),
        _ => String::new(),
    };
    let department = postal.get(..2).unwrap_or_default().to_owned();
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let fields: [String; 34] = [
        entry.kind.code().to_owned(),
        entry.address.as_str().to_owned(),
        person_kind.to_owned(),
        person_number.to_owned(),
        person.clone().unwrap_or_default(),
        structure.map_or("", |s| s.kind_code()).to_owned(),
        structure_id.unwrap_or_default(),
        text(&entry.service),
        String::new(),
        text(&entry.family_name),
        text(&entry.given_name),
        String::new(),
        String::new(),
        profession_code,
        profession_label,
        specialty_code,
        specialty_label,
        String::new(),
        text(&entry.organisation_name),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        delivery,
        postal,
        department,
        String::new(),
        String::new(),
        updated.to_owned(),
        if entry.liste_rouge { "O" } else { "N" }.to_owned(),
    ];
    // No field may carry the separator or a line break.
    let clean: Vec<String> = fields
        .iter()
        .map(|f| f.replace(['|', '\r', '\n'], " "))
        .collect();
    record(&clean.iter().map(String::as_str).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{MailboxHeader, read_extract, synthetic};

    #[test]
    fn id4_the_operators_extract_reads_back_as_it_was_written() {
        let read = |text: &str| -> Vec<MailboxEntry> {
            read_extract::<MailboxHeader>(text)
                .unwrap()
                .map(|line| line.unwrap())
                .collect()
        };
        let original = synthetic::demo_mailbox_extract();
        let mut entries: Vec<MailboxEntry> = read(&original).into_iter().take(40).collect();
        entries[0].liste_rouge = true;
        let written = mailbox_extract(&entries, "2026-12-06");
        assert_eq!(read(&written), entries);
        assert!(written.lines().nth(1).unwrap().ends_with("|2026-12-06|O|"));
    }
}
