//! `caduceus-load`: a reproducible SMTP load generator. It submits N messages of a given
//! body size over K connections and reports the accepted rate (messages answered `250`
//! per second) and, when given a command that counts the messages in the recipient's
//! mailbox, the delivered rate (messages in the mailbox per second). The same tool
//! drives Caduceus and any other SMTP server, so figures compare under one load
//! (`scripts/bench-smtp.sh` runs it against Caduceus and against Postfix → LMTP →
//! Dovecot in one run; figures in `docs/benchmarks.md`).
//!
//! ```sh
//! caduceus-load --server 127.0.0.1:5587 --starttls --ca data/pki/ca.pem \
//!   --auth-user alice.martin@caduceus.test --auth-secret-file secret.txt \
//!   --from alice.martin@caduceus.test --to bruno.durand@caduceus.test \
//!   --messages 2000 --size 4600 --connections 4 \
//!   --delivered-cmd 'python3 count.py'
//! ```
//!
//! Each connection opens its session (EHLO, STARTTLS, EHLO, AUTH PLAIN; at most
//! `--open-at-once` sessions opening at a time) before the clock starts, then sends its share of the messages one after another
//! (MAIL/RCPT/DATA, no pipelining). The clock runs from the first MAIL to the last
//! `250`; the delivered time from the first MAIL to the first poll of the delivered
//! command (every 50 ms after the last `250`) that sees every accepted message. Every
//! non-`250` reply counts as refused and the first ones are printed; the exit status is
//! non-zero if anything was refused, not sent, or not seen delivered.
//!
//! The last line of output is machine-readable:
//!
//! ```text
//! RESULT accepted=2000 refused=0 seconds=3.21 accepted_per_s=623.1 delivered_seconds=3.25 delivered_per_s=615.4 unsent=0 ...
//! ```
//!
//! # Layout
//!
//! - `main.rs` (this file): the command line ([`Args`]), the run (one task per
//!   connection, started together behind a barrier) and the [`Report`].
//! - [`client`]: the SMTP client: greeting, EHLO, STARTTLS or implicit TLS (rustls with
//!   the `--ca` trust anchors), AUTH PLAIN, one transaction per message.
//! - [`message`]: the RFC 5322 messages sent: headers, a text body of exactly
//!   `--size` bytes on 76-character lines, distinct per message.
//! - [`delivered`]: the delivered-count command and its polling.

mod client;
mod delivered;
mod message;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use tokio::sync::{Barrier, Semaphore};

use client::{Connect, Outcome, Security, Session};
use delivered::{Counter, Wait};
use message::Template;

/// Refusals printed in full at the end (the rest are only counted).
const SHOWN_REFUSALS: usize = 10;

/// Command line of `caduceus-load`.
#[derive(Parser, Debug, Clone)]
#[command(
    name = "caduceus-load",
    version,
    about = "Submit N messages over K SMTP connections; report accepted and delivered msg/s"
)]
pub struct Args {
    /// The SMTP server, host:port.
    #[arg(long)]
    pub server: String,
    /// Upgrade with STARTTLS after the first EHLO (submission port 587).
    #[arg(long, conflicts_with = "tls")]
    pub starttls: bool,
    /// Implicit TLS from the first byte (submissions port 465).
    #[arg(long)]
    pub tls: bool,
    /// PEM file of the certificate authorities the server certificate must chain to.
    #[arg(long)]
    pub ca: Option<PathBuf>,
    /// Name the server certificate must carry; defaults to the host of --server.
    #[arg(long)]
    pub tls_name: Option<String>,
    /// SASL PLAIN user (after STARTTLS or on implicit TLS).
    #[arg(long, requires = "auth_secret_file")]
    pub auth_user: Option<String>,
    /// File holding the SASL PLAIN secret (trailing newline ignored).
    #[arg(long, requires = "auth_user")]
    pub auth_secret_file: Option<PathBuf>,
    /// Envelope sender and From: header.
    #[arg(long)]
    pub from: String,
    /// Recipient; repeat for several. Messages go to them in turn (message i to the
    /// i-th modulo their number), or to all of them with --all-recipients.
    #[arg(long, required = true)]
    pub to: Vec<String>,
    /// Send every message to every --to rather than in turn.
    #[arg(long)]
    pub all_recipients: bool,
    /// Number of messages to submit in all.
    #[arg(long, default_value_t = 1000)]
    pub messages: usize,
    /// Body size of each message in bytes (line ends included; headers come on top).
    #[arg(long, default_value_t = 4600)]
    pub size: usize,
    /// Concurrent SMTP sessions; each sends its share of the messages in sequence.
    #[arg(long, default_value_t = 4)]
    pub connections: usize,
    /// Shell command printing the number of messages delivered so far (e.g. rows in a
    /// database, files in a maildir). Run before the load and polled after it.
    #[arg(long)]
    pub delivered_cmd: Option<String>,
    /// How long to wait, after the last 250, for every message to be delivered.
    #[arg(long, default_value_t = 300)]
    pub delivered_timeout_secs: u64,
    /// The longest wait for any single reply.
    #[arg(long, default_value_t = 120)]
    pub reply_timeout_secs: u64,
    /// Name given in EHLO.
    #[arg(long, default_value = "localhost")]
    pub helo: String,
    /// Sessions opened (connect, TLS, AUTH) at the same time, before the clock starts:
    /// a server's brute-force gate (Caduceus' AU-3) refuses more logins of one account
    /// in flight at once than its lock threshold, whatever their credential.
    #[arg(long, default_value_t = 4)]
    pub open_at_once: usize,
}

