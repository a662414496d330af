//! ID-1 (seed 004 §7.1: a professional creates their own account "après contrôle de
//! l'identité et de la qualité de professionnel … à partir des données lues dans sa
//! carte CPS … SI RPPS", giving an address outside MSSanté) end to end with `caduceus
//! serve` on demo data (the demo register extract imported): a CPS-like card made with
//! `openssl` under the development CA is presented to `POST /api/v1/registrations`
//! with curl. Its holder in the register gets a verified account and a link at their
//! out-of-band address (an SMTP sink); the link's button activates it, and the card
//! then opens a session. A card whose names the register does not confirm waits,
//! pending, in the registration authority's queue (`caduceus account registrations`),
//! which only a logged-in staff member reads (AC-2). Each step is traced.

mod common;
#[path = "../../oidc/tests/support/mod.rs"]
mod oidc;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Server, Sink, account_json, init_demo, new_staff_member, ok, run, sqlite_value};

/// Stéphane Bonnet, physician, in the demo register extract with no account.
const BONNET: &str = "811203039653";
/// Sophie Arnaud, nurse, in the demo register extract with no account.
const ARNAUD: &str = "811202564511";

/// A CPS-like card: a client certificate under the development CA whose subject
/// carries the national identifier (`serialNumber`) and the names (`SN`, `GN`).
fn card(data: &Path, dir: &Path, national_id: &str, given: &str, family: &str) -> PathBuf {
    let key = dir.join(format!("{national_id}.key"));
    let csr = dir.join(format!("{national_id}.csr"));
    let pem = dir.join(format!("{national_id}.pem"));
    let ext = dir.join("client.ext");
    std::fs::write(
        &ext,
        "extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n",
    )
    .unwrap();
    let subject =
        format!("/C=FR/serialNumber={national_id}/SN={family}/GN={given}/CN={given} {family}");
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl is needed (apt-get install -y openssl)");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-utf8",
        "-subj",
        &subject,
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        csr.to_str().unwrap(),
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        csr.to_str().unwrap(),
        "-CA",
        data.join("pki/ca.pem").to_str().unwrap(),
        "-CAkey",
        data.join("pki/ca.key").to_str().unwrap(),
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        ext.to_str().unwrap(),
        "-out",
        pem.to_str().unwrap(),
    ]);
    pem
}

