//! Trace chain use cases: verification and purge past retention (TR-1, TR-2), and the
//! record of schema upgrades (TR-1, docs/upgrades.md).

use caduceus_audit::{Action, Counter, Detail, Fact, Marker, Object, Report, Tamper, VerifyingKey};
use caduceus_core::Timestamp;
use caduceus_store::{Database, PurgeReport, SchemaState, SchemaUpgrade};

use crate::Service;
use crate::actor::Caller;
use crate::error::Result;

/// Entries read per page when verifying.
const PAGE: i64 = 10_000;

/// The outcome of a verification: the chain's extent, or the first bad entry.
pub type Verdict = std::result::Result<Report, Tamper>;

impl Service {
    /// [`Service::verify_traces`] with the key given at start-up
    /// ([`Service::with_trace_key`]); `None` when there is none.
    pub async fn verify_trace_chain(&self, caller: &Caller) -> Result<Option<Verdict>> {
        match self.trace_key {
            Some(key) => Ok(Some(self.verify_traces(caller, &key).await?)),
            None => Ok(None),
        }
    }

    /// Verifies the whole trace chain against the checkpoints' signing key (TR-1),
    /// for the operator or an auditor (AC-1). The verification itself is traced.
    pub async fn verify_traces(&self, caller: &Caller, key: &VerifyingKey) -> Result<Verdict> {
        self.require_duty(caller, caduceus_core::Duty::ReadTraces)
            .await?;
        let mut entries = Vec::new();
        let mut after = 0;
        loop {
            let page = self.store.trace_entries(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            entries.extend(page);
        }
        let checkpoints = self.store.checkpoints().await?;
        let verdict = caduceus_audit::verify(entries, &checkpoints, key);
        let mut event = caller.event(
            self.now_ms(),
            Action::TraceVerify,
            Object::of(Marker::TraceChain),
        );
        if let Err(tamper) = &verdict {
            event.outcome = caduceus_audit::Outcome::Failure;
            event.detail = Some(Detail::of(Fact::Count(
                Counter::Seq,
                tamper.seq.unsigned_abs(),
            )));
        }
        // A tampered chain may refuse the append (a renumbered head): the verdict
        // still reaches the auditor, and the failure to trace it is logged.
        if let Err(error) = self.store.append_traces(&[event]).await {
            tracing::warn!(%error, "could not trace the verification of a damaged chain");
            if verdict.is_ok() {
                return Err(error.into());
            }
        }
        Ok(verdict)
    }

    /// Deletes what is kept only for a time (`caduceus_store::retention`): alerts,
    /// patients' access records and broadcast records older than the trace retention
    /// (TR-2), failure counters no longer in force (AU-3). Returns the rows removed.
    pub async fn purge_expired(&self) -> Result<u64> {
        let days = i64::from(self.config.trace_retention_days.min(365));
        let now = self.clock.now();
        let before = Timestamp::from_millis(now.as_millis() - days * 86_400_000);
        Ok(self.store.purge_expired(now, before).await?)
    }

    /// Deletes traces older than the retention period for good, leaving a signed
    /// anchor so the rest stays verifiable (TR-2).
    pub async fn purge_traces(&self, caller: &Caller) -> Result<PurgeReport> {
        self.require_console(caller, caduceus_core::Duty::ReadTraces)
            .await?;
        let days = i64::from(self.config.trace_retention_days.min(365));
        let now = self.clock.now();
        let before = Timestamp::from_millis(now.as_millis() - days * 86_400_000);
        let event = caller.event(
            now.as_millis(),
            Action::TracePurge,
            Object::of(Marker::TraceRetention),
        );
        Ok(self.store.purge_traces(before, &event).await?)
    }

    /// Traces the upgrades the store made to its schemas when it opened (TR-1): one
    /// `store.migrate` per database, `from:N to:M`, by the server itself (`system`:
    /// whoever started the binary on the host is outside the service's identities). A
    /// new store's first schema is no upgrade and is not traced.
    pub async fn record_schema_upgrades(&self, upgrades: &[SchemaUpgrade]) -> Result<()> {
        let caller = Caller::system();
        let now = self.clock.now().as_millis();
        let events: Vec<_> = upgrades
            .iter()
            .filter(|upgrade| upgrade.from != SchemaState::Empty)
            .map(|upgrade| {
                let marker = match upgrade.database {
                    Database::Data => Marker::DataSchema,
                    Database::Keyring => Marker::KeyringSchema,
                };
                let mut event = caller.event(now, Action::SchemaMigrate, Object::of(marker));
                let from = u64::from(upgrade.from.version());
                event.detail = Some(
                    Detail::of(Fact::Count(Counter::FromVersion, from))
                        .and(Fact::Count(Counter::ToVersion, u64::from(upgrade.to))),
                );
                event
            })
            .collect();
        if !events.is_empty() {
            self.store.append_traces(&events).await?;
        }
        Ok(())
    }
}
