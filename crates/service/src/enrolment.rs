//! A professional's own registration (ID-1, ID-2; seed 004 §7.1: « l'utilisateur peut
//! créer lui-même son compte […] après contrôle de l'identité et de la qualité de
//! professionnel […] à partir des données lues dans sa carte CPS […] SI RPPS », with an
//! address outside MSSanté).
//!
//! Whoever presents a CPS card (a client certificate the TLS layer checked against the
//! anchors) or a Pro Santé Connect token (checked by the provider) and no account yet
//! asks for an address in the operator's domain and gives an out-of-band address. The
//! identifier and names are matched against the imported register extract
//! ([`caduceus_core::enrolment::check`]):
//! - matched: the account is created verified (the verification names the card or the
//!   register as evidence) and a one-time link goes to the out-of-band address; the
//!   link activates it ([`Service::confirm_registration`]). Nothing else is awaited.
//! - not matched: the account is created pending with what was presented and why, for a
//!   registration authority ([`Service::registration_requests`]), who verifies it as any
//!   other (`caduceus account verify`).
//!
//! Every step is traced with the new account as its actor (`acct:N`) and the proof used.

use std::time::Duration;

use caduceus_audit::{Action, Detail, Id, Marker, Object, Outcome};
use caduceus_core::enrolment::{self, Applicant, Mismatch, Proof, Verdict};
use caduceus_core::{
    AccountKind, Duty, Evidence, MailAddress, RegistryId, Requirement, SecretString, Timestamp,
};
use caduceus_store::{
    Account, AccountId, Confirmation, NewAccount, NewRegistration, RegistrationRequest,
    Verification,
};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::error::{Result, ServiceError};
use crate::federation::Asserted;
use crate::notify::Notice;

/// How long the confirmation link sent to the out-of-band address works.
pub const CONFIRMATION_VALIDITY: Duration = Duration::from_secs(48 * 3600);

/// What a professional asks for when registering themselves.
#[derive(Clone, Debug)]
pub struct Application {
    /// The mailbox address wanted, in the operator's domain.
    pub address: MailAddress,
    /// Their out-of-band address, outside the trust space (004 §7.1).
    pub contact: MailAddress,
}

/// What became of a self-registration.
#[derive(Clone, Debug)]
pub enum Registered {
    /// The register confirmed the applicant: the account is verified, and the link
    /// sent to the out-of-band address activates it.
    AwaitingConfirmation(Account),
    /// The register did not: the account waits, pending, for a registration
    /// authority, who sees why.
    Referred(Account, Mismatch),
}

impl Service {
    /// Registers the holder of the connection's card (ID-1, seed 004 §7.1): what its
    /// certificate says (the TLS layer checked it against the anchors).
    pub async fn register_with_card(
        &self,
        card: Asserted,
        application: &Application,
        source: &str,
    ) -> Result<Registered> {
        self.register_applicant(applicant(card, Proof::Card), application, source)
            .await
    }

    /// Registers the holder of a Pro Santé Connect access token, which the provider
    /// verifies (issuer, audience, expiry, signature, `acr`); a refused token counts
    /// as a failed login from `source` (AU-3, AU-4).
    pub async fn register_with_token(
        &self,
        token: &SecretString,
        application: &Application,
        source: &str,
    ) -> Result<Registered> {
        let asserted = self.assert_token(token, source).await?;
        let applicant = applicant(asserted, Proof::ProSanteConnect);
        self.register_applicant(applicant, application, source)
            .await
    }

