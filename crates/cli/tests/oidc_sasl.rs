//! AU-4 through SMTP submission, IMAP and the webmail: a mail client logs in with SASL
//! XOAUTH2 or OAUTHBEARER and an access token from a real OpenID provider (the
//! `oidc-provider` npm package, started by the shared harness), configured in
//! `[oidc]`; a token naming another person's mailbox, or from another issuer, is
//! refused; a browser logs in to the webmail through the provider (authorization code
//! with PKCE), and a callback with a forged state is refused.

mod common;
#[path = "../../oidc/tests/support/mod.rs"]
mod oidc;

use std::path::Path;

use common::Server;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/smtp_bearer.py");
const IMAP_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/scripts/imap_bearer.py");
const ALICE: &str = "alice.martin@caduceus.test";
const BRUNO: &str = "bruno.durand@caduceus.test";

/// Runs the smtplib client; returns its output lines.
fn login(submission: &str, ca: &Path, mechanism: &str, user: &str, token: &str) -> String {
    let (host, port) = submission.rsplit_once(':').unwrap();
    let ca = ca.to_str().unwrap();
    common::python3(&[SCRIPT, host, port, ca, mechanism, user, token, BRUNO])
}

/// Runs the imaplib client against the implicit-TLS listener; returns its output.
fn imap_login(imaps: &str, ca: &Path, mechanism: &str, user: &str, token: &str) -> String {
    let (host, port) = imaps.rsplit_once(':').unwrap();
    common::python3(&[
        IMAP_SCRIPT,
        host,
        port,
        ca.to_str().unwrap(),
        mechanism,
        user,
        token,
    ])
}

fn token(provider: &oidc::OidcProvider, account: &str) -> String {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(provider.mail_client_tokens(Some(oidc::MAIL), account))
        .access_token
}

