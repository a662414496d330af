//! `caduceus serve`: opens the store and runs the listeners until SIGINT or SIGTERM.

use std::path::Path;

use anyhow::{Context, Result};
use caduceus_pki::ClientAuth;
use tokio::net::TcpListener;
use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::config::Loaded;
use crate::init::{self, InitArgs, ListenerArgs};
use crate::runtime::Runtime;

/// Options of `caduceus serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// On first run (no data directory yet), initialise it with demo accounts and
    /// DATA/demo.json.
    #[arg(long)]
    pub demo: bool,
    /// On first run, the operator's mail domain.
    #[arg(long, default_value = "caduceus.test")]
    pub domain: String,
    /// On first run, the listener addresses.
    #[command(flatten)]
    pub listeners: ListenerArgs,
}

/// Runs `caduceus serve`.
pub async fn run(data: &Path, args: &ServeArgs) -> Result<()> {
    // Before any listener is bound: a SIGTERM sent as soon as a port answers stops the
    // server cleanly instead of killing it.
    let mut signals = Signals::install().context("installing the signal handlers")?;
    if !init::is_initialised(data) {
        init::run(
            data,
            &InitArgs {
                domain: args.domain.clone(),
                demo: args.demo,
                dev_ca: None,
                listeners: args.listeners.clone(),
            },
        )
        .await?;
    }
    // An older data directory is upgraded here, after a backup (docs/upgrades.md).
    let mut runtime = Runtime::open(Loaded::load(data)?).await?;
    let loaded = &runtime.loaded;
    // MS-13, safe by default: no mail is accepted unscanned unless the operator said so.
    if !runtime.service.scanner_configured() {
        if loaded.config.antivirus.required && !args.demo {
            anyhow::bail!(
                "no antivirus is configured: set [antivirus] clamd = \"host:port\" in {}, or \
                 antivirus.required = false to accept mail unscanned (MS-13)",
                loaded
                    .path(std::path::Path::new(crate::config::FILE_NAME))
                    .display()
            );
        }
        tracing::warn!(
            "messages are NOT scanned for viruses (MS-13, antivirus.required = false): set \
             [antivirus] clamd in caduceus.toml"
        );
    }
    let crls: Vec<_> = loaded
        .config
        .tls
        .client_crls
        .iter()
        .map(|p| loaded.path(p))
        .collect();
    let tls = caduceus_pki::server_config_with_crls(
        &loaded.path(&loaded.config.tls.certificate),
        &loaded.path(&loaded.config.tls.key),
        ClientAuth::Optional(loaded.path(&loaded.config.tls.client_ca)),
        &crls,
    )
    .context("loading the TLS certificate")?;
    let listeners = &loaded.config.listeners;
    let bind = |address: std::net::SocketAddr, what: &'static str| async move {
        TcpListener::bind(address)
            .await
            .with_context(|| format!("binding the {what} listener on {address}"))
    };
    let https = bind(listeners.https, "HTTPS").await?;
    let submission = bind(listeners.submission, "SMTP submission").await?;
    let submissions = bind(listeners.submissions, "SMTP submission (implicit TLS)").await?;
    let relay = bind(listeners.relay, "SMTP relay").await?;
    let imap = bind(listeners.imap, "IMAP").await?;
    let imaps = bind(listeners.imaps, "IMAP (implicit TLS)").await?;
    let ldap = bind(listeners.ldap, "LDAP directory").await?;
    let ldaps = bind(listeners.ldaps, "LDAP directory (implicit TLS)").await?;
    let ops = bind(listeners.metrics, "operations (metrics)").await?;
    let trust_path = loaded.path(&loaded.config.trust.list);
    let trust = caduceus_smtp::TrustListHandle::load_file(&trust_path)
        .with_context(|| format!("loading the trust list {}", trust_path.display()))?;
    runtime.service = runtime
        .service
        .with_trust_list(std::sync::Arc::new(trust.clone()));
    tracing::info!(
        backend = ?runtime.store.backend(),
        https = %listeners.https,
        submission = %listeners.submission,
        submissions = %listeners.submissions,
        relay = %listeners.relay,
        imap = %listeners.imap,
        imaps = %listeners.imaps,
        ldap = %listeners.ldap,
        ldaps = %listeners.ldaps,
        metrics = %listeners.metrics,
        trusted_domains = trust.current().len(),
        "caduceus listening"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let hostname = format!("mail.{}", loaded.domain().as_str());
    let mut tasks = tokio::task::JoinSet::new();
    let connections = &loaded.config.connections;
    let https_limits = caduceus_web::listener::Limits {
        caps: connections.caps(connections.https),
        handshake: connections.handshake(),
        idle: std::time::Duration::from_secs(connections.https_idle_seconds),
    };
    tasks.spawn(caduceus_web::serve_https(
        https,
        tls.clone(),
        caduceus_web::router(runtime.service.clone()),
        https_limits.clone(),
        stop_rx.clone(),
    ));
    let recorder =
        caduceus_web::ops::install_recorder().context("installing the metrics recorder")?;
    tasks.spawn(caduceus_web::ops::serve_plain(
        ops,
        caduceus_web::ops::router(runtime.service.clone(), recorder),
        https_limits,
        stop_rx.clone(),
    ));
    for (listener, implicit_tls) in [(submission, false), (submissions, true)] {
        let mut config = caduceus_smtp::SubmissionConfig::new(tls.clone(), implicit_tls, &hostname);
        smtp_connections(&mut config.limits, connections);
        let config = std::sync::Arc::new(config);
        tasks.spawn(caduceus_smtp::serve(
            listener,
            config,
            runtime.service.clone(),
            stop_rx.clone(),
        ));
    }
    for (listener, implicit_tls) in [(imap, false), (imaps, true)] {
        let mut config = caduceus_imap::ImapConfig::new(tls.clone(), implicit_tls, &hostname);
        config.limits.max_literal = u32::try_from(loaded.config.limits.max_message_size)
            .unwrap_or(u32::MAX)
            .min(u32::MAX - 1);
        config.limits.max_command = config.limits.max_literal.saturating_add(64 * 1024);
        config.limits.max_sessions = connections.imap;
        config.limits.max_per_source = connections.per_source;
        config.limits.handshake = connections.handshake();
        config.limits.shutdown_grace = connections.shutdown();
        tasks.spawn(caduceus_imap::serve(
            listener,
            std::sync::Arc::new(config),
            runtime.service.clone(),
            stop_rx.clone(),
        ));
    }
    for (listener, implicit_tls) in [(ldap, false), (ldaps, true)] {
        let mut config = caduceus_ldap::LdapConfig::new(tls.clone(), implicit_tls, loaded.domain());
        config.limits.max_sessions = connections.ldap;
        config.limits.max_per_source = connections.per_source;
        config.limits.handshake = connections.handshake();
        config.limits.shutdown_grace = connections.shutdown();
        tasks.spawn(caduceus_ldap::serve(
            listener,
            std::sync::Arc::new(config),
            runtime.service.clone(),
            stop_rx.clone(),
        ));
    }
    let mut relay_config = caduceus_smtp::RelayConfig::new(tls.clone(), &hostname);
    smtp_connections(&mut relay_config.limits, connections);
    tasks.spawn(caduceus_smtp::serve_relay(
        relay,
        std::sync::Arc::new(relay_config),
        runtime.service.clone(),
        stop_rx.clone(),
    ));
    let mut relay_out = caduceus_smtp::OutboundConfig::new(
        &loaded
            .config
            .relay_out
            .node
            .clone()
            .unwrap_or_else(|| format!("{hostname}-{}", std::process::id())),
        &hostname,
        caduceus_pki::client_config(
            &loaded.path(&loaded.config.tls.client_ca),
            Some((
                &loaded.path(&loaded.config.tls.certificate),
                &loaded.path(&loaded.config.tls.key),
            )),
        )
        .context("loading the operator certificate for relaying")?,
    );
    relay_out.routes = loaded.config.relay_out.routes.clone();
    if let Some(seconds) = loaded.config.relay_out.lease_seconds {
        relay_out.lease = std::time::Duration::from_secs(seconds.max(1));
    }
    tasks.spawn({
        let (service, stop) = (runtime.service.clone(), stop_rx.clone());
        async move {
            caduceus_smtp::run_outbound(service, std::sync::Arc::new(relay_out), stop).await;
            Ok(())
        }
    });
    tasks.spawn({
        let (service, mut stop) = (runtime.service.clone(), stop_rx.clone());
        let node = format!("{hostname}-{}", std::process::id());
        async move {
            // Every ten minutes: the jobs that are due and no other node holds.
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if let Err(error) = service.run_scheduled(&node).await {
                            tracing::warn!(%error, "scheduled jobs failed; retried at the next tick");
                        }
                    }
                    changed = stop.changed() => {
                        if changed.is_err() || *stop.borrow() {
                            break;
                        }
                    }
                }
            }
            Ok(())
        }
    });
    let every = std::time::Duration::from_secs(loaded.config.trust.reload_seconds.max(1));
    tasks.spawn({
        let (trust, stop) = (trust.clone(), stop_rx.clone());
        async move {
            trust.watch(every, stop).await;
            Ok(())
        }
    });
    signals.wait(&trust).await;
    tracing::info!("shutting down");
    stop_tx.send(true).ok();
    while let Some(ended) = tasks.join_next().await {
        ended.context("listener task")??;
    }
    runtime.store.close().await;
    Ok(())
}

/// The `[connections]` settings on an SMTP listener's limits (AU-3).
fn smtp_connections(limits: &mut caduceus_smtp::Limits, connections: &crate::config::Connections) {
    limits.max_sessions = connections.smtp;
    limits.max_per_source = connections.per_source;
    limits.handshake = connections.handshake();
    limits.shutdown_grace = connections.shutdown();
}

/// The signals `serve` answers: SIGINT and SIGTERM stop it, SIGHUP reloads the trust
/// list.
struct Signals {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Signals {
    fn install() -> std::io::Result<Self> {
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    /// Waits for SIGINT or SIGTERM; SIGHUP in the meantime reloads the trust list.
    async fn wait(&mut self, trust: &caduceus_smtp::TrustListHandle) {
        loop {
            tokio::select! {
                _ = self.interrupt.recv() => return,
                _ = self.terminate.recv() => return,
                _ = self.hangup.recv() => match trust.reload() {
                    Ok(domains) => tracing::info!(domains, "trust list reloaded"),
                    Err(error) => tracing::error!(%error, "trust list not reloaded; the previous one stays"),
                },
            }
        }
    }
}
