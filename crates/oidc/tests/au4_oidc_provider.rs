//! AU-4: federated login through an OpenID Connect provider (Pro Santé
//! Connect style), against a real provider (the `oidc-provider` npm package,
//! started by `support`), and the provider's access tokens for SASL
//! OAUTHBEARER / XOAUTH2.

mod support;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use caduceus_core::{Clock, ManualClock, SystemClock};
use caduceus_oidc::{
    ClaimSource, Error, FederatedIdentity, PendingLogin, Provider, parse_oauthbearer,
};
use support::{
    MAIL, MAIL_OPAQUE, OTHER_SERVICE, OidcProvider, Options, shared, shared_other_issuer,
};

const ALICE_NATIONAL_ID: &str = "810003090833";
const TWO_HOURS: Duration = Duration::from_secs(2 * 3600);

async fn discover(provider: &OidcProvider) -> Provider {
    Provider::discover(provider.config())
        .await
        .unwrap_or_else(|e| {
            panic!(
                "discovery failed: {e}\nprovider stderr:\n{}",
                provider.stderr()
            )
        })
}

/// Discovers with a manual clock set to now, to move it later.
async fn discover_with_manual_clock(provider: &OidcProvider) -> (Provider, ManualClock) {
    let clock = ManualClock::new(SystemClock.now());
    let discovered = Provider::discover_with_clock(provider.config(), Arc::new(clock.clone()))
        .await
        .expect("discovery");
    (discovered, clock)
}

/// Starts a web login for `account` and walks the provider's pages.
async fn web_login(
    provider: &OidcProvider,
    rp: &Provider,
    account: &str,
) -> (support::Callback, PendingLogin) {
    let (mut url, pending) = rp.authorization_request();
    if account != "alice" {
        url.query_pairs_mut().append_pair("login_hint", account);
    }
    let callback =
        provider.browser().authorize(url).await.unwrap_or_else(|e| {
            panic!("login failed: {e}\nprovider stderr:\n{}", provider.stderr())
        });
    (callback, pending)
}

fn assert_alice(identity: &FederatedIdentity, issuer: &str) {
    assert_eq!(identity.national_id.to_string(), ALICE_NATIONAL_ID);
    assert_eq!(identity.issuer, issuer);
    assert_eq!(identity.subject, "alice");
    assert_eq!(identity.claim_str("family_name"), Some("MARTIN"));
}

#[tokio::test]
async fn au4_web_login_with_pkce_yields_the_national_id() {
    let op = shared();
    let rp = discover(op).await;
    let (url, pending) = rp.authorization_request();
    let params: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(params["response_type"], "code");
    assert_eq!(params["code_challenge_method"], "S256");
    assert_eq!(params["state"], pending.state());
    assert_eq!(params["nonce"], *pending.nonce().expose());
    assert_eq!(params["acr_values"], "eidas1");
    assert_eq!(params["scope"], "openid scope_all");
    assert!(!format!("{pending:?}").contains(pending.pkce_verifier().expose().as_str()));

    let callback = op.browser().authorize(url).await.expect("login");
    let identity = rp
        .exchange(&callback.code, &callback.state, &pending)
        .await
        .expect("a valid login is accepted");
    assert_alice(&identity, &op.issuer);
    // As with Pro Santé Connect, the ID token has no SubjectNameID: userinfo has it.
    assert_eq!(identity.national_id_source, ClaimSource::UserInfo);
    assert_eq!(identity.claim_str("acr"), Some("eidas1"));
    assert!(identity.claims.get("nonce").is_none());
    assert!(identity.expires_at.is_some());

    // A code is good for one login.
    let replay = rp
        .exchange(&callback.code, &callback.state, &pending)
        .await
        .expect_err("a replayed code is refused");
    assert!(matches!(replay, Error::CodeRefused(_)), "{replay}");
}

#[tokio::test]
async fn au4_web_login_reads_the_national_id_from_the_id_token_when_present() {
    let op = shared();
    let rp = discover(op).await;
    // With a resource indicator the access token is not for userinfo, so the
    // provider puts the scope's claims in the ID token.
    let (mut url, pending) = rp.authorization_request();
    let scope = url
        .query_pairs()
        .find(|(k, _)| k == "scope")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let others: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "scope")
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(others)
        .append_pair("scope", &format!("{scope} mail"))
        .append_pair("resource", support::MAIL);
    let callback = op.browser().authorize(url).await.expect("login");
    let identity = rp
        .exchange(&callback.code, &callback.state, &pending)
        .await
        .expect("login");
    assert_alice(&identity, &op.issuer);
    assert_eq!(identity.national_id_source, ClaimSource::IdToken);
}

