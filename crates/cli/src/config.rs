//! The configuration file (`caduceus.toml` in the data directory) and the data
//! directory's layout. Every setting has a default; `caduceus.example.toml` at the
//! repository root documents each one and is what `caduceus init` writes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use caduceus_core::Domain;
use caduceus_store::StoreConfig;
use serde::Deserialize;

/// The documented template written by `caduceus init`.
pub const EXAMPLE: &str = include_str!("../../../caduceus.example.toml");

/// The configuration file's name inside the data directory.
pub const FILE_NAME: &str = "caduceus.toml";

/// The whole configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The operator's mail domain.
    pub domain: String,
    #[serde(default)]
    pub storage: Storage,
    #[serde(default)]
    pub keys: Keys,
    #[serde(default)]
    pub listeners: Listeners,
    #[serde(default)]
    pub tls: Tls,
    #[serde(default)]
    pub limits: Limits,
    #[serde(default)]
    pub connections: Connections,
    #[serde(default)]
    pub traces: Traces,
    #[serde(default)]
    pub retention: Retention,
    #[serde(default)]
    pub incidents: Incidents,
    #[serde(default)]
    pub auth: Auth,
    /// `[terms]`: the terms of use users accept (IN-1): the operator's file, or the
    /// shipped text (a `version` without `file`); without a version, none are asked.
    #[serde(default)]
    pub terms: TermsConfig,
    #[serde(default)]
    pub notices: Notices,
    #[serde(default)]
    pub antivirus: Antivirus,
    #[serde(default)]
    pub trust: Trust,
    #[serde(default)]
    pub relay_out: RelayOut,
    #[serde(default)]
    pub imap: Imap,
    /// `[oidc]`: the OpenID provider (AU-4); absent, token logins are not offered.
    pub oidc: Option<caduceus_oidc::ProviderConfig>,
}

/// `[imap]`: what mail clients' sessions keep in memory (issue 20 item 4).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Imap {
    /// The listing cache's bound in MiB: the structures (ENVELOPE, BODYSTRUCTURE) of
    /// messages listed lately, so a folder listed again is not opened again message
    /// by message; 0 disables it. Held in memory only (RT-3: see docs/architecture.md).
    pub listing_cache_mb: u64,
}

impl Default for Imap {
    fn default() -> Self {
        Self {
            listing_cache_mb: caduceus_service::listing_cache::DEFAULT_BYTES / (1024 * 1024),
        }
    }
}

/// `[relay_out]`: relaying queued mail to other operators (MS-16).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RelayOut {
    /// This node's name in queue claims; unique among nodes sharing a database
    /// (default: `mail.<domain>-<process id>`).
    pub node: Option<String>,
    /// Static routes, domain → `host:port`; other domains go to the domain on port 25.
    pub routes: std::collections::HashMap<String, String>,
    /// How long a claimed recipient is reserved for the node that claimed it, in
    /// seconds (default 600): after a node dies, another relays its recipients once
    /// this has passed. Longer than one relay attempt (60 s per step).
    pub lease_seconds: Option<u64>,
}

/// `[trust]`: the MSSanté trust list the operator relay checks peers against (MS-5).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Trust {
    /// The `ListeBlancheMSSante` XML file.
    pub list: PathBuf,
    /// How often the file is checked for changes, in seconds.
    pub reload_seconds: u64,
}

impl Default for Trust {
    fn default() -> Self {
        Self {
            list: "trust-list.xml".into(),
            reload_seconds: 10,
        }
    }
}

/// `[antivirus]`: the ClamAV daemon every message is scanned by (MS-13).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Antivirus {
    /// `host:port` or a Unix socket path; none means messages are not scanned.
    pub clamd: Option<String>,
    /// Whether `serve` refuses to start without `clamd` (MS-13, safe by default);
    /// `init --demo` writes `false`.
    pub required: bool,
    /// The longest wait for a verdict, in seconds: then the sender is told to retry
    /// (451), the session is not held (MS-13).
    pub timeout_seconds: u64,
}

impl Default for Antivirus {
    fn default() -> Self {
        Self {
            clamd: None,
            required: true,
            timeout_seconds: 60,
        }
    }
}

