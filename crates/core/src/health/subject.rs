//! Subjects are pseudonymised (MS-11): a subject that carries a patient identifier —
//! a NIR/INS-shaped number with a valid key, a Belgian NISS with a valid key — or the
//! name of the patient the message concerns is refused on submission (or flagged).
//!
//! A subject is read as a person reads it: full-width digits and
//! letters are digits and letters, every kind of space (no-break, narrow, thin,
//! figure), `_` and every dash separate groups, and invisible characters (zero-width
//! spaces and joiners, soft hyphens, byte-order marks) are not there at all.

use crate::Requirement;
use crate::directory::fold;
use crate::{Ins, Refusal};

/// What a subject was found to carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubjectFinding {
    /// A French NIR / INS (13 characters and a valid 2-digit key).
    Nir,
    /// A Belgian NISS (11 digits and a valid key).
    Niss,
    /// The name of the patient the message concerns.
    PatientName,
}

/// The patient identifiers in `subject`: numbers written with or without spaces, dots,
/// dashes or slashes between their groups, whose key is valid (a number with a wrong
/// key is not an identifier).
pub fn find_identifiers(subject: &str) -> Vec<SubjectFinding> {
    let mut found = Vec::new();
    for run in runs(&normalise(subject)) {
        let groups: Vec<&str> = run
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|g| !g.is_empty())
            .collect();
        for start in 0..groups.len() {
            let mut joined = String::new();
            for group in &groups[start..] {
                joined.push_str(group);
                match joined.len() {
                    15 if Ins::parse(&joined).is_ok() => found.push(SubjectFinding::Nir),
                    11 if niss_is_valid(&joined) => found.push(SubjectFinding::Niss),
                    n if n > 15 => break,
                    _ => {}
                }
            }
        }
    }
    found.sort_by_key(|f| *f as u8);
    found.dedup();
    found
}

/// `subject` as a reader sees it: full-width forms (U+FF01–U+FF5E) as their ASCII
/// letters, digits and signs; any white space as a space; `_`, the Unicode hyphens
/// and dashes and the minus sign as `-`; invisible format characters dropped.
fn normalise(subject: &str) -> String {
    subject
        .chars()
        .filter_map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
            '_' | '\u{2010}'..='\u{2015}' | '\u{2212}' => Some('-'),
            c if c.is_whitespace() => Some(' '),
            c => Some(c),
        })
        .collect()
}