/// How a request proves who sends it.
#[derive(Clone, Copy)]
enum Auth<'a> {
    /// Nothing.
    None,
    /// A card: the certificate, its key beside it (`.key`).
    Card(&'a Path),
    /// A Pro Santé Connect access token.
    Bearer(&'a str),
}

/// `curl` to the server's HTTPS port: the status code and the body.
fn curl(
    data: &Path,
    https: &str,
    auth: Auth<'_>,
    method: &str,
    path: &str,
    body: Option<(&str, &str)>,
) -> (u16, String) {
    let mut command = Command::new("curl");
    command
        .args(["-sS", "-o", "-", "-w", "\n%{http_code}", "-X", method])
        .args(["--cacert", data.join("pki/ca.pem").to_str().unwrap()]);
    match auth {
        Auth::None => {}
        Auth::Card(pem) => {
            let key = pem.with_extension("key");
            command.args([
                "--cert",
                pem.to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
            ]);
        }
        Auth::Bearer(token) => {
            command.args(["-H", &format!("authorization: Bearer {token}")]);
        }
    }
    if let Some((content_type, body)) = body {
        command.args([
            "-H",
            &format!("content-type: {content_type}"),
            "--data-binary",
            body,
        ]);
    }
    let out = command
        .arg(format!("https://{https}{path}"))
        .output()
        .expect("curl is needed (apt-get install -y curl)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').expect("a status line");
    (
        status.trim().parse().expect("an HTTP status"),
        body.to_owned(),
    )
}

/// A demo data directory whose notices go to an SMTP sink, a card for `national_id`
/// under `given family`, and the server started.
struct Scene {
    /// Kept for the scene's life: the directory goes with it.
    _root: tempfile::TempDir,
    data: PathBuf,
    ports: common::Ports,
    sink: Sink,
    card: PathBuf,
    server: Option<Server>,
}

impl Scene {
    fn new(national_id: &str, given: &str, family: &str) -> Scene {
        Scene::configured(national_id, given, family, |_| {})
    }

    /// [`Scene::new`], with `configure` run on the data directory before the start.
    fn configured(
        national_id: &str,
        given: &str,
        family: &str,
        configure: impl FnOnce(&Path),
    ) -> Scene {
        let root = tempfile::tempdir().unwrap();
        let data = root.path().join("d");
        let ports = init_demo(&data);
        configure(&data);
        let sink = Sink::start(&root.path().join("sink"));
        sink.configure(&data);
        let card = card(&data, root.path(), national_id, given, family);
        let server = Some(Server::start(&data, &ports.https));
        Scene {
            _root: root,
            data,
            ports,
            sink,
            card,
            server,
        }
    }

    /// The card when `with_card`, else nothing.
    fn auth(&self, with_card: bool) -> Auth<'_> {
        match with_card {
            true => Auth::Card(&self.card),
            false => Auth::None,
        }
    }

    /// `curl` to the server, with the card when `with_card`.
    fn curl(
        &self,
        with_card: bool,
        method: &str,
        path: &str,
        body: Option<(&str, &str)>,
    ) -> (u16, String) {
        curl(
            &self.data,
            &self.ports.https,
            self.auth(with_card),
            method,
            path,
            body,
        )
    }

    /// `POST /api/v1/registrations` for `address` with `contact`, with the card when
    /// `with_card`.
    fn register(&self, with_card: bool, address: &str, contact: &str) -> (u16, String) {
        self.register_as(self.auth(with_card), address, contact)
    }

    /// `POST /api/v1/registrations` for `address` with `contact`, proved by `auth`.
    fn register_as(&self, auth: Auth<'_>, address: &str, contact: &str) -> (u16, String) {
        let body = serde_json::json!({ "address": address, "contact": contact }).to_string();
        let json = Some(("application/json", body.as_str()));
        curl(
            &self.data,
            &self.ports.https,
            auth,
            "POST",
            "/api/v1/registrations",
            json,
        )
    }

    fn stop(&mut self) {
        self.server.take();
    }
}

/// The `actor|detail` of each trace of `action`, oldest first.
fn traces(data: &Path, action: &str) -> Vec<String> {
    let all = sqlite_value(
        &data.join("caduceus.db"),
        &format!(
            "SELECT group_concat(actor || '|' || coalesce(detail, ''), ';') FROM \
             (SELECT actor, detail FROM traces WHERE action = '{action}' ORDER BY seq)"
        ),
    );
    all.split(';')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn id1_a_card_the_register_confirms_registers_itself_and_the_emailed_link_activates_it() {
    let mut scene = Scene::new(BONNET, "Stéphane", "BONNET");
    let data = scene.data.clone();
    let address = "stephane.bonnet@caduceus.test";
    let contact = "s.bonnet@example.org";

    // Without a card or a token: nobody to register; a token with no OpenID provider
    // configured proves nothing either.
    assert_eq!(scene.register(false, address, contact).0, 401);
    let (status, _) = scene.register_as(Auth::Bearer("some-token"), address, contact);
    assert_eq!(status, 401);
    // The out-of-band address must be outside the trust space (ID-2, 004 §7.1).
    let (status, refused) = scene.register(true, address, "someone@caduceus.test");
    assert_eq!(status, 422, "{refused}");
    assert!(refused.contains("ID-2"), "{refused}");

    // The card, matched in the register (names folded): verified, a link sent.
    let (status, made) = scene.register(true, address, contact);
    assert_eq!(status, 201, "{made}");
    let made: serde_json::Value = serde_json::from_str(&made).unwrap();
    assert_eq!(made["state"], "verified");
    assert_eq!(made["next"], "confirm_address");
    let shown = account_json(&data, address);
    assert_eq!(shown["state"], "verified");
    assert_eq!(
        shown["name"], "Stéphane Bonnet",
        "the register's names: {shown}"
    );
    let mail = scene.sink.wait_for(1).pop().unwrap();
    assert!(mail.contains(contact), "{mail}");
    // The body is quoted-printable: soft line breaks joined, `=3D` read as `=`.
    let mail = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let token = mail
        .split("token=")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_hexdigit)
                .collect::<String>()
        })
        .expect("a confirmation link");
    assert_eq!(token.len(), 64, "{mail}");
    // Twice: the identifier already has an account.
    assert_eq!(scene.register(true, address, contact).0, 409);

    // Following the link shows a button and changes nothing (a mail scanner may fetch it).
    let (status, page) = scene.curl(
        false,
        "GET",
        &format!("/register/confirm?token={token}"),
        None,
    );
    assert_eq!(status, 200);
    assert!(page.contains("<form method=\"post\""), "{page}");
    assert_eq!(account_json(&data, address)["state"], "verified");
    // The button: active. Once only.
    let form = format!("token={token}");
    let posted = Some(("application/x-www-form-urlencoded", form.as_str()));
    let (status, page) = scene.curl(false, "POST", "/register/confirm", posted);
    assert_eq!(status, 200, "{page}");
    assert_eq!(account_json(&data, address)["state"], "active");
    assert_eq!(
        scene.curl(false, "POST", "/register/confirm", posted).0,
        404
    );

    // The card now opens a session (AU-1).
    let (status, session) = scene.curl(true, "POST", "/api/v1/session/certificate", None);
    assert!(status == 200 || status == 201, "{status} {session}");
    assert!(session.contains(address), "{session}");
    scene.stop();

    // Traced, the new account as the actor, with the proof; no name in the trace.
    let id = shown["id"].as_i64().unwrap();
    assert_eq!(
        traces(&data, "account.self_register"),
        [format!("acct:{id}|ID-1 proof:card")]
    );
    assert_eq!(
        traces(&data, "account.contact_confirm"),
        [format!("acct:{id}|ID-1")]
    );
    let named = sqlite_value(
        &data.join("caduceus.db"),
        "SELECT COUNT(*) FROM traces WHERE lower(detail) LIKE '%bonnet%' \
         OR lower(object) LIKE '%bonnet%'",
    );
    assert_eq!(named, "0", "a name in the traces");
}