/// `[notices]`: how login codes reach users' out-of-band addresses (AU-1).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notices {
    /// The outbound SMTP relay, `host:port`; none means codes cannot be emailed.
    pub relay: Option<String>,
    /// `none`, `starttls` or `tls` (implicit).
    pub security: String,
    /// The sender address of notices.
    pub from: Option<String>,
    /// At most one new-mail notice per account in this many minutes (MS-7).
    pub new_mail_quiet_minutes: u64,
    /// The web service's public address, for links in notices.
    pub public_url: Option<String>,
    /// The SMS gateway hook (RT-1's second channel): a program run with the phone
    /// number (E.164) as its argument and the text on its standard input, which exits
    /// 0 once the gateway took the message. None: no SMS is sent.
    pub sms_command: Option<String>,
}

impl Default for Notices {
    fn default() -> Self {
        Self {
            relay: None,
            security: "starttls".into(),
            from: None,
            new_mail_quiet_minutes: 15,
            public_url: None,
            sms_command: None,
        }
    }
}

/// `[storage]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Storage {
    pub backend: String,
    pub database_url: Option<String>,
    pub keyring_url: Option<String>,
}

impl Default for Storage {
    fn default() -> Self {
        Self {
            backend: "sqlite".into(),
            database_url: None,
            keyring_url: None,
        }
    }
}

/// `[keys]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Keys {
    pub master_key_file: PathBuf,
    pub trace_signing_key_file: PathBuf,
    pub trace_verifying_key_file: PathBuf,
}

impl Default for Keys {
    fn default() -> Self {
        Self {
            master_key_file: "keys/master.key".into(),
            trace_signing_key_file: "keys/trace-signing.pem".into(),
            trace_verifying_key_file: "keys/trace-verifying.pem".into(),
        }
    }
}

/// `[listeners]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Listeners {
    pub https: SocketAddr,
    pub submission: SocketAddr,
    pub submissions: SocketAddr,
    pub relay: SocketAddr,
    pub imap: SocketAddr,
    pub imaps: SocketAddr,
    /// The directory for mail clients' address books (ID-4), StartTLS required before
    /// a bind.
    pub ldap: SocketAddr,
    /// The directory with implicit TLS.
    pub ldaps: SocketAddr,
    pub metrics: SocketAddr,
}

impl Default for Listeners {
    fn default() -> Self {
        let at = |a: &str| a.parse().expect("valid default address");
        Self {
            https: at("127.0.0.1:8443"),
            submission: at("127.0.0.1:5587"),
            submissions: at("127.0.0.1:5465"),
            relay: at("127.0.0.1:2525"),
            imap: at("127.0.0.1:1143"),
            imaps: at("127.0.0.1:1993"),
            ldap: at("127.0.0.1:1389"),
            ldaps: at("127.0.0.1:1636"),
            metrics: at("127.0.0.1:9464"),
        }
    }
}

/// `[tls]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tls {
    pub certificate: PathBuf,
    pub key: PathBuf,
    pub client_ca: PathBuf,
    pub client_crls: Vec<PathBuf>,
}

impl Default for Tls {
    fn default() -> Self {
        Self {
            certificate: "pki/server.pem".into(),
            key: "pki/server.key".into(),
            client_ca: "pki/ca.pem".into(),
            client_crls: vec!["pki/crl.pem".into()],
        }
    }
}

/// `[limits]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    pub max_message_size: usize,
    pub max_recipients: usize,
    /// Messages one mailbox may submit per hour (MS-13); 0: no limit.
    pub account_messages_per_hour: u32,
    /// Messages one peer operator may relay to us per hour (MS-13); 0: no limit.
    pub peer_messages_per_hour: u32,
    /// Storage of one account, in MiB, all folders together; 0: no quota.
    pub mailbox_quota_mb: u64,
    /// A relayed message whose subject identifies a patient (MS-11): `flag` (deliver
    /// with a warning header) or `refuse`.
    pub relayed_identifying_subject: RelayedSubject,
    /// A recipient at another operator must be in the imported national directory
    /// (MS-2); once the directory is older than this many days, one it does not list
    /// is accepted unchecked (logged). 0: never (always refused).
    pub unlisted_recipients_after_days: u32,
}

