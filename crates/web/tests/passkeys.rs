//! Passkeys over HTTPS with a software authenticator (AU-1, MS-18;
//! `scripts/passkeys_https.py`, Python's http.client and `cryptography`): one
//! account's passkey never logs another in, an answer is not accepted twice, and a
//! pairing token registers one phone only; the same, each ceremony begun on one node
//! and finished on another over the same database (another `Service` with its own
//! relying party, on SQLite; on PostgreSQL another store and pool too: the ceremony
//! is in the database, not in the memory of the node that began it). Chromium's own
//! authenticator is in `tests/browser.rs`.

use caduceus_store::PasskeyStore as _;
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au1_ms18_a_passkey_logs_in_its_own_account_only_and_a_pairing_token_once() {
    passkeys_over_https(world().await, None).await;
}

/// Behind HAProxy each request may reach another node: a registration, a login (alone
/// and after the password) and a phone's pairing begun on node A finish on node B.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au1_ms18_ceremonies_begun_on_one_node_finish_on_another() {
    let w = world().await;
    let other = w.service.clone();
    passkeys_over_https(w, Some(other)).await;
}

/// The same with two nodes as `serve` runs them on PostgreSQL: each its own store and
/// connection pool over one database (`CADUCEUS_TEST_DATABASE_URL`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au1_ms18_ceremonies_finish_on_another_postgresql_node() {
    let (w, other) = postgres_nodes().await;
    passkeys_over_https(w, Some(other)).await;
}

/// `service` offering passkeys, with its own relying party: a node.
fn node(service: &caduceus_service::Service) -> caduceus_service::Service {
    let relying = caduceus_service::auth::Relying::new("localhost").unwrap();
    service.clone().with_passkeys(relying)
}

/// Runs `scripts/passkeys_https.py` against `w`'s node, finishing each ceremony on
/// the node `other` over the same database if there is one, and checks what it did.
async fn passkeys_over_https(w: World, other: Option<caduceus_service::Service>) {
    let alice = professional(&w, "alice.martin", "810003090833", true).await;
    let bruno = professional(&w, "bruno.durand", "810000000009", true).await;
    let alice_token = web_token(&w, &alice).await.expose().to_owned();
    let bruno_token = web_token(&w, &bruno).await.expose().to_owned();
    let server = listen_service(&w, node(&w.service)).await;
    let other = match other {
        Some(service) => Some(listen_service(&w, node(&service)).await),
        None => None,
    };
    let finish_port = other.as_ref().unwrap_or(&server).port;
    let args = [
        ("port", server.port.to_string()),
        ("finish_port", finish_port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("alice_token", alice_token),
        ("bruno_token", bruno_token),
        ("alice", alice.address.as_str().to_owned()),
        ("bruno", bruno.address.as_str().to_owned()),
        ("password", WEB_PASSWORD.to_owned()),
    ];
    let run = python(&script("passkeys_https.py"), &args, "http.client").await;
    server.shutdown().await;
    if let Some(other) = other {
        other.shutdown().await;
    }

    run.expect("alice-registered", 200, &["/mail/settings/passkeys?added"]);
    run.expect("bruno-registered", 200, &["/mail/settings/passkeys?added"]);
    run.expect("alice-login", 200, &["/mail/folder/INBOX"]);
    // Alice's key claiming Bruno's user handle, or his credential: nobody logged in.
    run.expect("as-bruno-handle", 401, &["n'a pas été acceptée"]);
    run.expect("as-bruno-credential", 401, &["n'a pas été acceptée"]);
    run.expect("replay-first", 200, &["/mail/folder/INBOX"]);
    run.expect("replay-again", 401, &[]);
    // After the password: her own key only; a wrong password asks for no key.
    run.expect("password-passkey", 200, &["/mail/folder/INBOX"]);
    run.expect("bruno-password-alice-key", 401, &["n'a pas été acceptée"]);
    run.expect("wrong-password", 401, &["Connexion refusée"]);
    // The pairing token: one phone, then refused in plain words.
    run.expect("paired", 200, &["/login"]);
    run.expect("paired-again-begin", 410, &["déjà servi"]);
    run.expect("pair-page-again", 410, &["déjà servi"]);
    run.expect("phone-login", 200, &["/mail/folder/INBOX"]);

    let passkeys = w.store.passkeys(alice.id).await.unwrap();
    let kinds: Vec<_> = passkeys.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["passkey", "phone"]);
    let entries = traces(&w).await;
    let logged_in = |account: &caduceus_store::Account| {
        entries
            .iter()
            .filter(|e| e.action == "auth.success" && e.actor == account.id.to_string())
            .filter(|e| {
                e.detail
                    .as_deref()
                    .is_some_and(|d| d.contains("method:passkey"))
            })
            .count()
    };
    // Alice's four passkey logins (hers alone twice, after her password, the
    // phone's), Bruno's none.
    assert_eq!((logged_in(&alice), logged_in(&bruno)), (4, 0));
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.action == "pairing.use" && e.outcome == "refused")
            .count(),
        2,
        "both refusals of the spent token traced"
    );
}