#[tokio::test]
async fn au4_callback_with_a_wrong_state_is_refused() {
    let op = shared();
    let rp = discover(op).await;
    let (callback, pending) = web_login(op, &rp, "alice").await;
    let err = rp
        .exchange(&callback.code, "forged-state", &pending)
        .await
        .expect_err("wrong state");
    assert!(matches!(err, Error::StateMismatch), "{err}");
    assert!(err.is_rejection());
    // The code was not spent on the forged callback.
    rp.exchange(&callback.code, &callback.state, &pending)
        .await
        .expect("the genuine callback still works");
}

#[tokio::test]
async fn au4_id_token_with_a_wrong_nonce_is_refused() {
    let op = shared();
    let rp = discover(op).await;
    let (callback, pending) = web_login(op, &rp, "alice").await;
    let tampered = PendingLogin::new(
        pending.state().to_owned(),
        "another-login's-nonce".to_owned().into(),
        pending.pkce_verifier().clone(),
    );
    let err = rp
        .exchange(&callback.code, &callback.state, &tampered)
        .await
        .expect_err("wrong nonce");
    assert!(matches!(err, Error::NonceMismatch(_)), "{err}");
}

#[tokio::test]
async fn au4_code_with_a_wrong_pkce_verifier_is_refused() {
    let op = shared();
    let rp = discover(op).await;
    let (callback, pending) = web_login(op, &rp, "alice").await;
    let tampered = PendingLogin::new(
        pending.state().to_owned(),
        pending.nonce().clone(),
        "a-verifier-that-is-long-enough-but-not-the-one-sent-0123456789"
            .to_owned()
            .into(),
    );
    let err = rp
        .exchange(&callback.code, &callback.state, &tampered)
        .await
        .expect_err("wrong PKCE verifier");
    assert!(matches!(err, Error::CodeRefused(_)), "{err}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
}

#[tokio::test]
async fn au4_expired_id_token_is_refused() {
    let op = shared();
    let (rp, clock) = discover_with_manual_clock(op).await;
    let (callback, pending) = web_login(op, &rp, "alice").await;
    clock.advance(TWO_HOURS);
    let err = rp
        .exchange(&callback.code, &callback.state, &pending)
        .await
        .expect_err("expired ID token");
    assert!(matches!(err, Error::Expired(_)), "{err}");
}

#[tokio::test]
async fn au4_login_below_the_required_authentication_level_is_refused() {
    let op = shared();
    let mut config = op.config();
    // The provider authenticates at `eidas1`; ask for more.
    config.acr_values = vec!["eidas3".to_owned()];
    let rp = Provider::discover(config).await.expect("discovery");
    let (callback, pending) = web_login(op, &rp, "alice").await;
    let err = rp
        .exchange(&callback.code, &callback.state, &pending)
        .await
        .expect_err("acr below the required level");
    assert!(matches!(err, Error::AuthContext(_)), "{err}");
}

/// AU-4, AU-5: with `acr_values` configured, an access token must carry one of them
/// (RFC 9068 §2.2.1) — a JWT access token and an introspected opaque one alike.
#[tokio::test]
async fn au5_access_token_below_the_required_authentication_level_is_refused() {
    let op = shared();
    for (audience, source) in [
        (MAIL, ClaimSource::AccessToken),
        (MAIL_OPAQUE, ClaimSource::Introspection),
    ] {
        let tokens = op.mail_client_tokens(Some(audience), "alice").await;
        let mut config = op.config();
        config.access_token_audience = audience.to_owned();
        // The provider authenticated at `eidas1`: accepted when that is enough.
        config.acr_values = vec!["eidas1".to_owned()];
        let rp = Provider::discover(config.clone()).await.expect("discovery");
        let identity = rp
            .verify_access_token(&tokens.access_token)
            .await
            .expect("acr eidas1 required and present");
        assert_eq!(identity.national_id_source, source);
        assert_eq!(identity.claim_str("acr"), Some("eidas1"));
        // Refused when more is required.
        config.acr_values = vec!["eidas3".to_owned()];
        let rp = Provider::discover(config).await.expect("discovery");
        let err = rp
            .verify_access_token(&tokens.access_token)
            .await
            .expect_err("acr below the required level");
        assert!(matches!(err, Error::AuthContext(_)), "{err}");
        assert!(err.is_rejection());
    }
}

#[tokio::test]
async fn au4_login_without_a_valid_national_id_is_refused() {
    let op = shared();
    let rp = discover(op).await;
    let (callback, pending) = web_login(op, &rp, "nemo").await;
    let err = rp
        .exchange(&callback.code, &callback.state, &pending)
        .await
        .expect_err("no national id");
    assert!(
        matches!(&err, Error::MissingNationalId { claim } if claim == "SubjectNameID"),
        "{err}"
    );

    let (callback, pending) = web_login(op, &rp, "mallory").await;
    let err = rp
        .exchange(&callback.code, &callback.state, &pending)
        .await
        .expect_err("invalid national id");
    assert!(matches!(err, Error::InvalidNationalId { .. }), "{err}");
    assert!(err.to_string().contains("510003090833"), "{err}");
}

#[tokio::test]
async fn au4_jwt_access_token_over_oauthbearer_is_accepted() {
    let op = shared();
    let rp = discover(op).await;
    let tokens = op.mail_client_tokens(Some(support::MAIL), "alice").await;
    // As an IMAP server receives it.
    let message = format!(
        "n,a=alice@hopital.example,\x01host=127.0.0.1\x01port=993\x01auth=Bearer {}\x01\x01",
        tokens.access_token
    );
    let credentials = parse_oauthbearer(message.as_bytes()).expect("SASL message");
    let identity = rp
        .verify_access_token(credentials.token.expose())
        .await
        .expect("a valid access token is accepted");
    assert_eq!(identity.national_id.to_string(), ALICE_NATIONAL_ID);
    assert_eq!(identity.issuer, op.issuer);
    assert_eq!(identity.subject, "alice");
    assert_eq!(identity.national_id_source, ClaimSource::AccessToken);

    let bob = op.mail_client_tokens(Some(support::MAIL), "bob").await;
    let identity = rp
        .verify_access_token(&bob.access_token)
        .await
        .expect("bob");
    assert_eq!(identity.national_id.to_string(), "0012800736");

    let challenge = rp.oauthbearer_error_challenge();
    assert!(
        challenge.contains(&format!(
            "\"openid-configuration\":\"{}/.well-known/openid-configuration\"",
            op.issuer
        )),
        "{challenge}"
    );
}

#[tokio::test]
async fn au4_access_token_from_another_issuer_is_refused() {
    let op = shared();
    let other = shared_other_issuer();
    let rp = discover(op).await;
    let foreign = other.mail_client_tokens(Some(support::MAIL), "alice").await;
    let err = rp
        .verify_access_token(&foreign.access_token)
        .await
        .expect_err("another issuer's token");
    assert!(
        matches!(&err, Error::WrongIssuer { found, .. } if *found == other.issuer),
        "{err}"
    );
    assert!(err.is_rejection());

    // Its opaque tokens are unknown to our provider's introspection.
    let foreign = other.mail_client_tokens(Some(MAIL_OPAQUE), "alice").await;
    let err = rp
        .verify_access_token(&foreign.access_token)
        .await
        .expect_err("another issuer's opaque token");
    assert!(matches!(err, Error::Inactive), "{err}");
}

#[tokio::test]
async fn au4_expired_access_token_is_refused() {
    let op = shared();
    let (rp, clock) = discover_with_manual_clock(op).await;
    let tokens = op.mail_client_tokens(Some(support::MAIL), "alice").await;
    rp.verify_access_token(&tokens.access_token)
        .await
        .expect("valid now");
    clock.advance(TWO_HOURS);
    let err = rp
        .verify_access_token(&tokens.access_token)
        .await
        .expect_err("expired");
    assert!(matches!(err, Error::Expired(_)), "{err}");
}

#[tokio::test]
async fn au4_altered_access_token_is_refused() {
    let op = shared();
    let rp = discover(op).await;
    let tokens = op.mail_client_tokens(Some(support::MAIL), "alice").await;
    let parts: Vec<&str> = tokens.access_token.split('.').collect();
    assert_eq!(parts.len(), 3);

    // One flipped bit in the signature.
    let mut signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    signature[10] ^= 0x01;
    let flipped = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(&signature)
    );
    let err = rp
        .verify_access_token(&flipped)
        .await
        .expect_err("flipped signature");
    assert!(matches!(err, Error::BadSignature(_)), "{err}");

    // A longer life written into the payload.
    let mut claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
    claims["exp"] = serde_json::json!(claims["exp"].as_i64().unwrap() + 86_400);
    let extended = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap()),
        parts[2]
    );
    let err = rp
        .verify_access_token(&extended)
        .await
        .expect_err("tampered exp");
    assert!(matches!(err, Error::BadSignature(_)), "{err}");

    // The same claims, unsigned.
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"at+jwt"}"#),
        parts[1]
    );
    let err = rp
        .verify_access_token(&unsigned)
        .await
        .expect_err("alg none");
    assert!(err.is_rejection(), "{err}");
    assert!(
        matches!(err, Error::DisallowedAlgorithm(_) | Error::InvalidToken(_)),
        "{err}"
    );
}

