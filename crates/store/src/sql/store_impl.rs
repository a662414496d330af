//! The [`Store`] trait for [`SqlStore`], forwarding to the modules by area.

use async_trait::async_trait;
use caduceus_audit::{Checkpoint, Entry, Event};
use caduceus_core::{
    AccountState, FailureState, FlagChange, MailAddress, OneTimeCode, PhoneNumber, RegistryId,
    Timestamp,
};

use super::{
    SqlStore, accounts, activity, announcements, auth, breaches, broadcasts, corrections,
    directory, folders, jobs, messages, notices, outbound, patients, personal, registrations,
    representatives, traces, web,
};
use crate::Store;
use crate::error::Result;
use crate::listing::PresentMessage;
use crate::model::*;
use crate::registration::{NewRegistration, RegistrationRequest};
use caduceus_core::enrolment::RegisterRecord;

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.db.pool).await?;
        Ok(())
    }
    async fn create_account(&self, new: &NewAccount, trace: &Event) -> Result<Account> {
        accounts::create(self, new, trace).await
    }
    async fn account(&self, id: AccountId) -> Result<Account> {
        accounts::get(self, id).await
    }
    async fn account_by_address(&self, address: &MailAddress) -> Result<Option<Account>> {
        accounts::by_address(self, address).await
    }
    async fn accounts_by_address(&self, addresses: &[MailAddress]) -> Result<Vec<Account>> {
        accounts::by_addresses(self, addresses).await
    }
    async fn accounts(&self) -> Result<Vec<Account>> {
        accounts::all(self).await
    }
    async fn record_verification(
        &self,
        id: AccountId,
        verification: &Verification,
        trace: &Event,
    ) -> Result<Account> {
        accounts::record_verification(self, id, verification, trace).await
    }
    async fn verifications(&self, id: AccountId) -> Result<Vec<Verification>> {
        accounts::verifications(self, id).await
    }
    async fn set_account_state(
        &self,
        id: AccountId,
        state: AccountState,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()> {
        accounts::set_state(self, id, state, at, trace).await
    }
    async fn set_encrypt_at_rest(
        &self,
        id: AccountId,
        since: Option<Timestamp>,
        trace: &Event,
    ) -> Result<()> {
        accounts::set_encrypt_at_rest(self, id, since, trace).await
    }
    async fn set_password_hash(&self, id: AccountId, hash: &str, trace: &Event) -> Result<()> {
        accounts::set_password_hash(self, id, hash, trace).await
    }
    async fn password_hash(&self, id: AccountId) -> Result<Option<String>> {
        accounts::password_hash(self, id).await
    }
    async fn add_delegate(
        &self,
        organisation: AccountId,
        delegate: AccountId,
        trace: &Event,
    ) -> Result<()> {
        let at = Timestamp::from_millis(trace.at_ms);
        accounts::add_delegate(self, organisation, delegate, at, trace).await
    }
    async fn remove_delegate(
        &self,
        organisation: AccountId,
        delegate: AccountId,
        trace: &Event,
    ) -> Result<()> {
        accounts::remove_delegate(self, organisation, delegate, trace).await
    }
    async fn delegates(&self, organisation: AccountId) -> Result<Vec<AccountId>> {
        accounts::delegates(self, organisation).await
    }
    async fn delegated_to(&self, delegate: AccountId) -> Result<Vec<AccountId>> {
        accounts::delegated_to(self, delegate).await
    }
    async fn destroy_account(&self, id: AccountId, trace: &Event) -> Result<()> {
        accounts::destroy(self, id, trace).await
    }
    async fn accounts_by_identity(&self, identity: &RegistryId) -> Result<Vec<Account>> {
        accounts::by_identity(self, identity).await
    }
    async fn create_device(
        &self,
        account: AccountId,
        name: &str,
        secret_hash: &[u8],
        at: Timestamp,
        trace: &Event,
    ) -> Result<Device> {
        auth::create_device(self, account, name, secret_hash, at, trace).await
    }
    async fn devices(&self, account: AccountId) -> Result<Vec<Device>> {
        auth::devices(self, account).await
    }
    async fn device_secret(&self, id: DeviceId) -> Result<Option<DeviceSecret>> {
        auth::device_secret(self, id).await
    }
    async fn touch_device(&self, id: DeviceId, at: Timestamp) -> Result<()> {
        auth::touch_device(self, id, at).await
    }
    async fn revoke_device(
        &self,
        account: AccountId,
        id: DeviceId,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()> {
        auth::revoke_device(self, account, id, at, trace).await
    }
    async fn set_totp(
        &self,
        account: AccountId,
        secret: Option<&[u8]>,
        trace: &Event,
    ) -> Result<()> {
        auth::set_totp(self, account, secret, trace).await
    }
    async fn totp(&self, account: AccountId) -> Result<Option<TotpState>> {
        auth::totp(self, account).await
    }
    async fn use_totp_step(&self, account: AccountId, step: i64) -> Result<bool> {
        auth::use_totp_step(self, account, step).await
    }
    async fn set_contact_email(
        &self,
        account: AccountId,
        email: Option<&MailAddress>,
        trace: &Event,
    ) -> Result<()> {
        auth::set_contact_email(self, account, email, trace).await
    }
    async fn contact_email(&self, account: AccountId) -> Result<Option<MailAddress>> {
        auth::contact_email(self, account).await
    }
    async fn set_contact_phone(
        &self,
        account: AccountId,
        phone: Option<&PhoneNumber>,
        trace: &Event,
    ) -> Result<()> {
        auth::set_contact_phone(self, account, phone, trace).await
    }
    async fn contact_phone(&self, account: AccountId) -> Result<Option<PhoneNumber>> {
        auth::contact_phone(self, account).await
    }
    async fn set_new_mail_notice(
        &self,
        account: AccountId,
        enabled: bool,
        trace: &Event,
    ) -> Result<()> {
        notices::set_new_mail_notice(self, account, enabled, trace).await
    }
    async fn new_mail_notice(&self, account: AccountId) -> Result<bool> {
        notices::new_mail_notice(self, account).await
    }
    async fn claim_new_mail_notice(
        &self,
        account: AccountId,
        now: Timestamp,
        quiet_since: Timestamp,
    ) -> Result<Option<MailAddress>> {
        notices::claim_new_mail_notice(self, account, now, quiet_since).await
    }
    async fn put_login_code(
        &self,
        account: AccountId,
        code: &OneTimeCode,
        expires: Timestamp,
    ) -> Result<()> {
        auth::put_login_code(self, account, code, expires).await
    }
    async fn login_code(&self, account: AccountId) -> Result<Option<LoginCode>> {
        auth::login_code(self, account).await
    }
    async fn login_code_matches(&self, account: AccountId, code: &OneTimeCode) -> Result<bool> {
        auth::login_code_matches(self, account, code).await
    }
    async fn login_code_attempt(&self, account: AccountId) -> Result<()> {
        auth::login_code_attempt(self, account).await
    }
    async fn delete_login_code(&self, account: AccountId) -> Result<()> {
        auth::delete_login_code(self, account).await
    }
    async fn failure_state(&self, subject: &str) -> Result<FailureState> {
        auth::failure_state(self, subject).await
    }
    async fn set_failure_state(&self, subject: &str, state: &FailureState) -> Result<()> {
        auth::set_failure_state(self, subject, state).await
    }
    async fn update_failure_state(
        &self,
        subject: &str,
        update: &(dyn Fn(FailureState) -> FailureState + Send + Sync),
    ) -> Result<(FailureState, FailureState)> {
        auth::update_failure_state(self, subject, update).await
    }
    async fn raise_alert(
        &self,
        at: Timestamp,
        kind: &str,
        subject: &str,
        detail: &str,
        trace: &Event,
    ) -> Result<()> {
        auth::raise_alert(self, at, kind, subject, detail, trace).await
    }
    async fn alerts(&self) -> Result<Vec<Alert>> {
        auth::alerts(self).await
    }
    async fn directory_mailbox_fingerprints(&self) -> Result<Vec<(String, Vec<u8>)>> {
        directory::mailbox_fingerprints(self).await
    }
    async fn directory_people_fingerprints(&self) -> Result<Vec<(String, Vec<u8>)>> {
        directory::people_fingerprints(self).await
    }
    async fn apply_directory(&self, changes: &DirectoryChanges, trace: &Event) -> Result<()> {
        directory::apply(self, changes, trace).await
    }
    async fn search_directory(
        &self,
        query: &DirectoryQuery,
        limit: i64,
    ) -> Result<Vec<DirectoryRow>> {
        directory::search(self, query, limit).await
    }
    async fn directory_entry(&self, address: &str) -> Result<Option<DirectoryRow>> {
        directory::entry(self, address).await
    }
    async fn directory_entries(&self, addresses: &[String]) -> Result<Vec<(DirectoryRow, bool)>> {
        directory::entries(self, addresses).await
    }
    async fn set_directory_preferences(
        &self,
        address: &str,
        preferences: DirectoryPreferences,
        trace: &Event,
    ) -> Result<()> {
        directory::set_preferences(self, address, preferences, trace).await
    }
    async fn directory_preferences(&self, address: &str) -> Result<DirectoryPreferences> {
        directory::preferences(self, address).await
    }
    async fn mailboxes(&self, account: AccountId) -> Result<Vec<Mailbox>> {
        messages::mailboxes(self, account).await
    }
    async fn mailbox(&self, account: AccountId, name: &str) -> Result<Option<Mailbox>> {
        messages::mailbox(self, account, name).await
    }
    async fn deliver(&self, delivery: &Delivery<'_>, traces: &[Event]) -> Result<Vec<Delivered>> {
        messages::deliver(self, delivery, traces).await
    }
    async fn relay_receipts_held(&self, receipts: &[[u8; 32]]) -> Result<Vec<[u8; 32]>> {
        outbound::receipts_held(self, receipts).await
    }
    async fn messages(&self, mailbox: MailboxId) -> Result<Vec<MessageSummary>> {
        messages::messages(self, mailbox).await
    }
    async fn message(&self, id: MessageId) -> Result<MessageSummary> {
        messages::message(self, id).await
    }
    async fn open_message(&self, id: MessageId, trace: &Event) -> Result<OpenedMessage> {
        messages::open(self, id, trace).await
    }
    async fn open_messages(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
        unseal: Unseal,
        traces: &[Event],
    ) -> Result<Vec<OpenedMessage>> {
        messages::open_many(self, folder, ids, unseal, traces).await
    }
    async fn open_messages_present(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
        unseal: Unseal,
    ) -> Result<Vec<Option<OpenedMessage>>> {
        messages::open_present(self, folder, ids, unseal).await
    }
    async fn messages_present(
        &self,
        folder: MailboxId,
        ids: &[MessageId],
    ) -> Result<Vec<Option<PresentMessage>>> {
        messages::present(self, folder, ids).await
    }
    async fn message_summaries(&self, ids: &[MessageId]) -> Result<Vec<MessageSummary>> {
        messages::summaries(self, ids).await
    }
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        at: Timestamp,
        trace: &Event,
    ) -> Result<Mailbox> {
        folders::create(self, account, name, at, trace).await
    }
    async fn rename_mailbox(
        &self,
        account: AccountId,
        from: &str,
        to: &str,
        trace: &Event,
    ) -> Result<()> {
        folders::rename(self, account, from, to, trace).await
    }
    async fn delete_mailbox(&self, mailbox: MailboxId, trace: &Event) -> Result<()> {
        folders::delete(self, mailbox, trace).await
    }
    async fn copy_messages(
        &self,
        ids: &[MessageId],
        account: AccountId,
        target: MailboxId,
        at: Timestamp,
        traces: &[Event],
    ) -> Result<Vec<Delivered>> {
        folders::copy(self, ids, account, target, at, traces).await
    }
    async fn move_messages(
        &self,
        ids: &[MessageId],
        account: AccountId,
        target: MailboxId,
        traces: &[Event],
    ) -> Result<Vec<Delivered>> {
        folders::move_to(self, ids, account, target, traces).await
    }
    fn watch_mailbox(&self, mailbox: MailboxId) -> tokio::sync::watch::Receiver<u64> {
        self.changes.watch(mailbox)
    }
    async fn messages_changed_since(
        &self,
        mailbox: MailboxId,
        modseq: i64,
    ) -> Result<Vec<MessageSummary>> {
        messages::changed_since(self, mailbox, modseq).await
    }
    async fn expunged_since(&self, mailbox: MailboxId, modseq: i64) -> Result<Vec<i64>> {
        messages::expunged_since(self, mailbox, modseq).await
    }
    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>> {
        folders::subscriptions(self, account).await
    }
    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()> {
        folders::set_subscribed(self, account, name, subscribed).await
    }
    async fn recent_claimed(&self, mailbox: MailboxId) -> Result<i64> {
        folders::recent_claimed(self, mailbox).await
    }
    async fn claim_recent(&self, mailbox: MailboxId, up_to: i64) -> Result<i64> {
        folders::claim_recent(self, mailbox, up_to).await
    }
    async fn account_usage(&self, account: AccountId) -> Result<(u64, u64)> {
        messages::account_usage(self, account).await
    }
    async fn patient_exchange(
        &self,
        patient: &str,
        professional: &str,
    ) -> Result<Option<PatientExchange>> {
        patients::exchange(self, patient, professional).await
    }
    async fn patients_exchanged_with(&self, professional: &str) -> Result<Vec<String>> {
        patients::exchanged_with(self, professional).await
    }
    async fn set_patient_exchange(
        &self,
        patient: &str,
        professional: &str,
        state: PatientExchange,
        at: Timestamp,
    ) -> Result<()> {
        patients::set_exchange(self, patient, professional, state, at).await
    }
    async fn set_patient_block(
        &self,
        patient: &str,
        professional: &str,
        blocked: bool,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()> {
        patients::set_block(self, patient, professional, blocked, at, trace).await
    }
    async fn patient_blocks(&self, patient: &str) -> Result<Vec<String>> {
        patients::blocks(self, patient).await
    }
    async fn set_opposition(
        &self,
        ins: &str,
        recorded: Option<(&str, Timestamp)>,
        trace: &Event,
    ) -> Result<()> {
        patients::set_opposition(self, ins, recorded, trace).await
    }
    async fn opposition(&self, ins: &str) -> Result<Option<Opposition>> {
        patients::opposition(self, ins).await
    }
    async fn link_message_patients(&self, links: &[(MessageId, AccountId)]) -> Result<()> {
        patients::link_message_patients(self, links).await
    }
    async fn record_patient_accesses(
        &self,
        actor: AccountId,
        action: &str,
        messages: &[MessageId],
        at: Timestamp,
    ) -> Result<Vec<AccountId>> {
        patients::record_patient_accesses(self, actor, action, messages, at).await
    }
    async fn patient_accesses(&self, patient: AccountId) -> Result<Vec<PatientAccess>> {
        patients::patient_accesses(self, patient).await
    }
    async fn take_job_lease(
        &self,
        job: &str,
        node: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool> {
        jobs::take_job_lease(self, job, node, now, until).await
    }
    async fn touch_activity(&self, account: AccountId, at: Timestamp) -> Result<()> {
        activity::touch(self, account, at).await
    }
    async fn last_activity(&self, account: AccountId) -> Result<Option<Timestamp>> {
        activity::last_auth(self, account).await
    }
    async fn record_inactivity_warning(
        &self,
        account: AccountId,
        stage: i64,
        at: Timestamp,
        token_hash: &[u8],
        trace: &Event,
    ) -> Result<()> {
        activity::record_warning(self, account, stage, at, token_hash, trace).await
    }
    async fn inactivity_warnings(&self, account: AccountId) -> Result<Vec<(i64, Timestamp)>> {
        activity::warnings(self, account).await
    }
    async fn account_by_objection(&self, token_hash: &[u8]) -> Result<Option<AccountId>> {
        activity::warned_by_token(self, token_hash).await
    }
    async fn accept_terms(
        &self,
        account: AccountId,
        version: &str,
        at: Timestamp,
        trace: &Event,
    ) -> Result<()> {
        activity::accept_terms(self, account, version, at, trace).await
    }
    async fn accepted_terms(&self, account: AccountId, version: &str) -> Result<bool> {
        activity::accepted_terms(self, account, version).await
    }
    async fn set_flags_many(
        &self,
        changes: &[(MessageId, FlagChange)],
        unchanged_since: Option<i64>,
        traces: &[Event],
    ) -> Result<FlagsOutcome> {
        messages::set_flags_many(self, changes, unchanged_since, traces).await
    }
    async fn set_flags(
        &self,
        id: MessageId,
        flags: &[String],
        trace: &Event,
    ) -> Result<MessageSummary> {
        messages::set_flags(self, id, flags, trace).await
    }
    async fn delete_message(&self, id: MessageId, trace: &Event) -> Result<()> {
        messages::delete(self, id, trace).await
    }
    async fn delete_messages(&self, ids: &[MessageId], traces: &[Event]) -> Result<()> {
        messages::delete_many(self, ids, traces).await
    }
    async fn claim_outbound(
        &self,
        node: &str,
        now: Timestamp,
        lease: std::time::Duration,
        limit: i64,
    ) -> Result<Vec<OutboundItem>> {
        outbound::claim(self, node, now, lease, limit).await
    }
    async fn open_outbound(&self, id: i64) -> Result<Vec<u8>> {
        outbound::open(self, id).await
    }
    async fn finish_outbound(
        &self,
        id: i64,
        node: &str,
        result: &AttemptResult,
        trace: &Event,
    ) -> Result<bool> {
        outbound::finish(self, id, node, result, trace).await
    }
    async fn outbound_status(&self, queue_ref: &str) -> Result<Vec<OutboundItem>> {
        outbound::status(self, queue_ref).await
    }
    async fn outbound_depth(&self) -> Result<i64> {
        outbound::depth(self).await
    }
    async fn append_traces(&self, events: &[Event]) -> Result<()> {
        self.append_traces_now(events).await
    }
    async fn trace_entries(&self, after: i64, limit: i64) -> Result<Vec<Entry>> {
        traces::entries(self, after, limit).await
    }
    async fn trace_entries_between(&self, from: Timestamp, until: Timestamp) -> Result<Vec<Entry>> {
        traces::entries_between(self, from, until).await
    }
    async fn latest_trace_entries(
        &self,
        since: Timestamp,
        action: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Entry>> {
        traces::latest(self, since, action, limit).await
    }
    async fn trace_counts_by_actor(
        &self,
        action: &str,
        from: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(String, u64)>> {
        traces::count_by_actor(self, action, from, until).await
    }
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        traces::checkpoints(self).await
    }
    async fn purge_traces(&self, before: Timestamp, trace: &Event) -> Result<PurgeReport> {
        traces::purge(self, before, trace).await
    }
    async fn create_web_session(&self, session: &WebSession) -> Result<()> {
        web::create_session(self, session).await
    }
    async fn web_session(&self, token_hash: &[u8]) -> Result<Option<WebSession>> {
        web::session(self, token_hash).await
    }
    async fn touch_web_session(&self, token_hash: &[u8], at: Timestamp) -> Result<()> {
        web::touch_session(self, token_hash, at).await
    }
    async fn delete_web_session(&self, token_hash: &[u8]) -> Result<bool> {
        web::delete_session(self, token_hash).await
    }
    async fn purge_expired(&self, now: Timestamp, before: Timestamp) -> Result<u64> {
        super::purge::expired(self, now, before).await
    }
    async fn purge_web_state(
        &self,
        now: Timestamp,
        idle_before: Timestamp,
        keys_before: Timestamp,
    ) -> Result<u64> {
        web::purge(self, now, idle_before, keys_before).await
    }
    async fn claim_idempotency(
        &self,
        account: AccountId,
        key: &str,
        fingerprint: &[u8],
        at: Timestamp,
    ) -> Result<IdempotencyClaim> {
        web::claim_idempotency(self, account, key, fingerprint, at).await
    }
    async fn settle_idempotency(
        &self,
        account: AccountId,
        key: &str,
        response: Option<&str>,
    ) -> Result<()> {
        web::settle_idempotency(self, account, key, response).await
    }
    async fn set_staff_role(
        &self,
        account: AccountId,
        grant: &StaffGrant,
        granted: Option<Timestamp>,
        trace: &Event,
    ) -> Result<()> {
        activity::set_staff_role(self, account, grant, granted, trace).await
    }
    async fn staff_roles(&self, account: AccountId) -> Result<Vec<StaffGrant>> {
        activity::staff_roles(self, account).await
    }
    async fn staff_members(&self) -> Result<i64> {
        activity::staff_members(self).await
    }
    async fn set_forwarding(
        &self,
        account: AccountId,
        target: Option<(&str, Timestamp)>,
        trace: &Event,
    ) -> Result<()> {
        activity::set_forwarding(self, account, target, trace).await
    }
    async fn forwarding(&self, account: AccountId) -> Result<Option<String>> {
        activity::forwarding(self, account).await
    }
    async fn alert_audience(
        &self,
        profession: Option<&str>,
        postal_prefixes: &[String],
    ) -> Result<Vec<String>> {
        broadcasts::audience(self, profession, postal_prefixes).await
    }
    async fn create_broadcast(
        &self,
        sender: AccountId,
        audience: &str,
        targeted: usize,
        at: Timestamp,
        trace: &Event,
    ) -> Result<i64> {
        broadcasts::create(self, sender, audience, targeted, at, trace).await
    }
    async fn update_broadcast(
        &self,
        id: i64,
        progress: &BroadcastProgress,
        at: Timestamp,
    ) -> Result<()> {
        broadcasts::update(self, id, progress, at).await
    }
    async fn broadcasts(&self, limit: i64) -> Result<Vec<Broadcast>> {
        broadcasts::list(self, limit).await
    }
    async fn record_breach(&self, breach: &Breach, trace: &Event) -> Result<i64> {
        breaches::record(self, breach, trace).await
    }
    async fn update_breach(&self, breach: &Breach, trace: &Event) -> Result<()> {
        breaches::update(self, breach, trace).await
    }
    async fn breaches(&self) -> Result<Vec<Breach>> {
        breaches::list(self).await
    }
    async fn breach(&self, id: i64) -> Result<Breach> {
        breaches::get(self, id).await
    }
    async fn announce(&self, a: &Announcement, token_hash: &[u8], trace: &Event) -> Result<()> {
        announcements::announce(self, a, token_hash, trace).await
    }
    async fn end_announcement(
        &self,
        account: AccountId,
        to: AccountState,
        at: Timestamp,
        objection: Option<&[u8]>,
        traces: &[Event],
    ) -> Result<()> {
        announcements::end(self, account, to, at, objection, traces).await
    }
    async fn announcement(&self, account: AccountId) -> Result<Option<Announcement>> {
        announcements::of(self, account).await
    }
    async fn announcement_by_token(&self, hash: &[u8]) -> Result<Option<Announcement>> {
        announcements::by_token(self, hash).await
    }
    async fn announcements_due(&self, now: Timestamp) -> Result<Vec<Announcement>> {
        announcements::due(self, now).await
    }
    async fn announcement_objected(&self, digest: &[u8]) -> Result<bool> {
        announcements::objected(self, digest).await
    }
    async fn lift_announcement_objection(&self, digest: &[u8]) -> Result<()> {
        announcements::lift(self, digest).await
    }
    async fn set_representative(&self, r: &Representation, trace: &Event) -> Result<()> {
        representatives::set(self, r, trace).await
    }
    async fn remove_representative(
        &self,
        patient: AccountId,
        representative: AccountId,
        trace: &Event,
    ) -> Result<()> {
        representatives::remove(self, patient, representative, trace).await
    }
    async fn representatives(&self, patient: AccountId) -> Result<Vec<Representation>> {
        representatives::of(self, patient).await
    }
    async fn represented_by(&self, representative: AccountId) -> Result<Vec<Representation>> {
        representatives::by(self, representative).await
    }
    async fn request_correction(
        &self,
        account: AccountId,
        what: &str,
        at: Timestamp,
        trace: &Event,
    ) -> Result<CorrectionRequest> {
        corrections::request(self, account, what, at, trace).await
    }
    async fn correction_requests(
        &self,
        account: Option<AccountId>,
    ) -> Result<Vec<CorrectionRequest>> {
        corrections::of(self, account).await
    }
    async fn register_records(&self, national_id: &str) -> Result<Vec<RegisterRecord>> {
        directory::register_records(self, national_id).await
    }
    async fn create_registration(
        &self,
        new: &NewRegistration<'_>,
        traces: &(dyn Fn(AccountId) -> Vec<Event> + Send + Sync),
    ) -> Result<Account> {
        registrations::create(self, new, traces).await
    }
    async fn confirm_registration(
        &self,
        token_hash: &[u8; 32],
        now: Timestamp,
        traces: &(dyn Fn(AccountId) -> Vec<Event> + Send + Sync),
    ) -> Result<Option<AccountId>> {
        registrations::confirm(self, token_hash, now, traces).await
    }
    async fn registration_requests(&self) -> Result<Vec<RegistrationRequest>> {
        registrations::queue(self).await
    }
    async fn trace_entries_by_actor(&self, actor: &str, limit: i64) -> Result<Vec<Entry>> {
        traces::by_actor(self, actor, limit).await
    }
    async fn set_mailbox_personal(
        &self,
        mailbox: MailboxId,
        since: Option<Timestamp>,
        trace: &Event,
    ) -> Result<()> {
        personal::set_mailbox_personal(self, mailbox, since, trace).await
    }
    async fn personal_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxId>> {
        personal::personal_mailboxes(self, account).await
    }
    async fn personal_among(
        &self,
        messages: &[MessageId],
        mailboxes: &[MailboxId],
    ) -> Result<std::collections::HashSet<String>> {
        personal::personal_among(self, messages, mailboxes).await
    }
}
