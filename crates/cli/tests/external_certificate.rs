//! A certificate another authority issued (the national health PKI in production,
//! MS-3, issue 19 item 1): Bruno uploads the S/MIME certificate an external CA the
//! operator trusts (`tls.client_ca`) issued him; the API keeps it and the directory
//! serves it. One from a CA the operator does not trust, or naming another address, is
//! refused with the reason and nothing changes.
//!
//! interface: http

mod common;

use std::path::Path;

use common::{Server, api_with_certificate, demo_account, init_demo, openssl};

const BRUNO: &str = "bruno.durand@caduceus.test";

/// A certificate authority `name` in `dir` (`name.pem`, `name.key`).
fn authority(dir: &Path, name: &str) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "30",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
}

/// An S/MIME certificate `out` for `address`, its key made on the holder's side,
/// signed by the authority `ca`.
fn issued(dir: &Path, ca: &str, address: &str, out: &str) {
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            "/CN=Bruno Durand",
            "-keyout",
            &format!("{out}.key"),
            "-out",
            &format!("{out}.csr"),
        ],
    );
    std::fs::write(
        dir.join(format!("{out}.ext")),
        format!(
            "subjectAltName=email:{address}\nextendedKeyUsage=emailProtection\n\
             keyUsage=critical,digitalSignature,keyAgreement\n"
        ),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{out}.csr"),
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-CAcreateserial",
            "-days",
            "30",
            "-extfile",
            &format!("{out}.ext"),
            "-out",
            &format!("{out}.pem"),
        ],
    );
}

#[test]
fn ms3_a_certificate_from_a_trusted_external_authority_is_kept_and_served_others_refused() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let ports = init_demo(&data);
    let dir = root.path().join("client");
    std::fs::create_dir_all(&dir).unwrap();
    authority(&dir, "igc-sante");
    authority(&dir, "rogue");
    issued(&dir, "igc-sante", BRUNO, "bruno");
    issued(&dir, "rogue", BRUNO, "bruno-rogue");
    issued(&dir, "igc-sante", "someone.else@caduceus.test", "other");
    // The operator trusts the external authority beside its own (tls.client_ca).
    let anchors = [
        std::fs::read_to_string(data.join("pki/ca.pem")).unwrap(),
        std::fs::read_to_string(dir.join("igc-sante.pem")).unwrap(),
    ]
    .concat();
    std::fs::write(data.join("pki/anchors.pem"), anchors).unwrap();
    let config = std::fs::read_to_string(data.join("caduceus.toml")).unwrap();
    let trusted = config.replace(
        "# client_ca = \"pki/ca.pem\"",
        "client_ca = \"pki/anchors.pem\"",
    );
    assert_ne!(trusted, config, "the [tls] client_ca line of caduceus.toml");
    std::fs::write(data.join("caduceus.toml"), trusted).unwrap();
    let _server = Server::start(&data, &ports.https);
    // Bruno's client keeps his login certificate (AU-1): the demo's file is the one
    // the directory serves, which the upload replaces.
    let bruno = demo_account(&data, BRUNO);
    for (field, file) in [("certificate", "login.pem"), ("key", "login.key")] {
        std::fs::copy(bruno[field].as_str().unwrap(), dir.join(file)).unwrap();
    }
    let (login_pem, login_key) = (dir.join("login.pem"), dir.join("login.key"));
    let api = |extra: &[&str], path: &str, out: &Path| {
        api_with_certificate(
            &data,
            &ports.https,
            (&login_pem, &login_key),
            extra,
            path,
            out,
        )
    };

    let answer = dir.join("answer");
    let upload = |file: &str| {
        let body = format!("@{}", dir.join(file).display());
        let headers = [
            "-H",
            "Content-Type: application/pem-certificate-chain",
            "--data-binary",
            &body,
        ];
        let status = api(&headers, "/certificates", &answer);
        (status, std::fs::read_to_string(&answer).unwrap())
    };
    let served = || {
        let path = format!("/directory/certificates/{BRUNO}");
        let out = dir.join("served.pem");
        assert_eq!(api(&[], &path, &out), "200");
        openssl(
            &dir,
            &["x509", "-noout", "-fingerprint", "-in", "served.pem"],
        )
    };
    let before = served();

    let (status, why) = upload("bruno-rogue.pem");
    assert_eq!(status, "400", "{why}");
    assert!(why.contains("does not chain"), "{why}");
    let (status, why) = upload("other.pem");
    assert_eq!(status, "400", "{why}");
    assert!(why.contains("does not name"), "{why}");
    assert_eq!(served(), before, "nothing changed");

    let (status, kept) = upload("bruno.pem");
    assert_eq!(status, "201", "{kept}");
    let fingerprint = openssl(
        &dir,
        &["x509", "-noout", "-fingerprint", "-in", "bruno.pem"],
    );
    assert_eq!(
        served(),
        fingerprint,
        "the directory serves the uploaded certificate"
    );
}
