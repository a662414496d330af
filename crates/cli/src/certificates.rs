//! The certificates the directory serves (ID-4, MS-3): those the development PKI
//! issued to this operator's users, `DATA/pki/users/<address>.pem` (written by
//! `caduceus account certificate` and the demo seed), less those it revoked
//! (`caduceus account certificate --revoke`). The service decides whose are served;
//! this only reads the files. [`CmsEnvelope`]: the cryptography of encryption at
//! rest to a holder's certificate (MS-3). [`AnchoredSignatures`]: received messages'
//! S/MIME signatures checked against the trust anchors (MS-16).

use std::path::PathBuf;

use async_trait::async_trait;
use caduceus_core::MailAddress;
use caduceus_service::address_book::CertificateSource;
use caduceus_service::at_rest::Envelope;
use caduceus_service::certificates::{CertificateIssuer, Holder};
use caduceus_service::signatures::{Checked, SignatureChecker};

/// The user certificates of a development PKI's `users/` directory.
pub struct UserCertificates {
    /// The development PKI (its list of revoked serial numbers).
    pki: PathBuf,
    /// The trust anchors a certificate another authority issued must chain to
    /// (`tls.client_ca`: the health PKI's authorities).
    anchors: PathBuf,
}

impl UserCertificates {
    /// The certificates of the development PKI in `pki` (`users/<address>.pem`),
    /// those of other authorities checked against the PEM bundle `anchors`.
    pub fn new(pki: PathBuf, anchors: PathBuf) -> Self {
        Self { pki, anchors }
    }
}

#[async_trait]
impl CertificateSource for UserCertificates {
    async fn certificates(&self, address: &MailAddress) -> std::io::Result<Vec<Vec<u8>>> {
        let (pki, address) = (self.pki.clone(), address.as_str().to_owned());
        let read = move || caduceus_pki::smime::user_certificates(&pki, &address);
        tokio::task::spawn_blocking(read)
            .await
            .map_err(std::io::Error::other)?
            .map_err(std::io::Error::other)
    }
}

/// Envelopes copies at rest to their holders' certificates with OpenSSL (MS-3).
pub struct CmsEnvelope;

impl Envelope for CmsEnvelope {
    fn envelope(
        &self,
        certificates: &[Vec<u8>],
        entity: &[u8],
    ) -> std::io::Result<Option<Vec<u8>>> {
        caduceus_pki::smime::envelope(certificates, entity)
    }
}

#[async_trait]
impl CertificateIssuer for UserCertificates {
    async fn sign(&self, holder: &Holder, csr: &str) -> std::io::Result<String> {
        let (pki, holder, csr) = (self.pki.clone(), holder.clone(), csr.to_owned());
        let sign = move || {
            let subject = caduceus_pki::UserSubject {
                national_id: &holder.national_id,
                given: &holder.given,
                family: &holder.family,
                email: Some(holder.address.as_str()),
            };
            caduceus_pki::sign_in(&pki, &csr, subject)
        };
        tokio::task::spawn_blocking(sign)
            .await
            .map_err(std::io::Error::other)?
    }

    async fn keep(&self, holder: &Holder, pem: &str) -> std::io::Result<String> {
        let (pki, anchors) = (self.pki.clone(), self.anchors.clone());
        let (address, pem) = (holder.address.as_str().to_owned(), pem.to_owned());
        let keep = move || {
            let anchors: Vec<Vec<u8>> = caduceus_pki::load_certs(&anchors)
                .map_err(std::io::Error::other)?
                .into_iter()
                .map(|c| c.to_vec())
                .collect();
            caduceus_pki::smime::keep_issued_elsewhere(&pki, &address, &pem, &anchors)
        };
        tokio::task::spawn_blocking(keep)
            .await
            .map_err(std::io::Error::other)?
    }
}

/// Checks received messages' S/MIME signatures against the anchors that
/// authenticate the health PKI's certificates (`tls.client_ca`, MS-16).
pub struct AnchoredSignatures {
    /// The anchors, DER.
    anchors: Vec<Vec<u8>>,
}

impl AnchoredSignatures {
    /// The anchors of the PEM bundle `path`.
    pub fn load(path: &std::path::Path) -> anyhow::Result<AnchoredSignatures> {
        let anchors = caduceus_pki::load_certs(path)?
            .into_iter()
            .map(|c| c.to_vec())
            .collect();
        Ok(AnchoredSignatures { anchors })
    }
}

impl SignatureChecker for AnchoredSignatures {
    fn check(&self, raw: &[u8]) -> Option<Checked> {
        let check = caduceus_pki::smime::check_signature(raw, &self.anchors)?;
        Some(Checked {
            valid: check.valid,
            signer: check.signer,
        })
    }
}
