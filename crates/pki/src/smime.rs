//! S/MIME for the holders' certificates (MS-3): which of a holder's certificates can
//! receive encrypted mail, and the CMS enveloped-data of a MIME entity for it
//! (OpenSSL), for encryption at rest to the holder's key; whether a signed message's
//! signature holds, and whose it is (MS-16); and the certificates the development PKI
//! keeps for each user.

use std::io;
use std::path::Path;

use openssl::cms::{CMSOptions, CmsContentInfo};
use openssl::pkcs7::{Pkcs7, Pkcs7Flags};
use openssl::stack::Stack;
use openssl::symm::Cipher;
use openssl::x509::X509;
use openssl::x509::X509StoreContext;
use openssl::x509::store::X509StoreBuilder;
use x509_parser::prelude::*;

/// The OID of an RSA public key (PKCS #1).
const RSA: &str = "1.2.840.113549.1.1.1";
/// The OID of an elliptic-curve public key (RFC 5480).
const EC: &str = "1.2.840.10045.2.1";

/// Whether the certificate `der` can receive encrypted mail now: within its
/// validity, an RSA key allowed key encipherment or an EC key allowed key agreement
/// (RFC 8550 §4.4.2, when the certificate restricts its key usage), and e-mail
/// protection among its extended key usages when it lists them (§4.4.4).
pub fn can_receive_encrypted_mail(der: &[u8]) -> bool {
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    if !cert.validity().is_valid() {
        return false;
    }
    let algorithm = cert.public_key().algorithm.algorithm.to_id_string();
    let usage = match cert.key_usage() {
        Ok(usage) => usage.map(|u| u.value),
        Err(_) => return false,
    };
    let usable = match algorithm.as_str() {
        RSA => usage.is_none_or(|u| u.key_encipherment()),
        EC => usage.is_none_or(|u| u.key_agreement()),
        _ => false,
    };
    let purposes = match cert.extended_key_usage() {
        Ok(purposes) => purposes.map(|p| p.value),
        Err(_) => return false,
    };
    usable && purposes.is_none_or(|p| p.any || p.email_protection)
}

/// The CMS authenticated-enveloped-data (DER, RFC 5083, AES-256-GCM: RFC 8551 §2.7
/// prefers it, and a flipped byte is detected when it is opened) of `entity` for the first of `certificates` (DER) that can receive encrypted mail
/// ([`can_receive_encrypted_mail`]), or `None` when none can.
pub fn envelope(certificates: &[Vec<u8>], entity: &[u8]) -> io::Result<Option<Vec<u8>>> {
    let Some(der) = certificates
        .iter()
        .find(|der| can_receive_encrypted_mail(der))
    else {
        return Ok(None);
    };
    let mut recipients = Stack::new().map_err(io::Error::other)?;
    recipients
        .push(X509::from_der(der).map_err(io::Error::other)?)
        .map_err(io::Error::other)?;
    // BINARY: the entity is already canonical (CRLF), enveloped as it is.
    let cms = CmsContentInfo::encrypt(
        &recipients,
        entity,
        Cipher::aes_256_gcm(),
        CMSOptions::BINARY,
    )
    .map_err(io::Error::other)?;
    cms.to_der().map(Some).map_err(io::Error::other)
}

/// What a signed message's signature says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureCheck {
    /// Whether it verifies: the content unchanged, the signer's certificate chaining to
    /// one of the anchors and valid now.
    pub valid: bool,
    /// The signer's address (the certificate's rfc822Name), when the signature names
    /// a signer.
    pub signer: Option<String>,
}

/// The signature of `raw`, an S/MIME signed message (`multipart/signed` or opaque
/// `application/pkcs7-mime; smime-type=signed-data`, RFC 8551), checked against
/// `anchors` (DER certificates); `None` when `raw` is not signed that way (plain,
/// enveloped). Only the signature over the whole message counts.
pub fn check_signature(raw: &[u8], anchors: &[Vec<u8>]) -> Option<SignatureCheck> {
    let (signed, content) = Pkcs7::from_smime(raw).ok()?;
    signed.signed()?;
    let no_certificates = Stack::<X509>::new().ok()?;
    let signer = signed
        .signers(&no_certificates, Pkcs7Flags::empty())
        .ok()
        .and_then(|signers| signers.iter().next().and_then(signer_address));
    let valid = trust_store(anchors).is_some_and(|store| {
        signed
            .verify(
                &no_certificates,
                &store,
                content.as_deref(),
                None,
                Pkcs7Flags::empty(),
            )
            .is_ok()
    });
    Some(SignatureCheck { valid, signer })
}

/// The first rfc822Name of `certificate`.
fn signer_address(certificate: &openssl::x509::X509Ref) -> Option<String> {
    certificate
        .subject_alt_names()?
        .iter()
        .find_map(|name| name.email().map(str::to_owned))
}

