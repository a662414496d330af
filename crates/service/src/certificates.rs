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
        let Some(issuer) = &self.issuer else {
            return Err(ServiceError::Unavailable(
                "no certificate authority is configured to sign requests".into(),
            ));
        };
        let (given, family) = holder
            .display_name
            .split_once(' ')
            .unwrap_or(("", &holder.display_name));
        let named = Holder {
            address: holder.address.clone(),
            national_id: national.to_string(),
            given: given.to_owned(),
            family: family.to_owned(),
        };
        let pem = issuer.sign(&named, csr).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::InvalidInput {
                ServiceError::Invalid(e.to_string())
            } else {
                ServiceError::Unavailable(format!("the certificate authority failed: {e}"))
            }
        })?;
        let mut trace = caller.event(self.now_ms(), Action::CertificateIssue, Object::of(account));
        trace.detail = Some(Detail::of(Requirement::Ms3));
        self.store.append_traces(&[trace]).await?;
        Ok(pem)
    }
}
