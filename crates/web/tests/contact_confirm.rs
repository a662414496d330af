//! AU-1, MS-7, RT-1: a new contact address or phone number is confirmed before it is
//! used, over HTTPS (Python's http.client) through the JSON API and the webmail's
//! settings; the codes read where a recorder in the relay's and the SMS hook's place
//! writes them. The next login code still goes to the old address until the code is
//! typed; another account cannot confirm it; a wrong code tells the tries left (AU-3);
//! five wrong codes, or 15 minutes on the server's clock, drop the change; the right code switches, and the old address is
//! told, the new one masked. Traces name the channel, never the address or number.
//! The settings' code field is walked in headless Chromium too, checked by axe-core.

use std::io::Write;
use std::sync::Arc;

use caduceus_core::{ManualClock, Timestamp};
use caduceus_service::notify::{Notice, Notifier};
use caduceus_testkit::*;
use common::browser;
use common::*;

mod common;

/// The relay's and the SMS hook's place: appends `kind to code-or-masked` per notice.
struct Recorder(std::path::PathBuf);

#[async_trait::async_trait]
impl Notifier for Recorder {
    async fn send(&self, notice: Notice) -> Result<(), String> {
        let line = match notice {
            Notice::ContactCode { to, code, .. } => {
                format!("confirm {} {}", to.as_str(), code.expose())
            }
            Notice::ContactCodeSms { to, code, .. } => {
                format!("confirm {} {}", to.as_str(), code.expose())
            }
            Notice::LoginCode { to, code, .. } => {
                format!("login {} {}", to.as_str(), code.expose())
            }
            Notice::ContactReplaced { to, masked, .. } => {
                format!("replaced {} {masked}", to.as_str())
            }
            _ => return Ok(()),
        };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.0)
            .map_err(|e| e.to_string())?;
        writeln!(file, "{line}").map_err(|e| e.to_string())
    }
}

/// Puts a [`Recorder`] in `w`'s notifier's place; the file it writes.
fn recording(w: &mut World) -> std::path::PathBuf {
    let recorded = w.dir.path().join("notices.txt");
    let recorder = Arc::new(Recorder(recorded.clone()));
    w.service = w.service.clone().with_notifier(recorder);
    recorded
}

/// AU-1 in headless Chromium: the settings page with the code's field (axe-core finds
/// no violation on any of its states, desktop, phone, 320-px reflow), a wrong code
/// refused in plain French with the tries left (AU-3), the right one switching the
/// address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn au1_the_settings_code_field_confirms_a_new_address_in_chromium() {
    browser::browser();
    let mut w = world().await;
    let recorded = recording(&mut w);
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let server = listen(&w).await;
    let new = "alice.nouvelle@example.org";
    let args = vec![
        ("port", server.port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("alice", alice.address.as_str().to_owned()),
        ("alice_totp", alice_totp),
        ("new", new.to_owned()),
        ("recorded", recorded.display().to_string()),
    ];
    let run = browser::walk("browser_contacts.py", args).await;
    server.shutdown().await;
    browser::accessible(&run, 3);
    let old = contact_of(&alice);
    run.expect(
        "pending",
        0,
        &["Un code a été envoyé à", new, "Code reçu", old.as_str()],
    );
    run.expect("wrong", 0, &["il vous reste 4 essais", "forms=1"]);
    run.expect("confirmed", 0, &[new, "forms=0"]);
}

