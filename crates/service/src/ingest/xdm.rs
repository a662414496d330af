//! Which patient an IHE XDM attachment is about (MS-9): a zip holding one submission
//! set or several, `IHE_XDM/SUBSET01/METADATA.XML`, `IHE_XDM/SUBSET02/METADATA.XML`…,
//! whose document entries (and submission sets) carry the patient's identifier as an
//! HL7 CX value `<id>^^^&<OID>&ISO`; the INS is the one with OID `1.2.250.1.213.1.4.8`.
//!
//! # Which attachments are read
//! An attachment named `IHE_XDM.zip` is an XDM package and must be readable. Any other
//! zip — named `*.zip`, typed `application/zip` or `application/x-zip-compressed`, or
//! starting with the zip signature — is one when it holds an `IHE_XDM/…/METADATA.XML`
//! entry, and is then read the same way; a zip without such an entry is not XDM. See
//! [`candidate`].
//!
//! # Defensive limits
//! A zip bomb costs nothing but a refusal: at most [`MAX_ENTRIES`] entries; each
//! METADATA.XML decompressed up to [`MAX_METADATA`] bytes only, and all those of one
//! message (every entry of every package, in every encapsulated message) up to
//! [`MAX_METADATA_TOTAL`] together, counted by one [`Reader`]. Only METADATA.XML
//! entries are ever decompressed.
//!
//! # Entries a directory hides
//! The names come from the zip's central directory, but a reader that streams the zip
//! sees its local headers instead. A local header naming a METADATA.XML that the
//! directory does not list (or lists at another place: a duplicate name) makes the
//! package [`XdmError::Inconsistent`]; a zip that does not open but whose local headers
//! name one is [`XdmError::NotZip`]: either way the patient cannot be checked.

use std::io::Read;

use caduceus_core::Ins;
use quick_xml::events::Event;

/// Most entries an XDM zip may hold.
pub const MAX_ENTRIES: usize = 1_000;
/// Largest METADATA.XML read, decompressed.
pub const MAX_METADATA: u64 = 4 * 1024 * 1024;
/// Most METADATA.XML bytes read, decompressed, for one message: every submission set of
/// every XDM package it and the messages it encapsulates hold, together. Four times
/// [`MAX_METADATA`]: real packages hold a few sets of a few kilobytes each.
pub const MAX_METADATA_TOTAL: u64 = 4 * MAX_METADATA;
/// The OID of the INS (NIR) assigning authority.
pub const INS_OID: &str = "1.2.250.1.213.1.4.8";

/// ebXML classification schemes of the patient id: DocumentEntry, SubmissionSet.
const PATIENT_ID_SCHEMES: [&str; 2] = [
    "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427",
    "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446",
];

/// What a zip's first bytes are: a local file header, or the marker of a spanned
/// archive followed by one.
const ZIP_SIGNATURES: [&[u8]; 2] = [b"PK\x03\x04", b"PK\x07\x08PK\x03\x04"];

/// Content types a zip is sent as.
const ZIP_TYPES: [&str; 3] = ["zip", "x-zip-compressed", "x-zip"];

/// Why an XDM attachment could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum XdmError {
    /// Not a readable zip.
    #[error("the IHE XDM attachment is not a readable zip archive")]
    NotZip,
    /// Over [`MAX_ENTRIES`] entries.
    #[error("the IHE XDM attachment has too many entries")]
    TooManyEntries,
    /// One METADATA.XML over [`MAX_METADATA`] bytes once decompressed.
    #[error("the IHE XDM metadata is too large once decompressed")]
    TooLarge,
    /// The METADATA.XML files of one message over [`MAX_METADATA_TOTAL`] bytes
    /// together once decompressed.
    #[error("the IHE XDM metadata of this message is too large in total once decompressed")]
    TooMuchMetadata,
    /// No METADATA.XML, or one that does not decompress or is not well-formed XML.
    #[error("the IHE XDM attachment has no readable METADATA.XML")]
    NoMetadata,
    /// A local header names a METADATA.XML that the zip's directory does not list
    /// there (hidden, or a duplicate name).
    #[error("the IHE XDM attachment holds a METADATA.XML its zip directory does not list")]
    Inconsistent,
}

