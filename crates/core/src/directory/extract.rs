//! Reading the national extracts published by annuaire.sante.fr (ID-4):
//! the header, the splitting of a line into fields, and the errors.
//!
//! # Format
//!
//! An extract is UTF-8 text (a leading byte-order mark is ignored), one
//! header line naming the columns, then one record per line. Fields are
//! separated by `|` and every line ends with a trailing `|`; a line without
//! it, and a line ending in `\r\n`, are read the same. Fields are trimmed of
//! surrounding white space.
//!
//! Columns are found **by header name**, never by position: their order
//! changes between releases, and columns this reader does not use are
//! ignored. Names are compared [folded](super::fold()) (case, accents and
//! punctuation do not count), and each column the reader needs may have
//! several accepted names, because the published files and their
//! documentation spell some of them differently (`Type d'identifiant PP`
//! and `Type Identifiant PP`, for example). A column the reader needs and
//! the header lacks is an [`ExtractError`] naming it.
//!
//! # Streaming
//!
//! The caller reads the file line by line: it parses the first line into a
//! header ([`PersonActivityHeader`](super::PersonActivityHeader) or
//! [`MailboxHeader`](super::MailboxHeader), both [`ExtractHeader`]s), then
//! hands each following line to the header's
//! [`parse_line`](ExtractHeader::parse_line) with its line number. A bad
//! line is a [`LineError`] carrying that number; reading goes on with the
//! next line. [`read_extract`] does the same over a whole text held in
//! memory (the tests and the fixtures use it). Nothing here panics, whatever
//! the input.

use std::collections::HashMap;
use std::fmt;

use super::fold::fold;
use crate::ident::{Adeli, NationalId, Rpps};

/// The field separator of the extracts.
const SEPARATOR: char = '|';
/// The byte-order mark some tools put at the start of UTF-8 files.
const BOM: char = '\u{feff}';

/// Why an extract's header cannot be read (ID-4). Nothing of the file is
/// imported then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The first line is empty: there is no header.
    #[error("the extract has no header line")]
    NoHeader,
    /// A column the reader needs is not in the header.
    #[error("the header has no column {column:?}")]
    MissingColumn {
        /// The column's name, as this reader documents it.
        column: &'static str,
    },
    /// A column the reader needs appears more than once, so which one holds
    /// the value is unknown.
    #[error("the header has column {column:?} {count} times")]
    DuplicateColumn {
        /// The column's name, as this reader documents it.
        column: &'static str,
        /// How many times it appears.
        count: usize,
    },
}

/// A line of an extract that was not imported, with its number and the
/// reason (ID-1, ID-4).
///
/// It prints as `line 17: Identifiant PP: Luhn check failed for RPPS
/// 10003090834` or `line 4: 12 fields, header has 57`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The line's number in the file, as the caller gave it (the header is
    /// line 1).
    pub line: usize,
    /// What is wrong, starting with the column concerned when there is one.
    pub reason: String,
}

impl LineError {
    /// A refusal of line `line` for `reason`.
    pub fn new(line: usize, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for LineError {}

/// The header of one kind of extract, which knows where its columns are
/// and turns a line into a record.
pub trait ExtractHeader: Sized {
    /// The record one line holds.
    type Record;

    /// Reads the header line (the first line of the file). Fails when a
    /// column the record needs is missing or doubled.
    fn parse(first_line: &str) -> Result<Self, ExtractError>;

    /// Reads line number `line` (the header is line 1) into a record, or
    /// says why it cannot. Never panics.
    fn parse_line(&self, line: usize, text: &str) -> Result<Self::Record, LineError>;

    /// How many columns the header has; every line must have as many
    /// fields.
    fn width(&self) -> usize;
}

/// Reads a whole extract held in memory: the header, then every line that
/// is not blank, each with its line number.
///
/// ```
/// use caduceus_core::directory::{read_extract, MailboxHeader, synthetic};
/// use caduceus_core::Domain;
///
/// let domain = Domain::parse("caduceus.test")?;
/// let text: String = synthetic::mailbox_extract(7, 3, &domain)
///     .map(|line| line + "\n")
///     .collect();
/// let records: Vec<_> = read_extract::<MailboxHeader>(&text)?.collect();
/// assert_eq!(records.len(), 3);
/// assert_eq!(records[0].as_ref().unwrap().address.as_str(), "alice.martin@caduceus.test");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_extract<'a, H: ExtractHeader + 'a>(
    text: &'a str,
) -> Result<impl Iterator<Item = Result<H::Record, LineError>> + 'a, ExtractError> {
    let mut lines = text.lines().enumerate();
    let first = lines.next().map_or("", |(_, line)| line);
    let header = H::parse(first)?;
    Ok(lines
        .filter(|(_, line)| !is_blank(line))
        .map(move |(i, line)| header.parse_line(i + 1, line)))
}