#[tokio::test]
async fn au4_access_token_for_another_service_is_refused() {
    let op = shared();
    let rp = discover(op).await;
    let tokens = op.mail_client_tokens(Some(OTHER_SERVICE), "alice").await;
    let err = rp
        .verify_access_token(&tokens.access_token)
        .await
        .expect_err("other audience");
    assert!(matches!(err, Error::WrongAudience(_)), "{err}");
    assert!(err.to_string().contains(OTHER_SERVICE), "{err}");
}

#[tokio::test]
async fn au4_id_token_is_not_accepted_as_a_bearer_token() {
    let op = shared();
    let rp = discover(op).await;
    let tokens = op.mail_client_tokens(Some(support::MAIL), "alice").await;
    let id_token = tokens.id_token.expect("an ID token");
    let err = rp
        .verify_access_token(&id_token)
        .await
        .expect_err("an ID token is no access token");
    assert!(err.is_rejection(), "{err}");
}

#[tokio::test]
async fn au4_opaque_access_token_is_checked_by_introspection() {
    let op = shared();
    let mut config = op.config();
    config.access_token_audience = MAIL_OPAQUE.to_owned();
    let rp = Provider::discover(config).await.expect("discovery");
    assert!(rp.supports_introspection());
    let tokens = op.mail_client_tokens(Some(MAIL_OPAQUE), "alice").await;
    assert!(!tokens.access_token.contains('.'), "an opaque token");
    let identity = rp
        .verify_access_token(&tokens.access_token)
        .await
        .expect("a valid opaque token is accepted");
    assert_eq!(identity.national_id.to_string(), ALICE_NATIONAL_ID);
    assert_eq!(identity.national_id_source, ClaimSource::Introspection);

    // The same token, for a server expecting the JWT audience.
    let jwt_rp = discover(op).await;
    let err = jwt_rp
        .verify_access_token(&tokens.access_token)
        .await
        .expect_err("wrong audience");
    assert!(matches!(err, Error::WrongAudience(_)), "{err}");

    // A userinfo-only token (a plain login's) names no audience.
    let plain = op.mail_client_tokens(None, "alice").await;
    let err = rp
        .verify_access_token(&plain.access_token)
        .await
        .expect_err("no audience");
    assert!(matches!(err, Error::WrongAudience(_)), "{err}");

    let err = rp
        .verify_access_token("2YotnFZFEjr1zCsicMWpAA")
        .await
        .expect_err("unknown token");
    assert!(matches!(err, Error::Inactive), "{err}");
}

