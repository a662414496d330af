//! Real TLS handshakes over loopback TCP between the configurations built by this crate.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use caduceus_pki::{
    CertIdentity, ClientAuth, DevPki, IssuedCert, PkiError, client_config, load_certs, load_key,
    load_roots, peer_identity, server_config, server_config_with_crls,
};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ProtocolVersion, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

const DOMAIN: &str = "caduceus.test";
const NATIONAL_ID: &str = "810003090833";
/// Upper bound on any single handshake, so a broken test fails instead of hanging.
const LIMIT: Duration = Duration::from_secs(20);

/// What the server side saw of a connection that completed.
#[derive(Debug)]
struct Accepted {
    identity: Option<CertIdentity>,
    version: ProtocolVersion,
}

/// Runs one connection from `client` to `server` on 127.0.0.1: the server completes the
/// handshake and sends "ok"; the client reads until end of stream. Returns both sides' results.
async fn connect(
    server: Arc<ServerConfig>,
    client: Arc<ClientConfig>,
    name: &str,
) -> (Result<Accepted, String>, Result<ProtocolVersion, String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server_side = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let mut tls = TlsAcceptor::from(server)
            .accept(tcp)
            .await
            .map_err(|e| e.to_string())?;
        let (_, conn) = tls.get_ref();
        let accepted = Accepted {
            identity: peer_identity(conn),
            version: conn.protocol_version().unwrap(),
        };
        tls.write_all(b"ok").await.map_err(|e| e.to_string())?;
        tls.shutdown().await.map_err(|e| e.to_string())?;
        Ok::<_, String>(accepted)
    });
    let server_name = ServerName::try_from(name.to_owned()).unwrap();
    let client_side = async move {
        let tcp = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let mut tls = TlsConnector::from(client)
            .connect(server_name, tcp)
            .await
            .map_err(|e| e.to_string())?;
        let version = tls.get_ref().1.protocol_version().unwrap();
        let mut reply = Vec::new();
        tls.read_to_end(&mut reply)
            .await
            .map_err(|e| e.to_string())?;
        if reply != b"ok" {
            return Err(format!("unexpected reply {reply:?}"));
        }
        Ok(version)
    };
    let client_result = tokio::time::timeout(LIMIT, client_side)
        .await
        .expect("client side timed out");
    let server_result = tokio::time::timeout(LIMIT, server_side)
        .await
        .expect("server side timed out")
        .unwrap();
    (server_result, client_result)
}

/// A development PKI with one user certificate for [`NATIONAL_ID`].
struct Fixture {
    _tmp: tempfile::TempDir,
    pki: DevPki,
    user: IssuedCert,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let pki = DevPki::create(&tmp.path().join("pki"), DOMAIN).unwrap();
    let user = pki
        .issue_user(
            NATIONAL_ID,
            "Jeanne",
            "Martin",
            Some("jeanne.martin@caduceus.test"),
            &tmp.path().join("users"),
            "jeanne",
        )
        .unwrap();
    Fixture {
        _tmp: tmp,
        pki,
        user,
    }
}

impl Fixture {
    fn server(&self, auth: ClientAuth) -> Arc<ServerConfig> {
        server_config(
            &self.pki.server_cert_path(),
            &self.pki.server_key_path(),
            auth,
        )
        .unwrap()
    }

    fn required(&self) -> Arc<ServerConfig> {
        self.server(ClientAuth::Required(self.pki.ca_cert_path()))
    }

    fn user_client(&self) -> Arc<ClientConfig> {
        client_config(
            &self.pki.ca_cert_path(),
            Some((&self.user.cert_path, &self.user.key_path)),
        )
        .unwrap()
    }

    fn anonymous_client(&self) -> Arc<ClientConfig> {
        client_config(&self.pki.ca_cert_path(), None).unwrap()
    }
}

fn is_tls12_or_13(v: ProtocolVersion) -> bool {
    v == ProtocolVersion::TLSv1_2 || v == ProtocolVersion::TLSv1_3
}

