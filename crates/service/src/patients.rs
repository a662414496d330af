//! The patient rules at delivery, on every path a message enters (submission, operator
//! relay, local delivery): who may write to whom (MS-8), blocks (MS-10), opposition
//! (MS-9), identifying subjects (MS-11); and what patients — or professionals on their
//! behalf — manage: blocks and opposition.

use caduceus_audit::{Action, Detail, Fact, Marker, Object, Recorder, Setting};
use caduceus_core::Requirement;
use caduceus_core::health::{self, Conversation, Party, ins_header};
use caduceus_core::{Ins, MailAddress, Refusal};
use caduceus_store::{Account, AccountId, PatientExchange};

use crate::error::{Result, ServiceError};
use crate::ingest::MessageMeta;
use crate::{Actor, Caller, Service};

/// How the rules treat a message's subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SubjectVerdict {
    /// Nothing identifies a patient.
    Clean,
    /// A relayed message whose subject identifies a patient: delivered with a warning
    /// header for the recipient's client (MS-11, relayed mail).
    Flag,
}

fn party(address: &MailAddress) -> Party {
    match address.patient_ins() {
        Some(_) => Party::Patient,
        None => Party::Professional,
    }
}

impl Service {
    /// The `X-MSS-INS` line to put on a message submitted here that concerns patients
    /// (a patient's mailbox among its sender and recipients, or its XDM attachments),
    /// when it carries none yet; `None` otherwise, and for relayed mail.
    pub(crate) fn ins_header_for(
        &self,
        relayed: bool,
        from: Option<&MailAddress>,
        recipients: &[MailAddress],
        meta: &MessageMeta,
        raw: &[u8],
    ) -> Option<String> {
        let stated =
            caduceus_core::has_header(caduceus_core::header_section(raw), ins_header::HEADER);
        if relayed || stated {
            return None;
        }
        // A patient among the recipients is named only when the To: or Cc: field shows
        // them: every copy carries the same header, and a blind copy's patient must not
        // be revealed to the others.
        let shown = |address: &&MailAddress| {
            meta.to.iter().chain(&meta.cc).any(|a| {
                a.address
                    .as_deref()
                    .and_then(|a| MailAddress::parse(a.trim()).ok())
                    .as_ref()
                    == Some(*address)
            })
        };
        let mut patients: Vec<caduceus_core::Ins> = from
            .into_iter()
            .chain(recipients.iter().filter(shown))
            .filter_map(MailAddress::patient_ins)
            .chain(
                meta.patients
                    .iter()
                    .filter_map(|i| caduceus_core::Ins::parse(i).ok()),
            )
            .collect();
        patients.sort_unstable_by(|a, b| a.expose().cmp(b.expose()));
        patients.dedup_by(|a, b| a.expose() == b.expose());
        let listed: Vec<&caduceus_core::Ins> = patients.iter().collect();
        (!listed.is_empty()).then(|| ins_header::ins_header_line(&listed))
    }

