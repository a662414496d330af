//! The operator's signature on the notifications the service writes (MS-16): the
//! development PKI's `reports.pem`/`reports.key` (`caduceus init`), CMS with OpenSSL.

use std::path::Path;

use anyhow::{Context, Result};
use caduceus_service::proof::ReportSigner;
use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

/// Signs with the operator's notifications certificate.
pub struct OperatorSigner {
    certificate: X509,
    key: PKey<Private>,
}

impl OperatorSigner {
    /// The signer of the development PKI in `pki`, or `None` when it has no
    /// notifications certificate (a data directory made before it existed).
    pub fn load(pki: &Path) -> Result<Option<OperatorSigner>> {
        let stem = caduceus_pki::REPORT_SIGNER;
        let (cert, key) = (
            pki.join(format!("{stem}.pem")),
            pki.join(format!("{stem}.key")),
        );
        if !cert.exists() {
            return Ok(None);
        }
        let read = |path: &Path| {
            std::fs::read(path).with_context(|| format!("reading {}", path.display()))
        };
        Ok(Some(OperatorSigner {
            certificate: X509::from_pem(&read(&cert)?).context("reports.pem")?,
            key: PKey::private_key_from_pem(&read(&key)?).context("reports.key")?,
        }))
    }
}

impl ReportSigner for OperatorSigner {
    fn sign_detached(&self, content: &[u8]) -> std::io::Result<Vec<u8>> {
        // BINARY: the content is already canonical (CRLF), signed as it is sent.
        let flags = CMSOptions::DETACHED | CMSOptions::BINARY;
        CmsContentInfo::sign(
            Some(&self.certificate),
            Some(&self.key),
            None,
            Some(content),
            flags,
        )
        .and_then(|cms| cms.to_der())
        .map_err(std::io::Error::other)
    }
}
