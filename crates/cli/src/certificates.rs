//! The certificates the directory serves (ID-4, MS-3): those the development PKI
//! issued to this operator's users, `DATA/pki/users/<address>.pem` (written by
//! `caduceus account certificate` and the demo seed). The service decides whose are
//! served; this only reads the file.

use std::path::PathBuf;

use async_trait::async_trait;
use caduceus_core::MailAddress;
use caduceus_service::address_book::CertificateSource;

/// The user certificates of a development PKI's `users/` directory.
pub struct UserCertificates {
    dir: PathBuf,
}

impl UserCertificates {
    /// The certificates in `dir` (`<address>.pem`).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

#[async_trait]
impl CertificateSource for UserCertificates {
    async fn certificates(&self, address: &MailAddress) -> std::io::Result<Vec<Vec<u8>>> {
        // An address may hold a `/` (RFC 5322 atext): such a name is no file here.
        if address.as_str().contains('/') {
            return Ok(Vec::new());
        }
        let path = self.dir.join(format!("{}.pem", address.as_str()));
        if !tokio::fs::try_exists(&path).await? {
            return Ok(Vec::new());
        }
        let certificates = tokio::task::spawn_blocking(move || caduceus_pki::load_certs(&path))
            .await
            .map_err(std::io::Error::other)?
            .map_err(std::io::Error::other)?;
        Ok(certificates.into_iter().map(|c| c.to_vec()).collect())
    }
}
