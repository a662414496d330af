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
    /// A level `.` or `..`: in an export's paths it would climb out of its folder.
    DotLevel,
}

impl fmt::Display for FolderNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FolderNameError::EmptyLevel => {
                "a folder name has no empty level (no leading, trailing or double '/')"
            }
            FolderNameError::TooLong => "a folder name has at most 200 characters",
            FolderNameError::ForbiddenCharacter => {
                "a folder name has no control character, '*', '%' or '\\'"
            }
            FolderNameError::Reserved => "INBOX is reserved",
            FolderNameError::DotLevel => "a folder name has no level '.' or '..'",
        })
    }
}

impl std::error::Error for FolderNameError {}

/// Checks a name for a new or renamed folder.
pub fn check_folder_name(name: &str) -> Result<(), FolderNameError> {
    if name.chars().count() > MAX_LEN {
        return Err(FolderNameError::TooLong);
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '*' | '%' | '\\'))
    {
        return Err(FolderNameError::ForbiddenCharacter);
    }
    if name.split(DELIMITER).any(str::is_empty) {
        return Err(FolderNameError::EmptyLevel);
    }
    if name
        .split(DELIMITER)
        .any(|level| level == "." || level == "..")
    {
        return Err(FolderNameError::DotLevel);
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

/// The names above `name` in the hierarchy, outermost first (`a`, `a/b` for `a/b/c`),
/// which CREATE and RENAME make when missing (RFC 9051 §6.3.4, §6.3.6: the server
/// "SHOULD create any superior hierarchical names that are needed"); `INBOX`, which
/// always exists, is never one of them.
pub fn superiors(name: &str) -> Vec<&str> {
    name.match_indices(DELIMITER)
        .map(|(at, _)| &name[..at])
        .filter(|superior| !superior.eq_ignore_ascii_case("INBOX"))
        .collect()
}

/// `name` as a relative path that stays inside its archive (an export, RT-4), even for
/// a folder named before [`check_folder_name`] refused `.`, `..` and `\\`: such levels
/// get a leading `_`, backslashes become `_`.
pub fn archive_path(name: &str) -> String {
    name.replace('\\', "_")
        .split(DELIMITER)
        .map(|level| match level {
            "" | "." | ".." => format!("_{level}"),
            other => other.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms6_rfc9051_6_3_4_the_superiors_of_a_name() {
        assert_eq!(superiors("a/b/c"), ["a", "a/b"]);
        assert_eq!(superiors("Patients"), Vec::<&str>::new());
        assert_eq!(superiors("INBOX/Lab/2026"), ["INBOX/Lab"]);
    }

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
        for climbing in ["..", "../x", "a/../b", "./a", "a/."] {
            assert_eq!(
                check_folder_name(climbing),
                Err(FolderNameError::DotLevel),
                "{climbing}"
            );
        }
        assert_eq!(
            check_folder_name("..\\x"),
            Err(FolderNameError::ForbiddenCharacter)
        );
        assert_eq!(check_folder_name("...notes"), Ok(()));
        assert_eq!(archive_path("../x"), "_../x");
        assert_eq!(archive_path("a/../..\\b"), "a/_../.._b");
        assert_eq!(archive_path("Cardio/2026"), "Cardio/2026");
        assert_eq!(
            check_folder_name(&"x".repeat(201)),
            Err(FolderNameError::TooLong)
        );
        assert_eq!(check_folder_name(&"é".repeat(200)), Ok(()));
    }
}