#[tokio::test]
async fn au1_mutual_tls_with_a_cps_like_certificate_yields_the_national_id() {
    let f = fixture();
    let (server, client) = connect(f.required(), f.user_client(), "localhost").await;
    let accepted = server.expect("server accepts the user certificate");
    assert_eq!(client.unwrap(), ProtocolVersion::TLSv1_3);
    assert_eq!(accepted.version, ProtocolVersion::TLSv1_3);
    let identity = accepted.identity.expect("client identity");
    assert_eq!(identity.serial_number.as_deref(), Some(NATIONAL_ID));
    assert_eq!(identity.emails, ["jeanne.martin@caduceus.test"]);
    assert_eq!(identity.common_name.as_deref(), Some("Jeanne Martin"));
}

#[tokio::test]
async fn server_certificate_is_valid_for_every_service_name() {
    let f = fixture();
    for name in [
        DOMAIN,
        "mail.caduceus.test",
        "patient.caduceus.test",
        "localhost",
        "127.0.0.1",
        "::1",
    ] {
        let (server, client) =
            connect(f.server(ClientAuth::None), f.anonymous_client(), name).await;
        assert!(client.is_ok(), "{name}: {client:?}");
        assert!(server.is_ok(), "{name}: {server:?}");
    }
    let (_, client) = connect(
        f.server(ClientAuth::None),
        f.anonymous_client(),
        "other.test",
    )
    .await;
    assert!(client.is_err(), "a name outside the certificate is refused");
}

#[tokio::test]
async fn au1_a_revoked_certificate_is_refused_through_the_crl_file() {
    let f = fixture();
    let colleague = f
        .pki
        .issue_user(
            "810000000009",
            "Bruno",
            "Durand",
            None,
            f._tmp.path(),
            "bruno",
        )
        .unwrap();
    let with_crl = || {
        server_config_with_crls(
            &f.pki.server_cert_path(),
            &f.pki.server_key_path(),
            ClientAuth::Required(f.pki.ca_cert_path()),
            &[f.pki.crl_path()],
        )
        .unwrap()
    };
    // The CRL exists from the start and revokes nobody.
    let (server, _) = connect(with_crl(), f.user_client(), "localhost").await;
    server.expect("not revoked yet");

    f.pki.revoke(&f.user.cert_path).unwrap();
    assert_eq!(f.pki.revoked_serials().unwrap().len(), 1);
    let (server, client) = connect(with_crl(), f.user_client(), "localhost").await;
    let err = server.expect_err("a revoked certificate must be refused");
    assert!(err.to_lowercase().contains("revoked"), "{err}");
    assert!(client.is_err());
    // Others are unaffected.
    let bruno = client_config(
        &f.pki.ca_cert_path(),
        Some((&colleague.cert_path, &colleague.key_path)),
    )
    .unwrap();
    let (server, _) = connect(with_crl(), bruno, "localhost").await;
    server.expect("an unrevoked colleague still gets in");
    // Revoking twice keeps one entry.
    f.pki.revoke(&f.user.cert_path).unwrap();
    assert_eq!(f.pki.revoked_serials().unwrap().len(), 1);
}

#[tokio::test]
async fn au1_required_client_auth_refuses_a_client_without_certificate() {
    let f = fixture();
    let (server, client) = connect(f.required(), f.anonymous_client(), "localhost").await;
    let err = server.expect_err("server must refuse");
    assert!(err.to_lowercase().contains("certificate"), "{err}");
    assert!(client.is_err(), "client never gets the reply: {client:?}");
}

#[tokio::test]
async fn au1_required_client_auth_refuses_a_certificate_from_another_ca() {
    let f = fixture();
    // Another development CA, once for another domain and once as an impostor with exactly
    // the same name as ours (only its key differs).
    for other_domain in ["elsewhere.test", DOMAIN] {
        let other_tmp = tempfile::tempdir().unwrap();
        let other = DevPki::create(&other_tmp.path().join("pki"), other_domain).unwrap();
        let foreign = other
            .issue_user(NATIONAL_ID, "Jeanne", "Martin", None, other_tmp.path(), "u")
            .unwrap();
        let client = client_config(
            &f.pki.ca_cert_path(),
            Some((&foreign.cert_path, &foreign.key_path)),
        )
        .unwrap();
        let (server, client) = connect(f.required(), client, "localhost").await;
        let err = server.expect_err("server must refuse a foreign CA");
        assert!(
            err.contains("invalid peer certificate"),
            "{other_domain}: {err}"
        );
        assert!(client.is_err(), "{other_domain}: {client:?}");
    }
}

