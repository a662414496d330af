//! A relayed transaction: MAIL (the sender's domain against the trust list, MS-5),
//! RCPT (MS-2, MS-12), DATA (delivered to local mailboxes, `250` only once stored).

use std::time::SystemTime;

use caduceus_core::{MailAddress, Refusal};
use caduceus_pki::CertIdentity;
use caduceus_service::Caller;
use smtp_proto::{MailFrom, RcptTo};
use tracing::{debug, info, warn};

use super::session::{Flow, Session, Transaction};
use crate::data::{Body, Defect};
use crate::received;
use crate::reply::{self, Reply, Stage};
use crate::session::{log_refusal, mail_parameters_supported};

/// `530 5.7.0`: TLS is up but the peer presented no certificate.
fn certificate_required() -> Reply {
    Reply::new(
        530,
        "5.7.0",
        "a client certificate of a trust-space operator is required (MS-5)",
    )
}

impl Session {
    /// The peer's verified certificate, if it presented one.
    fn peer_certificate(&self) -> Option<CertIdentity> {
        self.tls.as_ref().and_then(|tls| tls.client.clone())
    }

    /// Refuses a relay the trust list does not allow (MS-5): logged, and traced by
    /// the service with the claimed domain as the actor (`peer:<domain>`).
    async fn refuse_untrusted(&mut self, domain: &str, identity: &CertIdentity) -> Flow {
        let subject_dn = identity.subject_dn.as_str();
        warn!(
            reason = "MS-5",
            domain,
            subject_dn,
            "relay refused: sender domain not in the trust list for this certificate"
        );
        let reason = format!(
            "domain {domain} is not in the MSSante trust list for this certificate (MS-5); ask your operator to register it"
        );
        let caller = Caller::peer(domain, self.peer.to_string());
        let refusal = Refusal {
            requirement: "MS-5",
            reason: reason.clone(),
        };
        if let Err(error) = self.service.trace_refusal(&caller, &refusal).await {
            warn!(%error, "the MS-5 refusal could not be traced");
        }
        self.ok(Reply::new(550, "5.7.1", reason))
    }

    pub(super) async fn mail(&mut self, from: MailFrom<String>) -> Flow {
        if self.helo.is_none() {
            return self.error(reply::ehlo_first());
        }
        let Some(identity) = self.peer_certificate() else {
            info!("refused: no client certificate (MS-5)");
            return self.error(certificate_required());
        };
        if self.transaction.is_some() {
            return self.error(Reply::new(503, "5.5.1", "nested MAIL command"));
        }
        if !mail_parameters_supported(&from) {
            return self.error(Reply::new(
                555,
                "5.5.4",
                "MAIL parameters not supported here: only SIZE, BODY=7BIT or 8BITMIME, and AUTH",
            ));
        }
        let max = self.max_size();
        if from.size > max {
            info!(
                declared = from.size,
                "sender refused: declared size over the limit"
            );
            return self.ok(reply::too_big(max));
        }
        let trust = self.config.trust.current();
        let domain = if from.address.is_empty() {
            // A bounce (null sender): the certificate must be listed for some domain,
            // which the traces then name.
            match trust.domains_for(&identity.subject_dn).first() {
                Some(domain) => (*domain).to_owned(),
                None => {
                    let name = identity.common_name.clone().unwrap_or_default();
                    return self.refuse_untrusted(&name, &identity).await;
                }
            }
        } else {
            let address = match MailAddress::parse(&from.address) {
                Ok(address) => address,
                Err(error) => {
                    return self.error(Reply::new(
                        501,
                        "5.1.7",
                        format!("bad sender address: {error}"),
                    ));
                }
            };
            let domain = address.domain().as_str().to_ascii_lowercase();
            if !trust.allows(&domain, &identity.subject_dn) {
                return self.refuse_untrusted(&domain, &identity).await;
            }
            domain
        };
        debug!(domain = %domain, "sender accepted (MS-5)");
        self.transaction = Some(Transaction {
            domain,
            recipients: Vec::new(),
        });
        self.ok(Reply::new(250, "2.1.0", "sender OK"))
    }

