//! `caduceus bench`: figures for `docs/benchmarks.md`, measured through the service
//! layer on a scratch data directory (never an operator's data).
//!
//! Prints accepted-and-delivered messages per second (sealed, durable, traced),
//! sealed reads per second, and trace chain verification speed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use caduceus_core::{MailAddress, SecretString};
use caduceus_service::auth::Credentials;
use caduceus_service::{Caller, Service};
use caduceus_store::MessageId;
use tokio::task::JoinSet;

use crate::config::Loaded;
use crate::init::{self, InitArgs};
use crate::runtime::Runtime;

/// Options of `caduceus bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Messages to deliver.
    #[arg(long, default_value_t = 2000)]
    pub messages: usize,
    /// Size of each message body in bytes.
    #[arg(long, default_value_t = 20_000)]
    pub size: usize,
    /// Deliveries in flight at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
}

/// Runs the benchmark on `data`, which must not exist yet (it is initialised with the
/// demo accounts); PostgreSQL is used when `CADUCEUS_DATABASE_URL` is set.
pub async fn run(data: &std::path::Path, args: &BenchArgs) -> Result<()> {
    if data.exists() {
        bail!(
            "bench writes thousands of messages: give it a scratch directory that does not exist yet, not {}",
            data.display()
        );
    }
    init::run(
        data,
        &InitArgs {
            domain: "bench.test".into(),
            demo: true,
            dev_ca: None,
            listeners: crate::init::ListenerArgs {
                https: "127.0.0.1:0".parse()?,
                submission: "127.0.0.1:0".parse()?,
                submissions: "127.0.0.1:0".parse()?,
                relay: "127.0.0.1:0".parse()?,
                imap: "127.0.0.1:0".parse()?,
                imaps: "127.0.0.1:0".parse()?,
                ldap: "127.0.0.1:0".parse()?,
                ldaps: "127.0.0.1:0".parse()?,
                metrics: "127.0.0.1:0".parse()?,
            },
        },
    )
    .await?;
    let operator = "bench".parse().expect("an operator login");
    let runtime = Runtime::open(Loaded::load(data)?, &operator).await?;
    let service = runtime.service.clone();
    let recipient = MailAddress::parse("alice.martin@bench.test")?;
    let raw = Arc::new(message(args.size));
    println!(
        "backend {:?}, {} messages of {} bytes, {} in flight",
        runtime.store.backend(),
        args.messages,
        raw.len(),
        args.concurrency
    );

    let started = Instant::now();
    let ids = deliver_all(&service, &recipient, &raw, args).await?;
    report(
        "deliver (policy, seal, commit, trace)",
        ids.len(),
        started.elapsed(),
    );

    // Alice reads as a mail client would: logged in with her demo device credential.
    let credential = demo_device_credential(data, &recipient)?;
    let login = service
        .login(
            &recipient,
            Credentials::Device {
                credential: &credential,
            },
            "bench",
        )
        .await?;
    let access = service
        .authorize(&login.caller(), login.account().id)
        .await?;
    let started = Instant::now();
    for id in &ids {
        service.read_message(&access, *id).await?;
    }
    report("read (unseal, trace)", ids.len(), started.elapsed());

    let key = caduceus_audit::load_verifying_key(
        &runtime
            .loaded
            .path(&runtime.loaded.config.keys.trace_verifying_key_file),
    )?;
    let started = Instant::now();
    let verdict = service
        .verify_traces(
            &Caller::operator("bench".parse().expect("an operator login")),
            &key,
        )
        .await?;
    let report_ok = verdict.map_err(|tamper| anyhow::anyhow!("{tamper}"))?;
    report(
        "trace verify (entries)",
        report_ok.entries as usize,
        started.elapsed(),
    );
    runtime.store.close().await;
    Ok(())
}

/// The device credential `demo.json` lists for `address`.
fn demo_device_credential(data: &std::path::Path, address: &MailAddress) -> Result<SecretString> {
    let demo: serde_json::Value = serde_json::from_slice(&std::fs::read(data.join("demo.json"))?)?;
    demo["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["address"] == address.as_str())
        .and_then(|a| a["device_credential"].as_str())
        .map(|c| SecretString::new(c.to_owned()))
        .with_context(|| format!("no device credential for {} in demo.json", address.as_str()))
}

/// A plain-text message of about `size` bytes.
fn message(size: usize) -> Vec<u8> {
    let mut raw = b"From: bench@bench.test\r\nTo: alice.martin@bench.test\r\nSubject: bench\r\nMessage-ID: <bench@bench.test>\r\n\r\n".to_vec();
    let line = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\r\n";
    while raw.len() < size {
        raw.extend_from_slice(line);
    }
    raw
}

async fn deliver_all(
    service: &Service,
    recipient: &MailAddress,
    raw: &Arc<Vec<u8>>,
    args: &BenchArgs,
) -> Result<Vec<MessageId>> {
    let mut tasks = JoinSet::new();
    for worker in 0..args.concurrency.max(1) {
        let count = args.messages / args.concurrency.max(1)
            + usize::from(worker < args.messages % args.concurrency.max(1));
        let (service, recipient, raw) = (service.clone(), recipient.clone(), raw.clone());
        tasks.spawn(async move {
            let caller = Caller::operator("bench".parse().expect("an operator login"));
            let mut ids = Vec::with_capacity(count);
            for _ in 0..count {
                let delivered = service
                    .deliver_local(&caller, std::slice::from_ref(&recipient), &raw)
                    .await?;
                ids.extend(delivered.iter().map(|d| d.message));
            }
            anyhow::Ok(ids)
        });
    }
    let mut ids = Vec::with_capacity(args.messages);
    while let Some(result) = tasks.join_next().await {
        ids.extend(result??);
    }
    Ok(ids)
}

fn report(what: &str, count: usize, elapsed: Duration) {
    println!(
        "{what:<40} {count:>8} in {:>8.2} s = {:>10.1} /s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}