/// `[connections]`: the bounds every listener keeps (AU-3), whatever its protocol:
/// connections at once per listener and per source address, the TLS handshake's
/// time, HTTPS idle connections, the shutdown deadline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Connections {
    /// Connections at once from one source (an IPv4 address, an IPv6 /64) on each
    /// listener.
    pub per_source: usize,
    /// Connections at once on each SMTP listener (submission, relay).
    pub smtp: usize,
    /// Connections at once on each IMAP listener.
    pub imap: usize,
    /// Connections at once on the HTTPS listener.
    pub https: usize,
    /// Connections at once on each LDAP listener.
    pub ldap: usize,
    /// Seconds a client has for its TLS handshake (implicit TLS and STARTTLS).
    pub handshake_seconds: u64,
    /// Seconds an HTTPS connection may stay silent (keep-alive included).
    pub https_idle_seconds: u64,
    /// Seconds open connections have to finish once `serve` is stopped.
    pub shutdown_seconds: u64,
}

impl Default for Connections {
    fn default() -> Self {
        Self {
            per_source: 500,
            smtp: 1000,
            imap: 20_000,
            https: 5000,
            ldap: 2000,
            handshake_seconds: 10,
            https_idle_seconds: 60,
            shutdown_seconds: 10,
        }
    }
}

impl Connections {
    /// The caps of a listener holding `per_listener` connections.
    pub fn caps(&self, per_listener: usize) -> caduceus_net::Caps {
        caduceus_net::Caps {
            per_listener,
            per_source: self.per_source,
            shutdown: self.shutdown(),
        }
    }

    /// Refuses a setting that would shut a listener (a cap or a time of 0).
    fn check(&self) -> Result<()> {
        let caps = [self.per_source, self.smtp, self.imap, self.https, self.ldap];
        let times = [
            self.handshake_seconds,
            self.https_idle_seconds,
            self.shutdown_seconds,
        ];
        if caps.contains(&0) || times.contains(&0) {
            bail!("every cap and time must be at least 1 (0 would refuse every connection)");
        }
        Ok(())
    }

    /// The TLS handshake's time limit.
    pub fn handshake(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.handshake_seconds)
    }

    /// The shutdown deadline.
    pub fn shutdown(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.shutdown_seconds)
    }
}

/// What becomes of a relayed message whose subject identifies a patient (MS-11).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelayedSubject {
    /// Delivered with an `X-Caduceus-Subject-Warning` header on top: its sender is
    /// another operator's.
    #[default]
    Flag,
    /// Refused (550, MS-11).
    Refuse,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: 25 * 1024 * 1024,
            max_recipients: 20,
            account_messages_per_hour: 1000,
            peer_messages_per_hour: 20_000,
            mailbox_quota_mb: 0,
            relayed_identifying_subject: RelayedSubject::Flag,
            unlisted_recipients_after_days: 0,
        }
    }
}

/// `[traces]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Traces {
    pub retention_days: u32,
    pub checkpoint_every: i64,
}

impl Default for Traces {
    fn default() -> Self {
        Self {
            retention_days: 365,
            checkpoint_every: 1000,
        }
    }
}

/// `[retention]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    /// Days without a login after which a mailbox is deleted (RT-1, at most 365); 0:
    /// never.
    pub inactivity_days: u32,
    /// Days a closed account's data is kept before it is deleted for good (RT-2); 0:
    /// at once.
    pub closure_grace_days: u32,
    /// Years a closed patient's data is kept, sealed, unless the patient asks for its
    /// deletion (RT-2, seed 003 §4); 0: as anyone else's.
    pub patient_closure_years: u32,
    /// Days a patient mailbox is announced to the patient before it opens, for them
    /// to object (ID-5, AC-3; seed 003 §7: six weeks).
    pub patient_announcement_days: u32,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            inactivity_days: 365,
            closure_grace_days: 0,
            patient_closure_years: 10,
            patient_announcement_days: 42,
        }
    }
}