/// Stretches of `subject` made of digits (and the `A`/`B` of a Corsican department)
/// with single separators between groups.
fn runs(subject: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut current = String::new();
    for c in subject.chars() {
        let keeps = c.is_ascii_digit()
            || matches!(c, 'a' | 'b' | 'A' | 'B')
            || matches!(c, ' ' | '.' | '-' | '/');
        if keeps {
            current.push(c);
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs.retain(|r| r.chars().any(|c| c.is_ascii_digit()));
    runs
}

/// Whether `digits` is a Belgian NISS (national register number): 11 digits whose
/// last two are 97 − (first nine mod 97), or for people born in 2000 or later
/// 97 − ((2 followed by the first nine) mod 97).
pub fn niss_is_valid(digits: &str) -> bool {
    if digits.len() != 11 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let (body, key) = digits.split_at(9);
    let (Ok(body), Ok(key)) = (body.parse::<u64>(), key.parse::<u64>()) else {
        return false;
    };
    key == 97 - body % 97 || key == 97 - (2_000_000_000 + body) % 97
}

/// Checks a subject (MS-11): no patient identifier, and none of `patient_names` (the
/// display names of the patients the message concerns) as whole words, accents and
/// case aside. Refuses naming what was found, never repeating it.
pub fn check_subject(subject: &str, patient_names: &[&str]) -> Result<(), Refusal> {
    let refuse = |what: &str| {
        Err(Refusal {
            requirement: Requirement::Ms11,
            reason: format!(
                "the subject carries {what}; subjects must not identify the patient: \
                 move it to the body (which is encrypted) and send again"
            ),
        })
    };
    let found = find_identifiers(subject);
    if found.contains(&SubjectFinding::Nir) {
        return refuse("a social security number (NIR/INS)");
    }
    if found.contains(&SubjectFinding::Niss) {
        return refuse("a national register number (NISS)");
    }
    let words = format!(" {} ", fold(&normalise(subject)));
    for name in patient_names {
        let folded = fold(name);
        let family = folded.rsplit(' ').next().unwrap_or("");
        let named = |part: &str| part.len() >= 3 && words.contains(&format!(" {part} "));
        if named(&folded) || named(family) {
            return refuse("the patient's name");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms11_nir_with_a_valid_key_is_found_however_it_is_written() {
        for subject in [
            "Bilan 295109912611193",
            "Bilan 2 95 10 99 126 111 93 urgent",
            "NIR: 2.95.10.99.126.111.93",
            "Corse 2 53 07 2B 073 004 70",
            "2-95-10-99-126-111-93/suite",
        ] {
            assert_eq!(
                find_identifiers(subject),
                [SubjectFinding::Nir],
                "{subject}"
            );
            assert_eq!(
                check_subject(subject, &[]).unwrap_err().requirement,
                "MS-11"
            );
        }
    }

    #[test]
    fn ms11_identifiers_hidden_by_unicode_spacing_or_full_width_digits_are_found() {
        for subject in [
            "Bilan 2\u{a0}95\u{a0}10\u{a0}99\u{a0}126\u{a0}111\u{a0}93",
            "Bilan 2\u{202f}95\u{202f}10 99\u{2009}126 111 93",
            "Bilan 2_95_10_99_126_111_93",
            "Bilan ２９５１０９９１２６１１１９３",
            "Bilan 2951\u{200b}0991\u{ad}2611\u{2060}193",
            "Bilan 2\u{2013}95\u{2013}10\u{2013}99\u{2013}126\u{2013}111\u{2013}93",
        ] {
            assert_eq!(
                find_identifiers(subject),
                [SubjectFinding::Nir],
                "{subject:?}"
            );
        }
        let names = ["Camille Lefèvre"];
        assert!(check_subject("Bilan ＬＥＦＥＶＲＥ", &names).is_err());
        assert!(check_subject("Bilan LEF\u{200b}EVRE", &names).is_err());
        assert!(check_subject("Bilan_LEFEVRE_suite", &names).is_err());
    }

    #[test]
    fn ms11_a_wrong_key_or_other_numbers_pass() {
        for subject in [
            "Bilan 295109912611194",
            "RDV 12/03/2026 à 10h30",
            "Tel 06 12 34 56 78",
            "Dossier 123456789012345",
            "Compte rendu",
            "",
        ] {
            assert!(find_identifiers(subject).is_empty(), "{subject}");
            assert_eq!(check_subject(subject, &[]), Ok(()), "{subject}");
        }
    }

    #[test]
    fn ms11_belgian_niss_both_centuries() {
        // Born 1985-07-30, serial 033: key 97 - (850730033 mod 97).
        let body = 850_730_033u64;
        let old = format!("{body:09}{:02}", 97 - body % 97);
        assert!(niss_is_valid(&old));
        // Born 2001-02-03, serial 045: the 2000+ key.
        let young_body = 10_203_045u64;
        let young = format!(
            "{young_body:09}{:02}",
            97 - (2_000_000_000 + young_body) % 97
        );
        assert!(niss_is_valid(&young));
        let wrong = format!("{body:09}{:02}", (97 - body % 97) % 97 + 1);
        assert!(!niss_is_valid(&wrong));
        assert!(!niss_is_valid("8507300331"));
        assert!(!niss_is_valid("8507300331x"));
        let dotted = format!(
            "{}.{}.{}-{}.{}",
            &old[..2],
            &old[2..4],
            &old[4..6],
            &old[6..9],
            &old[9..]
        );
        assert_eq!(
            find_identifiers(&format!("Suivi {dotted}")),
            [SubjectFinding::Niss]
        );
        assert!(
            check_subject(&format!("Suivi {dotted}"), &[])
                .unwrap_err()
                .reason
                .contains("NISS")
        );
    }

    #[test]
    fn ms11_the_patients_name_is_refused_as_a_whole_word() {
        let names = ["Camille Lefèvre"];
        assert!(check_subject("Bilan Mme LEFEVRE", &names).is_err());
        assert!(check_subject("Bilan camille lefèvre", &names).is_err());
        assert!(check_subject("Bilan Lefèvre-Martin", &names).is_err());
        assert_eq!(check_subject("Bilan Lefevres", &names), Ok(()));
        assert_eq!(check_subject("Bilan de Camille", &["Al"]), Ok(()));
        assert_eq!(check_subject("Bilan", &names), Ok(()));
        let refusal = check_subject("Bilan LEFEVRE", &names).unwrap_err();
        assert!(
            !refusal.reason.to_lowercase().contains("lefevre"),
            "never repeated"
        );
    }
}
