//! A real OpenID provider for the tests: `scripts/oidc-provider/provider.mjs`
//! (the certified `oidc-provider` npm package) run by Node.js as a child
//! process on 127.0.0.1, plus a headless "browser" that walks its login, and
//! a "mail client" that obtains access tokens from it.
//!
//! The provider is never skipped: without Node.js or its npm packages the
//! tests fail and say what to install. The npm packages are installed with
//! `npm ci` (from the committed package-lock.json) when missing.
//!
//! Each provider process is killed when its [`OidcProvider`] is dropped; the
//! shared ones live as long as the test binary and exit when their standard
//! input (a pipe from this process) closes, that is when the binary exits.

#![allow(dead_code, reason = "each test binary uses part of the harness")]

use std::io::{BufRead, BufReader, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use caduceus_oidc::{ProviderConfig, Url};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use sha2::{Digest, Sha256};

/// The static client registered at the test provider.
pub const CLIENT_ID: &str = "caduceus";
/// Its secret.
pub const CLIENT_SECRET: &str = "caduceus-test-secret";
/// Its redirect URI (never contacted: the browser stops there).
pub const REDIRECT_URI: &str = "https://mail.caduceus.test/oidc/callback";
/// The mail service's resource indicator: JWT access tokens.
pub const MAIL: &str = "urn:caduceus:mail";
/// The same service with opaque access tokens (checked by introspection).
pub const MAIL_OPAQUE: &str = "urn:caduceus:mail-opaque";
/// Some other service the provider issues JWT access tokens for.
pub const OTHER_SERVICE: &str = "urn:example:other";

const READY_TIMEOUT: Duration = Duration::from_secs(20);
const INSTALL_HINT: &str = "install Node.js (>= 20.19) and npm (Debian: `apt-get install nodejs npm`), \
     then run `npm ci --prefix scripts/oidc-provider` (scripts/test.sh does both)";

/// `scripts/oidc-provider`, where the provider script and its npm packages are.
pub fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/oidc-provider")
}

fn node() -> String {
    std::env::var("CADUCEUS_NODE").unwrap_or_else(|_| "node".to_owned())
}

