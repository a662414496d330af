//! Creating, opening and issuing from the development PKI; parsing what was issued.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use caduceus_pki::{CertIdentity, DevPki, PkiError, load_certs, load_key, normalize_dn};

const DOMAIN: &str = "caduceus.test";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn identity(pem: &Path) -> CertIdentity {
    let certs = load_certs(pem).unwrap();
    assert_eq!(certs.len(), 1, "{}", pem.display());
    CertIdentity::from_der(&certs[0]).unwrap()
}

#[test]
fn create_writes_ca_and_server_files_with_private_keys_0600() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("pki");
    let pki = DevPki::create(&dir, DOMAIN).unwrap();

    assert_eq!(pki.ca_cert_path(), dir.join("ca.pem"));
    assert_eq!(pki.server_cert_path(), dir.join("server.pem"));
    assert_eq!(pki.server_key_path(), dir.join("server.key"));
    for key in [dir.join("ca.key"), pki.server_key_path()] {
        assert_eq!(mode(&key), 0o600, "{}", key.display());
        load_key(&key).unwrap();
    }
    for cert in [pki.ca_cert_path(), pki.server_cert_path()] {
        assert_eq!(mode(&cert) & 0o077, 0o044, "{}", cert.display());
    }
}

#[test]
fn ca_is_a_clearly_marked_development_health_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(tmp.path(), DOMAIN).unwrap();
    let ca = identity(&pki.ca_cert_path());
    assert_eq!(
        ca.common_name.as_deref(),
        Some("Caduceus development health CA")
    );
    assert_eq!(ca.subject_dn, ca.issuer_dn, "self-signed");
    assert_eq!(
        ca.subject_dn,
        normalize_dn(
            "CN=Caduceus development health CA,OU=Development only - not for production,O=caduceus.test,C=FR"
        )
    );
    let der = &load_certs(&pki.ca_cert_path()).unwrap()[0];
    let (_, x509) = x509_parser::parse_x509_certificate(der).unwrap();
    assert!(x509.is_ca());
}

#[test]
fn server_certificate_covers_the_service_names_and_both_tls_roles() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(tmp.path(), DOMAIN).unwrap();
    let server = identity(&pki.server_cert_path());
    let ca = identity(&pki.ca_cert_path());
    assert_eq!(server.issuer_dn, ca.subject_dn);
    assert_eq!(
        server.dns_names,
        [
            "caduceus.test",
            "mail.caduceus.test",
            "patient.caduceus.test",
            "localhost"
        ]
    );

    let der = &load_certs(&pki.server_cert_path()).unwrap()[0];
    let (_, x509) = x509_parser::parse_x509_certificate(der).unwrap();
    assert!(!x509.is_ca());
    let eku = x509.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.server_auth && eku.client_auth);
    let ips: Vec<std::net::IpAddr> = x509
        .subject_alternative_name()
        .unwrap()
        .unwrap()
        .value
        .general_names
        .iter()
        .filter_map(|n| match n {
            x509_parser::extensions::GeneralName::IPAddress(b) if b.len() == 4 => {
                Some(<[u8; 4]>::try_from(*b).unwrap().into())
            }
            x509_parser::extensions::GeneralName::IPAddress(b) if b.len() == 16 => {
                Some(<[u8; 16]>::try_from(*b).unwrap().into())
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        ips,
        [
            "127.0.0.1".parse::<std::net::IpAddr>().unwrap(),
            "::1".parse().unwrap()
        ]
    );
}

#[test]
fn create_refuses_to_overwrite_an_existing_pki() {
    let tmp = tempfile::tempdir().unwrap();
    DevPki::create(tmp.path(), DOMAIN).unwrap();
    let ca_before = std::fs::read(tmp.path().join("ca.pem")).unwrap();
    let key_before = std::fs::read(tmp.path().join("ca.key")).unwrap();

    let err = DevPki::create(tmp.path(), "other.test").unwrap_err();
    assert!(matches!(err, PkiError::AlreadyExists { .. }), "{err:?}");
    assert!(err.to_string().contains("ca.pem"), "{err}");
    assert_eq!(std::fs::read(tmp.path().join("ca.pem")).unwrap(), ca_before);
    assert_eq!(
        std::fs::read(tmp.path().join("ca.key")).unwrap(),
        key_before
    );
}

#[test]
fn create_refuses_a_directory_with_a_stray_key_file() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("server.key"), "precious").unwrap();
    let err = DevPki::create(tmp.path(), DOMAIN).unwrap_err();
    assert!(matches!(err, PkiError::AlreadyExists { .. }), "{err:?}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("server.key")).unwrap(),
        "precious"
    );
}

#[test]
fn create_rejects_a_domain_that_is_not_a_dns_name() {
    let tmp = tempfile::tempdir().unwrap();
    for bad in ["", "has space.test", "école.test", "a..b", "-x.test"] {
        let err = DevPki::create(tmp.path(), bad).unwrap_err();
        assert!(
            matches!(err, PkiError::InvalidInput { .. }),
            "{bad}: {err:?}"
        );
    }
    assert!(!tmp.path().join("ca.pem").exists());
}