#[tokio::test]
async fn au1_ms7_rt1_a_new_contact_is_used_once_confirmed_by_the_code_sent_to_it() {
    let clock = ManualClock::new(Timestamp::from_millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64,
    ));
    let mut w = world_configured("caduceus.test", None, Arc::new(clock.clone()), |_| {}).await;
    let recorded = recording(&mut w);
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let carol = professional(&w, "carol", &rpps(3), true).await;
    let alice_totp = web_login(&w, &alice).await;
    let bob_totp = web_login(&w, &bob).await;
    let carol_totp = web_login(&w, &carol).await;
    let server = listen(&w).await;
    let (new, carol_new) = ("zorglub.nouvelle@example.org", "carol.nouvelle@example.org");
    let args = |phase: &str| {
        vec![
            ("phase", phase.to_owned()),
            ("port", server.port.to_string()),
            ("ca", w.pki.ca_cert_path().display().to_string()),
            ("password", WEB_PASSWORD.to_owned()),
            ("alice", alice.address.as_str().to_owned()),
            ("alice_totp", alice_totp.clone()),
            ("bob", bob.address.as_str().to_owned()),
            ("bob_totp", bob_totp.clone()),
            ("carol", carol.address.as_str().to_owned()),
            ("carol_totp", carol_totp.clone()),
            ("new", new.to_owned()),
            ("carol_new", carol_new.to_owned()),
            ("recorded", recorded.display().to_string()),
            (
                "token_file",
                w.dir.path().join("token").display().to_string(),
            ),
        ]
    };
    let script = script("contact_confirm.py");
    let run = python(&script, &args("1"), "http.client").await;
    let old = contact_of(&alice);

    // The API: pending, the code at the new address, the login code still at the old.
    run.expect("set-email", 204, &[]);
    run.expect("pending", 200, &[old.as_str(), "\"pending\":[{", new]);
    run.expect("code-to", 0, &[new]);
    run.expect("login-code-to", 0, &[old.as_str()]);
    // Bob has no change waiting: Alice's code confirms nothing of his, nor hers.
    run.expect("bob-confirms", 404, &[]);
    // A wrong code tells the tries left, in words and as a member (AU-3).
    run.expect("wrong", 403, &["AU-1", "4 tries left", "\"tries_left\":4"]);
    run.expect("right", 200, &["\"confirmed\":\"email\""]);
    run.expect("switched", 200, &[new, "\"pending\":[]"]);
    run.expect("replaced", 0, &[old.as_str(), "z***@e***.org"]);
    run.expect("login-code-after-to", 0, &[new]);

    // The webmail: the code's field, each wrong code tells the tries left, the fifth
    // drops the change, then the right one.
    run.expect("web-set-email", 303, &["/mail/settings"]);
    run.expect("web-pending", 200, &["id=\"contact-confirm\"", carol_new]);
    run.expect("web-code-to", 0, &[carol_new]);
    for (i, left) in ["4 essais", "3 essais", "2 essais", "1 essai avant"]
        .iter()
        .enumerate()
    {
        let told = format!("il vous reste {left}");
        let page = run.expect(&format!("web-wrong-{i}"), 403, &[told.as_str()]);
        assert!(
            !page.contains("Après 5 codes erronés"),
            "try {i}: not dropped yet"
        );
    }
    run.expect("web-wrong-4", 403, &["Après 5 codes erronés", "abandonnée"]);
    run.expect("web-dropped", 404, &[]);
    run.expect("web-set-again", 303, &["/mail/settings"]);
    run.expect("web-right", 303, &["/mail/settings"]);
    let switched = run.expect("web-switched", 200, &[carol_new]);
    assert!(
        !switched.contains("contact-confirm"),
        "nothing left to confirm"
    );
    run.expect("set-phone", 204, &[]);

    // 15 minutes later on the server's clock, the phone's code is refused.
    clock.advance(std::time::Duration::from_secs(15 * 60));
    let late = python(&script, &args("2"), "http.client").await;
    server.shutdown().await;
    late.expect("sms-to", 0, &["+33698765432"]);
    let expired = late.expect("expired", 403, &["AU-1", "expired"]);
    assert!(!expired.contains("tries_left"), "an expired code has none");
    late.expect("after-expiry", 404, &[]);
    late.expect("no-phone", 200, &["\"phone\":null", "\"pending\":[]"]);

    // Traced by channel (TR-1), never with the address or the number (TR-5).
    let entries = traces(&w).await;
    let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
    assert_eq!(count("contact.confirm_sent"), 4);
    assert_eq!(count("contact.confirmed"), 2);
    assert_eq!(count("contact.confirm_failed"), 7);
    let all = format!("{entries:?}");
    assert!(
        !all.contains("zorglub") && !all.contains("carol.nouvelle") && !all.contains("698765432")
    );
}