/// Makes sure `node` runs and the npm packages are installed, once per test
/// binary; panics with what to install otherwise.
fn ensure_node_and_packages() {
    static READY: OnceLock<Result<(), String>> = OnceLock::new();
    let result = READY.get_or_init(|| {
        let version = Command::new(node())
            .arg("--version")
            .output()
            .map_err(|e| format!("cannot run `{}` ({e})", node()))?;
        if !version.status.success() {
            return Err(format!("`{} --version` failed", node()));
        }
        let dir = provider_dir();
        if dir.join("node_modules/oidc-provider/package.json").exists() {
            return Ok(());
        }
        eprintln!("installing the test OpenID provider's npm packages (npm ci)...");
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("node_modules is missing and `npm` cannot run ({e})"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "node_modules is missing and `npm ci` failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    });
    if let Err(e) = result {
        panic!("the test OpenID provider cannot start: {e}; {INSTALL_HINT}");
    }
}

/// A development CA and a certificate for 127.0.0.1 signed by it, as PEM files.
pub struct DevTls {
    _dir: tempfile::TempDir,
    /// The CA certificate: the `ca_bundle` to trust.
    pub ca: PathBuf,
    /// The server certificate.
    pub cert: PathBuf,
    /// The server key.
    pub key: PathBuf,
}

impl DevTls {
    /// Makes a fresh CA and server certificate.
    pub fn new() -> Arc<Self> {
        let dir = tempfile::tempdir().expect("temporary directory");
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::default();
        ca.distinguished_name
            .push(DnType::CommonName, "caduceus-oidc test CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().expect("server key");
        let mut server = CertificateParams::default();
        server
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        server.subject_alt_names = vec![SanType::IpAddress(IpAddr::from([127, 0, 0, 1]))];
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = server.signed_by(&key, &issuer).expect("server certificate");

        let paths = [
            ("ca.pem", ca_cert.pem()),
            ("cert.pem", cert.pem()),
            ("key.pem", key.serialize_pem()),
        ]
        .map(|(name, pem)| {
            let path = dir.path().join(name);
            std::fs::write(&path, pem).expect("write PEM");
            path
        });
        let [ca, cert, key] = paths;
        Arc::new(Self {
            _dir: dir,
            ca,
            cert,
            key,
        })
    }
}

/// How to start a provider.
#[derive(Clone, Default)]
pub struct Options {
    /// Serve HTTPS with these files (plain HTTP otherwise).
    pub tls: Option<Arc<DevTls>>,
    /// Listen on this port (0: any free port).
    pub port: u16,
}

/// A running test provider.
pub struct OidcProvider {
    child: Child,
    _stdin: ChildStdin,
    /// Its issuer identifier, `http(s)://127.0.0.1:PORT`.
    pub issuer: String,
    /// Its port.
    pub port: u16,
    /// Its TLS files, when it serves HTTPS.
    pub tls: Option<Arc<DevTls>>,
    stderr: Arc<Mutex<String>>,
}

impl OidcProvider {
    /// Starts `provider.mjs` and waits until it listens. A start that does
    /// not answer in time is tried once more (a loaded CI machine), and the
    /// second failure panics with the provider's stderr.
    pub fn start(options: Options) -> Self {
        ensure_node_and_packages();
        match Self::try_start(&options) {
            Ok(provider) => provider,
            Err(first) => {
                eprintln!("retrying the test OpenID provider's start: {first}");
                Self::try_start(&options).unwrap_or_else(|second| {
                    panic!(
                        "the test OpenID provider did not become ready: {second}\n{INSTALL_HINT}"
                    )
                })
            }
        }
    }

    fn try_start(options: &Options) -> Result<Self, String> {
        let started = std::time::Instant::now();
        let dir = provider_dir();
        let mut command = Command::new(node());
        command
            .arg(dir.join("provider.mjs"))
            .current_dir(&dir)
            .env("PORT", options.port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", REDIRECT_URI)
            .env_remove("TLS_CERT")
            .env_remove("TLS_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(tls) = &options.tls {
            command.env("TLS_CERT", &tls.cert).env("TLS_KEY", &tls.key);
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start `{}` ({e})", node()))?;
        let stdin = child.stdin.take().expect("piped stdin");

        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            // Keep draining so the provider never blocks on a full pipe.
            for _ in lines {}
        });
        let line = match rx.recv_timeout(READY_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            outcome => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                return Err(format!(
                    "{} after {:.1} s; its stderr:\n{}",
                    match outcome {
                        Err(_) => "no readiness line".to_owned(),
                        Ok(None) => "it exited".to_owned(),
                        Ok(Some(Err(e))) => e.to_string(),
                        Ok(Some(Ok(_))) => unreachable!(),
                    },
                    started.elapsed().as_secs_f64(),
                    stderr.lock().unwrap()
                ));
            }
        };
        if started.elapsed() > Duration::from_secs(3) {
            eprintln!(
                "note: the test OpenID provider took {:.1} s to start",
                started.elapsed().as_secs_f64()
            );
        }
        let ready: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| format!("unexpected readiness line {line:?}: {e}"))?;
        let (Some(issuer), Some(port)) = (
            ready["issuer"].as_str(),
            ready["port"].as_u64().and_then(|p| u16::try_from(p).ok()),
        ) else {
            return Err(format!("unexpected readiness line {line:?}"));
        };
        Ok(Self {
            child,
            _stdin: stdin,
            issuer: issuer.to_owned(),
            port,
            tls: options.tls.clone(),
            stderr,
        })
    }

    /// A provider configuration for this instance: the static client, the
    /// mail audience, `eidas1`, its dev CA (HTTPS) or the loopback exception
    /// (HTTP).
    pub fn config(&self) -> ProviderConfig {
        let mut config = ProviderConfig::new(
            self.issuer.clone(),
            CLIENT_ID,
            CLIENT_SECRET.to_owned().into(),
            REDIRECT_URI,
            MAIL,
        );
        config.acr_values = vec!["eidas1".to_owned()];
        config.ca_bundle = self.tls.as_ref().map(|tls| tls.ca.clone());
        config.allow_http_loopback = self.tls.is_none();
        config.http_timeout_secs = 5;
        config
    }

    /// What the provider wrote on stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// A browser that trusts this provider's certificate.
    pub fn browser(&self) -> Browser {
        Browser::new(self.tls.as_ref().map(|tls| tls.ca.as_path()))
    }

    /// Logs `account` in as a mail client would (authorization code + PKCE,
    /// `resource` as RFC 8707 resource indicator, or a plain OpenID login when
    /// `None`), and returns the token response.
    pub async fn mail_client_tokens(&self, resource: Option<&str>, account: &str) -> Tokens {
        let verifier = "mail-client-pkce-verifier-0123456789-abcdefghijklmnop";
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier));
        let mut url = Url::parse(&format!("{}/auth", self.issuer)).unwrap();
        url.query_pairs_mut()
            .append_pair("client_id", CLIENT_ID)
            .append_pair("response_type", "code")
            .append_pair(
                "scope",
                if resource.is_some() {
                    "openid scope_all mail"
                } else {
                    "openid scope_all"
                },
            )
            .append_pair("redirect_uri", REDIRECT_URI)
            .append_pair("state", "mail-client-state")
            .append_pair("nonce", "mail-client-nonce")
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("login_hint", account);
        if let Some(resource) = resource {
            url.query_pairs_mut().append_pair("resource", resource);
        }
        let browser = self.browser();
        let callback = browser.authorize(url).await.expect("mail client login");
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", callback.code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
        ];
        if let Some(resource) = resource {
            form.push(("resource", resource));
        }
        let response = browser
            .http
            .post(format!("{}/token", self.issuer))
            .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
            .form(&form)
            .send()
            .await
            .expect("token request");
        let status = response.status();
        let body: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.expect("token response"))
                .expect("token response JSON");
        assert!(status.is_success(), "token endpoint said {status}: {body}");
        Tokens {
            access_token: body["access_token"]
                .as_str()
                .expect("access_token")
                .to_owned(),
            id_token: body["id_token"].as_str().map(str::to_owned),
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The test provider over HTTPS with a dev CA, shared by the tests of one
/// binary.
pub fn shared() -> &'static OidcProvider {
    static PROVIDER: OnceLock<OidcProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        OidcProvider::start(Options {
            tls: Some(DevTls::new()),
            port: 0,
        })
    })
}

