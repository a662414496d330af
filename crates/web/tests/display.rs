//! A letter shown as it was written, in the webmail over HTTPS (MS-1, issue 22;
//! Python's http.client): an HTML lab report keeps its table and its red abnormal
//! value and loses its script, remote image and event attributes, served as a
//! document of its own under a strict, sandboxing policy and framed by the message
//! page; its PDF is previewed inline with its type, its SVG never; another
//! professional reads neither (AC-1); every read traced (TR-1).

use caduceus_testkit::*;
use common::*;

mod common;

/// The step of `run` whose text names `file` among the steps `prefix`-0, -1, ….
fn step_naming(run: &Run, prefix: &str, file: &str) -> String {
    (0..8)
        .map(|i| run.step(&format!("{prefix}-{i}")).1)
        .find(|text| text.contains(&format!("filename=\"{file}\"")))
        .unwrap_or_else(|| panic!("no {prefix} of {file}: {}", run.stdout))
}

#[tokio::test]
async fn ms1_ac1_tr1_an_html_lab_report_keeps_its_table_and_colour_and_loses_what_acts() {
    let w = world().await;
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let bob = professional(&w, "bob", &rpps(2), true).await;
    let (alice_totp, bob_totp) = (web_login(&w, &alice).await, web_login(&w, &bob).await);
    let to = std::slice::from_ref(&alice.address);
    let report = lab_report(alice.address.as_str(), "https://tracker.example/pixel.gif");
    let id = w.service.deliver_local(&op(), to, report.as_bytes()).await;
    let id = id.unwrap()[0].message.0;
    let text = "From: labo@caduceus.test\r\nSubject: Note\r\n\r\nDose <2 mg> & plus\r\n";
    let text_id = w.service.deliver_local(&op(), to, text.as_bytes()).await;
    let text_id = text_id.unwrap()[0].message.0;
    let before = traces(&w).await.len();
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, alice_totp);
    args.extend([
        ("message", id.to_string()),
        ("text", text_id.to_string()),
        ("attachments", "4".to_owned()),
        ("bob", bob.address.as_str().to_owned()),
        ("bob_totp", bob_totp),
    ]);
    let run = python(&script("display.py"), &args, "http.client").await;
    server.shutdown().await;

    // The page frames the letter, sandboxed, titled; the text version kept under it.
    let page = run.expect(
        "page",
        200,
        &[
            &format!("<iframe class=\"letter\" id=\"letter\" src=\"/mail/message/{id}/html\" sandbox=\"allow-popups allow-popups-to-escape-sandbox\" title=\"Le message tel qu&#39;il a été écrit\">"),
            "<summary>Version texte</summary>",
            "Hemoglobine 10,2 g/dL (12-16)",
            "frame-src 'self'",
        ],
    );
    assert!(
        !page.contains("allow-scripts") && !page.contains("allow-same-origin"),
        "{page}"
    );
    // Its image previewed in the page, its PDF opened inline; the SVG only downloaded.
    let view = |index: usize| format!("/mail/message/{id}/attachment/{index}/view");
    let pdf = step_naming(&run, "view", "cr.pdf");
    let png = step_naming(&run, "view", "photo.png");
    let svg = step_naming(&run, "view", "schema.svg");
    let index_of = |text: &str| {
        (0..4)
            .find(|&i| run.step(&format!("view-{i}")).1 == text)
            .unwrap()
    };
    assert!(
        page.contains(&format!(
            "<img class=\"preview\" src=\"{}\" alt=\"photo.png\">",
            view(index_of(&png))
        )),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"{}\" target=\"_blank\" rel=\"noopener\" aria-label=\"Aperçu cr.pdf\">Aperçu</a>", view(index_of(&pdf)))), "{page}");
    assert!(!page.contains(&view(index_of(&svg))), "{page}");
    // The logo the HTML shows by its Content-ID is in the frame, not listed apart.
    assert!(!page.contains(">attachment</a>"), "{page}");
    run.expect(
        "page-en",
        200,
        &["<summary>Text version</summary>", ">Preview</a>"],
    );

    // The letter's document: its table, caption and red value kept, its logo from
    // itself; no script, remote image, event attribute; links opening apart.
    let html = run.expect(
        "html",
        200,
        &[
            "[content-type=text/html; charset=utf-8]",
            "[content-security-policy=default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox allow-popups allow-popups-to-escape-sandbox]",
            "[x-content-type-options=nosniff]",
            "[x-frame-options=SAMEORIGIN]",
            "<title>Bilan sanguin</title>",
            "<caption>Numeration</caption>",
            "<th>Examen</th>",
            "<td style=\"color: #c00000; font-weight: bold\">10,2 g/dL</td>",
            "<img src=\"data:image/png;base64,",
            "<a href=\"https://labo.example/resultats\" target=\"_blank\" rel=\"noopener noreferrer\">",
        ],
    );
    for gone in [
        "steal",
        "<script",
        "onload",
        "onmouseover",
        "tracker.example",
        "cid:",
    ] {
        assert!(!html.contains(gone), "{gone} in {html}");
    }
    // A text letter's document: its text, escaped.
    run.expect("text-html", 200, &["<pre>Dose &lt;2 mg&gt; &amp; plus"]);

    // The PDF and the image inline with their type, sandboxed; the SVG a download.
    for (shown, mime) in [(&pdf, "application/pdf"), (&png, "image/png")] {
        for part in [
            &format!("[content-type={mime}]"),
            "[content-disposition=inline;",
            "[x-content-type-options=nosniff]",
            "sandbox]",
        ] {
            assert!(shown.contains(part), "{part} in {shown}");
        }
    }
    for part in [
        "[content-type=application/octet-stream]",
        "[content-disposition=attachment;",
        "[x-content-type-options=nosniff]",
    ] {
        assert!(svg.contains(part), "{part} in {svg}");
    }
    let download = step_naming(&run, "download", "cr.pdf");
    assert!(
        download.contains("[content-type=application/octet-stream]"),
        "{download}"
    );

    // Another professional reads neither; the attempts traced (AC-1, TR-1).
    for step in ["bob-html", "bob-view"] {
        let refused = run.expect(step, 404, &[]);
        assert!(
            !refused.contains("Numeration") && !refused.contains("bytes>"),
            "{refused}"
        );
    }
    let entries = traces(&w).await;
    let object = format!("msg:{id}");
    let count = |action: &str, actor: i64| {
        let actor = format!("acct:{actor}");
        entries[before..]
            .iter()
            .filter(|e| e.action == action && e.actor == actor && e.object.contains(&object))
            .count()
    };
    // Two pages, the document, four views and four downloads: each a read.
    assert_eq!(count("message.read", alice.id.0), 11);
    assert_eq!(count("access.denied", bob.id.0), 2);
}

