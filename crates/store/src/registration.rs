//! A professional's own registration (ID-1, seed 004 §7.1), as the store keeps it: what
//! the applicant presented, the register's verdict, and the out-of-band address
//! confirmation awaited.

use caduceus_core::enrolment::{Mismatch, Proof};
use caduceus_core::{MailAddress, Timestamp};

use crate::model::{AccountId, NewAccount, Verification};

/// What an applicant presented and what the register said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationRequest {
    /// The account created for it.
    pub account: AccountId,
    /// How the national identifier was proved.
    pub proof: Proof,
    /// The family name the card or the provider gave.
    pub family_name: Option<String>,
    /// The given name the card or the provider gave.
    pub given_name: Option<String>,
    /// Why the register did not confirm it, for the registration authority; `None`
    /// when it did (only the address confirmation is awaited).
    pub referred: Option<Mismatch>,
    /// When it was made.
    pub requested: Timestamp,
}

/// A self-registration to store in one transaction: the account (pending), its
/// out-of-band address, the request, and — when the register confirmed the applicant
/// — the verification (the account then verified) and the address confirmation's
/// token.
#[derive(Clone, Debug)]
pub struct NewRegistration<'a> {
    /// The account.
    pub account: &'a NewAccount,
    /// The out-of-band address the applicant gave (outside the trust space).
    pub contact: &'a MailAddress,
    /// How the identifier was proved, the names presented.
    pub proof: Proof,
    /// The family name presented.
    pub family_name: Option<&'a str>,
    /// The given name presented.
    pub given_name: Option<&'a str>,
    /// The register's verdict: `Ok` with the verification made, or the reason it goes
    /// to the registration authority.
    pub verdict: Result<Confirmation<'a>, Mismatch>,
}

/// A registration the register confirmed: the verification, and the token (SHA-256)
/// of the link sent to the out-of-band address.
#[derive(Clone, Debug)]
pub struct Confirmation<'a> {
    /// The verification recorded (evidence: the card or the register match).
    pub verification: &'a Verification,
    /// SHA-256 of the confirmation link's token.
    pub token_hash: [u8; 32],
    /// Until when the link works.
    pub expires: Timestamp,
}
