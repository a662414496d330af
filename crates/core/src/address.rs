//! Mail domains and addresses, and the patient mailbox convention (ID-5).
//!
//! Addresses are kept lower case, whole: the domain because DNS ignores
//! case, the local part because this server creates all its mailboxes in
//! lower case and treats `Alice@…` and `alice@…` as the same mailbox. Only
//! the dot-atom form of RFC 5321 is accepted (no quoted local parts, no
//! address literals, no internationalized addresses), which covers every
//! address the service hands out.
//!
//! A patient's mailbox is `<INS>@patient.<operator domain>` (ID-5); see
//! [`MailAddress::patient`] and [`MailAddress::classify`]. Such an address
//! holds patient identity, so the `Debug` output of a [`MailAddress`] at a
//! `patient.` domain hides its local part, and the errors of this module
//! never repeat a local part.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ident::{IdentError, Ins};

/// The most characters in a domain name (RFC 1035, written form).
const DOMAIN_MAX: usize = 253;
/// The most characters in a domain label.
const LABEL_MAX: usize = 63;
/// The most characters in a local part (RFC 5321 §4.5.3.1.1).
const LOCAL_MAX: usize = 64;
/// The most characters in an address: a path is at most 256 octets
/// including the angle brackets (RFC 5321 §4.5.3.1.3).
const ADDRESS_MAX: usize = 254;
/// The first label of every patient domain.
const PATIENT_LABEL: &str = "patient";

/// Why a domain or a mail address was refused.
///
/// Positions count characters from 1, within the domain or the local part.
/// No variant carries the local part itself: it may be a patient's INS.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The domain is empty or longer than 253 characters.
    #[error("domain must be 1 to 253 characters, got {got}")]
    DomainLength {
        /// The domain's length.
        got: usize,
    },
    /// A domain character is not a letter, digit, `-` or `.`.
    #[error(
        "character {ch:?} at position {position} of the domain is not a letter, a digit, '-' or '.'"
    )]
    DomainCharacter {
        /// The offending character.
        ch: char,
        /// Its position in the domain, counted from 1.
        position: usize,
    },
    /// A label is empty (leading, trailing or doubled dot) or longer than
    /// 63 characters.
    #[error("label {label} of the domain must be 1 to 63 characters, got {got}")]
    LabelLength {
        /// Which label, counted from 1 on the left.
        label: usize,
        /// The label's length.
        got: usize,
    },
    /// A label starts or ends with a hyphen.
    #[error("label {label} of the domain starts or ends with '-'")]
    LabelHyphen {
        /// Which label, counted from 1 on the left.
        label: usize,
    },
    /// The domain has a single label.
    #[error("domain must have at least two labels, got {got}")]
    TooFewLabels {
        /// How many labels the domain has.
        got: usize,
    },
    /// The address is longer than 254 characters.
    #[error("mail address must be at most 254 characters, got {got}")]
    AddressLength {
        /// The address's length.
        got: usize,
    },
    /// The address does not have exactly one `@`.
    #[error("mail address must contain exactly one '@', found {found}")]
    At {
        /// How many `@` the input has.
        found: usize,
    },
    /// The local part is empty or longer than 64 characters.
    #[error("local part must be 1 to 64 characters, got {got}")]
    LocalLength {
        /// The local part's length.
        got: usize,
    },
    /// A local-part character is outside the dot-atom set.
    #[error(
        "character {ch:?} at position {position} of the local part is not allowed \
         (letters, digits and !#$%&'*+/=?^_`{{|}}~.- only)"
    )]
    LocalCharacter {
        /// The offending character (never a letter or digit).
        ch: char,
        /// Its position in the local part, counted from 1.
        position: usize,
    },
    /// The local part starts or ends with a dot, or has two in a row.
    #[error("dot at position {position} of the local part is leading, trailing or doubled")]
    LocalDot {
        /// The position of the misplaced dot in the local part, counted from 1.
        position: usize,
    },
}

/// Why an address at the patient domain is not a patient mailbox.
///
/// The reason is an [`IdentError`] raised by [`Ins::parse`], which never
/// carries the number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PatientAddressError {
    /// The local part is not a valid INS.
    #[error("the local part of a patient address is not a valid INS: {0}")]
    InvalidIns(IdentError),
}