/// What the whole run gave.
#[derive(Debug, Default)]
pub struct Report {
    /// Messages submitted.
    pub messages: usize,
    /// Connections used.
    pub connections: usize,
    /// Body size.
    pub size: usize,
    /// Messages answered 250 at the end of DATA.
    pub accepted: usize,
    /// Messages refused by a reply at some step.
    pub refused: usize,
    /// Messages never completed because their session failed (or never opened).
    pub unsent: usize,
    /// The first refusals, as printable lines.
    pub refusals: Vec<String>,
    /// Session failures, one line each.
    pub errors: Vec<String>,
    /// Longest session opening (connect, TLS, EHLO, AUTH), before the clock starts.
    pub setup: Duration,
    /// From the first MAIL to the last 250.
    pub elapsed: Duration,
    /// Time of each accepted transaction (MAIL to 250), sorted.
    pub latencies: Vec<Duration>,
    /// What the delivered command observed.
    pub delivery: Delivery,
    /// CPU time (user + system) this generator used, when the platform tells it.
    pub client_cpu: Option<Duration>,
}

/// Delivery as observed through `--delivered-cmd`.
#[derive(Debug, Default)]
pub enum Delivery {
    /// No command given, or nothing accepted to wait for.
    #[default]
    NotMeasured,
    /// Every accepted message seen in the mailbox this long after the first MAIL.
    Observed(Duration),
    /// The timeout passed with only `seen` of `expected` new messages delivered.
    Missing {
        /// New messages seen.
        seen: u64,
        /// New messages expected.
        expected: u64,
    },
}

impl Report {
    /// True when every message was accepted and, if measured, delivered.
    pub fn success(&self) -> bool {
        self.refused == 0
            && self.unsent == 0
            && self.accepted == self.messages
            && !matches!(self.delivery, Delivery::Missing { .. })
    }

    fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i].as_secs_f64() * 1000.0
    }

    /// The machine-readable line.
    pub fn result_line(&self) -> String {
        let seconds = self.elapsed.as_secs_f64();
        let rate = |secs: f64| {
            if secs > 0.0 {
                self.accepted as f64 / secs
            } else {
                0.0
            }
        };
        let (delivered_seconds, delivered_per_s) = match self.delivery {
            Delivery::Observed(d) => (
                format!("{:.3}", d.as_secs_f64()),
                format!("{:.1}", rate(d.as_secs_f64())),
            ),
            _ => ("na".to_owned(), "na".to_owned()),
        };
        format!(
            "RESULT accepted={} refused={} seconds={:.3} accepted_per_s={:.1} \
             delivered_seconds={} delivered_per_s={} unsent={} messages={} size={} \
             connections={} p50_ms={:.1} p99_ms={:.1} client_cpu_s={}",
            self.accepted,
            self.refused,
            seconds,
            rate(seconds),
            delivered_seconds,
            delivered_per_s,
            self.unsent,
            self.messages,
            self.size,
            self.connections,
            self.percentile(0.5),
            self.percentile(0.99),
            self.client_cpu
                .map_or_else(|| "na".to_owned(), |d| format!("{:.2}", d.as_secs_f64())),
        )
    }

    /// Prints the human-readable lines, then the `RESULT` line.
    pub fn print(&self) {
        println!(
            "submitted {} messages of {} body bytes over {} connections (sessions opened in {:.3} s, before the clock)",
            self.messages,
            self.size,
            self.connections,
            self.setup.as_secs_f64()
        );
        println!(
            "accepted {} refused {} unsent {} in {:.3} s",
            self.accepted,
            self.refused,
            self.unsent,
            self.elapsed.as_secs_f64()
        );
        if !self.latencies.is_empty() {
            println!(
                "transaction time (MAIL to 250): p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                self.percentile(0.5),
                self.percentile(0.9),
                self.percentile(0.99),
                self.percentile(1.0)
            );
        }
        for line in &self.refusals {
            println!("refused: {line}");
        }
        if self.refused > self.refusals.len() {
            println!("refused: … and {} more", self.refused - self.refusals.len());
        }
        for line in &self.errors {
            println!("session failed: {line}");
        }
        if let Some(cpu) = self.client_cpu {
            println!(
                "load generator CPU (user + system, whole run): {:.2} s",
                cpu.as_secs_f64()
            );
        }
        match self.delivery {
            Delivery::NotMeasured => println!("delivery not measured"),
            Delivery::Observed(d) => println!(
                "all {} accepted messages delivered {:.3} s after the first MAIL",
                self.accepted,
                d.as_secs_f64()
            ),
            Delivery::Missing { seen, expected } => println!(
                "delivery NOT complete: {seen} of {expected} new deliveries seen before the timeout"
            ),
        }
        println!("{}", self.result_line());
    }
}

/// What the messages are: template, sender, recipients.
struct Plan {
    template: Template,
    from: String,
    to: Vec<String>,
    all_recipients: bool,
}

impl Plan {
    fn recipients(&self, global: usize) -> Vec<&str> {
        if self.all_recipients {
            self.to.iter().map(String::as_str).collect()
        } else {
            vec![self.to[global % self.to.len()].as_str()]
        }
    }
}

/// What one connection did.
#[derive(Default)]
struct Share {
    accepted: usize,
    refused: usize,
    unsent: usize,
    refusals: Vec<String>,
    error: Option<String>,
    setup: Duration,
    started: Option<Instant>,
    last_accept: Option<Instant>,
    latencies: Vec<Duration>,
}

/// One connection: open the session, wait for the others, send `count` messages
/// numbered from `first`.
async fn connection(
    index: usize,
    first: usize,
    count: usize,
    connect: Arc<Connect>,
    plan: Arc<Plan>,
    barrier: Arc<Barrier>,
    opening: Arc<Semaphore>,
) -> Share {
    let mut share = Share::default();
    let opened = Instant::now();
    let session = {
        let _turn = opening
            .acquire()
            .await
            .expect("the opening semaphore is never closed");
        Session::open(&connect).await
    };
    share.setup = opened.elapsed();
    barrier.wait().await;
    let mut session = match session {
        Ok(session) => session,
        Err(e) => {
            share.unsent = count;
            share.error = Some(format!("connection {index}: {e:#}"));
            return share;
        }
    };
    share.started = Some(Instant::now());
    for seq in 0..count {
        let global = first + seq;
        let to = plan.recipients(global);
        let message = plan.template.build(&to, index, seq);
        let began = Instant::now();
        match session.submit(&plan.from, &to, &message).await {
            Ok(Outcome::Accepted) => {
                let now = Instant::now();
                share.latencies.push(now - began);
                share.last_accept = Some(now);
                share.accepted += 1;
            }
            Ok(Outcome::Refused { stage, reply }) => {
                share.refused += 1;
                if share.refusals.len() < SHOWN_REFUSALS {
                    share.refusals.push(format!(
                        "connection {index} message {seq} at {stage}: {reply}"
                    ));
                }
            }
            Err(e) => {
                share.unsent = count - seq;
                share.error = Some(format!("connection {index} at message {seq}: {e:#}"));
                return share;
            }
        }
    }
    session.quit().await;
    share
}

