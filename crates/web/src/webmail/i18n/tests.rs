//! The texts' typography.

use super::*;

#[test]
fn ms6_french_pages_put_a_narrow_no_break_space_before_high_punctuation() {
    // Every French text as written in this file and in the refusals': a `:`, `;`, `!` or `?` inside
    // one follows the narrow no-break space (U+202F), never a plain space.
    let mut checked = 0;
    let sources = [
        include_str!("mod.rs"),
        include_str!("refusals.rs"),
        include_str!("habits.rs"),
        include_str!("display.rs"),
        include_str!("drafts.rs"),
        include_str!("passkeys.rs"),
        include_str!("login.rs"),
        include_str!("absence.rs"),
        include_str!("contacts.rs"),
    ];
    let french = sources
        .iter()
        .map(|s| &s[s.find(" FR: ").unwrap()..s.find(" EN: ").unwrap()]);
    for line in french.flat_map(str::lines) {
        let Some((_, value)) = line.split_once(": \"") else {
            continue;
        };
        for (i, c) in value.char_indices().filter(|(_, c)| ":;!?".contains(*c)) {
            assert!(value[..i].ends_with("\\u{202F}"), "{line}: {c}");
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked} marks checked");
    assert_eq!(FR.colon, "\u{202F}:");
    assert_eq!(EN.colon, ":");
}

#[test]
fn au1_au3_a_refused_code_tells_the_tries_left_in_both_languages() {
    use caduceus_core::contact::CodeRefusal;
    let wrong = |tries_left| CodeRefusal::Wrong { tries_left };
    let fr = &super::contacts::FR;
    assert!(
        fr.refusal(wrong(4))
            .contains("il vous reste 4 essais avant")
    );
    assert!(fr.refusal(wrong(1)).contains("il vous reste 1 essai avant"));
    assert!(fr.refusal(CodeRefusal::Exhausted).contains("abandonnée"));
    let en = &super::contacts::EN;
    assert!(en.refusal(wrong(3)).contains("wrong: 3 tries left"));
    assert!(en.refusal(wrong(1)).contains("wrong: 1 try left"));
    assert!(en.refusal(CodeRefusal::Expired).contains("expired"));
}
