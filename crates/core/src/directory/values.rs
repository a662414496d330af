//! Small values the directory records share: a code with its label, and
//! the consent-gated phone number (ID-6).

use std::fmt;

/// A code from a national nomenclature with its label, such as profession
/// `10` `Médecin` or savoir-faire `SM26` `Qualifié en Médecine Générale`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Coded {
    /// The code, e.g. `10` or `SM26`.
    pub code: String,
    /// The label, e.g. `Médecin`; the code itself when the extract gives no
    /// label.
    pub label: String,
}

impl Coded {
    /// A code with its label; an empty label is replaced by the code.
    pub fn new(code: &str, label: &str) -> Self {
        let label = if label.is_empty() { code } else { label };
        Self {
            code: code.to_owned(),
            label: label.to_owned(),
        }
    }

    /// The code and label read from two fields: `None` when both are
    /// empty; the label alone stands for the code when the code is empty.
    pub(crate) fn from_fields(code: &str, label: &str) -> Option<Self> {
        match (code.is_empty(), label.is_empty()) {
            (true, true) => None,
            (true, false) => Some(Self::new(label, label)),
            _ => Some(Self::new(code, label)),
        }
    }
}

/// Whether the person agreed to have their phone number shown in the
/// directory (ID-6). The extract says nothing about it; the consent is
/// recorded by this service, and the default is not to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Consent {
    /// The person agreed.
    Given,
    /// The person did not agree, or was not asked.
    #[default]
    NotGiven,
}

/// A practice site's phone number as the extract gives it, which the
/// directory shows only with the person's [`Consent`] (ID-6).
///
/// The number is carried so that the record is complete and a change of
/// number is seen on re-import, but it has no `Display` and its `Debug`
/// hides it: the only ways to read it are [`disclose`](Self::disclose),
/// which asks for the consent, and [`stored_form`](Self::stored_form), for
/// the store that keeps it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct GatedPhone(String);

impl GatedPhone {
    /// Wraps a phone number as read from the extract.
    pub fn new(number: impl Into<String>) -> Self {
        Self(number.into())
    }

    /// The number when the person consented, `None` otherwise.
    ///
    /// ```
    /// use caduceus_core::directory::{Consent, GatedPhone};
    /// let phone = GatedPhone::new("0145678901");
    /// assert_eq!(phone.disclose(Consent::Given), Some("0145678901"));
    /// assert_eq!(phone.disclose(Consent::NotGiven), None);
    /// ```
    pub fn disclose(&self, consent: Consent) -> Option<&str> {
        match consent {
            Consent::Given => Some(&self.0),
            Consent::NotGiven => None,
        }
    }

    /// The number, for the store to keep and for the record's fingerprint;
    /// never for display, which goes through [`disclose`](Self::disclose).
    pub fn stored_form(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for GatedPhone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("GatedPhone([consent-gated])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id6_phone_is_disclosed_only_with_consent() {
        let phone = GatedPhone::new("0145678901");
        assert_eq!(phone.disclose(Consent::default()), None);
        assert_eq!(phone.disclose(Consent::Given), Some("0145678901"));
        assert!(!format!("{phone:?}").contains("0145"));
        assert_eq!(phone.stored_form(), "0145678901");
    }

    #[test]
    fn coded_values_fall_back_on_each_other() {
        assert_eq!(Coded::from_fields("", ""), None);
        assert_eq!(
            Coded::from_fields("10", "Médecin"),
            Some(Coded::new("10", "Médecin"))
        );
        assert_eq!(Coded::from_fields("10", "").unwrap().label, "10");
        assert_eq!(Coded::from_fields("", "Médecin").unwrap().code, "Médecin");
    }
}
