//! Folding text for comparison: lower case, no accents, words separated by
//! single spaces (ID-4).
//!
//! The directory search compares folded text, so `Lefèvre`, `LEFEVRE` and
//! `lefevre` are the same name and `Saint-Étienne` matches `saint etienne`.
//! The same function maps extract column names onto each other, so
//! `Raison Sociale structure BAL` is the column `Raison sociale structure
//! BAL`. The store keeps folded copies of the searched columns, computed by
//! [`fold`], so that its SQL search agrees with
//! [`SearchQuery::matches`](super::SearchQuery::matches).

/// Folds `text` for comparison: lower case, French (and other Latin)
/// accents removed (`é` → `e`, `ç` → `c`, `œ` → `oe`, `æ` → `ae`, `ß` →
/// `ss`), every character that is neither a letter nor a digit turned into
/// a space, runs of spaces collapsed, no space at either end.
///
/// Letters outside the Latin alphabet are kept, lower-cased.
///
/// ```
/// use caduceus_core::directory::fold;
/// assert_eq!(fold("  Hôpital Saint-Étienne  "), "hopital saint etienne");
/// assert_eq!(fold("Cœur d'ALÈNE"), "coeur d alene");
/// assert_eq!(fold("Masseur-Kinésithérapeute"), "masseur kinesitherapeute");
/// ```
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Whether a space is owed before the next kept character.
    let mut gap = false;
    for c in text.chars().flat_map(char::to_lowercase) {
        if !c.is_alphanumeric() {
            gap = true;
            continue;
        }
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        match base_letters(c) {
            Some(base) => out.push_str(base),
            None => out.push(c),
        }
    }
    out
}

/// The unaccented letters a lower-case accented Latin letter folds to, or
/// `None` when `c` has no accent to remove.
fn base_letters(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn id4_fold_removes_french_accents_and_case() {
        let cases = [
            ("Élodie", "elodie"),
            ("LEFÈVRE", "lefevre"),
            ("François", "francois"),
            ("Œuvre", "oeuvre"),
            ("cœur", "coeur"),
            ("Lætitia", "laetitia"),
            ("Noël", "noel"),
            ("Zoé", "zoe"),
            ("Anaïs", "anais"),
            ("Hôpital", "hopital"),
            ("Ajaccio", "ajaccio"),
            ("où", "ou"),
            ("Straße", "strasse"),
        ];
        for (input, folded) in cases {
            assert_eq!(fold(input), folded, "{input}");
        }
    }

    #[test]
    fn id4_fold_turns_punctuation_into_single_spaces() {
        assert_eq!(fold("Saint-Étienne"), "saint etienne");
        assert_eq!(fold("l'Hôpital"), "l hopital");
        assert_eq!(
            fold("  Code postal (coord. structure) "),
            "code postal coord structure"
        );
        assert_eq!(fold("a -- b"), "a b");
        assert_eq!(fold(""), "");
        assert_eq!(fold(" - "), "");
        assert_eq!(fold("75013"), "75013");
    }

    proptest! {
        #[test]
        fn id4_fold_is_idempotent(text in "\\PC{0,40}") {
            let once = fold(&text);
            prop_assert_eq!(fold(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' '));
            prop_assert!(!once.contains("  "));
        }
    }
}
