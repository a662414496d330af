//! Whether a received message's S/MIME signature holds, and whose it is (MS-16, MS-2,
//! issue 19): what the API and the webmail show beside a signed message.
//!
//! The cryptography is the binary's ([`SignatureChecker`], OpenSSL against the
//! operator's trust anchors); the service says whether the signer is a **verified
//! account** of the trust space: an active account here, or a mailbox the imported
//! national directory lists (ID-1, ID-4). A signature that verifies but names
//! someone unknown is shown as such, never as a verified sender. Checked when the
//! message is shown (the anchors and revocations of that day), not stored.

use std::sync::Arc;

use caduceus_core::{AccountState, MailAddress};

use crate::Service;
use crate::error::Result;
use crate::messages::ReadMessage;

/// What the cryptography says of a message's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    /// The content unchanged, the signer's certificate chaining to an anchor, valid.
    pub valid: bool,
    /// The signer's address in its certificate, when named.
    pub signer: Option<String>,
}

/// Checks S/MIME signatures against the operator's trust anchors.
pub trait SignatureChecker: Send + Sync {
    /// The signature of `raw`, or `None` when it is not an S/MIME signed message.
    fn check(&self, raw: &[u8]) -> Option<Checked>;
}

/// A received message's signature, as shown to its reader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Whether it verifies ([`Checked::valid`]).
    pub valid: bool,
    /// The signer's address, when the certificate names one.
    pub signer: Option<MailAddress>,
    /// Whether the signer is a verified account of the trust space: active here, or
    /// listed in the national directory.
    pub verified_account: bool,
}

impl Service {
    /// The same service checking signatures with `checker`. Without one, no
    /// signature is shown.
    pub fn with_signature_checker(mut self, checker: Arc<dyn SignatureChecker>) -> Self {
        self.signatures = Some(checker);
        self
    }

    /// The signature of `message` (opened by its reader through the service, which
    /// traced the read), or `None` when it is not signed or no checker is configured.
    pub async fn signature(&self, message: &ReadMessage) -> Result<Option<Signature>> {
        let Some(checker) = &self.signatures else {
            return Ok(None);
        };
        let Some(checked) = checker.check(&message.raw) else {
            return Ok(None);
        };
        let signer = checked
            .signer
            .as_deref()
            .and_then(|s| MailAddress::parse(s).ok());
        let verified_account = match &signer {
            Some(address) if self.is_local(address) => self
                .store
                .account_by_address(address)
                .await?
                .is_some_and(|account| account.state == AccountState::Active),
            Some(address) => self.directory_entry(address).await?.is_some(),
            None => false,
        };
        Ok(Some(Signature {
            valid: checked.valid,
            signer,
            verified_account: checked.valid && verified_account,
        }))
    }
}
