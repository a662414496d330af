//! Folder names a user may give (MS-6): hierarchy with `/`, no wildcard or control
//! character, no empty level, and `INBOX` reserved in any case.

use std::fmt;

/// The hierarchy delimiter of folder names.
pub const DELIMITER: char = '/';

/// Longest folder name, in characters.
pub const MAX_LEN: usize = 200;

/// Why a folder name is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FolderNameError {
    /// Empty, or an empty level (`a//b`, `/a`, `a/`).
    EmptyLevel,
    /// Over [`MAX_LEN`] characters.
    TooLong,
    /// A control character, or `*` / `%` (IMAP LIST wildcards).
    ForbiddenCharacter,
    /// `INBOX` (in any case) is the inbox, made with the account.
    Reserved,
}

impl fmt::Display for FolderNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FolderNameError::EmptyLevel => {
                "a folder name has no empty level (no leading, trailing or double '/')"
            }
            FolderNameError::TooLong => "a folder name has at most 200 characters",
            FolderNameError::ForbiddenCharacter => {
                "a folder name has no control character, '*' or '%'"
            }
            FolderNameError::Reserved => "INBOX is reserved",
        })
    }
}

impl std::error::Error for FolderNameError {}

/// Checks a name for a new or renamed folder.
pub fn check_folder_name(name: &str) -> Result<(), FolderNameError> {
    if name.chars().count() > MAX_LEN {
        return Err(FolderNameError::TooLong);
    }
    if name.chars().any(|c| c.is_control() || c == '*' || c == '%') {
        return Err(FolderNameError::ForbiddenCharacter);
    }
    if name.split(DELIMITER).any(str::is_empty) {
        return Err(FolderNameError::EmptyLevel);
    }
    if name
        .split(DELIMITER)
        .next()
        .is_some_and(|top| top.eq_ignore_ascii_case("INBOX"))
        && !name.contains(DELIMITER)
    {
        return Err(FolderNameError::Reserved);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms6_folder_names() {
        for ok in [
            "Patients",
            "Cardio/2026",
            "Éléments envoyés",
            "A&B",
            "🩺",
            "INBOX/Sous-dossier",
        ] {
            assert_eq!(check_folder_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_folder_name(""), Err(FolderNameError::EmptyLevel));
        assert_eq!(check_folder_name("/a"), Err(FolderNameError::EmptyLevel));
        assert_eq!(check_folder_name("a/"), Err(FolderNameError::EmptyLevel));
        assert_eq!(check_folder_name("a//b"), Err(FolderNameError::EmptyLevel));
        assert_eq!(
            check_folder_name("a*"),
            Err(FolderNameError::ForbiddenCharacter)
        );
        assert_eq!(
            check_folder_name("a%b"),
            Err(FolderNameError::ForbiddenCharacter)
        );
        assert_eq!(
            check_folder_name("a\tb"),
            Err(FolderNameError::ForbiddenCharacter)
        );
        assert_eq!(check_folder_name("inbox"), Err(FolderNameError::Reserved));
        assert_eq!(
            check_folder_name(&"x".repeat(201)),
            Err(FolderNameError::TooLong)
        );
        assert_eq!(check_folder_name(&"é".repeat(200)), Ok(()));
    }
}