#[test]
fn id1_a_card_the_register_does_not_confirm_waits_for_the_registration_authority() {
    // Sophie Arnaud's identifier under another family name.
    let mut scene = Scene::new(ARNAUD, "Sophie", "Arnold");
    let data = scene.data.clone();
    let address = "sophie.arnold@caduceus.test";
    let (status, made) = scene.register(true, address, "sophie@example.org");
    assert_eq!(status, 201, "{made}");
    let made: serde_json::Value = serde_json::from_str(&made).unwrap();
    assert_eq!(made["state"], "pending");
    assert_eq!(made["next"], "registration_authority");
    assert_eq!(made["reason"], "family_name");
    scene.stop();
    // No link was sent.
    assert!(scene.sink.messages().is_empty());

    // The queue: a logged-in registration authority reads it, with what the card said.
    let (_, ra) = new_staff_member(&data, "ra.one", 9102, &["ra"]);
    let refused = run(&data, &[], &["account", "registrations"]);
    assert!(!refused.status.success(), "read without a staff session");
    assert!(String::from_utf8_lossy(&refused.stderr).contains("AC-2"));
    let env = [("CADUCEUS_SESSION", ra.as_str())];
    let queue: Vec<serde_json::Value> = ok(&data, &env, &["account", "registrations"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0]["address"], address);
    assert_eq!(queue[0]["identifier"], ARNAUD);
    assert_eq!(queue[0]["family_name"], "Arnold");
    assert_eq!(queue[0]["reason"], "family_name");
    assert_eq!(queue[0]["proof"], "card");
    // The authority verifies on other evidence and activates: out of the queue.
    let verify = [
        "account",
        "verify",
        address,
        "--evidence",
        "identity_document",
    ];
    ok(&data, &env, &[&verify[..], &["--by", "RA One"]].concat());
    ok(&data, &env, &["account", "activate", address]);
    assert!(ok(&data, &env, &["account", "show", address]).contains("\"active\""));
    assert!(
        ok(&data, &env, &["account", "registrations"])
            .trim()
            .is_empty()
    );
}

#[test]
fn id1_au4_a_pro_sante_connect_identity_registers_itself_with_the_providers_names() {
    let provider = oidc::shared();
    let scene = Scene::configured(BONNET, "Stéphane", "Bonnet", |data| {
        let config = data.join("caduceus.toml");
        let mut text = std::fs::read_to_string(&config).unwrap();
        text.push_str(&oidc::caduceus_config(provider));
        std::fs::write(&config, text).unwrap();
    });
    let tokens = |who: &str| {
        tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(provider.mail_client_tokens(Some(oidc::MAIL), who))
            .access_token
    };
    let address = "stephane.bonnet@caduceus.test";
    // A forged token: refused, a failed login (AU-3).
    let (status, _) = scene.register_as(Auth::Bearer("not-a-token"), address, "s@example.org");
    assert_eq!(status, 401);
    // Alice has an account under her identifier: she logs in instead.
    let alice = tokens("alice");
    let (status, taken) = scene.register_as(
        Auth::Bearer(&alice),
        "alice2@caduceus.test",
        "a@example.org",
    );
    assert_eq!(status, 409, "{taken}");
    // Stéphane's token carries his identifier; the provider's userinfo, his names.
    let token = tokens("stephane");
    let (status, made) = scene.register_as(Auth::Bearer(&token), address, "s@example.org");
    assert_eq!(status, 201, "{made}");
    let made: serde_json::Value = serde_json::from_str(&made).unwrap();
    assert_eq!(made["state"], "verified", "{made}");
    assert_eq!(made["next"], "confirm_address");
    let shown = ok(&scene.data, &[], &["account", "show", address]);
    assert!(
        shown.contains("registry_match"),
        "the register is the evidence: {shown}"
    );
    assert!(scene.sink.wait_for(1)[0].contains("s@example.org"));
    let id = account_json(&scene.data, address)["id"].as_i64().unwrap();
    assert_eq!(
        traces(&scene.data, "account.self_register"),
        [format!("acct:{id}|ID-1 proof:pro_sante_connect")]
    );
    let failures = sqlite_value(
        &scene.data.join("caduceus.db"),
        "SELECT COUNT(*) FROM traces WHERE action = 'auth.failure'",
    );
    assert_eq!(failures, "1", "the forged token, counted");
}
