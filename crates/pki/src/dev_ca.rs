//! The development certificate authority: creates a test health CA and a server
//! certificate, and issues CPS-like user certificates and peer-operator certificates.
//!
//! Everything here is for development and tests only: the CA says so in its subject
//! (`OU=Development only - not for production`), and its key sits unencrypted on disk.

use std::fmt;
use std::fs;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use rcgen::string::{Ia5String, PrintableString};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use time::{Duration, OffsetDateTime};

use crate::PkiError;
use crate::files::{load_certs, read_text, write_new, write_replace};

/// File name of the CA certificate.
const CA_CERT: &str = "ca.pem";
/// File name of the CA private key.
const CA_KEY: &str = "ca.key";
/// File name of the server certificate.
const SERVER_CERT: &str = "server.pem";
/// File name of the server private key.
const SERVER_KEY: &str = "server.key";

/// Common name of the development CA.
pub const CA_COMMON_NAME: &str = "Caduceus development health CA";
/// Organizational unit marking every CA made here as a development CA.
pub const DEVELOPMENT_MARKER: &str = "Development only - not for production";

/// Validity of the CA certificate.
const CA_VALIDITY: Duration = Duration::days(10 * 365);
/// Validity of server, user and operator certificates (3 years).
const LEAF_VALIDITY: Duration = Duration::days(3 * 365);
/// How far back `notBefore` is set, to tolerate clock skew between machines.
const BACKDATE: Duration = Duration::hours(1);

/// Custom DN type for the X.520 `serialNumber` attribute (OID 2.5.4.5).
fn dn_serial_number() -> DnType {
    DnType::CustomDnType(vec![2, 5, 4, 5])
}
/// Custom DN type for the X.520 `givenName` attribute (OID 2.5.4.42).
fn dn_given_name() -> DnType {
    DnType::CustomDnType(vec![2, 5, 4, 42])
}
/// Custom DN type for the X.520 `surname` attribute (OID 2.5.4.4).
fn dn_surname() -> DnType {
    DnType::CustomDnType(vec![2, 5, 4, 4])
}

/// The two files of a certificate issued by [`DevPki`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCert {
    /// PEM certificate (`<out_dir>/<stem>.pem`), mode 0644.
    pub cert_path: PathBuf,
    /// PEM PKCS#8 private key (`<out_dir>/<stem>.key`), mode 0600.
    pub key_path: PathBuf,
}

/// A development PKI rooted in a directory: the CA certificate and key, loaded and ready
/// to issue certificates.
///
/// The directory holds `ca.pem`/`ca.key` (the CA) and `server.pem`/`server.key` (the
/// server certificate made by [`DevPki::create`]). Keys are ECDSA P-256 in PKCS#8 PEM.
pub struct DevPki {
    /// The PKI directory.
    dir: PathBuf,
    /// The CA's organisation, i.e. the domain it was created for.
    domain: String,
    /// The CA, able to sign.
    pub(crate) issuer: Issuer<'static, KeyPair>,
}