#[test]
fn au4_smtp_xoauth2_and_oauthbearer_with_the_providers_token() {
    let provider = oidc::shared();
    let other_issuer = oidc::shared_other_issuer();
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = common::init_demo(&data);
    let config = data.join("caduceus.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&oidc::caduceus_config(provider));
    std::fs::write(&config, text).unwrap();
    let _server = Server::start(&data, &ports.submission);
    let ca = data.join("pki/ca.pem");
    let alice = token(provider, "alice");

    let xoauth2 = login(&ports.submission, &ca, "XOAUTH2", ALICE, &alice);
    let offered = xoauth2
        .lines()
        .find_map(|l| l.strip_prefix("offered"))
        .unwrap();
    assert_eq!(offered.trim(), "PLAIN LOGIN OAUTHBEARER XOAUTH2");
    assert!(xoauth2.contains("\n235 "), "{xoauth2}");
    assert!(xoauth2.contains("sent 250"), "{xoauth2}");

    // OAUTHBEARER, with and without the address (the token alone names the person).
    for user in [ALICE, ""] {
        let bearer = login(&ports.submission, &ca, "OAUTHBEARER", user, &alice);
        assert!(bearer.contains("\n235 "), "{bearer}");
    }

    // Alice's token does not open Bruno's mailbox.
    let crossed = login(&ports.submission, &ca, "XOAUTH2", BRUNO, &alice);
    assert!(crossed.contains("\n535 "), "{crossed}");
    assert!(!crossed.contains("sent 250"), "{crossed}");

    // A token from another issuer is refused after the RFC 7628 error challenge,
    // which points the client at our provider.
    let foreign = token(other_issuer, "alice");
    let refused = login(&ports.submission, &ca, "OAUTHBEARER", ALICE, &foreign);
    assert!(refused.contains("\n535 5.7.8"), "{refused}");
    let challenge = refused
        .lines()
        .find_map(|l| l.strip_prefix("challenge "))
        .unwrap_or_else(|| panic!("no error challenge: {refused}"));
    let challenge: serde_json::Value = serde_json::from_str(challenge).unwrap();
    assert_eq!(challenge["status"], "invalid_token");
    assert_eq!(
        challenge["openid-configuration"],
        format!("{}/.well-known/openid-configuration", provider.issuer)
    );
    let refused = login(&ports.submission, &ca, "XOAUTH2", ALICE, "not-a-token");
    assert!(refused.contains("\n535 5.7.8"), "{refused}");
    assert!(
        refused.contains("challenge {\"status\":\"401\""),
        "{refused}"
    );

    // The same over IMAP (AU-4): both mechanisms offered after TLS, the token opens
    // Alice's INBOX, another issuer's token gets the error challenge, then NO.
    let imap = imap_login(&ports.imaps, &ca, "XOAUTH2", ALICE, &alice);
    assert!(
        imap.contains("offered PLAIN LOGIN EXTERNAL OAUTHBEARER XOAUTH2"),
        "{imap}"
    );
    assert!(
        imap.contains("\nOK\n") && imap.contains("exists "),
        "{imap}"
    );
    let imap = imap_login(&ports.imaps, &ca, "OAUTHBEARER", "", &alice);
    assert!(imap.contains("\nOK\n"), "{imap}");
    let crossed = imap_login(&ports.imaps, &ca, "OAUTHBEARER", BRUNO, &alice);
    assert!(
        crossed.contains("NO ") && !crossed.contains("exists"),
        "{crossed}"
    );
    let refused = imap_login(&ports.imaps, &ca, "OAUTHBEARER", ALICE, &foreign);
    assert!(refused.contains("AUTHENTICATIONFAILED"), "{refused}");
    assert!(
        refused.contains("challenge {\"status\":\"invalid_token\""),
        "{refused}"
    );

    // The webmail: through the provider and back, a session for Alice (AU-4).
    let web = format!("https://{}", ports.https);
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(web_login(provider, &web, &ca));
}

/// A browser (cookies kept, redirects followed by hand) trusting Caduceus' and the
/// provider's development CAs.
fn browser(provider: &oidc::OidcProvider, ca: &Path) -> reqwest::Client {
    let mut builder = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none());
    for pem in [ca.to_path_buf(), provider.tls.as_ref().unwrap().ca.clone()] {
        let pem = std::fs::read(pem).unwrap();
        builder = builder.add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap());
    }
    builder.build().unwrap()
}

async fn web_login(provider: &oidc::OidcProvider, web: &str, ca: &Path) {
    let client = browser(provider, ca);
    let page = client.get(format!("{web}/login")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("/login/oidc"));
    // Twice: a forged state first, then the real callback.
    for forged in [true, false] {
        let begin = client
            .get(format!("{web}/login/oidc"))
            .send()
            .await
            .unwrap();
        assert_eq!(begin.status(), 303);
        let to = begin.headers()[reqwest::header::LOCATION].to_str().unwrap();
        assert!(to.starts_with(&provider.issuer), "{to}");
        let authorize = reqwest::Url::parse(to).unwrap();
        let callback = provider
            .browser()
            .authorize(authorize)
            .await
            .unwrap_or_else(|e| panic!("provider login failed: {e}\n{}", provider.stderr()));
        let state = if forged {
            "forged"
        } else {
            callback.state.as_str()
        };
        let back = client
            .get(format!("{web}/oidc/callback"))
            .query(&[("code", callback.code.as_str()), ("state", state)])
            .send()
            .await
            .unwrap();
        if forged {
            assert_eq!(back.status(), 401, "a forged state is a failed login");
            continue;
        }
        assert_eq!(back.status(), 303);
        assert_eq!(
            back.headers()[reqwest::header::LOCATION],
            "/mail/folder/INBOX"
        );
        let inbox = client
            .get(format!("{web}/mail/folder/INBOX"))
            .send()
            .await
            .unwrap();
        assert_eq!(inbox.status(), 200);
        assert!(inbox.text().await.unwrap().contains(ALICE));
    }
}