/// How an attachment may be an XDM package (see [`candidate`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Candidate {
    /// Named `IHE_XDM.zip`: an XDM package, which must be readable.
    Named,
    /// Another zip: an XDM package only if it holds an `IHE_XDM/…/METADATA.XML` entry.
    Zip,
}

/// Whether an attachment named `name` is an XDM package by its name.
pub fn is_xdm(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|n| n.eq_ignore_ascii_case("IHE_XDM.zip"))
}

/// Whether a part may be an XDM package, from its name, its content type (type and
/// subtype) and the first bytes of its decoded contents; `None` for anything that does
/// not look like a zip, which is never opened.
pub fn candidate(
    name: Option<&str>,
    content_type: Option<(&str, &str)>,
    contents: &[u8],
) -> Option<Candidate> {
    if name.is_some_and(is_xdm) {
        return Some(Candidate::Named);
    }
    let zip_name = name.is_some_and(|n| {
        n.len() > 4
            && n.get(n.len() - 4..)
                .is_some_and(|end| end.eq_ignore_ascii_case(".zip"))
    });
    let zip_type = content_type.is_some_and(|(ctype, subtype)| {
        ctype.eq_ignore_ascii_case("application")
            && ZIP_TYPES.iter().any(|t| subtype.eq_ignore_ascii_case(t))
    });
    let zip_bytes = ZIP_SIGNATURES.iter().any(|s| contents.starts_with(s));
    (zip_name || zip_type || zip_bytes).then_some(Candidate::Zip)
}

/// The patients (INS with a valid key) an XDM package named `IHE_XDM.zip` names, read
/// on its own (with a budget of its own).
pub fn patients_in_xdm(zip: &[u8]) -> Result<Vec<Ins>, XdmError> {
    Reader::default()
        .patients(zip, Candidate::Named)
        .map(Option::unwrap_or_default)
}

/// Reads the XDM packages of one message, all within one decompression budget
/// ([`MAX_METADATA_TOTAL`]): make one per message.
#[derive(Debug)]
pub struct Reader {
    /// METADATA.XML bytes that may still be decompressed.
    remaining: u64,
    /// The patients' names the packages read so far give (MS-11).
    names: Vec<String>,
}

impl Default for Reader {
    fn default() -> Self {
        Reader {
            remaining: MAX_METADATA_TOTAL,
            names: Vec::new(),
        }
    }
}

impl Reader {
    /// The patients (INS with a valid key) that every METADATA.XML of `zip` names, in
    /// order, once each. `Ok(None)` when a [`Candidate::Zip`] is not an XDM package (not
    /// a zip at all, or no XDM metadata in it); an error when it is one that cannot be
    /// read, or a [`Candidate::Named`] package that is not readable.
    pub fn patients(
        &mut self,
        zip: &[u8],
        candidate: Candidate,
    ) -> Result<Option<Vec<Ins>>, XdmError> {
        let local = local_metadata_headers(zip);
        let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(zip)) else {
            return if candidate == Candidate::Named || !local.is_empty() {
                Err(XdmError::NotZip)
            } else {
                Ok(None)
            };
        };
        let metadata: Vec<usize> = archive
            .file_names_raw()
            .enumerate()
            .filter(|(_, name)| is_metadata_name(name))
            .map(|(index, _)| index)
            .collect();
        if candidate == Candidate::Zip && metadata.is_empty() && local.is_empty() {
            return Ok(None);
        }
        if archive.len() > MAX_ENTRIES {
            return Err(XdmError::TooManyEntries);
        }
        let mut listed = Vec::with_capacity(metadata.len());
        for &index in &metadata {
            let entry = archive
                .by_index_raw(index)
                .map_err(|_| XdmError::NoMetadata)?;
            listed.push(entry.header_start());
        }
        if local.iter().any(|at| !listed.contains(at)) {
            return Err(XdmError::Inconsistent);
        }
        if metadata.is_empty() {
            return Err(XdmError::NoMetadata);
        }
        let mut found: Vec<Ins> = Vec::new();
        for index in metadata {
            let entry = archive.by_index(index).map_err(|_| XdmError::NoMetadata)?;
            let xml = self.read(entry)?;
            for ins in patients_in_metadata(&xml)? {
                if !found.contains(&ins) {
                    found.push(ins);
                }
            }
            for name in names_in_metadata(&xml) {
                if !self.names.contains(&name) {
                    self.names.push(name);
                }
            }
        }
        Ok(Some(found))
    }

    /// The names of the patients the packages read so far are about, "given family"
    /// (`sourcePatientInfo`'s `PID-5`), for the subject check (MS-11): never stored.
    pub fn into_names(self) -> Vec<String> {
        self.names
    }

    /// Decompresses one METADATA.XML within [`MAX_METADATA`] and what remains of the
    /// message's budget, never further.
    fn read(&mut self, entry: impl Read) -> Result<Vec<u8>, XdmError> {
        let limit = MAX_METADATA.min(self.remaining);
        let mut xml = Vec::new();
        entry
            .take(limit + 1)
            .read_to_end(&mut xml)
            .map_err(|_| XdmError::NoMetadata)?;
        let read = xml.len() as u64;
        if read > limit {
            self.remaining = 0;
            return Err(if limit == MAX_METADATA {
                XdmError::TooLarge
            } else {
                XdmError::TooMuchMetadata
            });
        }
        self.remaining -= read;
        Ok(xml)
    }
}