/// The `[oidc]` section of a `caduceus.toml` that trusts `provider` (over HTTPS with
/// its dev CA) for mail clients' tokens and the webmail's login.
pub fn caduceus_config(provider: &OidcProvider) -> String {
    let tls = provider
        .tls
        .as_ref()
        .expect("the shared provider serves HTTPS");
    format!(
        "\n[oidc]\nissuer = \"{}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret = \
         \"{CLIENT_SECRET}\"\nredirect_uri = \"{REDIRECT_URI}\"\naccess_token_audience = \
         \"{MAIL}\"\nca_bundle = \"{}\"\n",
        provider.issuer,
        tls.ca.display()
    )
}

/// A second provider (another issuer, other keys), over loopback HTTP.
pub fn shared_other_issuer() -> &'static OidcProvider {
    static PROVIDER: OnceLock<OidcProvider> = OnceLock::new();
    PROVIDER.get_or_init(|| OidcProvider::start(Options::default()))
}

/// What the token endpoint gave the mail client.
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The ID token.
    pub id_token: Option<String>,
}

/// What the provider sent back to the redirect URI.
#[derive(Debug)]
pub struct Callback {
    /// The authorization code.
    pub code: String,
    /// The state.
    pub state: String,
}

/// A headless browser: keeps cookies, follows redirects by hand, and stops
/// at the redirect URI.
pub struct Browser {
    /// Its HTTP client.
    pub http: reqwest::Client,
}

impl Browser {
    /// A browser trusting the Mozilla roots and `ca`.
    pub fn new(ca: Option<&Path>) -> Self {
        let mut builder = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10));
        if let Some(ca) = ca {
            let pem = std::fs::read(ca).unwrap();
            builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
        }
        Self {
            http: builder.build().unwrap(),
        }
    }

    /// Opens `url` and follows redirects (the provider's test-only
    /// interaction route logs in and consents) until the redirect URI.
    pub async fn authorize(&self, url: Url) -> Result<Callback, String> {
        let mut url = url;
        for _ in 0..10 {
            let response = self
                .http
                .get(url.clone())
                .send()
                .await
                .map_err(|e| format!("GET {url}: {e}"))?;
            let status = response.status();
            let Some(location) = response.headers().get(reqwest::header::LOCATION) else {
                let body = response.text().await.unwrap_or_default();
                return Err(format!("GET {url}: {status} without redirect: {body}"));
            };
            let next = url
                .join(location.to_str().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
            if next.as_str().starts_with(REDIRECT_URI) {
                let param = |name: &str| {
                    next.query_pairs()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                };
                if let Some(error) = param("error") {
                    return Err(format!(
                        "the provider answered {error}: {}",
                        param("error_description").unwrap_or_default()
                    ));
                }
                return Ok(Callback {
                    code: param("code").ok_or("no code in the callback")?,
                    state: param("state").ok_or("no state in the callback")?,
                });
            }
            url = next;
        }
        Err("too many redirects".to_owned())
    }
}
