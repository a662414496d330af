//! A relayed transaction: MAIL (the sender's domain against the trust list, MS-5),
//! RCPT (MS-2, MS-12), DATA (delivered to local mailboxes, `250` only once stored).

use caduceus_core::MailAddress;
use caduceus_pki::CertIdentity;
use caduceus_service::peers::PeerCertificate;
use caduceus_service::peers::UnidentifiedPeer;
use caduceus_service::submit::RecipientScope;
use smtp_proto::{MailFrom, RcptTo};
use tracing::{debug, info, warn};

use super::session::{Session, Transaction};
use crate::dialogue::log_refusal;
use crate::dialogue::{Flow, max_size};
use crate::reply::{self, Reply, Stage};

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

    pub(super) async fn mail(&mut self, from: MailFrom<String>) -> Flow {
        if self.helo.is_none() {
            return self.talk.error(reply::ehlo_first());
        }
        let Some(identity) = self.peer_certificate() else {
            info!("refused: no client certificate (MS-5)");
            self.service
                .trace_unidentified_peer(&self.peer.to_string(), UnidentifiedPeer::NoCertificate)
                .await;
            return self.talk.error(certificate_required());
        };
        let nested = self.transaction.is_some();
        if let Err(flow) = self
            .talk
            .mail_parameters(&from, nested, max_size(&self.service))
        {
            return flow;
        }
        let sender = if from.address.is_empty() {
            // A bounce (null sender): the certificate must be listed for some domain,
            // which the traces then name.
            None
        } else {
            match MailAddress::parse(&from.address) {
                Ok(address) => Some(address),
                Err(error) => {
                    return self.talk.error(Reply::new(
                        501,
                        "5.1.7",
                        format!("bad sender address: {error}"),
                    ));
                }
            }
        };
        let certificate = PeerCertificate {
            subject_dn: &identity.subject_dn,
            common_name: identity.common_name.as_deref(),
        };
        let source = self.peer.to_string();
        let sender_domain = sender.as_ref().map(|a| a.domain().as_str().to_owned());
        let admitted = self
            .service
            .admit_peer(sender_domain.as_deref(), certificate, &source)
            .await;
        let peer = match admitted {
            Ok(peer) => peer,
            Err(error) => {
                warn!(
                    reason = "MS-5",
                    subject_dn = %identity.subject_dn,
                    "relay refused: sender domain not in the trust list for this certificate"
                );
                log_refusal("MAIL", &error);
                return self.talk.ok(reply::service_error(&error, Stage::Mail));
            }
        };
        debug!(domain = ?peer.peer_domain(), "sender accepted (MS-5)");
        self.transaction = Some(Transaction {
            peer,
            from: sender,
            recipients: Vec::new(),
        });
        self.talk.ok(Reply::new(250, "2.1.0", "sender OK"))
    }

    pub(super) async fn rcpt(&mut self, to: RcptTo<String>) -> Flow {
        if self.peer_certificate().is_none() {
            return self.talk.error(certificate_required());
        }
        let recipients = self.transaction.as_mut().map(|t| &mut t.recipients);
        self.talk
            .recipient(&self.service, &to, recipients, RecipientScope::Local)
            .await
    }

    pub(super) async fn data(&mut self) -> Flow {
        if self.peer_certificate().is_none() {
            return self.talk.error(certificate_required());
        }
        let transaction = match self
            .talk
            .ready_for_data(&mut self.transaction, |t| !t.recipients.is_empty())
        {
            Ok(transaction) => transaction,
            Err(flow) => return flow,
        };
        let received = self.talk.received(self.helo.as_deref(), "ESMTPS", self.id);
        let raw = match self.talk.receive(max_size(&self.service), received).await {
            Ok(raw) => raw,
            Err(flow) => return flow,
        };
        match self
            .service
            .deliver_relayed(
                &transaction.peer,
                transaction.from.as_ref(),
                &transaction.recipients,
                &raw,
            )
            .await
        {
            Ok(delivered) => {
                let messages: Vec<String> =
                    delivered.iter().map(|d| d.message.to_string()).collect();
                info!(
                    domain = ?transaction.peer.peer_domain(),
                    recipients = transaction.recipients.len(),
                    size = raw.len(),
                    messages = ?messages,
                    "relayed message accepted"
                );
                // A message stored before (MS-16) gets the answer it got then.
                self.talk.stored(transaction.recipients.len(), None)
            }
            Err(error) => {
                log_refusal("DATA", &error);
                self.talk.ok(reply::service_error(&error, Stage::Data))
            }
        }
    }
}
