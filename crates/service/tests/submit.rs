//! Submission through the service (ID-3, MS-2): sending as oneself or as an
//! organisational mailbox one is a delegate of; recipients checked one by one.

mod common;

use caduceus_core::NationalId;
use caduceus_core::Requirement;
use caduceus_service::ServiceError;
use caduceus_service::submit::RecipientScope;
use caduceus_store::Store;
use common::*;

#[tokio::test]
async fn id3_a_delegate_sends_as_the_organisation_and_is_named() {
    let w = world().await;
    let alice = person(&w, "alice", "810003090833", true).await;
    let bruno = person(&w, "bruno", "810000000009", true).await;
    let org = organisation(&w, "cardio").await;
    w.service
        .add_delegate(&op(), org.id, alice.id)
        .await
        .unwrap();
    let login = w
        .service
        .login_certificate(
            &NationalId::parse("810003090833").unwrap(),
            None,
            "127.0.0.1:1",
        )
        .await
        .unwrap();

    let own = w.service.sender(&login, &alice.address).await.unwrap();
    assert_eq!(own.acting_for(), None);
    let as_org = w
        .service
        .sender(&login, &addr("cardio@caduceus.test"))
        .await
        .unwrap();
    assert_eq!(as_org.acting_for(), Some(org.id));
    let err = w.service.sender(&login, &bruno.address).await.unwrap_err();
    let ServiceError::Refused(refusal) = err else {
        panic!("{err}")
    };
    assert_eq!(refusal.requirement, "ID-3");

    let delivered = w
        .service
        .submit(&as_org, std::slice::from_ref(&bruno.address), RAW, false)
        .await
        .unwrap();
    assert_eq!(delivered.delivered[0].account, bruno.id);
    assert_eq!(delivered.queue_ref, None, "nothing for other operators");
    let entries = w.store.trace_entries(0, 1000).await.unwrap();
    let deliver = entries
        .iter()
        .rev()
        .find(|e| e.action == "message.deliver")
        .unwrap();
    assert_eq!(deliver.actor, alice.id.to_string(), "the physical person");
    assert_eq!(deliver.acting_for, Some(org.id.to_string()));
}

#[tokio::test]
async fn ms2_recipients_are_checked_as_they_are_named() {
    let w = world().await;
    person(&w, "alice", "810003090833", true).await;
    person(&w, "pending", "810000000009", false).await;
    w.service
        .check_recipient(&addr("alice@caduceus.test"), 0, RecipientScope::Local)
        .await
        .unwrap();
    for (address, words) in [
        ("pending@caduceus.test", "not a verified mailbox"),
        (
            "nobody@caduceus.test",
            "not a mailbox of the health trust space",
        ),
    ] {
        let err = w
            .service
            .check_recipient(&addr(address), 0, RecipientScope::TrustSpace)
            .await
            .unwrap_err();
        let ServiceError::Refused(refusal) = err else {
            panic!("{err}")
        };
        assert_eq!(refusal.requirement, "MS-2");
        assert!(refusal.reason.contains(words), "{}", refusal.reason);
    }
}

#[tokio::test]
async fn ms5_a_front_end_refusal_is_traced_with_its_requirement() {
    let w = world().await;
    let peer = caduceus_service::actor::testing::peer("rogue.test", "192.0.2.66:25");
    let refusal = caduceus_core::Refusal {
        requirement: Requirement::Ms5,
        reason: "domain rogue.test is not in the trust list".into(),
    };
    w.service.trace_refusal(&peer, &refusal).await.unwrap();
    let last = w.store.trace_entries(0, 100).await.unwrap().pop().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.outcome.as_str()
        ),
        ("peer:rogue.test", "message.refuse", "refused")
    );
    assert_eq!(last.detail.as_deref(), Some("MS-5"));
    assert_eq!(last.source.as_deref(), Some("192.0.2.66:25"));
}

/// One listed domain for one certificate.
struct OneRow;

impl caduceus_service::peers::PeerTrust for OneRow {
    fn allows(&self, domain: &str, subject_dn: &str) -> bool {
        domain == "autre.test" && subject_dn == "CN=autre.test"
    }
    fn domains_for(&self, subject_dn: &str) -> Vec<String> {
        if subject_dn == "CN=autre.test" {
            vec!["autre.test".to_owned()]
        } else {
            vec![]
        }
    }
    fn lists_domain(&self, domain: &str) -> bool {
        domain == "autre.test"
    }
}

#[tokio::test]
async fn ms5_a_peer_is_admitted_only_for_its_listed_domains() {
    use caduceus_service::peers::PeerCertificate;
    let mut w = world().await;
    w.service = w
        .service
        .clone()
        .with_trust_list(std::sync::Arc::new(OneRow));
    let listed = PeerCertificate {
        subject_dn: "CN=autre.test",
        common_name: Some("autre.test"),
    };
    let domain = w
        .service
        .admit_peer(Some("Autre.TEST"), listed, "192.0.2.25:25")
        .await
        .unwrap();
    assert_eq!(domain.peer_domain(), Some("autre.test"));
    // A bounce names the certificate's domain.
    let bounce = w
        .service
        .admit_peer(None, listed, "192.0.2.25:25")
        .await
        .unwrap();
    assert_eq!(bounce.peer_domain(), Some("autre.test"));
    // Another domain, or another certificate, is refused and traced.
    let err = w
        .service
        .admit_peer(Some("rogue.test"), listed, "192.0.2.66:25")
        .await
        .unwrap_err();
    let ServiceError::Refused(refusal) = err else {
        panic!("{err}")
    };
    assert_eq!(refusal.requirement, "MS-5");
    let stranger = PeerCertificate {
        subject_dn: "CN=rogue.test",
        common_name: Some("rogue.test"),
    };
    assert!(
        w.service
            .admit_peer(None, stranger, "192.0.2.66:25")
            .await
            .is_err()
    );
    let actors: Vec<String> = w
        .store
        .trace_entries(0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "message.refuse")
        .map(|e| e.actor)
        .collect();
    assert_eq!(actors, ["peer:rogue.test", "peer:rogue.test"]);
}
