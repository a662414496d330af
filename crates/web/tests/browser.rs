//! The webmail in a real browser (headless Chromium driven by Selenium through
//! chromedriver): a professional logs in with password + TOTP, finds a colleague by
//! directory suggestion, attaches a file, sees the MS-11 warning on a NIR in the
//! subject, sends; the colleague reads it; HTML mail is shown sanitised in a
//! sandboxed frame with nothing remote loaded (no tracker hit, no script), a lab
//! report keeping its table and its red value (MS-1); a patient reads, replies only (MS-8)
//! and sees the access log (TR-4). Screenshots go to `CADUCEUS_SCREENSHOTS` when set
//! (`scripts/screenshots.sh` refreshes `docs/screenshots/`).

use std::sync::Arc;

use caduceus_core::SystemClock;
use caduceus_service::terms::ShippedTerms;
use caduceus_testkit::*;
use common::browser::{accessible, browser};
use common::*;

mod common;

#[path = "browser/absence.rs"]
mod absence;
#[path = "browser/conversations.rs"]
mod conversations;
#[path = "browser/filing.rs"]
mod filing;
#[path = "browser/forward.rs"]
mod forward;
#[path = "browser/journeys.rs"]
mod journeys;
#[path = "browser/letter.rs"]
mod letter;
#[path = "browser/long_inbox.rs"]
mod long_inbox;
#[path = "browser/names.rs"]
mod names;
#[path = "browser/passkeys.rs"]
mod passkeys;
#[path = "browser/previews.rs"]
mod previews;
#[path = "browser/shortcuts.rs"]
mod shortcuts;

const MAILBOXES: &str =
    include_str!("../../../fixtures/directory/Extraction_Correspondance_MSSante_demo.txt");
const PEOPLE: &str =
    include_str!("../../../fixtures/directory/PS_LibreAcces_Personne_activite_demo.txt");