#[tokio::test]
async fn optional_client_auth_accepts_anonymous_clients_without_identity() {
    let f = fixture();
    let optional = f.server(ClientAuth::Optional(f.pki.ca_cert_path()));
    let (server, client) = connect(optional.clone(), f.anonymous_client(), "localhost").await;
    client.unwrap();
    assert_eq!(server.unwrap().identity, None);

    // ... and still identifies clients that do present a certificate.
    let (server, client) = connect(optional, f.user_client(), "localhost").await;
    client.unwrap();
    let identity = server.unwrap().identity.expect("identity");
    assert_eq!(identity.serial_number.as_deref(), Some(NATIONAL_ID));
}

#[tokio::test]
async fn no_client_auth_ignores_client_certificates() {
    let f = fixture();
    let (server, client) = connect(f.server(ClientAuth::None), f.user_client(), "localhost").await;
    client.unwrap();
    assert_eq!(server.unwrap().identity, None);
}

#[tokio::test]
async fn tls12_only_client_works_and_nothing_below_tls12_is_negotiated() {
    let f = fixture();
    let tls12_only =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_root_certificates(load_roots(&f.pki.ca_cert_path()).unwrap())
            .with_client_auth_cert(
                load_certs(&f.user.cert_path).unwrap(),
                load_key(&f.user.key_path).unwrap(),
            )
            .unwrap();
    let (server, client) = connect(f.required(), Arc::new(tls12_only), "localhost").await;
    let accepted = server.unwrap();
    assert_eq!(client.unwrap(), ProtocolVersion::TLSv1_2);
    assert_eq!(accepted.version, ProtocolVersion::TLSv1_2);
    assert!(is_tls12_or_13(accepted.version));
    assert_eq!(
        accepted.identity.unwrap().serial_number.as_deref(),
        Some(NATIONAL_ID)
    );

    let (server, client) = connect(f.required(), f.user_client(), "localhost").await;
    assert!(is_tls12_or_13(client.unwrap()));
    assert!(is_tls12_or_13(server.unwrap().version));
}

#[tokio::test]
async fn ms5_operator_certificate_authenticates_the_relay_both_ways() {
    let f = fixture();
    let tmp = tempfile::tempdir().unwrap();
    let op = f
        .pki
        .issue_operator("mssante.peer.test", "Peer Operator", tmp.path(), "peer")
        .unwrap();
    // As a client of our server ...
    let client = client_config(&f.pki.ca_cert_path(), Some((&op.cert_path, &op.key_path))).unwrap();
    let (server, client) = connect(f.required(), client, "localhost").await;
    client.unwrap();
    let identity = server.unwrap().identity.unwrap();
    assert_eq!(
        identity.subject_dn,
        caduceus_pki::normalize_dn("/C=FR/O=Peer Operator/CN=mssante.peer.test")
    );
    // ... and as a server the relay connects to, with our server certificate as client.
    let peer_server = server_config(
        &op.cert_path,
        &op.key_path,
        ClientAuth::Required(f.pki.ca_cert_path()),
    )
    .unwrap();
    let relay = client_config(
        &f.pki.ca_cert_path(),
        Some((&f.pki.server_cert_path(), &f.pki.server_key_path())),
    )
    .unwrap();
    let (server, client) = connect(peer_server, relay, "mssante.peer.test").await;
    client.unwrap();
    assert_eq!(
        server.unwrap().identity.unwrap().dns_names[0],
        DOMAIN.to_owned()
    );
}

#[test]
fn server_config_reports_bad_files() {
    let f = fixture();
    // Key that does not belong to the certificate.
    let err = server_config(
        &f.pki.server_cert_path(),
        &f.user.key_path,
        ClientAuth::None,
    )
    .unwrap_err();
    assert!(matches!(err, PkiError::Tls { .. }), "{err:?}");

    // Missing CA bundle for client authentication.
    let missing = Path::new("/nonexistent/ca.pem");
    let err = server_config(
        &f.pki.server_cert_path(),
        &f.pki.server_key_path(),
        ClientAuth::Required(missing.to_owned()),
    )
    .unwrap_err();
    assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");

    // A key file given as certificate.
    let err = server_config(
        &f.pki.server_key_path(),
        &f.pki.server_key_path(),
        ClientAuth::None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "no certificate found in {}",
            f.pki.server_key_path().display()
        )
    );
}
