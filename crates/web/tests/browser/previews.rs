//! Previews in Chromium (MS-1, issue 22 journey 8), as a doctor and as a patient: a
//! doctor's letter with a PDF and a photo; each reader sees the photo shown in the
//! page, and the page's own `fetch` finds both previews served inline with their
//! type, in a sandbox, never sniffed; the PDF, opened as its link opens it, is drawn
//! by Chromium's PDF viewer under that sandbox policy (its red page seen on screen).

use caduceus_testkit::*;

use super::common::browser::{accessible, browser, walk};
use super::common::*;
use super::journeys::{deliver, pair};

/// A one-page PDF painted red (`1 0 0 rg 0 0 200 200 re f`), base64: what the viewer
/// draws is seen in a screenshot.
const RED_PDF: &str = "JVBERi0xLjQKMSAwIG9iago8PCAvVHlwZSAvQ2F0YWxvZyAvUGFnZXMgMiAwIFIgPj4KZW5kb2JqCjIgMCBvYmoKPDwgL1R5cGUgL1BhZ2VzIC9LaWRzIFszIDAgUl0gL0NvdW50IDEgPj4KZW5kb2JqCjMgMCBvYmoKPDwgL1R5cGUgL1BhZ2UgL1BhcmVudCAyIDAgUiAvTWVkaWFCb3ggWzAgMCAyMDAgMjAwXSAvQ29udGVudHMgNCAwIFIgPj4KZW5kb2JqCjQgMCBvYmoKPDwgL0xlbmd0aCAyNSA+PgpzdHJlYW0KMSAwIDAgcmcgMCAwIDIwMCAyMDAgcmUgZgplbmRzdHJlYW0KZW5kb2JqCnhyZWYKMCA1CjAwMDAwMDAwMDAgNjU1MzUgZiAKMDAwMDAwMDAwOSAwMDAwMCBuIAowMDAwMDAwMDU4IDAwMDAwIG4gCjAwMDAwMDAxMTUgMDAwMDAgbiAKMDAwMDAwMDIwMiAwMDAwMCBuIAp0cmFpbGVyCjw8IC9TaXplIDUgL1Jvb3QgMSAwIFIgPj4Kc3RhcnR4cmVmCjI3NwolJUVPRgo=";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms1_a_doctor_and_a_patient_see_a_pdf_and_an_image_previewed_inline_in_chromium() {
    browser();
    let w = world().await;
    let pair = pair(&w).await;
    for reader in [&pair.doctor, &pair.patient] {
        // The lab report, as Dr Bob sends it; its remote image is never loaded.
        let report = lab_report(reader.address.as_str(), "https://127.0.0.1:9/pixel.gif")
            .replace(
                "From: labo@caduceus.test",
                "From: Dr Bob <bob@caduceus.test>",
            )
            .replace("JVBERi0xLjQKJSVFT0YK", RED_PDF);
        deliver(&w, reader, &report).await;
    }
    let server = listen(&w).await;
    let args = pair.args(server.port);
    let run = walk("browser_previews.py", args).await;
    server.shutdown().await;
    accessible(&run, 12);

    for who in ["doctor", "patient"] {
        let step = |label: &str, words: &[&str]| run.expect(&format!("{who}-{label}"), 0, words);
        // The photo shown in the page, decoded by the browser.
        step("image", &["photo.png", "loaded=true", "width=1"]);
        let pdf = step(
            "pdf",
            &[
                "200",
                "type=application/pdf",
                "disposition=inline; filename=\"cr.pdf\"",
                "nosniff",
            ],
        );
        assert!(pdf.contains("sandbox"), "{pdf}");
        let png = step(
            "png",
            &[
                "200",
                "type=image/png",
                "disposition=inline; filename=\"photo.png\"",
            ],
        );
        assert!(png.contains("sandbox"), "{png}");
        // Drawn by the viewer under `CSP: sandbox` (a refused or broken document
        // shows no red): a 200-point page is tens of thousands of pixels.
        let drawn = step("pdf-drawn", &["red="]);
        let red: u64 = drawn.trim_start_matches("red=").trim().parse().unwrap_or(0);
        assert!(red > 1000, "the PDF viewer drew no red page: {drawn}");
    }
}