const INS: &str = "295109912611193";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms11_ms8_tr4_the_webmail_in_headless_chromium() {
    let (venv, tools) = browser();
    let w = world().await;
    let (alice, bruno, camille) = journeys::listed(&w).await;
    let alice_totp = web_login(&w, &alice).await;
    let bruno_totp = web_login(&w, &bruno).await;
    let patient_totp = web_login(&w, &camille).await;
    // An HTML message with a remote image and a script, to Bruno.
    let tracker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tracker_port = tracker.local_addr().unwrap().port();
    drop(tracker);
    let html = format!(
        "From: lettre@caduceus.test\r\nTo: {}\r\nSubject: Newsletter\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>Nouvelles du service</p><img src=\"http://127.0.0.1:{tracker_port}/pixel.gif\">\
         <script>window.caduceusPwned = true;</script></body></html>\r\n",
        bruno.address.as_str()
    );
    w.service
        .deliver_local(&op(), std::slice::from_ref(&bruno.address), html.as_bytes())
        .await
        .unwrap();
    let server = listen(&w).await;
    let shots = std::env::var("CADUCEUS_SCREENSHOTS").unwrap_or_default();
    let script = script("browser.py");
    let mut args = vec![
        ("port", server.port.to_string()),
        ("tracker_port", tracker_port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("alice", alice.address.as_str().to_owned()),
        ("bruno", bruno.address.as_str().to_owned()),
        ("patient", camille.address.as_str().to_owned()),
        ("alice_totp", alice_totp),
        ("bruno_totp", bruno_totp),
        ("patient_totp", patient_totp),
    ];
    args.extend(tools);
    if !shots.is_empty() {
        args.push(("shots", shots));
    }
    let run = python_in(&venv, &script, &args).await;
    accessible(&run, 20);

    run.expect("login-page", 0, &["Connexion", "Mot de passe"]);
    run.expect("login-wrong", 0, &["Connexion refusée"]);
    run.expect(
        "login-alice",
        0,
        &["/mail/folder/INBOX", "alice.martin@caduceus.test"],
    );
    run.expect("suggested", 0, &["bruno.durand@caduceus.test", "Durand"]);
    let warning = run.expect("subject-warning", 0, &["L'objet contient un identifiant"]);
    assert!(!warning.contains("MS-11"), "{warning}");
    run.expect("warning-cleared", 0, &["yes"]);
    run.expect("sent", 0, &["Message envoyé", "Bilan du 12 novembre"]);
    run.expect(
        "bruno-inbox",
        0,
        // The sender by the directory's name and specialty (ID-4).
        &[
            "Bilan du 12 novembre",
            "Dr Alice Martin (Médecin, Cardiologie et maladies vasculaires",
        ],
    );
    // A title saying what the page is (WCAG 2.4.2), not the IMAP name.
    run.expect("inbox-title", 0, &["Boîte de réception · Caduceus"]);
    run.expect("bruno-reads", 0, &["voici le bilan", "bilan.txt"]);
    run.expect("attachment-link", 0, &["/attachment/0"]);
    run.expect("marked-personal", 0, &["Bilan du 12 novembre personnel"]);
    run.expect("list-personal", 0, &["Bilan du 12 novembre personnel"]);
    let heading = run.expect("marked-professional", 0, &["Bilan du 12 novembre"]);
    assert!(!heading.contains("personnel"), "{heading}");
    // Refusals in plain French, no requirement code, what was typed kept (journey 9).
    let forward = run.expect(
        "forward-outside",
        0,
        &[
            "Le transfert n'est possible que vers une autre messagerie de santé",
            "typed=bruno@gmail.test",
        ],
    );
    let contacts = run.expect(
        "contacts-invalid",
        0,
        &[
            "Une valeur saisie n'est pas valide",
            "typed=bruno@perso.example / pas un numéro",
        ],
    );
    for said in [&forward, &contacts] {
        assert!(
            !said.contains("MS-") && !said.contains("trust space"),
            "{said}"
        );
    }
    let header = run.expect("bruno-admin", 0, &["Réglages"]);
    assert!(!header.contains("Administration"), "{header}");
    run.expect(
        "bruno-admin-page",
        0,
        &["Cette page est réservée au personnel de l'opérateur"],
    );
    // HTML is shown sanitised in its frame: no remote request, no script, no remote
    // image.
    run.expect("html-shown", 0, &["Nouvelles du service"]);
    run.expect("html-tracker-hits", 0, &["0"]);
    run.expect("html-script-ran", 0, &["False"]);
    run.expect("html-remote-images", 0, &["0"]);
    let outside = run.expect(
        "outside-refused",
        0,
        &[
            "hors de l'espace de confiance MSSanté",
            "kept=confrere@gmail.test / Compte rendu opératoire / Cher confrère, ci-joint le compte rendu.",
            "attachments=Pièces jointes gardées",
            "compte-rendu.txt",
        ],
    );
    assert!(!outside.contains("MS-5"), "{outside}");
    run.expect(
        "corrected-sent",
        0,
        &["Message envoyé", "Compte rendu opératoire (1 PJ)"],
    );
    run.expect("bruno-to-patient", 0, &["Message envoyé"]);
    let nav = run.expect("patient-nav", 0, &["Réglages"]);
    assert!(
        !nav.contains("Nouveau message"),
        "a patient has no compose link: {nav}"
    );
    run.expect(
        "patient-reply-to",
        0,
        &["bruno.durand@caduceus.test", "readonly=true"],
    );
    run.expect("patient-replied", 0, &["Message envoyé"]);
    let first = run.expect(
        "patient-first",
        0,
        &[
            "Vous pouvez seulement répondre à un professionnel qui vous a écrit",
            "kept=alice.martin@caduceus.test / Question / Bonjour docteur, une question.",
        ],
    );
    assert!(!first.contains("MS-8"), "{first}");
    // IN-1 (seed 004 §5.2): the emergency notice on every page the patient sees.
    for page in [
        "inbox",
        "message",
        "reply",
        "sent",
        "refused",
        "settings",
        "block-confirm",
        "oppose-confirm",
    ] {
        let label = format!("emergency:{page}");
        run.expect(&label, 0, &["pas fait pour les urgences", "15 ou le 112"]);
    }
    run.expect(
        "emergency:english",
        0,
        &["not for emergencies", "15 or 112"],
    );
    run.expect("emergency:professional", 0, &["none"]);
    // MS-10, MS-9: confirmed before they apply; cancelling changes nothing.
    let unknown = run.expect(
        "block-unknown",
        0,
        &[
            "Aucune messagerie de professionnel de santé ne porte cette adresse",
            "typed=inconnu@caduceus.test",
        ],
    );
    assert!(!unknown.contains("MS-"), "{unknown}");
    let hints = run.expect(
        "patient-compose-hints",
        0,
        &["Votre réponse part au professionnel"],
    );
    assert!(
        !hints.contains("annuaire") && !hints.contains("identifiant"),
        "{hints}"
    );
    run.expect(
        "block-asked",
        0,
        &[
            "Bloquer ce professionnel",
            "alice.martin@caduceus.test",
            "Annuler",
        ],
    );
    let kept = run.expect("block-cancelled", 0, &["Professionnels bloqués"]);
    assert!(!kept.contains("alice.martin@caduceus.test"), "{kept}");
    run.expect("blocked", 0, &["alice.martin@caduceus.test", "Débloquer"]);
    let unblocked = run.expect("unblocked", 0, &["Professionnels bloqués"]);
    assert!(!unblocked.contains("Débloquer"), "{unblocked}");
    run.expect(
        "oppose-asked",
        0,
        &["Vous opposer aux échanges", "retirer votre opposition"],
    );
    run.expect("oppose-cancelled", 0, &["Vous ne vous opposez pas"]);
    run.expect("opposed", 0, &["Vous vous opposez aux échanges"]);
    run.expect("withdraw-asked", 0, &["Retirer votre opposition"]);
    run.expect("withdrawn", 0, &["Vous ne vous opposez pas"]);
    run.expect("bruno-reads-reply", 0, &["Merci docteur"]);
    run.expect(
        "access-log",
        0,
        &["bruno.durand@caduceus.test", "a lu un message"],
    );
    run.expect("english", 0, &["Inbox"]);
    run.expect("after-logout", 0, &["/login"]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in1_a_patient_accepts_the_shipped_terms_at_first_login_in_chromium() {
    let (venv, tools) = browser();
    let shipped = ShippedTerms {
        domain: "caduceus.test".into(),
        dpo_contact: "dpo@operateur.example".into(),
        certified_host: "Hébergeur Exemple, certificat HDS n° 123".into(),
        inactivity_days: Some(365),
        trace_days: 365,
    };
    let w = world_configured("caduceus.test", None, Arc::new(SystemClock), |c| {
        c.terms = Some(shipped.render("2026-12"))
    })
    .await;
    let camille = patient(&w, INS, "Camille Durand").await;
    let patient_totp = web_login(&w, &camille).await;
    let server = listen(&w).await;
    let mut args = vec![
        ("port", server.port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("patient", camille.address.as_str().to_owned()),
        ("patient_totp", patient_totp),
    ];
    args.extend(tools);
    let run = python_in(&venv, &script("browser_terms.py"), &args).await;
    server.shutdown().await;
    accessible(&run, 6);

    run.expect("first-page", 0, &["/terms"]);
    run.expect(
        "emergency",
        0,
        &["pas fait pour les urgences", "15 ou le 112"],
    );
    run.expect(
        "terms-text",
        0,
        &[
            "Objet",
            "sans connexion pendant 365 jours est supprimée",
            "traces sont conservées 365 jours",
            "Vos droits et comment les exercer",
            "dpo@operateur.example",
            "certificat HDS n° 123",
            "Purpose",
            "Traces are kept 365 days",
            "Data protection officer",
        ],
    );
    run.expect(
        "terms-langs",
        0,
        &[
            "fr: CONDITIONS GÉNÉRALES",
            "en: TERMS OF USE OF THE SECURE HEALTH",
        ],
    );
    run.expect("accepted", 0, &["/mail/folder/INBOX"]);
    // Accepted for good: the terms page now leads to the inbox.
    run.expect("terms-again", 0, &["/mail/folder/INBOX"]);
}

/// Who writes the inbox's messages, in turn (sorting by sender, MS-6).
const SENDERS: [(&str, &str); 4] = [
    ("Dr Zoé Aubert", "zoe.aubert"),
    ("Dr Marc Bonnet", "marc.bonnet"),
    ("Dr Élise Lefèvre", "elise.lefevre"),
    ("Dr Yves Roux", "yves.roux"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ms6_an_inbox_of_2000_messages_pages_sorts_and_searches_in_chromium() {
    let (venv, tools) = browser();
    let w = world().await;
    let alice = professional(&w, "alice.martin", "810003090833", true).await;
    let alice_totp = web_login(&w, &alice).await;
    let to = std::slice::from_ref(&alice.address);
    let deliver = async |from: &str, subject: &str| {
        let raw = format!(
            "From: {from}\r\nTo: {}\r\nSubject: {subject}\r\n\r\nBonjour.\r\n",
            alice.address.as_str()
        );
        let delivered = w.service.deliver_local(&op(), to, raw.as_bytes()).await;
        delivered.unwrap().remove(0)
    };
    // Two lab results, one of them moved to Archive; then 2,000 letters.
    deliver(
        "Laboratoire <labo@caduceus.test>",
        "Résultats : Hémoglobine 10,2 g/dL",
    )
    .await;
    let archived = deliver("Laboratoire <labo@caduceus.test>", "HÉMOGLOBINE glyquée").await;
    for n in 1..=2000 {
        let (name, local) = SENDERS[n % SENDERS.len()];
        let from = format!("{name} <{local}@caduceus.test>");
        deliver(&from, &format!("Compte rendu n° {n:04}")).await;
    }
    let owner = caduceus_service::actor::testing::account(alice.id, "test");
    let access = w.service.authorize(&owner, alice.id).await.unwrap();
    let archive = w.service.find_folder(&access, "Archive").await.unwrap();
    let ids = [archived.message];
    let moved = w
        .service
        .move_messages(&access, archived.mailbox, &ids, archive.unwrap().id);
    moved.await.unwrap();
    let server = listen(&w).await;
    let mut args = vec![
        ("port", server.port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("alice", alice.address.as_str().to_owned()),
        ("alice_totp", alice_totp),
    ];
    args.extend(tools);
    let run = python_in(&venv, &script("browser_list.py"), &args).await;
    accessible(&run, 10);
    server.shutdown().await;
    let step = |label: &str, words: &[&str]| run.expect(label, 0, words);
    // How long each page took in the browser (reported, not asserted).
    for line in run.stdout.lines().filter(|l| l.contains("-seconds ")) {
        eprintln!("{line}");
    }

    // 2,001 messages in INBOX, 50 a page, 41 pages, newest first.
    step(
        "inbox",
        &[
            "2001 messages",
            "Page 1 / 41",
            "rows=50",
            "first=Dr Zoé Aubert",
            "Compte rendu n° 2000",
        ],
    );
    step(
        "inbox-page-2",
        &[
            "Page 2 / 41",
            "rows=50",
            "first=Dr Élise Lefèvre",
            "n° 1950",
        ],
    );
    // The last page holds what is left: the oldest, the lab result first delivered.
    step(
        "inbox-last",
        &["Page 41 / 41", "rows=1", "Hémoglobine 10,2"],
    );
    step("inbox-past-last", &["Page 41 / 41", "rows=1"]);
    // Subject A→Z, then Z→A (accents folded: "Résultats" after "Compte rendu").
    step(
        "subject-ascending",
        &[
            "Page 1 / 41",
            "'none', 'ascending', 'none'",
            "first=Dr Marc Bonnet",
            "n° 0001",
        ],
    );
    step(
        "subject-descending",
        &[
            "'none', 'descending', 'none'",
            "first=Laboratoire",
            "Résultats : Hémoglobine",
            "last=",
            "n° 1952",
        ],
    );
    step(
        "subject-descending-page-2",
        &["Page 2 / 41", "first=", "n° 1951"],
    );
    // Sender A→Z by name: Dr Élise Lefèvre folds to "dr elise", before "dr marc".
    step(
        "sender-ascending",
        &["'ascending', 'none', 'none'", "first=Dr Élise Lefèvre"],
    );
    step(
        "sender-descending",
        &["'descending', 'none', 'none'", "first=Laboratoire"],
    );
    step(
        "date-descending",
        &["'none', 'none', 'descending'", "n° 2000"],
    );
    step(
        "date-ascending",
        &[
            "'none', 'none', 'ascending'",
            "first=Laboratoire",
            "Hémoglobine 10,2",
        ],
    );
    // "hemoglobine" finds both results, in INBOX and Archive; then in INBOX only.
    let everywhere = step(
        "search-everywhere",
        &["Tous les dossiers", "2 messages", "rows=2"],
    );
    assert!(
        everywhere.contains("glyquée (Archive)") || everywhere.contains("glyquée (Archives)"),
        "{everywhere}"
    );
    step("search-here", &["1 messages", "rows=1", "Hémoglobine 10,2"]);
    // A correspondent's name, typed in capitals without accents.
    step(
        "search-sender",
        &["500 messages", "Page 1 / 10", "first=Dr Élise Lefèvre"],
    );
    let (_, bytes) = run.step("page-bytes");
    let bytes: usize = bytes.trim().parse().unwrap();
    assert!(bytes < 100_000, "a list page weighs {bytes} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id2_ac2_ms15_a_registration_authority_verifies_and_no_admin_page_shows_content() {
    const SUBJECT: &str = "Bilan confidentiel Zorglub";
    const BODY: &str = "Resultats tres confidentiels Zorglub";
    let (venv, tools) = browser();
    let w = world().await;
    let staff = professional(&w, "rachel", "810003090833", true).await;
    for role in caduceus_core::Role::ALL {
        w.service
            .set_staff_role(&op(), staff.id, role, true)
            .await
            .unwrap();
    }
    let staff_totp = web_login(&w, &staff).await;
    let bruno = professional(&w, "bruno", "810000000009", true).await;
    let newcomer = professional(&w, "nouveau", &rpps(7), false).await;
    w.service.import_mailboxes(&op(), MAILBOXES).await.unwrap();
    let physician = professional(&w, "alice.martin", &rpps(8), true).await;
    let raw = format!(
        "From: rachel@caduceus.test\r\nTo: bruno@caduceus.test\r\nSubject: {SUBJECT}\r\n\r\n{BODY}\r\n"
    );
    let mut delivered = Vec::new();
    for _ in 0..2 {
        let copies = w
            .service
            .deliver_local(&op(), std::slice::from_ref(&bruno.address), raw.as_bytes())
            .await
            .unwrap();
        delivered.push(copies[0].message);
    }
    // MS-14: Bruno marks the first personal; he reads both.
    let (personal, professional) = (delivered[0], delivered[1]);
    let access = w
        .service
        .authorize(
            &caduceus_service::actor::testing::account(bruno.id, "web"),
            bruno.id,
        )
        .await
        .unwrap();
    w.service
        .set_flags(&access, personal, &["$Personal".to_owned()])
        .await
        .unwrap();
    for id in [personal, professional] {
        w.service.read_message(&access, id).await.unwrap();
    }
    let server = listen(&w).await;
    let mut args = vec![
        ("port", server.port.to_string()),
        ("ca", w.pki.ca_cert_path().display().to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("staff", staff.address.as_str().to_owned()),
        ("staff_totp", staff_totp),
        ("other", bruno.address.as_str().to_owned()),
        ("other_message", professional.0.to_string()),
        ("browser_lang", "en-GB".to_owned()),
    ];
    args.extend(tools);
    let shots = std::env::var("CADUCEUS_SCREENSHOTS").unwrap_or_default();
    if !shots.is_empty() {
        args.push(("shots", shots));
    }
    let run = python_in(&venv, &script("admin.py"), &args).await;
    accessible(&run, 10);

    // ID-2: the pending account is verified with the evidence, by the person, and active.
    run.expect("queue", 0, &["nouveau@caduceus.test", "pending"]);
    let after = run.expect("queue-after", 0, &[]);
    assert!(!after.contains("nouveau@caduceus.test"), "{after}");
    let account = w.service.account(newcomer.id).await.unwrap();
    assert_eq!(account.state, caduceus_core::AccountState::Active);
    let verifications = w.service.verifications(&op(), newcomer.id).await.unwrap();
    assert_eq!(verifications.len(), 1);
    assert_eq!(
        verifications[0].evidence,
        caduceus_core::Evidence::IdentityDocument
    );
    assert!(
        verifications[0]
            .verified_by
            .contains("rachel@caduceus.test")
    );
    // ID-2 (004 §7.1): the contact address typed in the queue is the account's.
    let contacts = w.service.contacts(&op(), newcomer.id).await.unwrap();
    assert_eq!(
        contacts.email.map(|e| e.as_str().to_owned()).as_deref(),
        Some("nouveau@contact.example")
    );
    // Suspending is confirmed first, on a page naming the account.
    run.expect(
        "suspend-asked",
        0,
        &["Suspend this account?", "bruno@caduceus.test", "Cancel"],
    );
    run.expect("suspended", 0, &["bruno@caduceus.test", "suspended"]);
    let bruno_now = w.service.account(bruno.id).await.unwrap();
    assert_eq!(bruno_now.state, caduceus_core::AccountState::Suspended);
    // MS-15: the alert reached the one physician of Paris with an account here; the
    // four others of the directory are reported unreachable.
    run.expect(
        "broadcast-refused",
        0,
        &[
            "The health alert could not be sent",
            "kept=['Alerte Zorglub', 'Rappel de lot Zorglub']",
        ],
    );
    run.expect(
        "broadcast",
        0,
        &["Broadcast started", "profession:10 department:75", "5"],
    );
    let mut reached = 0;
    for _ in 0..100 {
        reached = inbox(&w, &physician).await.len();
        if reached > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(reached, 1);
    // TR-6: the breach recorded in the console, open, with its deadline.
    run.expect("breach", 0, &["confidentiality", "open", "Notify by"]);
    assert_eq!(w.service.breaches(&op()).await.unwrap().len(), 1);
    // AC-2: no admin page holds the message's subject or body, nor the alert's.
    for page in [
        "/admin/accounts",
        "/admin/status",
        "/admin/alerts",
        "/admin/traces",
        "/admin/broadcast",
        "/admin/breaches",
        "/admin/announcements",
    ] {
        let (_, html) = run.step(&format!("page:{page}"));
        assert!(
            html.contains("No message content is ever shown here"),
            "{page}"
        );
        assert!(
            !html.contains("Zorglub"),
            "{page} shows message content: {html}"
        );
    }
    let (_, traces) = run.step("page:/admin/traces");
    assert!(traces.contains("Trace chain"), "{traces}");
    assert!(
        traces.contains("op:ra:"),
        "the verification names the RA: {traces}"
    );
    // MS-14: the viewer and the export name the professional message, never the
    // personal one.
    let csv = run.expect(
        "traces-csv",
        0,
        &[
            "200 text/csv",
            "seq,at,actor",
            "message.read",
            "personal",
            "trace:read",
        ],
    );
    for text in [&traces, &csv] {
        let named: Vec<&str> = caduceus_core::personal::references(text).collect();
        assert!(named.contains(&professional.to_string().as_str()), "{text}");
        assert!(!named.contains(&personal.to_string().as_str()), "{text}");
    }
    assert!(!csv.contains("Zorglub"), "{csv}");
    run.expect("api-other-message", 0, &["404"]);
    run.expect("api-other-mailbox", 0, &["403", "AC-1"]);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id7_id3_a_parent_acts_for_the_child_through_the_mailbox_switcher_in_chromium() {
    use caduceus_store::Store as _;

    let (venv, tools) = browser();
    let w = world().await;
    let Family {
        child,
        parent,
        parent_totp,
        ..
    } = family(&w).await;
    let server = listen(&w).await;
    let mut args = vec![
        ("port", server.port.to_string()),
        ("password", WEB_PASSWORD.to_owned()),
        ("parent", parent.address.as_str().to_owned()),
        ("parent_totp", parent_totp),
    ];
    args.extend(tools);
    if let Ok(dir) = std::env::var("CADUCEUS_SCREENSHOTS") {
        args.push(("shots", dir));
    }
    let run = python_in(&venv, &script("browser_acting.py"), &args).await;
    server.shutdown().await;
    accessible(&run, 8);

    run.expect(
        "switcher",
        0,
        &["Dr marc (ma boîte)", "Léa Petit (représentant légal)"],
    );
    let base = format!("/mail/as/{}", child.id.0);
    run.expect("acting", 0, &[&base, "Vous agissez pour Léa Petit"]);
    run.expect("emergency", 0, &["15 ou le 112"]);
    run.expect("read", 0, &["Rappel du vaccin."]);
    run.expect("sent", 0, &[&format!("{base}/folder/Sent"), "Re: Vaccins"]);
    run.expect(
        "conversations",
        0,
        &[&format!("{base}/conversations"), "Vaccins (2 messages)"],
    );
    // By name, the child marked as a patient, never their NIR (ID-4).
    let conversation = run.expect("conversation", 0, &["Dr bob", "Léa Petit Patient"]);
    assert!(!conversation.contains(CHILD_INS), "{conversation}");
    let (asked, answered) = (
        conversation.find("Dr bob").unwrap(),
        conversation.find("Léa Petit").unwrap(),
    );
    assert!(
        asked < answered,
        "the doctor's message, then the answer: {conversation}"
    );
    run.expect("settings", 0, &[&format!("{base}/settings")]);
    run.expect(
        "opposed",
        0,
        &[&format!("{base}/settings"), "Vous agissez pour Léa Petit"],
    );
    assert!(w.store.opposition(INS).await.unwrap().is_some());
    // Every step traced to the parent, acting for the child (ID-7, TR-1).
    let (parent_ref, child_ref) = (
        format!("acct:{}", parent.id.0),
        format!("acct:{}", child.id.0),
    );
    let entries = traces(&w).await;
    for action in ["message.read", "message.deliver", "patient.opposition"] {
        let mine: Vec<_> = entries
            .iter()
            .filter(|e| e.action == action && e.actor == parent_ref)
            .collect();
        assert!(!mine.is_empty(), "{action} by the parent is traced");
        assert!(
            mine.iter()
                .all(|e| e.acting_for.as_deref() == Some(child_ref.as_str())),
            "{action}"
        );
    }
}