impl fmt::Debug for DevPki {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the CA key.
        f.debug_struct("DevPki")
            .field("dir", &self.dir)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl DevPki {
    /// Creates a development PKI for `domain` in `dir` (created if missing).
    ///
    /// Writes `ca.pem`/`ca.key`, a self-signed health CA (CN "Caduceus development health CA",
    /// O = `domain`, OU marking it as development only), and `server.pem`/`server.key`, a
    /// server certificate signed by it for `domain`, `mail.<domain>`, `patient.<domain>`,
    /// `localhost`, `127.0.0.1` and `::1`, usable for both serverAuth and clientAuth (the
    /// relay presents it as a client). Keys are created with mode 0600.
    ///
    /// Refuses with [`PkiError::AlreadyExists`] if `dir` already has a `ca.pem` (or any of
    /// the other files): nothing is ever overwritten.
    pub fn create(dir: &Path, domain: &str) -> Result<DevPki, PkiError> {
        check_domain(domain)?;
        let ca_cert_path = dir.join(CA_CERT);
        if ca_cert_path.exists() {
            return Err(PkiError::AlreadyExists { path: ca_cert_path });
        }
        fs::create_dir_all(dir).map_err(|e| PkiError::io("create directory", dir, e))?;

        let now = OffsetDateTime::now_utc();
        let ca_key = KeyPair::generate().map_err(PkiError::generate("the CA key"))?;
        let mut ca = CertificateParams::default();
        ca.distinguished_name = name(&[
            (DnType::CountryName, printable("FR")?),
            (DnType::OrganizationName, domain.into()),
            (DnType::OrganizationalUnitName, DEVELOPMENT_MARKER.into()),
            (DnType::CommonName, CA_COMMON_NAME.into()),
        ]);
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca.not_before = now - BACKDATE;
        ca.not_after = now + CA_VALIDITY;
        let ca_cert = ca
            .self_signed(&ca_key)
            .map_err(PkiError::generate("the CA certificate"))?;
        let ca_key_pem = ca_key.serialize_pem();
        let pki = DevPki {
            dir: dir.to_owned(),
            domain: domain.to_owned(),
            issuer: Issuer::new(ca, ca_key),
        };

        // ca.pem first: it marks the directory as taken (create_new fails if it appeared
        // meanwhile), then the other files, none of which may exist either.
        write_new(&ca_cert_path, ca_cert.pem().as_bytes(), false)?;
        write_new(&dir.join(CA_KEY), ca_key_pem.as_bytes(), true)?;
        pki.write_server_identity()?;
        Ok(pki)
    }

    /// Creates a development PKI for `domain` in `dir` under the CA of another one
    /// (`ca_dir`, e.g. another data directory's `pki/`): both operators then belong to
    /// one test trust space, as operators certified by one health CA do. The CA
    /// certificate and key are copied; the server certificate is issued for `domain` as
    /// by [`DevPki::create`]. Development only, like the CA itself.
    pub fn join(dir: &Path, domain: &str, ca_dir: &Path) -> Result<DevPki, PkiError> {
        check_domain(domain)?;
        let ca = DevPki::open(ca_dir)?;
        let ca_cert_path = dir.join(CA_CERT);
        if ca_cert_path.exists() {
            return Err(PkiError::AlreadyExists { path: ca_cert_path });
        }
        fs::create_dir_all(dir).map_err(|e| PkiError::io("create directory", dir, e))?;
        write_new(
            &ca_cert_path,
            read_text(&ca_dir.join(CA_CERT))?.as_bytes(),
            false,
        )?;
        write_new(
            &dir.join(CA_KEY),
            read_text(&ca_dir.join(CA_KEY))?.as_bytes(),
            true,
        )?;
        let pki = DevPki {
            dir: dir.to_owned(),
            domain: domain.to_owned(),
            issuer: ca.issuer,
        };
        pki.write_server_identity()?;
        Ok(pki)
    }

    /// Issues `server.pem`/`server.key` for the PKI's domain, `mail.<domain>`,
    /// `patient.<domain>`, `localhost`, `127.0.0.1` and `::1` (serverAuth and
    /// clientAuth), the notifications' signing certificate
    /// ([`DevPki::issue_report_signer`]), and an empty CRL, so listeners can load it before any revocation.
    fn write_server_identity(&self) -> Result<(), PkiError> {
        let domain = self.domain.as_str();
        let server_key = KeyPair::generate().map_err(PkiError::generate("the server key"))?;
        let mut server = self.leaf_params(&[
            (DnType::CountryName, printable("FR")?),
            (DnType::OrganizationName, domain.into()),
            (DnType::CommonName, domain.into()),
        ]);
        server.subject_alt_names = vec![
            dns(domain)?,
            dns(&format!("mail.{domain}"))?,
            dns(&format!("patient.{domain}"))?,
            dns("localhost")?,
            SanType::IpAddress(IpAddr::from([127, 0, 0, 1])),
            SanType::IpAddress(IpAddr::from(std::net::Ipv6Addr::LOCALHOST)),
        ];
        server.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let server_cert = server
            .signed_by(&server_key, &self.issuer)
            .map_err(PkiError::generate("the server certificate"))?;
        write_new(
            &self.server_key_path(),
            server_key.serialize_pem().as_bytes(),
            true,
        )?;
        write_new(
            &self.server_cert_path(),
            server_cert.pem().as_bytes(),
            false,
        )?;
        self.issue_report_signer()?;
        self.write_crl(&[]).map(drop)
    }

    /// Loads an existing development PKI from `dir` (`ca.pem` and `ca.key`) to issue more
    /// certificates; checks that the key belongs to the certificate and that it is a CA.
    pub fn open(dir: &Path) -> Result<DevPki, PkiError> {
        let cert_path = dir.join(CA_CERT);
        let key_path = dir.join(CA_KEY);
        let ca_der = load_certs(&cert_path)?.swap_remove(0);
        let key = KeyPair::from_pem(&read_text(&key_path)?).map_err(|e| PkiError::Key {
            path: key_path.clone(),
            reason: e.to_string(),
        })?;
        let bad_cert = |reason: String| PkiError::Certificate {
            origin: format!("in {}", cert_path.display()),
            reason,
        };
        let (_, x509) = x509_parser::parse_x509_certificate(&ca_der)
            .map_err(|e| bad_cert(format!("cannot parse X.509: {e}")))?;
        if !x509.is_ca() {
            return Err(bad_cert("not a CA certificate".to_owned()));
        }
        if x509.public_key().subject_public_key.data.as_ref() != key.public_key_raw() {
            return Err(PkiError::KeyMismatch {
                cert: cert_path,
                key: key_path,
            });
        }
        let domain = x509
            .subject()
            .iter_organization()
            .next()
            .and_then(|o| o.as_str().ok())
            .ok_or_else(|| bad_cert("the subject has no organisation (O)".to_owned()))?
            .to_owned();
        let issuer = Issuer::from_ca_cert_der(&ca_der, key)
            .map_err(|e| bad_cert(format!("cannot use as issuer: {e}")))?;
        Ok(DevPki {
            dir: dir.to_owned(),
            domain,
            issuer,
        })
    }

    /// The PKI directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The domain the PKI was created for (the CA's organisation).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Path of the CA certificate (`<dir>/ca.pem`), the trust anchor to give clients and servers.
    pub fn ca_cert_path(&self) -> PathBuf {
        self.dir.join(CA_CERT)
    }

    /// Path of the server certificate (`<dir>/server.pem`).
    pub fn server_cert_path(&self) -> PathBuf {
        self.dir.join(SERVER_CERT)
    }

    /// Path of the server private key (`<dir>/server.key`).
    pub fn server_key_path(&self) -> PathBuf {
        self.dir.join(SERVER_KEY)
    }

    /// Issues a CPS-like user certificate, valid 3 years.
    ///
    /// Subject: `C=FR, O=<domain of the PKI>, serialNumber=<national_id>, SN=<family>,
    /// givenName=<given>, CN=<given> <family>` (empty names are left out; the CN falls back
    /// to the national identifier). `national_id` is the national identifier as written in
    /// CPS certificates, e.g. `810003090833` ("8" + RPPS). With `email`, an rfc822Name
    /// subject alternative name is added. EKU: clientAuth, plus emailProtection when an
    /// e-mail address is given, with the keyAgreement key usage then, so that mail can
    /// be encrypted to it (S/MIME with ECDH, MS-3).
    ///
    /// Writes `<out_dir>/<stem>.pem` and `<out_dir>/<stem>.key` (0600), replacing earlier
    /// files of the same stem atomically; `out_dir` is created if missing.
    pub fn issue_user(
        &self,
        national_id: &str,
        given: &str,
        family: &str,
        email: Option<&str>,
        out_dir: &Path,
        stem: &str,
    ) -> Result<IssuedCert, PkiError> {
        let mut params = self.user_params(national_id, given, family, email)?;
        if email.is_some() {
            // The key is EC: S/MIME encryption to it is a key agreement (ECDH, RFC 5753).
            params.key_usages.push(KeyUsagePurpose::KeyAgreement);
        }
        self.issue(&params, "the user certificate", out_dir, stem)
    }

    /// The subject, names and extended key usages of a user certificate (see
    /// [`DevPki::issue_user`]), the key usages for the key's type left to the caller.
    pub(crate) fn user_params(
        &self,
        national_id: &str,
        given: &str,
        family: &str,
        email: Option<&str>,
    ) -> Result<CertificateParams, PkiError> {
        let national_id = national_id.trim();
        if national_id.is_empty() {
            return Err(PkiError::invalid(
                "national identifier",
                national_id,
                "it is empty",
            ));
        }
        let serial = PrintableString::try_from(national_id).map_err(|_| {
            PkiError::invalid(
                "national identifier",
                national_id,
                "only letters, digits, spaces and '()+,-./:=? are allowed",
            )
        })?;
        let (given, family) = (given.trim(), family.trim());
        let common_name = match (given.is_empty(), family.is_empty()) {
            (true, true) => national_id.to_owned(),
            (false, true) => given.to_owned(),
            (true, false) => family.to_owned(),
            (false, false) => format!("{given} {family}"),
        };
        let mut attrs = vec![
            (DnType::CountryName, printable("FR")?),
            (DnType::OrganizationName, self.domain.as_str().into()),
            (dn_serial_number(), DnValue::PrintableString(serial)),
        ];
        if !family.is_empty() {
            attrs.push((dn_surname(), family.into()));
        }
        if !given.is_empty() {
            attrs.push((dn_given_name(), given.into()));
        }
        attrs.push((DnType::CommonName, common_name.into()));
        let mut params = self.leaf_params(&attrs);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        if let Some(email) = email {
            let address = Ia5String::try_from(email.trim())
                .ok()
                .filter(|a| a.as_str().contains('@'))
                .ok_or_else(|| {
                    PkiError::invalid("e-mail address", email, "expected an ASCII local@domain")
                })?;
            params.subject_alt_names.push(SanType::Rfc822Name(address));
            params
                .extended_key_usages
                .push(ExtendedKeyUsagePurpose::EmailProtection);
        }
        Ok(params)
    }

    /// Issues a certificate for a peer MSSanté operator, as used by the relay, valid 3 years:
    /// subject `C=FR, O=<organisation>, CN=<domain>`, dNSName SAN `domain`, EKU clientAuth and
    /// serverAuth. Same output convention as [`DevPki::issue_user`].
    pub fn issue_operator(
        &self,
        domain: &str,
        organisation: &str,
        out_dir: &Path,
        stem: &str,
    ) -> Result<IssuedCert, PkiError> {
        check_domain(domain)?;
        let organisation = organisation.trim();
        if organisation.is_empty() {
            return Err(PkiError::invalid(
                "organisation",
                organisation,
                "it is empty",
            ));
        }
        let mut params = self.leaf_params(&[
            (DnType::CountryName, printable("FR")?),
            (DnType::OrganizationName, organisation.into()),
            (DnType::CommonName, domain.into()),
        ]);
        params.subject_alt_names = vec![dns(domain)?];
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ClientAuth,
            ExtendedKeyUsagePurpose::ServerAuth,
        ];
        self.issue(&params, "the operator certificate", out_dir, stem)
    }

