//! A patient's long inbox in Chromium (MS-6, issue 22 journey 1): 120 letters from
//! four doctors page by 50 and sort by sender, subject and date, both ways, from the
//! column headings. The doctor's walk over 2,000 letters is
//! `ms6_an_inbox_of_2000_messages_pages_sorts_and_searches_in_chromium`.

use caduceus_testkit::*;

use super::SENDERS;
use super::common::browser::{accessible, browser, walk};
use super::common::*;
use super::journeys::{deliver, pair};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_a_patients_inbox_of_120_letters_pages_and_sorts_in_chromium() {
    browser();
    let w = world().await;
    let pair = pair(&w).await;
    for n in 1..=120 {
        let (name, local) = SENDERS[n % SENDERS.len()];
        let raw = format!(
            "From: {name} <{local}@caduceus.test>\r\nTo: {}\r\nSubject: Résultat n° {n:03}\r\n\r\nBonjour.\r\n",
            pair.patient.address.as_str()
        );
        deliver(&w, &pair.patient, &raw).await;
    }
    let server = listen(&w).await;
    let args = pair.args(server.port);
    let run = walk("browser_long_inbox.py", args).await;
    server.shutdown().await;
    accessible(&run, 24);
    let step = |label: &str, words: &[&str]| run.expect(label, 0, words);

    // Newest first, 50 a page, 3 pages.
    step(
        "inbox",
        &[
            "120 messages",
            "Page 1 / 3",
            "rows=50",
            "n° 120",
            "last=",
            "n° 071",
        ],
    );
    step("page-2", &["Page 2 / 3", "rows=50", "n° 070"]);
    step("page-3", &["Page 3 / 3", "rows=20", "n° 020", "n° 001"]);
    step(
        "subject-ascending",
        &[
            "Page 1 / 3",
            "'none', 'ascending', 'none'",
            "n° 001",
            "last=",
            "n° 050",
        ],
    );
    step(
        "subject-descending",
        &["'none', 'descending', 'none'", "first=", "n° 120"],
    );
    // By name, accents folded: Dr Élise Lefèvre before Dr Marc Bonnet.
    step(
        "sender-ascending",
        &["'ascending', 'none', 'none'", "first=Dr Élise Lefèvre"],
    );
    step(
        "sender-descending",
        &["'descending', 'none', 'none'", "first=Dr Zoé Aubert"],
    );
    step("date-ascending", &["'none', 'none', 'ascending'", "n° 001"]);
}
