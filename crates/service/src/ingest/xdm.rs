//! Which patient an IHE XDM attachment is about (MS-9): an `IHE_XDM.zip` holding
//! `IHE_XDM/SUBSETnn/METADATA.XML`, whose document entries (and submission set) carry
//! the patient's identifier as an HL7 CX value `<id>^^^&<OID>&ISO`; the INS is the one
//! with OID `1.2.250.1.213.1.4.8`. The zip is read defensively: at most
//! [`MAX_ENTRIES`] entries, and the metadata decompressed up to [`MAX_METADATA`] bytes
//! only, so a zip bomb costs nothing but a refusal.

use std::io::Read;

use caduceus_core::Ins;
use quick_xml::events::Event;

/// Most entries an XDM zip may hold.
pub const MAX_ENTRIES: usize = 1_000;
/// Largest METADATA.XML read, decompressed.
pub const MAX_METADATA: u64 = 4 * 1024 * 1024;
/// The OID of the INS (NIR) assigning authority.
pub const INS_OID: &str = "1.2.250.1.213.1.4.8";

/// ebXML classification schemes of the patient id: DocumentEntry, SubmissionSet.
const PATIENT_ID_SCHEMES: [&str; 2] = [
    "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427",
    "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446",
];

/// Why an XDM attachment could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum XdmError {
    /// Not a readable zip.
    #[error("the IHE XDM attachment is not a readable zip archive")]
    NotZip,
    /// Over [`MAX_ENTRIES`] entries.
    #[error("the IHE XDM attachment has too many entries")]
    TooManyEntries,
    /// METADATA.XML over [`MAX_METADATA`] bytes once decompressed.
    #[error("the IHE XDM metadata is too large once decompressed")]
    TooLarge,
    /// No METADATA.XML, or not well-formed XML.
    #[error("the IHE XDM attachment has no readable METADATA.XML")]
    NoMetadata,
}

/// Whether an attachment named `name` is an XDM package.
pub fn is_xdm(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|n| n.eq_ignore_ascii_case("IHE_XDM.zip"))
}

/// The patients (INS with a valid key) an XDM zip's metadata names.
pub fn patients_in_xdm(zip: &[u8]) -> Result<Vec<Ins>, XdmError> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(|_| XdmError::NotZip)?;
    if archive.len() > MAX_ENTRIES {
        return Err(XdmError::TooManyEntries);
    }
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok().map(|n| n.into_owned()))
        .collect();
    let metadata = names
        .iter()
        .find(|n| {
            let upper = n.to_ascii_uppercase();
            upper.starts_with("IHE_XDM/") && upper.ends_with("/METADATA.XML")
        })
        .ok_or(XdmError::NoMetadata)?;
    let entry = archive
        .by_name(metadata)
        .map_err(|_| XdmError::NoMetadata)?;
    let mut xml = Vec::new();
    entry
        .take(MAX_METADATA + 1)
        .read_to_end(&mut xml)
        .map_err(|_| XdmError::NoMetadata)?;
    if xml.len() as u64 > MAX_METADATA {
        return Err(XdmError::TooLarge);
    }
    patients_in_metadata(&xml)
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

/// The INS in an HL7 CX value `<id>^^^&1.2.250.1.213.1.4.8&ISO`, if its key is valid.
fn ins_of_cx(cx: &str) -> Option<Ins> {
    let (id, rest) = cx.split_once("^^^")?;
    let oid = rest.split('&').nth(1)?;
    (oid == INS_OID).then(|| Ins::parse(id).ok()).flatten()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn metadata(ids: &[&str]) -> String {
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
    fn xdm_attachments_are_recognised_by_name() {
        assert!(is_xdm("IHE_XDM.zip"));
        assert!(is_xdm("ihe_xdm.ZIP"));
        assert!(!is_xdm("other.zip"));
    }
}
