//! Health professionals log in with a card (AU-5; seed 000 art.7-1: health
//! professionals authenticate with a CPS card "ou un dispositif équivalent agréé",
//! two factors being for the other professionals). When the operator turns the rule
//! on, a holder of a health profession may open a session with their CPS certificate
//! or e-CPS (Pro Santé Connect) only; password and code are refused naming AU-5. Mail
//! clients keep their device credentials (AU-2), issued after such a login.

use crate::ident::Registry;
use crate::{Refusal, Requirement};

/// The RPPS profession codes of the health professions of the public health code's
/// fourth part (the ANS nomenclature of professions): physician 10, pharmacist 21,
/// hearing-aid specialist 26, optician 28, dental surgeon 40, midwife 50, nurse 60 and
/// 69, physiotherapist 70, podiatrist 80, orthotists and prosthetists 81–85, medical
/// laboratory technician 86, speech therapist 91, orthoptist 92, occupational
/// therapist 94, dietitian 95, psychomotor therapist 96, radiographer 98.
pub const HEALTH_PROFESSIONS: [&str; 22] = [
    "10", "21", "26", "28", "40", "50", "60", "69", "70", "80", "81", "82", "83", "84", "85", "86",
    "91", "92", "94", "95", "96", "98",
];

/// Who must log in with a card (AU-5): the holders of these profession codes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardOnly {
    /// RPPS profession codes.
    pub professions: Vec<String>,
}

impl CardOnly {
    /// The rule over [`HEALTH_PROFESSIONS`].
    pub fn health_professions() -> CardOnly {
        CardOnly {
            professions: HEALTH_PROFESSIONS.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    /// Whether a holder must log in with a card: their profession (from the national
    /// directory) is listed, or, when the directory does not know them, they are
    /// registered in the RPPS (the registry of health professionals).
    pub fn requires_card(&self, profession: Option<&str>, registry: Option<Registry>) -> bool {
        match profession {
            Some(code) => self.professions.iter().any(|p| p == code),
            None => registry == Some(Registry::Rpps),
        }
    }

    /// Refuses a login without a card (`card`: a CPS certificate or e-CPS) by a holder
    /// who must use one.
    pub fn check(
        &self,
        profession: Option<&str>,
        registry: Option<Registry>,
        card: bool,
    ) -> Result<(), Refusal> {
        if card || !self.requires_card(profession, registry) {
            return Ok(());
        }
        Err(Refusal {
            requirement: Requirement::Au5,
            reason: "health professionals log in with their CPS card or e-CPS (Pro Santé \
                     Connect); password and code are for the other professionals"
                .to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn au5_health_professionals_need_a_card_others_keep_two_factors() {
        let rule = CardOnly::health_professions();
        let refused = rule
            .check(Some("10"), Some(Registry::Rpps), false)
            .unwrap_err();
        assert_eq!(refused.requirement, "AU-5");
        assert_eq!(rule.check(Some("10"), Some(Registry::Rpps), true), Ok(()));
        // A social worker (ADELI, profession not listed) keeps password and code.
        assert_eq!(rule.check(Some("A1"), Some(Registry::Adeli), false), Ok(()));
        // Unknown to the directory: the RPPS says health professional.
        assert!(rule.check(None, Some(Registry::Rpps), false).is_err());
        assert_eq!(rule.check(None, Some(Registry::Adeli), false), Ok(()));
        assert_eq!(rule.check(None, None, false), Ok(()));
    }
}