/// `[terms]`: the operator's terms of use (IN-1).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TermsConfig {
    /// The text, a file (relative to the data directory); none with a `version`: the
    /// terms shipped with Caduceus (French and English); neither: no terms are asked.
    pub file: Option<PathBuf>,
    /// Its version; a new version asks every user again.
    pub version: Option<String>,
    /// How to reach the data protection officer (address, post), stated by the
    /// shipped terms; required with them.
    pub dpo_contact: Option<String>,
    /// The certified health-data host (HDS) and its certificate, stated by the
    /// shipped terms; required with them.
    pub certified_host: Option<String>,
}

/// `[auth]`: who logs in how (AU-5).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Auth {
    /// Health professionals log in with their CPS card or e-CPS only (AU-5); password
    /// and code stay for the other professionals and patients.
    pub health_professionals_card_only: bool,
    /// The RPPS profession codes that count as health professions.
    pub health_professions: Vec<String>,
    /// The host name browsers reach the webmail at (`mail.example.fr`): the passkeys'
    /// relying party (AU-1, MS-18). A name, never an IP address (WebAuthn refuses
    /// them). Unset: no passkeys, no phone pairing.
    pub public_host: Option<String>,
}

impl Default for Auth {
    fn default() -> Self {
        Self {
            health_professionals_card_only: false,
            health_professions: caduceus_core::card::CardOnly::health_professions().professions,
            public_host: None,
        }
    }
}

impl Auth {
    /// The card rule, when turned on.
    pub fn card_only(&self) -> Option<caduceus_core::card::CardOnly> {
        self.health_professionals_card_only
            .then(|| caduceus_core::card::CardOnly {
                professions: self.health_professions.clone(),
            })
    }
}

/// `[incidents]`: the detectors' thresholds and where incidents go (TR-3).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Incidents {
    pub notify: Option<caduceus_core::MailAddress>,
    pub failures_per_account: usize,
    pub accounts_per_source: usize,
    pub volume_factor: f64,
    pub volume_min: u64,
    pub work_start_hour: u32,
    pub work_end_hour: u32,
    pub recipients_per_account: usize,
    pub refusals_per_actor: usize,
}

impl Default for Incidents {
    fn default() -> Self {
        let t = caduceus_core::incidents::Thresholds::default();
        Self {
            notify: None,
            failures_per_account: t.failures_per_account,
            accounts_per_source: t.accounts_per_source,
            volume_factor: t.volume_factor,
            volume_min: t.volume_min,
            work_start_hour: t.work_start_hour,
            work_end_hour: t.work_end_hour,
            recipients_per_account: t.recipients_per_account,
            refusals_per_actor: t.refusals_per_actor,
        }
    }
}

impl Incidents {
    /// The detectors' thresholds.
    pub fn thresholds(&self) -> caduceus_core::incidents::Thresholds {
        caduceus_core::incidents::Thresholds {
            failures_per_account: self.failures_per_account,
            accounts_per_source: self.accounts_per_source,
            volume_factor: self.volume_factor,
            volume_min: self.volume_min,
            work_start_hour: self.work_start_hour,
            work_end_hour: self.work_end_hour,
            recipients_per_account: self.recipients_per_account,
            refusals_per_actor: self.refusals_per_actor,
        }
    }
}

/// A loaded configuration with the data directory it belongs to.
#[derive(Debug)]
pub struct Loaded {
    pub data_dir: PathBuf,
    pub config: Config,
}

