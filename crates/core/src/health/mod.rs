//! The health messaging rules about patients (MS-8 … MS-11): pure decisions on facts
//! the service layer gathers, each refusal naming its requirement and what to do.
//!
//! - [`exchange`]: who may write to whom — a patient only replies to a professional
//!   who wrote first, until the professional ends the exchange (MS-8); a patient's
//!   block of a professional (MS-10); a patient's opposition (MS-9).
//! - [`subject`]: patient identifiers and names in subjects (MS-11), with the NIR/INS
//!   and Belgian NISS keys.
//! - [`ins_header`]: the `X-MSS-INS` header, read and written.
//! - [`sealed`]: what the rules do with S/MIME content the server cannot read (MS-3,
//!   MS-9, MS-11, MS-13).

pub mod exchange;
pub mod ins_header;
pub mod sealed;
pub mod subject;

pub use exchange::{
    Conversation, Party, check_exchange, check_no_opposition, check_not_blocked, ends_exchange,
};
pub use sealed::{Protection, check_patient_declared};
pub use subject::{SubjectFinding, check_subject, find_identifiers, niss_is_valid};
