//! Issue 18: three ways an outside probe slipped mail about an opposed patient (MS-9)
//! past SMTP submission, each now refused with the postal-mail hint while the same
//! message about a patient who did not oppose is accepted. Messages are built here
//! (zips with the `zip` crate) and submitted as they are with Python's smtplib, from
//! one professional to another, the patient being no party to the exchange:
//! 1. an IHE XDM package whose opposed patient is named in its second submission set;
//! 2. an `X-MSS-INS` header or an XDM package inside a forwarded message, several
//!    levels deep, base64-encoded or not;
//! 3. an XDM package in a zip not named `IHE_XDM.zip` (another name, a zip content
//!    type, or only the zip signature).
//!
//! Issue 23 adds the subject between professionals (MS-11): the name the package gives
//! its patient, or the name of the patient an `X-MSS-INS` header names, and identifiers
//! hidden by Unicode spacing, are refused there too.

mod common;

use std::io::Write;

use caduceus_core::Ins;
use common::*;

/// The patient who opposes exchanges about them.
const OPPOSED: &str = "295109912611193";
/// A patient who does not.
const CLEAR: &str = "184127645108946";
const ALICE: &str = "alice@caduceus.test";
const BOB: &str = "bob@caduceus.test";

struct Setup {
    w: World,
    listener: Listener,
    alice: String,
}

/// Alice and Bob, professionals; Alice's device; the patient `OPPOSED` opposed.
async fn setup() -> Setup {
    let w = world().await;
    let alice_id = rpps(1);
    professional(&w, "alice", &alice_id, true).await;
    professional(&w, "bob", &rpps(2), true).await;
    let (alice, _) = device(&w, &alice_id, "Thunderbird").await;
    w.service
        .set_opposition(&op(), &Ins::parse(OPPOSED).unwrap(), true)
        .await
        .unwrap();
    let listener = listen(&w, false, limits()).await;
    Setup {
        w,
        listener,
        alice: alice.expose().clone(),
    }
}

impl Setup {
    /// Submits `raw` from Alice to Bob; the `(code, text)` of the outcome.
    async fn send(&self, raw: &[u8]) -> (u16, String) {
        let file = tempfile::NamedTempFile::new_in(self.w.dir.path()).unwrap();
        std::fs::write(file.path(), raw).unwrap();
        let mut args = base_args(&self.w, &self.listener);
        args.extend([
            ("user", ALICE.to_owned()),
            ("credential", self.alice.clone()),
            ("to", BOB.to_owned()),
            ("message", file.path().display().to_string()),
        ]);
        python("send_raw", &args).await.step("sent")
    }

    /// `about(OPPOSED)` is refused under MS-9 with the postal-mail hint;
    /// `about(CLEAR)` is accepted.
    async fn refused_only_when_opposed(&self, case: &str, about: impl Fn(&str) -> Vec<u8>) {
        let refused = self.send(&about(OPPOSED)).await;
        assert_eq!(refused.0, 550, "{case}: {refused:?}");
        assert!(
            refused.1.contains("MS-9") && refused.1.contains("postal mail"),
            "{case}: {refused:?}"
        );
        let accepted = self.send(&about(CLEAR)).await;
        assert_eq!(accepted.0, 250, "{case}: {accepted:?}");
    }
}

/// METADATA.XML of one submission set whose document is about `ins`, named in its
/// `sourcePatientInfo` (`PID-5`): Camille Durand for the opposed patient, Jean Petit
/// for the other.
fn metadata(ins: &str) -> String {
    let name = if ins == OPPOSED {
        "DURAND^Camille"
    } else {
        "PETIT^Jean^^^M."
    };
    format!(
        r#"<?xml version="1.0"?><SubmitObjectsRequest><RegistryObjectList><ExtrinsicObject id="d1"><Slot name="sourcePatientInfo"><ValueList><Value>PID-3|{ins}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO^NH</Value><Value>PID-5|{name}</Value><Value>PID-7|19951001</Value></ValueList></Slot><ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="{ins}^^^&amp;1.2.250.1.213.1.4.8&amp;ISO" registryObject="d1"/></ExtrinsicObject></RegistryObjectList></SubmitObjectsRequest>"#
    )
}