    /// Parameters common to every end-entity certificate: subject, validity, key usage,
    /// authority key identifier.
    pub(crate) fn leaf_params(&self, subject: &[(DnType, DnValue)]) -> CertificateParams {
        let now = OffsetDateTime::now_utc();
        let mut params = CertificateParams::default();
        params.distinguished_name = name(subject);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.use_authority_key_identifier_extension = true;
        params.not_before = now - BACKDATE;
        params.not_after = now + LEAF_VALIDITY;
        params
    }

    /// Generates a key, signs `params` with the CA and writes `<stem>.pem` / `<stem>.key`.
    pub(crate) fn issue(
        &self,
        params: &CertificateParams,
        what: &str,
        out_dir: &Path,
        stem: &str,
    ) -> Result<IssuedCert, PkiError> {
        check_stem(stem)?;
        let key = KeyPair::generate().map_err(PkiError::generate(format!("a key for {what}")))?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(PkiError::generate(what))?;
        fs::create_dir_all(out_dir).map_err(|e| PkiError::io("create directory", out_dir, e))?;
        let issued = IssuedCert {
            cert_path: out_dir.join(format!("{stem}.pem")),
            key_path: out_dir.join(format!("{stem}.key")),
        };
        write_replace(&issued.key_path, key.serialize_pem().as_bytes(), true)?;
        write_replace(&issued.cert_path, cert.pem().as_bytes(), false)?;
        Ok(issued)
    }
}