fn trust_store(anchors: &[Vec<u8>]) -> Option<openssl::x509::store::X509Store> {
    let mut builder = X509StoreBuilder::new().ok()?;
    for der in anchors {
        builder.add_cert(X509::from_der(der).ok()?).ok()?;
    }
    Some(builder.build())
}

/// Checks a certificate another authority issued to the holder of `address` (the
/// national health PKI in production, MS-3), `pem` holding it then its chain: it names
/// `address` (rfc822Name), is valid now, allows e-mail protection when it lists
/// extended key usages, and chains to one of `anchors` (DER). `Err` says why not.
pub fn check_issued_elsewhere(pem: &str, anchors: &[Vec<u8>], address: &str) -> Result<(), String> {
    let chain =
        X509::stack_from_pem(pem.as_bytes()).map_err(|_| "not a PEM certificate".to_owned())?;
    let leaf = chain.first().ok_or("no certificate in the PEM")?;
    let named = leaf.subject_alt_names().is_some_and(|names| {
        names
            .iter()
            .any(|n| n.email().is_some_and(|e| e.eq_ignore_ascii_case(address)))
    });
    if !named {
        return Err(format!(
            "the certificate does not name {address} (rfc822Name)"
        ));
    }
    let der = leaf.to_der().map_err(|e| e.to_string())?;
    let (_, parsed) = X509Certificate::from_der(&der).map_err(|e| e.to_string())?;
    if !parsed.validity().is_valid() {
        return Err("the certificate is expired or not yet valid".into());
    }
    let purposes = parsed
        .extended_key_usage()
        .map_err(|e| e.to_string())?
        .map(|p| p.value);
    if purposes.is_some_and(|p| !(p.any || p.email_protection)) {
        return Err("the certificate is not for e-mail protection".into());
    }
    let store = trust_store(anchors).ok_or("the trust anchors cannot be read")?;
    let mut untrusted = Stack::new().map_err(|e| e.to_string())?;
    for intermediate in chain.iter().skip(1) {
        untrusted
            .push(intermediate.to_owned())
            .map_err(|e| e.to_string())?;
    }
    let mut context = X509StoreContext::new().map_err(|e| e.to_string())?;
    let chains = context
        .init(&store, leaf, &untrusted, |c| c.verify_cert())
        .map_err(|e| e.to_string())?;
    if !chains {
        return Err("the certificate does not chain to an authority this operator trusts".into());
    }
    Ok(())
}

/// Keeps in the development PKI `pki` (`users/<address>.pem`, where the directory
/// serves it) a certificate another authority issued, once
/// [`check_issued_elsewhere`] accepts it against `anchors`; the PEM kept. A refused
/// certificate is an [`io::ErrorKind::InvalidInput`] error saying why.
pub fn keep_issued_elsewhere(
    pki: &Path,
    address: &str,
    pem: &str,
    anchors: &[Vec<u8>],
) -> io::Result<String> {
    check_issued_elsewhere(pem, anchors, address)
        .map_err(|why| io::Error::new(io::ErrorKind::InvalidInput, why))?;
    crate::request::keep_user_certificate(&pki.join("users"), address, pem.as_bytes())
        .map_err(io::Error::other)?;
    Ok(pem.to_owned())
}

