//! Patients found by name (issue 22): as a professional writes, the patients they
//! already exchanged with — wrote to, and so may hear from (MS-8) — whose name
//! matches what they typed, ignoring case and accents. Never another patient, never
//! another professional's: the holder only (AC-1); each search traced without what
//! was typed (TR-1, TR-5).

use caduceus_audit::{Action, Detail, Object};
use caduceus_core::directory::fold;
use caduceus_core::{AccountState, MailAddress, Requirement};
use caduceus_store::AccountId;

use crate::error::{Result, ServiceError};
use crate::{Caller, Service};

/// The most patients a search answers.
const MOST: usize = 10;

/// A patient the professional exchanged with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownPatient {
    /// Their mailbox address (their INS at the operator's domain).
    pub address: MailAddress,
    /// Their name, as their account holds it.
    pub name: String,
}

impl Service {
    /// The patients `professional` exchanged with whose name holds `typed` (at least
    /// two letters; case and accents ignored), by name, ten at most. Only the
    /// professional themself may ask (AC-1: a refusal is traced); each search is
    /// traced (`directory.search` on their account, TR-1), without what was typed.
    pub async fn known_patients(
        &self,
        caller: &Caller,
        professional: AccountId,
        typed: &str,
    ) -> Result<Vec<KnownPatient>> {
        if caller.actor != crate::Actor::Account(professional) {
            self.trace_denied(caller, Object::of(professional), Requirement::Ac1)
                .await?;
            return Err(ServiceError::Denied {
                requirement: Requirement::Ac1,
                reason: "only the professional finds the patients they exchanged with".into(),
            });
        }
        let holder = self.store.account(professional).await?;
        let mut trace = caller.event(
            self.now_ms(),
            Action::DirectorySearch,
            Object::of(professional),
        );
        trace.detail = Some(Detail::of(Requirement::Ms8));
        self.store.append_traces(&[trace]).await?;
        let wanted = fold(typed.trim());
        if wanted.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let mut found = Vec::new();
        for address in self
            .store
            .patients_exchanged_with(holder.address.as_str())
            .await?
        {
            let Ok(address) = MailAddress::parse(&address) else {
                continue;
            };
            let Some(patient) = self.store.account_by_address(&address).await? else {
                continue;
            };
            if patient.state == AccountState::Active
                && fold(&patient.display_name).contains(&wanted)
            {
                found.push(KnownPatient {
                    address,
                    name: patient.display_name,
                });
            }
        }
        found.sort_by(|a, b| a.name.cmp(&b.name));
        found.truncate(MOST);
        Ok(found)
    }
}