/// Whether a line holds nothing but white space (such lines, typically a
/// last empty line, are skipped rather than refused).
pub fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The shape every data line must have: how many fields, and whether a
/// trailing `|` ends the line (as it ends the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shape {
    /// How many columns the header has.
    pub(crate) width: usize,
    /// Whether the header ends with `|`: then a `|` at the end of a line
    /// ends the line rather than opening an empty last field.
    pub(crate) terminated: bool,
}

/// The names of a header line, folded, with their positions.
pub(crate) struct HeaderNames {
    /// The shape of the lines.
    shape: Shape,
    /// Each folded name and every position it appears at.
    positions: HashMap<String, Vec<usize>>,
}

impl HeaderNames {
    /// Splits a header line into its names.
    pub(crate) fn parse(line: &str) -> Result<Self, ExtractError> {
        let line = line.strip_prefix(BOM).unwrap_or(line);
        let line = strip_line_end(line);
        let terminated = line.ends_with(SEPARATOR);
        let line = line.strip_suffix(SEPARATOR).unwrap_or(line);
        if line.trim().is_empty() {
            return Err(ExtractError::NoHeader);
        }
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        let mut width = 0;
        for (i, name) in line.split(SEPARATOR).enumerate() {
            positions.entry(fold(name)).or_default().push(i);
            width = i + 1;
        }
        Ok(Self {
            shape: Shape { width, terminated },
            positions,
        })
    }

    /// The shape of the lines.
    pub(crate) fn shape(&self) -> Shape {
        self.shape
    }

    /// How many columns the header has.
    #[cfg(test)]
    pub(crate) fn width(&self) -> usize {
        self.shape.width
    }

    /// The position of the column called `names[0]`, or by one of the other
    /// accepted `names`, tried in order.
    pub(crate) fn require(&self, names: &[&'static str]) -> Result<usize, ExtractError> {
        self.optional(names)?.ok_or(ExtractError::MissingColumn {
            column: names.first().copied().unwrap_or_default(),
        })
    }

    /// Like [`require`](Self::require), but a missing column is `None`.
    pub(crate) fn optional(&self, names: &[&'static str]) -> Result<Option<usize>, ExtractError> {
        for name in names {
            match self.positions.get(&fold(name)).map(Vec::as_slice) {
                None | Some([]) => continue,
                Some([position]) => return Ok(Some(*position)),
                Some(many) => {
                    return Err(ExtractError::DuplicateColumn {
                        column: names.first().copied().unwrap_or(name),
                        count: many.len(),
                    });
                }
            }
        }
        Ok(None)
    }
}

/// The fields of one data line, trimmed.
pub(crate) struct Fields<'a> {
    /// The line's number, for errors.
    pub(crate) line: usize,
    /// The fields, as many as the header has columns.
    fields: Vec<&'a str>,
}

impl<'a> Fields<'a> {
    /// Splits line number `line` into exactly `shape.width` fields.
    ///
    /// When the header ends with `|`, so should the line, and its last `|`
    /// is dropped; a line without it is read all the same. When the header
    /// does not end with `|`, a line with one more, empty, field is read as
    /// ending with `|`.
    pub(crate) fn split(line: usize, text: &'a str, shape: Shape) -> Result<Self, LineError> {
        let Shape { width, terminated } = shape;
        let text = strip_line_end(text);
        let body = if terminated {
            text.strip_suffix(SEPARATOR).unwrap_or(text)
        } else {
            text
        };
        let mut fields: Vec<&'a str> = body.split(SEPARATOR).map(str::trim).collect();
        if !terminated && fields.len() == width + 1 && fields.last().is_some_and(|f| f.is_empty()) {
            fields.pop();
        }
        if fields.len() != width {
            let got = fields.len();
            let noun = if got == 1 { "field" } else { "fields" };
            return Err(LineError::new(
                line,
                format!("{got} {noun}, header has {width}"),
            ));
        }
        Ok(Self { line, fields })
    }

    /// The field at `position`, possibly empty. An absent optional column
    /// (`None`) reads as empty.
    pub(crate) fn get(&self, position: impl Into<Option<usize>>) -> &'a str {
        position
            .into()
            .and_then(|i| self.fields.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// The field at `position`, `None` when empty.
    pub(crate) fn text(&self, position: impl Into<Option<usize>>) -> Option<&'a str> {
        Some(self.get(position)).filter(|s| !s.is_empty())
    }

    /// The field at `position` as an owned string, `None` when empty.
    pub(crate) fn owned(&self, position: impl Into<Option<usize>>) -> Option<String> {
        self.text(position).map(str::to_owned)
    }