impl Loaded {
    /// Reads `DATA/caduceus.toml`, with a message saying to run `caduceus init` if absent.
    pub fn load(data_dir: &Path) -> Result<Loaded> {
        let path = data_dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} (run `caduceus init --data {}` first)",
                path.display(),
                data_dir.display()
            )
        })?;
        let config: Config =
            toml::from_str(&text).with_context(|| format!("invalid {}", path.display()))?;
        Domain::parse(&config.domain)
            .with_context(|| format!("{}: domain {:?}", path.display(), config.domain))?;
        if config.traces.retention_days == 0 || config.traces.retention_days > 365 {
            bail!(
                "{}: traces.retention_days must be between 1 and 365 (TR-2)",
                path.display()
            );
        }
        config
            .connections
            .check()
            .with_context(|| format!("{}: [connections]", path.display()))?;
        // Absolute, so paths written to demo.json and logs work from any directory.
        let data_dir = std::fs::canonicalize(data_dir)
            .with_context(|| format!("resolving {}", data_dir.display()))?;
        Ok(Loaded { data_dir, config })
    }

    /// A path from the configuration, relative to the data directory.
    pub fn path(&self, relative: &Path) -> PathBuf {
        self.data_dir.join(relative)
    }

    /// The operator's domain (validated at load).
    pub fn domain(&self) -> Domain {
        Domain::parse(&self.config.domain).expect("validated at load")
    }

    /// Where the store lives: the data directory (SQLite) or the PostgreSQL URL from
    /// the environment or the file.
    /// The terms of use in force, read from their file.
    pub fn terms(&self) -> Result<Option<caduceus_service::terms::Terms>> {
        let terms = &self.config.terms;
        let (file, version) = match (&terms.file, &terms.version) {
            (None, None) => return Ok(None),
            (Some(file), Some(version)) => (file, version),
            (None, Some(version)) => return self.shipped_terms(version).map(Some),
            (Some(_), None) => bail!("[terms] file needs a version"),
        };
        let path = self.path(file);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the terms of use {}", path.display()))?;
        Ok(Some(caduceus_service::terms::Terms {
            version: version.clone(),
            text,
        }))
    }

    /// The terms shipped with Caduceus as `version`, with the operator's data
    /// protection officer, certified host, inactivity and trace retention (IN-1).
    fn shipped_terms(&self, version: &str) -> Result<caduceus_service::terms::Terms> {
        let terms = &self.config.terms;
        let setting = |value: &Option<String>, name: &str| match value.as_deref().map(str::trim) {
            Some(value) if !value.is_empty() => Ok(value.to_owned()),
            _ => Err(anyhow::anyhow!(
                "[terms] version without a file uses the shipped terms of use, which state \
                 the data protection officer and the certified health-data host: set \
                 [terms] {name}"
            )),
        };
        let retention = &self.config.retention;
        let facts = caduceus_service::terms::ShippedTerms {
            domain: self.domain().as_str().to_owned(),
            dpo_contact: setting(&terms.dpo_contact, "dpo_contact")?,
            certified_host: setting(&terms.certified_host, "certified_host")?,
            inactivity_days: (retention.inactivity_days > 0)
                .then_some(retention.inactivity_days.min(365)),
            trace_days: self.config.traces.retention_days,
        };
        Ok(facts.render(version))
    }

    pub fn store_config(&self) -> Result<StoreConfig> {
        let env_url = std::env::var("CADUCEUS_DATABASE_URL").ok();
        let storage = &self.config.storage;
        let backend = if env_url.is_some() {
            "postgres"
        } else {
            storage.backend.as_str()
        };
        match backend {
            "sqlite" => Ok(StoreConfig::Sqlite {
                data_dir: self.data_dir.clone(),
            }),
            "postgres" => {
                let url = env_url.or_else(|| storage.database_url.clone()).context(
                    "storage.backend is postgres but neither CADUCEUS_DATABASE_URL nor storage.database_url is set",
                )?;
                let keyring_url = std::env::var("CADUCEUS_KEYRING_URL")
                    .ok()
                    .or_else(|| storage.keyring_url.clone());
                Ok(StoreConfig::Postgres { url, keyring_url })
            }
            other => bail!("storage.backend must be \"sqlite\" or \"postgres\", not {other:?}"),
        }
    }
}