/// A domain name: ASCII letters, digits and hyphens in dot-separated labels
/// (at least two), each 1 to 63 characters and not starting or ending with a
/// hyphen, 253 characters at most. Kept lower case.
///
/// ```
/// use caduceus_core::Domain;
/// assert_eq!(Domain::parse("Hopital.Example")?.as_str(), "hopital.example");
/// # Ok::<(), caduceus_core::AddressError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

impl Domain {
    /// Parses a domain name, case-insensitively.
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        let got = s.chars().count();
        if !(1..=DOMAIN_MAX).contains(&got) {
            return Err(AddressError::DomainLength { got });
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.');
        if let Some((i, ch)) = s.chars().enumerate().find(|&(_, c)| !allowed(c)) {
            return Err(AddressError::DomainCharacter {
                ch,
                position: i + 1,
            });
        }
        let mut labels = 0;
        for (i, label) in s.split('.').enumerate() {
            labels += 1;
            if !(1..=LABEL_MAX).contains(&label.len()) {
                return Err(AddressError::LabelLength {
                    label: i + 1,
                    got: label.len(),
                });
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(AddressError::LabelHyphen { label: i + 1 });
            }
        }
        if labels < 2 {
            return Err(AddressError::TooFewLabels { got: labels });
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    /// The domain, lower case.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Compares with the lower-case form, so `"Example.FR"` is not equal.
impl PartialEq<str> for Domain {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl AsRef<str> for Domain {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<Domain> for String {
    fn from(value: Domain) -> String {
        value.0
    }
}

parse_conversions!(Domain, AddressError);

/// What an address is to this operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressKind {
    /// The mailbox of the patient with this INS (ID-5).
    Patient(Ins),
    /// Any other address: a professional, a structure's or an application's
    /// mailbox, here or at another operator.
    Professional,
}

/// A mail address `local@domain` in the dot-atom form of RFC 5321, kept
/// lower case.
///
/// The local part is 1 to 64 characters among letters, digits and
/// ``!#$%&'*+/=?^_`{|}~.-``, with no leading, trailing or doubled dot; the
/// domain is a [`Domain`]; the whole is at most 254 characters.
///
/// There is no `Display`: a patient's address holds their INS (TR-5). Use
/// [`as_str`](MailAddress::as_str) where the address must be written (an
/// SMTP envelope, a header, the store). `Debug` hides the local part of any
/// address whose domain starts with `patient.`.
///
/// ```
/// use caduceus_core::{Domain, MailAddress};
/// let address = MailAddress::parse("Dr.Martin@Hopital.Example")?;
/// assert_eq!(address.as_str(), "dr.martin@hopital.example");
/// assert_eq!(address.local_part(), "dr.martin");
/// assert_eq!(address.domain(), &Domain::parse("hopital.example")?);
/// # Ok::<(), caduceus_core::AddressError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MailAddress {
    /// The whole address, lower case.
    address: String,
    /// The byte index of the `@` in `address`.
    at: usize,
    /// The part after the `@`, kept parsed so that `domain()` can lend it.
    domain: Domain,
}

impl MailAddress {
    /// Parses an address, case-insensitively (it is kept lower case).
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        let got = s.chars().count();
        if got > ADDRESS_MAX {
            return Err(AddressError::AddressLength { got });
        }
        let found = s.matches('@').count();
        let Some((local, domain)) = s.split_once('@').filter(|_| found == 1) else {
            return Err(AddressError::At { found });
        };
        check_local_part(local)?;
        let domain = Domain::parse(domain)?;
        Ok(Self {
            address: s.to_ascii_lowercase(),
            at: local.len(),
            domain,
        })
    }

    /// The mailbox of the patient with this INS at this operator:
    /// `<INS>@patient.<operator domain>` (ID-5).
    ///
    /// It fails only when the operator domain is so long (over 230
    /// characters) that the address would exceed 254 characters.
    pub fn patient(ins: &Ins, operator_domain: &Domain) -> Result<Self, AddressError> {
        Self::parse(&format!(
            "{}@{PATIENT_LABEL}.{operator_domain}",
            ins.expose()
        ))
    }

    /// Tells a patient's mailbox at this operator (an address at
    /// `patient.<operator domain>`) from any other address.
    ///
    /// An address at the patient domain whose local part is not a valid INS
    /// is an error, not a professional address.
    pub fn classify(&self, operator_domain: &Domain) -> Result<AddressKind, PatientAddressError> {
        if self.patient_operator() != Some(operator_domain.as_str()) {
            return Ok(AddressKind::Professional);
        }
        Ins::parse(self.local_part())
            .map(AddressKind::Patient)
            .map_err(PatientAddressError::InvalidIns)
    }

    /// The INS of a patient's mailbox at any operator (`<INS>@patient.<domain>`);
    /// `None` for any other address (MS-8: who is a patient).
    pub fn patient_ins(&self) -> Option<Ins> {
        self.domain
            .as_str()
            .strip_prefix(PATIENT_LABEL)?
            .strip_prefix('.')?;
        Ins::parse(self.local_part()).ok()
    }

    /// The whole address, lower case.
    pub fn as_str(&self) -> &str {
        &self.address
    }

    /// The part before the `@`.
    pub fn local_part(&self) -> &str {
        &self.address[..self.at]
    }

    /// The part after the `@`.
    pub fn domain(&self) -> &Domain {
        &self.domain
    }

    /// Whether the address is one of the operator of `operator_domain`: at that
    /// domain, or at its patient domain `patient.<domain>` (ID-5).
    pub fn is_at(&self, operator_domain: &Domain) -> bool {
        self.domain == *operator_domain || self.patient_operator() == Some(operator_domain.as_str())
    }

    /// For an address at `patient.<x>`, the operator domain `<x>`.
    fn patient_operator(&self) -> Option<&str> {
        self.domain
            .as_str()
            .strip_prefix(PATIENT_LABEL)?
            .strip_prefix('.')
    }
}

impl fmt::Debug for MailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patient_operator().is_some() {
            write!(f, "MailAddress(\"[redacted]@{}\")", self.domain)
        } else {
            write!(f, "MailAddress({:?})", self.address)
        }
    }
}

