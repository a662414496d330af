//! IN-1 through a real listener: with `[terms]` set, a mail client that logs in before
//! its user accepted the terms is told so over IMAP, and the configuration as `init`
//! writes it (an empty `[terms]`) asks nothing.

mod common;

use common::{Server, demo_account, init_demo, python3};

const LOGIN: &str = r#"
import imaplib, ssl, sys
address, ca, user, secret = sys.argv[1:5]
host, port = address.rsplit(":", 1)
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False
m = imaplib.IMAP4_SSL(host, int(port), ssl_context=context, timeout=20)
try:
    m.login(user, secret)
    print("OK")
except imaplib.IMAP4.error as e:
    print("NO", e)
"#;

#[test]
fn in1_a_mail_client_is_told_to_accept_the_terms_first() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("d");
    let ports = init_demo(&data);
    let user = "alice.martin@caduceus.test";
    let secret = demo_account(&data, user)["device_credential"]
        .as_str()
        .unwrap()
        .to_owned();
    let ca = data.join("pki/ca.pem");
    let login = || {
        python3(&[
            "-c",
            LOGIN,
            &ports.imaps,
            ca.to_str().unwrap(),
            user,
            &secret,
        ])
    };

    // As init wrote it: no terms asked.
    let server = Server::start(&data, &ports.imaps);
    assert_eq!(login().trim(), "OK");
    drop(server);

    std::fs::write(
        data.join("terms.md"),
        "Conditions generales d'utilisation v1\n",
    )
    .unwrap();
    let config = data.join("caduceus.toml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("# file = \"terms.md\"", "file = \"terms.md\"")
        .replace("# version = \"2026-11\"", "version = \"2026-11\"");
    std::fs::write(&config, text).unwrap();
    let _server = Server::start(&data, &ports.imaps);
    let refused = login();
    assert!(
        refused.starts_with("NO") && refused.contains("IN-1"),
        "{refused}"
    );
    assert!(refused.contains("2026-11"), "{refused}");
}