/// A zip of `files`, deflated.
fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// An XDM package with one submission set about `ins`.
fn package(ins: &str) -> Vec<u8> {
    zip(&[
        ("IHE_XDM/SUBSET01/METADATA.XML", metadata(ins).as_bytes()),
        ("IHE_XDM/SUBSET01/DOC0001.PDF", b"%PDF-1.4"),
        ("INDEX.HTM", b"<html/>"),
    ])
}

/// Base64 in lines of 76 characters.
fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = text
        .as_bytes()
        .chunks(76)
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    lines.join("\r\n")
}

/// A letter from Alice to Bob with `headers`, a text part and, when given, an
/// attachment with `attachment_headers` and `contents` (base64-encoded).
fn letter(headers: &str, attachment: Option<(&str, &[u8])>) -> Vec<u8> {
    letter_about("Compte rendu", headers, attachment)
}

/// [`letter`] with the subject `subject`.
fn letter_about(subject: &str, headers: &str, attachment: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut raw = format!(
        "From: <{ALICE}>\r\nTo: <{BOB}>\r\nSubject: {subject}\r\n{headers}MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"letter\"\r\n\r\n--letter\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nCompte rendu en piece jointe.\r\n"
    );
    if let Some((attachment_headers, contents)) = attachment {
        raw.push_str(&format!(
            "--letter\r\n{attachment_headers}Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64(contents)
        ));
    }
    raw.push_str("--letter--\r\n");
    raw.into_bytes()
}

/// `inner` forwarded by Alice to Bob in a `message/rfc822` part, base64-encoded or not;
/// `level` tells the boundaries of nested forwards apart.
fn forward(inner: &[u8], encoded: bool, level: usize) -> Vec<u8> {
    let mut raw = format!(
        "From: <{ALICE}>\r\nTo: <{BOB}>\r\nSubject: Fwd: Compte rendu\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"fwd{level}\"\r\n\r\n--fwd{level}\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\nPour avis.\r\n\
--fwd{level}\r\nContent-Type: message/rfc822\r\n"
    )
    .into_bytes();
    if encoded {
        raw.extend_from_slice(b"Content-Transfer-Encoding: base64\r\n\r\n");
        raw.extend_from_slice(base64(inner).as_bytes());
    } else {
        raw.extend_from_slice(b"\r\n");
        raw.extend_from_slice(inner);
    }
    raw.extend_from_slice(format!("\r\n--fwd{level}--\r\n").as_bytes());
    raw
}

const XDM_ATTACHMENT: &str = "Content-Type: application/zip; name=\"IHE_XDM.zip\"\r\n\
Content-Disposition: attachment; filename=\"IHE_XDM.zip\"\r\n";

#[tokio::test]
async fn ms9_an_opposed_patient_in_a_second_submission_set_is_refused() {
    let s = setup().await;
    s.refused_only_when_opposed("second submission set", |ins| {
        let (first, second) = (metadata(CLEAR), metadata(ins));
        let package = zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", first.as_bytes()),
            ("IHE_XDM/SUBSET01/DOC0001.PDF", b"%PDF-1.4"),
            ("IHE_XDM/SUBSET02/METADATA.XML", second.as_bytes()),
            ("IHE_XDM/SUBSET02/DOC0001.PDF", b"%PDF-1.4"),
        ]);
        letter("", Some((XDM_ATTACHMENT, &package)))
    })
    .await;
}

#[tokio::test]
async fn ms9_an_opposed_patient_in_a_forwarded_message_is_refused() {
    let s = setup().await;
    s.refused_only_when_opposed("X-MSS-INS forwarded once", |ins| {
        forward(&letter(&format!("X-MSS-INS: {ins}\r\n"), None), false, 1)
    })
    .await;
    s.refused_only_when_opposed("XDM forwarded, base64", |ins| {
        forward(&letter("", Some((XDM_ATTACHMENT, &package(ins)))), true, 1)
    })
    .await;
    // mail-parser itself decodes three levels of base64-encoded messages: the fourth
    // and fifth are parsed again by the ingest.
    s.refused_only_when_opposed("X-MSS-INS forwarded five times, base64", |ins| {
        let mut raw = letter(&format!("X-MSS-INS: {ins}\r\n"), None);
        for level in 0..5 {
            raw = forward(&raw, true, level);
        }
        raw
    })
    .await;
}

