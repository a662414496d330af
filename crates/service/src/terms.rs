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
