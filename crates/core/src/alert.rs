//! Health alerts (MS-15): who a broadcast goes to, as the directory's codes. An
//! audience names a profession (its code in the national extracts: `10` physicians,
//! `21` pharmacists, `60` nurses…) and/or a department (`75`, `2A`, `974`); at least
//! one, so that no slip sends an alert to the whole trust space.

use std::fmt;

/// A validated broadcast audience.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Audience {
    profession: Option<String>,
    department: Option<String>,
}

/// Why an audience was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AudienceError {
    /// Neither a profession nor a department.
    Empty,
    /// Not a profession code (one to three digits).
    Profession(String),
    /// Not a French department (`01`–`95`, `2A`, `2B`, `971`–`976`).
    Department(String),
}

impl fmt::Display for AudienceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AudienceError::Empty => f.write_str(
                "name a profession, a department or both: an alert never goes to everyone",
            ),
            AudienceError::Profession(code) => {
                write!(f, "{code:?} is not a profession code (such as 10, 21, 60)")
            }
            AudienceError::Department(code) => {
                write!(
                    f,
                    "{code:?} is not a department (01 to 95, 2A, 2B, 971 to 976)"
                )
            }
        }
    }
}

impl std::error::Error for AudienceError {}

fn is_department(code: &str) -> bool {
    match code {
        "2A" | "2B" => true,
        _ if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) => {
            !matches!(code, "00" | "20" | "96" | "97" | "98" | "99")
        }
        _ if code.len() == 3 => matches!(code, "971" | "972" | "973" | "974" | "975" | "976"),
        _ => false,
    }
}

impl Audience {
    /// The audience of `profession` and/or `department` (blank means none).
    pub fn new(
        profession: Option<&str>,
        department: Option<&str>,
    ) -> Result<Audience, AudienceError> {
        let clean = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_uppercase)
        };
        let (profession, department) = (clean(profession), clean(department));
        if profession.is_none() && department.is_none() {
            return Err(AudienceError::Empty);
        }
        if let Some(code) = profession
            .as_ref()
            .filter(|c| c.len() > 3 || !c.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(AudienceError::Profession(code.clone()));
        }
        if let Some(code) = department.as_ref().filter(|c| !is_department(c)) {
            return Err(AudienceError::Department(code.clone()));
        }
        Ok(Audience {
            profession,
            department,
        })
    }

    /// The profession code, if any.
    pub fn profession(&self) -> Option<&str> {
        self.profession.as_deref()
    }

    /// The department, if any.
    pub fn department(&self) -> Option<&str> {
        self.department.as_deref()
    }

    /// The postal code prefixes of the department (Corsica's codes start with 20:
    /// `2A` is 200–201, `2B` 202 and 206); empty without a department.
    pub fn postal_prefixes(&self) -> Vec<String> {
        match self.department.as_deref() {
            None => Vec::new(),
            Some("2A") => vec!["200".into(), "201".into()],
            Some("2B") => vec!["202".into(), "206".into()],
            Some(code) => vec![code.to_owned()],
        }
    }

    /// The audience as trace-safe codes: `profession:10 department:75`.
    pub fn codes(&self) -> String {
        let mut codes = Vec::new();
        if let Some(p) = &self.profession {
            codes.push(format!("profession:{p}"));
        }
        if let Some(d) = &self.department {
            codes.push(format!("department:{d}"));
        }
        codes.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms15_an_audience_names_a_profession_a_department_or_both() {
        let both = Audience::new(Some("10"), Some("75")).unwrap();
        assert_eq!(both.codes(), "profession:10 department:75");
        assert_eq!(
            (both.profession(), both.department()),
            (Some("10"), Some("75"))
        );
        assert_eq!(
            Audience::new(Some(" 60 "), None).unwrap().codes(),
            "profession:60"
        );
        assert_eq!(
            Audience::new(None, Some("2a")).unwrap().codes(),
            "department:2A"
        );
        assert_eq!(
            Audience::new(Some(""), Some("974")).unwrap().codes(),
            "department:974"
        );
    }

    #[test]
    fn ms15_a_department_is_found_by_its_postal_codes() {
        let prefixes = |d| Audience::new(None, Some(d)).unwrap().postal_prefixes();
        assert_eq!(prefixes("75"), ["75"]);
        assert_eq!(prefixes("2A"), ["200", "201"]);
        assert_eq!(prefixes("2b"), ["202", "206"]);
        assert_eq!(prefixes("974"), ["974"]);
        assert!(
            Audience::new(Some("10"), None)
                .unwrap()
                .postal_prefixes()
                .is_empty()
        );
    }

    #[test]
    fn ms15_an_alert_never_goes_to_everyone() {
        assert_eq!(Audience::new(None, None), Err(AudienceError::Empty));
        assert_eq!(
            Audience::new(Some(" "), Some("")),
            Err(AudienceError::Empty)
        );
    }

    #[test]
    fn ms15_codes_are_checked() {
        for bad in ["1000", "médecin", "1a", "-1"] {
            assert!(
                matches!(
                    Audience::new(Some(bad), None),
                    Err(AudienceError::Profession(_))
                ),
                "{bad}"
            );
        }
        for bad in ["00", "20", "96", "2C", "7", "977", "750", "75013"] {
            assert!(
                matches!(
                    Audience::new(None, Some(bad)),
                    Err(AudienceError::Department(_))
                ),
                "{bad}"
            );
        }
        for good in ["01", "19", "21", "95", "2B", "971", "976"] {
            assert!(Audience::new(None, Some(good)).is_ok(), "{good}");
        }
    }
}