/// Whether a zip entry name is an XDM submission set's metadata,
/// `IHE_XDM/<set>/METADATA.XML` in any case, with `\` taken for `/` and a leading
/// `/` or `./` ignored, as lenient readers do.
fn is_metadata_name(name: &[u8]) -> bool {
    let name = String::from_utf8_lossy(name)
        .replace('\\', "/")
        .to_ascii_uppercase();
    let name = name.trim_start_matches(['/', '.']);
    name.starts_with("IHE_XDM/") && name.ends_with("/METADATA.XML")
}

/// Where in `zip` the local file headers that name an XDM METADATA.XML start: what a
/// reader streaming the zip, not reading its directory, would find. A linear scan for
/// the local header signature; a chance match inside compressed data would also need
/// to be followed by such a name.
fn local_metadata_headers(zip: &[u8]) -> Vec<u64> {
    const SIGNATURE: &[u8] = b"PK\x03\x04";
    /// The fixed part of a local header; the name follows it.
    const FIXED: usize = 30;
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(offset) = zip
        .get(at..)
        .and_then(|rest| rest.windows(SIGNATURE.len()).position(|w| w == SIGNATURE))
    {
        let start = at + offset;
        if let Some(fixed) = zip.get(start..start + FIXED) {
            let name_len = usize::from(u16::from_le_bytes([fixed[26], fixed[27]]));
            if let Some(name) = zip.get(start + FIXED..start + FIXED + name_len)
                && is_metadata_name(name)
            {
                found.push(start as u64);
            }
        }
        at = start + SIGNATURE.len();
    }
    found
}

/// The patients the `ExternalIdentifier`s of the patient-id schemes name.
fn patients_in_metadata(xml: &[u8]) -> Result<Vec<Ins>, XdmError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut found: Vec<Ins> = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e))
                if e.local_name().as_ref() == "ExternalIdentifier" =>
            {
                let mut scheme = None;
                let mut value = None;
                for attribute in e.attributes().flatten() {
                    let text = attribute
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_default();
                    match attribute.key.local_name().as_ref() {
                        "identificationScheme" => scheme = Some(text),
                        "value" => value = Some(text),
                        _ => {}
                    }
                }
                if let (Some(scheme), Some(value)) = (scheme, value)
                    && PATIENT_ID_SCHEMES.contains(&scheme.as_str())
                    && let Some(ins) = ins_of_cx(&value)
                    && !found.contains(&ins)
                {
                    found.push(ins);
                }
            }
            Ok(Event::Eof) => return Ok(found),
            Err(_) => return Err(XdmError::NoMetadata),
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// The patients' names of the `sourcePatientInfo` slots: each `PID-5|` value, an HL7
/// XPN list (`family^given^…`, repeated with `~`), as "given family".
fn names_in_metadata(xml: &[u8]) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut names = Vec::new();
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Text(text)) => {
                let text = text.xml10_content();
                if let Some(xpn) = text.trim().strip_prefix("PID-5|") {
                    names.extend(xpn.split('~').filter_map(person_name));
                }
            }
            Ok(Event::Eof) | Err(_) => return names,
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// "given family" of one HL7 XPN value `family^given^second^…`; `None` when it has no
/// family name.
fn person_name(xpn: &str) -> Option<String> {
    let mut components = xpn.split('^').map(str::trim);
    let family = components.next().filter(|f| !f.is_empty())?;
    Some(match components.next().filter(|g| !g.is_empty()) {
        Some(given) => format!("{given} {family}"),
        None => family.to_owned(),
    })
}

