//! Certificates for keys the holder made (MS-3, issue 19): a user's mail client makes
//! its key pair and sends a PKCS#10 request (through the API, or the operator at the
//! command line); the certificate authority the binary plugs in
//! ([`CertificateIssuer`], the development CA in `pki/`) signs the public key for the
//! account's identity, and the directory then serves the certificate. The server
//! never holds the private key.

use async_trait::async_trait;
use caduceus_audit::{Action, Detail, Object};
use caduceus_core::{MailAddress, RegistryId, Requirement};
use caduceus_store::AccountId;
use std::sync::Arc;

use crate::Service;
use crate::actor::{Actor, Caller};
use crate::error::{Result, ServiceError};

/// Whom a certificate names: the account's identity, never the request's say.
#[derive(Clone, Debug)]
pub struct Holder {
    /// The mailbox address (the certificate's rfc822Name).
    pub address: MailAddress,
    /// The national identifier as CPS certificates write it (`8` + RPPS…).
    pub national_id: String,
    /// The given name.
    pub given: String,
    /// The family name.
    pub family: String,
}

/// The certificate authority that signs holders' requests.
#[async_trait]
pub trait CertificateIssuer: Send + Sync {
    /// Signs the PEM request `csr` for `holder` and keeps the certificate where the
    /// directory serves it; returns its PEM. A request that cannot be signed (not a
    /// request, a weak key) is an [`std::io::ErrorKind::InvalidInput`] error whose
    /// message says why.
    async fn sign(&self, holder: &Holder, csr: &str) -> std::io::Result<String>;

    /// Keeps `pem`, a certificate another authority issued to `holder` (then its
    /// chain), where the directory serves it, once it names the holder's address, is
    /// valid, allows e-mail protection and chains to the operator's trust anchors;
    /// returns it. A refused one is an [`std::io::ErrorKind::InvalidInput`] error whose
    /// message says why.
    async fn keep(&self, holder: &Holder, pem: &str) -> std::io::Result<String>;
}

impl Service {
    /// The same service signing holders' certificate requests with `issuer`
    /// ([`Service::request_certificate`]). Without one, requests are refused.
    pub fn with_certificate_issuer(mut self, issuer: Arc<dyn CertificateIssuer>) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// Has the certificate authority sign `csr`, a PEM PKCS#10 request for a key the
    /// holder of `account` made, for the account's identity (MS-3): the holder
    /// themself or the operator (AC-1); professionals only (a patient has no national
    /// identifier to certify). Traced (`certificate.issue`); returns the certificate's
    /// PEM.
    pub async fn request_certificate(
        &self,
        caller: &Caller,
        account: AccountId,
        csr: &str,
    ) -> Result<String> {
        let named = self.certificate_holder(caller, account).await?;
        let pem = self.issuer()?.sign(&named, csr).await.map_err(ca_failed)?;
        self.trace_certificate(caller, account).await?;
        Ok(pem)
    }

    /// Keeps `pem`, the certificate another authority (the national health PKI)
    /// issued to the holder of `account` (then its chain), where the directory serves
    /// it (MS-3): checked against the operator's trust anchors, the holder's address,
    /// its validity and purpose. The holder themself or the operator (AC-1);
    /// professionals only. Traced (`certificate.issue`); returns the PEM kept.
    pub async fn upload_certificate(
        &self,
        caller: &Caller,
        account: AccountId,
        pem: &str,
    ) -> Result<String> {
        let named = self.certificate_holder(caller, account).await?;
        let kept = self.issuer()?.keep(&named, pem).await.map_err(ca_failed)?;
        self.trace_certificate(caller, account).await?;
        Ok(kept)
    }

    /// Whom a certificate for `account` names, once `caller` may ask for one: the
    /// holder themself or the operator (AC-1); professionals only (a patient has no
    /// national identifier to certify).
    async fn certificate_holder(&self, caller: &Caller, account: AccountId) -> Result<Holder> {
        if caller.actor != Actor::Account(account) {
            self.require_console_over(caller, caduceus_core::Duty::ManageAccounts, account)
                .await?;
        }
        let holder = self.store.account(account).await?;
        let RegistryId::National(national) = &holder.identity else {
            return Err(ServiceError::Invalid(
                "only a professional's key is certified here (a national identifier names it)"
                    .into(),
            ));
        };
        let (given, family) = holder
            .display_name
            .split_once(' ')
            .unwrap_or(("", &holder.display_name));
        Ok(Holder {
            address: holder.address.clone(),
            national_id: national.to_string(),
            given: given.to_owned(),
            family: family.to_owned(),
        })
    }

    /// The certificate authority the binary plugged in.
    fn issuer(&self) -> Result<&Arc<dyn CertificateIssuer>> {
        self.issuer.as_ref().ok_or_else(|| {
            ServiceError::Unavailable("no certificate authority is configured".into())
        })
    }

    /// Traces a certificate kept for `account` (`certificate.issue`, MS-3).
    async fn trace_certificate(&self, caller: &Caller, account: AccountId) -> Result<()> {
        let mut trace = caller.event(self.now_ms(), Action::CertificateIssue, Object::of(account));
        trace.detail = Some(Detail::of(Requirement::Ms3));
        Ok(self.store.append_traces(&[trace]).await?)
    }
}

/// What a certificate says of itself, shown to its holder once it is kept (MS-3):
/// whom it names and until when it is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Its subject's distinguished name.
    pub subject: String,
    /// The end of its validity.
    pub not_after: caduceus_core::Timestamp,
}

impl CertificateFacts {
    /// The facts of the first certificate of `pem` (a certificate, then its chain).
    pub fn of(pem: &str) -> Result<CertificateFacts> {
        let invalid = |why: String| ServiceError::Invalid(format!("not a PEM certificate: {why}"));
        let (_, block) =
            x509_parser::pem::parse_x509_pem(pem.as_bytes()).map_err(|e| invalid(e.to_string()))?;
        let certificate = block.parse_x509().map_err(|e| invalid(e.to_string()))?;
        let seconds = certificate.validity().not_after.timestamp();
        Ok(CertificateFacts {
            subject: certificate.subject().to_string(),
            not_after: caduceus_core::Timestamp::from_millis(seconds.saturating_mul(1000)),
        })
    }
}

/// The authority's refusal (the request or certificate is not acceptable, said why)
/// or failure.
fn ca_failed(e: std::io::Error) -> ServiceError {
    if e.kind() == std::io::ErrorKind::InvalidInput {
        ServiceError::Invalid(e.to_string())
    } else {
        ServiceError::Unavailable(format!("the certificate authority failed: {e}"))
    }
}