    /// Applies the patient rules to a message from `from` (none: a system message or a
    /// bounce), sent by `person` (who may act for the organisation `from`), to
    /// `recipients` (local, with their accounts in `found`, then remote). A patient's
    /// block holds against the person and against the address sent from (MS-10). An
    /// identifying subject is refused, or only flagged when `relayed` by a peer operator
    /// and the operator chose so.
    pub(crate) async fn check_patient_rules(
        &self,
        from: Option<&MailAddress>,
        person: Option<&MailAddress>,
        recipients: &[&MailAddress],
        found: &[Option<Account>],
        meta: &MessageMeta,
        relayed: bool,
    ) -> Result<SubjectVerdict> {
        let refuse = |refusal: Refusal| ServiceError::Refused(refusal);
        for &recipient in recipients {
            let to = party(recipient);
            if let Some(from) = from {
                let sender = party(from);
                let conversation = if sender == Party::Patient && to == Party::Professional {
                    match self
                        .store
                        .patient_exchange(from.as_str(), recipient.as_str())
                        .await?
                    {
                        None => Conversation::None,
                        Some(PatientExchange::Open) => Conversation::Open,
                        Some(PatientExchange::Ended) => Conversation::Ended,
                    }
                } else {
                    Conversation::None
                };
                health::check_exchange(sender, to, conversation).map_err(refuse)?;
                if to == Party::Patient {
                    let blocked = self
                        .store
                        .patient_blocks(recipient.as_str())
                        .await?
                        .iter()
                        .any(|b| b == from.as_str() || person.is_some_and(|p| b == p.as_str()));
                    health::check_not_blocked(blocked).map_err(refuse)?;
                }
            }
            if let Some(ins) = recipient.patient_ins() {
                let opposed = self.store.opposition(ins.expose()).await?.is_some();
                health::check_no_opposition(opposed).map_err(refuse)?;
            }
        }
        // Content the server cannot read must name its patient in clear (MS-9, MS-3).
        let to_patient = recipients.iter().any(|r| party(r) == Party::Patient);
        health::check_patient_declared(
            meta.enveloped,
            to_patient,
            meta.enveloped_xdm,
            !meta.patients.is_empty(),
        )
        .map_err(refuse)?;
        if let Some(error) = &meta.xdm_error {
            return Err(refuse(Refusal {
                requirement: Requirement::Ms9,
                reason: format!(
                    "{error}, so the patient it concerns cannot be checked; correct it \
                     (a well-formed IHE_XDM.zip, a valid INS) and send again"
                ),
            }));
        }
        for ins in &meta.patients {
            let opposed = self.store.opposition(ins).await?.is_some();
            health::check_no_opposition(opposed).map_err(refuse)?;
        }
        // The patients it concerns: its patient recipients, those its X-MSS-INS headers
        // and XDM packages name (their accounts here, and the names the packages give),
        // between professionals too (MS-11).
        let mut concerned = Vec::new();
        for ins in meta.patients.iter().filter_map(|i| Ins::parse(i).ok()) {
            let Ok(address) = MailAddress::patient(&ins, &self.config.domain) else {
                continue;
            };
            if let Some(account) = self.store.account_by_address(&address).await? {
                concerned.push(account.display_name);
            }
        }
        let names: Vec<&str> = found
            .iter()
            .flatten()
            .filter(|a| a.address.patient_ins().is_some())
            .map(|a| a.display_name.as_str())
            .chain(concerned.iter().map(String::as_str))
            .chain(meta.patient_names.iter().map(String::as_str))
            .collect();
        match meta
            .subject
            .as_deref()
            .map(|s| health::check_subject(s, &names))
        {
            Some(Err(_)) if relayed && self.config.flag_relayed_subjects => {
                Ok(SubjectVerdict::Flag)
            }
            Some(Err(refusal)) => Err(refuse(refusal)),
            _ => Ok(SubjectVerdict::Clean),
        }
    }

