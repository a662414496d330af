//! User certificates for keys made on the user's side (MS-3, issue 19): `openssl req`
//! makes the key and the request, the development CA signs it for the account's
//! identity, `openssl` checks what came out.

use std::path::Path;
use std::process::Command;

use caduceus_pki::{CertIdentity, DevPki, PkiError, UserSubject, load_certs};

const BRUNO: UserSubject<'static> = UserSubject {
    national_id: "810000000001",
    given: "Bruno",
    family: "Durand",
    email: Some("bruno.durand@caduceus.test"),
};

/// `openssl ARGS` in `dir`; its standard output, the test failed when it fails.
fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl is needed (apt-get install -y openssl)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A key made by `openssl req -newkey <newkey>` in `dir` and its request, which
/// asks for another name than the account's; the request's PEM.
fn request(dir: &Path, name: &str, newkey: &[&str]) -> String {
    let (key, csr) = (format!("{name}.key"), format!("{name}.csr"));
    let mut args = vec!["req", "-new", "-nodes", "-subj", "/CN=Mallory/O=Elsewhere"];
    args.extend(newkey);
    args.extend(["-keyout", &key, "-out", &csr]);
    openssl(dir, &args);
    std::fs::read_to_string(dir.join(csr)).unwrap()
}

#[test]
fn ms3_csr_is_signed_for_the_account_rsa_and_p256_and_the_server_keeps_no_key() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pki = DevPki::create(&dir.join("pki"), "caduceus.test").unwrap();
    let users = dir.join("users");
    // An earlier certificate made on the server: its key goes.
    pki.issue_user(
        "810000000001",
        "Bruno",
        "Durand",
        BRUNO.email,
        &users,
        "bruno",
    )
    .unwrap();
    assert!(users.join("bruno.key").exists());

    for (name, newkey, usage) in [
        (
            "ec",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
            "Key Agreement",
        ),
        ("rsa", &["-newkey", "rsa:2048"][..], "Key Encipherment"),
    ] {
        let csr = request(dir, name, newkey);
        let path = pki.sign_user_request(&csr, BRUNO, &users, "bruno").unwrap();
        assert!(
            !users.join("bruno.key").exists(),
            "{name}: no key on the server"
        );
        // The account's identity, not the request's.
        let identity = CertIdentity::from_der(&load_certs(&path).unwrap()[0]).unwrap();
        assert_eq!(identity.serial_number.as_deref(), Some("810000000001"));
        assert_eq!(identity.emails, ["bruno.durand@caduceus.test"]);
        let text = openssl(
            dir,
            &["x509", "-in", path.to_str().unwrap(), "-noout", "-text"],
        );
        assert!(
            !text.contains("Mallory") && text.contains("Bruno Durand"),
            "{text}"
        );
        assert!(
            text.contains("E-mail Protection")
                && text.contains(usage)
                && text.contains("email:bruno.durand@caduceus.test"),
            "{name}: {text}"
        );
        // The requester's key matches the certificate: openssl encrypts to it and the
        // key made on the client opens it.
        std::fs::write(dir.join("m.txt"), "Bonjour.\r\n").unwrap();
        let cert = path.to_str().unwrap();
        openssl(
            dir,
            &[
                "cms",
                "-encrypt",
                "-aes-256-cbc",
                "-in",
                "m.txt",
                "-out",
                "m.p7m",
                cert,
            ],
        );
        let key = format!("{name}.key");
        let opened = openssl(
            dir,
            &[
                "cms", "-decrypt", "-in", "m.p7m", "-recip", cert, "-inkey", &key,
            ],
        );
        assert_eq!(opened, "Bonjour.\r\n");
        openssl(
            dir,
            &[
                "verify",
                "-CAfile",
                pki.ca_cert_path().to_str().unwrap(),
                cert,
            ],
        );
    }
}

#[test]
fn ms3_weak_or_unsigned_requests_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pki = DevPki::create(&dir.join("pki"), "caduceus.test").unwrap();
    let users = dir.join("users");
    let weak = request(dir, "weak", &["-newkey", "rsa:1024"]);
    let p384 = request(
        dir,
        "p384",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
    );
    for (csr, why) in [
        (weak, "1024 bits"),
        (p384, "RSA (2048 bits or more) or EC P-256"),
        ("not a request".to_owned(), "PKCS#10"),
    ] {
        match pki.sign_user_request(&csr, BRUNO, &users, "bruno") {
            Err(PkiError::InvalidInput { reason, .. }) => assert!(reason.contains(why), "{reason}"),
            other => panic!("{why}: {other:?}"),
        }
    }
    assert!(!users.join("bruno.pem").exists());
}
