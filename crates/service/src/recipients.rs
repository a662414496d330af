//! Recipients at other operators checked against the imported national directory
//! (MS-2): the directory's answer for one address ([`Service::directory_standing`]),
//! which `caduceus_core::policy::check_remote_recipient` judges. When the directory was
//! last imported is read from its trace, once a minute at most (every front end asks at
//! `RCPT TO` time), and forgotten when this node imports one.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use caduceus_audit::Action;
use caduceus_core::policy::{self, DirectoryStanding, Unchecked};
use caduceus_core::{MailAddress, Timestamp};

use crate::Service;
use crate::error::{Result, ServiceError};

/// How long the time of the last import is trusted before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(60);

/// How far back the last import is looked for: beyond the traces' retention (at
/// most a year) none is found, and the directory counts as never imported.
const LOOK_BACK: Duration = Duration::from_secs(400 * 86_400);

/// When the national directory was last imported, as last read, and when it was read.
#[derive(Default)]
pub(crate) struct LastImport(Mutex<Option<(Instant, Option<Timestamp>)>>);

impl LastImport {
    /// Forgets what was read (after an import).
    pub(crate) fn forget(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    fn fresh(&self) -> Option<Option<Timestamp>> {
        let cached = *self.0.lock().unwrap_or_else(|e| e.into_inner());
        cached
            .filter(|(read, _)| read.elapsed() < FRESH_FOR)
            .map(|(_, imported)| imported)
    }

    fn keep(&self, imported: Option<Timestamp>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), imported));
    }
}

impl Service {
    /// Whether `address`, at another operator of the trust space, may be named (MS-2):
    /// listed in the national directory, or let through (logged, never the address)
    /// when no directory was imported or the directory is older than the configured
    /// grace; refused otherwise.
    pub(crate) async fn check_remote_recipient(&self, address: &MailAddress) -> Result<()> {
        let standing = self.directory_standing(address).await?;
        let grace = self.config.unlisted_recipients_after;
        let now = self.clock.now();
        match policy::check_remote_recipient(address.as_str(), standing, now, grace) {
            Ok(None) => Ok(()),
            Ok(Some(Unchecked::NoDirectory)) => {
                tracing::warn!(
                    "no national directory imported: a remote recipient is accepted unchecked (MS-2)"
                );
                Ok(())
            }
            Ok(Some(Unchecked::StaleDirectory { age_days })) => {
                tracing::warn!(
                    age_days,
                    "the national directory is older than its grace: a remote recipient it \
                     does not list is accepted unchecked (MS-2)"
                );
                Ok(())
            }
            Err(refusal) => Err(ServiceError::Refused(refusal)),
        }
    }

    /// What the imported national directory says of `address`, at another operator.
    pub async fn directory_standing(&self, address: &MailAddress) -> Result<DirectoryStanding> {
        let listed = address.patient_ins().is_some()
            || self
                .store
                .directory_entry(address.as_str())
                .await?
                .is_some();
        if listed {
            return Ok(DirectoryStanding::Listed);
        }
        Ok(match self.last_directory_import().await? {
            Some(imported) => DirectoryStanding::Unlisted { imported },
            None => DirectoryStanding::NoDirectory,
        })
    }

    /// When the national directory was last imported, if it ever was (within the
    /// traces' retention).
    async fn last_directory_import(&self) -> Result<Option<Timestamp>> {
        if let Some(known) = self.last_import.fresh() {
            return Ok(known);
        }
        let since = self.clock.now().saturating_sub(LOOK_BACK);
        let action = Some(Action::DirectoryImport.as_str());
        let latest = self.store.latest_trace_entries(since, action, 1).await?;
        let imported = latest.first().map(|e| Timestamp::from_millis(e.at_ms));
        self.last_import.keep(imported);
        Ok(imported)
    }
}
