//! An LDAP session over loopback, as a client speaks it (the requests encoded by
//! `ldap3_proto`'s codec, TLS by rustls): no credential before StartTLS (MS-3), a
//! bind with a device credential (AU-2), a search, a refused write, StartTLS twice; a
//! device revoked while the session is open ends its login at the next search (AU-2),
//! traced; a stopping server says so to its sessions.
//!
//! interface: ldap

use std::sync::Arc;

use caduceus_ldap::{LdapConfig, serve};
use caduceus_service::model::DeviceId;
use caduceus_testkit::ldap::{self, ask, bind, code, search_mail};
use caduceus_testkit::*;
use futures::StreamExt;
use ldap3_proto::proto::{
    LdapExtendedRequest, LdapFilter, LdapOp, LdapResultCode, LdapSearchScope,
};

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
const ALICE: &str = "alice.martin@caduceus.test";

fn start_tls() -> LdapOp {
    LdapOp::ExtendedRequest(LdapExtendedRequest {
        name: "1.3.6.1.4.1.1466.20037".into(),
        value: None,
    })
}

#[tokio::test]
async fn au2_ms3_a_session_binds_after_starttls_and_ends_with_its_device() {
    let w = world().await;
    w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    let alice = professional(&w, "alice.martin", "810003090833", true).await;
    let (credential, device) = device(&w, "810003090833", "Thunderbird").await;
    let config = LdapConfig::new(server_tls(&w), false, w.service.config().domain.clone());
    let service = w.service.clone();
    let listener =
        spawn_listener(|listener, stop| serve(listener, Arc::new(config), service, stop)).await;
    let mut plain = ldap::connect(listener.port).await;

    // No credential in clear (MS-3); StartTLS, then the handshake.
    let refused = ask(&mut plain, 1, bind(ALICE, credential.expose())).await;
    assert_eq!(code(&refused[0]), LdapResultCode::ConfidentialityRequired);
    let started = ask(&mut plain, 2, start_tls()).await;
    assert_eq!(code(&started[0]), LdapResultCode::Success);
    let mut framed = ldap::tls(plain.into_parts().io, &w.pki.ca_cert_path()).await;
    let again = ask(&mut framed, 3, start_tls()).await;
    assert_eq!(code(&again[0]), LdapResultCode::OperationsError);

    // Bound with the device credential: a search finds Alice.
    let bound = ask(&mut framed, 4, bind(ALICE, credential.expose())).await;
    assert_eq!(code(&bound[0]), LdapResultCode::Success);
    let found = ask(&mut framed, 5, search_mail(ALICE)).await;
    assert_eq!(ldap::dns(&found), [format!("mail={ALICE},{}", ldap::BASE)]);
    assert_eq!(code(&found[1]), LdapResultCode::Success);
    // Read-only.
    let delete = LdapOp::DelRequest(format!("mail={ALICE},{}", ldap::BASE));
    let refused = ask(&mut framed, 6, delete).await;
    assert_eq!(code(&refused[0]), LdapResultCode::UnwillingToPerform);

    // The device is revoked while the session is open: the next search is refused,
    // the end of the login traced.
    let caller = caduceus_service::actor::testing::account(alice.id, "test");
    w.service
        .revoke_device(&caller, alice.id, DeviceId(device))
        .await
        .unwrap();
    let after = ask(&mut framed, 7, search_mail(ALICE)).await;
    assert_eq!(after.len(), 1);
    assert_eq!(code(&after[0]), LdapResultCode::InsufficentAccessRights);
    let ends = traces(&w).await;
    assert!(
        ends.iter()
            .any(|e| e.action == "session.close" && e.outcome != "success"),
        "the revoked login's end is traced"
    );

    // A stopping server tells its open sessions (a notice of disconnection).
    let mut idle = ldap::connect(listener.port).await;
    let present = LdapFilter::Present("objectClass".into());
    let root = ldap::search("", LdapSearchScope::Base, present, &["namingContexts"]);
    let dse = ask(&mut idle, 1, root).await;
    assert_eq!(code(&dse[1]), LdapResultCode::Success);
    listener.stop.send_replace(true);
    let notice = idle.next().await.unwrap().unwrap();
    assert_eq!(notice.msgid, 0);
    match notice.op {
        LdapOp::ExtendedResponse(r) => {
            assert_eq!(r.name.as_deref(), Some("1.3.6.1.4.1.1466.20036"));
            assert_eq!(r.res.code, LdapResultCode::Unavailable);
        }
        other => panic!("{other:?}"),
    }
    drop((framed, idle));
    listener.shutdown().await;
}