/// The configuration file text for a new data directory: the documented template
/// with the domain set, and the listener addresses that differ from the defaults.
pub fn initial_file(domain: &Domain, listeners: &Listeners, demo: bool) -> String {
    let mut text = EXAMPLE.replacen(
        "domain = \"caduceus.test\"",
        &format!("domain = \"{}\"", domain.as_str()),
        1,
    );
    let defaults = Listeners::default();
    for (name, value, default) in [
        ("https", listeners.https, defaults.https),
        ("submission", listeners.submission, defaults.submission),
        ("submissions", listeners.submissions, defaults.submissions),
        ("relay", listeners.relay, defaults.relay),
        ("imap", listeners.imap, defaults.imap),
        ("imaps", listeners.imaps, defaults.imaps),
        ("ldap", listeners.ldap, defaults.ldap),
        ("ldaps", listeners.ldaps, defaults.ldaps),
        ("metrics", listeners.metrics, defaults.metrics),
    ] {
        if value != default {
            text = text.replacen(
                &format!("# {name} = \"{default}\""),
                &format!("{name} = \"{value}\""),
                1,
            );
        }
    }
    if demo {
        text = text.replacen(
            "# required = true",
            "required = false # the demo runs without an antivirus",
            1,
        );
        // Passkeys need a name, never an IP address: the demo's certificate names
        // localhost (AU-1, MS-18).
        text = text.replacen(
            "# public_host = \"mail.caduceus.test\"",
            "public_host = \"localhost\" # the demo: open https://localhost:<https port>/mail",
            1,
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn au1_the_demo_names_localhost_for_passkeys_and_a_real_setup_names_nothing() {
        let domain = Domain::parse("caduceus.test").unwrap();
        let host = |demo: bool| {
            let text = initial_file(&domain, &Listeners::default(), demo);
            toml::from_str::<Config>(&text).unwrap().auth.public_host
        };
        assert_eq!(host(true).as_deref(), Some("localhost"));
        assert_eq!(host(false), None);
    }

    #[test]
    fn ms11_the_relayed_subject_choice_is_flag_or_refuse_and_nothing_else() {
        let limits = |text: &str| {
            toml::from_str::<Config>(&format!("domain = \"caduceus.test\"\n[limits]\n{text}\n"))
        };
        let choice = |text: &str| limits(text).unwrap().limits.relayed_identifying_subject;
        assert_eq!(choice(""), RelayedSubject::Flag);
        assert_eq!(
            choice("relayed_identifying_subject = \"refuse\""),
            RelayedSubject::Refuse
        );
        let typo = limits("relayed_identifying_subject = \"reject\"").unwrap_err();
        assert!(typo.to_string().contains("flag"), "{typo}");
    }

    #[test]
    fn in1_a_version_without_file_ships_the_terms_with_the_dpo_and_the_host() {
        let loaded = |terms: &str| Loaded {
            data_dir: PathBuf::from("/nonexistent"),
            config: toml::from_str(&format!(
                "domain = \"caduceus.test\"\n[retention]\ninactivity_days = 200\n[terms]\n{terms}\n"
            ))
            .unwrap(),
        };
        let shipped = loaded(
            "version = \"2026-12\"\ndpo_contact = \"dpo@operateur.example\"\n\
             certified_host = \"Hébergeur Exemple (HDS)\"",
        );
        let terms = shipped.terms().unwrap().unwrap();
        assert_eq!(terms.version, "2026-12");
        for word in [
            "dpo@operateur.example",
            "Hébergeur Exemple (HDS)",
            "pendant 200 jours",
            "conservées 365 jours",
            "caduceus.test",
        ] {
            assert!(terms.text.contains(word), "{word}");
        }
        // Without the officer or the host, the shipped terms cannot start.
        let missing = loaded("version = \"2026-12\"\ndpo_contact = \"dpo@operateur.example\"");
        let error = missing.terms().unwrap_err().to_string();
        assert!(error.contains("certified_host"), "{error}");
        assert!(loaded("").terms().unwrap().is_none());
    }

    #[test]
    fn ms18_the_listing_cache_holds_64_mib_unless_set_and_0_disables_it() {
        let parse = |text: &str| {
            toml::from_str::<Config>(&format!("domain = \"caduceus.test\"\n{text}\n"))
                .map(|c| c.imap.listing_cache_mb)
        };
        assert_eq!(parse("").unwrap(), 64);
        assert_eq!(parse("[imap]\nlisting_cache_mb = 0").unwrap(), 0);
        assert!(parse("[imap]\nlisting_cache = 1").is_err());
    }

    #[test]
    fn au3_connections_default_to_safe_caps_and_refuse_a_zero() {
        let parse = |text: &str| {
            toml::from_str::<Config>(&format!("domain = \"caduceus.test\"\n{text}\n")).unwrap()
        };
        let defaults = parse("").connections;
        assert!(defaults.check().is_ok());
        assert_eq!(defaults.caps(defaults.https).per_source, 500);
        let zero = parse("[connections]\nper_source = 0").connections;
        assert!(zero.check().is_err());
    }
}
