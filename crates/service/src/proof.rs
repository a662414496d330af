//! The operator's signature on the proof the service writes (MS-16, seed 004 §8
//! "force probante"): delivery status and disposition notifications leave as S/MIME
//! `multipart/signed` ([`caduceus_core::signed`]), signed with the operator's
//! certificate by the [`ReportSigner`] the binary plugs in, so that a sender can show
//! them and anyone can check them (`openssl cms -verify`) against the trust anchors.

use std::sync::Arc;

use crate::Service;

/// Signs with the operator's certificate.
pub trait ReportSigner: Send + Sync {
    /// The detached DER CMS `SignedData` over `content` (with its signing time).
    fn sign_detached(&self, content: &[u8]) -> std::io::Result<Vec<u8>>;
}

impl Service {
    /// The same service signing the notifications it writes with `signer` (MS-16).
    /// Without one, they leave unsigned.
    pub fn with_report_signer(mut self, signer: Arc<dyn ReportSigner>) -> Self {
        self.report_signer = Some(signer);
        self
    }

    /// `message`, a notification the service wrote, signed when a signer is
    /// configured; unsigned (and the failure logged) when signing fails, rather than
    /// no notification at all.
    pub(crate) fn signed_report(&self, message: Vec<u8>, id: &str) -> Vec<u8> {
        let Some(signer) = &self.report_signer else {
            return message;
        };
        let boundary = format!("=_caduceus_signed_{}", id.replace(['@', '.'], "_"));
        caduceus_core::signed::multipart_signed(&message, &boundary, |part| {
            signer.sign_detached(part)
        })
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "the notification could not be signed (MS-16)");
            message
        })
    }
}