#[tokio::test]
async fn ms9_an_opposed_patient_in_a_zip_of_another_name_is_refused() {
    let s = setup().await;
    for (case, attachment_headers) in [
        (
            "another name",
            "Content-Type: application/octet-stream; name=\"dossier-patient.zip\"\r\n\
Content-Disposition: attachment; filename=\"dossier-patient.zip\"\r\n",
        ),
        (
            "a zip content type",
            "Content-Type: application/x-zip-compressed\r\n\
Content-Disposition: attachment; filename=\"dossier\"\r\n",
        ),
        (
            "only the zip signature",
            "Content-Type: application/octet-stream; name=\"dossier.dat\"\r\n\
Content-Disposition: attachment; filename=\"dossier.dat\"\r\n",
        ),
    ] {
        s.refused_only_when_opposed(case, |ins| {
            letter("", Some((attachment_headers, &package(ins))))
        })
        .await;
    }
    // A zip that holds no XDM metadata is no XDM package: accepted as it is.
    let photos = zip(&[("photo.jpg", b"\xff\xd8\xff")]);
    let accepted = s
        .send(&letter(
            "",
            Some((
                "Content-Type: application/zip; name=\"photos.zip\"\r\n",
                &photos,
            )),
        ))
        .await;
    assert_eq!(accepted.0, 250, "{accepted:?}");
}

/// Issue 23 (MS-11): between professionals, the subject may not name the patient an
/// attached XDM package is about (the name its `sourcePatientInfo` gives), nor the
/// patient an `X-MSS-INS` header names when that patient has a mailbox here, nor carry
/// an identifier written with no-break spaces; the refusal never repeats the name.
#[tokio::test]
async fn ms11_a_subject_naming_the_patient_of_an_attached_xdm_is_refused_between_professionals() {
    let s = setup().await;
    let about_jean = package(CLEAR);
    for subject in ["Bilan de Jean PETIT", "CR petit jean", "Suivi M. Petit"] {
        let raw = letter_about(subject, "", Some((XDM_ATTACHMENT, &about_jean)));
        let (code, text) = s.send(&raw).await;
        assert_eq!(code, 550, "{subject}: {text}");
        assert!(
            text.contains("MS-11") && text.contains("patient's name"),
            "{text}"
        );
        assert!(
            !text.to_lowercase().contains("petit"),
            "never repeated: {text}"
        );
    }
    let plain = letter_about(
        "Bilan cardiologique",
        "",
        Some((XDM_ATTACHMENT, &about_jean)),
    );
    assert_eq!(s.send(&plain).await.0, 250);
    // A patient with a mailbox here, named by X-MSS-INS only.
    patient(&s.w, CLEAR, "Jean Petit").await;
    let header = format!("X-MSS-INS: {CLEAR}\r\n");
    let (code, text) = s.send(&letter_about("Suivi PETIT", &header, None)).await;
    assert_eq!(code, 550, "{text}");
    assert!(text.contains("MS-11"), "{text}");
    assert_eq!(s.send(&letter_about("Suivi", &header, None)).await.0, 250);
    // An INS written with no-break spaces, in an encoded word (RFC 2047).
    let hidden = base64("Avis 2\u{a0}95\u{a0}10\u{a0}99\u{a0}126\u{a0}111\u{a0}93".as_bytes());
    let subject = format!("=?UTF-8?B?{hidden}?=");
    let (code, text) = s.send(&letter_about(&subject, "", None)).await;
    assert_eq!(code, 550, "{text}");
    assert!(text.contains("MS-11") && !text.contains("295"), "{text}");
}
