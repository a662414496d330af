//! The directory as mail clients' address book (ID-4): `caduceus serve` on an
//! `init --demo` data directory, asked by `ldapsearch` (Debian's ldap-utils) over
//! StartTLS and ldaps:// with a device credential (AU-2, MS-3), as Thunderbird asks
//! for completion and for a recipient's certificate; the same certificates through
//! the API (`curl` with a client certificate) and `openssl x509`.
//!
//! interface: ldap

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Ports, Server, demo_account, init_demo, ok, sqlite_value};

const BASE: &str = "ou=directory,dc=caduceus,dc=test";
const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";
/// Thunderbird's completion filter for what the user typed.
fn completion(typed: &str) -> String {
    format!("(|(cn=*{typed}*)(mail=*{typed}*)(sn=*{typed}*)(givenName=*{typed}*))")
}

/// A demo data directory served on free ports.
struct Demo {
    data: PathBuf,
    ports: Ports,
    _root: tempfile::TempDir,
    _server: Server,
}

impl Demo {
    fn start() -> Demo {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("data");
        let ports = init_demo(&data);
        let server = Server::start(&data, &ports.ldaps);
        Demo {
            data,
            ports,
            _root: root,
            _server: server,
        }
    }

    fn ca(&self) -> PathBuf {
        self.data.join("pki/ca.pem")
    }