/// Reads the trust anchors and builds the TLS client settings (ring provider, TLS 1.2
/// and 1.3).
fn tls_config(ca: &std::path::Path) -> Result<Arc<rustls::ClientConfig>> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in
        CertificateDer::pem_file_iter(ca).with_context(|| format!("reading {}", ca.display()))?
    {
        roots
            .add(cert.with_context(|| format!("parsing {}", ca.display()))?)
            .context("adding a trust anchor")?;
    }
    if roots.is_empty() {
        bail!("no certificate in {}", ca.display());
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The session settings the arguments describe.
fn connect_settings(args: &Args) -> Result<Connect> {
    let security = match (args.starttls, args.tls) {
        (true, _) => Security::StartTls,
        (false, true) => Security::Implicit,
        (false, false) => Security::Plain,
    };
    let tls = match (&args.ca, security) {
        (Some(ca), _) => Some(tls_config(ca)?),
        (None, Security::Plain) => None,
        (None, _) => bail!("--starttls and --tls need --ca (the server's certificate authority)"),
    };
    let host = match &args.tls_name {
        Some(name) => name.clone(),
        None => {
            let (host, _) = args
                .server
                .rsplit_once(':')
                .with_context(|| format!("--server {:?} is not host:port", args.server))?;
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned()
        }
    };
    let tls_name = ServerName::try_from(host.clone())
        .with_context(|| format!("{host:?} is not a DNS name or an IP address"))?;
    let auth = match (&args.auth_user, &args.auth_secret_file) {
        (Some(user), Some(file)) => {
            let secret = std::fs::read_to_string(file)
                .with_context(|| format!("reading {}", file.display()))?;
            Some((
                user.clone(),
                secret.trim_end_matches(['\r', '\n']).to_owned(),
            ))
        }
        _ => None,
    };
    if auth.is_some() && security == Security::Plain {
        eprintln!("warning: AUTH PLAIN in clear text (neither --starttls nor --tls)");
    }
    Ok(Connect {
        server: args.server.clone(),
        tls_name,
        security,
        tls,
        helo: args.helo.clone(),
        auth,
        reply_timeout: Duration::from_secs(args.reply_timeout_secs),
    })
}

/// Runs the load the arguments describe. `Err` only for a run that could not start
/// (bad arguments, unreadable files, a failing delivered command); refusals and failed
/// sessions are in the report.
pub async fn run(args: &Args) -> Result<Report> {
    if args.messages == 0 {
        bail!("--messages must be at least 1");
    }
    if args.connections == 0 {
        bail!("--connections must be at least 1");
    }
    let connect = Arc::new(connect_settings(args)?);
    let connections = args.connections.min(args.messages);
    let plan = Arc::new(Plan {
        template: Template::new(&args.from, args.size),
        from: args.from.clone(),
        to: args.to.clone(),
        all_recipients: args.all_recipients,
    });
    let counter = args.delivered_cmd.as_ref().map(|command| Counter {
        command: command.clone(),
    });
    let before = match &counter {
        Some(counter) => Some(
            counter
                .count()
                .await
                .context("delivered count before the run")?,
        ),
        None => None,
    };

    let barrier = Arc::new(Barrier::new(connections));
    let opening = Arc::new(Semaphore::new(args.open_at_once.max(1)));
    let mut tasks = Vec::with_capacity(connections);
    let mut first = 0;
    for index in 0..connections {
        let count = args.messages / connections + usize::from(index < args.messages % connections);
        tasks.push(tokio::spawn(connection(
            index,
            first,
            count,
            connect.clone(),
            plan.clone(),
            barrier.clone(),
            opening.clone(),
        )));
        first += count;
    }
    let mut report = Report {
        messages: args.messages,
        connections,
        size: args.size,
        ..Report::default()
    };
    let mut start: Option<Instant> = None;
    let mut end: Option<Instant> = None;
    for task in tasks {
        let share = task.await.context("a connection task panicked")?;
        report.accepted += share.accepted;
        report.refused += share.refused;
        report.unsent += share.unsent;
        report.setup = report.setup.max(share.setup);
        report.latencies.extend(share.latencies);
        for line in share.refusals {
            if report.refusals.len() < SHOWN_REFUSALS {
                report.refusals.push(line);
            }
        }
        report.errors.extend(share.error);
        start = match (start, share.started) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        end = match (end, share.last_accept) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    report.latencies.sort();
    if let (Some(start), Some(end)) = (start, end) {
        report.elapsed = end - start;
    }

    if let (Some(counter), Some(before), Some(start)) = (&counter, before, start)
        && report.accepted > 0
    {
        let per_message = if args.all_recipients {
            args.to.len()
        } else {
            1
        } as u64;
        let expected = report.accepted as u64 * per_message;
        let timeout = Duration::from_secs(args.delivered_timeout_secs);
        report.delivery = match counter.wait_for(before + expected, timeout).await? {
            Wait::Reached { at } => Delivery::Observed(at.saturating_duration_since(start)),
            Wait::TimedOut { seen } => Delivery::Missing {
                seen: seen.saturating_sub(before),
                expected,
            },
        };
    }
    report.client_cpu = own_cpu();
    Ok(report)
}

/// CPU time used by this process so far (all threads, user + system), read from
/// `/proc/self/stat` on Linux; `None` elsewhere. The kernel reports it in USER_HZ
/// ticks, 100 per second on every Linux architecture this runs on.
fn own_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, 12th and 13th after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(report) => {
            report.print();
            if report.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("caduceus-load: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A clear-text SMTP server that refuses recipients containing "bad" and writes the
    /// number of messages it accepted to `count_file` after each one.
    async fn fake_server(count_file: PathBuf) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let delivered = Arc::new(AtomicU64::new(0));
        std::fs::write(&count_file, "0\n").unwrap();
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let delivered = delivered.clone();
                let count_file = count_file.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                    let mut in_data = false;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let reply: &[u8] = if in_data {
                            if line == "." {
                                in_data = false;
                                let n = delivered.fetch_add(1, Ordering::SeqCst) + 1;
                                std::fs::write(&count_file, format!("{n}\n")).unwrap();
                                b"250 2.0.0 queued\r\n"
                            } else {
                                continue;
                            }
                        } else if line.starts_with("EHLO") {
                            b"250-fake\r\n250 PIPELINING\r\n"
                        } else if line.starts_with("RCPT") && line.contains("bad") {
                            b"550 5.1.1 no such user\r\n"
                        } else if line == "DATA" {
                            in_data = true;
                            b"354 go ahead\r\n"
                        } else if line == "QUIT" {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        } else {
                            b"250 ok\r\n"
                        };
                        write.write_all(reply).await.unwrap();
                    }
                });
            }
        });
        address
    }

    fn args(server: &str, count_file: &std::path::Path, to: &[&str]) -> Args {
        let mut argv = vec![
            "caduceus-load".to_owned(),
            "--server".into(),
            server.into(),
            "--from".into(),
            "a@example.org".into(),
            "--messages".into(),
            "20".into(),
            "--size".into(),
            "1000".into(),
            "--connections".into(),
            "3".into(),
            "--delivered-cmd".into(),
            format!("cat {}", count_file.display()),
            "--delivered-timeout-secs".into(),
            "2".into(),
        ];
        for rcpt in to {
            argv.push("--to".into());
            argv.push((*rcpt).into());
        }
        Args::try_parse_from(argv).unwrap()
    }

    fn scratch(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("caduceus-load-{}-{name}", std::process::id()))
    }

    #[tokio::test]
    async fn every_message_accepted_and_delivered() {
        let file = scratch("ok");
        let server = fake_server(file.clone()).await;
        let report = run(&args(&server, &file, &["b@example.org"]))
            .await
            .unwrap();
        let _ = std::fs::remove_file(&file);
        assert_eq!((report.accepted, report.refused, report.unsent), (20, 0, 0));
        assert!(matches!(report.delivery, Delivery::Observed(_)));
        assert!(report.success());
        let line = report.result_line();
        assert!(
            line.starts_with("RESULT accepted=20 refused=0 seconds="),
            "{line}"
        );
        assert!(line.contains(" connections=3 "), "{line}");
    }

    #[tokio::test]
    async fn refusals_are_counted_printed_and_fail_the_run() {
        let file = scratch("refused");
        let server = fake_server(file.clone()).await;
        let report = run(&args(&server, &file, &["b@example.org", "bad@example.org"]))
            .await
            .unwrap();
        let _ = std::fs::remove_file(&file);
        assert_eq!(
            (report.accepted, report.refused, report.unsent),
            (10, 10, 0)
        );
        assert!(report.refusals[0].contains("at RCPT: 550 5.1.1 no such user"));
        assert!(matches!(report.delivery, Delivery::Observed(_)));
        assert!(!report.success());
    }

    #[tokio::test]
    async fn a_server_that_is_not_there_leaves_everything_unsent() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        drop(listener);
        let file = scratch("absent");
        std::fs::write(&file, "0\n").unwrap();
        let report = run(&args(&address, &file, &["b@example.org"]))
            .await
            .unwrap();
        let _ = std::fs::remove_file(&file);
        assert_eq!((report.accepted, report.unsent), (0, 20));
        assert_eq!(report.errors.len(), 3);
        assert!(!report.success());
    }
}