    /// The field at `position`, which must not be empty; `column` names it
    /// in the error.
    pub(crate) fn required(&self, position: usize, column: &str) -> Result<&'a str, LineError> {
        self.text(position)
            .ok_or_else(|| self.error(format!("{column} is empty")))
    }

    /// A refusal of this line.
    pub(crate) fn error(&self, reason: impl Into<String>) -> LineError {
        LineError::new(self.line, reason)
    }
}

/// `text` without its final `\n`, `\r\n` or `\r`.
fn strip_line_end(text: &str) -> &str {
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.strip_suffix('\r').unwrap_or(text)
}

/// The accepted names of the three columns naming a person, shared by both
/// extracts.
pub(crate) mod person_columns {
    /// `8` (RPPS) or `0` (ADELI).
    pub(crate) const TYPE: &[&str] = &["Type d'identifiant PP", "Type identifiant PP"];
    /// The RPPS or ADELI number.
    pub(crate) const ID: &[&str] = &["Identifiant PP"];
    /// The type digit followed by the number.
    pub(crate) const NATIONAL: &[&str] = &["Identification nationale PP"];
}

/// Positions of the three columns naming a person.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PersonIdColumns {
    /// `Type d'identifiant PP`.
    pub(crate) kind: usize,
    /// `Identifiant PP`.
    pub(crate) id: usize,
    /// `Identification nationale PP`.
    pub(crate) national: usize,
}

impl PersonIdColumns {
    /// Finds the three columns in a header.
    pub(crate) fn find(names: &HeaderNames) -> Result<Self, ExtractError> {
        Ok(Self {
            kind: names.require(person_columns::TYPE)?,
            id: names.require(person_columns::ID)?,
            national: names.require(person_columns::NATIONAL)?,
        })
    }

