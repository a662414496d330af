//! AU-1 (seed 004 §6.2): the login's one-time code by SMS, through the SMS gateway
//! hook (here a recorder in its place), over HTTPS (Python's http.client): the
//! holder asks for it on the login page, it goes to the mobile number they gave, and
//! logs them in; an account without one gets the same answer (nothing told). The
//! code is in no trace.

use std::sync::{Arc, Mutex};

use caduceus_service::notify::{Notice, Notifier};
use caduceus_testkit::*;
use common::*;

mod common;

/// The SMS gateway hook's place: writes `number code` of a login code by SMS.
struct SmsRecorder(std::path::PathBuf, Mutex<Vec<String>>);

#[async_trait::async_trait]
impl Notifier for SmsRecorder {
    async fn send(&self, notice: Notice) -> Result<(), String> {
        if let Notice::LoginCodeSms { to, code, .. } = notice {
            let line = format!("{} {}", to.as_str(), code.expose());
            std::fs::write(&self.0, &line).map_err(|e| e.to_string())?;
            self.1.lock().unwrap().push(line);
        }
        Ok(())
    }
}

#[tokio::test]
async fn au1_the_login_code_goes_by_sms_to_the_holders_mobile_and_logs_in() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    web_login(&w, &alice).await;
    web_login(&w, &bob).await;
    let mobile = caduceus_core::PhoneNumber::parse("06 12 34 56 78").unwrap();
    // Recorded at the counter (ID-2): the holder's own change would wait for its code.
    let counter = op();
    let phone = w
        .service
        .set_contact_phone(&counter, alice.id, Some(&mobile));
    phone.await.unwrap();
    let recorded = w.dir.path().join("sms.txt");
    let recorder = Arc::new(SmsRecorder(recorded.clone(), Mutex::new(Vec::new())));
    let service = w.service.clone().with_notifier(recorder.clone());
    let server = listen_service(&w, service).await;
    let args = vec![
        ("port", server.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("alice", alice.address.as_str().to_owned()),
        ("bob", bob.address.as_str().to_owned()),
        ("recorded", recorded.display().to_string()),
    ];
    let run = python(&script("login_sms.py"), &args, "http.client").await;
    server.shutdown().await;

    let sent = "un code vient d&#39;être envoyé";
    run.expect("send-sms", 200, &[sent, "Recevoir un code par SMS"]);
    run.expect("recorded", 0, &[mobile.as_str()]);
    run.expect("login", 303, &["/mail/folder/INBOX"]);
    run.expect("send-sms-no-phone", 200, &[sent]);
    let texts = recorder.1.lock().unwrap().clone();
    assert_eq!(texts.len(), 1, "one SMS, to Alice's mobile only");
    // Traced as sent by SMS, without the code (TR-5).
    let code = texts[0].split(' ').nth(1).unwrap().to_owned();
    let entries = traces(&w).await;
    let by_sms = entries
        .iter()
        .filter(|e| e.action == "auth.code_sent" && e.detail.as_deref() == Some("method:sms"))
        .count();
    assert_eq!(by_sms, 1);
    assert!(!format!("{entries:?}").contains(&code));
}
