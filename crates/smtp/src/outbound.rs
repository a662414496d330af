//! The relay worker (MS-16): takes due recipients from the outbound queue, relays each
//! to its domain's operator over SMTP with STARTTLS and this operator's certificate
//! (mutual TLS), and reports the peer's answer to the service, which decides on
//! retries, expiry and notifications. Several nodes may run it on one database: the
//! queue hands each recipient to one of them.
//!
//! Routing: the static route table first (`domain → host:port`, for private
//! deployments and tests), else the domain itself on port 25 (the implicit MX of
//! RFC 5321 §5.1). The peer's certificate must chain to the configured anchors and
//! name the route's host (or, when the host is an IP address, the recipient domain).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use caduceus_service::Service;
use caduceus_service::relay::{OutboundItem, RelayOutcome};
use mail_send::SmtpClient;
use mail_send::smtp::AssertReply;
use mail_send::smtp::message::Parameters;
use tokio::io::AsyncWriteExt;
use tokio::net::lookup_host;
use tokio::sync::watch;
use tokio_rustls::TlsConnector;
use tracing::{debug, info, warn};

use crate::listener::stopped;

/// What the relay worker needs.
#[derive(Clone, Debug)]
pub struct OutboundConfig {
    /// This node's name in queue claims (unique among nodes sharing a database).
    pub node: String,
    /// The name given in EHLO.
    pub hostname: String,
    /// TLS towards peers: their anchors, and this operator's certificate as the client
    /// identity (`caduceus_pki::client_config`).
    pub tls: Arc<rustls::ClientConfig>,
    /// Static routes: domain → `host:port`.
    pub routes: HashMap<String, String>,
    /// How long a claimed recipient is reserved for this node.
    pub lease: Duration,
    /// How long to wait when the queue has nothing due.
    pub poll: Duration,
    /// Recipients claimed at once (and relayed concurrently).
    pub batch: i64,
    /// Timeout of each step of a relay session.
    pub timeout: Duration,
}

impl OutboundConfig {
    /// A configuration with the defaults: 10 min lease, 1 s poll, 16 at once, 60 s
    /// per step, no static route.
    pub fn new(node: &str, hostname: &str, tls: Arc<rustls::ClientConfig>) -> Self {
        Self {
            node: node.to_owned(),
            hostname: hostname.to_owned(),
            tls,
            routes: HashMap::new(),
            lease: Duration::from_secs(600),
            poll: Duration::from_secs(1),
            batch: 16,
            timeout: Duration::from_secs(60),
        }
    }

    /// Where mail for `domain` goes, and the name its certificate must carry.
    fn route(&self, domain: &str) -> (String, String) {
        let target = self
            .routes
            .get(domain)
            .cloned()
            .unwrap_or_else(|| format!("{domain}:25"));
        let host = target
            .rsplit_once(':')
            .map_or(target.as_str(), |(host, _)| host)
            .trim_matches(['[', ']']);
        let name = if host.parse::<std::net::IpAddr>().is_ok() {
            domain.to_owned()
        } else {
            host.to_owned()
        };
        (target, name)
    }
}

/// Relays queued mail until `stop` turns `true`.
pub async fn run_outbound(
    service: Service,
    config: Arc<OutboundConfig>,
    mut stop: watch::Receiver<bool>,
) {
    info!(node = %config.node, routes = config.routes.len(), "relay worker started");
    while !*stop.borrow() {
        let claimed = service
            .claim_outbound(&config.node, config.lease, config.batch)
            .await;
        let items = match claimed {
            Ok(items) => items,
            Err(error) => {
                warn!(%error, "the outbound queue could not be read");
                Vec::new()
            }
        };
        if items.is_empty() {
            tokio::select! {
                () = tokio::time::sleep(config.poll) => {}
                () = stopped(&mut stop) => {}
            }
            continue;
        }
        let mut attempts = tokio::task::JoinSet::new();
        for item in items {
            let (service, config) = (service.clone(), Arc::clone(&config));
            attempts.spawn(async move {
                let outcome = relay_one(&service, &config, &item).await;
                debug!(item = item.id, outcome = ?outcome_kind(&outcome), "relay attempt");
                if let Err(error) = service.settle_outbound(&config.node, &item, outcome).await {
                    warn!(item = item.id, %error, "the relay result could not be recorded");
                }
            });
        }
        while attempts.join_next().await.is_some() {}
    }
    info!("relay worker stopped");
}

