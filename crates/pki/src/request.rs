//! Certificates for keys the server never holds (MS-3, issue 19): a user's mail client
//! makes its key pair and sends a certificate signing request (PKCS#10); the
//! development CA signs the public key in it for the account's identity. The
//! request's own subject and extensions are ignored: who the certificate names is
//! the account's, never the requester's say.

use std::path::{Path, PathBuf};

use rcgen::{
    CertificateSigningRequestParams, DnType, ExtendedKeyUsagePurpose, KeyUsagePurpose, SanType,
};
use x509_parser::prelude::{FromDer, X509CertificationRequest};
use x509_parser::public_key::PublicKey;

use crate::IssuedCert;
use crate::PkiError;
use crate::dev_ca::{DevPki, check_stem};
use crate::files::write_replace;

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// The object identifier of the P-256 curve (prime256v1, secp256r1).
const P256: &str = "1.2.840.10045.3.1.7";

/// The kinds of key a user certificate may certify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA of at least [`MIN_RSA_BITS`]: mail is encrypted to it by key transport
    /// (keyEncipherment).
    Rsa,
    /// EC on P-256: mail is encrypted to it by key agreement (ECDH, keyAgreement).
    P256,
}

/// Whom a user certificate names (see [`DevPki::issue_user`]).
#[derive(Clone, Copy, Debug)]
pub struct UserSubject<'a> {
    /// The national identifier as written in CPS certificates (`8` + RPPS…).
    pub national_id: &'a str,
    /// The given name.
    pub given: &'a str,
    /// The family name.
    pub family: &'a str,
    /// The mailbox address (rfc822Name), for S/MIME.
    pub email: Option<&'a str>,
}

/// Reads a PEM certificate signing request: its self-signature checked, its key an
/// RSA key of at least 2048 bits or a P-256 key. Returns the request and its key's kind.
pub fn read_request(pem: &str) -> Result<(CertificateSigningRequestParams, KeyKind), PkiError> {
    let refused = |reason: &str| PkiError::invalid("certificate request", "(PEM)", reason);
    let der = rustls_pki_types::pem::PemObject::from_pem_slice(pem.as_bytes())
        .map(|d: rustls_pki_types::CertificateSigningRequestDer<'_>| d.as_ref().to_vec())
        .map_err(|_| {
            refused("not a PKCS#10 request in PEM (-----BEGIN CERTIFICATE REQUEST-----)")
        })?;
    let (_, parsed) =
        X509CertificationRequest::from_der(&der).map_err(|_| refused("not a PKCS#10 request"))?;
    let spki = &parsed.certification_request_info.subject_pki;
    let kind = match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) if rsa.key_size() >= MIN_RSA_BITS => KeyKind::Rsa,
        Ok(PublicKey::RSA(rsa)) => {
            return Err(refused(&format!(
                "an RSA key of {} bits; at least {MIN_RSA_BITS} are needed",
                rsa.key_size()
            )));
        }
        Ok(PublicKey::EC(_))
            if spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .is_some_and(|oid| oid.to_id_string() == P256) =>
        {
            KeyKind::P256
        }
        _ => {
            return Err(refused(
                "the key must be RSA (2048 bits or more) or EC P-256",
            ));
        }
    };
    let request = CertificateSigningRequestParams::from_pem(pem).map_err(|e| {
        refused(&format!(
            "not a signed PKCS#10 request in PEM ({e}); make one with e.g. \
             `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256`"
        ))
    })?;
    Ok((request, kind))
}

impl DevPki {
    /// Signs the public key of the PEM request `csr` (see [`read_request`]) as a user
    /// certificate for `subject`, like [`DevPki::issue_user`] but with the
    /// requester's key: keyEncipherment for RSA, keyAgreement for P-256, both with
    /// digitalSignature and emailProtection when `email` is given. Writes
    /// `<out_dir>/<stem>.pem` and removes a `<stem>.key` an earlier issue left there:
    /// the server holds no key of the user's. Returns the certificate's path.
    pub fn sign_user_request(
        &self,
        csr: &str,
        subject: UserSubject<'_>,
        out_dir: &Path,
        stem: &str,
    ) -> Result<PathBuf, PkiError> {
        check_stem(stem)?;
        let (request, kind) = read_request(csr)?;
        let UserSubject {
            national_id,
            given,
            family,
            email,
        } = subject;
        let mut params = self.user_params(national_id, given, family, email)?;
        if email.is_some() {
            params.key_usages.push(match kind {
                KeyKind::Rsa => KeyUsagePurpose::KeyEncipherment,
                KeyKind::P256 => KeyUsagePurpose::KeyAgreement,
            });
        }
        let cert = params
            .signed_by(&request.public_key, &self.issuer)
            .map_err(PkiError::generate("the user certificate"))?;
        keep_user_certificate(out_dir, stem, cert.pem().as_bytes())
    }
}

