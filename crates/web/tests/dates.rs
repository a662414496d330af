//! MS-6 over HTTPS (Python's http.client): the webmail shows a message's own `Date:`
//! — not its arrival — in the user's time zone (Europe/Paris by default, another
//! chosen in the settings) and language: the time alone for today, the day and year
//! otherwise, in full on the message page; French pages put a narrow no-break space
//! before a colon.

use caduceus_core::SystemClock;
use caduceus_testkit::*;
use common::*;

mod common;

#[tokio::test]
async fn ms6_dates_are_the_messages_own_in_the_users_zone_and_language() {
    let w = world().await;
    let alice = professional(&w, "alice.martin", "810003090833", true).await;
    let alice_totp = web_login(&w, &alice).await;
    let to = std::slice::from_ref(&alice.address);
    // Written on Friday 7 March 2025 at 08:05 UTC (09:05 in Paris, 19:05 in Nouméa),
    // delivered now; and one written now.
    let old = "From: labo@caduceus.test\r\nTo: alice.martin@caduceus.test\r\n\
               Date: Fri, 07 Mar 2025 08:05:00 +0000\r\nSubject: Ancien bilan\r\n\r\nx\r\n";
    let old = w
        .service
        .deliver_local(&op(), to, old.as_bytes())
        .await
        .unwrap();
    let now = caduceus_core::Clock::now(&SystemClock);
    let new = format!(
        "From: labo@caduceus.test\r\nTo: alice.martin@caduceus.test\r\n\
         Date: {}\r\nSubject: Nouveau bilan\r\n\r\nx\r\n",
        now.rfc5322()
    );
    w.service
        .deliver_local(&op(), to, new.as_bytes())
        .await
        .unwrap();
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, alice_totp);
    args.push(("old", old[0].message.0.to_string()));
    let run = python(&script("dates.py"), &args, "http.client").await;
    server.shutdown().await;

    // The list: today's as a time, the old one as its day and year, both with the
    // full date as a title and the instant for machines; never the arrival.
    let (_, dates) = run.step("inbox-dates");
    let rows: Vec<Vec<&str>> = dates
        .split(" ## ")
        .map(|r| r.split('|').collect())
        .collect();
    assert_eq!(rows.len(), 2, "{dates}");
    let today = rows[0][0];
    let digits = |s: &str| {
        s.len() == 5
            && s.chars()
                .enumerate()
                .all(|(i, c)| (i == 2) == (c == ':') && (i == 2 || c.is_ascii_digit()))
    };
    assert!(
        digits(today),
        "today's date shows the time alone: {today:?}"
    );
    assert_eq!(rows[1][0], "7 mars 2025");
    assert_eq!(rows[1][1], "vendredi 7 mars 2025 à 09:05");
    assert_eq!(rows[1][2], "2025-03-07T08:05:00Z");
    let (_, inbox) = run.step("inbox");
    assert!(!inbox.contains("+0000"), "no raw RFC 2822 date: {inbox}");
    // The message page: in full, in Paris time.
    run.expect("old-message", 200, &["vendredi 7 mars 2025 à 09:05"]);
    // Another zone, chosen in the settings (a zone not offered is refused).
    run.expect("zone-unknown", 400, &[]);
    run.expect("zone-noumea", 303, &["/mail/settings"]);
    run.expect("zone-cookie", 0, &["tz=Pacific/Noumea"]);
    run.expect("old-message-noumea", 200, &["vendredi 7 mars 2025 à 19:05"]);
    run.expect("zone-chosen", 0, &["Pacific/Noumea"]);
    run.expect(
        "old-message-english-utc",
        200,
        &["Friday 7 March 2025 at 08:05"],
    );
    run.expect("typography", 0, &["narrow=True", "plain=False"]);
}
