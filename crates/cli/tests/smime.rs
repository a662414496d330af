//! End-to-end S/MIME between two operators of one trust space (MS-3, issue 19): a
//! recipient's client makes its key and has its certificate signed from a request
//! (the server keeps no key), the directory serves it; what a sender's mail client
//! signs or encrypts with `openssl cms` crosses SMTP
//! submission, the operator relay, storage, IMAP, the API's raw download and the
//! export unchanged, byte for byte, apart from the trace header fields prepended on
//! top; the recipient's key opens it and the signature verifies against the trust
//! anchors. And what the rules do with what the server cannot read (MS-9, MS-11,
//! MS-13; docs/operations.md, "Encrypted mail and the rules").
//!
//! interface: smtp

mod common;

use std::path::Path;
use std::process::Command;

use common::trust::{Operator, pair};
use common::{
    Server, clamd, demo_account, eicar, free_port, init_demo, ok, openssl, python3, use_clamd,
};

const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@autre.test";
/// A colleague of Bruno's at his operator, who looks his certificate up.
const COLLEAGUE: &str = "alice.martin@autre.test";
const BASE: &str = "ou=directory,dc=autre,dc=test";

/// The MIME entity Alice signs or encrypts: 8bit UTF-8, trailing blanks, CRLF.
const INNER: &[u8] = "Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\n\
Compte rendu : résultats normaux.\r\nLigne avec des blancs   \r\n\r\n.\r\nFin.\r\n"
    .as_bytes();

/// A mail client's line endings: openssl writes the base64 lines with bare LF.
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 50);
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\n' && (i == 0 || bytes[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(*b);
    }
    out
}

/// tests/scripts/raw_mail.py `action` as `user` of `operator` on `listener`.
fn raw_mail(
    operator: &Operator,
    listener: &str,
    user: &str,
    action: &str,
    rest: &[&str],
) -> String {
    common::raw_mail(&operator.data, listener, user, action, rest)
}

/// The header fields `got` has on top of `sent`, which it must end with unchanged.
fn prepended(got: &[u8], sent: &[u8], what: &str) -> String {
    assert!(
        got.ends_with(sent),
        "{what}: altered in transit\nsent:\n{}\ngot:\n{}",
        String::from_utf8_lossy(sent),
        String::from_utf8_lossy(got)
    );
    String::from_utf8(got[..got.len() - sent.len()].to_vec()).unwrap()
}

/// The names of the header fields of `fields` (a header block without its end).
fn field_names(fields: &str) -> Vec<String> {
    fields
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.starts_with([' ', '\t']))
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect()
}

/// Bruno's certificate as his colleague's client finds it in his operator's
/// directory (LDAP over TLS, `userCertificate;binary`), written as PEM to `pem`.
fn certificate_from_directory(b: &Operator, dir: &Path, pem: &str) {
    let secret = common::demo_credential(&b.data, COLLEAGUE);
    let out = Command::new("ldapsearch")
        .env("LDAPTLS_CACERT", b.data.join("pki/ca.pem"))
        .args(["-x", "-LLL", "-o", "ldif-wrap=no", "-H"])
        .arg(format!("ldaps://{}", b.ports.ldaps))
        .args(["-D", COLLEAGUE, "-w", &secret, "-b", BASE])
        .arg(format!("(mail={BRUNO})"))
        .arg("userCertificate;binary")
        .output()
        .expect("ldapsearch is needed (apt-get install -y ldap-utils)");
    let ldif = String::from_utf8_lossy(&out.stdout);
    let encoded = ldif
        .lines()
        .find_map(|l| l.strip_prefix("userCertificate;binary:: "))
        .unwrap_or_else(|| panic!("no certificate for {BRUNO}: {ldif}"));
    let body: Vec<&str> = encoded
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let text = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        body.join("\n")
    );
    std::fs::write(dir.join(pem), text).unwrap();
}

