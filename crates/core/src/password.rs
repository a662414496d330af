//! Password strength rule for the web login (AU-1, CNIL recommendation for passwords
//! used with a second factor: at least 12 characters from at least three classes),
//! and no password built on one of the most common words or sequences.

/// Minimum length in characters.
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// Why a password is refused; the text tells the user what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordError {
    /// Too short.
    #[error("password has {got} characters; use at least {min}")]
    TooShort {
        /// Length given.
        got: usize,
        /// Minimum.
        min: usize,
    },
    /// Built on a common word or sequence, whatever digits and symbols surround it.
    #[error(
        "password is a common word or sequence with digits or symbols around it; choose a passphrase of unrelated words"
    )]
    Common,
    /// Too few kinds of characters.
    #[error(
        "password uses {got} of the 4 kinds of characters (lower case, upper case, digits, symbols); use at least 3"
    )]
    TooSimple {
        /// Kinds used.
        got: usize,
    },
}

/// The common words and sequences refused as a password's core.
const COMMON: &str = include_str!("../data/common-passwords.txt");

/// The password's core: case and accents folded, digits and symbols at both ends
/// stripped ("Azerty123456!" → "azerty").
fn core_of(password: &str) -> String {
    let folded: String = password
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect();
    let trimmed = folded.trim_matches(|c: char| !c.is_alphabetic());
    if trimmed.is_empty() {
        folded
    } else {
        trimmed.to_owned()
    }
}

/// Whether the password is built on a common word or sequence.
fn is_common(password: &str) -> bool {
    let core = core_of(password);
    COMMON
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|word| core == word)
}

/// Checks a password against the policy; the password itself never appears in errors.
pub fn check_password_strength(password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_LENGTH {
        return Err(PasswordError::TooShort {
            got: length,
            min: MIN_PASSWORD_LENGTH,
        });
    }
    let classes = [
        password.chars().any(char::is_lowercase),
        password.chars().any(char::is_uppercase),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    let got = classes.into_iter().filter(|c| *c).count();
    if got < 3 {
        return Err(PasswordError::TooSimple { got });
    }
    if is_common(password) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn au1_strong_passwords_pass() {
        for ok in [
            "Correct-horse-7",
            "abcdefghij1!",
            "ÉléphantRose12",
            "QUARTZ-VELO-12",
        ] {
            assert_eq!(check_password_strength(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn au1_common_words_with_decorations_are_refused() {
        for weak in [
            "Azerty123456!",
            "Motdepasse2024!",
            "!!Soleil-2023##",
            "P@ssword12345",
            "Médecin-123456",
            "Caduceus2026!",
        ] {
            assert_eq!(
                check_password_strength(weak),
                Err(PasswordError::Common),
                "{weak}"
            );
        }
        // The word inside a longer passphrase is fine.
        assert_eq!(check_password_strength("Soleil-Vert-Marmotte-42"), Ok(()));
        assert!(
            !PasswordError::Common.to_string().contains("Azerty"),
            "the error never repeats the password"
        );
    }

    #[test]
    fn au1_weak_passwords_are_explained() {
        assert_eq!(
            check_password_strength("Short1!"),
            Err(PasswordError::TooShort { got: 7, min: 12 })
        );
        assert_eq!(
            check_password_strength("alllowercaseletters"),
            Err(PasswordError::TooSimple { got: 1 })
        );
        let text = check_password_strength("abcdefghijkl1")
            .unwrap_err()
            .to_string();
        assert!(text.contains("2 of the 4") && !text.contains("abcdefghijkl1"));
    }
}
