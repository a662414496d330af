//! ID-7 through the JSON API (seed 003 §6): a parent registered as the representative
//! of their child's patient mailbox logs in as themself (a CPS-like certificate here)
//! and acts for the child — lists and reads the mailbox, records and withdraws the
//! opposition as the patient would — each access traced with the parent and
//! `acting_for` the child; once the child comes of age (the injected clock moved past
//! the date the registration authority gave), the mailbox is refused to the parent.

use std::sync::Arc;
use std::time::Duration;

use caduceus_core::representation::{Capacity, CapacityEvidence};
use caduceus_core::{Clock, ManualClock, SystemClock};
use caduceus_service::actor::testing;
use caduceus_service::representatives::Appointment;
use caduceus_store::Store;
use caduceus_testkit::*;
use common::*;

mod common;

const INS: &str = "295109912611193";

#[tokio::test]
async fn id7_a_parent_acts_for_a_minor_until_the_child_comes_of_age() {
    let clock = ManualClock::new(SystemClock.now());
    let w = world_configured("caduceus.test", None, Arc::new(clock.clone()), |_| {}).await;
    let child = patient(&w, INS, "Léa Petit").await;
    let parent_id = rpps(5);
    let parent = professional(&w, "marc", &parent_id, true).await;
    let card = user_cert(&w, &parent_id, "marc");
    let raw = format!(
        "From: pediatre@caduceus.test\r\nTo: {}\r\nSubject: Vaccins\r\n\r\nRappel.\r\n",
        child.address.as_str()
    );
    let delivered = w
        .service
        .deliver_local(
            &testing::system(),
            std::slice::from_ref(&child.address),
            raw.as_bytes(),
        )
        .await
        .unwrap();
    let appointment = Appointment {
        patient: child.id,
        representative: parent.id,
        capacity: Capacity::Parent,
        evidence: CapacityEvidence::FamilyRecord,
        until: Some(clock.now().saturating_add(Duration::from_secs(30 * 86_400))),
    };
    w.service
        .add_representative(&op(), appointment)
        .await
        .unwrap();
    let server = listen(&w).await;
    let phase = async |name: &str| {
        python(
            &script("representative.py"),
            &[
                ("port", server.port.to_string()),
                ("ca", w.pki.ca_cert_path().display().to_string()),
                ("cert", card.cert_path.display().to_string()),
                ("key", card.key_path.display().to_string()),
                ("patient", child.address.as_str().into()),
                ("message", delivered[0].message.0.to_string()),
                ("ins", INS.into()),
                ("phase", name.into()),
            ],
            "http.client",
        )
        .await
    };
    let before = phase("before").await;
    before.expect("before-login", 201, &["certificate"]);
    before.expect("before-list", 200, &["Vaccins"]);
    before.expect("before-read", 200, &["Rappel"]);
    before.expect("before-oppose", 204, &[]);
    before.expect("before-withdraw", 204, &[]);
    // Each access traced with the parent and acting_for the child.
    let traces = w.store.trace_entries(0, 100_000).await.unwrap();
    let parent_ref = format!("acct:{}", parent.id.0);
    let child_ref = format!("acct:{}", child.id.0);
    let read = traces
        .iter()
        .find(|e| e.action == "message.read" && e.actor == parent_ref)
        .expect("the parent's read is traced");
    assert_eq!(read.acting_for.as_deref(), Some(child_ref.as_str()));
    // The child comes of age: the parent's access ends by itself.
    clock.advance(Duration::from_secs(31 * 86_400));
    let after = phase("after").await;
    after.expect("after-login", 201, &["certificate"]);
    after.expect("after-list", 403, &["\"requirement\":\"AC-1\""]);
    server.shutdown().await;
}