/// `curl` of `operator`'s `/api/v1<path>` into `out`, logged in with the client
/// certificate and key `login` (AU-1), with `extra` options; the HTTP status.
fn api(
    operator: &Operator,
    login: (&Path, &Path),
    extra: &[&str],
    path: &str,
    out: &Path,
) -> String {
    common::api_with_certificate(
        &operator.data,
        &operator.ports.https,
        login,
        extra,
        path,
        out,
    )
}

/// [`api`] of Bruno's operator as Bruno, with the login certificate his client keeps
/// in `dir`.
fn bruno_api(b: &Operator, dir: &Path, extra: &[&str], path: &str, out: &Path) -> String {
    let login = (dir.join("bruno-login.pem"), dir.join("bruno-login.key"));
    api(b, (&login.0, &login.1), extra, path, out)
}

/// The raw bytes of Bruno's message `subject` through his operator's API
/// (`GET /messages/{id}/raw`) and in his export (`GET /export`, a ZIP read by
/// Python's zipfile).
fn api_and_export(b: &Operator, subject: &str, dir: &Path) -> (Vec<u8>, Vec<u8>) {
    let curl = |path: &str, out: &Path| {
        assert_eq!(bruno_api(b, dir, &[], path, out), "200", "{path}");
    };
    let list = dir.join("list.json");
    curl("/folders/INBOX/messages?limit=200", &list);
    let list: serde_json::Value = serde_json::from_slice(&std::fs::read(&list).unwrap()).unwrap();
    let found = list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["subject"] == subject)
        .unwrap_or_else(|| panic!("{subject} in the API's INBOX: {list}"));
    let raw = dir.join("api.eml");
    curl(&format!("/messages/{}/raw", found["id"]), &raw);
    let zip = dir.join("export.zip");
    curl("/export", &zip);
    let exported = python3(&[
        "-c",
        "import json, sys, zipfile\n\
         z = zipfile.ZipFile(sys.argv[1])\n\
         index = json.loads(z.read('index.json'))\n\
         uid = int(sys.argv[2])\n\
         entry = next(e for e in index if e['folder'] == 'INBOX' and e['uid'] == uid)\n\
         open(sys.argv[3], 'wb').write(z.read(entry['file']))\n\
         print('ok')",
        zip.to_str().unwrap(),
        &found["uid"].to_string(),
        dir.join("export.eml").to_str().unwrap(),
    ]);
    assert_eq!(exported.trim(), "ok");
    (
        std::fs::read(raw).unwrap(),
        std::fs::read(dir.join("export.eml")).unwrap(),
    )
}

