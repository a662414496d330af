//! A letter as written, in Chromium (MS-1): an HTML lab report in its sandboxed
//! frame, its table and red value kept, nothing remote loaded, its PDF previewed.

use caduceus_testkit::*;

use super::common::browser::{accessible, browser};
use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms1_a_lab_report_keeps_its_table_in_a_sandboxed_frame_in_chromium() {
    let (venv, tools) = browser();
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let totp = web_login(&w, &alice).await;
    let tracker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tracker_port = tracker.local_addr().unwrap().port();
    drop(tracker);
    let pixel = format!("http://127.0.0.1:{tracker_port}/pixel.gif");
    let report = lab_report(alice.address.as_str(), &pixel);
    let to = std::slice::from_ref(&alice.address);
    w.service
        .deliver_local(&op(), to, report.as_bytes())
        .await
        .unwrap();
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, totp);
    args.push(("tracker_port", tracker_port.to_string()));
    args.extend(tools);
    if let Ok(dir) = std::env::var("CADUCEUS_SCREENSHOTS") {
        args.push(("shots", dir));
    }
    let run = python_in(&venv, &script("browser_letter.py"), &args).await;
    server.shutdown().await;
    accessible(&run, 3);

    run.expect(
        "frame",
        0,
        &[
            "sandbox='allow-popups allow-popups-to-escape-sandbox'",
            "title=Le message tel qu'il a été écrit",
        ],
    );
    // The table, its caption and the red abnormal value, in the frame.
    run.expect(
        "framed",
        0,
        &[
            "<caption>Numeration</caption>",
            "<td>Hemoglobine</td>",
            "<td style=\"color: #c00000; font-weight: bold\">10,2 g/dL</td>",
        ],
    );
    let (_, framed) = run.step("framed");
    for gone in ["<script", "steal", "127.0.0.1", "onmouseover"] {
        assert!(!framed.contains(gone), "{gone} in {framed}");
    }
    run.expect("cells", 0, &["Hemoglobine | 10,2 g/dL | 12-16"]);
    run.expect("abnormal-colour", 0, &["rgba(192, 0, 0, 1)"]);
    // Its own logo only: the remote image lost its source.
    run.expect("framed-images", 0, &["data:image/png; none"]);
    run.expect("script-ran", 0, &["False"]);
    run.expect("tracker-hits", 0, &["0"]);
    run.expect("text-version", 0, &["Hemoglobine 10,2 g/dL (12-16)"]);
    // The PDF's preview opens inline, as a PDF.
    let (_, pdf) = run.step("pdf-preview");
    eprintln!("the PDF preview in Chromium: {pdf}");
    assert!(pdf.starts_with("application/pdf"), "{pdf}");
}
