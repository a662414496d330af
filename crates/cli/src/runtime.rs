//! Opens what a command needs from a configuration: keys, store, service.

use std::sync::Arc;

use anyhow::{Context, Result};
use caduceus_audit::TraceSigner;
use caduceus_core::{RateLimit, SystemClock};
use caduceus_service::antivirus::{Clamd, ClamdAddress};
use caduceus_service::{Service, ServiceConfig};
use caduceus_store::{MasterKey, SqlStore};

use crate::certificates::UserCertificates;
use crate::config::Loaded;
use crate::federation::OidcVerifier;
use crate::notices::Notifiers;

/// The opened store and the service over it.
pub struct Runtime {
    pub loaded: Loaded,
    pub store: SqlStore,
    pub service: Service,
}

impl Runtime {
    /// Loads the keys (outside the database), opens the store — upgrading its schema if
    /// it is older, refusing it if newer (docs/upgrades.md) — and builds the service. An
    /// upgrade is traced as the server's own act (TR-1).
    pub async fn open(loaded: Loaded) -> Result<Runtime> {
        let keys = &loaded.config.keys;
        let master = MasterKey::load(&loaded.path(&keys.master_key_file))
            .context("loading the master key")?;
        let signer = TraceSigner::load(&loaded.path(&keys.trace_signing_key_file))
            .context("loading the trace signing key")?;
        let trace_key = signer.verifying_key();
        let store_config = loaded.store_config()?;
        let store = SqlStore::open(
            &store_config,
            master,
            Arc::new(signer),
            loaded.config.traces.checkpoint_every,
        )
        .await
        .context("opening the store")?;
        let notifier = Notifiers::from_config(&loaded.config.notices, loaded.domain().as_str())?;
        let service = Service::new(
            Arc::new(store.clone()),
            Arc::new(SystemClock),
            ServiceConfig {
                domain: loaded.domain(),
                max_message_size: loaded.config.limits.max_message_size,
                max_recipients: loaded.config.limits.max_recipients,
                trace_retention_days: loaded.config.traces.retention_days,
                retry: caduceus_core::RetryPolicy::default(),
                account_rate: RateLimit::per_hour(loaded.config.limits.account_messages_per_hour),
                peer_rate: RateLimit::per_hour(loaded.config.limits.peer_messages_per_hour),
                terms: loaded.terms()?,
                closure_grace: std::time::Duration::from_secs(
                    u64::from(loaded.config.retention.closure_grace_days) * 86_400,
                ),
                incident_thresholds: loaded.config.incidents.thresholds(),
                security_contact: loaded.config.incidents.notify.clone(),
                inactivity: (loaded.config.retention.inactivity_days > 0).then(|| {
                    std::time::Duration::from_secs(
                        u64::from(loaded.config.retention.inactivity_days.min(365)) * 86_400,
                    )
                }),
                card_only: loaded.config.auth.card_only(),
                patient_announcement: caduceus_core::days(u64::from(
                    loaded.config.retention.patient_announcement_days,
                )),
                patient_retention: std::time::Duration::from_secs(
                    u64::from(loaded.config.retention.patient_closure_years) * 365 * 86_400,
                ),
                flag_relayed_subjects: loaded.config.limits.relayed_identifying_subject
                    == crate::config::RelayedSubject::Flag,
                unlisted_recipients_after: (loaded.config.limits.unlisted_recipients_after_days
                    > 0)
                .then(|| {
                    let days = loaded.config.limits.unlisted_recipients_after_days;
                    std::time::Duration::from_secs(u64::from(days) * 86_400)
                }),
                mailbox_quota: (loaded.config.limits.mailbox_quota_mb > 0)
                    .then(|| loaded.config.limits.mailbox_quota_mb * 1024 * 1024),
                new_mail_quiet: std::time::Duration::from_secs(
                    loaded.config.notices.new_mail_quiet_minutes * 60,
                ),
            },
        );
        let certificates = Arc::new(UserCertificates::new(
            loaded.data_dir.join("pki"),
            loaded.path(&loaded.config.tls.client_ca),
        ));
        let service = match notifier {
            Some(notifier) => service.with_notifier(Arc::new(notifier)),
            None => service,
        }
        .with_trace_key(trace_key)
        .with_listing_cache(
            loaded
                .config
                .imap
                .listing_cache_mb
                .saturating_mul(1024 * 1024),
        )
        .with_certificates(certificates.clone())
        .with_certificate_issuer(certificates)
        .with_envelope(Arc::new(crate::certificates::CmsEnvelope))
        .with_signature_checker(Arc::new(crate::certificates::AnchoredSignatures::load(
            &loaded.path(&loaded.config.tls.client_ca),
        )?));
        let service = match crate::proof::OperatorSigner::load(&loaded.data_dir.join("pki"))? {
            Some(signer) => service.with_report_signer(Arc::new(signer)),
            None => {
                tracing::warn!("no pki/reports.pem: notifications leave unsigned (MS-16)");
                service
            }
        };
        let service = match &loaded.config.antivirus.clamd {
            Some(address) => {
                let address: ClamdAddress = address
                    .parse()
                    .map_err(|e| anyhow::anyhow!("antivirus.clamd {address:?}: {e}"))?;
                let timeout =
                    std::time::Duration::from_secs(loaded.config.antivirus.timeout_seconds.max(1));
                let clamd =
                    Clamd::new(address).with_timeouts(std::time::Duration::from_secs(5), timeout);
                service.with_scanner(Arc::new(clamd))
            }
            None => service,
        };
        // Passkeys and phone pairing (AU-1, MS-18) for the public host name, if set.
        let service = match &loaded.config.auth.public_host {
            Some(host) => service.with_passkeys(
                caduceus_service::auth::Relying::new(host)
                    .map_err(|e| anyhow::anyhow!("auth.public_host {host:?}: {e}"))?,
            ),
            None => service,
        };
        let service = match &loaded.config.oidc {
            Some(oidc) => {
                let mut oidc = oidc.clone();
                oidc.ca_bundle = oidc.ca_bundle.map(|path| loaded.path(&path));
                service.with_token_verifier(Arc::new(OidcVerifier::new(oidc)))
            }
            None => service,
        };
        service
            .record_schema_upgrades(store.schema_upgrades())
            .await
            .context("tracing the schema upgrade")?;
        for upgrade in store.schema_upgrades() {
            if let Some(backup) = &upgrade.backup {
                tracing::warn!(
                    database = upgrade.database.as_str(),
                    backup = %backup.display(),
                    "schema upgraded after a backup: remove the backup once the upgrade is \
                     checked (a keyring backup keeps keys that later deletions destroy, RT-3)"
                );
            }
        }
        Ok(Runtime {
            loaded,
            store,
            service,
        })
    }
}