#[test]
fn ms3_ms16_csr_directory_then_smime_signed_and_enveloped_cross_submission_relay_imap_api_and_export_byte_for_byte_signed_dsn_and_mdn()
 {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = pair(root.path());
    let _a = Server::start(&a.data, &a.ports.submission);
    let _b = Server::start(&b.data, &b.ports.imaps);
    let dir = root.path().join("client");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("inner.eml"), INNER).unwrap();
    // Bruno's client keeps his login certificate (AU-1), and makes his S/MIME key;
    // his operator's CA signs its request (MS-3) and keeps no key of his.
    let bruno = demo_account(&b.data, BRUNO);
    for (field, file) in [
        ("certificate", "bruno-login.pem"),
        ("key", "bruno-login.key"),
    ] {
        std::fs::copy(bruno[field].as_str().unwrap(), dir.join(file)).unwrap();
    }
    openssl(
        &dir,
        &[
            "req",
            "-new",
            "-nodes",
            "-subj",
            "/CN=Bruno",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-keyout",
            "bruno-client.key",
            "-out",
            "bruno.csr",
        ],
    );
    let csr = format!("@{}", dir.join("bruno.csr").display());
    let pkcs10 = [
        "-H",
        "Content-Type: application/pkcs10",
        "--data-binary",
        &csr,
    ];
    let issued = dir.join("issued.pem");
    let status = bruno_api(&b, &dir, &pkcs10, "/certificates", &issued);
    assert_eq!(
        status,
        "201",
        "{}",
        std::fs::read_to_string(&issued).unwrap()
    );
    assert!(!b.data.join(format!("pki/users/{BRUNO}.key")).exists());
    // The directory serves it: the API, and LDAP, where Alice's side finds it.
    let served = dir.join("served.pem");
    let path = format!("/directory/certificates/{BRUNO}");
    assert_eq!(bruno_api(&b, &dir, &[], &path, &served), "200");
    assert_eq!(
        std::fs::read(&served).unwrap(),
        std::fs::read(&issued).unwrap()
    );
    certificate_from_directory(&b, &dir, "bruno.pem");
    let fingerprint = |file: &str| openssl(&dir, &["x509", "-noout", "-fingerprint", "-in", file]);
    assert_eq!(fingerprint("bruno.pem"), fingerprint("issued.pem"));
    let alice_cert = a.data.join(format!("pki/users/{ALICE}.pem"));
    let alice_key = a.data.join(format!("demo-clients/{ALICE}.key"));
    let bruno_key = dir.join("bruno-client.key");
    let (alice_cert, alice_key, bruno_key) = (
        alice_cert.to_str().unwrap(),
        alice_key.to_str().unwrap(),
        bruno_key.to_str().unwrap(),
    );
    let anchors = b.data.join("pki/ca.pem");
    let anchors = anchors.to_str().unwrap();

    // What Alice's client makes of the entity: enveloped (AES-CBC), authEnveloped
    // (AES-GCM), detached multipart/signed, opaque signed.
    let headers = |subject: &str| {
        vec![
            "-crlfeol".to_owned(),
            "-from".to_owned(),
            ALICE.to_owned(),
            "-to".to_owned(),
            BRUNO.to_owned(),
            "-subject".to_owned(),
            subject.to_owned(),
        ]
    };
    let kinds: [(&str, Vec<&str>); 4] = [
        ("enveloped", vec!["-encrypt", "-aes-256-cbc"]),
        ("authenveloped", vec!["-encrypt", "-aes-256-gcm"]),
        (
            "signed",
            vec!["-sign", "-signer", alice_cert, "-inkey", alice_key],
        ),
        (
            "opaque",
            vec![
                "-sign",
                "-nodetach",
                "-signer",
                alice_cert,
                "-inkey",
                alice_key,
            ],
        ),
    ];
    let mut queued = Vec::new();
    for (kind, operation) in &kinds {
        let subject = format!("CR {kind}");
        let file = format!("{kind}.eml");
        let mut args: Vec<String> = vec!["cms".into()];
        args.extend(operation.iter().map(|s| s.to_string()));
        args.extend(headers(&subject));
        args.extend(["-in", "inner.eml", "-out", &file].map(str::to_owned));
        if operation[0] == "-encrypt" {
            args.push("bruno.pem".into());
        }
        openssl(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        let mut sent = crlf(&std::fs::read(dir.join(&file)).unwrap());
        if *kind == "enveloped" {
            // Alice's client asks for a disposition notification (RFC 8098).
            let asked = format!("Disposition-Notification-To: {ALICE}\r\n");
            sent.splice(0..0, asked.bytes());
        }
        std::fs::write(dir.join(&file), &sent).unwrap();
        let file_path = dir.join(&file);
        let reply = raw_mail(
            &a,
            &a.ports.submission,
            ALICE,
            "submit-queued",
            &[BRUNO, file_path.to_str().unwrap(), "SUCCESS,FAILURE"],
        );
        let queue_ref = reply
            .strip_prefix("sent ")
            .unwrap_or_else(|| panic!("{kind}: {reply}"));
        queued.push(queue_ref.to_owned());
    }

    // Alice's practice software sends what it encrypted through the API, as it is.
    let mut args = vec![
        "cms",
        "-encrypt",
        "-aes-256-gcm",
        "-crlfeol",
        "-from",
        ALICE,
    ];
    args.extend(["-to", BRUNO, "-subject", "CR api", "-in", "inner.eml"]);
    args.extend(["-out", "api.eml", "bruno.pem"]);
    openssl(&dir, &args);
    let sent = crlf(&std::fs::read(dir.join("api.eml")).unwrap());
    std::fs::write(dir.join("api.eml"), &sent).unwrap();
    let body = format!("@{}", dir.join("api.eml").display());
    let rfc822 = ["-H", "Content-Type: message/rfc822", "--data-binary", &body];
    let answer = dir.join("api-answer.json");
    let login = (Path::new(alice_cert), Path::new(alice_key));
    let status = api(&a, login, &rfc822, "/messages", &answer);
    assert_eq!(
        status,
        "201",
        "{}",
        std::fs::read_to_string(&answer).unwrap()
    );
    let got_file = dir.join("api.got");
    let reply = raw_mail(
        &b,
        &b.ports.imaps,
        BRUNO,
        "fetch",
        &["CR api", got_file.to_str().unwrap()],
    );
    assert_eq!(reply, "fetched");
    let got = std::fs::read(&got_file).unwrap();
    assert_eq!(field_names(&prepended(&got, &sent, "api")), ["Received"]);
    let args = [
        "cms",
        "-decrypt",
        "-in",
        "api.got",
        "-recip",
        "bruno.pem",
        "-inkey",
        bruno_key,
    ];
    openssl(&dir, &[&args[..], &["-out", "api.opened"]].concat());
    assert!(std::fs::read(dir.join("api.opened")).unwrap() == INNER);

    for (kind, operation) in &kinds {
        let subject = format!("CR {kind}");
        let sent = std::fs::read(dir.join(format!("{kind}.eml"))).unwrap();
        let got_file = dir.join(format!("{kind}.got"));
        let reply = raw_mail(
            &b,
            &b.ports.imaps,
            BRUNO,
            "fetch",
            &[&subject, got_file.to_str().unwrap()],
        );
        assert_eq!(reply, "fetched", "{kind}");
        let got = std::fs::read(&got_file).unwrap();
        // Only trace fields on top: A's submission and B's relay reception.
        let names = field_names(&prepended(&got, &sent, kind));
        assert_eq!(names, ["Received", "Received"], "{kind}");
        // The same bytes through the API and the export.
        let (api, export) = api_and_export(&b, &subject, &dir);
        assert!(
            api == got,
            "{kind}: the API's raw download differs from IMAP"
        );
        assert!(export == got, "{kind}: the export differs from IMAP");
        // Bruno's client opens it: the entity, byte for byte.
        let opened = format!("{kind}.opened");
        if operation[0] == "-encrypt" {
            openssl(
                &dir,
                &[
                    "cms",
                    "-decrypt",
                    "-in",
                    &format!("{kind}.got"),
                    "-recip",
                    "bruno.pem",
                    "-inkey",
                    bruno_key,
                    "-out",
                    &opened,
                ],
            );
        } else {
            openssl(
                &dir,
                &[
                    "cms",
                    "-verify",
                    "-in",
                    &format!("{kind}.got"),
                    "-CAfile",
                    anchors,
                    "-out",
                    &opened,
                ],
            );
        }
        assert!(
            std::fs::read(dir.join(&opened)).unwrap() == INNER,
            "{kind}: what Bruno opened is not what Alice wrote"
        );
    }

    // Each relay left Alice a delivery status notification, signed by her operator
    // with the time of the event (MS-16): openssl verifies it against the anchors.
    let report = signed_notification(&a, &dir, "Message relaye", "dsn.eml");
    assert!(
        report.contains("report-type=delivery-status")
            && report.contains("Action: relayed")
            && report.contains(&format!("Final-Recipient: rfc822; {BRUNO}")),
        "{report}"
    );
    let signer = openssl(&dir, &["cms", "-cmsout", "-print", "-in", "dsn.eml"]);
    assert!(signer.contains("signingTime"), "{signer}");
    // The API's delivery status returns that signed notification as the receipt.
    let status = dir.join("status.json");
    let path = format!("/outbound/{}", queued[0]);
    let got = common::demo_api(&a.data, &a.ports.https, ALICE, &[], &path, &status);
    assert_eq!(got, "200");
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&status).unwrap()).unwrap();
    let receipt = status["recipients"][0]["receipt"]
        .as_str()
        .unwrap_or_else(|| panic!("no receipt: {status}"));
    std::fs::write(dir.join("receipt.eml"), receipt).unwrap();
    let anchors_path = a.data.join("pki/ca.pem");
    let verified = openssl(
        &dir,
        &[
            "cms",
            "-verify",
            "-in",
            "receipt.eml",
            "-CAfile",
            anchors_path.to_str().unwrap(),
        ],
    );
    assert!(
        verified.contains(&format!("Final-Recipient: rfc822; {BRUNO}")),
        "{verified}"
    );
    // Bruno's operator answered the disposition notification asked, signed by it.
    let report = signed_notification(&a, &dir, "Accuse de traitement", "mdn.eml");
    assert!(
        report.contains("report-type=disposition-notification") && report.contains("processed"),
        "{report}"
    );
}

