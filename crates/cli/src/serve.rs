//! `caduceus serve`: opens the store and runs the listeners until SIGINT or SIGTERM.

use std::path::Path;

use anyhow::{Context, Result};
use caduceus_pki::ClientAuth;
use tokio::net::TcpListener;

use crate::config::Loaded;
use crate::init::{self, InitArgs};
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
    /// On first run, the address of the HTTPS listener.
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub https: std::net::SocketAddr,
}

/// Runs `caduceus serve`.
pub async fn run(data: &Path, args: &ServeArgs) -> Result<()> {
    if !init::is_initialised(data) {
        init::run(
            data,
            &InitArgs {
                domain: args.domain.clone(),
                demo: args.demo,
                https: args.https,
            },
        )
        .await?;
    }
    let runtime = Runtime::open(Loaded::load(data)?).await?;
    let loaded = &runtime.loaded;
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
    let https_addr = loaded.config.listeners.https;
    let https = TcpListener::bind(https_addr)
        .await
        .with_context(|| format!("binding the HTTPS listener on {https_addr}"))?;
    tracing::info!(
        backend = ?runtime.store.backend(),
        https = %https.local_addr()?,
        "caduceus listening"
    );
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let web = tokio::spawn(caduceus_web::serve_https(
        https,
        tls,
        caduceus_web::router(runtime.service.clone()),
        stop_rx,
    ));
    shutdown_signal().await;
    tracing::info!("shutting down");
    stop_tx.send(true).ok();
    web.await.context("HTTPS listener task")??;
    runtime.store.close().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.ok();
}