fn outcome_kind(outcome: &RelayOutcome) -> &'static str {
    match outcome {
        RelayOutcome::Accepted(_) => "accepted",
        RelayOutcome::Refused(_) => "refused",
        RelayOutcome::Deferred(_) => "deferred",
    }
}

/// One attempt for one recipient.
async fn relay_one(
    service: &Service,
    config: &OutboundConfig,
    item: &OutboundItem,
) -> RelayOutcome {
    let raw = match service.open_outbound(item).await {
        Ok(raw) => raw,
        Err(error) => return RelayOutcome::Deferred(format!("queued copy unavailable: {error}")),
    };
    let domain = item.recipient.domain().as_str();
    let (target, tls_name) = config.route(domain);
    let address = match lookup_host(&target).await.map(|mut a| a.next()) {
        Ok(Some(address)) => address,
        Ok(None) | Err(_) => return RelayOutcome::Deferred(format!("no route to {target}")),
    };
    match send(config, address, &tls_name, item, &raw).await {
        Ok(reply) => RelayOutcome::Accepted(reply),
        Err(mail_send::Error::UnexpectedReply(response))
            if response.code() >= 500 && response.code() < 600 =>
        {
            RelayOutcome::Refused(format!("{} {}", response.code(), response.message()))
        }
        Err(mail_send::Error::UnexpectedReply(response)) => {
            RelayOutcome::Deferred(format!("{} {}", response.code(), response.message()))
        }
        Err(error) => RelayOutcome::Deferred(format!("{target}: {error}")),
    }
}

/// The SMTP dialogue with the peer: greeting, EHLO, STARTTLS with our certificate,
/// EHLO, MAIL, RCPT, DATA, QUIT.
async fn send(
    config: &OutboundConfig,
    address: std::net::SocketAddr,
    tls_name: &str,
    item: &OutboundItem,
    raw: &[u8],
) -> Result<String, mail_send::Error> {
    let mut client = SmtpClient::connect(address, config.timeout).await?;
    client.read().await?.assert_positive_completion()?;
    client.ehlo(&config.hostname).await?;
    let connector = TlsConnector::from(Arc::clone(&config.tls));
    let mut client = client.start_tls(&connector, tls_name).await?;
    client.ehlo(&config.hostname).await?;
    client
        .mail_from(&item.return_path, &Parameters::default())
        .await?;
    client
        .rcpt_to(item.recipient.as_str(), &Parameters::default())
        .await?;
    client.cmd(b"DATA\r\n").await?.assert_code(354)?;
    // Not mail-send's write_message: it adds an empty line to a message that ends
    // with CRLF, which alters what the sender signed or encrypted (MS-3).
    client.stream.write_all(&crate::data::stuffed(raw)).await?;
    client.stream.flush().await?;
    let accepted = client.read().await?;
    let reply = format!("{} {}", accepted.code(), accepted.message());
    accepted.assert_positive_completion()?;
    let _ = client.quit().await;
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> OutboundConfig {
        let roots = rustls::RootCertStore::empty();
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let mut config = OutboundConfig::new("n1", "mail.caduceus.test", Arc::new(tls));
        config
            .routes
            .insert("autre.test".into(), "127.0.0.1:2526".into());
        config
            .routes
            .insert("tiers.test".into(), "mx.tiers.test:25".into());
        config
    }

    #[test]
    fn routes_and_the_names_certificates_must_carry() {
        let config = config();
        assert_eq!(
            config.route("autre.test"),
            ("127.0.0.1:2526".into(), "autre.test".into())
        );
        assert_eq!(
            config.route("tiers.test"),
            ("mx.tiers.test:25".into(), "mx.tiers.test".into())
        );
        assert_eq!(
            config.route("loin.test"),
            ("loin.test:25".into(), "loin.test".into())
        );
    }
}