/// Alice's notification `subject` fetched over IMAP from her operator `a` into
/// `dir/file`: S/MIME-signed and dated; what `openssl cms -verify` against the trust
/// anchors opens.
fn signed_notification(a: &Operator, dir: &Path, subject: &str, file: &str) -> String {
    let path = dir.join(file);
    let reply = raw_mail(
        a,
        &a.ports.imaps,
        ALICE,
        "fetch",
        &[subject, path.to_str().unwrap()],
    );
    assert_eq!(reply, "fetched", "{subject}");
    let text = String::from_utf8(std::fs::read(&path).unwrap()).unwrap();
    assert!(
        text.contains("Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"")
            && text.contains("Date: "),
        "{text}"
    );
    let anchors = a.data.join("pki/ca.pem");
    openssl(
        dir,
        &[
            "cms",
            "-verify",
            "-in",
            file,
            "-CAfile",
            anchors.to_str().unwrap(),
        ],
    )
}

/// Alice's client's S/MIME message (`operation`: `-encrypt` to `recipient_pem`, or
/// `-sign` with her key) of the entity `inner`, with `extra` header fields on top
/// (CRLF-ended), in `dir/<name>.eml`; its path.
fn smime_message(
    data: &Path,
    dir: &Path,
    name: &str,
    operation: &str,
    (to, subject): (&str, &str),
    inner: &str,
    extra: &str,
) -> String {
    let inner_file = format!("{name}.inner");
    std::fs::write(dir.join(&inner_file), inner).unwrap();
    let file = format!("{name}.eml");
    let users = data.join("pki/users");
    let cert = |address: &str| users.join(format!("{address}.pem")).display().to_string();
    let alice_key = demo_account(data, ALICE)["smime_key"]
        .as_str()
        .unwrap()
        .to_owned();
    let (alice_cert, recipient) = (cert(ALICE), cert(BRUNO_HERE));
    let mut args = vec!["cms", operation, "-crlfeol", "-from", ALICE, "-to", to];
    args.extend(["-subject", subject, "-in", &inner_file, "-out", &file]);
    if operation == "-encrypt" {
        args.extend(["-aes-256-cbc", &recipient]);
    } else {
        args.extend(["-signer", &alice_cert, "-inkey", &alice_key]);
    }
    openssl(dir, &args);
    let mut bytes = extra.as_bytes().to_vec();
    bytes.extend(crlf(&std::fs::read(dir.join(&file)).unwrap()));
    std::fs::write(dir.join(&file), bytes).unwrap();
    dir.join(file).display().to_string()
}

/// Bruno at Alice's operator: his certificate encrypts the single-operator messages.
const BRUNO_HERE: &str = "bruno.durand@caduceus.test";
const PATIENT: &str = "295109912611193@patient.caduceus.test";
const INS: &str = "295109912611193";

#[test]
fn ms9_ms11_ms13_rules_on_enveloped_mail_patient_declared_subject_checked_scanner_blind() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let clamd_dir = root.path().join("clamd");
    let clamd_port = free_port().to_string();
    clamd(&["start", clamd_dir.to_str().unwrap(), &clamd_port]);
    let ports = init_demo(&data);
    use_clamd(&data, &clamd_port);
    let server = Server::start(&data, &ports.submission);
    let dir = root.path().join("client");
    std::fs::create_dir_all(&dir).unwrap();
    let operator = Operator {
        data: data.clone(),
        ports,
    };
    let submit = |to: &str, file: &str| {
        raw_mail(
            &operator,
            &operator.ports.submission,
            ALICE,
            "submit",
            &[to, file],
        )
    };
    let text = "Content-Type: text/plain; charset=utf-8\r\n\r\nCompte rendu.\r\n";
    let message = |name: &str, to: &str, subject: &str, extra: &str| {
        smime_message(&data, &dir, name, "-encrypt", (to, subject), text, extra)
    };
    let declared = format!("X-MSS-INS: {INS}\r\n");

    // MS-9: encrypted to a patient, the patient must be named in clear.
    let refused = submit(PATIENT, &message("undeclared", PATIENT, "CR", ""));
    assert!(
        refused.starts_with("refused 5")
            && refused.contains("MS-9")
            && refused.contains("X-MSS-INS"),
        "{refused}"
    );
    assert_eq!(
        submit(PATIENT, &message("declared", PATIENT, "CR", &declared)),
        "sent"
    );
    // Between professionals, nothing to name…
    assert_eq!(
        submit(BRUNO_HERE, &message("pro", BRUNO_HERE, "CR", "")),
        "sent"
    );
    // …unless an encrypted part is an XDM package.
    let sealed = std::fs::read_to_string(message("xdm-inner", BRUNO_HERE, "x", "")).unwrap();
    let p7m = sealed.split_once("\r\n\r\n").unwrap().1;
    let xdm = format!(
        "From: {ALICE}\r\nTo: {BRUNO_HERE}\r\nSubject: Dossier\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
         Content-Type: text/plain\r\n\r\nCi-joint.\r\n--b\r\n\
         Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=IHE_XDM.zip.p7m\r\n\
         Content-Disposition: attachment; filename=IHE_XDM.zip.p7m\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{p7m}--b--\r\n"
    );
    std::fs::write(dir.join("xdm.eml"), &xdm).unwrap();
    let xdm_path = dir.join("xdm.eml").display().to_string();
    let refused = submit(BRUNO_HERE, &xdm_path);
    assert!(
        refused.contains("MS-9") && refused.contains("XDM"),
        "{refused}"
    );
    std::fs::write(dir.join("xdm.eml"), format!("{declared}{xdm}")).unwrap();
    assert_eq!(submit(BRUNO_HERE, &xdm_path), "sent");

    // MS-11: the subject is never encrypted, and is checked.
    let subject = format!("Resultats {INS}");
    let refused = submit(BRUNO_HERE, &message("subject", BRUNO_HERE, &subject, ""));
    assert!(
        refused.starts_with("refused 5") && refused.contains("MS-11"),
        "{refused}"
    );

    // MS-13: the scanner cannot see inside an envelope (accepted, the sender being a
    // verified account of the trust space), but sees what is only signed.
    let infected = format!("Content-Type: text/plain\r\n\r\n{}\r\n", eicar());
    let enveloped = smime_message(
        &data,
        &dir,
        "eicar-enveloped",
        "-encrypt",
        (BRUNO_HERE, "CR"),
        &infected,
        "",
    );
    assert_eq!(submit(BRUNO_HERE, &enveloped), "sent");
    let signed = smime_message(
        &data,
        &dir,
        "eicar-signed",
        "-sign",
        (BRUNO_HERE, "CR"),
        &infected,
        "",
    );
    let refused = submit(BRUNO_HERE, &signed);
    assert!(
        refused.starts_with("refused 554") && refused.contains("MS-13"),
        "{refused}"
    );

    // MS-9: the patient named in clear objects: refused, sent by another channel.
    ok(&data, &[], &["patient", "oppose", INS]);
    let refused = submit(PATIENT, &message("opposed", PATIENT, "CR", &declared));
    assert!(
        refused.contains("MS-9") && refused.contains("postal"),
        "{refused}"
    );

    drop(server);
    clamd(&["stop", clamd_dir.to_str().unwrap()]);
}
