//! IN-1: a user accepts the terms of use in force before sending or reading; a new
//! version asks again; acceptance is traced.

use caduceus_core::NationalId;
use caduceus_service::ServiceError;
use caduceus_service::actor::testing;
use caduceus_service::terms::Terms;

mod common;

use common::*;

fn terms(version: &str) -> Terms {
    Terms {
        version: version.into(),
        text: "Conditions generales d'utilisation".into(),
    }
}

#[tokio::test]
async fn in1_terms_are_accepted_before_use_and_again_for_a_new_version() {
    let w = world_configured(|c| c.terms = Some(terms("2026-11"))).await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let login = w
        .service
        .login_certificate(&NationalId::parse("810003090833").unwrap(), None, "web")
        .await
        .unwrap();
    let caller = testing::account(alice.id, "imap");
    let refused = |err: ServiceError| {
        assert!(
            matches!(&err, ServiceError::Refused(r) if r.requirement == "IN-1"),
            "{err}"
        );
    };
    refused(w.service.authorize(&caller, alice.id).await.unwrap_err());
    refused(w.service.sender(&login, &alice.address).await.unwrap_err());
    let pending = w.service.terms_to_accept(&login).await.unwrap();
    assert_eq!(pending.map(|t| t.version.as_str()), Some("2026-11"));
    // Only the version in force can be accepted.
    let stale = w.service.accept_terms(&login, "2025-01").await.unwrap_err();
    assert!(matches!(stale, ServiceError::Invalid(_)), "{stale}");
    w.service.accept_terms(&login, "2026-11").await.unwrap();
    w.service.authorize(&caller, alice.id).await.unwrap();
    w.service.sender(&login, &alice.address).await.unwrap();
    assert!(w.service.terms_to_accept(&login).await.unwrap().is_none());
    assert_eq!(
        actions(&w)
            .await
            .iter()
            .filter(|a| *a == "account.terms_accept")
            .count(),
        1
    );
    // Operators are not users: the rule does not apply to them.
    w.service.alerts(&op()).await.unwrap();

    // A new version: the same store, a service with the new terms asks again.
    let next =
        caduceus_service::Service::new(w.store.clone(), std::sync::Arc::new(w.clock.clone()), {
            let mut config = w.service.config().clone();
            config.terms = Some(terms("2027-01"));
            config
        });
    refused(next.authorize(&caller, alice.id).await.unwrap_err());
    let pending = next.terms_to_accept(&login).await.unwrap();
    assert_eq!(pending.map(|t| t.version.as_str()), Some("2027-01"));
}