    fn credential(&self, address: &str) -> String {
        demo_account(&self.data, address)["device_credential"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// `ldapsearch -x` with the development CA trusted, and `args`.
    fn ldapsearch(&self, args: &[&str]) -> Output {
        Command::new("ldapsearch")
            .env("LDAPTLS_CACERT", self.ca())
            .env("LDAPTLS_REQCERT", "demand")
            .arg("-x")
            .args(args)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "ldapsearch is needed for the LDAP tests (apt-get install -y ldap-utils): {e}"
                )
            })
    }

    /// `ldapsearch -x -H <url>`, bound as Alice with her device credential, and
    /// `args`.
    fn as_alice(&self, url: &str, args: &[&str]) -> Output {
        let credential = self.credential(ALICE);
        let mut all = vec!["-H", url, "-D", ALICE, "-w", &credential];
        all.extend(args);
        self.ldapsearch(&all)
    }

    /// Alice's search on `url` (ldap:// with `-ZZ`, or ldaps://): its LDIF output,
    /// the search required to succeed (or to stop at the server's size limit: the
    /// demo directory has more mailboxes than one answer holds).
    fn search(&self, url: &str, filter: &str, attributes: &[&str]) -> String {
        let mut args = vec!["-LLL", "-o", "ldif-wrap=no"];
        if url.starts_with("ldap://") {
            args.push("-ZZ");
        }
        args.extend(["-b", BASE, filter]);
        args.extend(attributes);
        let out = self.as_alice(url, &args);
        assert!(
            matches!(out.status.code(), Some(0 | 4)),
            "ldapsearch {filter}: {}",
            text(&out)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `curl -i` of `/api/v1<path>` as Alice, logged in with her client certificate
    /// (AU-1), with `extra` options; its output.
    fn api(&self, path: &str, extra: &[&str]) -> String {
        let alice = demo_account(&self.data, ALICE);
        let out = Command::new("curl")
            .args(["--silent", "--show-error", "--max-time", "20"])
            .args(extra)
            .arg("--cacert")
            .arg(self.ca())
            .args(["--cert", alice["certificate"].as_str().unwrap()])
            .args(["--key", alice["key"].as_str().unwrap()])
            .arg(format!("https://{}/api/v1{path}", self.ports.https))
            .output()
            .expect("curl is needed (apt-get install -y curl)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn ldap_url(&self) -> String {
        format!("ldap://{}", self.ports.ldap)
    }

    fn ldaps_url(&self) -> String {
        format!("ldaps://{}", self.ports.ldaps)
    }
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The addresses of an LDIF answer.
fn mails(ldif: &str) -> Vec<String> {
    ldif.lines()
        .filter_map(|l| l.strip_prefix("mail: "))
        .map(str::to_owned)
        .collect()
}

/// `openssl x509 -inform DER` on `der`: its subject line.
fn openssl_subject(der: &[u8], dir: &Path) -> String {
    let file = dir.join("certificate.der");
    std::fs::write(&file, der).unwrap();
    let out = Command::new("openssl")
        .args([
            "x509",
            "-inform",
            "DER",
            "-noout",
            "-subject",
            "-ext",
            "subjectAltName",
            "-in",
        ])
        .arg(&file)
        .output()
        .expect("openssl is needed (apt-get install -y openssl)");
    assert!(out.status.success(), "openssl x509: {}", text(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn id4_ms3_ldap_thunderbird_completion_and_certificate_over_starttls_and_ldaps() {
    let demo = Demo::start();
    // Both listeners are in demo.json, with the base DN to configure.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo.data.join("demo.json")).unwrap()).unwrap();
    assert_eq!(json["listeners"]["ldap"], demo.ports.ldap.as_str());
    assert_eq!(json["listeners"]["ldaps"], demo.ports.ldaps.as_str());
    assert_eq!(json["ldap_base_dn"], BASE);

    // The root DSE, as clients read it before binding: the naming context, StartTLS.
    let out = demo.ldapsearch(&["-LLL", "-H", &demo.ldap_url(), "-s", "base", "-b", ""]);
    let root = text(&out);
    assert!(out.status.success(), "{root}");
    assert!(
        root.contains("namingContexts: dc=caduceus,dc=test")
            && root.contains("supportedExtension: 1.3.6.1.4.1.1466.20037"),
        "{root}"
    );

    // Typing "dura" in the address book, over StartTLS and over ldaps://.
    for url in [demo.ldap_url(), demo.ldaps_url()] {
        let found = demo.search(&url, &completion("dura"), &["cn", "mail", "title", "o"]);
        assert!(mails(&found).contains(&BRUNO.to_owned()), "{url}: {found}");
        assert!(found.contains("cn: Bruno Durand"), "{found}");
    }
    // Outlook's and Apple Mail's shapes: a conjunction with the object class, an
    // equality on the whole name, a size limit answered as such.
    let found = demo.search(
        &demo.ldaps_url(),
        "(&(objectClass=inetOrgPerson)(|(cn=bruno*)(sn=bruno*)(mail=bruno*)))",
        &["mail"],
    );
    assert_eq!(mails(&found), [BRUNO]);
    let limited = demo.as_alice(
        &demo.ldaps_url(),
        &[
            "-LLL",
            "-z",
            "2",
            "-b",
            BASE,
            "(objectClass=inetOrgPerson)",
            "mail",
        ],
    );
    assert_eq!(limited.status.code(), Some(4), "{}", text(&limited));
    assert_eq!(mails(&String::from_utf8_lossy(&limited.stdout)).len(), 2);

    // The tree: the container by a base search, under the naming context one level
    // down, an entry by its DN; outside it, no such object (32).
    let url = demo.ldaps_url();
    let scoped =
        |scope: &str, base: &str| demo.as_alice(&url, &["-LLL", "-s", scope, "-b", base, "dn"]);
    let out = scoped("base", BASE);
    assert!(
        text(&out).contains(&format!("dn: {BASE}")),
        "{}",
        text(&out)
    );
    let out = scoped("one", "dc=caduceus,dc=test");
    assert!(
        text(&out).contains(&format!("dn: {BASE}")),
        "{}",
        text(&out)
    );
    let out = scoped("base", &format!("mail={BRUNO},{BASE}"));
    assert!(
        text(&out).contains(&format!("dn: mail={BRUNO},{BASE}")),
        "{}",
        text(&out)
    );
    assert_eq!(scoped("sub", "dc=example,dc=org").status.code(), Some(32));

    // The recipient's certificate, by mail, as a client looks it up to encrypt (MS-3):
    // DER that openssl reads, issued to Bruno.
    let found = demo.search(
        &demo.ldap_url(),
        &format!("(mail={BRUNO})"),
        &["userCertificate;binary"],
    );
    let encoded = found
        .lines()
        .find_map(|l| l.strip_prefix("userCertificate;binary:: "))
        .unwrap_or_else(|| panic!("no certificate: {found}"));
    let der = base64_decode(encoded);
    let subject = openssl_subject(&der, demo._root.path());
    assert!(
        subject.contains("Bruno Durand") && subject.contains(BRUNO),
        "{subject}"
    );
    // Alice's client encrypts to it; only Bruno's key opens the message (MS-3).
    let opened = encrypt_and_open(&der, &demo, demo._root.path());
    assert!(
        opened.ends_with("\r\n\r\nCompte rendu pour Bruno.\r\n"),
        "{opened}"
    );

    // The same certificate through the API (AU-1 client certificate login), as
    // application/pem-certificate-chain, and on the FHIR search's telecom.
    let pem = demo.api(&format!("/directory/certificates/{BRUNO}"), &["-i"]);
    assert!(
        pem.contains("application/pem-certificate-chain")
            && pem.contains("-----BEGIN CERTIFICATE-----"),
        "{pem}"
    );
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert_eq!(base64_decode(&body), der);
    let fhir = demo.api("/directory?name=bruno%20durand", &[]);
    assert!(
        fhir.contains("ContactPoint-SmimeCertificate") && fhir.contains(encoded),
        "{fhir}"
    );
    // Each lookup is traced for Alice (TR-1), with a count, never the words.
    let searches = sqlite_value(
        &demo.data.join("caduceus.db"),
        "SELECT COUNT(*) FROM traces WHERE action = 'directory.search' AND actor = 'acct:1'",
    );
    assert!(searches.parse::<u32>().unwrap() >= 6, "{searches}");
    let words = sqlite_value(
        &demo.data.join("caduceus.db"),
        "SELECT COUNT(*) FROM traces WHERE detail LIKE '%dura%' OR object LIKE '%dura%'",
    );
    assert_eq!(words, "0");

    // Revoked (AU-1), the certificate is no longer published; Bruno still is.
    ok(
        &demo.data,
        &[],
        &["account", "certificate", BRUNO, "--revoke"],
    );
    let found = demo.search(
        &demo.ldaps_url(),
        &format!("(mail={BRUNO})"),
        &["mail", "userCertificate;binary"],
    );
    assert_eq!(mails(&found), [BRUNO]);
    assert!(!found.contains("userCertificate"), "{found}");
    let status = demo.api(
        &format!("/directory/certificates/{BRUNO}"),
        &["-o", "/dev/null", "-w", "%{http_code}"],
    );
    assert_eq!(status, "404");
}

#[test]
fn id4_ldap_liste_rouge_and_patients_absent() {
    let demo = Demo::start();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo.data.join("demo.json")).unwrap()).unwrap();
    let patient = json["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "patient")
        .unwrap()["address"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = demo.ldaps_url();
    assert!(mails(&demo.search(&url, &completion("durand"), &["mail"])).contains(&BRUNO.into()));

    // Bruno asks for the liste rouge (the operator records it while the server runs).
    ok(
        &demo.data,
        &[],
        &["directory", "preferences", BRUNO, "--liste-rouge", "true"],
    );
    for filter in [
        completion("durand"),
        format!("(mail={BRUNO})"),
        "(objectClass=*)".to_owned(),
    ] {
        let found = demo.search(&url, &filter, &["mail"]);
        assert!(!found.contains(BRUNO), "{filter}: {found}");
    }
    // Not even by his entry's DN.
    let dn = format!("mail={BRUNO},{BASE}");
    let by_dn = demo.as_alice(&url, &["-LLL", "-s", "base", "-b", &dn]);
    assert_eq!(by_dn.status.code(), Some(32), "{}", text(&by_dn));

    // Patients are never in the directory, whatever is asked.
    let local = patient.split('@').next().unwrap();
    for filter in [
        format!("(mail={patient})"),
        completion("patient"),
        completion(local),
        completion("camille"),
    ] {
        let found = demo.search(&url, &filter, &["mail"]);
        assert!(
            !found.contains(&patient) && !found.contains("@patient."),
            "{filter}: {found}"
        );
    }
    let everyone = demo.search(&url, "(mail=*)", &["mail"]);
    assert!(!everyone.contains("@patient."), "{everyone}");

    // Nor do their certificates come out of the API: 404 for both.
    for address in [BRUNO, patient.as_str(), "nobody@caduceus.test"] {
        let path = format!("/directory/certificates/{address}");
        let status = demo.api(&path, &["-o", "/dev/null", "-w", "%{http_code}"]);
        assert_eq!(status, "404", "{address}");
    }
}

#[test]
fn au2_au3_tr1_ldap_wrong_credential_refused_counted_and_traced_no_search_without_bind() {
    let demo = Demo::start();
    let db = demo.data.join("caduceus.db");
    let before = sqlite_value(
        &db,
        "SELECT COUNT(*) FROM traces WHERE action = 'auth.failure'",
    );
    let wrong = demo.ldapsearch(&[
        "-H",
        &demo.ldaps_url(),
        "-D",
        ALICE,
        "-w",
        "not-the-credential",
        "-b",
        BASE,
        &completion("dura"),
    ]);
    assert_eq!(wrong.status.code(), Some(49), "{}", text(&wrong));
    assert!(text(&wrong).contains("Invalid credentials (49)"));
    // Counted by the login gate and traced, as an IMAP login is (AU-3, TR-1), with
    // the LDAP connection around it.
    let failures = sqlite_value(
        &db,
        "SELECT COUNT(*) FROM traces WHERE action = 'auth.failure' \
         AND object = 'acct:1' AND detail = 'reason:wrong_secret' AND source LIKE '127.0.0.1:%'",
    );
    assert_eq!(
        failures.parse::<u32>().unwrap(),
        before.parse::<u32>().unwrap() + 1
    );
    let connections = sqlite_value(
        &db,
        "SELECT COUNT(*) FROM traces WHERE action = 'connection.open' AND object = 'proto:ldap'",
    );
    assert!(connections.parse::<u32>().unwrap() >= 1);

    // No search without a bind: anonymous, in clear or over TLS.
    let (plain, tls) = (demo.ldap_url(), demo.ldaps_url());
    for start in [&["-H", &plain][..], &["-ZZ", "-H", &plain], &["-H", &tls]] {
        let mut args = start.to_vec();
        args.extend(["-b", BASE, "(objectClass=*)"]);
        let out = demo.ldapsearch(&args);
        assert_eq!(out.status.code(), Some(50), "{args:?}: {}", text(&out));
        assert!(text(&out).contains("bind first"), "{}", text(&out));
    }
    // No credential in clear: StartTLS first (MS-3).
    let clear = demo.as_alice(&demo.ldap_url(), &["-b", BASE, "(objectClass=*)"]);
    assert_eq!(clear.status.code(), Some(13), "{}", text(&clear));
    // The directory is read-only.
    let credential = demo.credential(ALICE);
    let out = Command::new("ldapdelete")
        .env("LDAPTLS_CACERT", demo.ca())
        .args([
            "-x",
            "-H",
            &demo.ldaps_url(),
            "-D",
            ALICE,
            "-w",
            &credential,
        ])
        .arg(format!("mail={BRUNO},{BASE}"))
        .output()
        .expect("ldapdelete (apt-get install -y ldap-utils)");
    assert_eq!(out.status.code(), Some(53), "{}", text(&out));
}

/// Encrypts a message to the DER certificate `der` with `openssl cms` as a mail client
/// would (S/MIME), then opens it with Bruno's key from demo.json; the text opened.
fn encrypt_and_open(der: &[u8], demo: &Demo, dir: &Path) -> String {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl is needed (apt-get install -y openssl)");
        assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
    };
    std::fs::write(dir.join("bruno.der"), der).unwrap();
    let inner = "Content-Type: text/plain\r\n\r\nCompte rendu pour Bruno.\r\n";
    std::fs::write(dir.join("inner.eml"), inner).unwrap();
    openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        "bruno.der",
        "-out",
        "bruno.pem",
    ]);
    openssl(&[
        "cms",
        "-encrypt",
        "-aes-256-cbc",
        "-in",
        "inner.eml",
        "-out",
        "enc.eml",
        "bruno.pem",
    ]);
    let key = demo_account(&demo.data, BRUNO)["key"]
        .as_str()
        .unwrap()
        .to_owned();
    openssl(&[
        "cms",
        "-decrypt",
        "-in",
        "enc.eml",
        "-recip",
        "bruno.pem",
        "-inkey",
        &key,
        "-out",
        "opened.txt",
    ]);
    std::fs::read_to_string(dir.join("opened.txt")).unwrap()
}

/// Decodes standard base64 (the LDIF and PEM bodies) with the `base64` tool.
fn base64_decode(encoded: &str) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("base64")
        .arg("-d")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("base64 (coreutils)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(encoded.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "base64 -d");
    out.stdout
}