/// Writes a user's certificate `pem` as `<out_dir>/<stem>.pem` (replacing the one
/// there) and deletes a server-made `<stem>.key` beside it: the holder's client keeps
/// the key of a certificate made for it (MS-3).
pub(crate) fn keep_user_certificate(
    out_dir: &Path,
    stem: &str,
    pem: &[u8],
) -> Result<std::path::PathBuf, PkiError> {
    std::fs::create_dir_all(out_dir).map_err(|e| PkiError::io("create directory", out_dir, e))?;
    let path = out_dir.join(format!("{stem}.pem"));
    write_replace(&path, pem, false)?;
    let key = out_dir.join(format!("{stem}.key"));
    match std::fs::remove_file(&key) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(PkiError::io("remove", &key, e));
        }
        _ => {}
    }
    Ok(path)
}

/// Opens the development PKI in `dir` and signs `csr` for `subject` into
/// `dir/users/<address>.pem` ([`DevPki::sign_user_request`]); the certificate's PEM.
/// Errors as I/O errors for a service's certificate authority: an unacceptable
/// request is [`std::io::ErrorKind::InvalidInput`], its message saying why.
pub fn sign_in(dir: &Path, csr: &str, subject: UserSubject<'_>) -> std::io::Result<String> {
    let address = subject.email.unwrap_or(subject.national_id);
    let signed = DevPki::open(dir)
        .and_then(|ca| ca.sign_user_request(csr, subject, &dir.join("users"), address));
    match signed {
        Ok(path) => std::fs::read_to_string(path),
        Err(e @ PkiError::InvalidInput { .. }) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            e.to_string(),
        )),
        Err(e) => Err(std::io::Error::other(e)),
    }
}

/// What a user's mail client does before asking for a certificate: makes a P-256 key
/// pair, writes the private key to `key_path` (PKCS#8 PEM, mode 0600) and returns a
/// PKCS#10 request for it, signed with it. For the demo seed, which plays the users'
/// clients: the key is never given to the server.
pub fn client_key_and_request(key_path: &Path) -> Result<String, PkiError> {
    let key = rcgen::KeyPair::generate().map_err(PkiError::generate("a client key"))?;
    let request = rcgen::CertificateParams::default()
        .serialize_request(&key)
        .map_err(PkiError::generate("a certificate request"))?;
    let pem = request
        .pem()
        .map_err(PkiError::generate("a certificate request"))?;
    if let Some(dir) = key_path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| PkiError::io("create directory", dir, e))?;
    }
    write_replace(key_path, key.serialize_pem().as_bytes(), true)?;
    Ok(pem)
}

/// The stem of the operator's signing certificate for the notifications it writes,
/// in the PKI directory (`reports.pem`, `reports.key`).
pub const REPORT_SIGNER: &str = "reports";

impl DevPki {
    /// Issues the operator's certificate that signs the notifications the service
    /// writes (MS-16): `C=FR, O=<domain>, CN=<domain> notifications`, the rfc822Name
    /// `mailer-daemon@<domain>`, digitalSignature and emailProtection, so that
    /// `openssl cms -verify` accepts it for S/MIME; `<dir>/reports.pem` and `.key`.
    pub fn issue_report_signer(&self) -> Result<IssuedCert, PkiError> {
        let domain = self.domain();
        let mut params = self.leaf_params(&[
            (DnType::CountryName, "FR".into()),
            (DnType::OrganizationName, domain.into()),
            (DnType::CommonName, format!("{domain} notifications").into()),
        ]);
        let address = format!("mailer-daemon@{domain}");
        let address = address
            .as_str()
            .try_into()
            .map_err(|_| PkiError::invalid("domain", domain, "not ASCII"))?;
        params.subject_alt_names = vec![SanType::Rfc822Name(address)];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
        let dir = self.dir().to_owned();
        self.issue(
            &params,
            "the notifications' certificate",
            &dir,
            REPORT_SIGNER,
        )
    }
}
