//! Password strength rule for the web login (AU-1, CNIL recommendation for passwords
//! used with a second factor: at least 12 characters from at least three classes).

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
    /// Too few kinds of characters.
    #[error(
        "password uses {got} of the 4 kinds of characters (lower case, upper case, digits, symbols); use at least 3"
    )]
    TooSimple {
        /// Kinds used.
        got: usize,
    },
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
            "ABCDEFGH12!!",
        ] {
            assert_eq!(check_password_strength(ok), Ok(()), "{ok}");
        }
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
