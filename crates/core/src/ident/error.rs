//! The error returned when an identifier does not parse.

/// Why an identifier was refused.
///
/// Each variant names the identifier (`what`: `"RPPS"`, `"INS"`, …) and
/// carries what was found, so the message says exactly what is wrong.
/// Variants raised for an [`Ins`](crate::Ins) never carry the patient's
/// number (TR-5): only a non-digit character, a position or the two check
/// keys. Positions count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentError {
    /// The input was empty.
    #[error("{what} is empty")]
    Empty {
        /// Which identifier was expected.
        what: &'static str,
    },
    /// The input has the wrong number of characters.
    #[error("{what} must be {expected}, got {got}")]
    Length {
        /// Which identifier was expected.
        what: &'static str,
        /// The expected length, in words, e.g. `"11 digits"`.
        expected: &'static str,
        /// How many characters the input has.
        got: usize,
    },
    /// A character is not allowed at its position.
    #[error("character {ch:?} at position {position} of {what} is not {expected}")]
    Character {
        /// Which identifier was expected.
        what: &'static str,
        /// The offending character.
        ch: char,
        /// Its position, counted from 1.
        position: usize,
        /// What is allowed there, e.g. `"a digit"`.
        expected: &'static str,
    },
    /// A two-digit mod-97 key (INS) does not match the number.
    #[error("{what} check key is {got}, expected {expected}")]
    CheckKey {
        /// Which identifier was expected.
        what: &'static str,
        /// The key found in the input.
        got: u8,
        /// The key computed from the number.
        expected: u8,
    },
    /// A Luhn check digit does not match the number.
    #[error("Luhn check failed for {what} {value}")]
    Luhn {
        /// Which identifier was expected.
        what: &'static str,
        /// The refused number (never an INS: these are public identifiers).
        value: String,
    },
    /// A SIRET of La Poste whose digits do not add up to a multiple of 5.
    #[error("La Poste SIRET {value}: digit sum {sum} is not a multiple of 5")]
    LaPosteSum {
        /// The refused SIRET.
        value: String,
        /// The sum of its digits.
        sum: u32,
    },
    /// The identifier does not start the way its registry requires.
    #[error("{what} must start with {expected}")]
    Prefix {
        /// Which identifier was expected.
        what: &'static str,
        /// The allowed starts, in words.
        expected: &'static str,
    },
    /// A national identifier starts with a character that names no registry.
    #[error(
        "unknown national identifier prefix {prefix:?} \
         (expected 8 RPPS, 0 ADELI, 1 FINESS or 3 SIRET)"
    )]
    UnknownPrefix {
        /// The first character of the input.
        prefix: char,
    },
    /// A structure identifier was expected (alone, or before the `/` of a
    /// local identifier) and the prefix names no structure registry.
    #[error("expected a structure identifier (prefix 1 FINESS or 3 SIRET), got prefix {prefix:?}")]
    NotAStructure {
        /// The first character of the structure part.
        prefix: char,
    },
}
