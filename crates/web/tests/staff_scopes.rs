//! AC-1, MS-15, TR-1 over HTTPS: staff roles limited to their missions in the admin
//! console (seed 000 art. 4, "dans la limite de leurs missions"), with Python's
//! http.client and the session cookie. A registration authority of one structure
//! sees and suspends that structure's accounts only; an alert sender of one region
//! broadcasts only to a department of it. Each page names the role with its scope;
//! each refusal is traced `access.denied` with the person, the role and the scope.

use caduceus_core::{AccountKind, Evidence, NationalId, RegistryId, Role, Scope};
use caduceus_service::accounts::Registration;
use caduceus_store::Store;
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn ac1_ms15_tr1_an_alert_sender_for_one_region_cannot_broadcast_outside_it_nor_a_structures_ra_manage_another()
 {
    let w = world().await;
    let dan = professional(&w, "dan", &rpps(1), true).await;
    // The structure FINESS 750048886's mailbox, and another structure's.
    let own = organisation(&w, "cardio", &dan).await;
    let registration = Registration {
        address: Some(addr("accueil@caduceus.test")),
        kind: AccountKind::Organisation,
        identity: RegistryId::National(NationalId::parse("1200000016").unwrap()),
        display_name: "Accueil".into(),
    };
    let other = w.service.register(&op(), registration).await.unwrap();
    activate(&w, &other, Evidence::RegistryMatch).await;
    let rita = professional(&w, "rita", &rpps(2), true).await;
    let sally = professional(&w, "sally", &rpps(3), true).await;
    let structure = Scope::structure("1750048886").unwrap();
    let region = Scope::region("84").unwrap();
    w.service
        .set_staff_grant(&op(), rita.id, Role::RegistrationAuthority, structure, true)
        .await
        .unwrap();
    w.service
        .set_staff_grant(&op(), sally.id, Role::AlertSender, region, true)
        .await
        .unwrap();
    let server = listen(&w).await;
    let mut args = vec![
        ("port", server.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("own", own.id.0.to_string()),
        ("other", other.id.0.to_string()),
    ];
    for (name, account) in [("ra", &rita), ("alerts", &sally)] {
        let login = strong_login(&w, account).await;
        let token = w.service.open_session(&login).await.unwrap();
        args.push((name, token.expose().clone()));
    }
    let run = python(&script("admin_scopes.py"), &args, "http.client").await;
    assert!(run.success, "{}\n{}", run.stdout, run.stderr);

    // AC-1: the registration authority's list holds its structure's account only,
    // and says where the role applies.
    let listed = run.expect("ra-list", 200, &["ra (structure-1750048886)"]);
    assert!(listed.contains("cardio@caduceus.test"), "{listed}");
    assert!(!listed.contains("accueil@caduceus.test"), "{listed}");
    assert!(
        !listed.contains("dan@caduceus.test"),
        "no structure known: {listed}"
    );
    run.expect("ra-suspend-other", 403, &[]);
    run.expect("ra-suspend-own", 303, &[]);
    let state = |id| {
        let store = w.store.clone();
        async move { store.account(id).await.unwrap().state.as_str().to_owned() }
    };
    assert_eq!(state(other.id).await, "active");
    assert_eq!(state(own.id).await, "suspended");

    // MS-15: outside the region, or without a department, refused on the form; a
    // department of the region goes out.
    for step in ["alerts-outside", "alerts-nowhere"] {
        run.expect(step, 403, &["alerts (region-84)", "Lot 42"]);
    }
    run.expect("alerts-inside", 200, &["department:69"]);
    assert_eq!(w.store.broadcasts(10).await.unwrap().len(), 1);

    // TR-1: the person, the role and the scope in each trace; no name.
    let entries = traces(&w).await;
    let by = |actor: String, action: &str, detail: &str| {
        entries
            .iter()
            .filter(|e| e.actor == actor && e.action == action)
            .filter(|e| e.detail.as_deref() == Some(detail))
            .count()
    };
    let ra = format!("op:ra@structure-1750048886:acct:{}", rita.id.0);
    let sender = format!("op:alerts@region-84:acct:{}", sally.id.0);
    let denied = "access.denied";
    assert_eq!(by(ra.clone(), denied, "AC-1 scope:structure-1750048886"), 1);
    assert_eq!(by(sender.clone(), denied, "AC-1 scope:region-84"), 2);
    let suspended = entries
        .iter()
        .filter(|e| e.actor == ra && e.action == "account.suspend")
        .count();
    assert_eq!(suspended, 1);
    let sent = entries
        .iter()
        .filter(|e| e.actor == sender && e.action == "alert.broadcast")
        .count();
    assert_eq!(sent, 1);
    server.shutdown().await;
}
