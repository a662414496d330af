//! A patient's representatives (ID-7): registered by a registration authority (or the
//! operator) on evidence of their capacity; in force, a representative acts for the
//! patient — the patient's mailbox opens to them as to a delegate (each access traced
//! with the person and `acting_for`), they send as the patient, record or withdraw
//! the patient's opposition, set the patient's blocks and read the access log. A
//! parent's representation ends by itself when the child comes of age
//! (`caduceus_core::representation`).

use caduceus_audit::{Action, Detail, Object};
use caduceus_core::representation::{self, Capacity, CapacityEvidence};
use caduceus_core::{AccountKind, Duty, Requirement, Timestamp};
use caduceus_store::{AccountId, Representation};

use crate::error::{Result, ServiceError};
use crate::{Caller, Service};

/// A representative to register.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appointment {
    /// The patient's account.
    pub patient: AccountId,
    /// The representative's own account (a person who logs in as themself).
    pub representative: AccountId,
    /// In which capacity.
    pub capacity: Capacity,
    /// What the registration authority saw.
    pub evidence: CapacityEvidence,
    /// When it ends (a parent's: the child's eighteenth birthday).
    pub until: Option<Timestamp>,
}

impl Service {
    /// Registers a representative of a patient (ID-7), under the duty of managing
    /// accounts: the patient's mailbox must be a patient's, the representative an
    /// active personal account other than the patient, the capacity's end ahead.
    pub async fn add_representative(
        &self,
        caller: &Caller,
        appointment: Appointment,
    ) -> Result<()> {
        self.require_duty(caller, Duty::ManageAccounts).await?;
        let patient = self.store.account(appointment.patient).await?;
        let person = self.store.account(appointment.representative).await?;
        if patient.kind != AccountKind::Patient {
            return Err(ServiceError::Invalid(
                "only a patient has representatives (ID-7)".into(),
            ));
        }
        let personal = matches!(
            person.kind,
            AccountKind::Patient | AccountKind::Professional
        );
        if !personal || !person.state.can_exchange() || person.id == patient.id {
            return Err(ServiceError::Invalid(
                "a representative is another person's active account (ID-7)".into(),
            ));
        }
        let now = self.clock.now();
        representation::check_registration(appointment.capacity, appointment.until, now)
            .map_err(ServiceError::Refused)?;
        let object = Object::of(patient.id).and(person.id);
        let mut trace = caller.event(now.as_millis(), Action::RepresentativeSet, object);
        trace.detail = Some(
            Detail::of(Requirement::Id7)
                .and(appointment.capacity)
                .and(appointment.evidence),
        );
        let representation = Representation {
            patient: patient.id,
            representative: person.id,
            capacity: appointment.capacity,
            evidence: appointment.evidence,
            until: appointment.until,
            registered: now,
        };
        Ok(self
            .store
            .set_representative(&representation, &trace)
            .await?)
    }

    /// Withdraws a representative (ID-7), under the duty of managing accounts.
    pub async fn remove_representative(
        &self,
        caller: &Caller,
        patient: AccountId,
        representative: AccountId,
    ) -> Result<()> {
        self.require_duty(caller, Duty::ManageAccounts).await?;
        let object = Object::of(patient).and(representative);
        let mut trace = caller.event(self.now_ms(), Action::RepresentativeSet, object);
        trace.detail = Some(Detail::of(Requirement::Id7));
        Ok(self
            .store
            .remove_representative(patient, representative, &trace)
            .await?)
    }

    /// Whether `person` represents the patient `patient` now.
    pub(crate) async fn represents(&self, person: AccountId, patient: AccountId) -> Result<bool> {
        let now = self.clock.now();
        Ok(self
            .store
            .representatives(patient)
            .await?
            .iter()
            .any(|r| r.representative == person && representation::in_force(r.until, now)))
    }

    /// The patient `caller` acts for as their representative now (ID-7), for a
    /// trace's `acting_for` (TR-1); none when the caller is the patient or anyone else.
    pub(crate) async fn representing(
        &self,
        caller: &Caller,
        patient: AccountId,
    ) -> Result<Option<AccountId>> {
        Ok(match caller.actor {
            crate::Actor::Account(id) if id != patient && self.represents(id, patient).await? => {
                Some(patient)
            }
            _ => None,
        })
    }

    /// Whether `caller` is the patient `patient` or represents them now.
    pub(crate) async fn speaks_for(&self, caller: &Caller, patient: AccountId) -> Result<bool> {
        match caller.actor {
            crate::Actor::Account(id) if id == patient => Ok(true),
            crate::Actor::Account(id) => self.represents(id, patient).await,
            _ => Ok(false),
        }
    }
}