    pub(super) async fn rcpt(&mut self, to: RcptTo<String>) -> Flow {
        if self.peer_certificate().is_none() {
            return self.error(certificate_required());
        }
        let max = self.service.config().max_recipients;
        let Some(transaction) = self.transaction.as_ref() else {
            return self.error(Reply::new(503, "5.5.1", "need MAIL command first"));
        };
        let listed = transaction.recipients.len();
        if to.orcpt.is_some() || to.flags != 0 || to.rrvs != 0 {
            return self.error(Reply::new(
                555,
                "5.5.4",
                "RCPT parameters not supported here (no DSN)",
            ));
        }
        let address = match MailAddress::parse(&to.address) {
            Ok(address) => address,
            Err(error) => {
                return self.error(Reply::new(
                    501,
                    "5.1.3",
                    format!("bad recipient address: {error}"),
                ));
            }
        };
        if transaction.recipients.contains(&address) {
            return self.ok(Reply::new(250, "2.1.5", "recipient OK (already listed)"));
        }
        if listed >= max {
            info!(max, "recipient refused: too many (MS-12)");
            return self.ok(Reply::new(
                452,
                "4.5.3",
                format!("too many recipients (MS-12): at most {max} per message"),
            ));
        }
        match self.service.check_recipient(&address).await {
            Ok(()) => {
                if let Some(transaction) = self.transaction.as_mut() {
                    transaction.recipients.push(address);
                }
                self.ok(Reply::new(250, "2.1.5", "recipient OK"))
            }
            Err(error) => {
                log_refusal("RCPT", &error);
                self.ok(reply::service_error(&error, Stage::Rcpt))
            }
        }
    }

    pub(super) async fn data(&mut self) -> Flow {
        if self.peer_certificate().is_none() {
            return self.error(certificate_required());
        }
        let transaction = match self.transaction.take() {
            Some(transaction) if !transaction.recipients.is_empty() => transaction,
            Some(transaction) => {
                self.transaction = Some(transaction);
                return self.ok(Reply::new(554, "5.5.1", "no valid recipients"));
            }
            None => return self.error(Reply::new(503, "5.5.1", "need MAIL command first")),
        };
        self.conn.reply(&Reply::bare(
            354,
            vec!["end data with <CR><LF>.<CR><LF>".to_owned()],
        ));
        let max = self.max_size();
        let mut body = Body::new(max);
        if let Err(why) = self.conn.read_body(&mut body).await {
            info!("message abandoned: connection ended inside DATA");
            self.interrupted(why);
            return Flow::Close;
        }
        let size = body.size();
        let content = match body.finish() {
            Ok(content) => content,
            Err(defect) => {
                info!(size, ?defect, "message refused");
                return self.ok(match defect {
                    Defect::TooBig => reply::too_big(max),
                    Defect::BareNewline => Reply::new(
                        554,
                        "5.6.0",
                        "message refused: a bare CR or LF was found; lines must end with CRLF",
                    ),
                    Defect::Nul => {
                        Reply::new(554, "5.6.0", "message refused: NUL bytes are not allowed")
                    }
                });
            }
        };
        let helo = self.helo.as_deref().unwrap_or_default();
        let header = received::header(
            helo,
            &self.config.hostname,
            "ESMTPS",
            self.id,
            SystemTime::now(),
        );
        let mut raw = Vec::with_capacity(header.len() + content.len());
        raw.extend_from_slice(header.as_bytes());
        raw.extend_from_slice(&content);
        drop(content);
        let caller = Caller::peer(&transaction.domain, self.peer.to_string());
        match self
            .service
            .deliver_local(&caller, &transaction.recipients, &raw)
            .await
        {
            Ok(delivered) => {
                let messages: Vec<String> =
                    delivered.iter().map(|d| d.message.to_string()).collect();
                info!(
                    domain = %transaction.domain,
                    recipients = transaction.recipients.len(),
                    size = raw.len(),
                    messages = ?messages,
                    "relayed message accepted"
                );
                self.ok(Reply::new(
                    250,
                    "2.0.0",
                    format!(
                        "message accepted and stored for {} recipient(s)",
                        delivered.len()
                    ),
                ))
            }
            Err(error) => {
                log_refusal("DATA", &error);
                self.ok(reply::service_error(&error, Stage::Data))
            }
        }
    }
}
