//! Filing in Chromium (MS-6, RT-3, issue 22 journeys 4 and 12), as a doctor and as a
//! patient: a letter flagged and marked unread, moved to Archive, to Trash, restored to the inbox, then deleted for good
//! only once the confirmation box is ticked — after which IMAP finds it in no folder.

use caduceus_testkit::*;

use super::common::browser::{accessible, walk};
use super::common::*;
use super::journeys::{deliver, pair};

/// The subject of the letter each of them files (ASCII, for IMAP's SEARCH).
const SUBJECT: &str = "Dossier 4217 a classer";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_rt3_a_doctor_and_a_patient_archive_trash_restore_and_delete_for_good_in_chromium() {
    super::common::browser::browser();
    let w = world().await;
    let pair = pair(&w).await;
    for owner in [&pair.doctor, &pair.patient] {
        let raw = format!(
            "From: Dr Bob <bob@caduceus.test>\r\nTo: {}\r\nSubject: {SUBJECT}\r\n\r\nA classer.\r\n",
            owner.address.as_str()
        );
        deliver(&w, owner, &raw).await;
    }
    let https = listen(&w).await;
    let imap = listen_imap(&w).await;
    let mut args = pair.args(https.port);
    args.extend([
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("alice_device", pair.doctor_device.expose().to_owned()),
        ("patient_device", pair.patient_device.expose().to_owned()),
        ("imap_port", imap.port.to_string()),
        ("subject", SUBJECT.to_owned()),
    ]);
    let run = walk("browser_filing.py", args).await;
    https.shutdown().await;
    imap.shutdown().await;
    accessible(&run, 30);

    for who in ["doctor", "patient"] {
        let step = |label: &str, words: &[&str]| run.expect(&format!("{who}-{label}"), 0, words);
        // Flagged, then unread again (journey 12).
        step("flagged", &["flag=suivi", "⚑", SUBJECT]);
        step("unread", &["unseen=1", "flag=suivi", SUBJECT]);
        // Archived: out of the inbox, in Archive.
        let inbox = step("archived", &["/mail/folder/INBOX?done=moved"]);
        assert!(!inbox.contains(SUBJECT), "{inbox}");
        step("archive", &[SUBJECT]);
        // To Trash, then restored to the inbox.
        step("trash", &["/mail/folder/Trash", SUBJECT]);
        step("restored", &["/mail/folder/INBOX", SUBJECT]);
        // The button alone does nothing: the box must be ticked (RT-3).
        step("unconfirmed", &["/mail/message/", "missing=true"]);
        let trash = step("deleted", &["/mail/folder/Trash?done=deleted"]);
        assert!(!trash.contains(SUBJECT), "{trash}");
        // Gone for good: in no folder over IMAP.
        step("imap", &["INBOX=0", "Archive=0", "Trash=0", "Sent=0"]);
    }
}