/// The INS in an HL7 CX value `<id>^^^&1.2.250.1.213.1.4.8&ISO`, if its key is valid.
fn ins_of_cx(cx: &str) -> Option<Ins> {
    let (id, rest) = cx.split_once("^^^")?;
    let oid = rest.split('&').nth(1)?;
    (oid == INS_OID).then(|| Ins::parse(id).ok()).flatten()
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use super::*;

    /// METADATA.XML naming the CX identifiers `ids` in document entries.
    pub(crate) fn metadata(ids: &[&str]) -> String {
        let entries: String = ids
            .iter()
            .map(|id| {
                format!(
                    r#"<rim:ExtrinsicObject id="doc"><rim:ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="{id}" registryObject="doc"/></rim:ExtrinsicObject>"#
                )
            })
            .collect();
        format!(
            r#"<?xml version="1.0"?><lcm:SubmitObjectsRequest xmlns:lcm="urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"><rim:RegistryObjectList>{entries}</rim:RegistryObjectList></lcm:SubmitObjectsRequest>"#
        )
    }

    /// A zip of `files`, deflated.
    pub(crate) fn xdm_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            for (name, data) in files {
                zip.start_file(*name, options).unwrap();
                zip.write_all(data).unwrap();
            }
            zip.finish().unwrap();
        }
        out.into_inner()
    }

    #[test]
    fn ms9_the_ins_of_the_document_entries_is_found() {
        let xml = metadata(&[
            "295109912611193^^^&amp;1.2.250.1.213.1.4.8&amp;ISO",
            "295109912611193^^^&amp;1.2.250.1.213.1.4.8&amp;ISO",
            "123^^^&amp;1.2.3.4&amp;ISO",
            "295109912611194^^^&amp;1.2.250.1.213.1.4.8&amp;ISO",
        ]);
        let zip = xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", xml.as_bytes()),
            ("IHE_XDM/SUBSET01/DOC0001.PDF", b"%PDF-1.4"),
            ("INDEX.HTM", b"<html/>"),
        ]);
        let found = patients_in_xdm(&zip).unwrap();
        assert_eq!(found.len(), 1, "one valid INS, once");
        assert_eq!(found[0].expose(), "295109912611193");
    }

    #[test]
    fn ms9_unreadable_or_hostile_archives_are_errors() {
        assert_eq!(patients_in_xdm(b"not a zip"), Err(XdmError::NotZip));
        let no_metadata = xdm_zip(&[("IHE_XDM/SUBSET01/DOC.PDF", b"x")]);
        assert_eq!(patients_in_xdm(&no_metadata), Err(XdmError::NoMetadata));
        let broken = xdm_zip(&[("IHE_XDM/SUBSET01/METADATA.XML", b"<a><b></a>")]);
        assert_eq!(patients_in_xdm(&broken), Err(XdmError::NoMetadata));
        // A bomb: 16 MiB of zeros compress to a few KiB; reading stops at 4 MiB.
        let zeros = vec![0u8; 16 * 1024 * 1024];
        let bomb = xdm_zip(&[("IHE_XDM/SUBSET01/METADATA.XML", &zeros)]);
        assert!(bomb.len() < 1024 * 1024);
        assert_eq!(patients_in_xdm(&bomb), Err(XdmError::TooLarge));
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|n| format!("f{n}")).collect();
        let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        assert_eq!(
            patients_in_xdm(&xdm_zip(&files)),
            Err(XdmError::TooManyEntries)
        );
    }

    #[test]
    fn ms11_the_patients_names_of_source_patient_info_are_read() {
        let xml = r#"<r><Slot name="sourcePatientInfo"><ValueList>
            <Value>PID-3|295109912611193^^^&amp;1.2.250.1.213.1.4.8&amp;ISO^NH</Value>
            <Value>PID-5|DURAND^Camille^^^Mme~MARTIN^Camille</Value>
            <Value>PID-5|X</Value><Value>PID-5|^Sans</Value>
            <Value>PID-7|19951001</Value></ValueList></Slot></r>"#;
        assert_eq!(
            names_in_metadata(xml.as_bytes()),
            ["Camille DURAND", "Camille MARTIN", "X"]
        );
        let zip = xdm_zip(&[("IHE_XDM/SUBSET01/METADATA.XML", xml.as_bytes())]);
        let mut reader = Reader::default();
        reader.patients(&zip, Candidate::Named).unwrap();
        assert_eq!(reader.into_names().len(), 3);
    }

    #[test]
    fn xdm_attachments_are_recognised_by_name() {
        assert!(is_xdm("IHE_XDM.zip"));
        assert!(is_xdm("ihe_xdm.ZIP"));
        assert!(!is_xdm("other.zip"));
    }

    const OPPOSED: &str = "295109912611193^^^&amp;1.2.250.1.213.1.4.8&amp;ISO";
    const OTHER: &str = "184127645108946^^^&amp;1.2.250.1.213.1.4.8&amp;ISO";

    fn exposed(found: &[Ins]) -> Vec<&str> {
        found.iter().map(Ins::expose).collect()
    }

    #[test]
    fn ms9_every_submission_set_of_a_package_is_read() {
        let (first, second) = (metadata(&[OTHER]), metadata(&[OPPOSED]));
        let zip = xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", first.as_bytes()),
            ("IHE_XDM/SUBSET01/DOC0001.PDF", b"%PDF-1.4"),
            ("IHE_XDM/SUBSET02/METADATA.XML", second.as_bytes()),
            ("IHE_XDM/SUBSET02/DOC0001.PDF", b"%PDF-1.4"),
        ]);
        let found = patients_in_xdm(&zip).unwrap();
        assert_eq!(exposed(&found), ["184127645108946", "295109912611193"]);
        // Lenient spellings of the path are sets too.
        let third = metadata(&[OPPOSED]);
        let zip = xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", first.as_bytes()),
            ("ihe_xdm\\subset03\\metadata.xml", third.as_bytes()),
        ]);
        assert_eq!(exposed(&patients_in_xdm(&zip).unwrap()).len(), 2);
        // One unreadable set makes the package unreadable, wherever it is.
        let zip = xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", first.as_bytes()),
            ("IHE_XDM/SUBSET02/METADATA.XML", b"<a><b></a>"),
        ]);
        assert_eq!(patients_in_xdm(&zip), Err(XdmError::NoMetadata));
    }

    /// Valid XML of about `size` bytes (spaces), which compresses to almost nothing.
    fn padded_metadata(size: usize) -> Vec<u8> {
        let mut xml = metadata(&[OTHER]).into_bytes();
        let end = xml.len() - "</lcm:SubmitObjectsRequest>".len();
        xml.splice(end..end, std::iter::repeat_n(b' ', size));
        xml
    }

    #[test]
    fn ms9_the_metadata_of_a_message_is_bounded_in_total() {
        // Each set is under the per-file bound; together they are over the total.
        let set = padded_metadata(3 * 1024 * 1024);
        let names: Vec<String> = (1..=6)
            .map(|n| format!("IHE_XDM/SUBSET{n:02}/METADATA.XML"))
            .collect();
        let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &set[..])).collect();
        let bomb = xdm_zip(&files);
        assert!(bomb.len() < 1024 * 1024);
        assert_eq!(patients_in_xdm(&bomb), Err(XdmError::TooMuchMetadata));
        // Under the total in one package, over it across the packages of one message.
        let half = xdm_zip(&files[..3]);
        let mut reader = Reader::default();
        assert!(reader.patients(&half, Candidate::Named).unwrap().is_some());
        assert_eq!(
            reader.patients(&half, Candidate::Zip),
            Err(XdmError::TooMuchMetadata)
        );
        // Once spent, the budget stays spent.
        assert_eq!(
            reader.patients(&half, Candidate::Named),
            Err(XdmError::TooMuchMetadata)
        );
    }

    /// Name, content type, first bytes, and what [`candidate`] says of them.
    type Case<'a> = (
        Option<&'a str>,
        Option<(&'a str, &'a str)>,
        &'a [u8],
        Option<Candidate>,
    );

    #[test]
    fn ms9_zip_attachments_of_any_name_are_candidates() {
        let zip = Some(("application", "zip"));
        let octets = Some(("application", "octet-stream"));
        let table: [Case; 9] = [
            (Some("IHE_XDM.zip"), octets, b"", Some(Candidate::Named)),
            (Some("dir/ihe_xdm.ZIP"), None, b"", Some(Candidate::Named)),
            (Some("dossier.ZIP"), octets, b"", Some(Candidate::Zip)),
            (Some("dossier.bin"), zip, b"", Some(Candidate::Zip)),
            (
                None,
                Some(("Application", "X-Zip-Compressed")),
                b"",
                Some(Candidate::Zip),
            ),
            (None, octets, b"PK\x03\x04rest", Some(Candidate::Zip)),
            (
                Some("scan.pdf"),
                Some(("application", "pdf")),
                b"%PDF-1.4",
                None,
            ),
            (Some(".zip.txt"), Some(("text", "plain")), b"PK", None),
            (None, None, b"Bonjour", None),
        ];
        for (name, content_type, contents, expected) in table {
            assert_eq!(
                candidate(name, content_type, contents),
                expected,
                "{name:?} {content_type:?}"
            );
        }
    }

    #[test]
    fn ms9_a_zip_of_another_name_holding_xdm_metadata_is_read() {
        let xml = metadata(&[OPPOSED]);
        let zip = xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", xml.as_bytes()),
            ("README.TXT", b"XDM"),
        ]);
        let found = Reader::default().patients(&zip, Candidate::Zip).unwrap();
        assert_eq!(exposed(&found.unwrap()), ["295109912611193"]);
        // An XDM package under another name is read as strictly as IHE_XDM.zip.
        let broken = xdm_zip(&[("IHE_XDM/SUBSET01/METADATA.XML", b"<a><b></a>")]);
        assert_eq!(
            Reader::default().patients(&broken, Candidate::Zip),
            Err(XdmError::NoMetadata)
        );
    }

    #[test]
    fn ms9_a_zip_without_xdm_metadata_is_not_xdm() {
        let plain = xdm_zip(&[("rapport.pdf", b"%PDF-1.4"), ("IHE_XDM/README", b"x")]);
        assert_eq!(Reader::default().patients(&plain, Candidate::Zip), Ok(None));
        assert_eq!(
            Reader::default().patients(b"PK\x03\x04junk", Candidate::Zip),
            Ok(None)
        );
        assert_eq!(Reader::default().patients(b"", Candidate::Zip), Ok(None));
        // Many entries are fine in a zip that is not XDM.
        let names: Vec<String> = (0..=MAX_ENTRIES).map(|n| format!("f{n}")).collect();
        let files: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        assert_eq!(
            Reader::default().patients(&xdm_zip(&files), Candidate::Zip),
            Ok(None)
        );
        // The same plain zip named IHE_XDM.zip is an unreadable package.
        assert_eq!(patients_in_xdm(&plain), Err(XdmError::NoMetadata));
    }

    #[test]
    fn ms9_metadata_the_zip_directory_hides_is_an_error() {
        let (shown, hidden) = (metadata(&[OTHER]), metadata(&[OPPOSED]));
        let zip = xdm_zip(&[
            ("IHE_XDM/SUBSET01/METADATA.XML", shown.as_bytes()),
            ("IHE_XDM/SUBSET02/METADATA.XML", hidden.as_bytes()),
        ]);
        // Rename the second set in the central directory only: its local header still
        // names it, as a streaming reader would see it.
        let name = b"IHE_XDM/SUBSET02/METADATA.XML";
        let central = zip.windows(name.len()).rposition(|w| w == name).unwrap();
        let mut renamed = zip.clone();
        renamed[central + name.len() - 1] = b'_';
        assert_eq!(patients_in_xdm(&renamed), Err(XdmError::Inconsistent));
        assert_eq!(
            Reader::default().patients(&renamed, Candidate::Zip),
            Err(XdmError::Inconsistent)
        );
        // Cut before its directory, the zip does not open; its local headers still say
        // it is XDM.
        let truncated = &zip[..zip.len() / 2];
        assert_eq!(
            Reader::default().patients(truncated, Candidate::Zip),
            Err(XdmError::NotZip)
        );
    }
}
