//! What the rules do with content the server cannot read: S/MIME enveloped data
//! (RFC 8551 `application/pkcs7-mime; smime-type=enveloped-data` or
//! `authEnveloped-data`), end to end from the sender's workstation to the
//! recipient's (MS-3). The header block stays in clear, the body does not:
//!
//! - MS-9 (patient opposition): the patient a message concerns is read from
//!   `X-MSS-INS` in clear. An enveloped message to a patient, or one whose XDM
//!   package is enveloped, must carry it, or it is refused ([`check_patient_declared`]):
//!   the server cannot open the package to find the patient.
//! - MS-11 (pseudonymised subjects): the subject is never enveloped; it is checked
//!   as for any message.
//! - MS-13 (antivirus): the scanner is given the message as it is and cannot see
//!   inside an envelope; an enveloped message is accepted because its sender is an
//!   authenticated, verified account of the trust space (MS-2, MS-5), see
//!   `docs/operations.md` ("Encrypted mail and the rules").

use crate::{Refusal, Requirement};

/// How a message, or one of its parts, is protected, as its `Content-Type` says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Protection {
    /// Readable by the server.
    #[default]
    Clear,
    /// Signed (`multipart/signed`, or `application/pkcs7-mime` signed-data): still
    /// readable by the server.
    Signed,
    /// Enveloped to its recipients' certificates: unreadable by the server.
    Enveloped,
}

impl Protection {
    /// The protection a `Content-Type` of `ctype/subtype` with the `smime-type`
    /// parameter `smime_type` (and attachment name `name`) states. An
    /// `application/pkcs7-mime` (or the older `application/x-pkcs7-mime`) part without
    /// `smime-type` named `*.p7m` is enveloped, as older clients send it.
    pub fn of(ctype: &str, subtype: &str, smime_type: Option<&str>, name: Option<&str>) -> Self {
        let (ctype, subtype) = (ctype.to_ascii_lowercase(), subtype.to_ascii_lowercase());
        match (ctype.as_str(), subtype.as_str()) {
            ("multipart", "signed") => Protection::Signed,
            ("application", "pkcs7-mime" | "x-pkcs7-mime") => {
                match smime_type.map(str::to_ascii_lowercase).as_deref() {
                    Some("enveloped-data" | "authenveloped-data") => Protection::Enveloped,
                    Some("signed-data") => Protection::Signed,
                    Some(_) => Protection::Clear,
                    None if name.is_some_and(|n| n.to_ascii_lowercase().ends_with(".p7m")) => {
                        Protection::Enveloped
                    }
                    None => Protection::Clear,
                }
            }
            _ => Protection::Clear,
        }
    }
}

/// Whether an attachment's name is that of an IHE XDM package, enveloped or not
/// (`IHE_XDM.zip`, `IHE_XDM.zip.p7m`…).
pub fn is_xdm_name(name: &str) -> bool {
    name.to_ascii_uppercase().starts_with("IHE_XDM")
}

/// An enveloped message sent to a patient, or with an enveloped XDM package, must say
/// in clear which patient it concerns (`X-MSS-INS`), or it is refused (MS-9): the
/// server cannot read the package or the text to check the patient's opposition.
/// `enveloped`: the message as a whole; `enveloped_xdm`: a part named as an XDM
/// package is enveloped; `declared`: it carries a valid `X-MSS-INS`.
pub fn check_patient_declared(
    enveloped: bool,
    to_patient: bool,
    enveloped_xdm: bool,
    declared: bool,
) -> Result<(), Refusal> {
    if declared || !(enveloped_xdm || enveloped && to_patient) {
        return Ok(());
    }
    let why = if enveloped_xdm {
        "its IHE XDM package is encrypted"
    } else {
        "it is encrypted and addressed to a patient"
    };
    Err(Refusal {
        requirement: Requirement::Ms9,
        reason: format!(
            "{why}, so the server cannot check the objection of the patient it concerns; \
             name the patient in an X-MSS-INS header (the INS, in clear) and send again"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms3_protection_of_content_types() {
        let of = Protection::of;
        let enveloped = Protection::Enveloped;
        assert_eq!(
            of("application", "pkcs7-mime", Some("enveloped-data"), None),
            enveloped
        );
        assert_eq!(
            of(
                "Application",
                "PKCS7-MIME",
                Some("authEnveloped-data"),
                None
            ),
            enveloped
        );
        assert_eq!(
            of("application", "x-pkcs7-mime", None, Some("smime.p7m")),
            enveloped
        );
        assert_eq!(
            of("application", "pkcs7-mime", Some("signed-data"), None),
            Protection::Signed
        );
        assert_eq!(of("multipart", "signed", None, None), Protection::Signed);
        assert_eq!(
            of("application", "pkcs7-mime", Some("certs-only"), None),
            Protection::Clear
        );
        assert_eq!(of("text", "plain", None, None), Protection::Clear);
        assert!(is_xdm_name("IHE_XDM.zip.p7m") && !is_xdm_name("compte-rendu.pdf"));
    }

    /// The whole decision table of an enveloped message and MS-9.
    #[test]
    fn ms9_enveloped_to_a_patient_or_with_an_enveloped_xdm_must_name_the_patient() {
        for enveloped in [false, true] {
            for to_patient in [false, true] {
                for xdm in [false, true] {
                    for declared in [false, true] {
                        let refused = !declared && (xdm || enveloped && to_patient);
                        let decision = check_patient_declared(enveloped, to_patient, xdm, declared);
                        assert_eq!(decision.is_err(), refused);
                        if let Err(refusal) = decision {
                            assert_eq!(refusal.requirement, Requirement::Ms9);
                            assert!(refusal.reason.contains("X-MSS-INS"));
                        }
                    }
                }
            }
        }
    }
}