    /// Reads the person a line names (ID-1): `None` when the three columns
    /// are empty; otherwise `Type d'identifiant PP` must be `8` (RPPS) or
    /// `0` (ADELI), `Identifiant PP` a valid number of that registry, and
    /// `Identification nationale PP` the type digit followed by that number.
    pub(crate) fn read(&self, fields: &Fields<'_>) -> Result<Option<NationalId>, LineError> {
        let [type_name, id_name, national_name] = [
            person_columns::TYPE[0],
            person_columns::ID[0],
            person_columns::NATIONAL[0],
        ];
        if [self.kind, self.id, self.national]
            .iter()
            .all(|&i| fields.get(i).is_empty())
        {
            return Ok(None);
        }
        let kind = fields.required(self.kind, type_name)?;
        let id = fields.required(self.id, id_name)?;
        let national = fields.required(self.national, national_name)?;
        let expected = match kind {
            "8" => Rpps::parse(id).map(NationalId::Rpps),
            "0" => Adeli::parse(id).map(NationalId::Adeli),
            other => {
                return Err(fields.error(format!(
                    "{type_name}: {other:?} is neither 8 (RPPS) nor 0 (ADELI)"
                )));
            }
        }
        .map_err(|e| fields.error(format!("{id_name}: {e}")))?;
        let parsed = NationalId::parse(national)
            .map_err(|e| fields.error(format!("{national_name}: {e}")))?;
        if parsed != expected {
            return Err(fields.error(format!(
                "{national_name} {national} is not {type_name} {kind} followed by {id_name} {id}"
            )));
        }
        Ok(Some(parsed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> HeaderNames {
        HeaderNames::parse(line).unwrap()
    }

    #[test]
    fn id4_header_tolerates_bom_trailing_separator_and_crlf() {
        for line in ["\u{feff}A|B|C|\r\n", "A|B|C", "A|B|C|", "A | B|C\n"] {
            let header = names(line);
            assert_eq!(header.width(), 3, "{line:?}");
            assert_eq!(header.require(&["A"]).unwrap(), 0, "{line:?}");
            assert_eq!(header.require(&["C"]).unwrap(), 2, "{line:?}");
        }
    }

    #[test]
    fn id4_header_names_are_compared_folded_and_through_aliases() {
        let header = names("Raison Sociale structure BAL|Type Identifiant PP|");
        assert_eq!(
            header.require(&["Raison sociale structure BAL"]).unwrap(),
            0
        );
        assert_eq!(header.require(person_columns::TYPE).unwrap(), 1);
    }

    #[test]
    fn id4_missing_and_doubled_columns_are_named() {
        let header = names("A|B|A|");
        assert_eq!(
            header.require(&["Z", "Y"]).unwrap_err(),
            ExtractError::MissingColumn { column: "Z" }
        );
        assert_eq!(header.optional(&["Z"]).unwrap(), None);
        let err = header.require(&["a"]).unwrap_err();
        assert_eq!(err.to_string(), "the header has column \"a\" 2 times");
        assert_eq!(
            ExtractError::MissingColumn {
                column: "Identifiant PP"
            }
            .to_string(),
            "the header has no column \"Identifiant PP\""
        );
    }

    #[test]
    fn id4_empty_header_is_refused() {
        for line in ["", "\u{feff}", "|", " \r\n"] {
            assert_eq!(
                HeaderNames::parse(line).err().map(|e| e.to_string()),
                Some("the extract has no header line".to_owned()),
                "{line:?}"
            );
        }
    }

    const TERMINATED: Shape = Shape {
        width: 3,
        terminated: true,
    };
    const OPEN: Shape = Shape {
        width: 3,
        terminated: false,
    };

    #[test]
    fn id4_header_shape_records_the_trailing_separator() {
        assert_eq!(names("A|B|C|").shape(), TERMINATED);
        assert_eq!(names("A|B|C\r\n").shape(), OPEN);
    }

    #[test]
    fn id4_fields_accept_a_missing_trailing_separator() {
        for shape in [TERMINATED, OPEN] {
            for text in ["a|b|c|", "a|b|c", "a|b|c|\r\n", " a | b |c\n"] {
                let fields = Fields::split(2, text, shape).unwrap();
                assert_eq!(
                    [fields.get(0), fields.get(1), fields.get(2)],
                    ["a", "b", "c"],
                    "{text:?} {shape:?}"
                );
            }
        }
        let fields = Fields::split(2, "a|||", TERMINATED).unwrap();
        assert_eq!(fields.text(1), None);
        assert_eq!(fields.get(None), "");
        assert_eq!(fields.get(9), "");
        // Without terminators, a trailing `|` opens an empty last field.
        let fields = Fields::split(2, "a|b|", OPEN).unwrap();
        assert_eq!(fields.text(2), None);
    }

    #[test]
    fn id4_wrong_field_count_is_reported_with_the_line_number() {
        let cases = [
            ("a|b|", "line 4: 2 fields, header has 3"),
            ("a|b|c|d|", "line 4: 4 fields, header has 3"),
            ("a|b|c|d", "line 4: 4 fields, header has 3"),
            ("a|", "line 4: 1 field, header has 3"),
            ("", "line 4: 1 field, header has 3"),
        ];
        for (text, message) in cases {
            let err = Fields::split(4, text, TERMINATED).err().expect(text);
            assert_eq!(err.to_string(), message, "{text:?}");
            assert_eq!(err.line, 4);
        }
        let err = Fields::split(4, "a|b|c|d|", OPEN).err().unwrap();
        assert_eq!(err.to_string(), "line 4: 5 fields, header has 3");
    }

    #[test]
    fn id1_person_identifier_columns_are_checked_together() {
        let header = names("Type d'identifiant PP|Identifiant PP|Identification nationale PP|");
        let columns = PersonIdColumns::find(&header).unwrap();
        let read = |text: &str| {
            let fields = Fields::split(9, text, TERMINATED).unwrap();
            columns.read(&fields).map_err(|e| e.to_string())
        };
        assert_eq!(
            read("8|10003090833|810003090833|").unwrap(),
            Some(NationalId::parse("810003090833").unwrap())
        );
        assert_eq!(
            read("0|012800736|0012800736|").unwrap(),
            Some(NationalId::parse("0012800736").unwrap())
        );
        assert_eq!(read("|||").unwrap(), None);
        let refused = [
            (
                "8|10003090834|810003090834|",
                "line 9: Identifiant PP: Luhn check failed for RPPS 10003090834",
            ),
            (
                "5|10003090833|510003090833|",
                "line 9: Type d'identifiant PP: \"5\" is neither 8 (RPPS) nor 0 (ADELI)",
            ),
            (
                "0|10003090833|810003090833|",
                "line 9: Identifiant PP: ADELI must be 9 digits, got 11",
            ),
            (
                "8|10003090833|810000000009|",
                "line 9: Identification nationale PP 810000000009 is not \
                 Type d'identifiant PP 8 followed by Identifiant PP 10003090833",
            ),
            (
                "8|10003090833|10003090833|",
                "line 9: Identification nationale PP: FINESS must be 9 characters, got 10",
            ),
            ("8||810003090833|", "line 9: Identifiant PP is empty"),
            (
                "|10003090833|810003090833|",
                "line 9: Type d'identifiant PP is empty",
            ),
            (
                "8|10003090833||",
                "line 9: Identification nationale PP is empty",
            ),
        ];
        for (text, message) in refused {
            assert_eq!(read(text).unwrap_err(), message, "{text}");
        }
    }
}