    /// After delivery: a professional writing to a patient opens the exchange, or
    /// ends it with `[FIN]` / `X-MSS-MES: FIN` (MS-8).
    pub(crate) async fn record_exchanges(
        &self,
        from: Option<&MailAddress>,
        recipients: &[&MailAddress],
        meta: &MessageMeta,
    ) -> Result<()> {
        let Some(from) = from.filter(|f| party(f) == Party::Professional) else {
            return Ok(());
        };
        let state = if health::ends_exchange(meta.subject.as_deref(), meta.mss_mes.as_deref()) {
            PatientExchange::Ended
        } else {
            PatientExchange::Open
        };
        for recipient in recipients.iter().filter(|r| party(r) == Party::Patient) {
            self.store
                .set_patient_exchange(recipient.as_str(), from.as_str(), state, self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// Blocks (or unblocks) `professional` for the patient `patient` (MS-10): the
    /// patient themself, or the operator at their request. Traced with the patient's
    /// account id only.
    pub async fn set_block(
        &self,
        caller: &Caller,
        patient: AccountId,
        professional: &MailAddress,
        blocked: bool,
    ) -> Result<()> {
        if !self.speaks_for(caller, patient).await? {
            self.require_console(caller, caduceus_core::Duty::ManageAccounts)
                .await?;
        }
        let account = self.store.account(patient).await?;
        if account.address.patient_ins().is_none() {
            return Err(ServiceError::Invalid(
                "only a patient's mailbox blocks professionals (MS-10)".into(),
            ));
        }
        if blocked {
            self.require_professional(professional).await?;
        }
        let mut trace = caller.event(self.now_ms(), Action::PatientBlock, Object::of(patient));
        // A representative's block is traced to them, acting for the patient (ID-7).
        trace.acting_for = self.representing(caller, patient).await?.map(Into::into);
        trace.detail =
            Some(Detail::of(Requirement::Ms10).and(Fact::Switch(Setting::Block, blocked)));
        Ok(self
            .store
            .set_patient_block(
                account.address.as_str(),
                professional.as_str(),
                blocked,
                self.clock.now(),
                &trace,
            )
            .await?)
    }

    /// A block names a professional who exists (MS-10): a professional's mailbox
    /// here, or an address at another operator the national directory does not rule
    /// out (MS-2). Anything else is "not found", so a typing mistake shows instead of
    /// a block that protects from no one. Front ends ask it before confirming a block.
    pub async fn require_professional(&self, professional: &MailAddress) -> Result<()> {
        let unknown =
            || ServiceError::NotFound(format!("professional mailbox {}", professional.as_str()));
        if professional.patient_ins().is_some() {
            return Err(unknown());
        }
        if !self.is_local(professional) {
            return self
                .check_remote_recipient(professional)
                .await
                .map_err(|_| unknown());
        }
        match self.account_by_address(professional).await? {
            Some(_) => Ok(()),
            None => Err(unknown()),
        }
    }

    /// The professionals the patient `patient` blocked (the patient, or the operator).
    pub async fn blocks(&self, caller: &Caller, patient: AccountId) -> Result<Vec<String>> {
        if !self.speaks_for(caller, patient).await? {
            self.require_console(caller, caduceus_core::Duty::ManageAccounts)
                .await?;
        }
        let account = self.store.account(patient).await?;
        Ok(self.store.patient_blocks(account.address.as_str()).await?)
    }

    /// Records (`opposed`) or withdraws a patient's opposition to exchanges about them
    /// (MS-9). Recorded by the patient themself, by an active professional on their
    /// behalf, or by the operator; the record keeps who, and a second record changes
    /// nothing. Withdrawn only by the patient, or by whoever recorded it (acting on the
    /// patient's request): anyone else is refused, and the refusal traced. Traced
    /// without the INS.
    pub async fn set_opposition(&self, caller: &Caller, ins: &Ins, opposed: bool) -> Result<()> {
        let recorder = self.traced_party(caller, ins).await?;
        let existing = self.store.opposition(ins.expose()).await?;
        let object = self.patient_object(ins).await?;
        let mut trace = caller.event(self.now_ms(), Action::PatientOpposition, object);
        // A representative's choice is traced to them, acting for the patient (ID-7).
        if let Ok(address) = MailAddress::patient(ins, &self.config.domain)
            && let Some(patient) = self.store.account_by_address(&address).await?
        {
            trace.acting_for = self.representing(caller, patient.id).await?.map(Into::into);
        }
        trace.detail = Some(
            Detail::of(Requirement::Ms9)
                .and(Fact::Switch(Setting::Opposition, opposed))
                .and(recorder.kind()),
        );
        match (&existing, opposed) {
            (Some(_), true) | (None, false) => Ok(()),
            (None, true) => {
                let recorded = Some((recorder.recorded_by(), self.clock.now()));
                Ok(self
                    .store
                    .set_opposition(ins.expose(), recorded, &trace)
                    .await?)
            }
            (Some(record), false) if recorder.may_withdraw(record) => Ok(self
                .store
                .set_opposition(ins.expose(), None, &trace)
                .await?),
            (Some(_), false) => {
                trace.outcome = caduceus_audit::Outcome::Refused;
                self.store.append_traces(&[trace]).await?;
                Err(ServiceError::Denied {
                    requirement: Requirement::Ms9,
                    reason: "only the patient, or whoever recorded the opposition at the \
                             patient's request, withdraws it"
                        .into(),
                })
            }
        }
    }

    /// [`Self::opposition_party`], a refusal traced (`access.denied`, AC-1).
    async fn traced_party(&self, caller: &Caller, ins: &Ins) -> Result<OppositionParty> {
        match self.opposition_party(caller, ins).await {
            Err(denied @ ServiceError::Denied { requirement, .. }) => {
                self.trace_denied(caller, self.patient_object(ins).await?, requirement)
                    .await?;
                Err(denied)
            }
            other => other,
        }
    }

    /// Who `caller` is to the opposition of the patient `ins`: that patient, an active
    /// professional, or the operator; anyone else is refused (AC-1).
    async fn opposition_party(&self, caller: &Caller, ins: &Ins) -> Result<OppositionParty> {
        let Actor::Account(id) = caller.actor else {
            self.require_console(caller, caduceus_core::Duty::ManageAccounts)
                .await?;
            return Ok(OppositionParty::Operator(caller.actor.trace_id()));
        };
        let account = self.store.account(id).await?;
        if account.address.patient_ins().as_ref() == Some(ins) {
            return Ok(OppositionParty::Patient);
        }
        // A representative of the patient speaks as the patient (ID-7).
        if let Ok(address) = MailAddress::patient(ins, &self.config.domain)
            && let Some(patient) = self.store.account_by_address(&address).await?
            && self.represents(id, patient.id).await?
        {
            return Ok(OppositionParty::Patient);
        }
        match account.address.patient_ins() {
            Some(_) => Err(ServiceError::Denied {
                requirement: Requirement::Ac1,
                reason: "a patient reaches only their own opposition".into(),
            }),
            None if account.state.can_exchange() => Ok(OppositionParty::Professional(
                account.address.as_str().to_owned(),
            )),
            None => Err(ServiceError::Denied {
                requirement: Requirement::Ac1,
                reason: "only an active account reaches an opposition".into(),
            }),
        }
    }

    /// The patient's account as a trace object, or `patient:unregistered` (never the
    /// INS, TR-5).
    async fn patient_object(&self, ins: &Ins) -> Result<Object> {
        let unregistered = Object::of(Marker::UnregisteredPatient);
        let Ok(address) = MailAddress::patient(ins, &self.config.domain) else {
            return Ok(unregistered);
        };
        Ok(match self.store.account_by_address(&address).await? {
            Some(account) => Object::of(account.id),
            None => unregistered,
        })
    }

    /// A patient's opposition (MS-9). The patient, the one who recorded it and the
    /// operator see who recorded it and when; another active professional only whether
    /// there is one (who follows a patient is not theirs to know); another patient
    /// nothing (AC-1). The operator's reading is traced (TR-1).
    pub async fn opposition(&self, caller: &Caller, ins: &Ins) -> Result<OppositionStatus> {
        let party = self.traced_party(caller, ins).await?;
        if let OppositionParty::Operator(_) = party {
            let object = self.patient_object(ins).await?;
            self.trace_rule(
                caller,
                Action::AdminAction,
                object,
                Requirement::Ms9,
                caduceus_audit::Outcome::Success,
            )
            .await?;
        }
        Ok(match self.store.opposition(ins.expose()).await? {
            None => OppositionStatus::None,
            Some(record) if party.may_withdraw(&record) => OppositionStatus::Recorded(record),
            Some(_) => OppositionStatus::Opposed,
        })
    }
}

/// What a caller learns of a patient's opposition ([`Service::opposition`], MS-9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OppositionStatus {
    /// No opposition.
    None,
    /// The patient opposed; who recorded it is not the caller's to know.
    Opposed,
    /// The patient opposed: who recorded it and when.
    Recorded(caduceus_store::Opposition),
}

impl OppositionStatus {
    /// Whether the patient opposed.
    pub fn opposed(&self) -> bool {
        !matches!(self, OppositionStatus::None)
    }
}

/// Who acts on an opposition (MS-9).
enum OppositionParty {
    /// The patient themself.
    Patient,
    /// An active professional, by address.
    Professional(String),
    /// The operator, as traced (`op:<name>`).
    Operator(String),
}

impl OppositionParty {
    /// What the record keeps as its author.
    fn recorded_by(&self) -> &str {
        match self {
            OppositionParty::Patient => "patient",
            OppositionParty::Professional(address) => address,
            OppositionParty::Operator(id) => id,
        }
    }

    /// The kind traced (never an address, TR-5).
    fn kind(&self) -> Recorder {
        match self {
            OppositionParty::Patient => Recorder::Patient,
            OppositionParty::Professional(_) => Recorder::Professional,
            OppositionParty::Operator(_) => Recorder::Operator,
        }
    }

    /// The patient, or whoever recorded `record` (any operator for the operator's).
    fn may_withdraw(&self, record: &caduceus_store::Opposition) -> bool {
        match self {
            OppositionParty::Patient => true,
            OppositionParty::Professional(address) => &record.recorded_by == address,
            OppositionParty::Operator(_) => record.recorded_by.starts_with("op:"),
        }
    }
}
