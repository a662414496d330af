//! Peer operators of the trust space (MS-5): which one may relay mail from which domain.
//! The list itself (the MSSanté `ListeBlancheMSSante` file, reloaded without restart)
//! is kept by the relay front end; the decision and its trace are made here.

use caduceus_audit::{Detail, Reason};
use caduceus_core::Refusal;
use caduceus_core::Requirement;

use crate::Service;
use crate::actor::Caller;
use crate::error::{Result, ServiceError};

/// The trust list as the service asks it.
pub trait PeerTrust: Send + Sync {
    /// Whether the operator certificate with subject `subject_dn` may relay mail
    /// from `domain`.
    fn allows(&self, domain: &str, subject_dn: &str) -> bool;
    /// The domains the certificate with subject `subject_dn` is listed for.
    fn domains_for(&self, subject_dn: &str) -> Vec<String>;
    /// Whether `domain` belongs to the trust space (some operator is listed for it):
    /// mail to it may be relayed (MS-5).
    fn lists_domain(&self, domain: &str) -> bool;
    /// How many domains the list holds (for the admin console's status); unknown: 0.
    fn domain_count(&self) -> usize {
        0
    }
}

/// The operator certificate a peer presented, as the TLS layer verified it.
#[derive(Clone, Copy, Debug)]
pub struct PeerCertificate<'a> {
    /// Its subject DN.
    pub subject_dn: &'a str,
    /// Its common name, to name an unlisted peer.
    pub common_name: Option<&'a str>,
}

impl Service {
    /// Admits a peer operator relaying mail from `sender_domain` (`None` for a bounce,
    /// which names no domain) with `certificate` (MS-5): the trust list must name the
    /// domain with that certificate. Returns the caller the transaction delivers as,
    /// named by that domain in traces (`peer:<domain>`); a refusal is traced and tells
    /// the peer what to do. Each admitted transaction counts against the peer's rate
    /// (MS-13).
    pub async fn admit_peer(
        &self,
        sender_domain: Option<&str>,
        certificate: PeerCertificate<'_>,
        source: &str,
    ) -> Result<Caller> {
        let trust = self.trust_list();
        let listed = match sender_domain {
            Some(domain) => {
                let domain = domain.to_ascii_lowercase();
                trust
                    .allows(&domain, certificate.subject_dn)
                    .then_some(domain.clone())
                    .ok_or(domain)
            }
            None => trust
                .domains_for(certificate.subject_dn)
                .into_iter()
                .next()
                .ok_or_else(|| certificate.common_name.unwrap_or_default().to_owned()),
        };
        let domain = match listed {
            Ok(domain) => {
                let peer = Caller::peer(&domain, source);
                self.take_rate(
                    &peer,
                    None,
                    &format!("peer:{domain}"),
                    self.config.peer_rate,
                    &format!("operator of {domain}"),
                )
                .await?;
                return Ok(peer);
            }
            Err(domain) => domain,
        };
        let refusal = Refusal {
            requirement: Requirement::Ms5,
            reason: format!(
                "domain {domain} is not in the MSSante trust list for this certificate; ask your operator to register it"
            ),
        };
        // The refusal stands even if its trace cannot be written.
        if let Err(error) = self
            .trace_refusal(&Caller::peer(&domain, source), &refusal)
            .await
        {
            tracing::warn!(%error, "the MS-5 refusal could not be traced");
        }
        Err(ServiceError::Refused(refusal))
    }
}

/// Why a peer was refused before it could be identified by a listed certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnidentifiedPeer {
    /// Its certificate does not chain to the trust anchors (self-signed, another CA,
    /// revoked, expired): refused at the TLS handshake.
    UntrustedCertificate,
    /// It presented no certificate and tried to send mail.
    NoCertificate,
}

impl UnidentifiedPeer {
    fn reason(self) -> Reason {
        match self {
            UnidentifiedPeer::UntrustedCertificate => Reason::UntrustedCertificate,
            UnidentifiedPeer::NoCertificate => Reason::NoCertificate,
        }
    }
}

impl Service {
    /// Traces a peer refused before any certificate identified it (MS-5): the actor is
    /// `peer:unidentified` from `source`, the detail names the requirement and why. A
    /// trace that cannot be written is logged; the refusal stands either way.
    pub async fn trace_unidentified_peer(&self, source: &str, why: UnidentifiedPeer) {
        let refusal = Detail::of(Requirement::Ms5).and(why.reason());
        if let Err(error) = self
            .trace_refused(&Caller::peer("unidentified", source), refusal)
            .await
        {
            tracing::warn!(%error, "the MS-5 refusal could not be traced");
        }
    }
}

/// The trust list of a service built without one: no domain, no peer.
pub struct EmptyTrust;

impl PeerTrust for EmptyTrust {
    fn allows(&self, _: &str, _: &str) -> bool {
        false
    }
    fn domains_for(&self, _: &str) -> Vec<String> {
        Vec::new()
    }
    fn lists_domain(&self, _: &str) -> bool {
        false
    }
}

impl Service {
    /// The trust list in force (empty when none was configured).
    /// How many domains of the trust space the loaded trust list holds (MS-5).
    pub fn trust_list_domains(&self) -> usize {
        self.trust_list().domain_count()
    }

    pub(crate) fn trust_list(&self) -> &dyn PeerTrust {
        match &self.trust {
            Some(trust) => trust.as_ref(),
            None => &EmptyTrust,
        }
    }
}
