//! Revocation in the development PKI (AU-1): revoking a user certificate adds its
//! serial number to `revoked.txt` and re-signs `crl.pem`, the CRL file the listeners
//! load (`tls.client_crl` in the configuration).

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{CertificateRevocationListParams, RevocationReason, RevokedCertParams, SerialNumber};
use time::{Duration, OffsetDateTime};

use crate::files::{load_certs, write_replace};
use crate::{DevPki, PkiError};

/// File name of the CRL.
const CRL: &str = "crl.pem";
/// File name of the revoked serial numbers (hex, one per line).
const REVOKED: &str = "revoked.txt";
/// How long a CRL is valid before it must be re-issued.
const CRL_VALIDITY: Duration = Duration::days(30);

impl DevPki {
    /// The CRL file of this PKI.
    pub fn crl_path(&self) -> PathBuf {
        self.dir().join(CRL)
    }

    /// The serial numbers revoked so far, in hex.
    pub fn revoked_serials(&self) -> Result<Vec<String>, PkiError> {
        revoked_serials(self.dir())
    }

    /// Revokes the certificate in `cert_path` (key compromise, or the holder left) and
    /// re-signs the CRL; returns the CRL's path.
    pub fn revoke(&self, cert_path: &Path) -> Result<PathBuf, PkiError> {
        let der = load_certs(cert_path)?.swap_remove(0);
        let serial = serial_of(&der, &format!("in {}", cert_path.display()))?;
        let mut serials = self.revoked_serials()?;
        if !serials.contains(&serial) {
            serials.push(serial);
        }
        write_replace(
            &self.dir().join(REVOKED),
            (serials.join("\n") + "\n").as_bytes(),
            false,
        )?;
        self.write_crl(&serials)
    }

    /// Signs a CRL listing `serials` and writes it to [`DevPki::crl_path`].
    pub(crate) fn write_crl(&self, serials: &[String]) -> Result<PathBuf, PkiError> {
        let now = OffsetDateTime::now_utc();
        let revoked_certs = serials
            .iter()
            .map(|s| {
                Ok(RevokedCertParams {
                    serial_number: SerialNumber::from_slice(&unhex(s)?),
                    revocation_time: now,
                    reason_code: Some(RevocationReason::CessationOfOperation),
                    invalidity_date: None,
                })
            })
            .collect::<Result<Vec<_>, PkiError>>()?;
        let params = CertificateRevocationListParams {
            this_update: now - Duration::minutes(5),
            next_update: now + CRL_VALIDITY,
            crl_number: SerialNumber::from(now.unix_timestamp().max(1) as u64),
            issuing_distribution_point: None,
            revoked_certs,
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        let crl = params
            .signed_by(&self.issuer)
            .map_err(PkiError::generate("the CRL"))?;
        let pem = crl.pem().map_err(PkiError::generate("the CRL's PEM"))?;
        write_replace(&self.crl_path(), pem.as_bytes(), false)?;
        Ok(self.crl_path())
    }
}

/// The certificates among `certificates` (DER) that the development PKI in `dir` has
/// not revoked (its `revoked.txt`), for those who publish them (the directory, MS-3).
/// A certificate that does not parse is left out too.
pub fn not_revoked(dir: &Path, certificates: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, PkiError> {
    let revoked = revoked_serials(dir)?;
    Ok(certificates
        .into_iter()
        .filter(|der| serial_of(der, "").is_ok_and(|serial| !revoked.contains(&serial)))
        .collect())
}

/// The serial numbers revoked in the development PKI in `dir`, in hex.
fn revoked_serials(dir: &Path) -> Result<Vec<String>, PkiError> {
    let path = dir.join(REVOKED);
    match fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(PkiError::io("read", &path, e)),
    }
}

/// The serial number of a DER certificate, in hex; `origin` says where it came from.
fn serial_of(der: &[u8], origin: &str) -> Result<String, PkiError> {
    let (_, x509) =
        x509_parser::parse_x509_certificate(der).map_err(|e| PkiError::Certificate {
            origin: origin.to_owned(),
            reason: format!("cannot parse X.509: {e}"),
        })?;
    Ok(hex(x509.raw_serial()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Result<Vec<u8>, PkiError> {
    let bad = || PkiError::InvalidInput {
        field: "revoked serial",
        value: text.to_owned(),
        reason: "not hexadecimal".into(),
    };
    if !text.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).map_err(|_| bad()))
        .collect()
}
