//! Requirement ids (`ID-1`, `MS-9`, `TR-1` …) of the requirement document, as a type:
//! a refusal, a denial or a trace names one of these, never free text, so a misspelt id
//! cannot compile. The document (`shared/REQUIREMENTS.md`) says what each one asks.

use std::fmt;

/// One requirement of the requirement document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Requirement {
    /// `ID-1`.
    Id1,
    /// `ID-2`.
    Id2,
    /// `ID-3`.
    Id3,
    /// `ID-4`.
    Id4,
    /// `ID-5`.
    Id5,
    /// `ID-6`.
    Id6,
    /// `ID-7`.
    Id7,
    /// `AU-1`.
    Au1,
    /// `AU-2`.
    Au2,
    /// `AU-3`.
    Au3,
    /// `AU-4`.
    Au4,
    /// `AU-5`.
    Au5,
    /// `MS-1`.
    Ms1,
    /// `MS-2`.
    Ms2,
    /// `MS-3`.
    Ms3,
    /// `MS-4`.
    Ms4,
    /// `MS-5`.
    Ms5,
    /// `MS-6`.
    Ms6,
    /// `MS-7`.
    Ms7,
    /// `MS-8`.
    Ms8,
    /// `MS-9`.
    Ms9,
    /// `MS-10`.
    Ms10,
    /// `MS-11`.
    Ms11,
    /// `MS-12`.
    Ms12,
    /// `MS-13`.
    Ms13,
    /// `MS-14`.
    Ms14,
    /// `MS-15`.
    Ms15,
    /// `MS-16`.
    Ms16,
    /// `MS-17`.
    Ms17,
    /// `MS-18`.
    Ms18,
    /// `TR-1`.
    Tr1,
    /// `TR-2`.
    Tr2,
    /// `TR-3`.
    Tr3,
    /// `TR-4`.
    Tr4,
    /// `TR-5`.
    Tr5,
    /// `TR-6`.
    Tr6,
    /// `RT-1`.
    Rt1,
    /// `RT-2`.
    Rt2,
    /// `RT-3`.
    Rt3,
    /// `RT-4`.
    Rt4,
    /// `AC-1`.
    Ac1,
    /// `AC-2`.
    Ac2,
    /// `AC-3`.
    Ac3,
    /// `IN-1`.
    In1,
}

impl Requirement {
    /// Every requirement, in the document's order.
    pub const ALL: [Requirement; 44] = [
        Requirement::Id1,
        Requirement::Id2,
        Requirement::Id3,
        Requirement::Id4,
        Requirement::Id5,
        Requirement::Id6,
        Requirement::Id7,
        Requirement::Au1,
        Requirement::Au2,
        Requirement::Au3,
        Requirement::Au4,
        Requirement::Au5,
        Requirement::Ms1,
        Requirement::Ms2,
        Requirement::Ms3,
        Requirement::Ms4,
        Requirement::Ms5,
        Requirement::Ms6,
        Requirement::Ms7,
        Requirement::Ms8,
        Requirement::Ms9,
        Requirement::Ms10,
        Requirement::Ms11,
        Requirement::Ms12,
        Requirement::Ms13,
        Requirement::Ms14,
        Requirement::Ms15,
        Requirement::Ms16,
        Requirement::Ms17,
        Requirement::Ms18,
        Requirement::Tr1,
        Requirement::Tr2,
        Requirement::Tr3,
        Requirement::Tr4,
        Requirement::Tr5,
        Requirement::Tr6,
        Requirement::Rt1,
        Requirement::Rt2,
        Requirement::Rt3,
        Requirement::Rt4,
        Requirement::Ac1,
        Requirement::Ac2,
        Requirement::Ac3,
        Requirement::In1,
    ];

    /// The id as the document writes it, such as `MS-9`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Requirement::Id1 => "ID-1",
            Requirement::Id2 => "ID-2",
            Requirement::Id3 => "ID-3",
            Requirement::Id4 => "ID-4",
            Requirement::Id5 => "ID-5",
            Requirement::Id6 => "ID-6",
            Requirement::Id7 => "ID-7",
            Requirement::Au1 => "AU-1",
            Requirement::Au2 => "AU-2",
            Requirement::Au3 => "AU-3",
            Requirement::Au4 => "AU-4",
            Requirement::Au5 => "AU-5",
            Requirement::Ms1 => "MS-1",
            Requirement::Ms2 => "MS-2",
            Requirement::Ms3 => "MS-3",
            Requirement::Ms4 => "MS-4",
            Requirement::Ms5 => "MS-5",
            Requirement::Ms6 => "MS-6",
            Requirement::Ms7 => "MS-7",
            Requirement::Ms8 => "MS-8",
            Requirement::Ms9 => "MS-9",
            Requirement::Ms10 => "MS-10",
            Requirement::Ms11 => "MS-11",
            Requirement::Ms12 => "MS-12",
            Requirement::Ms13 => "MS-13",
            Requirement::Ms14 => "MS-14",
            Requirement::Ms15 => "MS-15",
            Requirement::Ms16 => "MS-16",
            Requirement::Ms17 => "MS-17",
            Requirement::Ms18 => "MS-18",
            Requirement::Tr1 => "TR-1",
            Requirement::Tr2 => "TR-2",
            Requirement::Tr3 => "TR-3",
            Requirement::Tr4 => "TR-4",
            Requirement::Tr5 => "TR-5",
            Requirement::Tr6 => "TR-6",
            Requirement::Rt1 => "RT-1",
            Requirement::Rt2 => "RT-2",
            Requirement::Rt3 => "RT-3",
            Requirement::Rt4 => "RT-4",
            Requirement::Ac1 => "AC-1",
            Requirement::Ac2 => "AC-2",
            Requirement::Ac3 => "AC-3",
            Requirement::In1 => "IN-1",
        }
    }

    /// The requirement written `code` (`MS-9`), if any.
    pub fn from_code(code: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.as_str() == code)
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Requirement {
    fn eq(&self, code: &&str) -> bool {
        self.as_str() == *code
    }
}

impl serde::Serialize for Requirement {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_round_trips_through_its_code() {
        for requirement in Requirement::ALL {
            assert_eq!(
                Requirement::from_code(requirement.as_str()),
                Some(requirement)
            );
        }
        assert_eq!(Requirement::from_code("MS-19"), None);
        assert_eq!(Requirement::Ms9.to_string(), "MS-9");
    }
}