#[test]
fn au1_user_certificate_carries_the_national_identifier() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(&tmp.path().join("pki"), DOMAIN).unwrap();
    let out = tmp.path().join("users");
    let issued = pki
        .issue_user(
            "810003090833",
            "Jeanne",
            "Martin",
            Some("jeanne.martin@caduceus.test"),
            &out,
            "jeanne.martin@caduceus.test",
        )
        .unwrap();
    assert_eq!(
        issued.cert_path,
        out.join("jeanne.martin@caduceus.test.pem")
    );
    assert_eq!(issued.key_path, out.join("jeanne.martin@caduceus.test.key"));
    assert_eq!(mode(&issued.key_path), 0o600);
    load_key(&issued.key_path).unwrap();

    let user = identity(&issued.cert_path);
    let ca = identity(&pki.ca_cert_path());
    assert_eq!(user.serial_number.as_deref(), Some("810003090833"));
    assert_eq!(user.common_name.as_deref(), Some("Jeanne Martin"));
    // The card's names, read apart (self-registration matches them, ID-1).
    assert_eq!(user.family_name.as_deref(), Some("Martin"));
    assert_eq!(user.given_name.as_deref(), Some("Jeanne"));
    assert_eq!(user.emails, ["jeanne.martin@caduceus.test"]);
    assert!(user.dns_names.is_empty());
    assert_eq!(user.issuer_dn, ca.subject_dn);
    assert_eq!(
        user.subject_dn,
        normalize_dn(
            "/C=FR/O=caduceus.test/serialNumber=810003090833/SN=Martin/GN=Jeanne/CN=Jeanne Martin"
        )
    );

    let der = &load_certs(&issued.cert_path).unwrap()[0];
    let (_, x509) = x509_parser::parse_x509_certificate(der).unwrap();
    let eku = x509.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.client_auth && eku.email_protection && !eku.server_auth);
    let lifetime = x509.validity().not_after.timestamp() - x509.validity().not_before.timestamp();
    let years = lifetime as f64 / (365.25 * 86400.0);
    assert!((2.9..3.1).contains(&years), "{years} years");
}

#[test]
fn au1_user_certificate_without_email_or_given_name() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(tmp.path(), DOMAIN).unwrap();
    let issued = pki
        .issue_user("810003090833", "", "Martin", None, tmp.path(), "martin")
        .unwrap();
    let user = identity(&issued.cert_path);
    assert_eq!(user.serial_number.as_deref(), Some("810003090833"));
    assert_eq!(user.common_name.as_deref(), Some("Martin"));
    assert_eq!(user.given_name, None);
    assert!(user.emails.is_empty());
}

#[test]
fn issue_user_rejects_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(tmp.path(), DOMAIN).unwrap();
    let out = tmp.path().join("users");
    let cases: [(&str, Option<&str>, &str); 5] = [
        ("", None, "ok"),
        ("81000309083é", None, "ok"),
        ("810003090833", Some("not-an-address"), "ok"),
        ("810003090833", None, "../escape"),
        ("810003090833", None, ""),
    ];
    for (id, email, stem) in cases {
        let err = pki.issue_user(id, "A", "B", email, &out, stem).unwrap_err();
        assert!(
            matches!(err, PkiError::InvalidInput { .. }),
            "{id:?} {email:?} {stem:?}: {err:?}"
        );
    }
}