#[tokio::test]
async fn au4_signing_key_rotation_is_followed() {
    let first = OidcProvider::start(Options::default());
    let port = first.port;
    let rp = discover(&first).await;
    drop(first);
    // Same issuer, new keys.
    let second = OidcProvider::start(Options {
        port,
        ..Options::default()
    });
    let tokens = second
        .mail_client_tokens(Some(support::MAIL), "alice")
        .await;
    let identity = rp
        .verify_access_token(&tokens.access_token)
        .await
        .expect("the new key is fetched");
    assert_eq!(identity.national_id.to_string(), ALICE_NATIONAL_ID);
}

#[tokio::test]
async fn au4_discovery_of_an_unreachable_issuer_fails_clearly() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mut config = shared_other_issuer().config();
    config.issuer = format!("http://127.0.0.1:{port}");
    let err = Provider::discover(config)
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, Error::Discovery { .. }), "{err}");
    assert!(!err.is_rejection());
    let message = err.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.to_lowercase().contains("connect"), "{message}");
}

#[tokio::test]
async fn au4_provider_certificate_from_an_unknown_ca_is_refused() {
    let op = shared();
    let mut config = op.config();
    config.ca_bundle = None;
    let err = Provider::discover(config).await.expect_err("untrusted CA");
    assert!(matches!(err, Error::Discovery { .. }), "{err}");
    assert!(
        err.to_string().to_lowercase().contains("certificate"),
        "{err}"
    );
}
