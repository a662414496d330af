//! The operator's terms of use (IN-1): a text with a version; a user accepts the
//! current version after logging in, before sending or reading anything; a new
//! version asks again. Acceptance is recorded and traced.

use caduceus_audit::{Action, Detail, Object};
use caduceus_core::Refusal;
use caduceus_core::Requirement;
use caduceus_store::AccountId;

use crate::auth::Authenticated;
use crate::error::{Result, ServiceError};
use crate::{Actor, Caller, Service};

/// The terms of use in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Terms {
    /// Their version, as the operator names it.
    pub version: String,
    /// Their text.
    pub text: String,
}

/// The terms of use shipped with Caduceus, in French then English (IN-1): purpose,
/// the emergency notice (seed 004 §5.2), the inactivity schedule (RT-1), trace
/// retention (TR-2), rights and how to exercise them (AC-3, RT-4, MS-9, MS-10), the
/// data protection officer, the certified health-data host. Its `{…}` fields are
/// the operator's settings ([`ShippedTerms`]).
const SHIPPED: &str = include_str!("../terms/terms-of-use.txt");

/// The first line of the shipped terms' English version: pages mark what follows
/// `lang="en"` and what precedes `lang="fr"` (WCAG 3.1.2, language of parts).
pub const SHIPPED_ENGLISH: &str = "TERMS OF USE OF THE SECURE HEALTH MESSAGING SERVICE";

/// What the shipped terms of use say that only the operator knows (their `[terms]`,
/// `[traces]` and `[retention]` settings).
#[derive(Clone, Debug)]
pub struct ShippedTerms {
    /// The operator's mail domain, naming the service.
    pub domain: String,
    /// How to reach the data protection officer (`[terms] dpo_contact`).
    pub dpo_contact: String,
    /// The certified health-data host and its certificate (`[terms] certified_host`).
    pub certified_host: String,
    /// Days without a login before a mailbox is deleted; `None`: never (RT-1).
    pub inactivity_days: Option<u32>,
    /// Days traces are kept (TR-2).
    pub trace_days: u32,
}

impl ShippedTerms {
    /// The shipped text with the operator's facts, as version `version`.
    pub fn render(&self, version: &str) -> Terms {
        let (inactivity_fr, inactivity_en) = match self.inactivity_days {
            Some(days) => (
                format!(
                    "Une messagerie sans connexion pendant {days} jours est supprimée. Vous \
                     êtes prévenu à votre adresse de contact 60, 30 et 7 jours avant\u{202F}: \
                     une connexion suffit à la garder."
                ),
                format!(
                    "A mailbox with no login for {days} days is deleted. You are warned at \
                     your contact address 60, 30 and 7 days before: logging in keeps it."
                ),
            ),
            None => (
                "Une messagerie n'est pas supprimée pour inactivité.".to_owned(),
                "A mailbox is not deleted for inactivity.".to_owned(),
            ),
        };
        let text = SHIPPED
            .replace("{domain}", &self.domain)
            .replace("{dpo_contact}", &self.dpo_contact)
            .replace("{certified_host}", &self.certified_host)
            .replace("{trace_days}", &self.trace_days.to_string())
            .replace("{inactivity_fr}", &inactivity_fr)
            .replace("{inactivity_en}", &inactivity_en);
        Terms {
            version: version.to_owned(),
            text,
        }
    }
}

impl Service {
    /// The terms of use in force, if the operator set any.
    pub fn terms(&self) -> Option<&Terms> {
        self.config.terms.as_ref()
    }

    /// The terms of use `login`'s person still has to accept before using the
    /// service (IN-1): the version in force when they did not accept it yet.
    pub async fn terms_to_accept(&self, login: &Authenticated) -> Result<Option<&Terms>> {
        let Some(terms) = &self.config.terms else {
            return Ok(None);
        };
        let accepted = self.accepted(login.account().id, &terms.version).await?;
        Ok((!accepted).then_some(terms))
    }

    /// Records that the logged-in user accepts the terms `version`, which must be the
    /// current one (IN-1); traced.
    pub async fn accept_terms(&self, login: &Authenticated, version: &str) -> Result<()> {
        let Some(terms) = &self.config.terms else {
            return Err(ServiceError::Invalid(
                "there are no terms of use to accept".into(),
            ));
        };
        if terms.version != version {
            return Err(ServiceError::Invalid(format!(
                "the terms of use in force are version {}; read and accept that one",
                terms.version
            )));
        }
        let account = login.account().id;
        let mut trace =
            login
                .caller()
                .event(self.now_ms(), Action::TermsAccept, Object::of(account));
        trace.detail = Some(Detail::of(Requirement::In1));
        Ok(self
            .store
            .accept_terms(account, &terms.version, self.clock.now(), &trace)
            .await?)
    }

    /// Refuses `caller` the use of the service until its person accepted the current
    /// terms (IN-1). Operators and the system are not users.
    pub(crate) async fn require_terms(&self, caller: &Caller) -> Result<()> {
        let (Some(terms), Actor::Account(person)) = (&self.config.terms, &caller.actor) else {
            return Ok(());
        };
        if self.accepted(*person, &terms.version).await? {
            return Ok(());
        }
        Err(ServiceError::Refused(Refusal {
            requirement: Requirement::In1,
            reason: format!(
                "accept the terms of use (version {}) on the web service first",
                terms.version
            ),
        }))
    }

    async fn accepted(&self, account: AccountId, version: &str) -> Result<bool> {
        Ok(self.store.accepted_terms(account, version).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in1_the_shipped_terms_state_purpose_inactivity_traces_rights_dpo_and_host() {
        let facts = ShippedTerms {
            domain: "caduceus.test".into(),
            dpo_contact: "dpo@operateur.example, 1 rue de la Paix, Paris".into(),
            certified_host: "Hébergeur Exemple, certificat HDS n° 42".into(),
            inactivity_days: Some(365),
            trace_days: 365,
        };
        let terms = facts.render("2026-12");
        assert_eq!(terms.version, "2026-12");
        let text = &terms.text;
        assert!(!text.contains('{'), "a field left unfilled: {text}");
        let (french, english) = text.split_at(text.find(SHIPPED_ENGLISH).unwrap());
        for (said, words) in [
            (
                french,
                [
                    "Objet",
                    "pas fait pour les urgences\u{202F}: appelez le 15 ou le 112",
                    "sans connexion pendant 365 jours est supprimée",
                    "traces sont conservées 365 jours",
                    "Vos droits et comment les exercer",
                    "Délégué à la protection des données\ndpo@operateur.example",
                    "hébergeur certifié de données de santé (HDS)\u{202F}: Hébergeur Exemple",
                ],
            ),
            (
                english,
                [
                    "Purpose",
                    "not for emergencies: call 15 or 112",
                    "no login for 365 days is deleted",
                    "Traces are kept 365 days",
                    "Your rights and how to exercise them",
                    "Data protection officer\ndpo@operateur.example",
                    "certified health data host (HDS): Hébergeur Exemple",
                ],
            ),
        ] {
            for word in words {
                assert!(said.contains(word), "{word:?} missing from:\n{said}");
            }
        }
        let never = ShippedTerms {
            inactivity_days: None,
            ..facts
        };
        assert!(
            never
                .render("1")
                .text
                .contains("pas supprimée pour inactivité")
        );
    }
}