impl AsRef<str> for MailAddress {
    fn as_ref(&self) -> &str {
        &self.address
    }
}

impl From<MailAddress> for String {
    fn from(value: MailAddress) -> String {
        value.address
    }
}

parse_conversions!(MailAddress, AddressError);

/// Checks a dot-atom local part.
fn check_local_part(local: &str) -> Result<(), AddressError> {
    let got = local.chars().count();
    if !(1..=LOCAL_MAX).contains(&got) {
        return Err(AddressError::LocalLength { got });
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    let mut previous = None;
    for (i, ch) in local.chars().enumerate() {
        if !allowed(ch) {
            return Err(AddressError::LocalCharacter {
                ch,
                position: i + 1,
            });
        }
        let misplaced_dot = ch == '.' && (i == 0 || i + 1 == got || previous == Some('.'));
        if misplaced_dot {
            return Err(AddressError::LocalDot { position: i + 1 });
        }
        previous = Some(ch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_address_is_at_its_operator_or_its_patient_domain() {
        let ours = Domain::parse("hopital.example").unwrap();
        let at = |a: &str| MailAddress::parse(a).unwrap().is_at(&ours);
        assert!(at("alice@hopital.example"));
        assert!(at("295109912611193@patient.hopital.example"));
        assert!(!at("carla@autre.example"));
        assert!(!at("x@patient.autre.example"));
        assert!(!at("x@sub.hopital.example"));
        assert!(!at("x@patient.hopital.example.evil"));
    }

    use super::*;
    use proptest::prelude::*;

    fn operator() -> Domain {
        Domain::parse("hopital.example").unwrap()
    }

    #[test]
    fn valid_domains_are_kept_lower_case() {
        let cases = [
            ("example.fr", "example.fr"),
            ("Hopital.Example", "hopital.example"),
            ("a.b", "a.b"),
            ("xn--hpital-fva.example", "xn--hpital-fva.example"),
            ("mail-1.sub.example.org", "mail-1.sub.example.org"),
            ("123.example", "123.example"),
        ];
        for (input, kept) in cases {
            let domain = Domain::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(domain.as_str(), kept);
            assert_eq!(domain.to_string(), kept);
        }
        let longest = [
            &"a".repeat(63)[..],
            &"b".repeat(63),
            &"c".repeat(63),
            &"d".repeat(61),
        ]
        .join(".");
        assert_eq!(longest.len(), 253);
        assert!(Domain::parse(&longest).is_ok());
    }

    #[test]
    fn invalid_domains_are_refused_with_the_reason() {
        let long_label = format!("{}.example", "a".repeat(64));
        let too_long = [
            &"a".repeat(63)[..],
            &"b".repeat(63),
            &"c".repeat(63),
            &"d".repeat(62),
        ]
        .join(".");
        let cases = [
            ("", "domain must be 1 to 253 characters, got 0".to_owned()),
            (
                &too_long[..],
                "domain must be 1 to 253 characters, got 254".to_owned(),
            ),
            (
                "localhost",
                "domain must have at least two labels, got 1".to_owned(),
            ),
            (
                ".example.fr",
                "label 1 of the domain must be 1 to 63 characters, got 0".to_owned(),
            ),
            (
                "example.fr.",
                "label 3 of the domain must be 1 to 63 characters, got 0".to_owned(),
            ),
            (
                "example..fr",
                "label 2 of the domain must be 1 to 63 characters, got 0".to_owned(),
            ),
            (
                &long_label[..],
                "label 1 of the domain must be 1 to 63 characters, got 64".to_owned(),
            ),
            (
                "-mail.example",
                "label 1 of the domain starts or ends with '-'".to_owned(),
            ),
            (
                "mail.example-",
                "label 2 of the domain starts or ends with '-'".to_owned(),
            ),
            (
                "exa_mple.fr",
                "character '_' at position 4 of the domain is not a letter, a digit, '-' or '.'"
                    .to_owned(),
            ),
            (
                "hôpital.fr",
                "character 'ô' at position 2 of the domain is not a letter, a digit, '-' or '.'"
                    .to_owned(),
            ),
        ];
        for (input, message) in cases {
            let err = Domain::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn valid_addresses_are_kept_lower_case() {
        let cases = [
            ("alice@example.fr", "alice", "example.fr"),
            ("Dr.Martin@Hopital.Example", "dr.martin", "hopital.example"),
            (
                "secretariat.cardio+urgent@chu.example",
                "secretariat.cardio+urgent",
                "chu.example",
            ),
            (
                "!#$%&'*+/=?^_`{|}~-@x.example",
                "!#$%&'*+/=?^_`{|}~-",
                "x.example",
            ),
            ("a@b.c", "a", "b.c"),
        ];
        for (input, local, domain) in cases {
            let address = MailAddress::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(address.as_str(), format!("{local}@{domain}"));
            assert_eq!(address.local_part(), local);
            assert_eq!(address.domain().as_str(), domain);
        }
        let longest_local = format!("{}@example.fr", "a".repeat(64));
        assert!(MailAddress::parse(&longest_local).is_ok());
    }

    #[test]
    fn invalid_addresses_are_refused_with_the_reason() {
        let long_local = format!("{}@example.fr", "a".repeat(65));
        let long_address = format!(
            "{}@{}.{}.{}.fr",
            "a".repeat(64),
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(59)
        );
        let cases = [
            (
                "",
                "mail address must contain exactly one '@', found 0".to_owned(),
            ),
            (
                "alice.example.fr",
                "mail address must contain exactly one '@', found 0".to_owned(),
            ),
            (
                "a@b@example.fr",
                "mail address must contain exactly one '@', found 2".to_owned(),
            ),
            (
                "@example.fr",
                "local part must be 1 to 64 characters, got 0".to_owned(),
            ),
            (
                &long_local[..],
                "local part must be 1 to 64 characters, got 65".to_owned(),
            ),
            (
                &long_address[..],
                "mail address must be at most 254 characters, got 255".to_owned(),
            ),
            (
                ".alice@example.fr",
                "dot at position 1 of the local part is leading, trailing or doubled".to_owned(),
            ),
            (
                "alice.@example.fr",
                "dot at position 6 of the local part is leading, trailing or doubled".to_owned(),
            ),
            (
                "al..ice@example.fr",
                "dot at position 4 of the local part is leading, trailing or doubled".to_owned(),
            ),
            (
                "al ice@example.fr",
                "character ' ' at position 3 of the local part is not allowed \
                 (letters, digits and !#$%&'*+/=?^_`{|}~.- only)"
                    .to_owned(),
            ),
            (
                "\"alice\"@example.fr",
                "character '\"' at position 1 of the local part is not allowed \
                 (letters, digits and !#$%&'*+/=?^_`{|}~.- only)"
                    .to_owned(),
            ),
            (
                "élise@example.fr",
                "character 'é' at position 1 of the local part is not allowed \
                 (letters, digits and !#$%&'*+/=?^_`{|}~.- only)"
                    .to_owned(),
            ),
            (
                "alice@localhost",
                "domain must have at least two labels, got 1".to_owned(),
            ),
            (
                "alice@",
                "domain must be 1 to 253 characters, got 0".to_owned(),
            ),
        ];
        for (input, message) in cases {
            let err = MailAddress::parse(input).expect_err(input);
            assert_eq!(err.to_string(), message, "{input}");
        }
    }

    #[test]
    fn id5_patient_mailbox_is_the_ins_at_the_patient_domain() {
        let ins = Ins::parse("295109912611193").unwrap();
        let address = MailAddress::patient(&ins, &operator()).unwrap();
        assert_eq!(address.as_str(), "295109912611193@patient.hopital.example");
        assert_eq!(address.classify(&operator()), Ok(AddressKind::Patient(ins)));
    }

    #[test]
    fn id5_corsican_patient_mailbox_classifies_back_to_the_ins() {
        let ins = Ins::parse("253072B07300470").unwrap();
        let address = MailAddress::patient(&ins, &operator()).unwrap();
        assert_eq!(address.local_part(), "253072b07300470");
        assert_eq!(address.classify(&operator()), Ok(AddressKind::Patient(ins)));
    }

    #[test]
    fn id5_other_addresses_are_professional() {
        let cases = [
            "dr.martin@hopital.example",
            "295109912611193@hopital.example",
            "295109912611193@patient.other.example",
            "295109912611193@x.patient.hopital.example",
            "someone@patients.hopital.example",
            "someone@patient.example",
        ];
        for input in cases {
            let address = MailAddress::parse(input).unwrap();
            assert_eq!(
                address.classify(&operator()),
                Ok(AddressKind::Professional),
                "{input}"
            );
        }
    }

    #[test]
    fn id5_patient_domain_address_without_a_valid_ins_is_an_error() {
        let cases = [
            (
                "dr.martin@patient.hopital.example",
                "INS must be 15 characters (13 + 2-digit key), got 9",
            ),
            (
                "295109912611194@patient.hopital.example",
                "INS check key is 94, expected 93",
            ),
            (
                "595109912611193@patient.hopital.example",
                "INS must start with 1, 2, 3, 4, 7 or 8",
            ),
        ];
        for (input, reason) in cases {
            let address = MailAddress::parse(input).unwrap();
            let err = address.classify(&operator()).expect_err(input);
            assert_eq!(
                err.to_string(),
                format!("the local part of a patient address is not a valid INS: {reason}")
            );
        }
    }

    #[test]
    fn tr5_patient_addresses_do_not_leak_through_debug() {
        let ins = Ins::parse("295109912611193").unwrap();
        let address = MailAddress::patient(&ins, &operator()).unwrap();
        assert_eq!(
            format!("{address:?}"),
            "MailAddress(\"[redacted]@patient.hopital.example\")"
        );
        let kind = address.classify(&operator()).unwrap();
        assert_eq!(format!("{kind:?}"), "Patient(Ins([redacted]))");
        let bad = MailAddress::parse("295109912611194@patient.hopital.example").unwrap();
        let err = bad.classify(&operator()).unwrap_err();
        for shown in [format!("{bad:?}"), format!("{err:?}"), err.to_string()] {
            assert!(!shown.contains("2951099126"), "{shown}");
        }
        let professional = MailAddress::parse("alice@hopital.example").unwrap();
        assert_eq!(
            format!("{professional:?}"),
            "MailAddress(\"alice@hopital.example\")"
        );
    }

    #[test]
    fn patient_mailbox_needs_room_for_the_patient_label() {
        let ins = Ins::parse("295109912611193").unwrap();
        let domain_of = |len: usize| {
            let last = "d".repeat(len - 3 * 64);
            Domain::parse(&[&"a".repeat(63)[..], &"b".repeat(63), &"c".repeat(63), &last].join("."))
                .unwrap()
        };
        // 15 (INS) + 1 (@) + 8 (patient.) + 230 = 254 characters.
        assert!(MailAddress::patient(&ins, &domain_of(230)).is_ok());
        assert_eq!(
            MailAddress::patient(&ins, &domain_of(231)),
            Err(AddressError::AddressLength { got: 255 })
        );
    }

    #[test]
    fn serde_validates() {
        let address = MailAddress::parse("Alice@Example.FR").unwrap();
        let json = serde_json::to_string(&address).unwrap();
        assert_eq!(json, "\"alice@example.fr\"");
        assert_eq!(serde_json::from_str::<MailAddress>(&json).unwrap(), address);
        assert!(serde_json::from_str::<MailAddress>("\"alice\"").is_err());
        let domain = operator();
        let json = serde_json::to_string(&domain).unwrap();
        assert_eq!(serde_json::from_str::<Domain>(&json).unwrap(), domain);
        assert!(serde_json::from_str::<Domain>("\"localhost\"").is_err());
    }

    #[test]
    fn conversions_parse() {
        let address: MailAddress = "alice@example.fr".parse().unwrap();
        assert_eq!(MailAddress::try_from("alice@example.fr").unwrap(), address);
        assert_eq!(
            MailAddress::try_from(String::from("ALICE@example.fr")).unwrap(),
            address
        );
        assert_eq!(String::from(address.clone()), "alice@example.fr");
        assert_eq!(address.as_ref(), "alice@example.fr");
        let domain: Domain = "example.fr".parse().unwrap();
        assert!(address.domain() == "example.fr");
        assert!(*address.domain() != *"Example.fr");
        assert_eq!(Domain::try_from("EXAMPLE.fr").unwrap(), domain);
        assert_eq!(
            Domain::try_from(String::from("example.fr")).unwrap(),
            domain
        );
        assert_eq!(String::from(domain.clone()), "example.fr");
        assert_eq!(domain.as_ref(), "example.fr");
    }

    fn domain() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-zA-Z0-9]([a-zA-Z0-9-]{0,10}[a-zA-Z0-9])?", 2..5)
            .prop_map(|labels| labels.join("."))
    }

    fn local_part() -> impl Strategy<Value = String> {
        proptest::collection::vec("[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,10}", 1..4)
            .prop_map(|atoms| atoms.join("."))
    }

    proptest! {
        #[test]
        fn addresses_round_trip_lower_case(local in local_part(), domain in domain()) {
            let input = format!("{local}@{domain}");
            let address = MailAddress::parse(&input).unwrap();
            prop_assert_eq!(address.as_str(), input.to_ascii_lowercase());
            prop_assert_eq!(address.local_part(), local.to_ascii_lowercase());
            prop_assert_eq!(MailAddress::parse(address.as_str()).unwrap(), address);
        }

        #[test]
        fn id5_every_patient_mailbox_classifies_back_to_its_ins(
            body in "[1-478][0-9]{12}",
        ) {
            let key = Ins::compute_key(&body).unwrap();
            let ins = Ins::parse(&format!("{body}{key:02}")).unwrap();
            let address = MailAddress::patient(&ins, &operator()).unwrap();
            prop_assert_eq!(address.classify(&operator()).unwrap(), AddressKind::Patient(ins));
        }
    }
}