#[test]
fn reissuing_replaces_files_and_keeps_keys_private() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(tmp.path(), DOMAIN).unwrap();
    let out = tmp.path().join("users");
    let first = pki
        .issue_user("810003090833", "A", "B", None, &out, "u")
        .unwrap();
    // Even if someone loosened the old key's permissions, the new key is private.
    std::fs::set_permissions(&first.key_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let key_before = std::fs::read(&first.key_path).unwrap();
    let second = pki
        .issue_user("810003090834", "A", "B", None, &out, "u")
        .unwrap();
    assert_eq!(first, second);
    assert_ne!(std::fs::read(&second.key_path).unwrap(), key_before);
    assert_eq!(mode(&second.key_path), 0o600);
    assert_eq!(
        identity(&second.cert_path).serial_number.as_deref(),
        Some("810003090834")
    );
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn ms5_operator_certificate_dn_matches_its_trust_list_entry() {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(tmp.path(), DOMAIN).unwrap();
    let issued = pki
        .issue_operator(
            "mssante.hopital-exemple.fr",
            "Hopital Exemple",
            tmp.path(),
            "operator",
        )
        .unwrap();
    assert_eq!(mode(&issued.key_path), 0o600);
    let op = identity(&issued.cert_path);
    // A trust-list entry, written in either form, matches the certificate's subject.
    assert_eq!(
        op.subject_dn,
        normalize_dn("CN=mssante.hopital-exemple.fr, O=Hopital Exemple, C=FR")
    );
    assert_eq!(
        op.subject_dn,
        normalize_dn("/C=FR/O=HOPITAL EXEMPLE/CN=MSSante.Hopital-Exemple.fr")
    );
    assert_eq!(
        op.common_name.as_deref(),
        Some("mssante.hopital-exemple.fr")
    );
    assert_eq!(op.dns_names, ["mssante.hopital-exemple.fr"]);
    assert_eq!(op.serial_number, None);
    assert_eq!(op.issuer_dn, identity(&pki.ca_cert_path()).subject_dn);

    let der = &load_certs(&issued.cert_path).unwrap()[0];
    let (_, x509) = x509_parser::parse_x509_certificate(der).unwrap();
    let eku = x509.extended_key_usage().unwrap().unwrap().value;
    assert!(eku.client_auth && eku.server_auth);
}

#[test]
fn open_reloads_the_ca_and_issues_under_the_same_issuer() {
    let tmp = tempfile::tempdir().unwrap();
    let created = DevPki::create(tmp.path(), DOMAIN).unwrap();
    let opened = DevPki::open(tmp.path()).unwrap();
    assert_eq!(opened.domain(), DOMAIN);
    assert_eq!(opened.ca_cert_path(), created.ca_cert_path());
    let issued = opened
        .issue_user("810003090833", "A", "B", None, tmp.path(), "after-open")
        .unwrap();
    let user = identity(&issued.cert_path);
    assert_eq!(user.issuer_dn, identity(&created.ca_cert_path()).subject_dn);
    // The Debug output never shows key material.
    let debug = format!("{opened:?}");
    assert!(!debug.contains("PRIVATE"), "{debug}");
}

#[test]
fn ms5_join_certifies_a_second_operator_under_the_same_ca() {
    let tmp = tempfile::tempdir().unwrap();
    let first = DevPki::create(&tmp.path().join("a"), DOMAIN).unwrap();
    let joined = DevPki::join(&tmp.path().join("b"), "autre.test", first.dir()).unwrap();
    assert_eq!(joined.domain(), "autre.test");
    assert_eq!(
        std::fs::read(joined.ca_cert_path()).unwrap(),
        std::fs::read(first.ca_cert_path()).unwrap()
    );
    assert_eq!(mode(&joined.dir().join("ca.key")), 0o600);
    assert_eq!(mode(&joined.server_key_path()), 0o600);
    let server = identity(&joined.server_cert_path());
    assert_eq!(server.issuer_dn, identity(&first.ca_cert_path()).subject_dn);
    assert!(
        server.subject_dn.contains("CN=autre.test"),
        "{}",
        server.subject_dn
    );
    assert!(joined.crl_path().exists());
    // Joining twice, or a directory that is not a CA, is refused.
    assert!(matches!(
        DevPki::join(&tmp.path().join("b"), "autre.test", first.dir()),
        Err(PkiError::AlreadyExists { .. })
    ));
    assert!(
        DevPki::join(
            &tmp.path().join("c"),
            "tiers.test",
            &tmp.path().join("none")
        )
        .is_err()
    );
    assert!(!tmp.path().join("c").join("ca.pem").exists());
}

#[test]
fn open_reports_missing_and_mismatched_files() {
    let tmp = tempfile::tempdir().unwrap();
    let err = DevPki::open(tmp.path()).unwrap_err();
    assert!(matches!(err, PkiError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("ca.pem"), "{err}");

    let pki = DevPki::create(tmp.path(), DOMAIN).unwrap();
    // A CA key that belongs to another certificate.
    std::fs::remove_file(tmp.path().join("ca.key")).unwrap();
    std::fs::copy(pki.server_key_path(), tmp.path().join("ca.key")).unwrap();
    let err = DevPki::open(tmp.path()).unwrap_err();
    assert!(matches!(err, PkiError::KeyMismatch { .. }), "{err:?}");

    // A "CA" that is not a CA.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(pki.server_cert_path(), other.path().join("ca.pem")).unwrap();
    std::fs::copy(pki.server_key_path(), other.path().join("ca.key")).unwrap();
    let err = DevPki::open(other.path()).unwrap_err();
    assert!(matches!(err, PkiError::Certificate { .. }), "{err:?}");
}

#[test]
fn loaders_say_which_file_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("server.pem");
    std::fs::write(&empty, "no pem here\n").unwrap();
    let err = load_certs(&empty).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no certificate found in {}", empty.display())
    );
    let err = load_key(&empty).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no private key found in {}", empty.display())
    );

    let truncated = tmp.path().join("broken.pem");
    std::fs::write(&truncated, "-----BEGIN CERTIFICATE-----\nAAAA\n").unwrap();
    let err = load_certs(&truncated).unwrap_err();
    assert!(matches!(err, PkiError::Pem { .. }), "{err:?}");
    assert!(err.to_string().contains("broken.pem"), "{err}");

    let missing = tmp.path().join("missing.pem");
    let err = caduceus_pki::load_roots(&missing).unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
}

#[test]
fn cert_identity_rejects_garbage() {
    let err = CertIdentity::from_der(b"not a certificate").unwrap_err();
    assert!(matches!(err, PkiError::Certificate { .. }), "{err:?}");
}