/// The DER certificates the development PKI in `pki` keeps for `address`
/// (`users/<address>.pem`), less those it revoked; none when it keeps none.
pub fn user_certificates(pki: &Path, address: &str) -> Result<Vec<Vec<u8>>, crate::PkiError> {
    // An address may hold a `/` (RFC 5322 atext): such a name is no file here.
    if address.contains('/') {
        return Ok(Vec::new());
    }
    let path = pki.join("users").join(format!("{address}.pem"));
    if !path.exists() {
        return Ok(Vec::new());
    }
    let der = crate::load_certs(&path)?
        .into_iter()
        .map(|c| c.to_vec())
        .collect();
    crate::crl::not_revoked(pki, der)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        CertificateParams, ExtendedKeyUsagePurpose, KeyPair, KeyUsagePurpose, PKCS_RSA_SHA256,
    };

    fn certificate(
        key: &KeyPair,
        usage: &[KeyUsagePurpose],
        eku: &[ExtendedKeyUsagePurpose],
    ) -> Vec<u8> {
        let mut params = CertificateParams::new(vec!["holder@caduceus.test".into()]).unwrap();
        params.key_usages = usage.to_vec();
        params.extended_key_usages = eku.to_vec();
        params.self_signed(key).unwrap().der().to_vec()
    }

    #[test]
    fn ms3_only_a_certificate_for_encryption_receives_encrypted_mail() {
        let ec = KeyPair::generate().unwrap();
        let email = [ExtendedKeyUsagePurpose::EmailProtection];
        let agreement = [KeyUsagePurpose::KeyAgreement];
        let signing = [KeyUsagePurpose::DigitalSignature];
        assert!(can_receive_encrypted_mail(&certificate(
            &ec, &agreement, &email
        )));
        assert!(can_receive_encrypted_mail(&certificate(&ec, &[], &[])));
        assert!(!can_receive_encrypted_mail(&certificate(
            &ec, &signing, &email
        )));
        let server = [ExtendedKeyUsagePurpose::ServerAuth];
        assert!(!can_receive_encrypted_mail(&certificate(
            &ec, &agreement, &server
        )));
        assert!(!can_receive_encrypted_mail(b"not a certificate"));
        let rsa = openssl::rsa::Rsa::generate(2048).unwrap();
        let pem = openssl::pkey::PKey::from_rsa(rsa)
            .unwrap()
            .private_key_to_pem_pkcs8()
            .unwrap();
        let rsa =
            KeyPair::from_pem_and_sign_algo(std::str::from_utf8(&pem).unwrap(), &PKCS_RSA_SHA256)
                .unwrap();
        let encipherment = [KeyUsagePurpose::KeyEncipherment];
        assert!(can_receive_encrypted_mail(&certificate(
            &rsa,
            &encipherment,
            &email
        )));
        assert!(!can_receive_encrypted_mail(&certificate(
            &rsa, &agreement, &email
        )));
    }

    #[test]
    fn ms3_the_entity_is_enveloped_to_the_first_usable_certificate_and_opens_with_its_key() {
        let signing_only = certificate(
            &KeyPair::generate().unwrap(),
            &[KeyUsagePurpose::DigitalSignature],
            &[],
        );
        assert_eq!(
            envelope(std::slice::from_ref(&signing_only), b"x").unwrap(),
            None
        );
        let key = KeyPair::generate().unwrap();
        let usable = certificate(&key, &[KeyUsagePurpose::KeyAgreement], &[]);
        let entity = b"Content-Type: text/plain\r\n\r\nCompte rendu\r\n";
        let der = envelope(&[signing_only, usable.clone()], entity)
            .unwrap()
            .expect("enveloped");
        assert!(!der.windows(12).any(|w| w == b"Compte rendu"));
        let cms = CmsContentInfo::from_der(&der).unwrap();
        let pkey = openssl::pkey::PKey::private_key_from_der(&key.serialize_der()).unwrap();
        let cert = X509::from_der(&usable).unwrap();
        let opened = cms.decrypt(&pkey, &cert).unwrap();
        assert_eq!(opened, entity);
    }

    /// A CA, and a leaf for `address` it signed: (CA DER, leaf certificate, leaf key).
    fn issued(address: &str) -> (Vec<u8>, X509, openssl::pkey::PKey<openssl::pkey::Private>) {
        let ca_key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, format!("CA of {address}"));
        let ca = params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(params, ca_key);
        let key = KeyPair::generate().unwrap();
        let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
        leaf.distinguished_name
            .push(rcgen::DnType::CommonName, address);
        leaf.subject_alt_names = vec![rcgen::SanType::Rfc822Name(address.try_into().unwrap())];
        let leaf = leaf.signed_by(&key, &issuer).unwrap();
        (
            ca.der().to_vec(),
            X509::from_der(leaf.der()).unwrap(),
            openssl::pkey::PKey::private_key_from_der(&key.serialize_der()).unwrap(),
        )
    }

    #[test]
    fn ms16_a_signature_is_checked_against_the_anchors_and_names_its_signer() {
        let (anchor, certificate, key) = issued("alice@caduceus.test");
        let content = b"Content-Type: text/plain\r\n\r\nCompte rendu\r\n";
        let no_chain = Stack::new().unwrap();
        let flags = Pkcs7Flags::DETACHED | Pkcs7Flags::BINARY;
        let signed = Pkcs7::sign(&certificate, &key, &no_chain, content, flags).unwrap();
        let message = signed.to_smime(content, flags).unwrap();
        let check = check_signature(&message, std::slice::from_ref(&anchor)).unwrap();
        assert_eq!(
            check,
            SignatureCheck {
                valid: true,
                signer: Some("alice@caduceus.test".into())
            }
        );
        // Another CA's anchors: not valid, the signer still named.
        let (other, _, _) = issued("someone@else.test");
        assert!(!check_signature(&message, &[other]).unwrap().valid);
        // The content changed in transit: not valid.
        let text = String::from_utf8(message).unwrap();
        let altered = text.replacen("Compte rendu", "Compte rendu!", 1);
        assert!(
            !check_signature(altered.as_bytes(), &[anchor])
                .unwrap()
                .valid
        );
        // Not signed: nothing to say.
        assert_eq!(check_signature(b"Subject: x\r\n\r\nHello\r\n", &[]), None);
    }
}
