//! The development CA of a test world signing holders' requests, serving the
//! certificates it signed, enveloping copies at rest to them (MS-3) and checking
//! signatures against its CA (MS-16), as the
//! binary's does, and requests made as a user's mail client makes them.

use std::path::PathBuf;

use async_trait::async_trait;
use caduceus_core::MailAddress;
use caduceus_pki::UserSubject;
use caduceus_service::address_book::CertificateSource;
use caduceus_service::at_rest::Envelope;
use caduceus_service::certificates::{CertificateIssuer, Holder};
use caduceus_service::signatures::{Checked, SignatureChecker};

/// Signs into `<pki>/users/<address>.pem` with the development CA in `pki`.
pub struct PkiIssuer(pub PathBuf);

impl PkiIssuer {
    /// The trust anchors: the development CA (`<pki>/ca.pem`), DER.
    fn anchors(&self) -> std::io::Result<Vec<Vec<u8>>> {
        let anchors =
            caduceus_pki::load_certs(&self.0.join("ca.pem")).map_err(std::io::Error::other)?;
        Ok(anchors.into_iter().map(|c| c.to_vec()).collect())
    }
}

#[async_trait]
impl CertificateIssuer for PkiIssuer {
    async fn sign(&self, holder: &Holder, csr: &str) -> std::io::Result<String> {
        let subject = UserSubject {
            national_id: &holder.national_id,
            given: &holder.given,
            family: &holder.family,
            email: Some(holder.address.as_str()),
        };
        caduceus_pki::sign_in(&self.0, csr, subject)
    }

    async fn keep(&self, holder: &Holder, pem: &str) -> std::io::Result<String> {
        let anchors = self.anchors()?;
        caduceus_pki::smime::keep_issued_elsewhere(&self.0, holder.address.as_str(), pem, &anchors)
    }
}

#[async_trait]
impl CertificateSource for PkiIssuer {
    async fn certificates(&self, address: &MailAddress) -> std::io::Result<Vec<Vec<u8>>> {
        caduceus_pki::smime::user_certificates(&self.0, address.as_str())
            .map_err(std::io::Error::other)
    }
}

impl Envelope for PkiIssuer {
    fn envelope(
        &self,
        certificates: &[Vec<u8>],
        entity: &[u8],
    ) -> std::io::Result<Option<Vec<u8>>> {
        caduceus_pki::smime::envelope(certificates, entity)
    }
}

impl SignatureChecker for PkiIssuer {
    fn check(&self, raw: &[u8]) -> Option<Checked> {
        let anchors = self.anchors().ok()?;
        let check = caduceus_pki::smime::check_signature(raw, &anchors)?;
        Some(Checked {
            valid: check.valid,
            signer: check.signer,
        })
    }
}

/// A PEM PKCS#10 request for a new P-256 key, as a mail client makes one (the key is
/// dropped: the tests only need the request).
pub fn certificate_request() -> String {
    let key = rcgen::KeyPair::generate().expect("a P-256 key");
    rcgen::CertificateParams::default()
        .serialize_request(&key)
        .expect("a request")
        .pem()
        .expect("PEM")
}
