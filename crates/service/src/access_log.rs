//! The patient's right to know who accessed their data (TR-4, AC-3): every message
//! copy is linked at delivery to the patients it concerns; each read of such a copy by
//! someone else is recorded for the patient, who is told (through the MS-7 channel,
//! fixed text) the first time a given professional accesses their data.

use caduceus_audit::Action;
use caduceus_core::MailAddress;
use caduceus_store::{Account, AccountId, Delivered, MessageId};

use crate::error::{Result, ServiceError};
use crate::ingest::MessageMeta;
use crate::notify::Notice;
use crate::{Caller, Service};

/// One access to a patient's data, as the patient sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEntry {
    /// Who: their address and name (a professional's, or an organisation's).
    pub actor: MailAddress,
    /// Their display name.
    pub actor_name: String,
    /// What, such as `message.read`.
    pub action: String,
    /// Which message copy.
    pub message: MessageId,
    /// When.
    pub at: caduceus_core::Timestamp,
}

impl Service {
    /// After delivery: links every stored copy to the patients it concerns — patient
    /// recipients here, a local patient sender, the patient of an XDM attachment.
    pub(crate) async fn link_patients(
        &self,
        from: Option<&MailAddress>,
        found: &[Option<Account>],
        meta: &MessageMeta,
        delivered: &[Delivered],
    ) -> Result<()> {
        let mut patients: Vec<AccountId> = found
            .iter()
            .flatten()
            .filter(|a| a.address.patient_ins().is_some())
            .map(|a| a.id)
            .collect();
        let mut addresses: Vec<MailAddress> = from
            .filter(|f| f.patient_ins().is_some() && self.is_local(f))
            .cloned()
            .into_iter()
            .collect();
        for ins in &meta.patients {
            if let Ok(ins) = caduceus_core::Ins::parse(ins)
                && let Ok(address) = MailAddress::patient(&ins, &self.config.domain)
            {
                addresses.push(address);
            }
        }
        for address in addresses {
            if let Some(account) = self.store.account_by_address(&address).await? {
                patients.push(account.id);
            }
        }
        patients.sort_unstable_by_key(|p| p.0);
        patients.dedup();
        let links: Vec<(MessageId, AccountId)> = delivered
            .iter()
            .flat_map(|d| patients.iter().map(move |p| (d.message, *p)))
            .collect();
        Ok(self.store.link_message_patients(&links).await?)
    }

    /// Records `reader`'s accesses (`action`: a read, headers shown, a search) to
    /// `messages` for the patients they concern, and tells each patient reached by this
    /// person for the first time.
    pub(crate) async fn record_reads(
        &self,
        reader: Option<AccountId>,
        action: Action,
        messages: &[MessageId],
    ) {
        let Some(reader) = reader else {
            return;
        };
        let first = match self
            .store
            .record_patient_accesses(reader, action.as_str(), messages, self.clock.now())
            .await
        {
            Ok(first) => first,
            Err(error) => {
                tracing::warn!(%error, "patient access not recorded (TR-4)");
                return;
            }
        };
        for patient in first {
            let Ok(Some(to)) = self.store.contact_email(patient).await else {
                continue;
            };
            let notifier = self.notifier.clone();
            tokio::spawn(async move {
                if let Err(reason) = notifier.send(Notice::FirstAccess { to }).await {
                    tracing::warn!(%patient, %reason, "first-access notice not sent (TR-4)");
                }
            });
        }
    }

    /// Who accessed data concerning `patient`, oldest first (TR-4): asked by the
    /// patient themself (AC-3) or the operator on their request, the operator's
    /// reading traced (TR-1). Never content.
    pub async fn patient_access_log(
        &self,
        caller: &Caller,
        patient: AccountId,
    ) -> Result<Vec<AccessEntry>> {
        if !self.speaks_for(caller, patient).await? {
            self.require_console(caller, caduceus_core::Duty::ManageAccounts)
                .await?;
            let object = caduceus_audit::Object::of(patient);
            let tr4 = caduceus_core::Requirement::Tr4;
            let success = caduceus_audit::Outcome::Success;
            self.trace_rule(caller, Action::AdminAction, object, tr4, success)
                .await?;
        }
        let account = self.store.account(patient).await?;
        if account.address.patient_ins().is_none() {
            return Err(ServiceError::Invalid(
                "the access log is a patient's (TR-4)".into(),
            ));
        }
        let mut entries = Vec::new();
        for access in self.store.patient_accesses(patient).await? {
            let actor = self.store.account(access.actor).await?;
            entries.push(AccessEntry {
                actor: actor.address,
                actor_name: actor.display_name,
                action: access.action,
                message: access.message,
                at: access.at,
            });
        }
        Ok(entries)
    }
}