#[tokio::test]
async fn id4_people_are_named_with_their_specialty_and_patients_marked() {
    let w = world().await;
    let demo =
        include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
    // Sophie Arnaud on the liste rouge by the extract: only the name her message gives.
    let extract: String = demo
        .lines()
        .map(|line| match line.starts_with("PER|sophie.arnaud.3@") {
            true => line.replacen("|N|", "|O|", 1),
            false => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    w.service.import_mailboxes(&op(), &extract).await.unwrap();
    let alice = professional(&w, "alice", &rpps(1), true).await;
    let totp = web_login(&w, &alice).await;
    let lea = patient(&w, CHILD_INS, "Léa Petit").await;
    let raw = format!(
        "From: Bruno <bruno.durand@caduceus.test>\r\nTo: {}\r\n\
         Cc: {}, Sophie A <sophie.arnaud.3@caduceus.test>\r\nSubject: Suivi\r\n\
         Message-ID: <suivi@caduceus.test>\r\n\r\nBonjour.\r\n",
        alice.address.as_str(),
        lea.address.as_str()
    );
    let to = std::slice::from_ref(&alice.address);
    let id = w.service.deliver_local(&op(), to, raw.as_bytes()).await;
    let id = id.unwrap()[0].message.0;
    let server = listen(&w).await;
    let mut args = alice_args(&w, server.port, &alice, totp);
    args.push(("message", id.to_string()));
    let run = python(&script("names.py"), &args, "http.client").await;
    server.shutdown().await;

    let bruno = "Dr Bruno Durand <span class=\"hint\">(Médecin, Qualifié en Médecine Générale, Cabinet médical Durand, LYON)</span>";
    run.expect("inbox", 200, &[bruno]);
    let page = run.expect(
        "message",
        200,
        &[
            bruno,
            "&lt;bruno.durand@caduceus.test&gt;",
            "Léa Petit <span class=\"badge patient\">Patient</span>",
            "Sophie A <span class=\"hint\">&lt;sophie.arnaud.3@caduceus.test&gt;",
        ],
    );
    // No bare NIR: the patient's address is not shown; the liste rouge keeps its secret.
    assert!(!page.contains(CHILD_INS), "{page}");
    assert!(!page.contains("Infirmier"), "{page}");
    run.expect(
        "message-en",
        200,
        &["<span class=\"badge patient\">Patient</span>"],
    );
    run.expect("conversations", 200, &["Dr Bruno Durand"]);
    run.expect(
        "conversation",
        200,
        &[bruno, "Dr alice <span class=\"hint\">&lt;alice@"],
    );
    run.expect("suggest", 200, &["Qualifié en Médecine Générale"]);
    // A reply to all names whom it goes to, the patient marked (ID-4).
    run.expect(
        "reply-all",
        200,
        &[
            "data-patient=\"Patient\">Destinataires",
            "<span id=\"recipient-names\"><span class=\"person\">Dr Bruno Durand",
            "Léa Petit <span class=\"badge patient\">Patient</span>",
        ],
    );
}