/// A distinguished name with the given attributes, in encoding order.
fn name(attrs: &[(DnType, DnValue)]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (ty, value) in attrs {
        dn.push(ty.clone(), value.clone());
    }
    dn
}

/// A PrintableString DN value.
fn printable(s: &str) -> Result<DnValue, PkiError> {
    PrintableString::try_from(s)
        .map(DnValue::PrintableString)
        .map_err(|_| PkiError::invalid("printable string", s, "not a PrintableString"))
}

/// A dNSName subject alternative name.
fn dns(name: &str) -> Result<SanType, PkiError> {
    Ia5String::try_from(name)
        .map(SanType::DnsName)
        .map_err(|_| PkiError::invalid("DNS name", name, "not ASCII"))
}

/// Accepts a plausible DNS domain: non-empty ASCII labels of letters, digits and hyphens.
fn check_domain(domain: &str) -> Result<(), PkiError> {
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if domain.is_empty() || domain.len() > 253 || !domain.split('.').all(valid_label) {
        return Err(PkiError::invalid(
            "domain",
            domain,
            "expected a DNS name such as example.org",
        ));
    }
    Ok(())
}

/// Accepts a file stem that names a file inside the output directory (no path separator,
/// not empty, not `.` or `..`, no leading dot).
pub(crate) fn check_stem(stem: &str) -> Result<(), PkiError> {
    if stem.is_empty() || stem.starts_with('.') || stem.contains(['/', '\\', '\0']) {
        return Err(PkiError::invalid(
            "file stem",
            stem,
            "must be a plain file name without '/' or a leading '.'",
        ));
    }
    Ok(())
}