    async fn register_applicant(
        &self,
        applicant: Applicant,
        application: &Application,
        source: &str,
    ) -> Result<Registered> {
        let identity = RegistryId::National(applicant.national_id.clone());
        if !self.store.accounts_by_identity(&identity).await?.is_empty() {
            return Err(ServiceError::Conflict(
                "an account already exists for this identifier: log in with your card".into(),
            ));
        }
        let address = self.check_operator_address(application.address.clone())?;
        if self.store.account_by_address(&address).await?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "the address {} is taken: choose another",
                address.as_str()
            )));
        }
        self.check_out_of_band(&application.contact)?;
        let records = self
            .store
            .register_records(&applicant.national_id.to_string())
            .await?;
        let verdict = enrolment::check(&applicant, &records);
        let display_name = match &verdict {
            Verdict::Matched(record) => {
                full_name(record.given_name.as_deref(), &record.family_name)
            }
            Verdict::Referred(_) => applicant
                .family_name
                .as_deref()
                .map(|family| full_name(applicant.given_name.as_deref(), family))
                .unwrap_or_else(|| address.as_str().to_owned()),
        };
        let at = self.clock.now();
        let account = NewAccount {
            address,
            kind: AccountKind::Professional,
            identity,
            display_name,
            at,
        };
        let verification = Verification {
            verified_by: format!(
                "self-registration: {} matched in the national register",
                applicant.proof
            ),
            evidence: match applicant.proof {
                Proof::Card => Evidence::CpsCard,
                Proof::ProSanteConnect => Evidence::RegistryMatch,
            },
            at,
        };
        let token = random_token();
        let outcome = match verdict {
            Verdict::Matched(_) => {
                // The link is sent before anything is stored: a registration never
                // waits on a confirmation nobody received.
                self.notifier
                    .send(Notice::RegistrationConfirmation {
                        to: application.contact.clone(),
                        token: SecretString::new(token.clone()),
                        valid_hours: (CONFIRMATION_VALIDITY.as_secs() / 3600) as u32,
                    })
                    .await
                    .map_err(|reason| {
                        ServiceError::Unavailable(format!(
                            "sending the confirmation link: {reason}"
                        ))
                    })?;
                Ok(Confirmation {
                    verification: &verification,
                    token_hash: Sha256::digest(token.as_bytes()).into(),
                    expires: Timestamp::from_millis(
                        at.as_millis() + CONFIRMATION_VALIDITY.as_millis() as i64,
                    ),
                })
            }
            Verdict::Referred(why) => Err(why),
        };
        let referred = outcome.as_ref().err().copied();
        let new = NewRegistration {
            account: &account,
            contact: &application.contact,
            proof: applicant.proof,
            family_name: applicant.family_name.as_deref(),
            given_name: applicant.given_name.as_deref(),
            verdict: outcome,
        };
        let now = at.as_millis();
        let source = source.to_owned();
        let traces = move |id: AccountId| {
            let caller = Caller {
                actor: Actor::Account(id),
                source: source.clone(),
            };
            let mut created = caller.event(
                now,
                Action::AccountCreate,
                Object::of(Id::Kind(AccountKind::Professional)),
            );
            created.detail = Some(Detail::of(Requirement::Id1));
            let mut registered = caller.event(now, Action::SelfRegister, Object::of(id));
            let mut detail = Detail::of(Requirement::Id1).and(applicant.proof);
            if let Some(why) = referred {
                detail = detail.and(why);
            }
            registered.detail = Some(detail);
            let mut events = vec![created, registered];
            if referred.is_none() {
                let mut verified = caller.event(now, Action::AccountVerify, Object::of(id));
                verified.detail = Some(Detail::of(verification.evidence));
                events.push(verified);
            }
            events
        };
        let stored = self.store.create_registration(&new, &traces).await?;
        Ok(match referred {
            None => Registered::AwaitingConfirmation(stored),
            Some(why) => Registered::Referred(stored, why),
        })
    }

    /// Follows the link sent to a self-registered professional's out-of-band address:
    /// the address is confirmed and the account active (ID-1, ID-2). An unknown,
    /// used or expired link is refused, changing nothing.
    pub async fn confirm_registration(&self, token: &str, source: &str) -> Result<AccountId> {
        let hash: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
        let now = self.now_ms();
        let source = source.to_owned();
        let traces = move |id: AccountId| {
            let caller = Caller {
                actor: Actor::Account(id),
                source: source.clone(),
            };
            let mut confirmed = caller.event(now, Action::ContactConfirm, Object::of(id));
            confirmed.detail = Some(Detail::of(Requirement::Id1));
            vec![
                confirmed,
                caller.event(now, Action::AccountActivate, Object::of(id)),
            ]
        };
        self.store
            .confirm_registration(&hash, Timestamp::from_millis(now), &traces)
            .await?
            .ok_or_else(|| {
                ServiceError::NotFound(
                    "this link is unknown, already used or expired: register again".into(),
                )
            })
    }

    /// The self-registrations waiting: referred ones for a registration authority to
    /// verify, confirmed ones for their holder's link (ID-1). For staff whose role
    /// manages accounts (AC-1), those of their structure for a registration authority
    /// of one; the reading is traced.
    pub async fn registration_requests(&self, caller: &Caller) -> Result<Vec<RegistrationRequest>> {
        self.require_scoped(caller, Duty::ManageAccounts).await?;
        let object = Object::of(Marker::RegistrationQueue);
        let (action, success) = (Action::AdminAction, Outcome::Success);
        self.trace_rule(caller, action, object, Requirement::Id1, success)
            .await?;
        let all = self.store.registration_requests().await?;
        self.keep_within(caller, Duty::ManageAccounts, all, |r| r.account)
            .await
    }
}

/// The applicant `asserted` names, proved by `proof`.
fn applicant(asserted: Asserted, proof: Proof) -> Applicant {
    Applicant {
        national_id: asserted.national_id,
        family_name: asserted.family_name,
        given_name: asserted.given_name,
        proof,
    }
}

/// `Given Family`, or the family name alone.
fn full_name(given: Option<&str>, family: &str) -> String {
    match given.map(str::trim).filter(|g| !g.is_empty()) {
        Some(given) => format!("{given} {}", family.trim()),
        None => family.trim().to_owned(),
    }
}

/// 256 random bits in hex: a confirmation link's token.
fn random_token() -> String {
    let mut random = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut random);
    hex::encode(random)
}
